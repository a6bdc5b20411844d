"""Certificate chain downloads: one per URL at a time, a few at once, failures remembered.

The verifier's downloads go through urllib's `urlopen`, replaced here by a stand-in that can
hang until released, or, for a host that never answers, through its `fetch` seam to a local
socket server that accepts connections and never answers. Nothing reaches the network.
"""

from __future__ import annotations

import http.client
import time
from concurrent.futures import ThreadPoolExecutor
from email.message import Message
from threading import Event, Lock
from urllib.error import HTTPError
from urllib.parse import urlsplit

import pytest

from harness.signing import DevIdentity
from skill.web import verification
from skill.web.chain_downloads import (
    HOST_FAILURE_SECONDS,
    MAX_FETCHES,
    MAX_REMEMBERED,
    MAX_WAITING,
    URL_FAILURE_SECONDS,
    ChainDownloads,
    DownloadRefused,
)
from tests.support.dead_cert_host import HOST, SilentHost, wait_until
from tests.support.signing import refuse_certificate_downloads

ECHO_API = "https://s3.amazonaws.com/echo.api/"
HELD = ECHO_API + "held.pem"
RELEASE_WITHIN_S = 5.0  # a hanging download's own bound, so that no test can hang for good


@pytest.fixture(autouse=True)
def no_fetching(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Downloads fail unless a test gives its own stand-in: never the network."""
    return refuse_certificate_downloads(monkeypatch)


class FakeResponse:
    def __init__(self, body: bytes) -> None:
        self.body = body

    def __enter__(self) -> FakeResponse:
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    def read(self, limit: int) -> bytes:
        return self.body[:limit]


class Downloads:
    """urlopen's stand-in: records each URL asked for and answers `chain`; a URL with "hang" in
    it waits until `release` is set first."""

    def __init__(self, chain: bytes, failure: Exception | None = None) -> None:
        self.chain = chain
        self.failure = failure
        self.release = Event()
        self._lock = Lock()
        self._urls: list[str] = []

    @property
    def urls(self) -> list[str]:
        with self._lock:
            return list(self._urls)

    def __call__(self, url: str, timeout: float) -> FakeResponse:
        with self._lock:
            self._urls.append(url)
        if "hang" in url:
            self.release.wait(RELEASE_WITHIN_S)
        if self.failure is not None:
            raise self.failure
        return FakeResponse(self.chain)


@pytest.fixture
def downloads(dev_identity: DevIdentity, monkeypatch: pytest.MonkeyPatch) -> Downloads:
    fake = Downloads(dev_identity.chain_pem())
    monkeypatch.setattr(verification, "urlopen", fake)
    return fake


def load(verifier: verification.AlexaSignatureVerifier, url: str) -> bytes | str:
    """The chain the verifier has for `url`, or why it refused."""
    try:
        return verifier._load_cert_chain(url)
    except verification.VerificationException as exc:
        return f"refused: {exc}"


def not_found(url: str) -> HTTPError:
    return HTTPError(url, 404, "Not Found", Message(), None)


def test_requests_for_one_url_share_one_download(
    downloads: Downloads, dev_identity: DevIdentity
) -> None:
    verifier = verification.AlexaSignatureVerifier()
    url = ECHO_API + "hang.pem"
    with ThreadPoolExecutor(3) as pool:
        results = [pool.submit(load, verifier, url) for _ in range(3)]
        assert wait_until(lambda: len(downloads.urls) >= 1, RELEASE_WITHIN_S)
        time.sleep(0.2)  # all three have asked for it
        downloads.release.set()
        assert [result.result() for result in results] == [dev_identity.chain_pem()] * 3
    assert downloads.urls == [url]


def test_a_url_whose_download_failed_is_not_tried_again_at_once(downloads: Downloads) -> None:
    missing = ECHO_API + "missing.pem"
    downloads.failure = not_found(missing)
    verifier = verification.AlexaSignatureVerifier()
    assert "404" in str(load(verifier, missing))
    assert "failed recently" in str(load(verifier, missing))
    assert downloads.urls == [missing]
    # The host answered (a 404 for a made-up path): other URLs on it are still tried.
    load(verifier, HELD)
    assert downloads.urls == [missing, HELD]


def test_a_host_that_does_not_answer_is_not_tried_again_for_any_url() -> None:
    with SilentHost() as silent:

        def to_silent_host(url: str, timeout: float) -> bytes:
            conn = http.client.HTTPConnection(HOST, silent.port, timeout=timeout)
            try:
                conn.request("GET", urlsplit(url).path)
                return conn.getresponse().read()
            finally:
                conn.close()

        verifier = verification.AlexaSignatureVerifier(fetch=to_silent_host, fetch_timeout=0.5)
        assert "timed out" in str(load(verifier, ECHO_API + "first.pem"))
        assert silent.connections == 1
        # Any other path on the same host is refused without a connection.
        assert "did not answer recently" in str(load(verifier, ECHO_API + "second.pem"))
        assert silent.connections == 1


def test_downloads_beyond_the_limit_are_refused_at_once(
    downloads: Downloads, dev_identity: DevIdentity
) -> None:
    verifier = verification.AlexaSignatureVerifier()
    chain = dev_identity.chain_pem()
    assert load(verifier, HELD) == chain  # downloaded at once, and kept
    hanging = [ECHO_API + f"hang-{n}.pem" for n in range(MAX_FETCHES)]
    with ThreadPoolExecutor(MAX_FETCHES) as pool:
        results = [pool.submit(load, verifier, url) for url in hanging]
        assert wait_until(lambda: len(downloads.urls) == 1 + MAX_FETCHES, RELEASE_WITHIN_S)
        assert "at once" in str(load(verifier, ECHO_API + "hang-one-more.pem"))
        assert load(verifier, HELD) == chain  # a chain held needs no download, and waits on none
        downloads.release.set()
        assert [result.result() for result in results] == [chain] * MAX_FETCHES
    assert downloads.urls == [HELD, *hanging]


def test_threads_waiting_on_one_download_are_bounded(
    downloads: Downloads, dev_identity: DevIdentity
) -> None:
    verifier = verification.AlexaSignatureVerifier()
    url = ECHO_API + "hang.pem"
    with ThreadPoolExecutor(MAX_WAITING) as pool:
        results = [pool.submit(load, verifier, url) for _ in range(MAX_WAITING)]
        assert wait_until(lambda: verifier._downloads.waiting == MAX_WAITING, RELEASE_WITHIN_S)
        assert "waiting" in str(load(verifier, url))
        downloads.release.set()
        assert [result.result() for result in results] == [dev_identity.chain_pem()] * MAX_WAITING
    assert downloads.urls == [url]


def test_a_shared_download_is_waited_on_no_longer_than_the_fetch_timeout(
    downloads: Downloads,
) -> None:
    verifier = verification.AlexaSignatureVerifier(fetch_timeout=0.2)
    url = ECHO_API + "hang.pem"
    with ThreadPoolExecutor(1) as pool:
        first = pool.submit(load, verifier, url)
        assert wait_until(lambda: len(downloads.urls) == 1, RELEASE_WITHIN_S)
        assert "still under way" in str(load(verifier, url))
        downloads.release.set()
        assert isinstance(first.result(), bytes)


def test_remembered_failures_are_forgotten_after_their_window() -> None:
    now = [0.0]
    tried: list[str] = []

    def fetch(url: str, timeout: float) -> bytes:
        tried.append(url)
        if "refused" in url:
            raise ConnectionRefusedError("refused")  # the host did not answer
        raise not_found(url)

    downloads = ChainDownloads(fetch, timeout=1.0, max_bytes=100, clock=lambda: now[0])

    def refused(url: str) -> None:
        with pytest.raises(DownloadRefused):
            downloads.get(url)

    missing = ECHO_API + "missing.pem"
    refused(missing)
    now[0] += URL_FAILURE_SECONDS - 1
    refused(missing)
    assert tried == [missing]
    now[0] += 1
    refused(missing)
    assert tried == [missing, missing]

    refused(ECHO_API + "refused.pem")
    now[0] += HOST_FAILURE_SECONDS - 1
    refused(ECHO_API + "other.pem")  # the host is remembered, not only the URL
    assert tried == [missing, missing, ECHO_API + "refused.pem"]
    now[0] += 1
    refused(ECHO_API + "other.pem")
    assert tried[-1] == ECHO_API + "other.pem"


def test_remembered_failures_are_bounded() -> None:
    count = 0

    def fetch(url: str, timeout: float) -> bytes:
        nonlocal count
        count += 1
        raise not_found(url)

    downloads = ChainDownloads(fetch, timeout=1.0, max_bytes=100)
    for n in range(1000):
        with pytest.raises(DownloadRefused):
            downloads.get(ECHO_API + f"{n}.pem")
    assert count == 1000
    assert len(downloads._failed_urls) <= MAX_REMEMBERED


def test_an_oversized_chain_is_refused_and_not_tried_again_at_once(downloads: Downloads) -> None:
    downloads.chain = b"x" * (verification.MAX_CHAIN_BYTES + 1)
    verifier = verification.AlexaSignatureVerifier()
    assert "too large" in str(load(verifier, HELD))
    assert "failed recently" in str(load(verifier, HELD))
    assert downloads.urls == [HELD]
