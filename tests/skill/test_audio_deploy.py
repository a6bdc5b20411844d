"""Where the audio lives: the base URL setting, `make audio`, and on Lambda the bucket that
serverless.yml adds and `make deploy` fills."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from skill.config import SettingsError, load_settings
from skill.web.audio import MAX_AGE_SECONDS
from tests.support import REPO_ROOT


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("https://coach.example/audio", "https://coach.example/audio"),
        ("https://coach.example/audio/", "https://coach.example/audio"),
        ("https://abc.s3.eu-west-1.amazonaws.com", "https://abc.s3.eu-west-1.amazonaws.com"),
        ("http://127.0.0.1:5000/audio", "http://127.0.0.1:5000/audio"),
        ("", None),
    ],
)
def test_the_audio_base_url_setting(raw: str, expected: str | None) -> None:
    assert load_settings({"COACH_AUDIO_BASE_URL": raw}).audio_base_url == expected


@pytest.mark.parametrize(
    "raw", ["http://coach.example/audio", "coach.example/audio", "https://", "https://x/a?v=1"]
)
def test_an_audio_base_url_alexa_cannot_fetch_is_refused_by_name(raw: str) -> None:
    with pytest.raises(SettingsError, match="COACH_AUDIO_BASE_URL must be an https:// URL"):
        load_settings({"COACH_AUDIO_BASE_URL": raw})


def test_audio_is_unset_by_default_and_read_from_make_audios_folder() -> None:
    settings = load_settings({})
    assert settings.audio_base_url is None
    assert settings.audio_dir == Path("build/audio")


def test_rendered_audio_is_never_committed() -> None:
    ignored = subprocess.run(
        ["git", "check-ignore", "-q", "build/audio/en-US-rest-045-0123456789.mp3"], cwd=REPO_ROOT
    )
    assert ignored.returncode == 0


def make_dry_run(*args: str) -> str:
    result = subprocess.run(
        ["make", "-n", *args], cwd=REPO_ROOT, capture_output=True, text=True, check=True
    )
    return result.stdout


def test_make_audio_renders_with_googles_voice_unless_told_otherwise() -> None:
    assert "tracks.build --engine gtts --out build/audio" in make_dry_run("audio")
    offline = make_dry_run("audio", "AUDIO_ENGINE=espeak")
    assert "tracks.build --engine espeak --out build/audio" in offline


# --- Lambda: the bucket --------------------------------------------------------------------


def serverless() -> dict[str, Any]:
    config: dict[str, Any] = yaml.safe_load((REPO_ROOT / "serverless.yml").read_text())
    return config


def test_the_stack_has_a_bucket_anyone_may_read_tracks_from_and_nothing_more() -> None:
    resources = serverless()["resources"]
    bucket = resources["Resources"]["AudioBucket"]
    assert bucket["Type"] == "AWS::S3::Bucket"
    block = bucket["Properties"]["PublicAccessBlockConfiguration"]
    assert block == {
        "BlockPublicAcls": True,
        "IgnorePublicAcls": True,
        "BlockPublicPolicy": False,  # the policy below is what makes tracks readable
        "RestrictPublicBuckets": False,
    }
    policy = resources["Resources"]["AudioBucketPolicy"]["Properties"]
    assert policy["Bucket"] == {"Ref": "AudioBucket"}
    [statement] = policy["PolicyDocument"]["Statement"]
    assert statement["Effect"] == "Allow" and statement["Principal"] == "*"
    assert statement["Action"] == "s3:GetObject"  # no listing, no writing
    assert statement["Resource"] == {
        "Fn::Join": ["", [{"Fn::GetAtt": ["AudioBucket", "Arn"]}, "/*"]]
    }
    assert resources["Outputs"]["AudioBucketName"]["Value"] == {"Ref": "AudioBucket"}


def test_the_function_is_told_the_buckets_https_address_and_gets_no_access_to_it() -> None:
    provider = serverless()["provider"]
    assert provider["environment"]["COACH_AUDIO_BASE_URL"] == {
        "Fn::Join": ["", ["https://", {"Fn::GetAtt": ["AudioBucket", "RegionalDomainName"]}]]
    }
    actions = [a for s in provider["iam"]["role"]["statements"] for a in s["Action"]]
    assert not [action for action in actions if action.startswith("s3:")]


def test_make_deploy_uploads_the_tracks_to_the_stacks_bucket_as_mp3() -> None:
    plan = make_dry_run("deploy", "SKILL_ID=amzn1.ask.skill.test", "STAGE=prod")
    deploy = plan.index("serverless deploy")
    before = plan.index("aws s3 sync build/audio")
    after = plan.index("aws s3 sync build/audio", deploy)
    # Tracks go up before the code that names them (if the stack, and so its bucket, exists:
    # that upload may fail), and again once the stack surely has its bucket.
    assert before < deploy < after
    assert "test -n" in plan[:deploy]
    assert "--stack-name upper-body-coach-prod" in plan
    assert "OutputKey=='AudioBucketName'" in plan
    assert "--include '*.mp3'" in plan and "--content-type audio/mpeg" in plan
    # The same caching as the self-hosted route.
    assert f"--cache-control 'public, max-age={MAX_AGE_SECONDS}'" in plan
    assert "--delete" not in plan  # a track playing during a deploy keeps playing


def test_make_deploy_wants_the_skill_id_before_building_anything() -> None:
    result = subprocess.run(["make", "deploy"], cwd=REPO_ROOT, capture_output=True, text=True)
    assert result.returncode == 2
    assert "SKILL_ID" in result.stderr and "track_render" not in result.stdout


CATALOG_IMPORTS = """
import json, sys
from skill.audio.catalog import default_catalog
catalog = default_catalog()
print(json.dumps({"url": catalog.rest(45).url("https://b.example"), "count": len(catalog.tracks()),
                  "modules": sorted({m.split(".")[0] for m in sys.modules})}))
"""


def test_the_catalog_runs_on_lambdas_dependencies_alone() -> None:
    """The skill on Lambda asks the catalog for URLs: it must need no web or audio library."""
    result = subprocess.run(
        [sys.executable, "-c", CATALOG_IMPORTS],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    found = json.loads(result.stdout)
    assert found["url"].startswith("https://b.example/en-US-rest-045-") and found["count"] > 286
    for forbidden in ("flask", "werkzeug", "harness", "lameenc", "miniaudio", "gtts"):
        assert forbidden not in found["modules"], forbidden


@pytest.mark.slow
def test_the_offline_package_builds_a_stack_with_the_bucket(made_package: None) -> None:
    """`make package` (no AWS account) writes the CloudFormation template with the bucket, its
    policy, the output `make deploy` reads, and the function's base URL."""
    template = json.loads(
        (REPO_ROOT / ".serverless" / "cloudformation-template-update-stack.json").read_text()
    )
    resources = template["Resources"]
    assert resources["AudioBucket"]["Type"] == "AWS::S3::Bucket"
    assert resources["AudioBucketPolicy"]["Type"] == "AWS::S3::BucketPolicy"
    assert template["Outputs"]["AudioBucketName"]["Value"] == {"Ref": "AudioBucket"}
    [function] = [r for r in resources.values() if r["Type"] == "AWS::Lambda::Function"]
    base_url = function["Properties"]["Environment"]["Variables"]["COACH_AUDIO_BASE_URL"]
    assert {"Fn::GetAtt": ["AudioBucket", "RegionalDomainName"]} in base_url["Fn::Join"][1]
