"""A real DynamoDB-compatible server for tests: moto_server on 127.0.0.1, and a switch to cut it.

moto keeps its tables in memory, so stopping the server would lose them. To test a store that
goes away and comes back, tests talk to moto through `TcpSwitch`, a local TCP forwarder whose
port refuses connections while it is down and forwards again, to the same data, once it is up.
"""

from __future__ import annotations

import os
import select
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest

HOST = "127.0.0.1"

# Credentials moto accepts and AWS never would; no shared config files, and no instance metadata
# lookup (it would leave this machine).
FAKE_AWS_ENV: Mapping[str, str] = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SESSION_TOKEN": "testing",
    "AWS_DEFAULT_REGION": "us-east-1",
    "AWS_CONFIG_FILE": os.devnull,
    "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
    "AWS_EC2_METADATA_DISABLED": "true",
}


def free_port() -> int:
    """A port nothing listens on right now (the OS picks it)."""
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        port: int = probe.getsockname()[1]
        return port


# moto_server as `python -m moto.server` starts it, but answering one request at a time. moto
# checks a condition and then writes without a lock, so on its usual threads two conditional
# writes racing for one item can both pass, which DynamoDB never allows: tests of racing turns
# need the writes serial, as DynamoDB makes them per item.
SERIAL_MOTO = """
import sys
from werkzeug.serving import run_simple
from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app
from moto.server import MotoRequestHandler
app = DomainDispatcherApplication(create_backend_app)
run_simple(sys.argv[1], int(sys.argv[2]), app, threaded=False, request_handler=MotoRequestHandler)
"""


class MotoServer:
    """`python -m moto.server` in a subprocess, on a free port of 127.0.0.1; with `serial`,
    answering one request at a time (see SERIAL_MOTO)."""

    def __init__(
        self, log_path: Path, start_timeout_s: float = 30.0, *, serial: bool = False
    ) -> None:
        self.port = free_port()
        self.endpoint = f"http://{HOST}:{self.port}"
        self._log = log_path.open("wb")
        env = {**os.environ, **FAKE_AWS_ENV}
        command = ["-c", SERIAL_MOTO, HOST] if serial else ["-m", "moto.server", "-H", HOST, "-p"]
        self._process = subprocess.Popen(
            [sys.executable, *command, str(self.port)],
            stdout=self._log,
            stderr=subprocess.STDOUT,
            env=env,
        )
        try:
            self._wait_ready(start_timeout_s, log_path)
        except BaseException:
            self.stop()
            raise

    def _wait_ready(self, timeout_s: float, log_path: Path) -> None:
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                raise RuntimeError(f"moto_server exited: {log_path.read_text(errors='replace')}")
            try:
                with urllib.request.urlopen(f"{self.endpoint}/moto-api/", timeout=1):
                    return
            except OSError:
                time.sleep(0.1)
        raise RuntimeError(f"moto_server did not answer within {timeout_s} s")

    def stop(self) -> None:
        if self._process.poll() is None:
            self._process.terminate()
            try:
                self._process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()
        self._log.close()


def moto_fixture(*, serial: bool = False) -> Any:
    """A module-scoped `moto` fixture, for the test module that assigns it: `moto =
    moto_fixture()`. One moto_server serves all that module's tests and stops after the last."""

    @pytest.fixture(scope="module")
    def moto(tmp_path_factory: pytest.TempPathFactory) -> Iterator[MotoServer]:
        """moto_server on 127.0.0.1 for every test in this module."""
        server = MotoServer(tmp_path_factory.mktemp("moto") / "moto_server.log", serial=serial)
        try:
            yield server
        finally:
            server.stop()

    return moto


class TcpSwitch:
    """Forwards HOST:self.port to HOST:target_port. `down()` closes the listener and every open
    connection, so clients get "connection refused"; `up()` listens on the same port again.
    `hang()` keeps taking connections but forwards nothing either way, like a server that has
    stopped (not crashed); `unhang()` forwards again."""

    def __init__(self, target_port: int) -> None:
        self.port = free_port()
        self.endpoint = f"http://{HOST}:{self.port}"
        self._target = (HOST, target_port)
        self._stop = threading.Event()
        self._hanging = threading.Event()
        self._threads: list[threading.Thread] = []
        self._lock = threading.Lock()
        self._listener: socket.socket | None = None
        self.up()

    def up(self) -> None:
        if self._listener is not None:
            return
        self._stop.clear()
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind((HOST, self.port))
        listener.listen()
        # A timeout lets the accept loop notice down(): closing a socket from another thread
        # does not reliably wake a blocked accept().
        listener.settimeout(0.05)
        self._listener = listener
        self._spawn(self._accept_loop, listener)

    def down(self) -> None:
        """Stop listening and drop live connections; returns once all are closed."""
        self._stop.set()
        with self._lock:
            threads, self._threads = self._threads, []
        for thread in threads:
            thread.join(timeout=5)
        self._listener = None

    close = down

    def hang(self) -> None:
        self._hanging.set()

    def unhang(self) -> None:
        self._hanging.clear()

    def _spawn(self, target: Any, *args: Any) -> None:
        thread = threading.Thread(target=target, args=args, daemon=True)
        with self._lock:
            self._threads.append(thread)
        thread.start()

    def _accept_loop(self, listener: socket.socket) -> None:
        with listener:
            while not self._stop.is_set():
                try:
                    client, _ = listener.accept()
                except TimeoutError:
                    continue
                except OSError:
                    return
                self._spawn(self._forward, client)

    def _forward(self, client: socket.socket) -> None:
        # Every socket is closed by the thread that owns it, never from another thread.
        with client:
            while self._hanging.is_set() and not self._stop.is_set():
                time.sleep(0.05)  # taken, never answered
            try:
                upstream = socket.create_connection(self._target, timeout=5)
            except OSError:
                return
            with upstream:
                peers = {client: upstream, upstream: client}
                while not self._stop.is_set():
                    if self._hanging.is_set():
                        time.sleep(0.05)  # what was sent waits, unread
                        continue
                    try:
                        readable, _, _ = select.select(list(peers), [], [], 0.05)
                        for source in readable:
                            data = source.recv(65536)
                            if not data:
                                return
                            peers[source].sendall(data)
                    except OSError:
                        return


def create_progress_table(resource: Any, table_name: str, properties: Mapping[str, Any]) -> Any:
    """Create `table_name` with the key schema and billing of serverless.yml's table
    `properties` (its CloudFormation Properties), and wait until it is active."""
    table = resource.create_table(
        TableName=table_name,
        AttributeDefinitions=properties["AttributeDefinitions"],
        KeySchema=properties["KeySchema"],
        BillingMode=properties["BillingMode"],
    )
    table.wait_until_exists()
    return table
