from __future__ import annotations

import pytest

from harness.ssml_reader import (
    Clip,
    Segment,
    Silence,
    Text,
    UnknownClipError,
    clip_seconds,
    describe,
    estimated_seconds,
    number_words,
    ordinal_words,
    prosody_rate,
    read_ssml,
    say_as,
    silence_seconds,
)
from harness.ssml_rules import SsmlSyntaxError
from skill.speech.sounds import REST_OVER, WORKOUT_DONE
from skill.speech.timing import speech_seconds

REST_RESPONSE = (
    "<speak>Nice work.  Rest 30 seconds."
    '<break time="10s"/><break time="4.2s"/>Halfway.'
    '<break time="10s"/><break time="3.1s"/>\n  Five seconds.<break time="1.25s"/>'
    f'<audio src="{REST_OVER.src}"/> Set <say-as interpret-as="cardinal">2</say-as> of 4. '
    '<prosody rate="95%">Ten push-ups, <emphasis level="moderate">slow</emphasis> and '
    'steady.</prosody> <amazon:effect name="whispered">You&apos;ve got this.</amazon:effect>'
    "</speak>"
)


def test_a_realistic_rest_response() -> None:
    segments = read_ssml(REST_RESPONSE)
    assert segments == [
        Text("Nice work. Rest 30 seconds."),
        Silence(14.2),
        Text("Halfway."),
        Silence(13.1),
        Text("Five seconds."),
        Silence(1.25),
        Clip(REST_OVER.src, 0.78),
        Text("Set two of 4."),
        Text("Ten push-ups, slow and steady.", rate=0.95),
        Text("You've got this."),
    ]
    assert silence_seconds(segments) == 28.55
    assert clip_seconds(segments) == 0.78
    texts = [seg for seg in segments if isinstance(seg, Text)]
    speech = sum(speech_seconds(seg.text) / seg.rate for seg in texts)
    assert estimated_seconds(segments) == pytest.approx(28.55 + 0.78 + speech, abs=0.002)


def test_a_rest_is_paced_to_its_length_by_the_model() -> None:
    # The first cue's end to the beep: what the listener hears as the 30 s rest.
    segments = read_ssml(REST_RESPONSE)
    rest = segments[1:6]
    assert estimated_seconds(rest) == pytest.approx(
        14.2 + speech_seconds("Halfway.") + 13.1 + speech_seconds("Five seconds.") + 1.25
    )


def test_sentences_and_paragraphs_end_with_a_pause() -> None:
    segments = read_ssml("<speak><p><s>One.</s><s>Two.</s></p><p>Three.</p></speak>")
    assert segments == [
        Text("One."),
        Silence(0.25),
        Text("Two."),
        Silence(0.75),  # sentence end + paragraph end merge
        Text("Three."),
        Silence(0.5),
    ]


def test_break_strengths() -> None:
    ssml = '<speak>a<break strength="none"/>b<break/>c<break strength="x-strong"/>d</speak>'
    assert read_ssml(ssml) == [Text("ab"), Silence(0.1), Text("c"), Silence(0.5), Text("d")]


def test_prosody_rates_multiply_when_nested() -> None:
    ssml = (
        '<speak><prosody rate="x-slow">slow <prosody rate="50%">slower</prosody></prosody></speak>'
    )
    assert read_ssml(ssml) == [Text("slow", 0.6), Text("slower", 0.3)]


@pytest.mark.parametrize(
    ("value", "rate"),
    [
        ("95%", 0.95),
        ("150%", 1.5),
        ("slow", 0.8),
        ("x-fast", 1.5),
        ("medium", 1.0),
        ("fastish", 1.0),
        (None, 1.0),
    ],
)
def test_prosody_rate(value: str | None, rate: float) -> None:
    assert prosody_rate(value) == rate


def test_sub_reads_the_alias_and_other_tags_keep_their_text() -> None:
    ssml = (
        '<speak><sub alias="push-ups">PU</sub> <phoneme alphabet="ipa" ph="x">now</phoneme> '
        '<lang xml:lang="en-GB">please</lang> <amazon:domain name="news">ok</amazon:domain>'
        "</speak>"
    )
    assert read_ssml(ssml) == [Text("push-ups now please ok")]


def test_text_at_different_rates_stays_apart_and_whitespace_collapses() -> None:
    ssml = '<speak>  Go \n now <prosody rate="slow"> and   breathe </prosody>  out </speak>'
    assert read_ssml(ssml) == [Text("Go now"), Text("and breathe", 0.8), Text("out")]


@pytest.mark.parametrize(
    ("kind", "text", "said"),
    [
        ("cardinal", "12", "twelve"),
        ("cardinal", "1,024", "one thousand twenty four"),
        ("number", "-3", "minus three"),
        ("ordinal", "2", "second"),
        ("ordinal", "23rd", "twenty third"),
        ("characters", "ABC", "A B C"),
        ("spell-out", "hi", "h i"),
        ("digits", "911", "nine one one"),
        ("date", "2024-01-01", "2024-01-01"),
        ("cardinal", "twelve", "twelve"),
    ],
)
def test_say_as(kind: str, text: str, said: str) -> None:
    assert say_as(kind, text) == said
    ssml = f'<speak>Set <say-as interpret-as="{kind}">{text}</say-as></speak>'
    assert read_ssml(ssml) == [Text(f"Set {said}")]


def test_number_and_ordinal_words() -> None:
    assert number_words(0) == "zero"
    assert number_words(40) == "forty"
    assert number_words(115) == "one hundred fifteen"
    assert number_words(2_000_003) == "two million three"
    assert ordinal_words(1) == "first"
    assert ordinal_words(12) == "twelfth"
    assert ordinal_words(20) == "twentieth"
    assert ordinal_words(100) == "one hundredth"


def test_clips_take_their_known_lengths() -> None:
    ssml = f'<speak>Done!<audio src="{WORKOUT_DONE.src}">fallback</audio></speak>'
    assert read_ssml(ssml) == [Text("Done!"), Clip(WORKOUT_DONE.src, 3.08)]


def test_an_https_clip_needs_a_length() -> None:
    ssml = '<speak><audio src="https://example.com/cheer.mp3"/></speak>'
    with pytest.raises(UnknownClipError, match="clip_lengths"):
        read_ssml(ssml)
    lengths = {"https://example.com/cheer.mp3": 2.5}
    assert read_ssml(ssml, clip_lengths=lengths) == [Clip("https://example.com/cheer.mp3", 2.5)]


def test_bad_xml_raises() -> None:
    with pytest.raises(SsmlSyntaxError):
        read_ssml("<speak>Push-ups & dips</speak>")


def test_describe() -> None:
    segments: list[Segment] = [Text("Go", 0.9), Silence(1.5), Clip(REST_OVER.src, 0.78)]
    assert describe(segments).splitlines() == [
        "say 'Go' (rate 0.9)",
        "silence 1.5 s",
        f"clip {REST_OVER.src} 0.78 s",
    ]
