"""gTTS (Google Translate's speech endpoint): online, closer to a real assistant voice.

gTTS builds the requests; we send them. gTTS 2.5.4's own stream() sends with verify=False and
silences urllib3's warning about it, and waits forever unless given a timeout; here certificates
are checked and every request has a timeout. The HTTP exchange is one function (`fetch_mp3`),
the seam tests replace with `responses`.
"""

from __future__ import annotations

import base64
import re

import gtts
import requests

from skill.speech.timing import spoken_words
from tracks.mp3 import decode_mp3_bytes
from tracks.voices.base import VoiceError, VoiceUnavailable
from tracks.voices.pcm import Pcm, concat, silence

TIMEOUT_SECONDS = 10.0
SLOW_BELOW_RATE = 0.8  # Google speaks at normal or slow speed only
OFFLINE_HINT = "for offline speech use the espeak voice: --engine espeak"
_AUDIO_LINE = re.compile(r'jQ1olc","\[\\"(.*)\\"]')  # gTTS's own pattern for the audio payload


class GttsVoice:
    name = "gtts"

    def __init__(
        self,
        *,
        timeout: float = TIMEOUT_SECONDS,
        lang: str = "en",
        tld: str = "com",
        session: requests.Session | None = None,
    ) -> None:
        self.timeout = timeout
        self.lang = lang
        self.tld = tld
        self.session = session

    @property
    def fingerprint(self) -> str:
        return f"gtts {gtts.__version__}/{self.lang}/{self.tld}"

    def synthesize(self, text: str, rate: float = 1.0) -> Pcm:
        if not spoken_words(text):  # gTTS refuses text with nothing to say
            return silence(0.0)
        chunks = fetch_mp3(
            text,
            lang=self.lang,
            tld=self.tld,
            slow=rate < SLOW_BELOW_RATE,
            timeout=self.timeout,
            session=self.session,
        )
        # gTTS splits text over 100 characters; decode each MP3 on its own and join the PCM.
        return concat(decode_mp3_bytes(chunk) for chunk in chunks)


def fetch_mp3(
    text: str,
    *,
    lang: str = "en",
    tld: str = "com",
    slow: bool = False,
    timeout: float = TIMEOUT_SECONDS,
    session: requests.Session | None = None,
) -> list[bytes]:
    """One MP3 per chunk gTTS splits `text` into. Raises VoiceUnavailable with no network."""
    tts = gtts.gTTS(text, tld=tld, lang=lang, slow=slow, lang_check=False, timeout=timeout)
    prepared = tts._prepare_requests()  # gtts is pinned (2.5.4); get_bodies() drops url/headers
    http = session or requests.Session()
    try:
        return [_send(http, request, timeout) for request in prepared]
    finally:
        if session is None:
            http.close()


def _send(http: requests.Session, request: requests.PreparedRequest, timeout: float) -> bytes:
    # Proxies and CA bundle from the environment, as Session.request would apply them.
    settings = http.merge_environment_settings(request.url or "", {}, None, None, None)
    try:
        response = http.send(request, timeout=timeout, **settings)
        response.raise_for_status()
    except (requests.ConnectionError, requests.Timeout) as error:
        raise VoiceUnavailable(
            f"gTTS could not reach Google's speech endpoint ({_reason(error)}); {OFFLINE_HINT}"
        ) from error
    except requests.HTTPError as error:
        status = response.status_code
        raise VoiceError(
            f"Google's speech endpoint answered HTTP {status}; {OFFLINE_HINT}"
        ) from error
    except requests.RequestException as error:
        raise VoiceError(f"gTTS request failed ({_reason(error)}); {OFFLINE_HINT}") from error
    return audio_from_response(response.text)


def audio_from_response(body: str) -> bytes:
    """The MP3 in a batchexecute answer (base64 inside JSON inside JSON, as gTTS reads it)."""
    for line in body.splitlines():
        if "jQ1olc" in line:
            match = _AUDIO_LINE.search(line)
            if match:
                return base64.b64decode(match.group(1).encode("ascii"))
    raise VoiceError(f"no audio in Google's answer (the endpoint may have changed); {OFFLINE_HINT}")


def _reason(error: Exception) -> str:
    return f"{type(error).__name__}: {error}" if str(error) else type(error).__name__
