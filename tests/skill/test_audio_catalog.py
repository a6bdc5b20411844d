"""The audio catalog: which tracks exist, what each says and when, and their names and URLs."""

from __future__ import annotations

import re

import pytest

from harness.interaction_model import load_model
from harness.utterances import match
from skill.audio.catalog import (
    MAX_REST_SECONDS,
    MIN_REST_SECONDS,
    AudioCatalog,
    Timed,
    Tone,
    Words,
    default_catalog,
)
from skill.coaching.coach import Coach
from skill.content.loader import default_library
from skill.speech.phrasebook import Phrasebook, default_phrasebook
from skill.speech.replies import Composer
from skill.speech.sounds import REST_OVER
from skill.speech.timing import speech_seconds


def timed(seconds: int) -> Timed:
    [section] = [s for s in default_catalog().rest(seconds).sections if isinstance(s, Timed)]
    return section


def cue_times(seconds: int) -> list[tuple[float, str]]:
    return [
        (at.seconds, at.sound.text if isinstance(at.sound, Words) else "<beep>")
        for at in timed(seconds).events
    ]


def test_there_is_a_rest_track_for_every_whole_second_from_15_s_to_5_minutes() -> None:
    catalog = default_catalog()
    assert (MIN_REST_SECONDS, MAX_REST_SECONDS) == (15, 300)
    lengths = [t.rest_seconds for t in catalog.tracks() if t.rest_seconds is not None]
    assert sorted(lengths) == list(range(15, 301))
    for wrong in (14, 301, 0, -30):
        with pytest.raises(ValueError, match="15 to 300"):
            catalog.rest(wrong)
    with pytest.raises(ValueError):
        catalog.rest(45.5)  # type: ignore[arg-type]


@pytest.mark.parametrize("seconds", [15, 30, 45, 90, 120, 300])
def test_a_rest_track_is_its_announcement_then_exactly_its_length(seconds: int) -> None:
    track = default_catalog().rest(seconds)
    words, rest = track.sections
    assert words == Words(f"Rest {seconds} seconds.")
    assert isinstance(rest, Timed) and rest.seconds == seconds == track.rest_seconds
    last = rest.events[-1]
    assert last.sound == Tone(REST_OVER)
    assert last.seconds + REST_OVER.seconds == pytest.approx(seconds, abs=1e-9)


def countdown(seconds: int) -> list[tuple[float, str]]:
    """Three, two, one a second apart, then the beep that ends with the rest."""
    beep = seconds - REST_OVER.seconds
    return [
        (round(beep - 3, 3), "Three."),
        (round(beep - 2, 3), "Two."),
        (round(beep - 1, 3), "One."),
        (round(beep, 3), "<beep>"),
    ]


def test_rest_cues_come_at_the_moments_a_runner_expects() -> None:
    assert cue_times(30) == [(15.0, "Halfway."), (20.0, "Ten seconds."), *countdown(30)]
    assert cue_times(45) == [(22.5, "Halfway."), (35.0, "Ten seconds."), *countdown(45)]
    assert cue_times(90) == [
        (30.0, "One minute left."),
        (45.0, "Halfway."),
        (60.0, "Thirty seconds left."),
        (80.0, "Ten seconds."),
        *countdown(90),
    ]
    assert cue_times(300) == [
        (150.0, "Halfway."),
        (240.0, "One minute left."),
        (270.0, "Thirty seconds left."),
        (290.0, "Ten seconds."),
        *countdown(300),
    ]


def test_rest_tracks_say_what_the_spoken_rest_says_in_the_same_order() -> None:
    """Same wording and timing model as speech: the Composer's SSML for a rest (up to the
    120 s one response can pace) holds the same words, and its breaks put each cue at the
    track's time for it."""
    composer = Composer(Coach(default_library()), default_phrasebook())
    for seconds in (15, 30, 45, 61, 90, 120):
        ssml = composer.rest(seconds, 0, None).ssml()
        after = ssml.split(f"Rest {seconds} seconds.", 1)[1]
        clock, spoken = 0.0, []
        for tag, text in re.findall(r'<break time="(\d+)ms"/>|<[^>]*>|([^<]+)', after):
            if tag:
                clock += int(tag) / 1000
            elif text.strip():
                spoken.append((round(clock, 3), text.strip()))
                clock += speech_seconds(text.strip())
        track = [(t, w) for t, w in cue_times(seconds) if w != "<beep>"]
        assert [w for _, w in spoken] == [w for _, w in track]
        assert [t for t, _ in spoken] == pytest.approx([t for t, _ in track], abs=0.002)


