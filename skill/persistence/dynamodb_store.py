"""Per-user progress in a DynamoDB table: the store the skill uses on AWS Lambda.

Each item is `{"id": <Alexa user id>, "record": <records.encode text>, "revision": <saves>}`, the
same JSON text the SQLite store keeps, byte for byte, and every save is conditional on the
revision that was read (items saved before revisions were kept have none: revision 0). Records
this version could not read are kept in the item's `quarantined` list when a fresh one replaces
them: the latest KEEP_QUARANTINED, each cut to MAX_QUARANTINED_BYTES, so that the list never
takes the item to DynamoDB's 400 KB limit (a write past it fails: every turn would apologise).
The record is a string attribute, not a native map, because DynamoDB hands every number back as
Decimal and refuses floats: a map would need conversions both ways that can drift
(1763720000.123 -> Decimal -> float), while text round-trips exactly.

The store talks to DynamoDB through a plain botocore client with low-level attribute values
({"S": text}). boto3's resource layer and the SDK's ask-sdk-dynamodb adapter cost much of
a Lambda cold start (imports, and a resource the adapter builds when imported) for three
single-item calls (docs/deploy.md has the figures). This module imports botocore, so
`make_store` imports it only for COACH_STORE=dynamodb.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from typing import Any

import botocore.loaders
import botocore.session
from botocore.config import Config
from botocore.exceptions import (
    BotoCoreError,
    ClientError,
    ConnectTimeoutError,
    ReadTimeoutError,
)
from botocore.retries import standard as botocore_retries

from skill.config import Settings
from skill.persistence.deadline import Breaker, OutOfTime, StoreDown, time_left
from skill.persistence.store import (
    Quarantined,
    RecordStore,
    SaveConflict,
    StoredRecord,
    StoreUnhealthy,
)

SERVICE = "dynamodb"
PARTITION_KEY = "id"
RECORD_ATTRIBUTE = "record"
REVISION_ATTRIBUTE = "revision"
QUARANTINE_ATTRIBUTE = "quarantined"
HEALTH_KEY = "health-check"  # no Alexa user id looks like this

# An item may hold 400 KB. Quarantined records are kept at most this many, each at most this
# long: 10 x 20 KB leaves half the item for the record (one this version writes stays under
# 20 KB: its history is bounded, skill.coaching.history).
KEEP_QUARANTINED = 10
MAX_QUARANTINED_BYTES = 20_000
MAX_REASON_BYTES = 1_000

log = logging.getLogger(__name__)

# A turn reads and then writes within the turn's store budget (skill.persistence.deadline). One
# attempt takes at most CONNECT + READ; an attempt starts only if that much of the budget is
# left, so a hung DynamoDB costs a turn at most the budget, never botocore's 60 s default.
CONNECT_TIMEOUT_S = 0.5
READ_TIMEOUT_S = 1.0  # DynamoDB answers a single-item call in milliseconds
ATTEMPT_S = CONNECT_TIMEOUT_S + READ_TIMEOUT_S
MAX_ATTEMPTS = 2  # per call, time permitting: the first try and one retry

# Which failures are worth another try (throttling, a 5xx, a dropped connection, what the
# DynamoDB model marks retryable; never AccessDenied or a ValidationException), and how long to
# wait first, are botocore's standard retry mode's own rules. The store keeps the loop, so a
# retry happens only when the turn still has time for it and the breaker allows the call.
WORTH_RETRYING = botocore_retries.StandardRetryConditions(max_attempts=MAX_ATTEMPTS)
BACKOFF = botocore_retries.ExponentialBackoff(
    service_name=SERVICE,
    throttling_detector=botocore_retries.ThrottlingErrorDetector(
        botocore_retries.RetryEventAdapter()
    ),
)


def client_config() -> Config:
    return Config(
        connect_timeout=CONNECT_TIMEOUT_S,
        read_timeout=READ_TIMEOUT_S,
        # Retries are the store's own (`_call`), by botocore's rules but knowing the turn's
        # time left. Not "max_attempts": in a Config that counts retries, not attempts.
        retries={"total_max_attempts": 1, "mode": "standard"},
    )


class _DynamoDbOnlyLoader(botocore.loaders.Loader):  # type: ignore[misc]
    """botocore's data loader for a session that makes nothing but a DynamoDB client.

    Before it loads a service's model, botocore lists every service it has models for: ~450
    folders and thousands of stat calls, a measurable part of a cold start. Here
    that list is DynamoDB alone; every file still loads from botocore's own data.
    """

    def list_available_services(self, type_name: str) -> list[str]:
        return [SERVICE]


def make_client(region: str, endpoint_url: str | None = None) -> Any:
    """A low-level DynamoDB client with the store's timeouts and retries. Credentials come
    from botocore's usual chain (on Lambda: the function role's environment variables)."""
    with _SESSION_LOCK:  # a botocore session is not safe to share between threads
        return _session().create_client(
            SERVICE, region_name=region, endpoint_url=endpoint_url, config=client_config()
        )


_SESSION_LOCK = threading.Lock()


@cache
def _session() -> Any:
    """One botocore session a process: the models it loaded for the first client serve every
    client after it (about 2 ms each rather than 50; the tests make hundreds)."""
    session = botocore.session.get_session()
    session.register_component("data_loader", _DynamoDbOnlyLoader())
    return session


def _record_of(item: dict[str, Any]) -> StoredRecord:
    """The record of a stored item. An item whose record is not text (a number, a map, none)
    gives its DynamoDB JSON instead, which no version reads as a record: the turn then
    quarantines exactly what was stored."""
    value = item.get(RECORD_ATTRIBUTE)
    revision = item.get(REVISION_ATTRIBUTE, {}).get("N", "0")
    text = value.get("S") if isinstance(value, dict) else None
    if not isinstance(text, str):
        text = json.dumps({RECORD_ATTRIBUTE: value}, sort_keys=True)
    return StoredRecord(text, int(revision) if revision.isdigit() else 0)


def _is_conflict(error: Exception) -> bool:
    return (
        isinstance(error, ClientError)
        and error.response.get("Error", {}).get("Code") == "ConditionalCheckFailedException"
    )


@dataclass(frozen=True)
class _Answer:
    """What botocore's retry rules read of an HTTP answer."""

    status_code: int
    headers: Mapping[str, str] = field(default_factory=dict)
    content: bytes = b""


