"""Per-user progress in a DynamoDB table: the store the skill uses on AWS Lambda.

Each item is `{"id": <Alexa user id>, "record": <records.encode text>}`, the same JSON text the
SQLite store keeps, byte for byte. It is a string attribute, not a native map, because DynamoDB
hands every number back as Decimal and refuses floats: a map would need conversions both ways
that can drift (1763720000.123 -> Decimal -> float), while text round-trips exactly.

The store talks to DynamoDB through a plain botocore client with low-level attribute values
({"S": text}). boto3's resource layer and the SDK's ask-sdk-dynamodb adapter cost about 150 ms
of a Lambda cold start (imports, and a resource the adapter builds when imported) for three
single-item calls. This module imports botocore, so `make_persistence_adapter` imports it only
for COACH_STORE=dynamodb.
"""

from __future__ import annotations

from typing import Any

import botocore.loaders
import botocore.session
from ask_sdk_core.attributes_manager import AbstractPersistenceAdapter
from ask_sdk_core.exceptions import PersistenceException
from ask_sdk_model.request_envelope import RequestEnvelope
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from skill.config import Settings
from skill.persistence.records import UnreadableRecordError, decode, encode
from skill.persistence.sqlite_store import user_id_of

SERVICE = "dynamodb"
PARTITION_KEY = "id"
RECORD_ATTRIBUTE = "record"

# Alexa waits about 8 s for the whole turn, which reads and then writes: a store that is down
# must fail fast enough for the apology to reach the runner, not after botocore's 60 s default.
# Worst case, a server that accepts and never answers: 1.5 s, up to 1 s backoff, 1.5 s again.
CONNECT_TIMEOUT_S = 1.0
READ_TIMEOUT_S = 1.5  # DynamoDB answers a single-item call in milliseconds
MAX_ATTEMPTS = 2  # the first try and one retry


def client_config() -> Config:
    return Config(
        connect_timeout=CONNECT_TIMEOUT_S,
        read_timeout=READ_TIMEOUT_S,
        # Not "max_attempts": in a Config that counts retries, not attempts.
        retries={"total_max_attempts": MAX_ATTEMPTS, "mode": "standard"},
    )


class _DynamoDbOnlyLoader(botocore.loaders.Loader):  # type: ignore[misc]
    """botocore's data loader for a session that makes nothing but a DynamoDB client.

    Before it loads a service's model, botocore lists every service it has models for: ~450
    folders and thousands of stat calls, about 17 ms of a cold start on the dev machine. Here
    that list is DynamoDB alone; every file still loads from botocore's own data.
    """

    def list_available_services(self, type_name: str) -> list[str]:
        return [SERVICE]


def make_client(region: str, endpoint_url: str | None = None) -> Any:
    """A low-level DynamoDB client with the store's timeouts and retries. Credentials come
    from botocore's usual chain (on Lambda: the function role's environment variables)."""
    session = botocore.session.get_session()
    session.register_component("data_loader", _DynamoDbOnlyLoader())
    return session.create_client(
        SERVICE, region_name=region, endpoint_url=endpoint_url, config=client_config()
    )


def _record_text(item: dict[str, Any]) -> str:
    """The record text of a stored item; UnreadableRecordError if it holds none."""
    value = item.get(RECORD_ATTRIBUTE)
    if not isinstance(value, dict) or not isinstance(value.get("S"), str):
        kind = "missing" if value is None else f"a DynamoDB {'/'.join(map(str, value))} value"
        raise UnreadableRecordError(f"the item's {RECORD_ATTRIBUTE!r} attribute is {kind}")
    text: str = value["S"]
    return text


class DynamoDbProgressStore(AbstractPersistenceAdapter):
    """An ask-sdk persistence adapter keeping one versioned record per Alexa user in DynamoDB.

    A missing item is a runner with no progress; an item whose record cannot be read (another
    layout, a number, a map, bad JSON, an unknown version) raises UnreadableRecordError, which
    the skill answers with a fresh start. Any failure to reach DynamoDB, or a refusal from it,
    raises PersistenceException.
    """

    def __init__(self, table_name: str, client: Any) -> None:
        self.table_name = table_name
        self._client = client

    def _call(self, action: str, operation: str, **params: Any) -> dict[str, Any]:
        try:
            response: dict[str, Any] = getattr(self._client, operation)(
                TableName=self.table_name, **params
            )
        except (BotoCoreError, ClientError) as error:
            raise PersistenceException(
                f"could not {action} progress in DynamoDB table {self.table_name}: {error}"
            ) from error
        return response

    @staticmethod
    def _key(request_envelope: RequestEnvelope) -> dict[str, dict[str, str]]:
        return {PARTITION_KEY: {"S": user_id_of(request_envelope)}}

    def get_attributes(self, request_envelope: RequestEnvelope) -> dict[str, object]:
        response = self._call(
            "read", "get_item", Key=self._key(request_envelope), ConsistentRead=True
        )
        item = response.get("Item")
        if item is None:
            return {}
        # decode refuses anything but well-formed record text of a version this skill reads.
        return decode(_record_text(item))

    def save_attributes(
        self, request_envelope: RequestEnvelope, attributes: dict[str, object]
    ) -> None:
        key = self._key(request_envelope)
        # Encode first: attributes that cannot be stored raise here, before the old record
        # is touched.
        text = encode(attributes)
        self._call("save", "put_item", Item={**key, RECORD_ATTRIBUTE: {"S": text}})

    def delete_attributes(self, request_envelope: RequestEnvelope) -> None:
        self._call("delete", "delete_item", Key=self._key(request_envelope))


def make_dynamodb_store(settings: Settings) -> DynamoDbProgressStore:
    """The store for `settings.dynamodb_table` in `settings.aws_region`, at
    `settings.dynamodb_endpoint` when one is set (a local DynamoDB-compatible server)."""
    client = make_client(settings.aws_region, settings.dynamodb_endpoint)
    return DynamoDbProgressStore(settings.dynamodb_table, client)
