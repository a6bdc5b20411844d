"""The DynamoDB progress store and the Lambda entry point against a real DynamoDB-compatible
server (moto_server on 127.0.0.1), including the store going down mid-workout."""

from __future__ import annotations

import gc
import json
import socket
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
import yaml
from ask_sdk_core.exceptions import PersistenceException
from botocore.awsrequest import AWSResponse
from botocore.retries import standard as botocore_retries
from botocore.stub import Stubber

from harness import envelopes
from harness.dialog_stage import V1_RECORD
from skill import lambda_function
from skill.alexa import skill_builder
from skill.alexa.service import CoachService
from skill.alexa.skill_builder import CoachSkill
from skill.alexa.skill_builder import build_skill as real_build_skill
from skill.app import create_app
from skill.config import Settings, load_settings
from skill.content.models import Library
from skill.persistence import (
    RECORD_VERSION,
    SqliteProgressStore,
    StoreDown,
    UnencodableAttributesError,
    UnreadableRecordError,
    dynamodb_store,
    encode,
    make_store,
    turn_deadline,
)
from skill.persistence.dynamodb_store import (
    ATTEMPT_S,
    KEEP_QUARANTINED,
    MAX_QUARANTINED_BYTES,
    PARTITION_KEY,
    READ_TIMEOUT_S,
    RECORD_ATTRIBUTE,
    REVISION_ATTRIBUTE,
    DynamoDbProgressStore,
    make_client,
    make_dynamodb_store,
)
from skill.persistence.keys import record_key
from tests.support import (
    REPO_ROOT,
    ListeningClock,
    alexa_answer,
    delete_record,
    load_record,
    output_speech,
    request_envelope,
    resolved_intent,
    save_record,
)
from tests.support.moto import (
    FAKE_AWS_ENV,
    MotoServer,
    TcpSwitch,
    create_progress_table,
    free_port,
)

ROOT = REPO_ROOT
REGION = "us-east-1"
SKILL_ID = "amzn1.ask.skill.00000000-0000-0000-0000-000000000000"
USER = "amzn1.ask.account.RUNNER-ONE"
OTHER_USER = "amzn1.ask.account.RUNNER-TWO"
# A down store must answer well inside Alexa's ~8 s; botocore's defaults would take minutes.
DOWN_DEADLINE_S = 4.0


def serverless_table_properties() -> dict[str, Any]:
    """The progress table exactly as serverless.yml defines it for CloudFormation."""
    config = yaml.safe_load((ROOT / "serverless.yml").read_text())
    properties: dict[str, Any] = config["resources"]["Resources"]["ProgressTable"]["Properties"]
    return properties


@pytest.fixture(scope="session")
def aws_env() -> Iterator[None]:
    with pytest.MonkeyPatch.context() as patch:
        for name, value in FAKE_AWS_ENV.items():
            patch.setenv(name, value)
        yield


@pytest.fixture(scope="session")
def moto(aws_env: None, tmp_path_factory: pytest.TempPathFactory) -> Iterator[MotoServer]:
    server = MotoServer(tmp_path_factory.mktemp("moto") / "moto_server.log")
    yield server
    server.stop()


@pytest.fixture(scope="session")
def raw_resource(moto: MotoServer) -> Any:
    return boto3.resource("dynamodb", endpoint_url=moto.endpoint, region_name=REGION)


@pytest.fixture
def table_name(raw_resource: Any) -> str:
    """A fresh table per test, made the way serverless.yml makes the real one."""
    name = f"progress-{uuid.uuid4().hex[:12]}"
    create_progress_table(raw_resource, name, serverless_table_properties())
    return name


@pytest.fixture
def raw_table(raw_resource: Any, table_name: str) -> Any:
    return raw_resource.Table(table_name)


@pytest.fixture
def switch(moto: MotoServer) -> Iterator[TcpSwitch]:
    """moto behind a connection the test can cut and restore, its data kept."""
    proxy = TcpSwitch(moto.port)
    yield proxy
    proxy.close()