def retry_context(client: Any, operation: str, attempt: int, error: Exception) -> Any:
    """A failed call as botocore's retry rules see it (botocore.retries.standard)."""
    api_name = client.meta.method_to_api_mapping[operation]
    model = client.meta.service_model.operation_model(api_name)
    if not isinstance(error, ClientError):
        return botocore_retries.RetryContext(attempt, model, caught_exception=error)
    metadata = error.response.get("ResponseMetadata", {})
    # The answer was parsed, so its checksum held: without the header botocore's rules do not
    # check the body again (they would see none here).
    headers = {
        name.lower(): value
        for name, value in metadata.get("HTTPHeaders", {}).items()
        if name.lower() != "x-amz-crc32"
    }
    answer = _Answer(int(metadata.get("HTTPStatusCode", 0)), headers)
    return botocore_retries.RetryContext(
        attempt, model, parsed_response=error.response, http_response=answer
    )


def _is_timeout(error: Exception) -> bool:
    # A hung DynamoDB: trying again would only spend the rest of the turn waiting.
    return isinstance(error, ReadTimeoutError | ConnectTimeoutError)


class DynamoDbProgressStore(RecordStore):
    """One versioned record per Alexa user in DynamoDB, saved conditionally on its revision.

    A missing item is a runner with no progress. Failing to reach DynamoDB, or a refusal from
    it, raises StoreDown (a PersistenceException); a save that lost a race raises SaveConflict.
    """

    def __init__(self, table_name: str, client: Any, breaker: Breaker | None = None) -> None:
        self.table_name = table_name
        self._client = client
        self._breaker = breaker or Breaker()

    def _call(self, action: str, operation: str, **params: Any) -> dict[str, Any]:
        if time_left(otherwise=ATTEMPT_S) < ATTEMPT_S:
            raise OutOfTime(f"no time left in this turn to {action} progress in DynamoDB")
        if not self._breaker.allow():
            raise StoreDown(
                f"could not {action} progress: DynamoDB table {self.table_name} failed moments ago"
            )
        for attempt in range(1, MAX_ATTEMPTS + 1):
            try:
                response: dict[str, Any] = getattr(self._client, operation)(
                    TableName=self.table_name, **params
                )
            except (BotoCoreError, ClientError) as error:
                if _is_conflict(error):
                    self._breaker.answered()
                    raise SaveConflict(f"the record changed since it was read: {error}") from None
                context = retry_context(self._client, operation, attempt, error)
                pause = float(BACKOFF.delay_amount(context))
                again = (
                    not _is_timeout(error)  # hung: another try would only wait again
                    and WORTH_RETRYING.is_retryable(context)
                    and time_left(otherwise=ATTEMPT_S + pause) >= ATTEMPT_S + pause
                )
                if not again:
                    if _is_timeout(error):
                        self._breaker.timed_out()
                    else:
                        self._breaker.answered()
                    raise StoreDown(
                        f"could not {action} progress in DynamoDB table {self.table_name}: {error}"
                    ) from error
                time.sleep(pause)
            except BaseException:
                self._breaker.answered()  # not the store's doing; never leave a probe open
                raise
            else:
                self._breaker.answered()
                return response
        raise AssertionError("unreachable: the last attempt returns or raises")

    def read(self, key: str) -> StoredRecord | None:
        response = self._call(
            "read", "get_item", Key={PARTITION_KEY: {"S": key}}, ConsistentRead=True
        )
        item = response.get("Item")
        return None if item is None else _record_of(item)

    def write(
        self,
        key: str,
        text: str,
        read: StoredRecord | None,
        quarantined: Quarantined | None = None,
    ) -> None:
        names = {"#record": RECORD_ATTRIBUTE, "#revision": REVISION_ATTRIBUTE}
        values: dict[str, Any] = {
            ":text": {"S": text},
            ":next": {"N": str(1 if read is None else read.revision + 1)},
        }
        update = "SET #record = :text, #revision = :next"
        if read is None:
            names["#id"] = PARTITION_KEY
            condition = "attribute_not_exists(#id)"
        elif read.revision == 0:
            names["#id"] = PARTITION_KEY
            condition = "attribute_exists(#id) AND attribute_not_exists(#revision)"
        else:
            condition = "#revision = :read"
            values[":read"] = {"N": str(read.revision)}
        if quarantined is not None:
            # The list as it is now: the save is conditional on the revision read, so if another
            # turn changes it first, this save fails as a conflict rather than undo that change.
            kept = self._quarantine_list(key)
            names["#quarantined"] = QUARANTINE_ATTRIBUTE
            update += ", #quarantined = :kept"
            values[":kept"] = {"L": self._capped(kept, quarantined)}
        self._call(
            "save",
            "update_item",
            Key={PARTITION_KEY: {"S": key}},
            UpdateExpression=update,
            ConditionExpression=condition,
            ExpressionAttributeNames=names,
            ExpressionAttributeValues=values,
        )

    def _quarantine_list(self, key: str) -> list[Any]:
        response = self._call(
            "read",
            "get_item",
            Key={PARTITION_KEY: {"S": key}},
            ConsistentRead=True,
            ProjectionExpression="#quarantined",
            ExpressionAttributeNames={"#quarantined": QUARANTINE_ATTRIBUTE},
        )
        kept: list[Any] = response.get("Item", {}).get(QUARANTINE_ATTRIBUTE, {}).get("L", [])
        return kept

    def _capped(self, kept: list[Any], quarantined: Quarantined) -> list[Any]:
        """The quarantine list with `quarantined` added and the oldest past KEEP_QUARANTINED
        dropped, saying so in the log. Entries kept before they were cut are cut now."""
        entries = [*(_cut_entry(entry) for entry in kept), quarantine_entry(quarantined)]
        dropped = len(entries) - KEEP_QUARANTINED
        if dropped > 0:
            log.warning(
                "Dropped the %d oldest quarantined records of an item in DynamoDB table %s:"
                " it keeps the latest %d",
                dropped,
                self.table_name,
                KEEP_QUARANTINED,
            )
            return entries[dropped:]
        return entries

    def replace(self, key: str, text: str) -> None:
        self._call(
            "save",
            "update_item",
            Key={PARTITION_KEY: {"S": key}},
            UpdateExpression="SET #record = :text ADD #revision :one",
            ExpressionAttributeNames={"#record": RECORD_ATTRIBUTE, "#revision": REVISION_ATTRIBUTE},
            ExpressionAttributeValues={":text": {"S": text}, ":one": {"N": "1"}},
        )

    def delete(self, key: str) -> None:
        self._call("delete", "delete_item", Key={PARTITION_KEY: {"S": key}})

    def quarantined(self, key: str) -> list[Quarantined]:
        response = self._call(
            "read", "get_item", Key={PARTITION_KEY: {"S": key}}, ConsistentRead=True
        )
        kept = response.get("Item", {}).get(QUARANTINE_ATTRIBUTE, {}).get("L", [])
        return [
            Quarantined(entry["M"]["record"]["S"], entry["M"]["reason"]["S"], entry["M"]["at"]["S"])
            for entry in kept
        ]

    def check(self) -> None:
        """Can this server save a turn? It writes the time to an item no runner has, as a save
        would (one write unit a check): a read passed where a role that may only read, or a
        table out of write capacity, failed every save."""
        try:
            self._client.update_item(
                TableName=self.table_name,
                Key={PARTITION_KEY: {"S": HEALTH_KEY}},
                UpdateExpression="SET #checked = :now",
                ExpressionAttributeNames={"#checked": "checked_at"},
                ExpressionAttributeValues={":now": {"N": str(int(time.time()))}},
            )
        except ClientError as error:
            code = error.response.get("Error", {}).get("Code", "")
            state = {
                "ResourceNotFoundException": "table missing",
                "AccessDeniedException": "access denied",
                "ProvisionedThroughputExceededException": "out of capacity",
            }.get(code, "error")
            raise StoreUnhealthy(state, f"DynamoDB table {self.table_name}: {error}") from error
        except BotoCoreError as error:
            raise StoreUnhealthy(
                "unreachable", f"DynamoDB table {self.table_name}: {error}"
            ) from error


