"""The runner's own week (skill.coaching.schedule): the weekly rules a reminder is set with, the
day and time the coach offers, and calendar weeks on the runner's clock, including a runner in
Auckland who trains at 23:30 local time (10:30 UTC in their summer, 11:30 in their winter)."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from skill.coaching.schedule import (
    DEFAULT_HOUR,
    KEEP_TOKENS,
    KEEP_ZONES,
    Plan,
    Reminders,
    clock_time,
    day_code,
    local,
    next_time,
    offer_day,
    usual_time,
    week_start,
    weeks_back,
)

AUCKLAND = "Pacific/Auckland"
NZ = ZoneInfo(AUCKLAND)


def at(year: int, month: int, day: int, hour: int, minute: int = 0, zone: str = "UTC") -> float:
    """Epoch seconds of a wall-clock time in `zone`."""
    return dt.datetime(year, month, day, hour, minute, tzinfo=ZoneInfo(zone)).timestamp()


def nz(month: int, day: int, hour: int, minute: int = 0, year: int = 2027) -> float:
    return at(year, month, day, hour, minute, AUCKLAND)


# 2027-01-11 is a Monday; January is summer in Auckland (UTC+13), June winter (UTC+12).


# --- the weekly rules ----------------------------------------------------------------------


def test_a_plan_is_one_weekly_rule_a_day_at_its_time() -> None:
    plan = Plan(("MO", "TH"), 7, 0)
    assert plan.rules() == [
        "FREQ=WEEKLY;BYDAY=MO;BYHOUR=7;BYMINUTE=0",
        "FREQ=WEEKLY;BYDAY=TH;BYHOUR=7;BYMINUTE=0",
    ]
    assert Plan(("FR",), 23, 30).rules() == ["FREQ=WEEKLY;BYDAY=FR;BYHOUR=23;BYMINUTE=30"]


def test_changing_the_time_keeps_the_days() -> None:
    """ "Change my reminder to 6": the same days, the new time."""
    assert Plan(("MO", "TH"), 7).at_hour(6).rules() == [
        "FREQ=WEEKLY;BYDAY=MO;BYHOUR=6;BYMINUTE=0",
        "FREQ=WEEKLY;BYDAY=TH;BYHOUR=6;BYMINUTE=0",
    ]


def test_spoken_days_and_times_read_as_the_rule_takes_them() -> None:
    assert [day_code(s) for s in ("Thursday", "mondays", "Fri", "SU", "someday", None)] == [
        "TH",
        "MO",
        "FR",
        "SU",
        None,
        None,
    ]
    assert clock_time("07:00") == (7, 0)
    assert clock_time("18:30") == (18, 30)
    # AMAZON.TIME's parts of the day, and nonsense, are no clock time.
    assert [clock_time(s) for s in ("MO", "EV", "25:00", "", None)] == [None] * 5


def test_a_stored_plan_comes_back_in_week_order_and_a_broken_one_is_dropped() -> None:
    stored = Plan.from_dict({"days": ["TH", "MO"], "hour": 7, "minute": 0})
    assert stored is not None and stored.days == ("MO", "TH")
    for broken in (
        {"days": [], "hour": 7},
        {"days": ["XX"], "hour": 7},
        {"days": ["MO"], "hour": 24},
        {"days": ["MO"], "hour": True},
        {"days": ["MO"], "hour": 7, "minute": 60},
        "MO 7",
    ):
        assert Plan.from_dict(broken) is None, broken


def test_the_kept_reminders_round_trip_and_stay_bounded() -> None:
    reminders = Reminders(
        offered=True,
        plan=Plan(("MO", "TH"), 23, 30),
        tokens=tuple(f"token-{n}" for n in range(KEEP_TOKENS + 3)),
    )
    for n in range(KEEP_ZONES + 2):
        reminders = reminders.with_zone(f"device-{n}", AUCKLAND, 1000.0 + n)
    back = Reminders.from_dict(reminders.to_dict())
    assert back.plan == Plan(("MO", "TH"), 23, 30) and back.offered
    assert len(back.tokens) == KEEP_TOKENS and back.tokens[-1] == f"token-{KEEP_TOKENS + 2}"
    assert len(back.zones) == KEEP_ZONES
    assert back.zone_of(f"device-{KEEP_ZONES + 1}") == (AUCKLAND, 1000.0 + KEEP_ZONES + 1)
    assert back.zone_of("device-0") is None  # the oldest device is forgotten
    # A zone that is not a time zone is never read back as one.
    assert Reminders.from_dict({"zones": [["d", "Mars/Olympus", 1.0]]}).zone_of("d") is None


# --- the day offered ----------------------------------------------------------------------


def test_a_runner_with_one_usual_day_is_offered_three_days_on() -> None:
    """Monday's workout done, the runner has only trained on Mondays: Thursday."""
    mondays = [at(2027, 1, 4, 18), at(2027, 1, 11, 18)]
    assert offer_day(mondays, None, at(2027, 1, 11, 19)) == "TH"
    # Friday's workout: Monday.
    assert offer_day([at(2027, 1, 15, 18)], None, at(2027, 1, 15, 19)) == "MO"


