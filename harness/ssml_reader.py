"""Turn the skill's SSML into what a listener hears: text to speak, silences and clips.

Choices where Alexa documents no numbers (all in tables below):
- after </s> a sentence pause, after </p> a paragraph pause: the `strong` and `x-strong` break
  lengths of harness.ssml_rules (0.25 s and 0.5 s, from the timing model);
- prosody rate words map to multipliers x-slow 0.6 ... x-fast 1.5; nested prosody multiplies;
- adjacent silences merge, adjacent text at the same rate joins, whitespace collapses;
- amazon:*, emphasis, lang, voice, w and phoneme keep their text (phoneme's `ph` is ignored);
- <audio> inner (fallback) content is not read: Alexa plays the clip.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from harness.ssml_rules import (
    BREAK_STRENGTH_SECONDS,
    DEFAULT_BREAK_STRENGTH,
    break_seconds,
    parse_ssml,
    tag_name,
)
from skill.speech.sounds import CLIPS_BY_SRC
from skill.speech.timing import speech_seconds

SENTENCE_END_SECONDS = BREAK_STRENGTH_SECONDS["strong"]
PARAGRAPH_END_SECONDS = BREAK_STRENGTH_SECONDS["x-strong"]
PROSODY_RATES: Mapping[str, float] = {
    "x-slow": 0.6,
    "slow": 0.8,
    "medium": 1.0,
    "fast": 1.25,
    "x-fast": 1.5,
}


@dataclass(frozen=True)
class Text:
    text: str
    rate: float = 1.0  # speaking-rate multiplier from <prosody rate>


@dataclass(frozen=True)
class Silence:
    seconds: float


@dataclass(frozen=True)
class Clip:
    src: str
    seconds: float


type Segment = Text | Silence | Clip


class UnknownClipError(ValueError):
    """An <audio> clip whose length is not known."""


def read_ssml(ssml: str, *, clip_lengths: Mapping[str, float] | None = None) -> list[Segment]:
    """The segments `ssml` is heard as. Raises SsmlSyntaxError or UnknownClipError.

    Soundbank clip lengths come from skill.speech.sounds; https:// clips need `clip_lengths`.
    """
    reader = _Reader(clip_lengths or {})
    reader.walk(parse_ssml(ssml), 1.0)
    return reader.finish()


def silence_seconds(segments: Iterable[Segment]) -> float:
    return round(sum(seg.seconds for seg in segments if isinstance(seg, Silence)), 3)


def clip_seconds(segments: Iterable[Segment]) -> float:
    return round(sum(seg.seconds for seg in segments if isinstance(seg, Clip)), 3)


def estimated_seconds(segments: Iterable[Segment]) -> float:
    """Length of the whole speech by the timing model (text), breaks and clip lengths."""
    total = 0.0
    for seg in segments:
        if isinstance(seg, Text):
            total += speech_seconds(seg.text) / seg.rate
        else:
            total += seg.seconds
    return round(total, 3)


def prosody_rate(value: str | None) -> float:
    """Multiplier for <prosody rate="...">: "95%" -> 0.95, "slow" -> 0.8; unreadable -> 1.0."""
    if value is None:
        return 1.0
    value = value.strip()
    if value in PROSODY_RATES:
        return PROSODY_RATES[value]
    match = re.fullmatch(r"(\d+(?:\.\d+)?)%", value)
    return float(match.group(1)) / 100.0 if match and float(match.group(1)) > 0 else 1.0


class _Reader:
    def __init__(self, clip_lengths: Mapping[str, float]) -> None:
        self._clip_lengths = clip_lengths
        self._segments: list[Segment] = []
        self._parts: list[str] = []  # raw text since the last flush
        self._rate: float | None = None  # rate of the buffered text, once it has some

    def walk(self, element: ET.Element, rate: float) -> None:
        tag = tag_name(element)
        if tag == "break":
            seconds = break_seconds(element)
            default = BREAK_STRENGTH_SECONDS[DEFAULT_BREAK_STRENGTH]
            self._pause(default if seconds is None else seconds)
        elif tag == "audio":
            self._clip(element.get("src", ""))
        elif tag == "sub":
            self._add_text(element.get("alias") or _inner_text(element), rate)
        elif tag == "say-as":
            self._add_text(say_as(element.get("interpret-as", ""), _inner_text(element)), rate)
        else:
            if tag == "prosody":
                rate *= prosody_rate(element.get("rate"))
            self._add_text(element.text, rate)
            for child in element:
                self.walk(child, rate)
                self._add_text(child.tail, rate)
            if tag == "s":
                self._pause(SENTENCE_END_SECONDS)
            elif tag == "p":
                self._pause(PARAGRAPH_END_SECONDS)
        # The caller adds element.tail: it belongs to the parent's rate.

    def finish(self) -> list[Segment]:
        self._flush()
        return self._segments

    def _add_text(self, raw: str | None, rate: float) -> None:
        if not raw:
            return
        if raw.strip():
            if self._rate is not None and self._rate != rate:
                self._flush()
            self._rate = rate
        self._parts.append(raw)

    def _flush(self) -> None:
        text = " ".join("".join(self._parts).split())
        if text:
            self._segments.append(Text(text, self._rate or 1.0))
        self._parts, self._rate = [], None

    def _pause(self, seconds: float) -> None:
        if seconds <= 0:  # strength none / x-weak: no pause, and the text runs on
            return
        self._flush()
        last = self._segments[-1] if self._segments else None
        if isinstance(last, Silence):
            self._segments[-1] = Silence(round(last.seconds + seconds, 3))
        else:
            self._segments.append(Silence(seconds))

    def _clip(self, src: str) -> None:
        self._flush()
        if src in CLIPS_BY_SRC:
            self._segments.append(Clip(src, CLIPS_BY_SRC[src].seconds))
        elif src in self._clip_lengths:
            self._segments.append(Clip(src, self._clip_lengths[src]))
        else:
            raise UnknownClipError(
                f"length of <audio src={src!r}> unknown: pass clip_lengths={{src: seconds}}"
            )


def _inner_text(element: ET.Element) -> str:
    return "".join(element.itertext())


# --- say-as -----------------------------------------------------------------------------------

_ONES = (
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen "
    "fifteen sixteen seventeen eighteen nineteen"
).split()
_TENS = "_ _ twenty thirty forty fifty sixty seventy eighty ninety".split()
_SCALES = ((1_000_000_000, "billion"), (1_000_000, "million"), (1000, "thousand"))
_ORDINAL_WORDS = {
    "one": "first",
    "two": "second",
    "three": "third",
    "five": "fifth",
    "eight": "eighth",
    "nine": "ninth",
    "twelve": "twelfth",
}
_INTEGER = re.compile(r"^-?\d{1,3}(?:,\d{3})+$|^-?\d+$")
_ORDINAL = re.compile(r"^(\d+)(?:st|nd|rd|th)?$", re.IGNORECASE)


def say_as(interpret_as: str, text: str) -> str:
    """What <say-as interpret-as=...> reads; kinds not handled here keep their text."""
    text = text.strip()
    if interpret_as in ("cardinal", "number") and _INTEGER.match(text):
        return number_words(int(text.replace(",", "")))
    if interpret_as == "ordinal" and (match := _ORDINAL.match(text)):
        return ordinal_words(int(match.group(1)))
    if interpret_as in ("characters", "spell-out"):
        return " ".join(char for char in text if not char.isspace())
    if interpret_as == "digits" and text.isdigit():
        return " ".join(_ONES[int(char)] for char in text)
    return text


def number_words(n: int) -> str:
    """12 -> "twelve", 1024 -> "one thousand twenty four" (no "and", as Alexa reads it)."""
    if n < 0:
        return "minus " + number_words(-n)
    if n < 20:
        return _ONES[n]
    if n < 100:
        tens, ones = divmod(n, 10)
        return _TENS[tens] + (" " + _ONES[ones] if ones else "")
    if n < 1000:
        hundreds, rest = divmod(n, 100)
        return _ONES[hundreds] + " hundred" + (" " + number_words(rest) if rest else "")
    for scale, word in _SCALES:
        if n >= scale:
            high, rest = divmod(n, scale)
            return number_words(high) + " " + word + (" " + number_words(rest) if rest else "")
    raise AssertionError("unreachable")  # pragma: no cover


def ordinal_words(n: int) -> str:
    """2 -> "second", 21 -> "twenty first", 40 -> "fortieth"."""
    *head, last = number_words(n).split()
    if last in _ORDINAL_WORDS:
        last = _ORDINAL_WORDS[last]
    elif last.endswith("y"):
        last = last[:-1] + "ieth"
    else:
        last += "th"
    return " ".join([*head, last])


def describe(segments: Sequence[Segment]) -> str:
    """One line per segment, for logs and the CLI."""
    lines = []
    for seg in segments:
        if isinstance(seg, Text):
            rate = "" if seg.rate == 1.0 else f" (rate {seg.rate:g})"
            lines.append(f"say {seg.text!r}{rate}")
        elif isinstance(seg, Silence):
            lines.append(f"silence {seg.seconds:g} s")
        else:
            lines.append(f"clip {seg.src} {seg.seconds:g} s")
    return "\n".join(lines)
