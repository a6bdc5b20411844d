"""Benchmarks for `make bench`, and what they share."""

from __future__ import annotations

import re
import uuid

_REQUEST_ID = re.compile(rb'"requestId": ?"[^"]*"')


def renewed(body: bytes) -> bytes:
    """`body` as a new request, with a request id of its own: the skill answers an id it has
    already acted on without moving anything (a replay), which is not the turn measured."""
    fresh = f'"requestId": "amzn1.echo-api.request.{uuid.uuid4()}"'.encode()
    return _REQUEST_ID.sub(fresh, body, count=1)
