"""A certificate host that accepts connections and never answers does not stall genuine turns.

Any request may name a chain URL that passes the URL rule (`https://s3.amazonaws.com/echo.api/`
and anything after it), and the server must download a chain it does not hold before it can
refuse the request. The server runs as `make serve` runs it, serving the harness's
`dev_server_app` (verification on, the dev CA trusted, its chain preloaded), with its HTTPS
proxy set to a local host that accepts connections and never answers: every download the server
tries hangs there, and nothing leaves the machine. 48 unsigned requests, each naming a chain
URL of its own, arrive at once; while they hang, a signed "next set" is answered and read, and
then every one of the 48 is refused with a 400.

Before the fix, each of the 48 held one of the server's 16 threads for the whole 5 s fetch
timeout, so the signed turn waited behind three rounds of them (14.9 s), past Alexa's 8 s.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from harness.signing import DevIdentity
from skill.web.chain_downloads import MAX_FETCHES
from tests.support.dead_cert_host import (
    SIGNED_APP,
    SilentHost,
    dead_cert_host_env,
    read_answer,
    seed_one_set_in,
    send_unsigned,
    signed_next_set,
    wait_until,
)
from tests.support.servers import WsgiServer, running_server

UNSIGNED = 48  # requests whose chain download hangs, three times the server's 16 threads
ALEXA_WAITS_S = 8.0  # Alexa gives up on an answer after about 8 s
REFUSED = {"error": "request verification failed"}
SERVER_TROUBLE = re.compile(r"Traceback|\bERROR\b|CRITICAL")


@pytest.fixture
def silent_host() -> Iterator[SilentHost]:
    with SilentHost() as host:
        yield host


@pytest.fixture
def server(tmp_path: Path, dev_identity_dir: Path, silent_host: SilentHost) -> Iterator[WsgiServer]:
    db_path = tmp_path / "coach.sqlite3"
    seed_one_set_in(db_path)
    env = dead_cert_host_env(silent_host, db_path, dev_identity_dir)
    with running_server(SIGNED_APP, env, tmp_path / "server.log", kind="serve") as server:
        yield server


@pytest.mark.slow
def test_a_signed_turn_is_answered_while_chain_downloads_hang(
    server: WsgiServer, silent_host: SilentHost, dev_identity: DevIdentity
) -> None:
    sent = [send_unsigned(server.port) for _ in range(UNSIGNED)]
    with ThreadPoolExecutor(UNSIGNED) as pool:
        pending = [pool.submit(read_answer, conn) for conn in sent]
        # The server is downloading chains from the silent host, and those downloads hang.
        assert wait_until(lambda: silent_host.connections >= 1, 10.0)
        time.sleep(0.5)  # the server has read all 48 requests

        turn = signed_next_set(server.port, dev_identity, ALEXA_WAITS_S)
        assert turn.status == 200, turn
        assert "Set 3 of 4" in turn.text, turn
        assert not all(answer.done() for answer in pending)  # some of the 48 still hang

        answers = [answer.result() for answer in pending]
    assert [(answer.status, json.loads(answer.text)) for answer in answers] == [
        (400, REFUSED)
    ] * UNSIGNED
    # At most MAX_FETCHES downloads were tried, every one through the silent host.
    assert 1 <= silent_host.connections <= MAX_FETCHES
    assert all(
        line.startswith(b"CONNECT s3.amazonaws.com:443 ") for line in silent_host.first_lines
    )

    # The host did not answer: a new chain URL is refused without trying it again.
    tried = silent_host.connections
    again = read_answer(send_unsigned(server.port, timeout_s=ALEXA_WAITS_S))
    assert again.status == 400, again
    assert silent_host.connections == tried
    assert not SERVER_TROUBLE.search(server.log_tail(100_000))