def test_the_runner_is_offered_their_usual_other_day() -> None:
    """A runner who trains Mondays and Saturdays, finishing on Monday, is offered Saturday
    (the day they already keep), not Thursday."""
    times = [at(2027, 1, 2, 9), at(2027, 1, 4, 18), at(2027, 1, 9, 9), at(2027, 1, 11, 18)]
    assert offer_day(times, None, at(2027, 1, 11, 19)) == "SA"


def test_a_day_next_to_today_is_never_offered() -> None:
    """Two workouts a week need a rest between them: a runner who often trains on Tuesdays,
    finishing on Monday, is not offered Tuesday (nor Sunday), but the next usual day after."""
    times = [at(2027, 1, d, 18) for d in (5, 12)]  # Tuesdays
    times += [at(2027, 1, d, 18) for d in (3, 10)]  # Sundays
    times += [at(2027, 1, 7, 18)]  # one Thursday
    assert offer_day(times, None, at(2027, 1, 11, 19)) == "TH"


def test_among_equal_days_the_soonest_is_offered() -> None:
    """Once on Wednesday, once on Saturday; finishing on Monday: Wednesday comes first."""
    times = [at(2027, 1, 6, 18), at(2027, 1, 9, 18)]
    assert offer_day(times, None, at(2027, 1, 11, 19)) == "WE"


# --- the usual time -----------------------------------------------------------------------


def test_the_usual_time_is_the_middle_workout_to_the_half_hour_before() -> None:
    times = [at(2027, 1, 4, 18, 10), at(2027, 1, 7, 18, 40), at(2027, 1, 11, 19, 20)]
    assert usual_time(times, None) == (18, 30)
    assert usual_time([at(2027, 1, 4, 6, 59), at(2027, 1, 7, 7, 5)], None) == (6, 30)


def test_one_late_workout_does_not_move_the_usual_time() -> None:
    times = [at(2027, 1, d, 7, 15) for d in (4, 7, 11)] + [at(2027, 1, 14, 21)]
    assert usual_time(times, None) == (7, 0)


def test_a_runner_with_no_workouts_is_offered_the_morning() -> None:
    assert usual_time([], AUCKLAND) == (DEFAULT_HOUR, 0)


# --- the runner in Auckland who trains at 23:30 -------------------------------------------


def test_the_auckland_runner_is_offered_half_past_eleven_at_night_in_summer_and_winter() -> None:
    """23:30 in Auckland is 10:30 UTC in January and 11:30 UTC in June: on their clock it is
    the same time all year."""
    summer = [nz(1, 11, 23, 30), nz(1, 14, 23, 30)]
    winter = [nz(6, 14, 23, 30), nz(6, 17, 23, 30)]
    assert usual_time(summer, AUCKLAND) == (23, 30)
    assert usual_time(winter, AUCKLAND) == (23, 30)
    assert usual_time(summer + winter, AUCKLAND) == (23, 30)
    # Not the UTC time the same workouts were at.
    assert usual_time(summer, None) == (10, 30)
    assert local(nz(1, 14, 23, 30), AUCKLAND).strftime("%A %H:%M") == "Thursday 23:30"