def quarantine_entry(quarantined: Quarantined) -> dict[str, Any]:
    """A quarantined record as an item's list keeps it, its text cut to MAX_QUARANTINED_BYTES
    (the reason says so; no record this version writes is that long). An entry made by it
    comes back the same through it."""
    text = _cut(quarantined.text, MAX_QUARANTINED_BYTES)
    reason = quarantined.reason
    if text != quarantined.text:
        size = len(quarantined.text.encode("utf-8"))
        reason = f"cut to its first {MAX_QUARANTINED_BYTES} of {size} bytes; {reason}"
    reason = _cut(reason, MAX_REASON_BYTES)
    return {"M": {"record": {"S": text}, "reason": {"S": reason}, "at": {"S": quarantined.at}}}


def _cut_entry(entry: Any) -> Any:
    """An entry of the list as quarantine_entry makes it (one kept before entries were cut may
    be longer); one not of that shape as it is."""
    try:
        fields = entry["M"]
        kept = Quarantined(fields["record"]["S"], fields["reason"]["S"], fields["at"]["S"])
    except (KeyError, TypeError):
        return entry
    return quarantine_entry(kept)


def _cut(text: str, most: int) -> str:
    """`text` cut to at most `most` bytes of UTF-8, at a character's end."""
    encoded = text.encode("utf-8")
    return text if len(encoded) <= most else encoded[:most].decode("utf-8", "ignore")


def make_dynamodb_store(settings: Settings) -> DynamoDbProgressStore:
    """The store for `settings.dynamodb_table` in `settings.aws_region`, at
    `settings.dynamodb_endpoint` when one is set (a local DynamoDB-compatible server)."""
    client = make_client(settings.aws_region, settings.dynamodb_endpoint)
    return DynamoDbProgressStore(settings.dynamodb_table, client)
