"""The skill as a web service: request verification (imported only when it is switched on, since
its certificate libraries are a third of the server's start-up) and the OpenSSL import fix."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ask_sdk_model import RequestEnvelope


class RequestRefused(Exception):
    """A request that failed verification; the message says why (for the log, not the caller)."""


# Checks one request (headers, raw body, the parsed envelope) before dispatch; raises
# RequestRefused. skill.web.verification.make_request_check builds the real one.
RequestCheck = Callable[[dict[str, str], str, "RequestEnvelope"], None]
