"""A WSGI app or any HTTP server on 127.0.0.1, served from a thread for as long as a block runs:
what the browser tests, the screenshots and the tests of the device's HTTP transport share."""

from __future__ import annotations

import http.server
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from werkzeug.serving import WSGIRequestHandler, make_server

if TYPE_CHECKING:
    from flask import Flask


class _QuietRequests(WSGIRequestHandler):
    def log_request(self, *args: object, **kwargs: object) -> None:
        pass  # a page polling twice a second, or a test's requests: noise in the output


@contextmanager
def serve_app(app: Flask) -> Iterator[str]:
    """`app` on a free port, a thread per request, for the block; yields its base URL
    (http://127.0.0.1:PORT/)."""
    with serving(
        make_server("127.0.0.1", 0, app, threaded=True, request_handler=_QuietRequests)
    ) as url:
        yield url


@contextmanager
def serving(server: http.server.HTTPServer) -> Iterator[str]:
    """Run `server` (bound to 127.0.0.1) from a thread for the block; shut and close it after."""
    # A short poll: shutdown() waits up to one poll interval (0.5 s by default).
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
