"""The measuring behind `coach render`: segments in time, rests as heard, limits, the timeline,
the transcript, and the progress bar. Pure functions; espeak where the real voice matters."""

from __future__ import annotations

import io
import math
from array import array

import pytest

from harness.progress_bar import ProgressBar, format_bar, should_show
from harness.session_render import (
    RenderedTurn,
    RestMeasure,
    clock,
    format_transcript,
    join_session,
    join_session_mp3,
    limit_problems,
    measure_rests,
    measure_ssml_rests,
    pacing_failures,
    pacing_table,
    render_ssml,
    rest_announcement,
    transcript,
    turn_file_name,
    turn_starts,
    words_only,
)
from harness.ssml_reader import Clip, Silence, Text
from skill.speech.sounds import REST_OVER, WORKOUT_DONE
from tracks.engines import EspeakVoice, EstimateVoice
from tracks.mp3 import decode_mp3_bytes, encode_mp3, mp3_frames, mp3_seconds
from tracks.voices.pcm import SAMPLE_RATE, Pcm, silence

BEEP = f'<audio src="{REST_OVER.src}"/>'
# The coach's own 30 s rest (as skill.speech.replies writes it), and one paced for 10 s only.
GOOD_REST = (
    '<speak>Nice work. Rest 30 seconds. <break time="10000ms"/> <break time="5000ms"/> '
    'Halfway. <break time="4375ms"/> Ten seconds. <break time="5220ms"/> Three. '
    '<break time="375ms"/> Two. <break time="375ms"/> One. <break time="375ms"/> '
    f"{BEEP} Set 2 of 4: 4 reps each side.</speak>"
)
WRONG_REST = (
    '<speak>Nice work. Rest 30 seconds. <break time="10s"/> Three. Two. One. '
    f"{BEEP} Set 2 of 4.</speak>"
)


@pytest.fixture(scope="module")
def espeak() -> EspeakVoice:
    return EspeakVoice()


# ---- segments in time -----------------------------------------------------------------------


def test_each_segment_lasts_as_long_as_its_rendered_audio(espeak: EspeakVoice) -> None:
    speech = render_ssml(GOOD_REST, espeak)
    assert speech.timed[0].start == 0.0
    for before, after in zip(speech.timed, speech.timed[1:], strict=False):
        assert after.start == pytest.approx(before.end)
    assert speech.timed[-1].end == pytest.approx(speech.pcm.seconds)
    silences = [t for t in speech.timed if isinstance(t.segment, Silence)]
    assert [round(t.seconds, 3) for t in silences][:2] == [15.0, 4.375]
    beep = next(t for t in speech.timed if isinstance(t.segment, Clip))
    assert beep.seconds == pytest.approx(REST_OVER.seconds, abs=1e-4)
    words = [t for t in speech.timed if isinstance(t.segment, Text)]
    assert all(t.seconds > 0.2 for t in words)  # espeak really spoke each cue


def test_words_only_keeps_the_spoken_text_and_drops_rests(espeak: EspeakVoice) -> None:
    speech = render_ssml(GOOD_REST, espeak)
    words = sum(t.seconds for t in speech.timed if isinstance(t.segment, Text))
    assert words < words_only(speech).seconds < words + 2.5  # 7 cues, 0.3 s after each


# ---- rests as heard -------------------------------------------------------------------------


def test_the_coachs_rest_is_heard_within_a_second_with_espeak(espeak: EspeakVoice) -> None:
    [rest] = measure_ssml_rests(GOOD_REST, espeak)
    assert rest.programmed == 30
    assert rest.ok, rest
    assert rest.heard is not None and abs(rest.heard - 30) <= 1.0


def test_a_mis_paced_rest_fails_the_check(espeak: EspeakVoice) -> None:
    [rest] = measure_ssml_rests(WRONG_REST, espeak)
    assert rest.programmed == 30
    assert rest.heard is not None and rest.heard < 15
    assert not rest.ok
    turn = RenderedTurn(3, "next set", "NextSetIntent", "", "", render_ssml(WRONG_REST, espeak))
    data = {"turn": turn.number, "programmed": 30, "heard": rest.heard, "error": rest.error}
    failures = pacing_failures([{**data, "ok": rest.ok}])
    assert failures == [f"turn 3: rest of 30 s heard as {rest.heard:.2f} s"]
    assert "OFF by more than 1 s" in pacing_table([{**data, "ok": rest.ok}])


