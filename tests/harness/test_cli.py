"""The `coach` command: chat, dialog and render, in process and against a real server with
request verification on. No network: Google is stood in for by `responses`."""

from __future__ import annotations

import io
import json
import re
import subprocess
import sys
import types
import urllib.request
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest
import requests
import responses

from harness import cli
from harness.cli import audio, chat_command, dialog_command, recognition, render_command
from harness.device import TransportResponse
from harness.dialog import dialog_paths
from harness.local_server import serve_app
from harness.segment_audio import standin_pcm
from harness.signing import CA_CERT_FILE
from harness.ssml_reader import Clip
from skill.speech.sounds import REST_OVER
from tests.support import REPO_ROOT
from tracks import mp3
from tracks.mp3 import encode_mp3, mp3_frames, mp3_seconds
from tracks.voices.pcm import Pcm, silence

ROOT = REPO_ROOT
GOOGLE_TTS_URL = "https://translate.google.com/_/TranslateWebserverUi/data/batchexecute"
Json = dict[str, Any]


def run(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    argv: list[str],
    stdin: str = "",
) -> tuple[int, str, str]:
    """main(argv) with `stdin` piped in; (exit status, stdout, stderr)."""
    monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
    status = cli.main(argv)
    out, err = capsys.readouterr()
    return status, out, err


@pytest.fixture
def local(tmp_path: Path, coach_env: pytest.MonkeyPatch) -> list[str]:
    """Flags for an offline, in-process run whose files all go under tmp_path."""
    coach_env.chdir(tmp_path)
    return ["--cache-dir", str(tmp_path / "cache")]


# ---- chat -----------------------------------------------------------------------------------

CHAT_SCRIPT = """\
open upper body coach
# comments and blank lines are skipped

start the bodyweight workout
skip the warm up
next set
/timeout
next set
Alexa, tell upper body coach next set
"""