def test_the_auckland_runner_is_offered_a_day_on_their_own_calendar() -> None:
    """Trained Mondays at 23:30 and finished at 00:10 on Tuesday, Auckland time (still
    Monday in UTC): three days on from their Tuesday is Friday, not UTC's Thursday."""
    mondays = [nz(1, 4, 23, 30), nz(1, 11, 23, 30)]
    finished = nz(1, 12, 0, 10)
    assert local(finished, None).strftime("%A") == "Monday"
    assert offer_day(mondays, AUCKLAND, finished) == "FR"


def test_the_auckland_runners_next_reminder_is_on_their_clock() -> None:
    """Reminders on Monday and Thursday at 23:30. At 23:45 on Thursday in Auckland (10:45
    UTC) tonight's has passed: the next is Monday night, not "today" at 23:30 UTC."""
    plan = Plan(("MO", "TH"), 23, 30)
    thursday_night = nz(1, 14, 23, 45)
    following = next_time(plan, thursday_night, AUCKLAND)
    assert (following.strftime("%A"), following.date(), following.hour, following.minute) == (
        "Monday",
        dt.date(2027, 1, 18),
        23,
        30,
    )
    assert following.utcoffset() == dt.timedelta(hours=13)
    # Earlier that Thursday evening, tonight's is next.
    assert next_time(plan, nz(1, 14, 20), AUCKLAND).date() == dt.date(2027, 1, 14)
    # In winter the same reminder is at 11:30 UTC.
    winter = next_time(plan, nz(6, 17, 20), AUCKLAND)
    assert winter.astimezone(dt.UTC).strftime("%A %H:%M") == "Thursday 11:30"


def test_next_reminder_today_later_or_next_week() -> None:
    plan = Plan(("MO",), 7)
    assert next_time(plan, at(2027, 1, 11, 6), None).date() == dt.date(2027, 1, 11)
    assert next_time(plan, at(2027, 1, 11, 7), None).date() == dt.date(2027, 1, 18)


# --- calendar weeks -----------------------------------------------------------------------


def test_a_calendar_week_starts_on_monday_on_the_runners_clock() -> None:
    assert week_start(at(2027, 1, 14, 12), None) == dt.date(2027, 1, 11)
    assert week_start(at(2027, 1, 17, 23, 59), None) == dt.date(2027, 1, 11)
    assert week_start(at(2027, 1, 18, 0, 0), None) == dt.date(2027, 1, 18)


def test_the_auckland_runners_sunday_night_workout_is_last_week_on_monday_morning() -> None:
    """Sunday 23:30 in Auckland, asked at 08:00 on Monday there: that workout was last week.
    In UTC both are Sunday, the same week."""
    sunday_night = nz(1, 17, 23, 30)
    monday_morning = nz(1, 18, 8)
    assert weeks_back(sunday_night, monday_morning, AUCKLAND) == 1
    assert weeks_back(monday_morning, monday_morning, AUCKLAND) == 0
    assert weeks_back(sunday_night, monday_morning, "UTC") == 0
    assert week_start(monday_morning, AUCKLAND) == dt.date(2027, 1, 18)


def test_weeks_back_counts_whole_calendar_weeks_across_daylight_saving() -> None:
    """Auckland's clocks go back on 4 April 2027: a Thursday night's workout before it is still
    exactly one week back on the next Thursday night."""
    before = nz(4, 1, 23, 30)
    after = nz(4, 8, 23, 30)
    assert after - before == 7 * 24 * 3600 + 3600  # one hour longer: the change
    assert weeks_back(before, after, AUCKLAND) == 1
    assert weeks_back(nz(3, 29, 0, 5), after, AUCKLAND) == 1  # Monday, just after midnight
    assert weeks_back(nz(3, 28, 23, 55), after, AUCKLAND) == 2  # the Sunday before it


@pytest.mark.parametrize("zone", [None, "", "Mars/Olympus", "x" * 65])
def test_an_unknown_zone_reads_as_utc(zone: str | None) -> None:
    assert local(at(2027, 1, 14, 10, 30), zone).strftime("%A %H:%M") == "Thursday 10:30"