def test_a_rest_is_measured_from_the_end_of_its_announcement_to_the_end_of_the_beep() -> None:
    ssml = f'<speak>Good. Rest 45 seconds. <break time="7s"/> Three. {BEEP} Go.</speak>'
    speech = render_ssml(ssml, EstimateVoice())
    [rest] = measure_rests(speech.timed)
    announcement = speech.timed[0]
    assert rest.start == pytest.approx(announcement.end, abs=1e-3)
    three = speech.timed[2]
    assert rest.heard == pytest.approx(7 + three.seconds + REST_OVER.seconds, abs=1e-3)


def test_a_rest_without_the_beep_is_not_ok() -> None:
    ssml = f'<speak>Rest 30 seconds. <break time="10s"/> <audio src="{WORKOUT_DONE.src}"/></speak>'
    [rest] = measure_ssml_rests(ssml, EstimateVoice())
    assert rest.heard is None and rest.error is None and not rest.ok
    failure = {"turn": 5, "programmed": 30, "heard": None, "error": None, "ok": False}
    assert pacing_failures([failure]) == ["turn 5: rest of 30 s heard as no beep"]
    assert "NO BEEP" in pacing_table([failure])


def test_no_rest_at_all_fails_the_pacing_check() -> None:
    assert pacing_failures([]) == ["no rest was announced in the session"]


def test_the_announcement_comes_from_the_phrasebook() -> None:
    pattern = rest_announcement()
    found = pattern.search("That was the last set. Rest 120 seconds.")
    assert found is not None and found.group(1) == "120"
    assert pattern.search("Your rests are now 45 seconds.") is None


# ---- limits ---------------------------------------------------------------------------------


def test_limit_problems_name_speech_and_reprompt() -> None:
    long_break = '<speak>Rest. <break time="12s"/> Go.</speak>'
    clips = "".join(f'<audio src="{WORKOUT_DONE.src}"/>' for _ in range(30))  # 92 s of audio
    problems = limit_problems(long_break, f"<speak>{clips}</speak>")
    assert problems[0].startswith("speech: <break> of 12 s is over")
    assert problems[1].startswith("reprompt: 92.4 s of <audio> clips")
    assert limit_problems(GOOD_REST, "<speak>Say next set.</speak>") == []
    assert limit_problems("", "") == []  # PlainText: nothing to check


# ---- the session ----------------------------------------------------------------------------


def _turn(number: int, ssml: str, intent: str = "NextSetIntent") -> RenderedTurn:
    speech = render_ssml(ssml, EstimateVoice())
    rests = tuple(measure_rests(speech.timed))
    return RenderedTurn(number, "next set", intent, "", "", speech, rests=rests)


def test_turns_follow_each_other_with_a_gap_for_the_set() -> None:
    assert turn_starts([3.0, 5.5, 1.0], 2.0) == [0.0, 5.0, 12.5]
    joined = join_session([silence(3.0), silence(5.5), silence(1.0)], 2.0)
    assert joined.seconds == pytest.approx(3.0 + 2 + 5.5 + 2 + 1.0)


def _tone(seconds: float) -> Pcm:
    count = round(seconds * SAMPLE_RATE)
    return Pcm(array("h", (round(8000 * math.sin(i / 6)) for i in range(count))))


def _onsets(pcm: Pcm, quiet: float = 0.5, threshold: int = 2000) -> list[int]:
    """Where each loud stretch starts, after at least `quiet` seconds without one."""
    onsets, last_loud = [], -SAMPLE_RATE * 10
    for index, sample in enumerate(pcm.samples):
        if abs(sample) > threshold:
            if index - last_loud > quiet * SAMPLE_RATE:
                onsets.append(index)
            last_loud = index
    return onsets


def test_the_session_mp3_joins_the_turns_mp3s_where_join_session_puts_them() -> None:
    turns = [_tone(0.5), _tone(1.3), _tone(0.77), _tone(0.2)]
    encoded = [encode_mp3(turn) for turn in turns]
    joined = join_session_mp3(encoded, [len(turn.samples) for turn in turns], 1.0)
    assert joined is not None and joined.startswith(encoded[0])
    assert sum(frame.length for frame in mp3_frames(joined)) == len(joined)  # only frames
    offset = 0
    for data in encoded:  # each turn's own MP3, in order, with silence between
        offset = joined.index(data, offset) + len(data)
    single = encode_mp3(join_session(turns, 1.0))  # what encoding the session itself gives
    heard, expected = _onsets(decode_mp3_bytes(joined)), _onsets(decode_mp3_bytes(single))
    starts = [round(start * SAMPLE_RATE) for start in turn_starts([t.seconds for t in turns], 1)]
    assert len(heard) == len(expected) == 4
    for at, reference, start in zip(heard, expected, starts, strict=True):
        assert abs(at - reference) <= 288 + 2  # half a frame
        assert abs((at - heard[0]) - start) <= 288 + 2
    assert mp3_seconds(joined) == pytest.approx(mp3_seconds(single), abs=0.024 + 1e-9)


