"""The coach's audio tracks: which exist, what each says and when, and where each is served.

Pure (no audio libraries, no disk). The skill asks it for a track and its URL; `make audio`
(tracks/build.py) renders every track it lists; the web app serves only its files.

    catalog = default_catalog()            # or AudioCatalog(phrasebook, library)
    catalog.rest(45)                       # "Rest 45 seconds.", the paced rest, the beep
    catalog.set_call("bodyweight", 0, 2)   # "Next: set 2 of 4 of T push-up, 4 reps each side.
                                           #  When you're done, say: Alexa, next."
    catalog.set_call("dumbbell", 0, 2, 13) # the runner's own reps: "..., 13 reps. ..."
    catalog.lead_in(1, "bodyweight", 2)    # "Good. Next up: Suspension row." (praise variant 1)
    catalog.lead_in(1)                     # "Good."
    catalog.introduction("bodyweight", 3)  # "Exercise 4 of 6: Y-T-W-L raise. These small ..."
    catalog.introduction("bodyweight", 3, first_time=False)   # "..., which you've done before."
    catalog.finished()                     # after the last set: how to hear the summary
    catalog.routine_part("dumbbell", "warm_up", 1)   # "Warm-up, part 2 of 2.", its moves led
                                           #  on the clock, the beep, "That's you warmed up."
    catalog.by_id("rest-045")              # a Track, or None
    catalog.by_file("rest-045-....mp3")    # a Track, or None (what the web route serves)
    catalog.tracks()                       # every track, in a stable order
    track.url(settings.audio_base_url)     # base URL + "/" + track.file
    track.id, track.title, track.file, track.planned_seconds, track.rest_seconds

Arguments are 0-based indexes (`exercise_index`, `variant`, as Progress and the Composer keep
them) and 1-based set numbers; anything outside the workouts or 15..300 s raises ValueError,
so a URL for a track that does not exist is never handed out.

A turn that moves on from a set plays, one after another: a lead-in (praise, and the next
exercise's name when it changes), the rest, then the next set's call (with the exercise's
introduction before it when the exercise is new). Only the rest needs exact
timing, and it is one file, so the gaps a player leaves between queued tracks fall before the
rest starts or after its closing beep, never inside it.

A rest track lasts its programmed length exactly, from the end of the words "Rest N seconds."
to the end of its closing beep, with the cues that skill.speech.rest_pacing places in a spoken
rest (halfway, one minute left, thirty seconds left, ten seconds, three, two, one) at the same
moments. The rest is a Timed section: its sounds are placed on a clock, so the voice's real
speed changes only the silence between them, not when each cue starts. Its beep is the coach's
own tone of REST_OVER's length: a track cannot hold a sound-library clip.

A file name carries a digest of what the track says and when (`rest-045-3f9c2a1b7d.mp3`): new
wording gives a new URL, so no player or cache mixes old and new; unchanged tracks keep theirs.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from functools import cache, cached_property

from skill.coaching.coach import Coach
from skill.content.loader import default_library
from skill.content.models import Exercise, Library, WorkoutPlan
from skill.locales import DEFAULT, SPOKEN
from skill.speech.phrasebook import Phrasebook, default_phrasebook
from skill.speech.replies import Composer, reps_words
from skill.speech.rest_pacing import Cue, Pause, Sound, pace_rest
from skill.speech.sounds import REST_OVER, SoundClip
from skill.speech.timing import speech_seconds

MIME_TYPE = "audio/mpeg"
# MP3 as Alexa plays it in <audio> too: MPEG-2 layer III, 48 kbps, 24000 Hz, mono, constant
# bitrate (a player seeks to offsetInMilliseconds by byte position). Part of every digest.
TRACK_FORMAT = "mp3/mpeg-2 layer 3/48 kbps/24000 Hz/mono/cbr/v1"
MIN_REST_SECONDS = 15
MAX_REST_SECONDS = 300  # tracks are not limited by the length of one spoken response
DIGEST_CHARS = 10
READY_SECONDS = 1  # the ready tone's track: the beep, ending with it
# After "Warm-up, part 2 of 2.", before its first move's call: a sentence's pause (a call at 0
# would fall inside the heading's last MP3 frame, which the join cannot do).
ROUTINE_LEAD_SECONDS = 0.5
_TRACK_ID = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")


@dataclass(frozen=True)
class Words:
    """Spoken in the coach's voice, as one utterance."""

    text: str


@dataclass(frozen=True)
class Tone:
    """A sound of the clip's exact length, made by the coach (a beep for REST_OVER)."""

    clip: SoundClip


@dataclass(frozen=True)
class At:
    seconds: float  # when the sound starts, from the start of its Timed section
    sound: Words | Tone


