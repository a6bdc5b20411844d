"""Rests as a runner hears them in hands-free mode: exact, however long.

The runner sets a rest by voice on a device with a player, finishes a set, and the device plays
what the coach sends. The rest is measured from the audio the device played (the rest track the
app served, rendered in the offline voice): from the end of the words "Rest N seconds." to the
end of the closing beep. It must be within 0.1 s of the rest asked for, and the device must have
played the whole track, uncut, with the next set's call after it.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from harness.dialog_stage import Stage
from tracks.build import measure_rest

pytestmark = pytest.mark.slow

RUNNER = "amzn1.ask.account.HANDS-FREE-RESTS"


@pytest.mark.parametrize("seconds", [30, 45, 90, 300])
def test_a_rest_played_by_the_player_lasts_what_the_runner_asked_for(
    seconds: int, tmp_path: Path, coach_env: pytest.MonkeyPatch
) -> None:
    stage = Stage(tmp_path / "coach.sqlite3", voice="espeak")
    device = stage.device(RUNNER)
    player = device.enable_audio_player()
    for words in ("open upper body coach", "the dumbbell workout", "skip the warm-up"):
        device.say(words)
    asked = device.say(f"make my rests {seconds} seconds")
    assert f"rests are now {seconds} seconds" in asked.speech_text
    device.say("next set")  # in the session: from here the player carries the workout
    device.wait(seconds + 60)

    [rest] = [played for played in player.played if "-rest-" in played.stream.url]
    assert rest.ended == "finished" and rest.from_ms == 0  # played whole, not cut or resumed
    track = stage.audio_dir / rest.stream.url.rsplit("/", 1)[1]
    heard, cues = measure_rest(track.read_bytes())
    assert abs(heard - seconds) <= 0.1, f"heard {heard} s for a {seconds} s rest"
    assert len(cues) >= 4  # ten seconds, three, two, one and the beep at least
    after = [played for played in player.played if played.start >= rest.end]
    assert after and "/en-US-set-dumbbell-1-2-" in after[0].stream.url


def test_a_whole_hands_free_render_measures_every_rest_the_player_played(
    tmp_path: Path, coach_env: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from harness import cli

    out = tmp_path / "render"
    argv = ["render", "--audio-player", "--engine", "espeak", "--workout", "dumbbell"]
    status = cli.main([*argv, "--rest", "45", "--out", str(out)])
    text = capsys.readouterr().out
    assert status == 0, text
    rows = [line.split() for line in text.splitlines() if line.strip().startswith("45 s  heard")]
    assert len(rows) == 17  # every rest between the 18 sets of the dumbbell workout
    assert all(abs(float(row[3]) - 45) <= 0.1 for row in rows), rows
