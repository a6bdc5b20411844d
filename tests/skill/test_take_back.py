"""A workout's last set counted by mistake, taken back (issue 18, "never count a set the runner
has not done"): the coach's move on its own (skill.coaching.coach, skill.coaching.take_back), and
the runner's stored record when it is done for real afterwards."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from harness.device import Device, FlaskTransport
from skill.app import create_app
from skill.coaching import events as ev
from skill.coaching import take_back
from skill.coaching.coach import Coach
from skill.coaching.history import History
from skill.coaching.progress import Progress
from skill.content.loader import default_library
from tests.support import USER_ID
from tests.support.servers import sqlite_records

NOW = 1_796_000_000.0
DAY = 24 * 3600
COACH = Coach(default_library())


def _on_last_set() -> Progress:
    """The dumbbell workout on the last set of its last exercise, every set before it done."""
    progress = COACH.start(Progress(), "dumbbell", NOW, False).progress
    for _ in range(17):
        progress = COACH.finish_set(progress, NOW).progress
    return progress


# --- the coach's move ------------------------------------------------------------------------


def test_taking_back_the_finish_calls_the_last_set_again_with_it_off_the_count() -> None:
    before = _on_last_set()
    finished = COACH.finish_set(before, NOW + 60)
    assert finished.progress.finished and finished.progress.sets_done == 18
    back = COACH.take_back_finish(finished.progress, before)
    assert back is not None
    assert back.progress == before  # set 3 of 3 of the curl to press, 17 sets done
    assert back.progress.sets_done == 17 and not back.progress.finished
    assert back.events == (ev.FinishTakenBack(), ev.SetAnnounced(5, 3, with_name=True))


def test_a_paused_last_set_comes_back_unpaused_and_only_a_finished_workout_is_taken_back() -> None:
    before = replace(_on_last_set(), paused=True)
    finished = COACH.finish_set(COACH.resume(before, NOW).progress, NOW).progress
    back = COACH.take_back_finish(finished, before)
    assert back is not None and not back.progress.paused
    assert COACH.take_back_finish(before, before) is None  # nothing finished to take back
    other = COACH.start(Progress(), "bodyweight", NOW, False).progress
    assert COACH.take_back_finish(finished, other) is None  # another workout's place


# --- what the record keeps --------------------------------------------------------------------


def test_the_finish_holds_while_the_record_is_as_it_left_it_and_for_half_an_hour() -> None:
    before = _on_last_set()
    kept = take_back.before_finish(before, None, {}, NOW)
    after: tuple[object, object, object] = ({"progress": 1}, {"workouts": []}, None)
    finish = take_back.sealed(kept, *after)
    assert take_back.Finish.from_dict(finish.to_dict()) == finish
    assert finish.place() == replace(before, reps=(), pace=before.pace)
    assert take_back.still_kept(finish, *after)
    assert not take_back.still_kept(finish, {"progress": 2}, *after[1:])  # moved on since
    assert not take_back.still_kept(finish, after[0], after[1], {"x": {}})  # reps chosen since
    assert not take_back.still_kept(None, *after)
    assert take_back.may_take_back(finish, NOW + take_back.TAKE_BACK_SECONDS)
    assert not take_back.may_take_back(finish, NOW + take_back.TAKE_BACK_SECONDS + 1)
    assert finish.past() == History()  # there was no history before


@pytest.mark.parametrize("stored", [None, "x", {"at": "now"}, {"at": 1.0, "progress": {}}])
def test_a_finish_this_version_cannot_read_is_none(stored: object) -> None:
    assert take_back.Finish.from_dict(stored) is None


# --- the runner's record ----------------------------------------------------------------------


class Clock:
    def __init__(self) -> None:
        self.now = NOW

    def __call__(self) -> float:
        return self.now


def _runner(db: Path, mistake: bool) -> dict[str, Any]:
    """Three dumbbell workouts of the curl to press, the last one's sets led slower; in the last,
    with `mistake`, "done" is said too soon on the last set and taken back, then said again."""
    clock = Clock()
    app = create_app({"COACH_VERIFY_REQUESTS": "0", "COACH_DB_PATH": str(db), "COACH_CLOCK": clock})
    device = Device(FlaskTransport(app), user_id=USER_ID)

    def say(words: str, at: float) -> str:
        clock.now = at
        return device.say(words).speech_text

    for workout in range(3):
        start = NOW + workout * 3 * DAY
        say("open upper body coach", start)
        say("start the dumbbell workout", start + 10)
        say("skip the warm up", start + 20)
        said = say("go to curl to press", start + 30)
        if "want to go up" in said:  # the step up, after two workouts with every set done
            say("yes", start + 40)
        if workout == 2:
            say("slow down", start + 50)
        say("done", start + 200)
        say("done", start + 400)
        if mistake and workout == 2:
            assert "You've finished" in say("done", start + 420)
            assert "Take back the last set" in say("i said done by accident", start + 430)
            assert "set 3 of 3" in say("yes", start + 440)
            week = say("how many workouts this week", start + 450)
            assert "You've done two workouts" in week  # the two before, not this one
        assert "You've finished" in say("done", start + 600)
        say("no", start + 610)  # no cool-down
        device.end_session()
    record = sqlite_records(db)[USER_ID]
    del record["last_request"]
    # When the device's time zone was last asked for (a cache, asked at most once a day) is
    # not the runner's: it is kept from the finish taken back.
    for zone in record["reminders"]["zones"]:
        zone[2] = None
    return record


def test_done_by_mistake_taken_back_and_done_again_stores_what_one_finish_stores(
    tmp_path: Path, coach_env: Any
) -> None:
    once = _runner(tmp_path / "once.sqlite3", mistake=False)
    taken_back = _runner(tmp_path / "taken_back.sqlite3", mistake=True)
    assert taken_back == once
    # and what they hold is the truth: three finished workouts, the step up taken
    history = History.from_dict(once["history"])
    assert [w.sets_done for w in history.workouts] == [3, 3, 3]
    assert once["exercises"]["curl_to_press"]["reps"] == 13