@dataclass(frozen=True)
class Timed:
    """A stretch of exactly `seconds`, with sounds at set moments and silence between."""

    seconds: float
    events: tuple[At, ...]
    # "rest": its last sound, the beep, ends at its end; "led": a led set; "tone": a tone alone
    kind: str = "rest"


Section = Words | Timed


@dataclass(frozen=True)
class Track:
    id: str  # "rest-045": what the skill names it by, in tokens or logs
    title: str  # for the player's screen: "Rest 45 seconds"
    sections: tuple[Section, ...]  # played one after another
    locale: str = DEFAULT  # whose words and voice

    def __post_init__(self) -> None:
        if not _TRACK_ID.fullmatch(self.id):
            raise ValueError(f"track id {self.id!r} must be lowercase letters, digits and dashes")

    @cached_property
    def digest(self) -> str:
        """sha256 of the format and of what is said and when, in a fixed text form."""
        recipe = json.dumps(
            [TRACK_FORMAT, self.locale, [_section_data(s) for s in self.sections]],
            ensure_ascii=False,
        )
        return hashlib.sha256(recipe.encode("utf-8")).hexdigest()

    @property
    def file(self) -> str:
        return f"{self.locale}-{self.id}-{self.digest[:DIGEST_CHARS]}.mp3"

    def url(self, base_url: str) -> str:
        return f"{base_url.rstrip('/')}/{self.file}"

    @property
    def words(self) -> str:
        """Everything the track says, in order."""
        said: list[str] = []
        for section in self.sections:
            if isinstance(section, Words):
                said.append(section.text)
            else:
                said += [at.sound.text for at in section.events if isinstance(at.sound, Words)]
        return " ".join(said)

    @property
    def rest_seconds(self) -> int | None:
        """The exact rest this track paces, if it paces one."""
        rests = (s.seconds for s in self.sections if isinstance(s, Timed) and s.kind == "rest")
        return next((round(seconds) for seconds in rests), None)

    @property
    def planned_seconds(self) -> float:
        """Its length by the timing model; a rendered track differs only in its words' lengths."""
        return _seconds(self.sections)

    @property
    def seconds_before_led(self) -> float:
        """How long it plays before a set it leads begins (a led set's call), by the timing
        model; its whole length when it leads none."""
        led = next(
            (i for i, s in enumerate(self.sections) if isinstance(s, Timed) and s.kind == "led"),
            None,
        )
        return _seconds(self.sections if led is None else self.sections[:led])


def _seconds(sections: tuple[Section, ...]) -> float:
    return round(
        sum(s.seconds if isinstance(s, Timed) else speech_seconds(s.text) for s in sections), 3
    )


def _sound_data(sound: Words | Tone) -> list[object]:
    if isinstance(sound, Words):
        return ["words", sound.text]
    return ["tone", sound.clip.name, sound.clip.seconds]


def _section_data(section: Section) -> list[object]:
    if isinstance(section, Words):
        return _sound_data(section)
    events = [[round(at.seconds, 3), *_sound_data(at.sound)] for at in section.events]
    return ["timed", section.kind, section.seconds, events]


def rest_events(rest_seconds: int, phrases: Phrasebook) -> tuple[At, ...]:
    """pace_rest's beats on a clock, with cue lengths from the same timing model as speech."""
    events: list[At] = []
    clock = 0.0
    for beat in pace_rest(rest_seconds, lambda key: speech_seconds(phrases.say(key))):
        if isinstance(beat, Pause):
            clock += beat.seconds
        elif isinstance(beat, Cue):
            events.append(At(round(clock, 3), Words(phrases.say(beat.key))))
            clock += beat.seconds
        elif isinstance(beat, Sound):
            events.append(At(round(clock, 3), Tone(beat.clip)))
            clock += beat.clip.seconds
    return tuple(events)


