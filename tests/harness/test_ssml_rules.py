from __future__ import annotations

import pytest

from harness.ssml_rules import (
    SsmlSyntaxError,
    break_time_seconds,
    parse_ssml,
    speech_problems,
    tag_name,
    total_break_seconds,
)
from skill.speech.sounds import REST_OVER, WORKOUT_DONE

REST_RESPONSE = (
    "<speak>Nice work. Rest 30 seconds."
    '<break time="10s"/><break time="4.2s"/>Halfway.'
    '<break time="10s"/><break time="3.1s"/>Five seconds.<break time="1.25s"/>'
    f'<audio src="{REST_OVER.src}"/> Set 2 of 4. '
    '<prosody rate="95%">Ten push-ups, <emphasis level="moderate">slow</emphasis> and '
    'steady.</prosody> <amazon:effect name="whispered">You&apos;ve got this.</amazon:effect>'
    "</speak>"
)


def test_a_realistic_rest_response_passes() -> None:
    assert speech_problems(REST_RESPONSE) == []
    assert speech_problems(REST_RESPONSE, reprompt=True) == []


def test_every_tag_alexa_reads_passes() -> None:
    ssml = (
        '<speak><p><s>One</s></p><lang xml:lang="en-GB">two</lang><voice name="Brian">three'
        '</voice><phoneme alphabet="ipa" ph="fɔːr">four</phoneme><sub alias="five">5</sub>'
        '<w role="amazon:VB">read</w><say-as interpret-as="ordinal">6</say-as>'
        '<amazon:emotion name="excited" intensity="high">go</amazon:emotion>'
        '<amazon:domain name="conversational">ok</amazon:domain>'
        '<break strength="x-strong"/><break/></speak>'
    )
    assert speech_problems(ssml) == []


def test_over_8000_characters_is_a_problem() -> None:
    ssml = "<speak>" + "Push. " * 1500 + "</speak>"
    assert len(ssml) == 9015
    [problem] = speech_problems(ssml)
    assert "9015 characters" in problem and "8000" in problem


def test_exactly_8000_characters_is_fine() -> None:
    ssml = "<speak>" + "x" * (8000 - len("<speak></speak>")) + "</speak>"
    assert speech_problems(ssml) == []


def test_a_break_over_10_seconds_is_a_problem() -> None:
    [problem] = speech_problems('<speak>Rest.<break time="11s"/>Go.</speak>')
    assert "11 s" in problem and "10 s" in problem


@pytest.mark.parametrize("time", ["10s", "10000ms", "4.2s", "750ms", ".5s"])
def test_breaks_up_to_10_seconds_are_fine(time: str) -> None:
    assert speech_problems(f'<speak>a<break time="{time}"/>b</speak>') == []


@pytest.mark.parametrize("attrs", ['time="10001ms"', 'time="10.5s"'])
def test_breaks_just_over_10_seconds_are_problems(attrs: str) -> None:
    assert len(speech_problems(f"<speak>a<break {attrs}/>b</speak>")) == 1


@pytest.mark.parametrize("attrs", ['time="ten seconds"', 'time="5"', 'strength="huge"'])
def test_a_malformed_break_is_a_problem(attrs: str) -> None:
    [problem] = speech_problems(f"<speak>a<break {attrs}/>b</speak>")
    assert "malformed" in problem


def test_an_unknown_tag_is_a_problem() -> None:
    [problem] = speech_problems("<speak>Go <bold>now</bold></speak>")
    assert "<bold>" in problem


def test_an_unknown_amazon_tag_is_a_problem() -> None:
    [problem] = speech_problems("<speak><amazon:shout>now</amazon:shout></speak>")
    assert "amazon:shout" in problem


def test_an_unknown_soundbank_clip_is_a_problem() -> None:
    src = "soundbank://soundlibrary/musical/amzn_sfx_no_such_clip"
    [problem] = speech_problems(f'<speak><audio src="{src}"/></speak>')
    assert src in problem and "skill.speech.sounds" in problem


def test_audio_must_be_https_or_soundbank() -> None:
    [problem] = speech_problems('<speak><audio src="http://example.com/a.mp3"/></speak>')
    assert "https://" in problem
    assert speech_problems('<speak><audio src="https://example.com/a.mp3"/></speak>') == []


def test_250_seconds_of_audio_is_a_problem() -> None:
    bells = f'<audio src="{WORKOUT_DONE.src}"/>' * 82  # 82 x 3.08 s = 252.56 s
    ssml = f"<speak>{bells}</speak>"
    [problem] = speech_problems(ssml)
    assert "252.56 s" in problem and "240 s" in problem


def test_https_clip_lengths_count_when_known() -> None:
    ssml = '<speak><audio src="https://example.com/a.mp3"/></speak>'
    lengths = {"https://example.com/a.mp3": 250.0}
    assert len(speech_problems(ssml, clip_lengths=lengths)) == 1


def test_a_reprompt_allows_only_90_seconds_of_audio() -> None:
    ssml = "<speak>" + f'<audio src="{WORKOUT_DONE.src}"/>' * 30 + "</speak>"  # 92.4 s
    assert speech_problems(ssml) == []
    [problem] = speech_problems(ssml, reprompt=True)
    assert "92.4 s" in problem and "90 s" in problem and "reprompt" in problem


def test_an_unescaped_ampersand_is_named_clearly() -> None:
    [problem] = speech_problems("<speak>Push-ups & dips.</speak>")
    assert "unescaped '&'" in problem and "&amp;" in problem


def test_an_unescaped_less_than_is_named_clearly() -> None:
    [problem] = speech_problems("<speak>Rest < 10 seconds.</speak>")
    assert "unescaped '<'" in problem and "&lt;" in problem


def test_an_unescaped_greater_than_is_named() -> None:
    [problem] = speech_problems("<speak>Reps > 10.</speak>")
    assert "unescaped '>'" in problem
    assert speech_problems("<speak>Reps &gt; 10 &amp; &lt; 20 &#38;</speak>") == []


def test_not_xml_is_a_problem() -> None:
    [problem] = speech_problems("<speak><s>Go</speak>")
    assert "not well-formed" in problem and "line 1" in problem


@pytest.mark.parametrize("ssml", ["Just text", "<p>Go</p>", "<speak>a</speak><speak>b</speak>"])
def test_the_root_must_be_one_speak(ssml: str) -> None:
    assert len(speech_problems(ssml)) == 1


def test_parse_ssml_reads_amazon_tags_by_their_prefix() -> None:
    speak = parse_ssml('<speak><amazon:effect name="whispered">hi</amazon:effect></speak>')
    assert [tag_name(el) for el in speak.iter()] == ["speak", "amazon:effect"]


def test_parse_ssml_raises_on_bad_xml() -> None:
    with pytest.raises(SsmlSyntaxError):
        parse_ssml("<speak>a & b</speak>")


def test_total_break_seconds() -> None:
    assert total_break_seconds(REST_RESPONSE) == pytest.approx(28.55)
    assert total_break_seconds('<speak><break strength="none"/><break/></speak>') == 0.1


@pytest.mark.parametrize(
    ("value", "seconds"), [("10s", 10.0), ("4.2s", 4.2), ("250ms", 0.25), ("10", None)]
)
def test_break_time_seconds(value: str, seconds: float | None) -> None:
    assert break_time_seconds(value) == seconds
