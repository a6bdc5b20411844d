"""The shared ways of answering every command uses (a move said or played, an answer, the set
called again), and the commands every other one may hand a turn to: the welcome, help, the
fallback, stop."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import replace

from skill.alexa import hands_free as hf
from skill.alexa.handlers.reading import Reading
from skill.alexa.reminding import Reminding
from skill.alexa.service import CoachService
from skill.alexa.turn import Outcome, Turn
from skill.audio.plans import routine_part_led_by
from skill.coaching import events as ev
from skill.coaching import pains, progression, take_back
from skill.coaching.coach import Transition
from skill.coaching.history import History, remember
from skill.coaching.progress import Progress
from skill.coaching.routine import offered as routine_offered
from skill.speech.replies import Reply
from skill.speech.ssml import Speech

log = logging.getLogger(__name__)

# The moves that read or add to what the coach remembers (skill.coaching.history).
REMEMBERED = (ev.WorkoutFinished, ev.WorkoutStopped, ev.ExerciseIntroduced)


class Answering(Reading):
    """The ways of answering, and the commands the others hand a turn to."""

    def __init__(self, service: CoachService) -> None:
        self.service = service
        self.coach = service.coach
        self.composer = service.composer
        self.reminding = Reminding(service, self.from_history)
        self.progression = progression.Progression(self.coach)

    def move(self, turn: Turn, step: Callable[[Progress], Transition]) -> Outcome:
        """Apply a coach move to the runner's progress and say (or play) its result."""
        return self.speak(turn, step(turn.progress))

    def speak(self, turn: Turn, move: Transition) -> Outcome:
        """Say a move made from the turn's progress, keeping what it adds to the runner's
        history; in hands-free mode, play it instead where the player can (skill.audio.plans).
        At the cool-down offer, a move the finished workout cannot make ("next set", "skip",
        "keep going") asks the offer again rather than dropping it."""
        if self.offer_open(turn) and [type(e) for e in move.events] == [ev.NoActiveWorkout]:
            return self.offer_again(turn)
        match move.events:
            case (ev.NoActiveWorkout(just_finished=done),) if self.told_to_stop_today(turn):
                # Soon after the advice to stop for today, no workout is offered.
                said = self.composer.no_workout(done)
                return Outcome(self.composer.answer_resting_today(turn.progress, said))
        before = turn.progress
        playing = hf.playing_for(self.service, turn, before, move)
        if playing is None and not turn.asked.may_speak:
            # A button press whose move only words could carry: leave the runner where they
            # are rather than move them on in silence.
            return Outcome()
        known = turn.history.read() if any(isinstance(e, REMEMBERED) for e in move.events) else None
        finished = any(isinstance(event, ev.WorkoutFinished) for event in move.events)
        # A finished workout counts in the runner's own week: their device's time zone.
        zone, reminders = self.reminding.zone(turn) if finished else (None, turn.reminders)
        hurt = pains.lately(turn.hurt, turn.now)
        offers: progression.Offers = {}
        exercises: progression.Records | None = None
        if playing is None:
            offers, exercises = self.progression.offers(
                move.progress, move.events, turn.exercises, hurt, turn.hurt.values()
            )
        # A workout left for another with sets done is kept as stopped: counted as it was left
        left = any(isinstance(event, ev.WorkoutStopped) for event in move.events)
        ended_in = before if left else move.progress
        ended = self.progression.ended(ended_in, move.events, turn.exercises, turn.hurt)
        if ended is not None:
            exercises = ended.records
        if not offers and move.events:  # a move on from an offer: its set is no longer held
            let_go = progression.let_go(turn.exercises if exercises is None else exercises)
            exercises = exercises if let_go is None else let_go
        history = None
        if known is not None:
            library = self.coach.library
            workout_id = move.progress.workout_id
            history = remember(known, workout_id, move.events, library, turn.now, zone)
        player = None if playing is None else hf.play_now(turn, playing, move.progress)
        rest_runs_on = self.place_kept_over_a_rest(turn, move)  # said over a rest, it runs on
        moved = Outcome(
            None,
            move.progress,
            history,
            events=move.events,
            player=player,
            exercises=exercises,
            same_place=rest_runs_on,
        )
        if reminders != turn.reminders:  # the time zone, asked
            moved = replace(moved, reminders=reminders)
        if finished:  # kept to take back a last set counted by mistake
            kept = take_back.before_finish(
                turn.progress, turn.history.stored, turn.exercises, turn.now
            )
            moved = replace(moved, finish=kept)
        if playing is not None and playing.partly:
            # "Counted: 8 of 12 reps.", then the session ends and the player plays the rest
            # at the runner's length, and the next set's call, as after "Alexa, next"
            partly = tuple(e for e in move.events if isinstance(e, ev.SetDonePartly))
            said = self.composer.transition(before, Transition(move.progress, partly)).said
            return replace(moved, reply=Reply(said, None, True))
        if playing is not None and not playing.spoken:
            return moved
        over_a_rest = self.rest_left_over(turn, move)
        if known is None or history is None:
            reply = self.composer.transition(before, move, rest_left=over_a_rest)
        else:
            week = self.composer.week_so_far(history, turn.now, zone) if finished else None
            if finished and ended is not None:
                week = self.news(move.progress, ended, week)
            reply = self.composer.transition(
                before, move, week, known.explained, hurt, offers, over_a_rest
            )
        if playing is not None and reply.reprompt is not None:
            # The set (or a warm-up or cool-down part) is said in words, and the player is the
            # coach's from now on: once the microphone closes, "Alexa, next" is the way on.
            routine = routine_part_led_by(move)
            called = any(isinstance(event, ev.SetAnnounced) for event in move.events)
            kind = None if routine is None or called else routine[0]
            reply = replace(reply, reprompt=self.composer.hands_free_reprompt(kind))
        if reply.end_session and any(isinstance(e, ev.CoolDownPart) for e in move.events):
            return self.reminding.offer_after(turn, replace(moved, reply=reply))
        if self.called_cold(turn, move):
            return self.loosen_up_first(replace(moved, reply=reply))
        return replace(moved, reply=reply)

    def called_cold(self, turn: Turn, move: Transition) -> bool:
        """A set called after long enough away to have cooled down, by anything but the yes
        at "Continue?" ("I'm ready" there, "Alexa, tell upper body coach to skip this
        exercise" hours later, "I've got my pull-up bar now"): the runner loosens up first
        there too, as that yes tells them."""
        calls = any(isinstance(e, ev.SetAnnounced | ev.ExerciseIntroduced) for e in move.events)
        # In a conversation, within seconds of the last answer, they are still warm; but for
        # "Continue?", which the welcome asked on coming back
        back = not turn.asked.in_conversation or turn.asked.pending == "continue"
        return calls and back and self.coach.cooled_down(turn.progress, turn.now)

    def place_kept_over_a_rest(self, turn: Turn, move: Transition) -> bool:
        """A change said over a rest paced in words that leaves the runner where they were (a
        harder way, longer rests, slower sets, missing kit): the rest runs on, and "done"
        before its end still starts the set after it rather than counting that set."""
        if turn.asked.rest_left is None or not self.before_the_call(turn):
            return False
        before, after = turn.progress, move.progress
        called = any(isinstance(event, ev.SetAnnounced) for event in move.events)
        return not called and place_of(before) == place_of(after)

    def rest_left_over(self, turn: Turn, move: Transition) -> float | None:
        """Seconds left of the rest a change is said over that leaves the runner where they
        were: paced in words, or played by the player (hands-free), which plays on into the
        set's call. The answer says so before the way on, not as if the set were under way."""
        if self.place_kept_over_a_rest(turn, move):
            return turn.asked.rest_left
        called = any(isinstance(event, ev.SetAnnounced) for event in move.events)
        if called or place_of(turn.progress) != place_of(move.progress):
            return None
        return hf.rest_left(self.service, turn)

    def say(self, reply: Reply) -> Outcome:
        return Outcome(reply)

    def answer(self, turn: Turn, say: Callable[[Progress], Speech]) -> Outcome:
        """Answer a question, then prompt; at "Continue?" the offer is asked again. At the
        cool-down offer a question is about the cool-down, unless it names a workout."""
        if turn.asked.pending == "cool_down":
            if self.named_workout(turn) is None:
                return Outcome(self.composer.cool_down_answer(turn.progress))
            speech = say(turn.progress)
            return Outcome(self.composer.answer_then_cool_down_offer(turn.progress, speech))
        speech = say(turn.progress)
        if turn.asked.pending == "continue":
            return Outcome(self.composer.answer_then_offer(turn.progress, speech))
        if turn.asked.pending is not None:  # answered, and the question still open
            words = turn.asked.question_words
            return Outcome(self.composer.answer_then_ask(speech, turn.asked.pending, words))
        if self.told_to_stop_today(turn):  # answered, and no way on offered
            return Outcome(self.composer.answer_resting_today(turn.progress, speech))
        kind = self.routine_kind(turn)
        if kind is not None and self.pain_asked_in_routine(turn):  # not "say next": the question
            offer = self.composer.phrases.say(f"pain.{kind}_offer")
            return Outcome(self.composer.answer_then_ask(speech, f"pain:{kind}", (offer,)))
        if kind is None and hf.resting(self.service, turn):  # the rest the player plays runs on
            return Outcome(self.composer.answer_in_rest(turn.progress, speech))
        over_a_rest = turn.asked.rest_left if self.before_the_call(turn) else None
        reply = self.composer.answer(turn.progress, speech, kind, over_a_rest)
        return Outcome(reply)

    def next_routine_part(self, turn: Turn, kind: str, part: int) -> Outcome:
        """ "Next" during a warm-up or cool-down leads its next part."""
        if kind == "warm_up":
            return self.move(turn, lambda p: self.coach.warm_up(p, part))
        move = self.coach.cool_down(turn.progress, part)
        if move is None:
            return self.reminding.offer_after(turn, Outcome(self.composer.cool_down_declined()))
        led = self.speak(turn, move)
        if led.player is None and turn.asked.may_speak:
            # The last part, said in words, holds no player: a part before it still playing
            # recorded (for a button) stops, rather than play on once the words end.
            led = replace(led, player=hf.stop_if_held(self.service, turn))
        return led

    def part_again(self, turn: Turn) -> Outcome | None:
        """In a warm-up or cool-down with no question open, the part just led, led again (the
        place stays: "next" leads the same part after it); None elsewhere."""
        routine = turn.routine_part
        if routine is None or routine[1] == 0 or turn.asked.pending is not None:
            return None
        return self.next_routine_part(turn, routine[0], routine[1] - 1)

    def pain_asked_again(self, turn: Turn) -> Outcome:
        """ "Next" or "resume" at that question: it is asked again, still open. With it no
        longer open (a pause, a one-shot, a new session), why the runner stopped comes first;
        a button, which may not speak, does nothing."""
        pending = turn.asked.pending or ""
        if pending.startswith("pain:"):
            return Outcome(self.composer.help_with_question(turn.asked.question_words, pending))
        routine = turn.routine_part
        if routine is None or not turn.asked.may_speak:
            return self.nothing(turn)
        welcome = not turn.asked.in_conversation
        return Outcome(self.composer.pain_in_routine_again(routine[0], welcome))

    def carrying_on_unanswered(self, turn: Turn) -> Outcome | None:
        """Carrying on ("next", "I'm ready", "harder") at the question after pain, or while a
        warm-up or cool-down part is held for it, is no answer: safety first, and the question
        again. None when no such question stands."""
        if self.pain_asked_in_routine(turn):
            return self.pain_asked_again(turn)
        if self.pain_asked(turn):
            return self.help(turn)
        return None

    def pain_answered(self, turn: Turn, answered: Outcome) -> Outcome:
        """Whether to go on after pain in a warm-up or cool-down, answered: the part is no
        longer held for it."""
        hurt = answered.hurt if answered.hurt is not None else turn.hurt
        return replace(answered, hurt=pains.answered_in_routine(hurt))

    def loosened_up_first(self, turn: Turn, called: Outcome) -> Outcome:
        """The set called again by a one-shot ("Alexa, tell the coach next set", "... resume")
        after long enough away to have cooled down: told to loosen up first, as after the
        welcome's yes (in words only: the player's recorded set plays as it is)."""
        if turn.asked.in_conversation:  # within seconds of the last answer: still warm
            return called
        if not self.coach.back_cold(turn.progress, called.events, turn.now):
            return called
        return self.loosen_up_first(called)

    def loosen_up_first(self, called: Outcome) -> Outcome:
        """`called` (a set called again) after a word to loosen up first."""
        return replace(called, notice=self.composer.phrases.say("set.loosen_up"))

    def offer_again(self, turn: Turn, said: Speech | None = None) -> Outcome:
        """Words of the workout ("next", "go back", "wait") said at the cool-down offer: there
        is no set left to move, so the offer is asked again, still open. A device's button
        cannot ask (its answer may carry no speech): nothing, and the offer stays open."""
        if not turn.asked.may_speak:
            return Outcome()
        return Outcome(self.composer.answer_then_ask(said or Speech(), "cool_down"))

    def welcome_back_to_the_set(self, turn: Turn) -> Outcome:
        """A held set resumed: "Welcome back", and the set called again, nothing counted."""
        return self.move(turn, lambda p: self.coach.resume(p, turn.now))

    def set_called_again(self, turn: Turn) -> Outcome:
        """The set called again, nothing counted, without a "Welcome back"."""
        resumed = self.coach.resume(turn.progress, turn.now)
        events = tuple(e for e in resumed.events if not isinstance(e, ev.Resumed))
        return self.speak(turn, Transition(resumed.progress, events))

    def set_again_after_the_welcome(self, turn: Turn) -> Outcome:
        """The set called again, at a launch that already said "Welcome back"; after long
        enough away to have cooled down, told to loosen up first."""
        called = self.set_called_again(turn)
        if not self.coach.cooled_down(turn.progress, turn.now):
            return called
        return self.loosen_up_first(called)

    def launch(self, turn: Turn) -> Outcome:
        urgent = pains.urgent_lately(turn.hurt, turn.now)
        if self.routine_kind(turn) == "cool_down" and not self.cooling_down_now(turn):
            # A cool-down left hours or days ago is over: the welcome offers a workout, and
            # what is said next is about that, not "say next for the next stretch"
            welcome = self.composer.launch(turn.progress, None, urgent, False)
            return Outcome(welcome, events=(ev.CoolDownLeft(),))
        hurt = self.held_for_pain(turn) or self.pain_asked_in_routine(turn)
        offer = self.cool_down_still_offered(turn)
        # a warm-up part the player was playing, recorded, is where they were: not the set after
        routine = turn.routine_part or hf.routine_part_held(self.service, turn)
        opened = Outcome(self.composer.launch(turn.progress, routine, urgent, hurt, offer))
        if not urgent and self.back_after_unwell(turn):
            return replace(opened, notice=self.composer.phrases.say("launch.after_urgent_days"))
        return opened

    def part_played_on(self, turn: Turn) -> Outcome | None:
        """Yes to "Continue?" over a warm-up part played recorded (or a rest) that the welcome
        stopped part-way: it plays on from there, as "Alexa, resume" would, rather than the set
        after it called at once with the rest of the part, and the introduction, unheard."""
        part = hf.resume_mid_rest(self.service, turn)
        if part is None or hf.routine_part_held(self.service, turn) is None:
            return None
        return Outcome(progress=self.coach.resume(turn.progress, turn.now).progress, player=part)

    def go_before_the_call(self, turn: Turn, said: str) -> Outcome:
        """The set the last answer was leading up to starts now ("Rest over." when its rest was
        still being paced); nothing is counted."""
        rest_over = turn.asked.over_a_rest
        reply = self.composer.go_ahead(turn.progress, rest_over, skip_hint=said == "skip")
        return Outcome(reply)

    def own_ways(self, turn: Turn, move: Transition) -> Transition:
        """A workout (re)started: with the runner's own reps and versions of its exercises, and
        the rest length they keep (unless they chose one for this workout)."""
        return self.lasting_rest(turn, self.progression.started(move, turn.exercises))

    def lasting_rest(self, turn: Turn, move: Transition) -> Transition:
        """A workout started with the rest the runner keeps, within what the device can pace,
        and said so as it starts."""
        kept = turn.rest.kept
        if kept is None or move.progress.rest_seconds is not None:
            return move
        if not any(isinstance(event, ev.WorkoutStarted) for event in move.events):
            return move
        seconds = min(kept, hf.longest_rest(self.service, turn))
        events = tuple(
            replace(event, lasting_rest=seconds) if isinstance(event, ev.WorkoutStarted) else event
            for event in move.events
        )
        return Transition(replace(move.progress, rest_seconds=seconds), events)

    def news(self, progress: Progress, ended: progression.Ended, week: str | None) -> str | None:
        """What went up in this workout, and a new best if there is one, before the week."""
        plan = self.coach.library.get(progress.workout_id or "")
        if plan is None:
            return week
        up = self.composer.went_up(plan, ended.went_up, ended.records)
        said = [up, self.composer.best_news(plan, ended.best), week or ""]
        return " ".join(part for part in said if part) or None

    def set_called_as_it_is(self, turn: Turn) -> Outcome:
        """The set held for the offer, called as it is: nothing counted, nothing changed."""
        return self.speak(turn, self.progression.set_called(turn.progress))

    def where_in_the_routine(self, turn: Turn) -> Callable[[Progress], Speech] | None:
        """In a warm-up or cool-down, "where am I", "what's next" and "how many sets left" are
        about it: the part next and its moves (not the first exercise's sets, nor the workout
        just finished); None outside one."""
        routine = turn.routine_part
        if routine is None:
            return None
        kind, part = routine
        if kind == "warm_up":
            return lambda p: self.composer.warm_up_where(p, part)
        return lambda p: self.composer.cool_down_where(p, part)

    def in_own_time(
        self, turn: Turn, answer: Callable[[History, float, str | None], Speech]
    ) -> Outcome:
        """A history answer on the runner's own calendar: their device's time zone (asked of
        the Settings API at most once a day, kept in the record), or rolling weeks without it."""
        zone, reminders = self.reminding.zone(turn)
        outcome = self.from_history(turn, answer(turn.history.read(), turn.now, zone))
        return outcome if reminders == turn.reminders else replace(outcome, reminders=reminders)

    def from_history(self, turn: Turn, speech: Speech) -> Outcome:
        """An answer about past workouts; the cool-down offer still stands after it."""
        if turn.asked.pending == "cool_down":
            return Outcome(self.composer.answer_then_ask(speech, "cool_down"))
        return self.answer(turn, lambda _: speech)

    def help(self, turn: Turn) -> Outcome:
        if self.offer_open(turn):  # what the offer is, and how to answer it; it stays open
            return Outcome(self.composer.cool_down_offer_help(turn.progress))
        if turn.asked.pending is not None:
            words = turn.asked.question_words
            if turn.asked.pending.startswith("pain:"):  # safety first, then the question
                return Outcome(self.composer.help_after_pain(words, turn.asked.pending))
            return Outcome(self.composer.help_with_question(words, turn.asked.pending))
        if self.told_to_stop_today(turn):  # what there is besides training, and no way on
            return Outcome(self.composer.help_resting(turn.progress))
        return Outcome(self.composer.help(turn.progress, self.routine_kind(turn)))

    def fallback(self, turn: Turn) -> Outcome:
        """Words meant for no command: a way on that fits the place (a question still open is
        asked again; a warm-up or cool-down under way is named)."""
        routine, resting = self.routine_kind(turn), self.told_to_stop_today(turn)
        asked = turn.asked.question_words
        return Outcome(
            self.composer.fallback(turn.progress, turn.asked.pending, routine, resting, asked=asked)
        )

    def stop(self, turn: Turn) -> Outcome:
        """Stop, cancel and "go home" end the session with the runner's place saved. With sets
        done, the workout so far is summed up and kept in the history as partial (stopping
        again, or finishing it later, replaces that entry)."""
        routine = turn.routine_part
        # Held, as after "hold on": a later "next set" calls the set left, never counts it. At
        # "Continue?" nothing was done since the last move (they were away): no time counted
        held = None
        if routine is None and self.under_way(turn) and not turn.progress.paused:
            if turn.asked.pending == "continue":
                held = self.coach.hold(turn.progress)
            else:
                held = self.coach.pause(turn.progress, turn.now).progress
        # Summed up as held, so the minutes said now are those kept, and said again if the
        # workout is left later at "Continue?"
        stopped = self.coach.stop(turn.progress if held is None else held, turn.now)
        so_far = next((e for e in stopped.events if isinstance(e, ev.WorkoutStopped)), None)
        goodbye = self.composer.goodbye(turn.progress, routine, so_far)
        in_cool_down = routine is not None and routine[0] == "cool_down"
        # the cool-down left, or its offer let go: opening the coach again does not ask it
        left = (ev.CoolDownLeft(),) if in_cool_down or routine_offered(turn.routine) else ()
        stop = hf.stop_if_held(self.service, turn)
        ended = self.progression.ended(turn.progress, stopped.events, turn.exercises, turn.hurt)
        exercises = None if ended is None else ended.records
        history = self.so_far(turn, stopped)
        return Outcome(
            goodbye, held, history=history, player=stop, events=left, exercises=exercises
        )

    def cool_down_finished_for_pain(self, turn: Turn) -> Outcome:
        """Yes to finishing the cool-down after pain: it ends as "stop" ends it, with when to
        have the pain looked at."""
        return replace(self.stop(turn), reply=self.composer.pain_cool_down_finished())

    def so_far(self, turn: Turn, stopped: Transition) -> History | None:
        """The history with the workout so far (`stopped`: the coach's stop) kept as partial;
        None with no set done."""
        so_far = next((e for e in stopped.events if isinstance(e, ev.WorkoutStopped)), None)
        if so_far is None:
            return None
        known = turn.history.read()
        return remember(known, so_far.workout_id, stopped.events, self.coach.library, turn.now)

    def nothing(self, turn: Turn) -> Outcome:
        """Requests answered with an empty response: the session ended (the place is already
        saved), a player event with nothing to queue, a touch on no control of ours, and any
        other request Alexa may send a custom skill (System.ExceptionEncountered...)."""
        if turn.asked.error is not None:
            log.error("%s: %s", turn.asked.kind, turn.asked.error)
        return Outcome()

    # The answers to the coach's questions (skill.alexa.handlers.answers), which other commands
    # hand a turn to: "I'm ready" at "Continue?" is a yes, "skip it" at the cool-down offer a no.
    def yes(self, turn: Turn) -> Outcome:
        raise NotImplementedError

    def no(self, turn: Turn) -> Outcome:
        raise NotImplementedError

    # A workout started (skill.alexa.handlers.workouts), which "skip the warm-up" at "Switch to
    # the bodyweight workout?" also does, past its warm-up.
    def start(self, turn: Turn, workout_id: str, warm_up: bool = True) -> Outcome:
        raise NotImplementedError


def place_of(progress: Progress) -> tuple[object, ...]:
    """Where the runner is in the workout, whatever else of it changes."""
    at = (progress.exercise_index, progress.set_number, progress.extra_of)
    return (progress.workout_id, *at, progress.paused, progress.finished)
