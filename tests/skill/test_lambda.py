"""The Lambda build: what the entry point imports, serverless.yml and requirements-lambda.txt
agreeing with the code and pyproject.toml, and (slow) the packaged zip itself."""

from __future__ import annotations

import base64
import hashlib
import importlib.metadata
import importlib.util
import json
import os
import re
import subprocess
import sys
import textwrap
import tomllib
import zipfile
from pathlib import Path, PurePosixPath
from typing import Any

import pytest
import yaml
from packaging.requirements import Requirement

from skill.config import ENV_PREFIX, Settings
from tests.support import REPO_ROOT, request_envelope, resolved_intent, with_player
from tests.support.moto import FAKE_AWS_ENV, MotoServer, create_progress_table, free_port

ROOT = REPO_ROOT
ZIP = ROOT / ".serverless" / "upper-body-coach.zip"
SKILL_ID = "amzn1.ask.skill.00000000-0000-0000-0000-000000000000"

# Needed only by the web app (signature checks, Flask, its server) or the local speech harness.
WEB_ONLY = {"flask", "ask-sdk-webservice-support", "waitress"}
FORBIDDEN_MODULES = (
    "flask",
    "werkzeug",
    "skill.web",
    "skill.serve",
    "ask_sdk_webservice_support",
    "waitress",
    "gtts",
)

SUBPROCESS_USER = "amzn1.ask.account.SUBPROCESS"
LAUNCH_EVENT = request_envelope("LaunchRequest", skill_id=SKILL_ID, user_id=SUBPROCESS_USER)

# Run in a fresh interpreter: import the entry point, handle the events given as a JSON list,
# report what was loaded and from where.
PROBE = textwrap.dedent(
    """
    import json, sys
    import skill.lambda_function as entry
    after_import = sorted(sys.modules)
    responses = [entry.handler(event, None) for event in json.loads(sys.argv[1])]
    print(json.dumps({
        "after_import": after_import,
        "after_request": sorted(sys.modules),
        "files": {n: getattr(sys.modules.get(n), "__file__", None)
                  for n in ("skill", "botocore", "yaml", "ask_sdk_core", "ask_sdk_model")},
        "responses": responses,
    }))
    """
)


