"""Per-user progress in a DynamoDB table: the store the skill uses on AWS Lambda.

Each item is `{"id": <Alexa user id>, "record": <records.encode text>}`, the same JSON text the
SQLite store keeps, byte for byte. It is a string attribute, not a native map, because DynamoDB
hands every number back as Decimal and refuses floats: a map would need conversions both ways
that can drift (1763720000.123 -> Decimal -> float), while text round-trips exactly.

This module imports boto3, so `make_persistence_adapter` imports it only for COACH_STORE=dynamodb.
"""

from __future__ import annotations

import sys
from typing import Any

import boto3
from ask_sdk_core.attributes_manager import AbstractPersistenceAdapter
from ask_sdk_core.exceptions import PersistenceException
from ask_sdk_model.request_envelope import RequestEnvelope
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from skill.config import Settings
from skill.persistence.records import decode, encode
from skill.persistence.sqlite_store import user_id_of

PARTITION_KEY = "id"
RECORD_ATTRIBUTE = "record"

# Alexa waits about 8 s for the whole turn, which reads and then writes: a store that is down
# must fail fast enough for the apology to reach the runner, not after botocore's 60 s default.
# Worst case, a server that accepts and never answers: 1.5 s, up to 1 s backoff, 1.5 s again.
CONNECT_TIMEOUT_S = 1.0
READ_TIMEOUT_S = 1.5  # DynamoDB answers a single-item call in milliseconds
MAX_ATTEMPTS = 2  # the first try and one retry

_ADAPTER_MODULE = "ask_sdk_dynamodb.adapter"


def client_config() -> Config:
    return Config(
        connect_timeout=CONNECT_TIMEOUT_S,
        read_timeout=READ_TIMEOUT_S,
        # Not "max_attempts": in a Config that counts retries, not attempts.
        retries={"total_max_attempts": MAX_ATTEMPTS, "mode": "standard"},
    )


def _import_adapter_class(session: boto3.session.Session) -> Any:
    # ask_sdk_dynamodb.adapter calls boto3.resource("dynamodb") when imported (a default
    # argument), which raises NoRegionError where no region is configured. Lending it our
    # session gives it the configured region and shares the loaded service model (~60 ms).
    if _ADAPTER_MODULE not in sys.modules and boto3.DEFAULT_SESSION is None:
        boto3.DEFAULT_SESSION = session
    from ask_sdk_dynamodb.adapter import DynamoDbAdapter

    return DynamoDbAdapter


class DynamoDbProgressStore(AbstractPersistenceAdapter):
    """An ask-sdk persistence adapter keeping one versioned record per Alexa user in DynamoDB.

    Saves and deletes go through the SDK's DynamoDbAdapter. Reads do not: it cannot tell a
    missing item from a stored empty map, and it reports an item without the record attribute
    as a plain PersistenceException, so the skill would apologise on every turn instead of
    starting that runner afresh. Reading the item here lets a bad one raise
    UnreadableRecordError, which the skill answers with a fresh start.
    """

    def __init__(self, table_name: str, dynamodb_resource: Any, adapter_class: Any) -> None:
        self.table_name = table_name
        self._table = dynamodb_resource.Table(table_name)
        self._adapter = adapter_class(
            table_name,
            partition_key_name=PARTITION_KEY,
            attribute_name=RECORD_ATTRIBUTE,
            create_table=False,  # serverless.yml owns the table; the Lambda may not create one
            partition_keygen=user_id_of,
            dynamodb_resource=dynamodb_resource,
        )

    def get_attributes(self, request_envelope: RequestEnvelope) -> dict[str, object]:
        key = {PARTITION_KEY: user_id_of(request_envelope)}
        try:
            response = self._table.get_item(Key=key, ConsistentRead=True)
        except (BotoCoreError, ClientError) as error:
            raise PersistenceException(
                f"could not read progress from DynamoDB table {self.table_name}: {error}"
            ) from error
        item = response.get("Item")
        if item is None:
            return {}
        # decode refuses anything but record text, including a missing attribute (None).
        return decode(item.get(RECORD_ATTRIBUTE))

    def save_attributes(
        self, request_envelope: RequestEnvelope, attributes: dict[str, object]
    ) -> None:
        # Encode first: attributes that cannot be stored raise here, before the old record
        # is touched.
        text = encode(attributes)
        self._adapter.save_attributes(request_envelope=request_envelope, attributes=text)

    def delete_attributes(self, request_envelope: RequestEnvelope) -> None:
        self._adapter.delete_attributes(request_envelope=request_envelope)


def make_dynamodb_store(settings: Settings) -> DynamoDbProgressStore:
    """The store for `settings.dynamodb_table` in `settings.aws_region`, at
    `settings.dynamodb_endpoint` when one is set (a local DynamoDB-compatible server)."""
    session = boto3.session.Session(region_name=settings.aws_region)
    adapter_class = _import_adapter_class(session)
    resource = session.resource(
        "dynamodb", endpoint_url=settings.dynamodb_endpoint, config=client_config()
    )
    return DynamoDbProgressStore(settings.dynamodb_table, resource, adapter_class)