class AudioCatalog:
    def __init__(self, phrases: Phrasebook, library: Library, locale: str = DEFAULT) -> None:
        self.phrases = phrases
        self.library = library
        self.locale = locale

    def _track(self, track_id: str, title: str, sections: tuple[Section, ...]) -> Track:
        return Track(track_id, title, sections, self.locale)

    # --- the tracks, one by one ----------------------------------------------------------------

    def rest(self, seconds: int) -> Track:
        if not isinstance(seconds, int) or not MIN_REST_SECONDS <= seconds <= MAX_REST_SECONDS:
            raise ValueError(
                f"rest tracks are {MIN_REST_SECONDS} to {MAX_REST_SECONDS} s, not {seconds!r}"
            )
        return self._track(
            f"rest-{seconds:03d}",
            self.phrases.say("audio.titles.rest", seconds=seconds),
            (
                Words(self.phrases.say("rest.start", seconds=seconds)),
                Timed(seconds, rest_events(seconds, self.phrases)),
            ),
        )

    def set_call(
        self, workout_id: str, exercise_index: int, set_number: int, reps: int | None = None
    ) -> Track:
        """The set's call, with the plan's reps or the runner's own `reps` a set (any count in
        the exercise's range, or an easier or harder way's own: a track each, as for the
        plan's), a led set led at them."""
        workout = self._workout(workout_id)
        exercise = self._exercise(workout, exercise_index)
        if not 1 <= set_number <= exercise.sets:
            raise ValueError(f"{exercise.name} has sets 1 to {exercise.sets}, not {set_number}")
        track_id = f"set-{workout.id}-{exercise_index + 1}-{set_number}"
        if reps is not None and reps != exercise.reps.count:
            low, high = exercise.reps_range
            if not low <= reps <= high and reps not in _ways_reps(exercise):
                raise ValueError(f"{exercise.name} has {low} to {high} reps a set, not {reps}")
            exercise = exercise.at_reps(reps)
            track_id += f"-r{reps}"
        call = self.phrases.say(
            "audio.set",
            set=set_number,
            sets=exercise.sets,
            name=exercise.name,
            reps=reps_words(self.phrases, exercise.reps),
        )
        led = self._led(exercise)
        sections: tuple[Section, ...]
        if led is None:
            sections = (Words(f"{call} {self.phrases.say('audio.go')}"),)
        else:  # the set itself, led as in speech, then what to say when it is over
            sections = (Words(call), led, Words(self.phrases.say("audio.led_done")))
        return self._track(
            track_id,
            self.phrases.say(
                "audio.titles.set", name=exercise.name, set=set_number, sets=exercise.sets
            ),
            sections,
        )

    def _led(self, exercise: Exercise) -> Timed | None:
        """The Composer's led set (skill.speech.set_pacing's tempo: letters, or "switch hands"
        halfway) with each call on the clock where its speech puts it."""
        led = self._composer.lead_set(exercise)
        if led is None:
            return None
        speech, seconds = led
        events: list[At] = []
        clock = 0.0
        for piece in speech.pieces:  # the speech's own record of what is said when
            if piece.words:
                events.append(At(round(clock, 3), Words(piece.words)))
            clock += piece.seconds
        return Timed(round(seconds, 3), tuple(events), kind="led")

    @cached_property
    def _composer(self) -> Composer:
        return Composer(Coach(self.library), self.phrases)

    def lead_in(
        self, variant: int, workout_id: str | None = None, next_index: int | None = None
    ) -> Track:
        """Praise (`variant` as the Composer picks it), and "Next up: <exercise>." when a
        workout and the index of the exercise coming next are given."""
        count = len(self.phrases.variants("rest.praise"))
        variant %= count
        words = self.phrases.say("rest.praise", variant)
        track_id = f"praise-{variant + 1}"
        if (workout_id is None) != (next_index is None):
            raise ValueError("give both the workout and the next exercise's index, or neither")
        if workout_id is not None and next_index is not None:
            workout = self._workout(workout_id)
            exercise = self._exercise(workout, next_index)
            words += " " + self.phrases.say("exercise.next_up", name=exercise.name)
            track_id += f"-next-{workout.id}-{next_index + 1}"
        return self._track(track_id, words, (Words(words),))

    def introduction(self, workout_id: str, exercise_index: int, first_time: bool = True) -> Track:
        """What the Composer says when an exercise comes up: the first time, its name, why, the
        set-up and the cues that matter most; after that, its name and the one that matters
        most (`first_time=False`)."""
        workout = self._workout(workout_id)
        self._exercise(workout, exercise_index)
        if first_time:
            speech = self._composer.introduce_first(workout, exercise_index)
        else:
            speech = self._composer.remind(workout, exercise_index)
        words = " ".join(piece.words for piece in speech.pieces if piece.words)
        kind = "intro" if first_time else "reminder"
        return self._track(
            f"{kind}-{workout.id}-{exercise_index + 1}",
            workout.exercises[exercise_index].name,
            (Words(words),),
        )

    def routine_part(self, workout_id: str, kind: str, part: int) -> Track:
        """Part `part` (0-based) of the workout's warm-up or cool-down (`kind`), led as the
        spoken coach leads it (each move called and held for its seconds, then the beep),
        ending with the way on: "Alexa, next" for the next part, or the spoken part's last
        words after the last. Played where a reply may not speak (a device's button)."""
        workout = self._workout(workout_id)
        if kind not in ("warm_up", "cool_down"):
            raise ValueError(f"no routine {kind!r}: warm_up or cool_down")
        parts = workout.warm_up if kind == "warm_up" else workout.cool_down
        if not 0 <= part < len(parts):
            raise ValueError(f"the {workout.name} has no {kind} part {part}")
        events: list[At] = []
        clock = ROUTINE_LEAD_SECONDS
        for move in parts[part]:  # each call starts its move's seconds, as in speech
            events.append(At(round(clock, 3), Words(self._composer.move_call(move))))
            clock += move.seconds
        events.append(At(round(clock, 3), Tone(REST_OVER)))
        led = Timed(round(clock + REST_OVER.seconds, 3), tuple(events), kind="routine")
        if part + 1 < len(parts):
            way_on = self.phrases.say(f"audio.{kind}_next", next=part + 2)
        else:
            way_on = self.phrases.say(f"{kind}.done")
        heading = self.phrases.say(f"{kind}.part", part=part + 1, parts=len(parts))
        title = self.routine_title(kind, part, len(parts))
        track_id = f"{kind.replace('_', '')}-{workout.id}-{part + 1}"
        return self._track(track_id, title, (Words(heading), led, Words(way_on)))

    def routine_title(self, kind: str, part: int, parts: int) -> str:
        """ "Warm-up: part 2 of 2", for the player's screen (`part` 0-based)."""
        return self.phrases.say(f"audio.titles.{kind}", part=part + 1, parts=parts)

    def ready(self) -> Track:
        """A short tone, no words: played after a spoken set announcement, so that the coach
        holds the player and "Alexa, next" reaches it when the set is done."""
        start = READY_SECONDS - REST_OVER.seconds
        tone = Timed(READY_SECONDS, (At(start, Tone(REST_OVER)),), kind="tone")
        return self._track("ready", self.phrases.say("audio.titles.ready"), (tone,))

    def finished(self) -> Track:
        words = self.phrases.say("audio.finished")
        return self._track("finished", self.phrases.say("audio.titles.finished"), (Words(words),))

    # --- every track ---------------------------------------------------------------------------

    def tracks(self) -> tuple[Track, ...]:
        """Everything `make audio` renders and the web route may serve."""
        return tuple(self._by_id.values())

    def by_id(self, track_id: str) -> Track | None:
        return self._by_id.get(track_id)

    def by_file(self, file_name: str) -> Track | None:
        return self._by_file.get(file_name)

    @cached_property
    def _by_id(self) -> dict[str, Track]:
        tracks = [self.rest(n) for n in range(MIN_REST_SECONDS, MAX_REST_SECONDS + 1)]
        praise = range(len(self.phrases.variants("rest.praise")))
        tracks += [self.lead_in(v) for v in praise]
        for workout in self.library.workouts:
            for index, exercise in enumerate(workout.exercises):
                tracks += [self.lead_in(v, workout.id, index) for v in praise]
                tracks += [self.introduction(workout.id, index, first) for first in (True, False)]
                low, high = exercise.reps_range
                counts = {*range(low, high + 1), *_ways_reps(exercise)} - {exercise.reps.count}
                tracks += [
                    self.set_call(workout.id, index, n, reps)
                    for reps in (None, *sorted(counts))
                    for n in range(1, exercise.sets + 1)
                ]
            for kind, parts in (("warm_up", workout.warm_up), ("cool_down", workout.cool_down)):
                tracks += [self.routine_part(workout.id, kind, n) for n in range(len(parts))]
        tracks += [self.ready(), self.finished()]
        by_id = {track.id: track for track in tracks}
        if len(by_id) != len(tracks):
            raise ValueError("two tracks share an id")
        return by_id

    @cached_property
    def _by_file(self) -> dict[str, Track]:
        return {track.file: track for track in self._by_id.values()}

    def _workout(self, workout_id: str) -> WorkoutPlan:
        workout = self.library.get(workout_id)
        if workout is None:
            raise ValueError(f"no workout {workout_id!r}")
        return workout

    @staticmethod
    def _exercise(workout: WorkoutPlan, index: int) -> Exercise:
        if not 0 <= index < len(workout.exercises):
            raise ValueError(f"the {workout.name} has no exercise {index}")
        return workout.exercises[index]


def _ways_reps(exercise: Exercise) -> set[int]:
    """The reps a set of the exercise's easier and harder ways, where they have their own."""
    return {r for r in (exercise.easier_reps, exercise.harder_reps) if r is not None}


@cache
def default_catalog(locale: str = DEFAULT) -> AudioCatalog:
    """The shipped wording and workouts of `locale`, built once per process."""
    return AudioCatalog(default_phrasebook(locale), default_library(locale), locale)


def track_of_file(file_name: str) -> Track | None:
    """The shipped track whose file is `file_name` ("en-GB-rest-045-3f9c2a1b7d.mp3"), in the
    locale its name begins with, or None."""
    locale = next((code for code in SPOKEN if file_name.startswith(f"{code}-")), None)
    return None if locale is None else default_catalog(locale).by_file(file_name)