def dynamodb_settings(endpoint: str, table_name: str) -> Settings:
    return load_settings(
        {},
        {
            "store": "dynamodb",
            "dynamodb_table": table_name,
            "dynamodb_endpoint": endpoint,
            "aws_region": REGION,
        },
    )


@pytest.fixture
def store(moto: MotoServer, table_name: str) -> DynamoDbProgressStore:
    return make_dynamodb_store(dynamodb_settings(moto.endpoint, table_name))


PROGRESS: dict[str, object] = {
    "progress": {
        "workout_id": "bodyweight",
        "exercise_index": 1,
        "set_number": 3,
        "paused": False,
        "finished": False,
        "rest_seconds": None,
        "started_at": 1763720000.123,
        "sets_done": 6,
        "skipped": ["dips"],
    }
}


# --- the store ----------------------------------------------------------------------------


def test_settings_pick_the_dynamodb_store(moto: MotoServer, table_name: str) -> None:
    adapter = make_store(dynamodb_settings(moto.endpoint, table_name))
    assert isinstance(adapter, DynamoDbProgressStore)
    assert adapter.table_name == table_name


def test_unknown_user_has_no_progress(store: DynamoDbProgressStore) -> None:
    assert load_record(store, USER) == {}


def test_round_trip_keeps_every_value_and_type(store: DynamoDbProgressStore) -> None:
    save_record(store, USER, PROGRESS)
    loaded = load_record(store, USER)
    assert loaded == PROGRESS
    started_at = loaded["progress"]["started_at"]  # type: ignore[index]
    assert type(started_at) is float and started_at == 1763720000.123


@pytest.mark.parametrize(
    "value",
    [1763720000.123, 0.1, 1e-300, 2.5e300, -0.0, 2**53 + 1, 10**30, True, None, "1.10"],
    ids=repr,
)
def test_numbers_come_back_exactly_not_as_decimal(
    store: DynamoDbProgressStore, value: object
) -> None:
    save_record(store, USER, {"value": value, "list": [value]})
    loaded = load_record(store, USER)
    assert loaded == {"value": value, "list": [value]}
    assert type(loaded["value"]) is type(value)
    assert repr(loaded["value"]) == repr(value)  # -0.0 stays -0.0, 0.1 stays 0.1


def test_users_are_isolated(store: DynamoDbProgressStore) -> None:
    save_record(store, USER, {"n": 1})
    save_record(store, OTHER_USER, {"n": 2})
    assert load_record(store, USER) == {"n": 1}
    assert load_record(store, OTHER_USER) == {"n": 2}
    delete_record(store, USER)
    assert load_record(store, USER) == {}
    assert load_record(store, OTHER_USER) == {"n": 2}


def test_a_new_store_reads_what_another_saved(
    store: DynamoDbProgressStore, moto: MotoServer, table_name: str
) -> None:
    save_record(store, USER, PROGRESS)
    fresh = make_dynamodb_store(dynamodb_settings(moto.endpoint, table_name))
    assert load_record(fresh, USER) == PROGRESS


def test_item_holds_the_versioned_record_text_byte_identical_to_sqlite(
    store: DynamoDbProgressStore, raw_table: Any, tmp_path: Path
) -> None:
    save_record(store, USER, PROGRESS)
    item = raw_table.get_item(Key={PARTITION_KEY: USER})["Item"]
    assert set(item) == {PARTITION_KEY, RECORD_ATTRIBUTE, REVISION_ATTRIBUTE}
    assert item[PARTITION_KEY] == USER
    assert item[REVISION_ATTRIBUTE] == 1
    text = item[RECORD_ATTRIBUTE]
    assert isinstance(text, str)
    assert json.loads(text)["version"] == RECORD_VERSION
    assert text == encode(PROGRESS)

    sqlite = SqliteProgressStore(tmp_path / "coach.sqlite3")
    save_record(sqlite, USER, PROGRESS)
    row = sqlite._connection().execute("SELECT record FROM progress").fetchone()
    sqlite.close()
    assert row[0] == text


