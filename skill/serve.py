"""Serve the skill in production: `make serve`, which runs `python -m skill.serve`.

The server is waitress. Its one I/O thread reads every request whole (headers and body) before
one of its worker threads sees it, so a client that sends slowly, or stops, holds a connection
and a few bytes of buffer, never a thread: the health check and other runners' turns are
answered meanwhile. gunicorn's sync workers are frozen by such clients, and its gthread workers
read each request in a pool thread, so every slow client holds a thread
(`bench/slow_clients.py` measures all of them; the figures are in docs/reliability.md).

It listens on BIND_ADDRESS:PORT (default 127.0.0.1:8080) over plain HTTP: TLS is terminated by
the proxy or load balancer in front (see "Serving in production" in docs/publishing.md). The skill's
own settings come from COACH_* variables as everywhere; request verification is on unless
COACH_VERIFY_REQUESTS=0.

An optional argument names another app factory ("module:function"), e.g. the harness's
`harness.cli:dev_server_app` in tests, which trusts a local dev CA.
"""

from __future__ import annotations

import importlib
import logging
import os
import resource
import signal
import sys
from collections.abc import Callable, Mapping
from types import FrameType
from typing import Any

from flask import Flask

DEFAULT_APP = "skill.app:create_app"
DEFAULT_ADDRESS = "127.0.0.1"  # only a proxy on the same machine; 0.0.0.0 in a container
DEFAULT_PORT = 8080

logger = logging.getLogger(__name__)


def server_settings(environ: Mapping[str, str]) -> dict[str, Any]:
    """waitress's settings (its Adjustments): each chosen for a reason, given beside it."""
    address = environ.get("BIND_ADDRESS") or DEFAULT_ADDRESS
    port = int(environ.get("PORT") or DEFAULT_PORT)
    return {
        "listen": f"{address}:{port}",
        # 16 turns waiting on a slow store wait together rather than queue behind each other
        "threads": 16,
        # a slow client holds a connection (one file), not a thread: 1000 before accepting stops
        "connection_limit": 1000,
        # select() cannot watch file descriptors past 1024; poll() can
        "asyncore_use_poll": True,
        # connections the OS holds for us while the connection limit is reached
        "backlog": 2048,
        # idle keep-alive: above a proxy's idle timeout (60 s), so we never close one it reuses
        "channel_timeout": 75,
        # look for idle connections every 10 s (default 30 s)
        "cleanup_interval": 10,
        # request line and headers (waitress counts no fields); Alexa's are about 1 KB
        "max_request_header_size": 16 * 1024,
        # twice COACH_MAX_BODY_BYTES: the app's own 413 just over it, nothing big ever buffered
        "max_request_body_size": 128 * 1024,
        # the Server header names the service, not the server software
        "ident": "upper-body-coach",
    }


def load_app(spec: str) -> Flask:
    """The app made by the factory `spec` names ("module:function", "()" optional)."""
    module_name, _, function = spec.removesuffix("()").partition(":")
    factory: Callable[[], Flask] = getattr(importlib.import_module(module_name), function)
    return factory()


def raise_file_limit(wanted: int) -> None:
    """Let the process open `wanted` files if its hard limit allows (the soft limit is often
    1024, fewer than the connection limit needs)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft != resource.RLIM_INFINITY and soft < wanted:
        target = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
        resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
        if target < wanted:
            logger.warning("Only %d files may be open: fewer connections than configured", target)


def stop_on_sigterm(signum: int, frame: FrameType | None) -> None:
    # SystemExit ends waitress's loop, which then gives running turns up to 5 s to finish
    # (waitress's own shutdown wait) and drops queued ones; the default would kill them at once.
    raise SystemExit(0)


def main(argv: list[str] | None = None) -> None:
    import waitress

    args = sys.argv[1:] if argv is None else argv
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    settings = server_settings(os.environ)
    raise_file_limit(settings["connection_limit"] + 100)  # plus the store's and the log's
    app = load_app(args[0] if args else DEFAULT_APP)
    signal.signal(signal.SIGTERM, stop_on_sigterm)
    waitress.serve(app, **settings)


if __name__ == "__main__":
    main()
