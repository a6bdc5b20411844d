"""Certificate chain downloads that a dead certificate host cannot turn into a stalled server.

Any request may name a chain URL that passes the URL rule (`https://s3.amazonaws.com/echo.api/`
and anything after it), and a chain not yet held must be downloaded before the request can be
checked. Downloading holds the server's worker thread, so with the certificate host not
answering every such request held a thread for the whole fetch timeout, and genuine turns
queued behind them. Here:

- one download per URL at a time: requests for a URL being downloaded share its result;
- at most `MAX_FETCHES` downloads at once, and at most `MAX_WAITING` threads waiting on
  downloads (the downloaders and those sharing a result): a request beyond either is refused at
  once, without a download, so it never holds a thread;
- a failure is remembered for a while: a URL that got an answer that was no chain (an HTTP
  error, too many bytes) is refused for `URL_FAILURE_SECONDS`; a host that did not answer at all
  (refused, reset or timed-out connections) has every URL on it refused for
  `HOST_FAILURE_SECONDS`. Per-URL memory alone cannot help there, since a request can name a new
  path each time.

Only a host that does not answer is remembered as failing, never one that answers with an error,
so a request cannot get the certificate host marked down: the URL rule allows one host and port,
with no user or password (urllib would connect to "x@host", fail, and mark the host) and no
query, and a made-up path on it gets an answer (a 404). When the host really does not answer, a
genuine first download would fail too; the host window is short so that one starts again soon
after the host is back. Chains already held (preloaded or downloaded) are served without any
of this.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.error import HTTPError
from urllib.parse import urlsplit

# (url, timeout in seconds) -> the body, at most max_bytes + 1 of it; raises on any failure
Fetch = Callable[[str, float], bytes]

MAX_FETCHES = 2  # downloads at once, across all URLs
MAX_WAITING = 4  # threads waiting on downloads: the downloaders and those sharing a result
URL_FAILURE_SECONDS = 30.0  # a URL whose answer was no chain (an HTTP error, too large)
HOST_FAILURE_SECONDS = 15.0  # a host that did not answer: short, so a recovered host is used soon
MAX_REMEMBERED = 256  # failures kept at most: made-up URLs cannot grow memory without end
MAX_CHAINS = 32  # chains kept; all dropped when full (an Alexa skill sees one or two URLs)


class DownloadRefused(Exception):
    """A chain that was not downloaded: the message says why (for the log)."""


class ExpiringSet:
    """Keys remembered until a time each; at most `limit` of them (the oldest go first)."""

    def __init__(self, limit: int) -> None:
        self._until: dict[str, float] = {}
        self._limit = limit

    def add(self, key: str, until: float) -> None:
        self._until.pop(key, None)  # re-inserted: the newest
        while len(self._until) >= self._limit:
            del self._until[next(iter(self._until))]
        self._until[key] = until

    def holds(self, key: str, now: float) -> bool:
        until = self._until.get(key)
        if until is None:
            return False
        if now >= until:
            del self._until[key]
            return False
        return True

    def __len__(self) -> int:
        return len(self._until)


@dataclass
class _Flight:
    """One download under way, and its result for everyone waiting on it."""

    done: threading.Event = field(default_factory=threading.Event)
    chain: bytes | None = None
    failure: str = ""


def host_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{(parts.hostname or '').lower()}:{parts.port or 443}"


def host_did_not_answer(exc: BaseException) -> bool:
    """A connection refused, reset or timed out (urllib's URLError is an OSError), as opposed to
    an answer that was an error (HTTPError, an OSError too) or something malformed."""
    return isinstance(exc, OSError) and not isinstance(exc, HTTPError)


class ChainDownloads:
    """Chains by URL: held ones at once, others downloaded with `fetch` under the limits above.
    Safe to call from many threads."""

    def __init__(
        self,
        fetch: Fetch,
        *,
        timeout: float,
        max_bytes: int,
        max_fetches: int = MAX_FETCHES,
        max_waiting: int = MAX_WAITING,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._fetch = fetch
        self._timeout = timeout
        self._max_bytes = max_bytes
        self._max_fetches = max_fetches
        self._max_waiting = max_waiting
        self._clock = clock
        self._lock = threading.Lock()  # held only for bookkeeping, never across a download
        self._chains: dict[str, bytes] = {}
        self._flights: dict[str, _Flight] = {}
        self._waiting = 0
        self._failed_urls = ExpiringSet(MAX_REMEMBERED)
        self._failed_hosts = ExpiringSet(MAX_REMEMBERED)

    @property
    def waiting(self) -> int:
        """Threads waiting on downloads now (downloading, or sharing one's result)."""
        with self._lock:
            return self._waiting

    def get(self, url: str) -> bytes:
        """The chain at `url`; DownloadRefused if it cannot be had now."""
        chain = self._chains.get(url)
        if chain is not None:
            return chain
        with self._lock:
            chain = self._chains.get(url)
            if chain is not None:  # downloaded while this thread waited for the lock
                return chain
            flight, downloading = self._join(url)
        try:
            if downloading:
                self._download(url, flight)
            elif not flight.done.wait(self._timeout):
                raise DownloadRefused("Certificate chain download still under way")
        finally:
            with self._lock:
                self._waiting -= 1
        if flight.chain is None:
            raise DownloadRefused(flight.failure)
        return flight.chain

    def _join(self, url: str) -> tuple[_Flight, bool]:
        """The download of `url` to wait on, and whether this thread is to do it; refused when a
        failure is remembered or a limit is reached. Called with the lock held."""
        now = self._clock()
        if self._failed_hosts.holds(host_of(url), now):
            raise DownloadRefused("Certificate host did not answer recently: not tried again yet")
        if self._failed_urls.holds(url, now):
            raise DownloadRefused("Certificate chain URL failed recently: not tried again yet")
        if self._waiting >= self._max_waiting:
            raise DownloadRefused("Too many requests waiting on certificate downloads")
        flight = self._flights.get(url)
        downloading = flight is None
        if flight is None:
            if len(self._flights) >= self._max_fetches:
                raise DownloadRefused("Too many certificate downloads at once")
            flight = self._flights[url] = _Flight()
        self._waiting += 1
        return flight, downloading

    def _attempt(self, url: str) -> tuple[bytes | None, str, bool]:
        """(the chain, or None and why not, and whether the host did not answer at all)."""
        try:
            data = self._fetch(url, self._timeout)
        except Exception as exc:  # URLError, OSError, timeouts, http.client errors: all refusals
            return None, f"Unable to load certificate chain: {exc!r}", host_did_not_answer(exc)
        if len(data) > self._max_bytes:
            return None, "Certificate chain is too large", False
        return data, "", False

    def _download(self, url: str, flight: _Flight) -> None:
        chain, failure, host_down = None, "Certificate chain download was interrupted", False
        try:
            chain, failure, host_down = self._attempt(url)
        finally:  # whatever happened, the URL is free again and those sharing it hear
            with self._lock:
                now = self._clock()
                if chain is not None:
                    if len(self._chains) >= MAX_CHAINS:
                        self._chains.clear()
                    self._chains[url] = chain
                elif host_down:
                    self._failed_hosts.add(host_of(url), now + HOST_FAILURE_SECONDS)
                else:
                    self._failed_urls.add(url, now + URL_FAILURE_SECONDS)
                flight.chain, flight.failure = chain, failure
                del self._flights[url]
            flight.done.set()