def test_saving_replaces_the_whole_record(store: DynamoDbProgressStore) -> None:
    save_record(store, USER, {"a": 1, "b": 2})
    save_record(store, USER, {"a": 3})
    assert load_record(store, USER) == {"a": 3}


def test_deleting_nothing_is_not_an_error(store: DynamoDbProgressStore) -> None:
    delete_record(store, "nobody")


@pytest.mark.parametrize(
    "item",
    [
        {RECORD_ATTRIBUTE: "{not json"},
        {RECORD_ATTRIBUTE: "[1, 2]"},
        {RECORD_ATTRIBUTE: json.dumps({"version": RECORD_VERSION + 1, "attributes": {}})},
        {RECORD_ATTRIBUTE: json.dumps({"attributes": {}})},
        {RECORD_ATTRIBUTE: json.dumps({"version": RECORD_VERSION, "attributes": "x"})},
        {RECORD_ATTRIBUTE: "NaN"},
        {RECORD_ATTRIBUTE: 12},  # a number, back as Decimal
        {RECORD_ATTRIBUTE: {}},  # an empty map: the SDK adapter would call this "no record"
        {RECORD_ATTRIBUTE: {"version": 1, "attributes": {}}},  # a map, not record text
        {"attributes": {"progress": {}}},  # another layout, no record attribute at all
    ],
    ids=[
        "not-json",
        "not-an-object",
        "newer-version",
        "no-version",
        "bad-attributes",
        "nan",
        "number",
        "empty-map",
        "map",
        "no-record-attribute",
    ],
)
def test_a_corrupt_item_is_unreadable_then_overwritable(
    store: DynamoDbProgressStore, raw_table: Any, item: dict[str, Any]
) -> None:
    raw_table.put_item(Item={PARTITION_KEY: USER, **item})
    with pytest.raises(UnreadableRecordError):
        load_record(store, USER)
    # The skill answers with a fresh start and its next save replaces the bad item.
    save_record(store, USER, {"n": 1})
    assert load_record(store, USER) == {"n": 1}


def test_unstorable_attributes_leave_the_old_record(store: DynamoDbProgressStore) -> None:
    save_record(store, USER, {"n": 1})
    with pytest.raises(UnencodableAttributesError):
        save_record(store, USER, {"n": float("nan")})
    with pytest.raises(UnencodableAttributesError):
        save_record(store, USER, {"n": (1, 2)})
    assert load_record(store, USER) == {"n": 1}


# --- records put aside --------------------------------------------------------------------

FRESH_START = "couldn't read your saved workout, so I've put it aside and we'll start fresh"


def launch_on(store: DynamoDbProgressStore, coach_env: pytest.MonkeyPatch) -> str:
    app = create_app({"COACH_VERIFY_REQUESTS": "0", "COACH_STORE_OBJECT": store})
    return output_speech(
        alexa_answer(app.test_client(), request_envelope("LaunchRequest", user_id=USER))
    )


