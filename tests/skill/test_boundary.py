"""The shipped skill stands apart from the harness that tests it.

The skill never imports the harness, serving a request loads none of the harness's audio
libraries, and a plain `pip install .` (no extras) in a fresh virtual environment serves an
Alexa-signed request and the health check, while `coach` says which extra it needs.
"""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
import venv
from pathlib import Path

import pytest

from harness.cli import HARNESS_EXTRA_MODULES
from harness.signing import DEV_CERT_URL, DevIdentity, cert_pem
from tests.support import REPO_ROOT, envelope_body, request_envelope
from tests.support.signing import signed_headers

SKILL_DIR = REPO_ROOT / "skill"


def imported_modules(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def test_no_skill_module_imports_the_harness_or_its_libraries() -> None:
    forbidden = {"harness", "tests", *HARNESS_EXTRA_MODULES, "pocketsphinx"}
    offenders = {
        f"{path.relative_to(REPO_ROOT)}: {name}"
        for path in SKILL_DIR.rglob("*.py")
        for name in imported_modules(path)
        if name.split(".")[0] in forbidden
    }
    assert not offenders


def test_the_track_build_never_imports_the_harness_and_the_skill_never_imports_it() -> None:
    tracks_import_the_harness = {
        f"{path.relative_to(REPO_ROOT)}: {name}"
        for path in (REPO_ROOT / "tracks").rglob("*.py")
        for name in imported_modules(path)
        if name.split(".")[0] in {"harness", "tests"}
    }
    skill_imports_tracks = {
        f"{path.relative_to(REPO_ROOT)}: {name}"
        for path in SKILL_DIR.rglob("*.py")
        for name in imported_modules(path)
        if name.split(".")[0] == "tracks"
    }
    assert not tracks_import_the_harness and not skill_imports_tracks


# Serve one request in a fresh interpreter, then list what got imported.
SERVE_AND_LIST_MODULES = """
import json, sys
from skill.app import create_app
app = create_app({"COACH_VERIFY_REQUESTS": "0", "COACH_DB_PATH": sys.argv[1]})
reply = app.test_client().post("/alexa", data=sys.stdin.read(),
                               content_type="application/json").get_json()
print(json.dumps({"speech": reply["response"]["outputSpeech"]["ssml"],
                  "modules": sorted(sys.modules)}))
"""


def test_serving_a_request_loads_nothing_of_the_harness(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("COACH_")}
    result = subprocess.run(
        [sys.executable, "-c", SERVE_AND_LIST_MODULES, str(tmp_path / "coach.sqlite3")],
        input=envelope_body(request_envelope("LaunchRequest")).decode(),
        capture_output=True,
        text=True,
        cwd=REPO_ROOT,
        env=env,
        check=True,
    )
    served = json.loads(result.stdout)
    assert "Welcome" in served["speech"]
    tops = {name.split(".")[0] for name in served["modules"]}
    assert not tops & {"harness", "tests", "pocketsphinx", *HARNESS_EXTRA_MODULES}


# Run inside the fresh environment: the app with real verification, trusting the dev CA and
# serving its chain (as harness.cli.dev_server_app does), behind werkzeug on a free port.
SIGNED_SERVER_CHECK = """
import http.client, json, sys, threading
from pathlib import Path
from werkzeug.serving import make_server
from skill.app import create_app

folder = Path(sys.argv[1])
app = create_app({
    "COACH_DB_PATH": str(folder / "coach.sqlite3"),
    "COACH_DEV_CA_PATH": str(folder / "ca.pem"),
    "COACH_CERT_CHAINS": {sys.argv[2]: (folder / "chain.pem").read_bytes()},
})
server = make_server("127.0.0.1", 0, app)
threading.Thread(target=server.serve_forever, daemon=True).start()
connection = http.client.HTTPConnection("127.0.0.1", server.server_port, timeout=10)
connection.request("GET", "/")
health = connection.getresponse()
health_status, health_body = health.status, json.loads(health.read())
headers = json.loads((folder / "headers.json").read_text())
connection.request("POST", "/alexa", body=(folder / "body.json").read_bytes(), headers=headers)
reply = connection.getresponse()
print(json.dumps({"health": [health_status, health_body], "status": reply.status,
                  "reply": json.loads(reply.read()),
                  "harness_loaded": any(m.split(".")[0] == "harness" for m in sys.modules)}))
server.shutdown()
"""


@pytest.mark.slow
def test_a_plain_install_serves_a_signed_request_and_coach_names_its_extra(
    tmp_path: Path, dev_identity: DevIdentity
) -> None:
    target = tmp_path / "venv"
    venv.create(target, with_pip=True)
    python = target / "bin" / "python"
    subprocess.run(
        [python, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", str(REPO_ROOT)],
        check=True,
        capture_output=True,
    )
    installed = subprocess.run(
        [
            python,
            "-c",
            "import importlib.util as u, sys; print([m for m in sys.argv[1:] if u.find_spec(m)])",
            *sorted(HARNESS_EXTRA_MODULES),
        ],
        check=True,
        capture_output=True,
        text=True,
    )
    assert installed.stdout.strip() == "[]"  # no extra came along with the base install

    folder = tmp_path / "identity"
    folder.mkdir()
    (folder / "ca.pem").write_bytes(cert_pem(dev_identity.ca_cert))
    (folder / "chain.pem").write_bytes(dev_identity.chain_pem())
    body = envelope_body(request_envelope("LaunchRequest"))
    (folder / "body.json").write_bytes(body)
    (folder / "headers.json").write_text(json.dumps(signed_headers(dev_identity, body)))
    env = {k: v for k, v in os.environ.items() if not k.startswith(("COACH_", "PYTHON"))}
    served = subprocess.run(
        [python, "-c", SIGNED_SERVER_CHECK, str(folder), DEV_CERT_URL],
        cwd=tmp_path,  # not the checkout: the installed package must be the one imported
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    result = json.loads(served.stdout)
    assert result["health"][0] == 200 and result["health"][1]["verify_requests"] is True
    assert result["status"] == 200, result
    assert "Welcome" in result["reply"]["response"]["outputSpeech"]["ssml"]
    assert result["harness_loaded"] is False

    coach = subprocess.run(
        [target / "bin" / "coach", "chat"], cwd=tmp_path, env=env, capture_output=True, text=True
    )
    assert coach.returncode == 2
    assert "pip install 'upper-body-coach[harness]'" in coach.stderr
    assert "Traceback" not in coach.stderr