def test_a_set_call_names_the_set_the_exercise_the_reps_and_how_to_finish() -> None:
    catalog = default_catalog()
    track = catalog.set_call("bodyweight", 0, 2)
    [words] = track.sections
    assert isinstance(words, Words)
    assert words.text == (
        "Next: set 2 of 4 of T push-up, 4 reps each side. When you're done, say: Alexa, next."
    )
    assert track.id == "set-bodyweight-1-2" and track.rest_seconds is None
    assert catalog.set_call("dumbbell", 5, 3).sections[0] == Words(
        "Next: set 3 of 3 of biceps curl to shoulder press, 12 reps. "
        "When you're done, say: Alexa, next."
    )
    for wrong in (("bodyweight", 0, 5), ("bodyweight", 0, 0), ("bodyweight", 6, 1), ("x", 0, 1)):
        with pytest.raises(ValueError):
            catalog.set_call(*wrong)


def test_a_set_the_coach_leads_is_led_in_the_track_as_in_speech() -> None:
    """The Y-T-W-L raise letter by letter, the carry's "switch hands" halfway: the calls at
    the moments the Composer's SSML gives them, then what to say when the set is over."""
    catalog = default_catalog()
    composer = Composer(Coach(default_library()), default_phrasebook())
    workout = default_library().get("bodyweight")
    assert workout is not None
    for index in (3, 4, 5):  # Y-T-W-L raise, overhead carry, stir the pot
        track = catalog.set_call("bodyweight", index, 2)
        call, led, done = track.sections
        assert isinstance(call, Words) and call.text.startswith("Next: set 2 of 3 of ")
        assert "Alexa, next" not in call.text  # not before the set is led
        assert done == Words("That's the set. When you're ready, say: Alexa, next.")
        assert isinstance(led, Timed) and led.kind == "led"
        lead = composer.lead_set(workout.exercises[index])
        assert lead is not None
        assert led.seconds == pytest.approx(lead[1], abs=0.001)
        spoken = [part for part in lead[0].parts if not part.startswith("<break")]
        assert [at.sound for at in led.events] == [Words(text) for text in spoken]
        assert track.rest_seconds is None
    carry = catalog.set_call("bodyweight", 4, 1).sections[1]
    assert isinstance(carry, Timed)
    assert [(at.seconds, at.sound) for at in carry.events] == [
        (3.0, Words("Go.")),
        (pytest.approx(3.0 + 0.625 + 15.0), Words("Switch hands.")),
    ]


def test_a_set_at_the_runners_own_pace_is_only_called() -> None:
    for index in range(6):
        track = default_catalog().set_call("dumbbell", index, 1)
        assert not [s for s in track.sections if isinstance(s, Timed)]


def test_every_set_of_every_workout_has_a_call() -> None:
    catalog = default_catalog()
    for workout in default_library().workouts:
        for index, exercise in enumerate(workout.exercises):
            for number in range(1, exercise.sets + 1):
                track = catalog.set_call(workout.id, index, number)
                assert catalog.by_id(track.id) == track
                assert catalog.by_file(track.file) == track


def test_every_set_has_a_call_for_each_count_of_reps_the_runner_may_choose() -> None:
    """The runner's own reps (a step up, "go back to 12") are any count in the exercise's
    range: each has its call, served like the plan's; a count outside the range has none."""
    catalog = default_catalog()
    assert catalog.set_call("dumbbell", 0, 2, 13).words == (
        "Next: set 2 of 3 of dumbbell shoulder press, 13 reps. When you're done, say: Alexa, next."
    )
    assert catalog.set_call("dumbbell", 4, 1, 7).words.startswith(
        "Next: set 1 of 3 of plank row, 7 reps each side."
    )
    assert catalog.set_call("dumbbell", 0, 2, 12) == catalog.set_call("dumbbell", 0, 2)
    for workout in default_library().workouts:
        for index, exercise in enumerate(workout.exercises):
            low, high = exercise.reps_range
            for reps in range(low, high + 1):
                for number in range(1, exercise.sets + 1):
                    track = catalog.set_call(workout.id, index, number, reps)
                    assert catalog.by_id(track.id) == track
                    assert catalog.by_file(track.file) == track
            for wrong in (low - 1, high + 1):
                with pytest.raises(ValueError):
                    catalog.set_call(workout.id, index, 1, wrong)


def test_a_lead_in_is_praise_and_the_next_exercise_when_it_changes() -> None:
    catalog = default_catalog()
    assert catalog.lead_in(1).sections == (Words("Good."),)
    assert catalog.lead_in(6).sections == (Words("Good."),)  # variants wrap, as in speech
    track = catalog.lead_in(0, "bodyweight", 2)
    assert track.sections == (Words("Nice. Next up: suspension row."),)
    assert catalog.by_id(track.id) == track
    with pytest.raises(ValueError):
        catalog.lead_in(0, "bodyweight")
    with pytest.raises(ValueError):
        catalog.lead_in(0, "bodyweight", 9)