def test_records_put_aside_are_the_latest_few_and_never_fill_the_item(
    store: DynamoDbProgressStore, coach_env: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    # Each record unreadable by the time the runner comes back (15 KB, as long as a record of
    # a runner with a very long history): before, the item grew by each one until it held
    # 400 KB, and from then on every turn failed: "can't reach your saved workouts".
    unreadable = [f"{n:02d} {{not json " + "x" * 15_000 for n in range(3 * KEEP_QUARANTINED)]
    for text in unreadable:
        store.replace(USER, text)
        assert FRESH_START in launch_on(store, coach_env)
    assert [kept.text for kept in store.quarantined(USER)] == unreadable[-KEEP_QUARANTINED:]
    dropped = [r for r in caplog.records if "oldest quarantined records" in r.getMessage()]
    assert len(dropped) == 2 * KEEP_QUARANTINED
    assert all(r.levelname == "WARNING" for r in dropped)


def test_a_long_record_put_aside_keeps_its_first_bytes_and_says_so(
    store: DynamoDbProgressStore, coach_env: pytest.MonkeyPatch
) -> None:
    text = "{not json " + "é" * 100_000  # two bytes a character: cut between characters
    store.replace(USER, text)
    assert FRESH_START in launch_on(store, coach_env)
    [kept] = store.quarantined(USER)
    assert text.startswith(kept.text)
    assert MAX_QUARANTINED_BYTES - 1 <= len(kept.text.encode()) <= MAX_QUARANTINED_BYTES
    assert kept.reason.startswith(f"cut to its first {MAX_QUARANTINED_BYTES} of 200010 bytes;")


# What DynamoDB may answer a read, and whether botocore's standard retry rules try it again.
FAILURES = {
    "throttled": ("ProvisionedThroughputExceededException", 400, True),
    "throttled by the account": ("ThrottlingException", 400, True),
    "an internal error": ("InternalServerError", 500, True),
    "unavailable": ("ServiceUnavailable", 503, True),
    "access denied": ("AccessDeniedException", 400, False),
    "a bad request": ("ValidationException", 400, False),
    "no such table": ("ResourceNotFoundException", 400, False),
}


@pytest.mark.parametrize(("code", "status", "retried"), FAILURES.values(), ids=list(FAILURES))
def test_a_failed_call_is_tried_again_only_when_botocore_deems_it_worth_it(
    aws_env: None, code: str, status: int, retried: bool
) -> None:
    client = make_client(REGION, endpoint_url="http://127.0.0.1:9")  # stubbed: never reached
    store = DynamoDbProgressStore("progress", client)
    with Stubber(client) as stub:
        stub.add_client_error("get_item", service_error_code=code, http_status_code=status)
        stub.add_response("get_item", {})  # a second try finds no record
        if retried:
            assert store.read(record_key(USER)) is None
            stub.assert_no_pending_responses()
        else:
            with pytest.raises(StoreDown, match=code):
                store.read(record_key(USER))
            with pytest.raises(AssertionError):  # the second answer was never asked for
                stub.assert_no_pending_responses()


def test_no_retry_starts_when_the_turn_has_no_time_to_wait_and_try_again(
    aws_env: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    # botocore's wait before a throttled call's retry, at its longest: up to a second.
    longest = botocore_retries.ExponentialBackoff(
        service_name="dynamodb",
        random=lambda: 1.0,
        throttling_detector=botocore_retries.ThrottlingErrorDetector(
            botocore_retries.RetryEventAdapter()
        ),
    )
    monkeypatch.setattr(dynamodb_store, "BACKOFF", longest)
    client = make_client(REGION, endpoint_url="http://127.0.0.1:9")
    store = DynamoDbProgressStore("progress", client)
    with Stubber(client) as stub, turn_deadline(ATTEMPT_S + 0.5):
        stub.add_client_error("get_item", "ProvisionedThroughputExceededException", "slow down")
        stub.add_response("get_item", {})
        with pytest.raises(StoreDown, match="ProvisionedThroughputExceededException"):
            store.read(record_key(USER))


def test_serverless_grants_the_function_exactly_the_calls_the_store_makes(
    moto: MotoServer, table_name: str
) -> None:
    # A call the role does not allow fails on AWS only (AccessDenied: every runner hears the
    # apology), never against moto; a grant nothing uses is a wider role than needed.
    client = make_client(REGION, moto.endpoint)
    called: set[str] = set()

    def record(model: Any, **_: Any) -> None:
        called.add(model.name)

    client.meta.events.register("before-call.dynamodb", record)
    store = DynamoDbProgressStore(table_name, client)
    load_record(store, USER)
    save_record(store, USER, PROGRESS)
    load_record(store, USER)
    delete_record(store, USER)

    config = yaml.safe_load((ROOT / "serverless.yml").read_text())
    (statement,) = config["provider"]["iam"]["role"]["statements"]
    assert statement["Resource"] == {"Fn::GetAtt": ["ProgressTable", "Arn"]}
    assert sorted(statement["Action"]) == sorted(f"dynamodb:{name}" for name in called)


def test_a_missing_table_is_a_persistence_error(moto: MotoServer) -> None:
    store = make_dynamodb_store(dynamodb_settings(moto.endpoint, "no-such-table"))
    with pytest.raises(PersistenceException):
        load_record(store, USER)
    with pytest.raises(PersistenceException):
        save_record(store, USER, {"n": 1})


def test_a_role_that_may_only_read_fails_health_as_every_save_fails(
    moto: MotoServer, table_name: str
) -> None:
    # AccessDenied on writes is what AWS answers a role granted only reads; moto grants all,
    # so the client is told so before each UpdateItem, the call every save makes.
    client = make_client(REGION, moto.endpoint)
    store = DynamoDbProgressStore(table_name, client)
    web = create_app({"COACH_VERIFY_REQUESTS": "0", "COACH_STORE_OBJECT": store}).test_client()

    def say(name: str, **slots: str) -> str:
        reply = web.post("/alexa", json=resolved_intent(name, user_id=USER, **slots))
        return output_speech(reply.get_json())

    say("StartWorkoutIntent", workout="bodyweight")
    assert "Set 1 of 4" in say("SkipWarmUpIntent")
    assert (web.get("/").status_code, web.get("/").get_json()["store"]) == (200, "ok")

    def deny(**_: Any) -> tuple[AWSResponse, dict[str, Any]]:
        error = {"Code": "AccessDeniedException", "Message": "not authorized: UpdateItem"}
        return AWSResponse("", 400, {}, None), {"Error": error}

    client.meta.events.register("before-call.dynamodb.UpdateItem", deny)
    assert "can't reach your saved workouts" in say("NextSetIntent")
    health = web.get("/")
    assert (health.status_code, health.get_json()["store"]) == (503, "access denied")

    client.meta.events.unregister("before-call.dynamodb.UpdateItem", deny)
    assert web.get("/").status_code == 200
    assert "Set 2 of 4" in say("NextSetIntent")  # nothing was counted while it failed


def assert_fails_fast(call: Any) -> None:
    started = time.monotonic()
    with pytest.raises(PersistenceException) as caught:
        call()
    assert time.monotonic() - started < DOWN_DEADLINE_S
    assert not isinstance(caught.value, UnreadableRecordError)  # "down", not "start afresh"


def test_nothing_listening_fails_fast(aws_env: None) -> None:
    store = make_dynamodb_store(dynamodb_settings(f"http://127.0.0.1:{free_port()}", "t"))
    assert_fails_fast(lambda: load_record(store, USER))
    assert_fails_fast(lambda: save_record(store, USER, {"n": 1}))
    assert_fails_fast(lambda: delete_record(store, USER))


def test_a_server_that_never_answers_times_out_in_seconds(aws_env: None) -> None:
    # Listening but never accepting: the kernel completes the TCP handshake, then nothing
    # comes back, like a store that hangs. botocore's defaults would wait minutes; a hung
    # store is not tried twice, since that would only wait again.
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(16)
        endpoint = f"http://127.0.0.1:{silent.getsockname()[1]}"
        store = make_dynamodb_store(dynamodb_settings(endpoint, "t"))
        started = time.monotonic()
        with pytest.raises(PersistenceException):
            load_record(store, USER)
        elapsed = time.monotonic() - started
    assert READ_TIMEOUT_S <= elapsed < ATTEMPT_S + 0.5


def test_store_down_fails_fast_and_loses_nothing(switch: TcpSwitch, table_name: str) -> None:
    store = make_dynamodb_store(dynamodb_settings(switch.endpoint, table_name))
    save_record(store, USER, PROGRESS)

    switch.down()
    assert_fails_fast(lambda: load_record(store, USER))
    assert_fails_fast(lambda: save_record(store, USER, {"n": 1}))
    switch.up()

    # The same store object reconnects, and the record is the one saved before the outage.
    assert load_record(store, USER) == PROGRESS


# --- the skill on Lambda, end to end ----------------------------------------------------


def alexa_event(
    request: dict[str, Any],
    session_attributes: dict[str, Any] | None = None,
    user_id: str = USER,
) -> dict[str, Any]:
    """An Alexa request as Lambda receives it (the parsed JSON envelope), built as the harness
    device builds one: a new session unless it carries attributes."""
    caller = envelopes.Caller(skill_id=SKILL_ID, user_id=user_id, device_id="amzn1.ask.device.TEST")
    session = envelopes.SessionState(
        "amzn1.echo-api.session.lambda-test",
        new=session_attributes is None,
        attributes=session_attributes or {},
    )
    fields = {key: value for key, value in request.items() if key != "type"}
    request_json = envelopes.request_body(request["type"], envelopes.utc_now(), **fields)
    return envelopes.envelope(caller, session, request_json)


def intent(name: str, slots: dict[str, Any] | None = None) -> dict[str, Any]:
    intent_body = envelopes.intent_json(name, slots)
    return {"type": "IntentRequest", "dialogState": "COMPLETED", "intent": intent_body}


START_BODYWEIGHT = intent(
    "StartWorkoutIntent",
    {
        "workout": {
            "name": "workout",
            "value": "body weight",
            "confirmationStatus": "NONE",
            "resolutions": {
                "resolutionsPerAuthority": [
                    {
                        "authority": f"amzn1.er-authority.echo-sdk.{SKILL_ID}.WorkoutName",
                        "status": {"code": "ER_SUCCESS_MATCH"},
                        "values": [{"value": {"name": "bodyweight", "id": "bodyweight"}}],
                    }
                ]
            },
        }
    },
)


class Conversation:
    """Sends events through a Lambda handler, carrying session attributes like Alexa does."""

    def __init__(self, handler: lambda_function.LambdaHandler) -> None:
        self.handler = handler
        self.session: dict[str, Any] | None = None
        self.clock = ListeningClock()

    def send(self, request: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        response = self.handler(self.clock.stamp(alexa_event(request, self.session)), None)
        json.dumps(response)  # what Lambda returns to Alexa must be plain JSON
        self.clock.heard(response)
        self.session = response.get("sessionAttributes") or {}
        speech: str = response["response"]["outputSpeech"]["ssml"]
        return speech, response


def stored_progress(raw_table: Any, user_id: str = USER) -> dict[str, Any]:
    item = raw_table.get_item(Key={PARTITION_KEY: user_id})["Item"]
    record = json.loads(item[RECORD_ATTRIBUTE])
    assert record["version"] == RECORD_VERSION
    progress: dict[str, Any] = record["attributes"]["progress"]
    return progress


def lambda_environ(endpoint: str, table_name: str) -> dict[str, str]:
    return {
        "COACH_STORE": "dynamodb",
        "COACH_DYNAMODB_TABLE": table_name,
        "COACH_DYNAMODB_ENDPOINT": endpoint,
        "COACH_AWS_REGION": REGION,
        "COACH_SKILL_ID": SKILL_ID,
    }


def test_a_workout_on_lambda_is_stored_in_dynamodb(
    moto: MotoServer, table_name: str, raw_table: Any
) -> None:
    chat = Conversation(lambda_function.make_handler(lambda_environ(moto.endpoint, table_name)))
    chat.send({"type": "LaunchRequest"})
    speech, _ = chat.send(START_BODYWEIGHT)
    assert "Warm-up, part 1 of 2" in speech
    assert stored_progress(raw_table)["set_number"] == 1
    speech, _ = chat.send(intent("SkipWarmUpIntent"))
    assert "Set 1 of 4" in speech

    speech, response = chat.send(intent("NextSetIntent"))
    assert "Set 2 of 4" in speech
    assert response["response"].get("shouldEndSession") is not True
    progress = stored_progress(raw_table)
    assert (progress["workout_id"], progress["exercise_index"], progress["set_number"]) == (
        "bodyweight",
        0,
        2,
    )

    # A one-shot "tell upper body coach next set" is a new session: the place comes from the
    # table, not from session attributes.
    one_shot = Conversation(chat.handler)
    speech, _ = one_shot.send(intent("NextSetIntent"))
    assert "Set 3 of 4" in speech
    assert stored_progress(raw_table)["set_number"] == 3


def test_a_version_1_item_carries_on_at_its_set_on_lambda(
    moto: MotoServer, table_name: str, raw_table: Any
) -> None:
    old = V1_RECORD  # the same version 1 record the dialog scripts upgrade
    raw_table.put_item(Item={PARTITION_KEY: USER, RECORD_ATTRIBUTE: old})
    chat = Conversation(lambda_function.make_handler(lambda_environ(moto.endpoint, table_name)))
    speech, _ = chat.send({"type": "LaunchRequest"})
    assert "You were on suspension row, set 2 of 3" in speech
    speech, _ = chat.send(intent("NextSetIntent"))
    assert "Did you finish suspension row, set 2 of 3" in speech  # at "Continue?": asked
    speech, _ = chat.send(intent("AMAZON.YesIntent"))
    assert "Set 3 of 3" in speech
    progress = stored_progress(raw_table)  # saved back as the current version
    assert progress["sets_by_exercise"] == [4, 4, 2]
    assert "sets_done" not in progress


def test_store_down_on_lambda_apologises_and_keeps_the_place(
    switch: TcpSwitch, table_name: str, raw_table: Any
) -> None:
    chat = Conversation(lambda_function.make_handler(lambda_environ(switch.endpoint, table_name)))
    chat.send({"type": "LaunchRequest"})
    chat.send(START_BODYWEIGHT)
    chat.send(intent("SkipWarmUpIntent"))
    chat.send(intent("NextSetIntent"))
    assert stored_progress(raw_table)["set_number"] == 2

    switch.down()
    started = time.monotonic()
    speech, response = chat.send(intent("NextSetIntent"))  # returned, not raised: no error
    elapsed = time.monotonic() - started
    switch.up()
    assert "can't reach" in speech
    assert response["response"]["shouldEndSession"] is True
    assert elapsed < DOWN_DEADLINE_S
    assert stored_progress(raw_table)["set_number"] == 2  # nothing half-written

    speech, _ = Conversation(chat.handler).send(intent("NextSetIntent"))
    assert "Set 3 of 4" in speech
    assert stored_progress(raw_table)["set_number"] == 3


def test_the_module_handler_reads_its_settings_from_the_environment(
    coach_env: pytest.MonkeyPatch, moto: MotoServer, table_name: str, raw_table: Any
) -> None:
    for name, value in lambda_environ(moto.endpoint, table_name).items():
        coach_env.setenv(name, value)
    # The skill the web app serves (build_skill), built once per container.
    built: list[CoachSkill] = []

    def build_skill(*args: Any, **kwargs: Any) -> CoachSkill:
        built.append(real_build_skill(*args, **kwargs))
        return built[-1]

    coach_env.setattr(skill_builder, "build_skill", build_skill)
    lambda_function.reset()
    try:
        event = alexa_event(START_BODYWEIGHT)
        response = lambda_function.handler(event, None)
        assert "Warm-up, part 1 of 2" in response["response"]["outputSpeech"]["ssml"]
        assert stored_progress(raw_table)["workout_id"] == "bodyweight"
        # A new session ("Alexa, tell Upper Body Coach next"): the warm-up goes on where it
        # was, kept in the record; no set is counted.
        response = lambda_function.handler(alexa_event(intent("NextSetIntent")), None)
        assert "Warm-up, part 2 of 2" in response["response"]["outputSpeech"]["ssml"]
        assert stored_progress(raw_table)["sets_by_exercise"] == []
        assert len(built) == 1
        assert gc.isenabled()  # paused for the build only: garbage is still collected
    finally:
        lambda_function.reset()


def test_another_skills_request_is_refused(moto: MotoServer, table_name: str) -> None:
    handler = lambda_function.make_handler(lambda_environ(moto.endpoint, table_name))
    event = alexa_event({"type": "LaunchRequest"})
    event["context"]["System"]["application"]["applicationId"] = "amzn1.ask.skill.someone-else"
    event["session"]["application"]["applicationId"] = "amzn1.ask.skill.someone-else"
    with pytest.raises(Exception, match="(?i)skill id"):
        handler(event, None)


# --- the same skill on both entry points ------------------------------------------------

FIXED_CLOCK_S = 1769508000.0  # 2026-01-27T10:00:00Z: both entry points' coach reads this clock


def item_of(raw_table: Any, user_id: str = USER) -> dict[str, Any] | None:
    item: dict[str, Any] | None = raw_table.get_item(
        Key={PARTITION_KEY: user_id}, ConsistentRead=True
    ).get("Item")
    return item


def put_back(raw_table: Any, item: dict[str, Any] | None) -> None:
    if item is None:
        raw_table.delete_item(Key={PARTITION_KEY: USER})
    else:
        raw_table.put_item(Item=item)


def test_lambda_and_the_web_app_answer_an_envelope_with_the_same_bytes(
    coach_env: pytest.MonkeyPatch, moto: MotoServer, table_name: str, raw_table: Any
) -> None:
    # A fixed clock makes their answers and the saved progress (started_at) comparable: the web
    # app is given it (COACH_CLOCK), Lambda's build_skill() reads it through build_service().
    real_build_service = skill_builder.build_service

    def fixed_clock_service(
        library: Library | None = None, clock: Callable[[], float] = time.time
    ) -> CoachService:
        return real_build_service(library, clock=lambda: FIXED_CLOCK_S)

    coach_env.setattr(skill_builder, "build_service", fixed_clock_service)
    environ = lambda_environ(moto.endpoint, table_name)
    web = create_app(
        {
            "TESTING": True,
            "COACH_VERIFY_REQUESTS": "0",
            "COACH_CLOCK": lambda: FIXED_CLOCK_S,
            **environ,
        }
    ).test_client()
    handler = lambda_function.make_handler(environ)

    turns: list[tuple[dict[str, Any], bool, str]] = [
        ({"type": "LaunchRequest"}, True, "Welcome to Upper Body Coach"),
        (START_BODYWEIGHT, False, "Warm-up, part 1 of 2"),
        (intent("SkipWarmUpIntent"), False, "Set 1 of 4"),
        (intent("NextSetIntent"), False, "Set 2 of 4"),
        (intent("NextSetIntent"), True, "Set 3 of 4"),  # a one-shot: a new session
    ]
    session: dict[str, Any] = {}
    clock = ListeningClock()
    for request, new_session, expected in turns:
        event = clock.stamp(alexa_event(request, None if new_session else session))
        before = item_of(raw_table)

        reply = web.post("/alexa", data=json.dumps(event), content_type="application/json")
        assert reply.status_code == 200, reply.data
        saved_by_web = item_of(raw_table)

        put_back(raw_table, before)  # the Lambda handler starts from the same stored state
        result = handler(event, None)
        saved_by_lambda = item_of(raw_table)

        speech = result["response"]["outputSpeech"]["ssml"]
        assert expected in speech and "can't reach" not in speech
        assert json.dumps(result).encode() == reply.data
        assert saved_by_lambda == saved_by_web
        clock.heard(result)
        session = result.get("sessionAttributes") or {}
    stored = stored_progress(raw_table)
    assert (stored["set_number"], stored["started_at"]) == (3, FIXED_CLOCK_S)
