"""The shipped server (`make serve`) keeps answering while clients send slowly or the store hangs.

The server runs as `make serve` runs it (`python -m skill.serve`, every setting its own, request
verification on). The slow-client test has it serve the harness's `dev_server_app`, the skill
trusting a local dev CA, so that a signed request is verified for real without fetching a
certificate. While dozens of connections trickle their headers a byte at a time, or send
headers and then a crawling body, the health check and a signed "open upper body coach" are
answered and read. And runners whose turns all wait on a locked store wait side by side: each
hears the storage apology before Alexa would give up, not one after another.

Against the setup this replaced (gunicorn, two sync workers) the first test gets no answer at
all and the second answers the last runners after 18 s.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from harness.signing import CA_CERT_FILE, DevIdentity
from tests.support import REPO_ROOT
from tests.support.servers import HOST, WsgiServer, running_server
from tests.support.slow_clients import Answer, SlowClients, health, launch

SIGNED_APP = "harness.cli:dev_server_app()"
SLOW_HEADERS = 50  # connections trickling headers that never end
SLOW_BODIES = 10  # connections that sent their headers and trickle the body
ANSWER_WITHIN_S = 2.0  # each user's request while the slow clients hang (alone: ~0.01 s)
ALEXA_WAITS_S = 8.0  # Alexa gives up on an answer after about 8 s
STORAGE_DOWN = "can't reach your saved workouts"
SERVER_TROUBLE = re.compile(r"Traceback|\bERROR\b|CRITICAL")


@pytest.fixture
def signed_server(tmp_path: Path, dev_identity_dir: Path) -> Iterator[WsgiServer]:
    env = {
        "COACH_DB_PATH": str(tmp_path / "coach.sqlite3"),
        "COACH_DEV_CA_PATH": str(dev_identity_dir / CA_CERT_FILE),
    }
    with running_server(SIGNED_APP, env, tmp_path / "server.log", kind="serve") as server:
        yield server


def assert_answered(answer: Answer, words: str) -> None:
    assert answer.ok, answer
    assert words in answer.text, answer
    assert answer.seconds < ANSWER_WITHIN_S, answer


@pytest.mark.slow
def test_slow_clients_do_not_stop_the_health_check_or_a_signed_turn(
    signed_server: WsgiServer, dev_identity: DevIdentity
) -> None:
    port = signed_server.port
    # Verification is on: the launches below are answered because they are signed.
    assert launch(HOST, port, None, ANSWER_WITHIN_S).status == 400
    with (
        SlowClients(HOST, port, SLOW_HEADERS, "headers") as slow_headers,
        SlowClients(HOST, port, SLOW_BODIES, "body") as slow_bodies,
    ):
        time.sleep(1.0)  # every slow client is connected and holds whatever the server gives it
        for _ in range(3):
            assert_answered(health(HOST, port, ANSWER_WITHIN_S), "status ok")
            assert_answered(
                launch(HOST, port, dev_identity, ANSWER_WITHIN_S), "Welcome to Upper Body Coach"
            )
        # The slow clients were still there, unanswered, the whole time.
        assert slow_headers.dropped == slow_bodies.dropped == 0
    assert not SERVER_TROUBLE.search(signed_server.log_tail(20000))


def test_make_serve_runs_the_server_these_tests_start() -> None:
    makefile = (REPO_ROOT / "Makefile").read_text()
    recipe = re.search(r"^serve:.*\n((?:\t.*\n)+)", makefile, re.MULTILINE)
    assert recipe is not None
    assert recipe.group(1).strip() == "$(BIN)/python -m skill.serve"
