"""Build SSML for Alexa: escaped text, breaks split to Alexa's 10 s cap, sound-library clips."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from skill.speech.sounds import SoundClip
from skill.speech.timing import speech_seconds

MAX_BREAK_SECONDS = 10.0  # Alexa refuses a longer <break>; harness.ssml_rules checks it


# Characters XML 1.0 cannot hold at all, even escaped (control characters, lone surrogates,
# U+FFFE/U+FFFF): SSML holding one is not well-formed, and Alexa refuses it. Written as the few
# ranges XML 1.0 leaves out rather than the complement of the ones it allows, which takes
# milliseconds to compile at every start.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def escape(text: str) -> str:
    """Text safe inside SSML (xml.sax.saxutils.escape, without importing urllib.request), with
    characters XML cannot hold left out."""
    text = _NOT_XML.sub("", text)
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def break_tags(seconds: float) -> list[str]:
    """`<break>` tags totalling `seconds` (to the millisecond), none longer than 10 s."""
    return [tag for tag, _ in break_tags_with_seconds(seconds)]


def break_tags_with_seconds(seconds: float) -> list[tuple[str, float]]:
    remaining = round(seconds * 1000)
    tags: list[tuple[str, float]] = []
    cap = int(MAX_BREAK_SECONDS * 1000)
    while remaining > 0:
        chunk = min(remaining, cap)
        tags.append((f'<break time="{chunk}ms"/>', chunk / 1000))
        remaining -= chunk
    return tags


@dataclass(frozen=True)
class Piece:
    """One part of a speech: its SSML, and what the timing model needs of it."""

    ssml: str
    words: str = ""  # the words said (plain text); empty for a break or a sound
    held: float = 0.0  # seconds of a break or a sound
    is_break: bool = False

    @property
    def seconds(self) -> float:
        return speech_seconds(self.words) if self.words else self.held


class Speech:
    """An SSML response under construction, which keeps its own record of what is said when (by
    skill.speech.timing's model): the screen's timings come from it, never from the SSML."""

    def __init__(self, pieces: tuple[Piece, ...] = ()) -> None:
        self._pieces: list[Piece] = list(pieces)

    @property
    def pieces(self) -> tuple[Piece, ...]:
        return tuple(self._pieces)

    @property
    def parts(self) -> tuple[str, ...]:
        return tuple(piece.ssml for piece in self._pieces)

    def say(self, *texts: str) -> Speech:
        for text in texts:
            if text.strip():
                words = _NOT_XML.sub("", text.strip())
                self._pieces.append(Piece(escape(words), words=words))
        return self

    def pause(self, seconds: float) -> Speech:
        for tag, held in break_tags_with_seconds(seconds):
            self._pieces.append(Piece(tag, held=held, is_break=True))
        return self

    def sound(self, clip: SoundClip) -> Speech:
        self._pieces.append(Piece(f'<audio src="{escape(clip.src)}"/>', held=clip.seconds))
        return self

    def extend(self, other: Speech) -> Speech:
        self._pieces.extend(other._pieces)
        return self

    @property
    def empty(self) -> bool:
        return not self._pieces

    def ssml(self) -> str:
        return "<speak>" + " ".join(piece.ssml for piece in self._pieces) + "</speak>"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Speech) and self._pieces == other._pieces

    __hash__ = None  # type: ignore[assignment]  # mutable

    # --- when things are said -----------------------------------------------------------------

    @property
    def seconds(self) -> float:
        """How long the speech takes, by the timing model."""
        return sum(piece.seconds for piece in self._pieces)

    def first_break_ms(self) -> int:
        """When the first break begins (a rest's silence follows "Rest 30 seconds."); 0 when the
        speech has none."""
        seconds = 0.0
        for piece in self._pieces:
            if piece.is_break:
                return round(seconds * 1000)
            seconds += piece.seconds
        return 0

    def starts_ms(self, texts: Sequence[str]) -> list[int] | None:
        """When each of `texts` begins, in order; None unless every one is said, in that order."""
        starts: list[int] = []
        seconds, index, offset = 0.0, 0, 0
        for text in texts:
            while index < len(self._pieces):
                piece = self._pieces[index]
                found = piece.words.find(text, offset) if piece.words else -1
                if found >= 0:
                    before = speech_seconds(piece.words[:found]) if found else 0.0
                    starts.append(round((seconds + before) * 1000))
                    offset = found + 1
                    break
                seconds += piece.seconds
                index, offset = index + 1, 0
            else:
                return None
        return starts
