"""Alexa's limits on outputSpeech SSML, as a pure checker.

The skill's tests run `speech_problems` on every response; the harness runs it before rendering.
The skill itself never needs it: it builds SSML that keeps these limits (skill.speech.ssml).
The limits are Alexa's documented ones for outputSpeech. No I/O.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator, Mapping

from skill.speech.sounds import CLIPS_BY_SRC
from skill.speech.ssml import MAX_BREAK_SECONDS
from skill.speech.timing import CLAUSE_PAUSE_SECONDS, SENTENCE_PAUSE_SECONDS

MAX_SSML_CHARS = 8000  # "length 9503 exceeds allowed size of 8000 characters"
MAX_AUDIO_SECONDS = 240.0
MAX_REPROMPT_AUDIO_SECONDS = 90.0

ALEXA_TAGS = frozenset(
    "speak p s break audio emphasis lang voice phoneme sub w prosody say-as "
    "amazon:effect amazon:emotion amazon:domain".split()
)

# Alexa's SSML never declares the amazon: prefix; we bind it so a strict XML parser accepts it.
AMAZON_NS = "https://developer.amazon.com/alexa/ssml"
_WRAPPER = "ssml-wrapper"
# On a line of its own, so parser line numbers are off by exactly one and columns not at all.
_WRAP_OPEN = f'<{_WRAPPER} xmlns:amazon="{AMAZON_NS}">\n'
_WRAP_CLOSE = f"\n</{_WRAPPER}>"

# Alexa gives break strengths only relative to punctuation (weak/medium: a comma; strong: a
# sentence, like <s>; x-strong: a paragraph, like <p>); the seconds follow skill.speech.timing.
BREAK_STRENGTH_SECONDS: Mapping[str, float] = {
    "none": 0.0,
    "x-weak": 0.0,
    "weak": CLAUSE_PAUSE_SECONDS,
    "medium": CLAUSE_PAUSE_SECONDS,
    "strong": SENTENCE_PAUSE_SECONDS,
    "x-strong": 2 * SENTENCE_PAUSE_SECONDS,
}
DEFAULT_BREAK_STRENGTH = "medium"

_BREAK_TIME = re.compile(r"^\s*(\d+(?:\.\d+)?|\.\d+)\s*(s|ms)\s*$")
_BAD_AMPERSAND = re.compile(r"&(?!(?:amp|lt|gt|quot|apos|#[0-9]+|#x[0-9a-fA-F]+);)")
_BAD_LESS_THAN = re.compile(r"<(?![A-Za-z_/!?])")
_TAG = re.compile(r"<[^<>]*>")


class SsmlSyntaxError(ValueError):
    """The SSML is not well-formed XML with one <speak> root."""


def parse_ssml(ssml: str) -> ET.Element:
    """The <speak> element of `ssml`; amazon:* tags come back as {AMAZON_NS}name."""
    try:
        wrapper = ET.fromstring(_WRAP_OPEN + ssml + _WRAP_CLOSE)
    except ET.ParseError as error:
        raise SsmlSyntaxError(_describe_parse_error(ssml, error)) from error
    children = list(wrapper)
    stray = (wrapper.text or "") + "".join(child.tail or "" for child in children)
    if len(children) != 1 or tag_name(children[0]) != "speak" or stray.strip():
        raise SsmlSyntaxError("the SSML must be exactly one <speak>...</speak> element")
    return children[0]


def tag_name(element: ET.Element) -> str:
    """The tag as written in SSML: 'prosody', 'amazon:effect'."""
    tag = element.tag
    prefix = "{" + AMAZON_NS + "}"
    return "amazon:" + tag[len(prefix) :] if tag.startswith(prefix) else tag


def break_time_seconds(value: str) -> float | None:
    """Seconds for a break time like "10s", "2.5s", "750ms"; None if malformed."""
    match = _BREAK_TIME.match(value)
    if match is None:
        return None
    number = float(match.group(1))
    return number / 1000.0 if match.group(2) == "ms" else number


def break_seconds(element: ET.Element) -> float | None:
    """Length of one <break>: its time, else its strength (default medium); None if malformed."""
    time = element.get("time")
    if time is not None:
        return break_time_seconds(time)
    return BREAK_STRENGTH_SECONDS.get(element.get("strength", DEFAULT_BREAK_STRENGTH))


def total_break_seconds(ssml: str) -> float:
    """Sum of all <break> lengths (malformed ones count as 0). Raises SsmlSyntaxError."""
    speak = parse_ssml(ssml)
    total = sum(break_seconds(el) or 0.0 for el in speak.iter() if tag_name(el) == "break")
    return round(total, 3)


def speech_problems(
    ssml: str, *, reprompt: bool = False, clip_lengths: Mapping[str, float] | None = None
) -> list[str]:
    """Everything in `ssml` Alexa would reject or cut; an empty list means it is fine.

    `clip_lengths` gives lengths of https:// clips (soundbank lengths come from
    skill.speech.sounds); https clips of unknown length do not count towards the audio limit.
    """
    problems: list[str] = []
    if len(ssml) > MAX_SSML_CHARS:
        problems.append(f"SSML is {len(ssml)} characters; Alexa allows at most {MAX_SSML_CHARS}")
    escaping = list(_escaping_problems(ssml))
    problems.extend(escaping)
    try:
        speak = parse_ssml(ssml)
    except SsmlSyntaxError as error:
        # An unescaped & or < is already named precisely; the parser's message would repeat it.
        if not any(problem.startswith(("unescaped '&'", "unescaped '<'")) for problem in escaping):
            problems.append(str(error))
        return problems
    problems.extend(_tag_problems(speak))
    problems.extend(_break_problems(speak))
    problems.extend(_audio_problems(speak, reprompt, clip_lengths or {}))
    return problems


def _escaping_problems(ssml: str) -> Iterator[str]:
    for match in _BAD_AMPERSAND.finditer(ssml):
        yield _unescaped("&", "&amp;", ssml, match.start())
    for match in _BAD_LESS_THAN.finditer(ssml):
        yield _unescaped("<", "&lt;", ssml, match.start())
    text_only = _TAG.sub(lambda m: " " * len(m.group()), ssml)
    for index, char in enumerate(text_only):
        if char == ">":
            yield _unescaped(">", "&gt;", ssml, index)


def _tag_problems(speak: ET.Element) -> Iterator[str]:
    unknown = sorted({tag_name(el) for el in speak.iter()} - ALEXA_TAGS)
    for tag in unknown:
        yield f"<{tag}> is not a tag Alexa reads"
    for inner in speak.iter("speak"):
        if inner is not speak:
            yield "<speak> inside <speak>"
            break


def _break_problems(speak: ET.Element) -> Iterator[str]:
    for element in speak.iter():
        if tag_name(element) != "break":
            continue
        seconds = break_seconds(element)
        if seconds is None:
            attrs = " ".join(f'{k}="{v}"' for k, v in element.attrib.items())
            yield f'<break {attrs}/> is malformed: use time="Ns" or "Nms", or a known strength'
        elif seconds > MAX_BREAK_SECONDS:
            yield (
                f"<break> of {seconds:g} s is over Alexa's {MAX_BREAK_SECONDS:g} s limit: "
                "split it into several breaks"
            )


def _audio_problems(
    speak: ET.Element, reprompt: bool, clip_lengths: Mapping[str, float]
) -> Iterator[str]:
    total = 0.0
    for element in speak.iter():
        if tag_name(element) != "audio":
            continue
        src = element.get("src", "")
        if src in CLIPS_BY_SRC:
            total += CLIPS_BY_SRC[src].seconds
        elif src.startswith("soundbank://"):
            yield f"unknown sound-library clip {src}: add it with its length to skill.speech.sounds"
        elif src.startswith("https://"):
            total += clip_lengths.get(src, 0.0)
        else:
            yield f"<audio src={src!r}>: Alexa plays only https:// or soundbank:// addresses"
    limit = MAX_REPROMPT_AUDIO_SECONDS if reprompt else MAX_AUDIO_SECONDS
    if total > limit:
        where = "a reprompt" if reprompt else "one response"
        yield f"{total:g} s of <audio> clips; Alexa allows at most {limit:g} s in {where}"


def _describe_parse_error(ssml: str, error: ET.ParseError) -> str:
    line, column = error.position
    line -= 1  # the wrapper's own line
    lines = ssml.splitlines() or [""]
    snippet = lines[line - 1][max(0, column - 20) : column + 20] if 0 < line <= len(lines) else ""
    reason = str(error).split(":")[0]
    return (
        f"SSML is not well-formed XML ({reason} at line {line}, column {column}, near "
        f"{snippet!r}); text must escape & < > as &amp; &lt; &gt;"
    )


def _unescaped(char: str, entity: str, ssml: str, index: int) -> str:
    context = repr(ssml[max(0, index - 15) : index + 15])
    return f"unescaped '{char}' at character {index} ({context}): write {entity}"