def clean_env(**extra: str) -> dict[str, str]:
    """This environment without COACH_* or AWS_* variables, plus `extra`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith((ENV_PREFIX, "AWS_", "PYTHON"))}
    env.update(extra)
    return env


def run_probe(
    env: dict[str, str],
    *python_args: str,
    events: list[dict[str, Any]] | None = None,
    cwd: Path = ROOT,
) -> dict[str, Any]:
    events = [LAUNCH_EVENT] if events is None else events
    result = subprocess.run(
        [sys.executable, *python_args, "-c", PROBE, json.dumps(events)],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    probe: dict[str, Any] = json.loads(result.stdout.strip().splitlines()[-1])
    return probe


def loaded(modules: list[str], name: str) -> bool:
    return any(m == name or m.startswith(name + ".") for m in modules)


def speech_of(probe: dict[str, Any], turn: int = -1) -> str:
    speech: str = probe["responses"][turn]["response"]["outputSpeech"]["ssml"]
    return speech


def test_importing_the_entry_point_loads_nothing_but_the_standard_library(tmp_path: Path) -> None:
    # Cold starts pay for every import; the skill is built on the first invocation instead.
    probe = run_probe(clean_env(COACH_DB_PATH=str(tmp_path / "coach.sqlite3")))
    for heavy in ("botocore", "ask_sdk_core", "ask_sdk_model", "yaml", *FORBIDDEN_MODULES):
        assert not loaded(probe["after_import"], heavy), heavy


# Lambda SnapStart's init: what a snapshot would hold, then what its restore hooks do.
SNAPSTART_PROBE = textwrap.dedent(
    """
    import json, random, sys
    import skill.lambda_function as entry
    from snapshot_restore_py import get_after_restore
    built = entry._handler is not None and "ask_sdk_core" in sys.modules
    random.seed(7)  # the state every environment resumed from one snapshot would share
    shared = random.random()
    random.seed(7)
    for hook, args, kwargs in get_after_restore():
        hook(*args, **kwargs)
    print(json.dumps({
        "built": built,
        "same_draw": random.random() == shared,
        "answer": entry.handler(json.loads(sys.argv[1]), None),
    }))
    """
)


def test_under_snapstart_the_skill_is_built_before_the_snapshot_and_reseeded_after(
    tmp_path: Path,
) -> None:
    env = clean_env(
        COACH_DB_PATH=str(tmp_path / "coach.sqlite3"),
        AWS_LAMBDA_INITIALIZATION_TYPE="snap-start",  # as Lambda sets it for SnapStart's init
    )
    result = subprocess.run(
        [sys.executable, "-c", SNAPSTART_PROBE, json.dumps(LAUNCH_EVENT)],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    probe = json.loads(result.stdout.strip().splitlines()[-1])
    assert probe["built"]  # in the snapshot: a resumed environment's first answer builds nothing
    assert not probe["same_draw"]  # each resumed environment draws its own numbers
    assert "Welcome to Upper Body Coach" in probe["answer"]["response"]["outputSpeech"]["ssml"]


def test_the_sqlite_path_never_loads_flask_or_botocore(tmp_path: Path) -> None:
    probe = run_probe(clean_env(COACH_DB_PATH=str(tmp_path / "coach.sqlite3")))
    assert "Welcome to Upper Body Coach" in speech_of(probe)
    for name in (*FORBIDDEN_MODULES, "botocore"):
        assert not loaded(probe["after_request"], name), name


@pytest.fixture(scope="module")
def dynamodb_probe() -> dict[str, Any]:
    """A LaunchRequest on the DynamoDB path where nothing listens at the endpoint, with no
    AWS_REGION / AWS_DEFAULT_REGION (only COACH_AWS_REGION)."""
    env = clean_env(
        COACH_STORE="dynamodb",
        COACH_DYNAMODB_ENDPOINT=f"http://127.0.0.1:{free_port()}",
        COACH_AWS_REGION="eu-west-1",
        AWS_ACCESS_KEY_ID="testing",
        AWS_SECRET_ACCESS_KEY="testing",
        AWS_CONFIG_FILE=os.devnull,
        AWS_SHARED_CREDENTIALS_FILE=os.devnull,
        AWS_EC2_METADATA_DISABLED="true",
    )
    return run_probe(env)


def test_the_dynamodb_path_needs_no_aws_region_and_loads_neither_flask_nor_boto3(
    dynamodb_probe: dict[str, Any],
) -> None:
    # The runner hears the storage apology rather than an error.
    probe = dynamodb_probe
    assert "can't reach" in speech_of(probe)
    assert loaded(probe["after_request"], "botocore")
    # Neither is in requirements-lambda.txt, so neither is in the Lambda package.
    for name in (*FORBIDDEN_MODULES, "boto3", "ask_sdk_dynamodb"):
        assert not loaded(probe["after_request"], name), name


def installed_closure(requirements: list[str]) -> set[str]:
    """The distributions pip installs for `requirements`, from the installed metadata."""
    found: set[str] = set()
    todo = [requirement_name(requirement) for requirement in requirements]
    while todo:
        name = todo.pop()
        if name not in found:
            found.add(name)
            for dependency in map(Requirement, importlib.metadata.requires(name) or []):
                # Only what pip installs here: no extras, no other Pythons' backports.
                if dependency.marker is None or dependency.marker.evaluate({"extra": ""}):
                    todo.append(requirement_name(dependency.name))
    return found


def test_every_package_the_lambda_path_loads_is_installed_by_requirements_lambda(
    dynamodb_probe: dict[str, Any],
) -> None:
    # Without this, a new import on the Lambda path works in the venv and fails only in the
    # packaged function (the slow package test would catch it, minutes later).
    probe = dynamodb_probe
    bundled = installed_closure(lambda_requirements())
    owners = importlib.metadata.packages_distributions()
    for module in sorted({name.split(".")[0] for name in probe["after_request"]}):
        for distribution in map(requirement_name, owners.get(module, [])):
            if distribution in {"upper-body-coach", "setuptools"}:  # this project; site's hook
                continue
            assert distribution in bundled, (module, distribution)


# --- serverless.yml and requirements-lambda.txt --------------------------------------------


def serverless() -> dict[str, Any]:
    config: dict[str, Any] = yaml.safe_load((ROOT / "serverless.yml").read_text())
    return config


def requirement_name(spec: str) -> str:
    match = re.match(r"[A-Za-z0-9][A-Za-z0-9._-]*", spec.strip())
    assert match, spec
    return re.sub(r"[-_.]+", "-", match.group(0)).lower()


def lambda_requirements() -> list[str]:
    lines = (ROOT / "requirements-lambda.txt").read_text().splitlines()
    return [line.strip() for line in lines if line.strip() and not line.startswith("#")]


def test_lambda_requirements_are_pyprojects_runtime_dependencies_less_the_web_ones() -> None:
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
    dependencies = [d.strip() for d in pyproject["project"]["dependencies"]]
    names = {requirement_name(d) for d in dependencies}
    assert WEB_ONLY <= names, "WEB_ONLY names a package pyproject no longer has"
    expected = sorted(d for d in dependencies if requirement_name(d) not in WEB_ONLY)
    # Same specifiers, character for character: a bump in pyproject must be made here too.
    assert sorted(lambda_requirements()) == expected


def test_serverless_runs_the_entry_point_this_repository_has() -> None:
    config = serverless()
    function = config["functions"]["skill"]
    module_path, _, attribute = function["handler"].rpartition(".")
    assert (ROOT / f"{module_path}.py").is_file()
    from skill import lambda_function

    assert module_path.replace("/", ".") == lambda_function.__name__
    assert callable(getattr(lambda_function, attribute))
    assert function["events"] == [{"alexaSkill": {"appId": "${param:skillId}"}}]
    assert config["provider"]["runtime"] == "python3.12"
    assert config["custom"]["pythonRequirements"]["fileName"] == "requirements-lambda.txt"
    extra_args = config["custom"]["pythonRequirements"]["pipCmdExtraArgs"]
    assert "--only-binary=:all:" in extra_args
    assert "--platform manylinux2014_x86_64" in extra_args


def test_serverless_environment_sets_only_settings_the_code_reads() -> None:
    environment = serverless()["provider"]["environment"]
    readable = {ENV_PREFIX + name.upper() for name in Settings.__dataclass_fields__}
    assert set(environment) <= readable
    assert environment["COACH_STORE"] == "dynamodb"
    assert environment["COACH_DYNAMODB_TABLE"] == {"Ref": "ProgressTable"}


def test_serverless_grants_only_single_item_calls_on_the_progress_table() -> None:
    config = serverless()
    statements = config["provider"]["iam"]["role"]["statements"]
    assert statements == [
        {
            "Effect": "Allow",
            "Action": ["dynamodb:GetItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem"],
            "Resource": {"Fn::GetAtt": ["ProgressTable", "Arn"]},
        }
    ]
    table = config["resources"]["Resources"]["ProgressTable"]
    assert table["Type"] == "AWS::DynamoDB::Table"
    assert table["Properties"]["BillingMode"] == "PAY_PER_REQUEST"
    assert table["Properties"]["KeySchema"] == [{"AttributeName": "id", "KeyType": "HASH"}]
    assert table["Properties"]["AttributeDefinitions"] == [
        {"AttributeName": "id", "AttributeType": "S"}
    ]


# --- the package itself (slow: npm, pip and a 20 MB zip) ----------------------------------


@pytest.fixture(scope="module")
def packaged(made_package: None) -> zipfile.ZipFile:
    return zipfile.ZipFile(ZIP)


@pytest.mark.slow
def test_the_zip_holds_the_skill_and_its_runtime_dependencies_only(
    packaged: zipfile.ZipFile,
) -> None:
    names = set(packaged.namelist())
    tops = {name.split("/")[0] for name in names}
    for required in (
        "skill/lambda_function.py",
        "skill/alexa/skill_builder.py",
        "skill/persistence/dynamodb_store.py",
        "skill/content/workouts/bodyweight.yaml",
        "skill/content/workouts/dumbbell.yaml",
        "skill/speech/locale/en-US.yaml",
    ):
        assert required in names, required
    for package in ("ask_sdk_core", "ask_sdk_model", "botocore", "yaml"):
        assert package in tops, package
    for package in ("boto3", "ask_sdk_dynamodb"):  # the store needs neither
        assert package not in tops, package
    for forbidden in ("tests", "audio", "bench", "interaction_model", "node_modules", ".venv"):
        assert forbidden not in tops, forbidden
    for forbidden in (
        "flask",
        "werkzeug",
        "gtts",
        "ask_sdk_webservice_support",
        "moto",
        "waitress",
    ):
        assert forbidden not in tops, forbidden
    assert not any(n.startswith(("skill/web/", "harness/")) for n in names)
    assert "skill/serve.py" not in names

    # Every module carries bytecode compiled from its own source in the zip, read unchecked
    # (publishing/lambda_bytecode.py): a read-only /var/task compiles nothing at a cold start,
    # although the zip's dates match no timestamp pip recorded. The developer's caches of
    # skill/ stay out.
    def cached(source: str) -> str:
        path = PurePosixPath(source)
        return str(path.parent / "__pycache__" / f"{path.stem}.{sys.implementation.cache_tag}.pyc")

    sources = sorted(n for n in names if n.endswith(".py"))
    skill_cached = sorted(n for n in names if n.startswith("skill/") and "__pycache__" in n)
    assert skill_cached == sorted(cached(n) for n in sources if n.startswith("skill/"))
    # Lambda runs the code as a user that must be able to read every file.
    unreadable = [i.filename for i in packaged.infolist() if i.external_attr >> 16 & 0o444 != 0o444]
    assert unreadable == []
    for source in sources:
        pyc = packaged.read(cached(source))
        assert pyc[:4] == importlib.util.MAGIC_NUMBER, source
        assert int.from_bytes(pyc[4:8], "little") == 0b01, source  # hash-based, unchecked
        assert pyc[8:16] == importlib.util.source_hash(packaged.read(source)), source
    # The bytecode went in before the function's version was given the zip's hash: a
    # mismatch fails the deploy (Lambda refuses to publish the version).
    stack = ROOT / ".serverless" / "cloudformation-template-update-stack.json"
    template = json.loads(stack.read_text())
    versions = [
        r["Properties"]["CodeSha256"]
        for r in template["Resources"].values()
        if r["Type"] == "AWS::Lambda::Version"
    ]
    digest = base64.b64encode(hashlib.sha256(ZIP.read_bytes()).digest()).decode()
    assert versions == [digest]


@pytest.mark.slow
def test_the_stack_resumes_published_versions_from_a_snapshot_on_the_tests_python(
    packaged: zipfile.ZipFile,
) -> None:
    stack = ROOT / ".serverless" / "cloudformation-template-update-stack.json"
    resources = json.loads(stack.read_text())["Resources"]
    function = resources["SkillLambdaFunction"]["Properties"]
    assert function["Runtime"] == f"python{sys.version_info.major}.{sys.version_info.minor}"
    assert function["SnapStart"] == {"ApplyOn": "PublishedVersions"}
    [alias] = [r["Properties"] for r in resources.values() if r["Type"] == "AWS::Lambda::Alias"]
    assert alias["Name"] == "snapstart"
    # Alexa may invoke the alias only: the skill's endpoint is <function ARN>:snapstart, as
    # docs/deploy.md says, and the unqualified function (no snapshot) refuses it.
    [allowed] = [
        r["Properties"] for r in resources.values() if r["Type"] == "AWS::Lambda::Permission"
    ]
    assert allowed["Principal"] == "alexa-appkit.amazon.com"
    assert allowed["FunctionName"] == {
        "Fn::Join": [":", [{"Fn::GetAtt": ["SkillLambdaFunction", "Arn"]}, "snapstart"]]
    }


START_BODYWEIGHT = request_envelope(
    "IntentRequest", skill_id=SKILL_ID, user_id=SUBPROCESS_USER, new_session=False
)["request"] | {
    "intent": resolved_intent("StartWorkoutIntent", workout="bodyweight")["request"]["intent"]
}


@pytest.mark.slow
def test_the_unzipped_package_runs_a_workout_turn_on_its_own(
    packaged: zipfile.ZipFile, tmp_path: Path
) -> None:
    # As Lambda runs it: the zip's contents and the standard library only (-S: no
    # site-packages, -E: no PYTHON* variables), against a real DynamoDB-compatible server.
    task = tmp_path / "task"
    packaged.extractall(task)
    server = MotoServer(tmp_path / "moto_server.log")
    try:
        import boto3

        resource = boto3.resource(
            "dynamodb",
            endpoint_url=server.endpoint,
            region_name="us-east-1",
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
        )
        table = serverless()["resources"]["Resources"]["ProgressTable"]["Properties"]
        create_progress_table(resource, "progress", table)
        env = clean_env(
            **{k: v for k, v in FAKE_AWS_ENV.items() if k != "AWS_DEFAULT_REGION"},
            COACH_STORE="dynamodb",
            COACH_DYNAMODB_TABLE="progress",
            COACH_DYNAMODB_ENDPOINT=server.endpoint,
            COACH_SKILL_ID=SKILL_ID,
        )
        start = {**LAUNCH_EVENT, "request": START_BODYWEIGHT}
        probe = run_probe(env, "-S", "-E", events=[LAUNCH_EVENT, start], cwd=task)
        item = resource.Table("progress").get_item(Key={"id": SUBPROCESS_USER})
    finally:
        server.stop()
    for name, file in probe["files"].items():
        assert file is not None and Path(file).is_relative_to(task), (name, file)
    assert "Welcome to Upper Body Coach" in speech_of(probe, 0)
    assert "Warm-up, part 1 of 2" in speech_of(probe, 1)
    record = json.loads(item["Item"]["record"])
    assert record["attributes"]["progress"]["workout_id"] == "bodyweight"


def test_on_lambda_a_device_with_a_player_is_coached_hands_free_from_the_audio_bucket(
    tmp_path: Path, coach_env: pytest.MonkeyPatch
) -> None:
    # serverless.yml gives the function the audio bucket's address as COACH_AUDIO_BASE_URL.
    from skill.lambda_function import make_handler

    bucket = "https://upper-body-coach-audio.s3.us-east-1.amazonaws.com"
    handle = make_handler(
        {"COACH_DB_PATH": str(tmp_path / "coach.sqlite3"), "COACH_AUDIO_BASE_URL": bucket}
    )
    user = "amzn1.ask.account.LAMBDA-HANDS-FREE"
    start = resolved_intent("StartWorkoutIntent", user_id=user, workout="dumbbell")
    handle(with_player(start), None)
    handle(with_player(resolved_intent("SkipWarmUpIntent", user_id=user)), None)
    answer = handle(with_player(resolved_intent("AMAZON.NextIntent", user_id=user)), None)
    [play] = answer["response"]["directives"]
    assert play["type"] == "AudioPlayer.Play"
    assert play["audioItem"]["stream"]["url"].startswith(bucket + "/en-US-praise-")
    assert "outputSpeech" not in answer["response"]
