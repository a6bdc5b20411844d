"""The Serverless plugin that runs the bytecode step (publishing/lambda_bytecode_plugin.js),
loaded by Node with a stand-in for the framework: which zip it compiles for a whole package and
for `serverless deploy function`, with which Python, that a failure stops the packaging, and
that Serverless v3 is told of the Python Lambda runs.
The real packaging runs it in the slow tests (test_lambda.py)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.support import REPO_ROOT

PLUGIN = REPO_ROOT / "publishing" / "lambda_bytecode_plugin.js"
DRIVER = """
const Plugin = require(process.argv[2]);
const [hook, functionArtifact] = [process.argv[3], process.argv[4]];
const serverless = {
  serviceDir: process.argv[5],
  service: {
    service: 'upper-body-coach',
    provider: { runtime: 'python3.12' },
    package: {},
    getFunction: (name) => ({ name, package: { artifact: functionArtifact } }),
  },
};
const plugin = new Plugin(serverless, { function: 'skill' });
try { plugin.hooks[hook](); console.log('packaged'); }
catch (error) { console.log('stopped: ' + error.status); }
"""


def run_hook(tmp_path: Path, hook: str, exit_code: int = 0) -> tuple[str, list[str]]:
    """The hook's outcome, and the folder and arguments the stand-in python3.12 was run with
    (paths relative to the service folder)."""
    if shutil.which("node") is None:
        pytest.skip("node is not installed")
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    calls = tmp_path / "calls.json"
    python = bin_dir / "python3.12"
    python.write_text(
        f'#!/bin/sh\nprintf \'%s\\n\' "$PWD" "$@" > {calls}\nexit {exit_code}\n', encoding="utf-8"
    )
    python.chmod(0o755)
    driver = tmp_path / "driver.js"
    driver.write_text(DRIVER, encoding="utf-8")
    service = tmp_path / "svc"
    service.mkdir()
    env = {**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}"}
    done = subprocess.run(
        ["node", str(driver), str(PLUGIN), hook, f"{service}/.serverless/skill.zip", str(service)],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    call = [line.replace(str(service), "/svc") for line in calls.read_text().splitlines()]
    return done.stdout.strip().splitlines()[-1], call


def test_a_whole_package_is_compiled_in_the_service_folder(tmp_path: Path) -> None:
    said, call = run_hook(tmp_path, "after:package:createDeploymentArtifacts")
    assert said == "packaged"
    assert call == [
        "/svc",
        "-m",
        "publishing.lambda_bytecode",
        "/svc/.serverless/upper-body-coach.zip",
    ]


def test_deploying_one_function_compiles_that_functions_zip(tmp_path: Path) -> None:
    said, call = run_hook(tmp_path, "after:deploy:function:packageFunction")
    assert said == "packaged"
    assert call[1:] == ["-m", "publishing.lambda_bytecode", "/svc/.serverless/skill.zip"]


def test_a_failing_bytecode_step_stops_the_packaging(tmp_path: Path) -> None:
    said, _ = run_hook(tmp_path, "after:package:createDeploymentArtifacts", exit_code=1)
    assert said == "stopped: 1"


def test_the_plugin_comes_after_the_requirements_in_serverless_yml() -> None:
    """Hooks of one event run in the order the plugins are listed: the dependencies must be in
    the zip before their bytecode is made."""
    import yaml

    plugins = yaml.safe_load((REPO_ROOT / "serverless.yml").read_text())["plugins"]
    assert plugins.index("./publishing/lambda_bytecode_plugin.js") > plugins.index(
        "serverless-python-requirements"
    )


SCHEMA_DRIVER = """
const Plugin = require(process.argv[1]);  // node -e: the first argument after the code
// The part of Serverless v3's schema the plugin touches, as its aws provider defines it before
// service plugins load: python3.11 is the newest Python it knows.
const definitions = { awsLambdaRuntime: { enum: ['python3.10', 'python3.11'] } };
const serverless = {
  configSchemaHandler: { schema: { definitions } },
  service: { service: 'upper-body-coach', provider: {}, package: {} },
};
new Plugin(serverless, {});
new Plugin(serverless, {});  // loaded again: nothing added twice
console.log(JSON.stringify(definitions.awsLambdaRuntime.enum));
"""


def test_the_plugin_lets_serverless_v3_accept_the_python_serverless_yml_names() -> None:
    """Serverless v3 predates python3.12 in its schema (a warning at every package); the plugin
    adds the runtime SnapStart needs, which is the one serverless.yml names."""
    if shutil.which("node") is None:
        pytest.skip("node is not installed")
    import yaml

    runtime = yaml.safe_load((REPO_ROOT / "serverless.yml").read_text())["provider"]["runtime"]
    done = subprocess.run(
        ["node", "-e", SCHEMA_DRIVER, str(PLUGIN)], capture_output=True, text=True, check=True
    )
    assert json.loads(done.stdout) == ["python3.10", "python3.11", runtime]