def test_file_names_are_unique_and_urls_join_the_base() -> None:
    catalog = default_catalog()
    files = [track.file for track in catalog.tracks()]
    assert len(set(files)) == len(files) == len(catalog.tracks())
    assert all(re.fullmatch(r"en-US-[a-z0-9-]+-[0-9a-f]{10}\.mp3", name) for name in files)
    track = catalog.rest(45)
    assert track.url("https://coach.example/audio") == f"https://coach.example/audio/{track.file}"
    assert track.url("https://coach.example/audio/") == f"https://coach.example/audio/{track.file}"
    assert catalog.by_file("rest-045.mp3") is None and catalog.by_id("rest-301") is None


def test_new_wording_gives_new_file_names_only_for_the_tracks_that_say_it() -> None:
    phrases = dict(default_phrasebook().phrases)
    phrases["rest.halfway"] = ("Half way there.",)
    changed = AudioCatalog(Phrasebook(phrases), default_library())
    before = default_catalog()
    assert changed.rest(45).file != before.rest(45).file
    assert changed.rest(45).id == before.rest(45).id
    assert changed.rest(20).file == before.rest(20).file  # too short for "halfway"
    assert changed.set_call("bodyweight", 0, 1).file == before.set_call("bodyweight", 0, 1).file


def test_an_introduction_says_what_the_spoken_coach_says() -> None:
    catalog = default_catalog()
    composer = Composer(Coach(default_library()), default_phrasebook())
    workout = default_library().get("dumbbell")
    assert workout is not None
    first = catalog.introduction("dumbbell", 2)
    [words] = first.sections
    assert isinstance(words, Words)
    assert words.text == " ".join(composer.introduce_first(workout, 2).parts)
    assert words.text.startswith("Exercise 3 of 6: chest press.")
    [again] = catalog.introduction("dumbbell", 2, first_time=False).sections
    assert again == Words(" ".join(composer.remind(workout, 2).parts))
    assert "which you've done before" in again.text
    assert catalog.by_id("intro-dumbbell-3") == first
    with pytest.raises(ValueError):
        catalog.introduction("dumbbell", 6)


def test_the_catalog_lists_the_finished_track_and_nothing_twice() -> None:
    catalog = default_catalog()
    words = catalog.finished().sections[0]
    assert isinstance(words, Words)
    # What it tells the runner to say reaches an intent that answers it.
    command = words.text.split("say: ", 1)[1].removeprefix("Alexa, ").rstrip(".")
    assert match(command, load_model()).intent == "WorkoutsThisWeekIntent"
    ids = [track.id for track in catalog.tracks()]
    assert len(ids) == len(set(ids))
    assert ids.count("finished") == 1


@pytest.mark.parametrize("locale", ["en-US", "de-DE"])
def test_each_warm_up_and_cool_down_part_is_led_as_in_speech_and_ends_with_the_way_on(
    locale: str,
) -> None:
    """A device's next button may not speak: the part it leads is the coach's own recording,
    its moves called and held for their seconds as the spoken coach holds them, the beep, then
    how to go on (issue 18, findings 3 and 11)."""
    catalog = default_catalog(locale)
    phrases = default_phrasebook(locale)
    composer = Composer(Coach(default_library(locale)), phrases)
    for workout in default_library(locale).workouts:
        for kind, parts in (("warm_up", workout.warm_up), ("cool_down", workout.cool_down)):
            for part, moves in enumerate(parts):
                track = catalog.routine_part(workout.id, kind, part)
                assert catalog.by_id(track.id) == track
                heading, led, way_on = track.sections
                assert heading == Words(
                    phrases.say(f"{kind}.part", part=part + 1, parts=len(parts))
                )
                assert isinstance(led, Timed)
                calls = [at for at in led.events if isinstance(at.sound, Words)]
                assert [at.sound for at in calls] == [Words(composer.move_call(m)) for m in moves]
                held = [
                    b.seconds - a.seconds
                    for a, b in zip(calls, [*calls[1:], led.events[-1]], strict=True)
                ]
                assert held == [pytest.approx(m.seconds) for m in moves]
                assert led.events[-1].sound == Tone(REST_OVER)
                assert led.seconds == pytest.approx(led.events[-1].seconds + REST_OVER.seconds)
                assert isinstance(way_on, Words)
                if part + 1 < len(parts):
                    assert ("Alexa, next" if locale == "en-US" else "Alexa, weiter") in way_on.text
                    assert str(part + 2) in way_on.text
                else:
                    assert way_on.text == phrases.say(f"{kind}.done")
    assert catalog.routine_part("dumbbell", "warm_up", 1).id == "warmup-dumbbell-2"
    for wrong in (("dumbbell", "warm_up", 2), ("dumbbell", "stretch", 0), ("yoga", "warm_up", 0)):
        with pytest.raises(ValueError):
            catalog.routine_part(*wrong)