def test_the_session_mp3_is_not_joined_when_a_gap_is_too_short() -> None:
    turns = [_tone(0.5), _tone(0.5)]
    encoded = [encode_mp3(turn) for turn in turns]
    lengths = [len(turn.samples) for turn in turns]
    assert join_session_mp3(encoded, lengths, 0.0) is None  # the encoder's delay is ~46 ms
    assert join_session_mp3(encoded, lengths, 0.1) is not None
    assert join_session_mp3([], [], 2.0) == b""


def test_transcript_timeline_is_monotonic_and_in_session_time() -> None:
    turns = [
        _turn(1, "<speak>Welcome. Which one?</speak>", "LaunchRequest"),
        _turn(2, GOOD_REST),
        _turn(3, GOOD_REST),
    ]
    data = transcript(turns, 2.0, {"workout": "bodyweight", "engine": "estimate"})
    starts = [turn["start"] for turn in data["turns"]]
    assert starts[1] == pytest.approx(turns[0].speech.seconds + 2.0, abs=1e-3)
    times = [cue["start"] for turn in data["turns"] for cue in turn["cues"]]
    assert times == sorted(times) and len(set(times)) == len(times)
    assert data["turns"][1]["cues"][0]["start"] == starts[1]
    assert data["turns"][1]["file"] == "02-NextSetIntent.mp3"
    assert [rest["turn"] for rest in data["rests"]] == [2, 3]
    assert all(rest["ok"] for rest in data["rests"])  # the timing model paces exactly
    text = format_transcript(data)
    assert "turn 2: you say 'next set' -> NextSetIntent (02-NextSetIntent.mp3" in text
    assert f"{clock(starts[1])}  Nice work. Rest 30 seconds." in text


def test_transcript_lists_limit_problems_with_their_turn() -> None:
    turn = RenderedTurn(
        4, "next set", "NextSetIntent", "", "", render_ssml(GOOD_REST, EstimateVoice()), ("x",)
    )
    assert transcript([turn], 2.0)["problems"] == ["turn 4 (NextSetIntent): x"]


def test_file_names_sort_in_turn_order_and_are_safe() -> None:
    assert turn_file_name(3, "AMAZON.NextIntent") == "03-AMAZON.NextIntent.mp3"
    assert turn_file_name(12, "a/b c") == "12-a_b_c.mp3"
    assert clock(75.5) == "01:15.50"


def test_rest_measure_error_is_heard_minus_programmed() -> None:
    assert RestMeasure(30, 29.61, 3.0).error == pytest.approx(-0.39)
    assert RestMeasure(30, 31.2, 3.0).ok is False


# ---- progress bar ---------------------------------------------------------------------------


def test_format_bar_fills_in_proportion_and_clamps() -> None:
    assert format_bar(0, 4, width=8) == "[........] 0/4"
    assert format_bar(2, 4, width=8, note="x.mp3") == "[####....] 2/4 x.mp3"
    assert format_bar(9, 4, width=8) == "[########] 4/4"


def test_progress_shows_on_a_terminal_only_unless_forced() -> None:
    assert should_show(io.StringIO()) is False
    assert should_show(io.StringIO(), forced=True) is True

    class Tty(io.StringIO):
        def isatty(self) -> bool:
            return True

    assert should_show(Tty()) is True
    assert should_show(Tty(), forced=False) is False


def test_progress_bar_redraws_in_place_and_ends_the_line() -> None:
    out = io.StringIO()
    with ProgressBar(2, out, width=4, label="rendering") as bar:
        bar.advance(note="a long note")
        bar.advance()
    text = out.getvalue()
    assert text.count("\r") == 3 and text.endswith("\n")
    assert "rendering [##..] 1/2 a long note" in text
    last = text.rsplit("\r", 1)[1]
    assert last.startswith("rendering [####] 2/2") and len(last.rstrip("\n")) >= len(
        "rendering [##..] 1/2 a long note"
    )  # padded: no leftover characters from the longer line


def test_a_disabled_progress_bar_writes_nothing() -> None:
    out = io.StringIO()
    with ProgressBar(3, out, enabled=False) as bar:
        bar.advance()
    assert out.getvalue() == ""
