"""The rule for keeping a rest length across workouts (skill.coaching.lasting_rest)."""

from __future__ import annotations

from skill.coaching.lasting_rest import LastingRest, chose, says_kept


def test_the_same_length_chosen_twice_in_a_row_is_kept() -> None:
    once = chose(LastingRest(), 60)
    assert once.kept is None  # once is for that workout only
    twice = chose(once, 60)
    assert twice.kept == 60 and says_kept(once, twice, always=False)


def test_a_different_length_in_between_starts_the_count_again() -> None:
    choices = chose(chose(chose(LastingRest(), 60), 75), 60)
    assert choices.kept is None


def test_a_kept_length_stays_until_another_is_chosen_twice() -> None:
    kept = chose(chose(LastingRest(), 60), 60)
    once_longer = chose(kept, 75)
    assert once_longer.kept == 60 and not says_kept(kept, once_longer, always=False)
    assert chose(once_longer, 75).kept == 75


def test_always_keeps_it_at_once() -> None:
    always = chose(LastingRest(), 90, always=True)
    assert always.kept == 90 and says_kept(LastingRest(), always, always=True)


def test_the_stored_field_round_trips_and_what_cannot_be_read_is_dropped() -> None:
    kept = chose(chose(LastingRest(), 45), 45)
    assert LastingRest.from_dict(kept.to_dict()) == kept
    assert LastingRest.from_dict({"kept": 9999, "chosen": "60", "times": True}) == LastingRest()
    assert LastingRest.from_dict(["not", "a", "dict"]) == LastingRest()