def test_chat_reads_stdin_prints_the_coach_and_writes_one_mp3_per_turn(
    tmp_path: Path,
    local: list[str],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    out = tmp_path / "chat"
    argv = ["chat", "--out", str(out), "--no-play", "--db", str(tmp_path / "c.db"), *local]
    status, text, _ = run(capsys, monkeypatch, argv, CHAT_SCRIPT)
    assert status == 0
    assert "> open upper body coach" in text
    assert "intent:   LaunchRequest" in text
    assert "Welcome to Upper Body Coach" in text
    assert "intent:   StartWorkoutIntent {'workout': 'bodyweight'}" in text
    assert "Rest 30 seconds." in text and "Set 2 of 4" in text
    assert "microphone closed unanswered" in text
    assert "not sent: no session open" in text  # "next set" after the microphone closed
    assert "Set 3 of 4" in text  # the one-shot reached the skill
    files = sorted(path.name for path in out.iterdir())
    assert files == [
        "01-LaunchRequest.mp3",
        "02-StartWorkoutIntent.mp3",
        "03-SkipWarmUpIntent.mp3",
        "04-NextSetIntent.mp3",
        "05-NextSetIntent.mp3",
    ]
    rest_turn = (out / "04-NextSetIntent.mp3").read_bytes()
    assert mp3_frames(rest_turn)[0].sample_rate == 24000
    assert 30 < mp3_seconds(rest_turn) < 40  # the paced rest and the cues around it
    assert "warning" not in text


def test_chat_without_audio_only_prints(
    tmp_path: Path,
    local: list[str],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    argv = ["chat", "--no-audio", "--db", str(tmp_path / "c.db"), *local]
    status, text, _ = run(capsys, monkeypatch, argv, "open upper body coach\n/quit\nhelp\n")
    assert status == 0
    assert "Welcome to Upper Body Coach" in text
    assert "> help" not in text  # /quit ended the chat
    assert not (tmp_path / "renders").exists() and not (tmp_path / "cache").exists()


TIMED_CHAT = """\
open upper body coach
start the dumbbell workout
skip the warm up
/wait 120
Alexa, tell upper body coach next set
/wait 120
Alexa, tell upper body coach next set
/wait 120
Alexa, tell upper body coach stop
"""


def test_chat_summary_minutes_are_the_devices_time_not_the_seconds_the_run_took(
    tmp_path: Path,
    local: list[str],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The coach's clock follows the requests' timestamps (the device's speech and /wait), so
    two sets over some eight minutes of device time are not summed up as under a minute."""
    argv = ["chat", "--no-audio", "--engine", "estimate", "--db", str(tmp_path / "c.db"), *local]
    status, text, _ = run(capsys, monkeypatch, argv, TIMED_CHAT)
    assert status == 0
    assert "So far, 2 sets of 1 exercise in " in text
    assert "under a minute" not in text
    minutes = int(re.search(r"2 sets of 1 exercise in (\d+) minutes", text)[1])  # type: ignore[index]
    assert 6 <= minutes <= 12


@pytest.mark.parametrize("exact", [False, True])
def test_chat_understands_a_runners_own_words_unless_told_to_match_samples_exactly(
    tmp_path: Path,
    local: list[str],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    exact: bool,
) -> None:
    said = ["open upper body coach", "let's do the bodyweight one", "skip the warm up"]
    said += ["ok i'm done", "give me another 30 seconds"]
    flags = ["--exact"] if exact else []
    argv = ["chat", "--no-audio", "--db", str(tmp_path / "c.db"), *flags, *local]
    status, text, err = run(capsys, monkeypatch, argv, "\n".join(said) + "\n")
    assert status == 0
    understood = [
        "StartWorkoutIntent {'workout': 'bodyweight'}",
        "Rest 30 seconds",  # "ok i'm done": set 1 counted, the rest paced
        "LongerRestIntent",
    ]
    if exact:
        assert "exact matcher" in err
        assert not any(words in text for words in understood), text
        assert text.count("didn't catch") >= 2
    else:
        assert "statistical stand-in" in err
        assert all(words in text for words in understood), text


def test_chat_on_a_screen_prints_what_it_shows_and_touches_its_controls(
    tmp_path: Path,
    local: list[str],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    argv = ["chat", "--no-audio", "--screen", "--db", str(tmp_path / "c.db"), *local]
    script = "open upper body coach\nstart the bodyweight workout\nskip the warm up\n"
    script += "/touch next_set\n/touch\n"
    status, text, _ = run(capsys, monkeypatch, argv, script)
    assert status == 0
    assert '"setLabel": "Set 1 of 4"' in text
    assert "intent:   Alexa.Presentation.APL.UserEvent" in text
    assert "Rest 30 seconds." in text and '"setLabel": "Set 2 of 4"' in text
    assert "error:    /touch takes what the control sends" in text


def test_chat_runs_as_a_module_reading_a_pipe_until_eof(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "harness.cli", "chat", "--no-audio", "--db", "c.db"],
        input="open upper body coach\nstart the dumbbell workout\n",
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"},
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "Let's do the dumbbell workout" in done.stdout
    assert (tmp_path / "c.db").exists()


# ---- a fake skill, for answers the real one never gives -------------------------------------


def speak(ssml: str, *, end: bool = False) -> Json:
    reprompt = {"outputSpeech": {"type": "SSML", "ssml": "<speak>Say next set.</speak>"}}
    inner: Json = {"outputSpeech": {"type": "SSML", "ssml": f"<speak>{ssml}</speak>"}}
    if not end:
        inner["reprompt"] = reprompt
    return {"version": "1.0", "response": {**inner, "shouldEndSession": end}}


BAD_REST = (
    f'Good set. Rest 30 seconds. <break time="12s"/> One. <audio src="{REST_OVER.src}"/> Set 2.'
)


class FakeSkill:
    """Launch, start, one rest paced for 12 s with a break over Alexa's 10 s, then the end."""

    def __init__(self) -> None:
        self.next_sets = 0

    def post(self, body: bytes, headers: Mapping[str, str]) -> TransportResponse:
        request = json.loads(body)["request"]
        name = request.get("intent", {}).get("name")
        if request["type"] == "SessionEndedRequest":
            answer: Json = {"version": "1.0", "response": {}}
        elif request["type"] == "LaunchRequest":
            answer = speak("Welcome. Which workout?")
        elif name == "StartWorkoutIntent":
            answer = speak("Set 1 of 2: 5 reps.")
        elif name == "SkipWarmUpIntent":  # what render says after the start
            answer = speak("Set 1 of 2: 5 reps.")
        elif name == "NextSetIntent" and self.next_sets == 0:
            self.next_sets += 1
            answer = speak(BAD_REST)
        else:
            answer = speak("You've finished.", end=True)
        return TransportResponse(200, json.dumps(answer).encode())


@pytest.fixture
def fake_skill(monkeypatch: pytest.MonkeyPatch) -> None:
    def connect(args: Any, db_path: Path | None) -> cli.Connection:
        return cli.Connection(FakeSkill, None)

    for command in (chat_command, dialog_command, render_command):
        monkeypatch.setattr(command, "connect", connect)


def test_chat_warns_about_a_limit_breach_naming_the_turn(
    fake_skill: None,
    local: list[str],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    script = "open upper body coach\nstart the bodyweight workout\nnext set\n"
    status, text, _ = run(capsys, monkeypatch, ["chat", "--no-audio", *local], script)
    assert status == 0  # chat only warns
    [warning] = [line for line in text.splitlines() if "warning" in line]
    assert "turn 3 (NextSetIntent) breaks a limit: speech: <break> of 12 s is over" in warning


def test_render_fails_on_a_mis_paced_rest_and_a_limit_breach(
    fake_skill: None,
    tmp_path: Path,
    local: list[str],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    out = tmp_path / "fake"
    argv = ["render", "--engine", "estimate", "--out", str(out), *local]
    status, text, _ = run(capsys, monkeypatch, argv)
    assert status == 1
    assert "turn 4 (NextSetIntent): speech: <break> of 12 s is over Alexa's 10 s limit" in text
    assert "OFF by more than 1 s" in text
    assert "turn 4: rest of 30 s heard as 13.4" in text  # 12 s + "One." + the 0.78 s beep
    assert sorted(p.name for p in out.glob("*.mp3"))[-1] == "session.mp3"


def test_render_encodes_the_session_itself_when_there_is_no_gap_to_join_in(
    fake_skill: None,
    tmp_path: Path,
    local: list[str],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    out = tmp_path / "fake"
    argv = ["render", "--engine", "estimate", "--set-seconds", "0", "--out", str(out), *local]
    run(capsys, monkeypatch, argv)
    data = json.loads((out / "transcript.json").read_text(encoding="utf-8"))
    session = mp3_seconds((out / "session.mp3").read_bytes())
    assert 0 < session - data["total_seconds"] < 0.1  # the encoder's delay and padding, once


def test_identical_samples_are_encoded_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    encoded: list[int] = []

    def counting_encode(pcm: Pcm) -> bytes:
        encoded.append(len(pcm.samples))
        return encode_mp3(pcm)

    monkeypatch.setattr(mp3, "encode_mp3", counting_encode)
    beep, pause = standin_pcm(Clip(REST_OVER.src, REST_OVER.seconds)), silence(0.5)
    with audio.Mp3Encoder(tmp_path, workers=2) as encoder:
        results = [encoder.submit(pcm) for pcm in (beep, pause, beep, beep, pause)]
        mp3s = [future.result() for future in results]
    assert sorted(encoded) == sorted([len(beep.samples), len(pause.samples)])
    assert mp3s[0] == mp3s[2] == mp3s[3] != mp3s[1] == mp3s[4]
    assert len(list((tmp_path / "mp3").rglob("*.mp3"))) == 2
    with audio.Mp3Encoder(tmp_path) as encoder:  # a later run: from the cache
        assert encoder.submit(beep).result() == mp3s[0]
    assert len(encoded) == 2


REMINDER_CHAT = """\
alexa, tell upper body coach to remind me every monday and thursday at 7 am
alexa, ask upper body coach when's my next workout
alexa, tell upper body coach to change my reminder to 6
alexa, tell upper body coach to cancel my reminders
"""


def test_chat_prints_the_reminders_set_whenever_a_turn_changes_them(
    tmp_path: Path,
    local: list[str],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """In process, chat stands in for Alexa's Reminders API: a reminder the runner sets is set
    there, and the transcript says what is set after each turn that changed it."""
    argv = ["chat", "--no-audio", "--db", str(tmp_path / "c.db"), *local]
    status, text, _ = run(capsys, monkeypatch, argv, REMINDER_CHAT)
    assert status == 0, text
    said = [line for line in text.splitlines() if line.startswith("> ")]
    shown = [line.strip() for line in text.splitlines() if "Reminders:" in line]
    assert shown == [
        "Reminders: Monday 07:00, Thursday 07:00 (UTC): Time for your upper body workout. "
        "Say, Alexa, open Upper Body Coach.",
        "Reminders: Monday 06:00, Thursday 06:00 (UTC): Time for your upper body workout. "
        "Say, Alexa, open Upper Body Coach.",
        "Reminders: none",
    ]
    # Each line follows the turn that changed the reminders; asking for the next one does not.
    turns = text.split("\n> ")
    assert len(turns) == len(said) == 4
    assert ["Reminders:" in turn for turn in turns] == [True, False, True, True]
    assert "I'll remind you every Monday and Thursday at 7 am" in turns[0]


# ---- dialog ---------------------------------------------------------------------------------

PASSING = """\
name: start and restart
turns:
  - say: open upper body coach
    hear: Welcome to Upper Body Coach
  - say: start the bodyweight workout
    hear: "Warm-up, part 1 of 2"
  - do: restart_server
  - say: skip the warm up
    hear: "Set 1 of 4"
  - say: next set
    rest: 30
    hear: "Set 2 of 4"
"""

FAILING = """\
name: expects the wrong set
turns:
  - say: open upper body coach
  - say: start the bodyweight workout
    hear: "Set 3 of 4"
"""


REMINDER_THEN_WRONG = """\
name: sets a reminder, then expects the wrong words
turns:
  - say: alexa, tell upper body coach to remind me every friday at 6 pm
    reminders: Friday 18:00
  - say: alexa, ask upper body coach when's my next workout
    hear: never
"""


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def test_dialog_passes_a_good_script_with_a_restart(
    tmp_path: Path,
    local: list[str],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    script = write(tmp_path, "good.yaml", PASSING)
    status, text, _ = run(capsys, monkeypatch, ["dialog", str(script)])
    assert status == 0, text
    assert text.splitlines() == [f"PASS {script}", "1 passed, 0 failed"]


def test_dialog_fails_with_the_report_and_goes_on_to_the_next_file(
    tmp_path: Path,
    local: list[str],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    bad = write(tmp_path, "bad.yaml", FAILING)
    broken = write(tmp_path, "broken.yaml", "name: x\nturns:\n  - shout: hello\n")
    good = write(tmp_path, "good.yaml", PASSING)
    status, text, _ = run(capsys, monkeypatch, ["dialog", str(bad), str(broken), str(good)])
    assert status == 1
    assert f"FAIL {bad}" in text and f"FAIL {broken}" in text and f"PASS {good}" in text
    assert "FAILED dialog 'expects the wrong set'" in text
    assert "at turn 2: say 'start the bodyweight workout'" in text
    assert "- expected to hear 'Set 3 of 4'" in text
    assert "cannot load:" in text and "turn 1" in text
    assert text.rstrip().endswith("1 passed, 2 failed")


def test_a_dialog_report_shows_the_reminders_each_turn_set(
    tmp_path: Path,
    local: list[str],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    script = write(tmp_path, "reminder.yaml", REMINDER_THEN_WRONG)
    status, text, _ = run(capsys, monkeypatch, ["dialog", str(script)])
    assert status == 1
    before = text.split("before that:")[1]
    assert "turn 1: say 'alexa, tell upper body coach to remind me every friday at 6 pm'" in before
    assert "Reminders: Friday 18:00 (UTC): Time for your upper body workout" in before
    # The failing turn changed nothing: no line for it.
    assert text.count("Reminders:") == 1


def test_dialog_fails_on_a_limit_breach_naming_the_turn(
    fake_skill: None,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    script = write(
        tmp_path,
        "limits.yaml",
        "name: limits\nturns:\n  - say: open upper body coach\n"
        "  - say: start the bodyweight workout\n  - say: next set\n    hear: Set 2\n",
    )
    status, text, _ = run(capsys, monkeypatch, ["dialog", str(script)])
    assert status == 1
    assert "but responses break Alexa's limits" in text
    assert "turn 3: say 'next set': speech: <break> of 12 s is over" in text


def test_the_project_dialogs_pass_through_the_command(
    local: list[str], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every kind of `do:` action (server restarts, days passing, old records, Alexa's APIs
    failing) in the scripts that use it first, and a plain script, plays through `coach
    dialog` as it does in the tests (test_dialogs plays every script in process)."""
    paths = dialog_paths(ROOT / "tests" / "skill" / "dialogs")
    kinds: dict[str, str] = {}  # an action's name without its argument: the first script
    for path in paths:
        for action in DO_ACTION.findall(path.read_text()):
            kinds.setdefault(re.sub(r"_\d+$", "", action), str(path))
    acting = list(dict.fromkeys(kinds.values()))
    plain = next(str(path) for path in paths if "- do: " not in path.read_text())
    assert {"restart_server", "two_days_pass", "store_version_1_record", "api_fails"} <= set(kinds)
    status, text, _ = run(capsys, monkeypatch, ["dialog", *acting, plain])
    assert status == 0, text
    assert f"{len(acting) + 1} passed, 0 failed" in text


# ---- render, for real, with espeak ----------------------------------------------------------


DO_ACTION = re.compile(r"- do: ([a-z_0-9]+)")


@pytest.fixture(scope="module")
def bodyweight_render(tmp_path_factory: pytest.TempPathFactory) -> tuple[int, str, Path]:
    """The whole bodyweight workout rendered once with espeak, from a cold cache (a few s)."""
    folder = tmp_path_factory.mktemp("render")
    out = folder / "renders"
    argv = ["render", "--workout", "bodyweight", "--out", str(out)]
    argv += ["--cache-dir", str(folder / "cache"), "--no-progress"]
    stdout = io.StringIO()
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(sys, "stdout", stdout)
        status = cli.main(argv)
    return status, stdout.getvalue(), out


def test_render_writes_each_turn_the_session_and_the_transcripts(
    bodyweight_render: tuple[int, str, Path],
) -> None:
    status, text, out = bodyweight_render
    assert status == 0, text
    turns = sorted(out.glob("[0-9][0-9]-*.mp3"))
    assert turns[0].name == "01-LaunchRequest.mp3"
    assert turns[1].name == "02-StartWorkoutIntent.mp3"
    assert len(turns) == 24  # launch, start, skip the warm-up, 19 more sets, the summary, "no"
    data = json.loads((out / "transcript.json").read_text(encoding="utf-8"))
    assert [turn["file"] for turn in data["turns"]] == [path.name for path in turns]
    session = mp3_seconds((out / "session.mp3").read_bytes())
    assert session == pytest.approx(data["total_seconds"], abs=0.2)
    assert "You've finished the bodyweight workout" in data["turns"][-2]["text"]
    assert "cool-down?" in data["turns"][-2]["text"]  # offered, and declined
    assert "turn 4: you say 'next set' -> NextSetIntent" in (out / "transcript.txt").read_text()


def test_render_session_is_the_turns_mp3s_in_order_each_at_its_start(
    bodyweight_render: tuple[int, str, Path],
) -> None:
    out = bodyweight_render[2]
    data = json.loads((out / "transcript.json").read_text(encoding="utf-8"))
    session = (out / "session.mp3").read_bytes()
    offset, played = 0, 0.0
    for turn in data["turns"]:
        mp3_data = (out / turn["file"]).read_bytes()
        at = session.index(mp3_data, offset)
        played += mp3_seconds(session[offset:at])  # what plays before it, counted once
        # each turn starts where the transcript says
        assert played == pytest.approx(turn["start"], abs=0.012 + 1e-6), turn["file"]
        played += mp3_seconds(mp3_data)
        offset = at + len(mp3_data)
    assert {(f.version, f.bitrate_kbps, f.sample_rate) for f in mp3_frames(session)} == {
        ("2", 48, 24000)
    }
    assert 0 < mp3_seconds(session) - data["total_seconds"] < 0.1


def test_render_timeline_is_monotonic(bodyweight_render: tuple[int, str, Path]) -> None:
    data = json.loads((bodyweight_render[2] / "transcript.json").read_text(encoding="utf-8"))
    starts = [turn["start"] for turn in data["turns"]]
    assert starts == sorted(starts) and starts[0] == 0.0
    cues = [cue["start"] for turn in data["turns"] for cue in turn["cues"]]
    assert all(later > earlier for earlier, later in zip(cues, cues[1:], strict=False))
    for turn, following in zip(data["turns"], data["turns"][1:], strict=False):
        last = turn["cues"][-1]
        assert last["start"] + last["seconds"] <= following["start"]


def test_render_rests_match_within_a_second_with_espeak(
    bodyweight_render: tuple[int, str, Path],
) -> None:
    status, text, out = bodyweight_render
    data = json.loads((out / "transcript.json").read_text(encoding="utf-8"))
    assert len(data["rests"]) == 19  # 20 sets, a rest between each
    for rest in data["rests"]:
        assert rest["programmed"] == 30
        assert abs(rest["heard"] - 30) <= 1.0, rest
    assert "all rests within 1 s" in text
    assert text.count(" ok") >= 19


def test_render_again_is_fast_and_the_same(
    bodyweight_render: tuple[int, str, Path],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A second render hits the caches; and a longer --rest is asked for and paced."""
    out = bodyweight_render[2]
    first = (out / "04-NextSetIntent.mp3").read_bytes()
    argv = ["render", "--out", str(out), "--cache-dir", str(out.parent / "cache")]
    status, text, _ = run(capsys, monkeypatch, argv)
    assert status == 0, text
    assert (out / "04-NextSetIntent.mp3").read_bytes() == first


# ---- against a real server, verification on -------------------------------------------------


@pytest.fixture
def signed_server(
    tmp_path: Path, coach_env: pytest.MonkeyPatch, dev_identity_dir: Path
) -> Iterator[str]:
    """The documented server: dev_server_app() behind werkzeug on 127.0.0.1, verification on,
    trusting the dev CA at $COACH_DEV_CA_PATH."""
    coach_env.setenv("COACH_DEV_CA_PATH", str(dev_identity_dir / CA_CERT_FILE))
    coach_env.setenv("COACH_DB_PATH", str(tmp_path / "server.sqlite3"))
    with serve_app(cli.dev_server_app()) as base:
        yield base.rstrip("/")


def test_signed_chat_passes_the_servers_real_verification(
    signed_server: str,
    dev_identity_dir: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    with urllib.request.urlopen(signed_server + "/", timeout=5) as health:
        assert json.load(health)["verify_requests"] is True
    argv = ["chat", "--endpoint", signed_server, "--sign", "--identity", str(dev_identity_dir)]
    status, text, _ = run(
        capsys,
        monkeypatch,
        [*argv, "--no-audio"],
        "open upper body coach\nstart the dumbbell workout\n",
    )
    assert status == 0, text
    assert "Welcome to Upper Body Coach" in text
    assert "Let's do the dumbbell workout" in text


def test_unsigned_chat_is_refused_with_a_hint(
    signed_server: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    argv = ["chat", "--endpoint", signed_server, "--no-audio"]
    status, text, _ = run(capsys, monkeypatch, argv, "open upper body coach\n")
    assert status == 1
    assert "HTTP 400" in text and "request verification failed" in text
    assert "hint: the server verifies requests; sign them with --sign" in text


def test_dialog_over_http_runs_signed_and_cannot_restart_the_server(
    signed_server: str,
    dev_identity_dir: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    script = write(tmp_path, "restart.yaml", PASSING)
    argv = ["dialog", str(script), "--endpoint", signed_server + "/alexa", "--sign"]
    status, text, _ = run(capsys, monkeypatch, [*argv, "--identity", str(dev_identity_dir)])
    assert status == 1
    assert "at turn 3: do restart_server" in text
    assert "restart_server cannot be done against a server (--endpoint)" in text
    assert "before that:" in text  # the signed turns before it passed
    assert "Let's do the bodyweight workout" in text


def test_a_wrong_endpoint_is_a_usage_error(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, local: list[str]
) -> None:
    status, _, err = run(capsys, monkeypatch, ["chat", "--endpoint", "localhost:5000"])
    assert status == 2
    assert "--endpoint must be an http(s) URL" in err
    assert cli.endpoint_url("http://127.0.0.1:5000") == "http://127.0.0.1:5000/alexa"
    assert cli.endpoint_url("http://h:1/x/alexa") == "http://h:1/x/alexa"


# ---- voices and recognition -----------------------------------------------------------------


def test_gtts_without_network_names_the_offline_voice(
    tmp_path: Path,
    local: list[str],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    argv = ["chat", "--engine", "gtts", "--out", str(tmp_path / "g"), "--db", "c.db", *local]
    with responses.RequestsMock() as google:
        google.post(GOOGLE_TTS_URL, body=requests.ConnectionError("Name or service not known"))
        status, text, err = run(capsys, monkeypatch, argv, "open upper body coach\n")
    assert status == 2
    assert "Welcome to Upper Body Coach" in text  # the skill answered; only the voice failed
    assert "coach: error: gTTS could not reach Google" in err
    assert "--engine espeak" in err


def test_recognition_flags_fail_clearly_without_the_listen_module(
    tmp_path: Path,
    local: list[str],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(recognition, "LISTEN_MODULE", "harness.no_such_listen")
    argv = ["chat", "--voice", str(tmp_path), "--no-audio", "--db", "c.db"]
    status, _, err = run(capsys, monkeypatch, argv)
    assert status == 2
    assert "--voice and --check-words need harness.no_such_listen" in err
    status, _, err = run(capsys, monkeypatch, ["render", "--check-words", *local])
    assert status == 2 and "speech recognition" in err


def test_voice_files_are_recognised_and_said(
    tmp_path: Path,
    local: list[str],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The wiring to harness.listen, with a stand-in recogniser reading file names."""

    class Recognition(types.SimpleNamespace):
        text: str | None

    class CommandRecognizer:
        @classmethod
        def from_model(cls, model: object) -> CommandRecognizer:
            return cls()

        def recognize_file(self, path: Path) -> Recognition:
            words = path.stem.split("-", 1)[1].replace("_", " ")
            return Recognition(text=None if words == "noise" else words)

    fake = types.ModuleType("harness.listen")
    fake.CommandRecognizer = CommandRecognizer  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "harness.listen", fake)
    for name in ("1-open_upper_body_coach", "2-noise", "3-start_the_bodyweight_workout"):
        (tmp_path / f"{name}.wav").write_bytes(b"")
    argv = ["chat", "--voice", str(tmp_path), "--no-audio", "--db", "c.db"]
    status, text, _ = run(capsys, monkeypatch, argv)
    assert status == 0, text
    assert "[1-open_upper_body_coach.wav] heard: open upper body coach" in text
    assert "[2-noise.wav] nothing recognised" in text
    assert "Let's do the bodyweight workout" in text


def test_chat_plays_through_a_player_when_one_is_installed(
    tmp_path: Path,
    local: list[str],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(audio, "PLAYERS", (("true",),))  # a "player" that accepts any file
    argv = ["chat", "--engine", "estimate", "--db", "c.db", *local]
    status, text, _ = run(capsys, monkeypatch, argv, "open upper body coach\n")
    assert status == 0
    assert "audio:" not in text and not (tmp_path / "renders").exists()


def test_chat_without_a_player_writes_the_speech_and_says_where(
    tmp_path: Path,
    local: list[str],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(audio, "PLAYERS", (("no-such-player-here",),))
    argv = ["chat", "--engine", "estimate", "--db", "c.db", *local]
    status, text, _ = run(capsys, monkeypatch, argv, "open upper body coach\n")
    assert status == 0
    assert "(no aplay, paplay or ffplay found: writing the coach's speech to renders/chat/)" in text
    assert [p.name for p in (tmp_path / "renders" / "chat").iterdir()] == ["01-LaunchRequest.mp3"]


def test_dialog_over_http_starts_each_run_fresh_on_a_server_that_remembers(
    signed_server: str,
    dev_identity_dir: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    script = write(tmp_path, "twice.yaml", PASSING.replace("  - do: restart_server\n", ""))
    argv = ["dialog", str(script), str(script), "--endpoint", signed_server, "--sign"]
    status, text, _ = run(capsys, monkeypatch, [*argv, "--identity", str(dev_identity_dir)])
    assert status == 0, text  # the second run is not greeted with "Welcome back"
    assert text.splitlines()[-1] == "2 passed, 0 failed"
