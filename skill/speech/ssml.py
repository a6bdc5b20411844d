"""Build SSML for Alexa: escaped text, breaks split to Alexa's 10 s cap, sound-library clips."""

from __future__ import annotations

import re

from skill.speech.sounds import SoundClip

MAX_BREAK_SECONDS = 10.0  # Alexa refuses a longer <break>; harness.ssml_rules checks it


# Characters XML 1.0 cannot hold at all, even escaped (control characters, lone surrogates,
# U+FFFE/U+FFFF): SSML holding one is not well-formed, and Alexa refuses it.
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def escape(text: str) -> str:
    """Text safe inside SSML (xml.sax.saxutils.escape, without importing urllib.request), with
    characters XML cannot hold left out."""
    text = _NOT_XML.sub("", text)
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def break_tags(seconds: float) -> list[str]:
    """`<break>` tags totalling `seconds` (to the millisecond), none longer than 10 s."""
    remaining = round(seconds * 1000)
    tags: list[str] = []
    cap = int(MAX_BREAK_SECONDS * 1000)
    while remaining > 0:
        chunk = min(remaining, cap)
        tags.append(f'<break time="{chunk}ms"/>')
        remaining -= chunk
    return tags


class Speech:
    """An SSML response under construction."""

    def __init__(self, parts: tuple[str, ...] = ()) -> None:
        self._parts: list[str] = list(parts)

    @property
    def parts(self) -> tuple[str, ...]:
        return tuple(self._parts)

    def say(self, *texts: str) -> Speech:
        for text in texts:
            if text.strip():
                self._parts.append(escape(text.strip()))
        return self

    def pause(self, seconds: float) -> Speech:
        self._parts.extend(break_tags(seconds))
        return self

    def sound(self, clip: SoundClip) -> Speech:
        self._parts.append(f'<audio src="{escape(clip.src)}"/>')
        return self

    def extend(self, other: Speech) -> Speech:
        self._parts.extend(other._parts)
        return self

    @property
    def empty(self) -> bool:
        return not self._parts

    def ssml(self) -> str:
        return "<speak>" + " ".join(self._parts) + "</speak>"
