"""One handler per intent. Each reads the runner's progress, asks the coach for a move and has
the composer put it into words; the workout logic itself lives in skill.coaching."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import replace

from ask_sdk_core.dispatch_components import AbstractExceptionHandler, AbstractRequestHandler
from ask_sdk_core.exceptions import PersistenceException
from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_core.utils import is_intent_name, is_request_type
from ask_sdk_model import Directive, Response, SessionEndedRequest

from skill.alexa.player import (
    current_token,
    first_of,
    play,
    skip_to_call,
    stop,
    supports_player,
    user_tag,
)
from skill.alexa.slots import SlotValue, slot_value, whole_number
from skill.alexa.turn import (
    NOTICE,
    CoachService,
    choose,
    history_of,
    is_retried,
    may_speak,
    pending_question,
    preferences_of,
    progress_of,
    respond,
    routine_part,
)
from skill.audio.plans import Playing, plan_for
from skill.coaching import events as ev
from skill.coaching.coach import Transition
from skill.coaching.history import remember
from skill.coaching.progress import (
    MAX_REST_SECONDS,
    MAX_SPOKEN_REST_SECONDS,
    MIN_REST_SECONDS,
    Progress,
)
from skill.persistence import NewerRecordError, record_key_of
from skill.speech.ssml import Speech

log = logging.getLogger(__name__)

REST_STEP_SECONDS = 15  # "more rest" or "shorter rests" moves the rest by this much
# The moves that read or add to what the coach remembers (skill.coaching.history).
REMEMBERED = (
    ev.WorkoutFinished,
    ev.ExerciseIntroduced,
)


class CoachHandler(AbstractRequestHandler):
    def __init__(self, service: CoachService) -> None:
        self.service = service
        self.coach = service.coach
        self.composer = service.composer

    def move(self, handler_input: HandlerInput, step: Callable[[Progress], Transition]) -> Response:
        """Apply a coach move to the runner's progress and speak its result."""
        before = progress_of(handler_input)
        return self.speak(handler_input, before, step(before))

    def speak(self, handler_input: HandlerInput, before: Progress, move: Transition) -> Response:
        """Say a move made from `before`, keeping what it adds to the runner's history; in
        hands-free mode, play it instead where the player can (skill.audio.plans)."""
        playing = self.playing_for(handler_input, before, move)
        if playing is None and not may_speak(handler_input):
            # A button press whose move only words could carry: leave the runner where they
            # are rather than move them on in silence.
            return handler_input.response_builder.response
        remembered = any(isinstance(event, REMEMBERED) for event in move.events)
        known = history_of(handler_input) if remembered else None
        history = None
        if known is not None:
            library = self.coach.library
            history = remember(known, move.progress.workout_id, move.events, library, self.now())
        directives = [] if playing is None else self.play_now(handler_input, playing, move.progress)
        if playing is not None and not playing.spoken:
            return respond(handler_input, None, move.progress, history, directives, move.events)
        if known is None or history is None:
            reply = self.composer.transition(before, move)
        else:
            finished = any(isinstance(event, ev.WorkoutFinished) for event in move.events)
            week = self.composer.week_so_far(history, self.now()) if finished else None
            reply = self.composer.transition(before, move, week, known.explained)
        if playing is not None and reply.reprompt is not None:
            # The set is announced in words, and the player is the coach's from now on.
            reply = replace(reply, reprompt=self.composer.hands_free_reprompt())
        return respond(handler_input, reply, move.progress, history, directives, move.events)

    def playing_for(
        self, handler_input: HandlerInput, before: Progress, move: Transition
    ) -> Playing | None:
        """What the player plays for `move`, or None to answer as the conversation does."""
        hands_free = self.service.hands_free
        if hands_free is None or not self.plays_audio(handler_input):
            return None
        if NOTICE in handler_input.attributes_manager.request_attributes:
            return None  # a notice (a fresh start) must be heard in words
        can_speak = may_speak(handler_input)
        explained = history_of(handler_input).explained
        return plan_for(before, move, self.coach, hands_free.catalog, can_speak, explained)

    def plays_audio(self, handler_input: HandlerInput) -> bool:
        """Hands-free mode is on for this runner on this device."""
        return (
            self.service.hands_free is not None
            and supports_player(handler_input)
            and not preferences_of(handler_input).keep_music
        )

    def longest_rest(self, handler_input: HandlerInput) -> int:
        """The longest rest this device can pace: the coach's audio plays up to five minutes,
        one spoken response two."""
        return MAX_REST_SECONDS if self.plays_audio(handler_input) else MAX_SPOKEN_REST_SECONDS

    def holds_player(self, handler_input: HandlerInput) -> bool:
        """The coach's audio for this runner is what the device's player holds (on a shared
        device, another runner's audio is not theirs to stop)."""
        token = current_token(handler_input)
        return (
            self.service.hands_free is not None
            and supports_player(handler_input)
            and token is not None
            and token.belongs_to(record_key_of(handler_input.request_envelope))
        )

    def resume(self, handler_input: HandlerInput) -> Response:
        """Resume the workout: a rest paused part-way plays on from where it stopped (its
        track is constant-bitrate, so the player can start at an offset); else the current
        set is called again."""
        hands_free = self.service.hands_free
        token = current_token(handler_input)
        before = progress_of(handler_input)
        resumed = self.coach.resume(before, self.now())
        if hands_free is None or token is None or not self.holds_player(handler_input):
            return self.speak(handler_input, before, resumed)
        player = getattr(handler_input.request_envelope.context, "audio_player", None)
        offset = getattr(player, "offset_in_milliseconds", None) or 0
        track = hands_free.catalog.by_id(token.track_id)
        if track is None or track.rest_seconds is None or offset <= 0:
            return self.speak(handler_input, before, resumed)  # not mid-rest
        if not token.leads_to(before):
            return self.speak(handler_input, before, resumed)
        directive = play(track, token, hands_free, offset_ms=offset)
        return respond(handler_input, None, resumed.progress, directives=[directive])

    def next_by_player(self, handler_input: HandlerInput) -> Response | None:
        """ "Alexa, next" (or the next button) outside a conversation, where the player shows
        the runner has not begun the set their record names: None when it ends that set.

        Mid-rest (or mid-lead-in or introduction) of the coach's own queue, "next" skips to
        what comes next in it: the set was never called, so it is not counted. When the
        player's last queue led somewhere else (a warm-up in a session since closed, a workout
        started since, another runner's audio on a shared device), the current set is called
        again rather than counted done unheard."""
        hands_free = self.service.hands_free
        session = handler_input.request_envelope.session
        if hands_free is None or not self.plays_audio(handler_input):
            return None
        if session is not None and not session.new:
            return None  # words in a conversation: the set just announced is done
        token = current_token(handler_input)
        progress = progress_of(handler_input)
        if token is None or progress.paused or self.coach.position(progress) is None:
            return None
        ours = token.belongs_to(record_key_of(handler_input.request_envelope))
        if ours and token.leads_to(progress):
            later = skip_to_call(token)
            track = None if later is None else hands_free.catalog.by_id(later.track_id)
            if later is None or track is None:
                return None
            return respond(handler_input, None, directives=[play(track, later, hands_free)])
        return self.move(handler_input, lambda p: self.coach.resume(p, self.now()))

    def play_now(
        self, handler_input: HandlerInput, playing: Playing, leads_to: Progress
    ) -> list[Directive]:
        hands_free = self.service.hands_free
        assert hands_free is not None
        tag = user_tag(record_key_of(handler_input.request_envelope))
        first, token = first_of(playing.tracks, tag, leads_to)
        return [play(first, token, hands_free)]

    def now(self) -> float:
        return self.service.clock()

    def answer(self, handler_input: HandlerInput, say: Callable[[Progress], Speech]) -> Response:
        """Answer a question, then prompt; at "Continue?" the offer is asked again."""
        progress = progress_of(handler_input)
        speech = say(progress)
        if pending_question(handler_input) == "continue":
            return respond(handler_input, self.composer.answer_then_offer(progress, speech))
        return respond(handler_input, self.composer.answer(progress, speech))

    def not_caught(self, handler_input: HandlerInput) -> Response:
        """Words meant for no command: a way on that fits the place (a question still open is
        asked again; a warm-up or cool-down under way is named)."""
        routine = routine_part(handler_input)
        reply = self.composer.fallback(
            progress_of(handler_input),
            pending_question(handler_input),
            routine[0] if routine is not None else None,
        )
        return respond(handler_input, reply)

    def nothing_to_confirm(self, handler_input: HandlerInput) -> Response:
        routine = routine_part(handler_input)
        reply = self.composer.nothing_to_confirm(
            progress_of(handler_input), routine[0] if routine is not None else None
        )
        return respond(handler_input, reply)

    def next_routine_part(self, handler_input: HandlerInput, kind: str, part: int) -> Response:
        """ "Next" during a warm-up or cool-down leads its next part."""
        if kind == "warm_up":
            return self.move(handler_input, lambda p: self.coach.warm_up(p, part))
        before = progress_of(handler_input)
        move = self.coach.cool_down(before, part)
        if move is None:
            return respond(handler_input, self.composer.cool_down_declined())
        return self.speak(handler_input, before, move)

    def yes(self, handler_input: HandlerInput) -> Response:
        """Yes to the question the last response asked."""
        question, _, target = (pending_question(handler_input) or "").partition(":")
        if question == "continue":
            return self.move(handler_input, lambda p: self.coach.resume(p, self.now()))
        if question == "cool_down":
            before = progress_of(handler_input)
            cool_down = self.coach.cool_down(before, 0)
            if cool_down is not None:
                return self.speak(handler_input, before, cool_down)
        if question == "start_over":
            return self.move(handler_input, lambda p: self.coach.start_over(p, self.now()))
        if question == "switch" and self.coach.library.get(target) is not None:
            return self.move(
                handler_input, lambda p: self.coach.start(p, target, self.now(), warm_up=True)
            )
        if question == "go_to":
            before = progress_of(handler_input)
            move = self.coach.go_to(before, target, self.now())
            if move is not None:
                return self.speak(handler_input, before, move)
        return self.nothing_to_confirm(handler_input)

    def under_way(self, handler_input: HandlerInput) -> bool:
        """A workout is under way and the runner is not answering the resume offer."""
        active = self.coach.position(progress_of(handler_input)) is not None
        return active and pending_question(handler_input) != "continue"


class LaunchHandler(CoachHandler):
    def can_handle(self, handler_input: HandlerInput) -> bool:
        return bool(is_request_type("LaunchRequest")(handler_input))

    def handle(self, handler_input: HandlerInput) -> Response:
        return respond(handler_input, self.composer.launch(progress_of(handler_input)))


class StartWorkoutHandler(CoachHandler):
    def can_handle(self, handler_input: HandlerInput) -> bool:
        return bool(is_intent_name("StartWorkoutIntent")(handler_input))

    def handle(self, handler_input: HandlerInput) -> Response:
        workout = slot_value(handler_input, "workout")
        workout_id = workout.resolved_id
        progress = progress_of(handler_input)
        under_way = self.under_way(handler_input)
        if workout_id is None or self.coach.library.get(workout_id) is None:
            if under_way and workout.spoken:  # mid-set words that named no workout
                return self.not_caught(handler_input)
            return respond(handler_input, self.composer.which_workout(workout.spoken))
        if under_way and progress.workout_id == workout_id:
            return respond(handler_input, self.composer.already_on(progress))
        if under_way:
            return respond(handler_input, self.composer.confirm_switch(progress, workout_id))
        return self.move(
            handler_input, lambda p: self.coach.start(p, workout_id, self.now(), warm_up=True)
        )


class SwitchWorkoutHandler(CoachHandler):
    def can_handle(self, handler_input: HandlerInput) -> bool:
        return bool(is_intent_name("SwitchWorkoutIntent")(handler_input))

    def handle(self, handler_input: HandlerInput) -> Response:
        progress = progress_of(handler_input)
        others = [w.id for w in self.coach.library.workouts if w.id != progress.workout_id]
        if self.under_way(handler_input) and len(others) == 1:
            return respond(handler_input, self.composer.confirm_switch(progress, others[0]))
        return respond(handler_input, self.composer.which_workout(None))


class NextSetHandler(CoachHandler):
    def can_handle(self, handler_input: HandlerInput) -> bool:
        return bool(
            is_intent_name("NextSetIntent")(handler_input)
            or is_intent_name("AMAZON.NextIntent")(handler_input)
        )

    def handle(self, handler_input: HandlerInput) -> Response:
        routine = routine_part(handler_input)
        if routine is not None:
            return self.next_routine_part(handler_input, *routine)
        by_player = self.next_by_player(handler_input)
        if by_player is not None:
            return by_player
        return self.move(handler_input, lambda p: self.coach.finish_set(p, self.now()))


class ReadyHandler(CoachHandler):
    """I'm ready, let's go: yes to a question just asked; in a warm-up or cool-down, its next
    part; before a set, go (a paused workout resumes). Never a set counted: ready is not done."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return bool(is_intent_name("ReadyIntent")(handler_input))

    def handle(self, handler_input: HandlerInput) -> Response:
        if pending_question(handler_input) is not None:
            return self.yes(handler_input)
        routine = routine_part(handler_input)
        if routine is not None:
            return self.next_routine_part(handler_input, *routine)
        progress = progress_of(handler_input)
        if progress.paused:
            return self.move(handler_input, lambda p: self.coach.resume(p, self.now()))
        return respond(handler_input, self.composer.go_ahead(progress))


class SkipExerciseHandler(CoachHandler):
    def can_handle(self, handler_input: HandlerInput) -> bool:
        return bool(is_intent_name("SkipExerciseIntent")(handler_input))

    def handle(self, handler_input: HandlerInput) -> Response:
        routine = routine_part(handler_input)
        if routine is not None and routine[0] == "warm_up":  # "skip" then means the warm-up
            return self.move(handler_input, self.coach.skip_warm_up)
        return self.move(handler_input, lambda p: self.coach.skip_exercise(p, self.now()))


class SkipWarmUpHandler(CoachHandler):
    def can_handle(self, handler_input: HandlerInput) -> bool:
        return bool(is_intent_name("SkipWarmUpIntent")(handler_input))

    def handle(self, handler_input: HandlerInput) -> Response:
        routine = routine_part(handler_input)
        if routine is None or routine[0] != "warm_up":
            reply = self.composer.skip_warm_up_unasked(progress_of(handler_input))
            return respond(handler_input, reply)
        return self.move(handler_input, self.coach.skip_warm_up)


class PreviousHandler(CoachHandler):
    def can_handle(self, handler_input: HandlerInput) -> bool:
        return bool(is_intent_name("AMAZON.PreviousIntent")(handler_input))

    def handle(self, handler_input: HandlerInput) -> Response:
        return self.move(handler_input, lambda p: self.coach.back_one_set(p, self.now()))


class RepeatHandler(CoachHandler):
    def can_handle(self, handler_input: HandlerInput) -> bool:
        return bool(is_intent_name("AMAZON.RepeatIntent")(handler_input))

    def handle(self, handler_input: HandlerInput) -> Response:
        return respond(handler_input, self.composer.repeat(progress_of(handler_input)))


class PauseHandler(CoachHandler):
    def can_handle(self, handler_input: HandlerInput) -> bool:
        return bool(is_intent_name("AMAZON.PauseIntent")(handler_input))

    def handle(self, handler_input: HandlerInput) -> Response:
        before = progress_of(handler_input)
        paused = self.coach.pause(before, self.now())
        holds = self.holds_player(handler_input)
        session = handler_input.request_envelope.session
        if holds and (session is None or session.new):
            # "Alexa, pause" or "Alexa, stop" over the coach's audio: silence, place kept.
            return respond(handler_input, None, paused.progress, directives=[stop()])
        # "Wait", "hold on" in a conversation: said as the conversation says it (a silent end
        # of the session would leave the runner not knowing they are paused), and any track
        # of the coach's held while Alexa listened is stopped too.
        reply = self.composer.transition(before, paused)
        directives = [stop()] if holds else []
        return respond(handler_input, reply, paused.progress, directives=directives)


class ResumeHandler(CoachHandler):
    def can_handle(self, handler_input: HandlerInput) -> bool:
        return bool(is_intent_name("AMAZON.ResumeIntent")(handler_input))

    def handle(self, handler_input: HandlerInput) -> Response:
        return self.resume(handler_input)


class HowToHandler(CoachHandler):
    def can_handle(self, handler_input: HandlerInput) -> bool:
        return bool(is_intent_name("HowToIntent")(handler_input))

    def handle(self, handler_input: HandlerInput) -> Response:
        named = slot_value(handler_input, "exercise").resolved_id
        progress = progress_of(handler_input)
        return respond(handler_input, self.composer.how_to(progress, named))


class StatusHandler(CoachHandler):
    def can_handle(self, handler_input: HandlerInput) -> bool:
        return bool(is_intent_name("StatusIntent")(handler_input))

    def handle(self, handler_input: HandlerInput) -> Response:
        return self.answer(handler_input, self.composer.status_answer)


class WhatsNextHandler(CoachHandler):
    def can_handle(self, handler_input: HandlerInput) -> bool:
        return bool(is_intent_name("WhatsNextIntent")(handler_input))

    def handle(self, handler_input: HandlerInput) -> Response:
        return self.answer(handler_input, self.composer.next_answer)


class SetsLeftHandler(CoachHandler):
    def can_handle(self, handler_input: HandlerInput) -> bool:
        return bool(is_intent_name("SetsLeftIntent")(handler_input))

    def handle(self, handler_input: HandlerInput) -> Response:
        return self.answer(handler_input, self.composer.sets_answer)


class RepsHandler(CoachHandler):
    def can_handle(self, handler_input: HandlerInput) -> bool:
        return bool(is_intent_name("RepsIntent")(handler_input))

    def handle(self, handler_input: HandlerInput) -> Response:
        return self.answer(handler_input, self.composer.reps_answer)


class RemainingHandler(CoachHandler):
    def can_handle(self, handler_input: HandlerInput) -> bool:
        return bool(is_intent_name("RemainingIntent")(handler_input))

    def handle(self, handler_input: HandlerInput) -> Response:
        named = slot_value(handler_input, "workout").resolved_id
        return self.answer(handler_input, lambda p: self.composer.remaining_answer(p, named))


class RestLengthHandler(CoachHandler):
    def can_handle(self, handler_input: HandlerInput) -> bool:
        return bool(is_intent_name("RestLengthIntent")(handler_input))

    def handle(self, handler_input: HandlerInput) -> Response:
        return self.answer(handler_input, self.composer.rest_answer)


class MusclesHandler(CoachHandler):
    def can_handle(self, handler_input: HandlerInput) -> bool:
        return bool(is_intent_name("MusclesIntent")(handler_input))

    def handle(self, handler_input: HandlerInput) -> Response:
        return self.answer(handler_input, self.composer.muscles_answer)


class EquipmentHandler(CoachHandler):
    def can_handle(self, handler_input: HandlerInput) -> bool:
        return bool(is_intent_name("EquipmentIntent")(handler_input))

    def handle(self, handler_input: HandlerInput) -> Response:
        named = slot_value(handler_input, "workout").resolved_id
        return self.answer(handler_input, lambda p: self.composer.equipment_answer(p, named))


class EasierHandler(CoachHandler):
    def can_handle(self, handler_input: HandlerInput) -> bool:
        return bool(is_intent_name("EasierIntent")(handler_input))

    def handle(self, handler_input: HandlerInput) -> Response:
        return self.move(handler_input, lambda p: self.coach.change_load(p, harder=False))


class HarderHandler(CoachHandler):
    def can_handle(self, handler_input: HandlerInput) -> bool:
        return bool(is_intent_name("HarderIntent")(handler_input))

    def handle(self, handler_input: HandlerInput) -> Response:
        return self.move(handler_input, lambda p: self.coach.change_load(p, harder=True))


class ChangeRestHandler(CoachHandler):
    """Longer or shorter rests, by REST_STEP_SECONDS, within what the coach can pace."""

    longer = True

    def handle(self, handler_input: HandlerInput) -> Response:
        progress = progress_of(handler_input)
        current = self.coach.current_rest(progress)
        if current is None:
            return respond(handler_input, self.composer.ask_rest(self.longest_rest(handler_input)))
        step = REST_STEP_SECONDS if self.longer else -REST_STEP_SECONDS
        longest = self.longest_rest(handler_input)
        if self.longer and current >= longest:
            # Rests set longer with the coach's audio stay as they are: "longer" never shortens.
            paced = min(current, longest)
            return respond(handler_input, self.composer.rest_at_limit(progress, paced, True))
        wanted = min(longest, max(MIN_REST_SECONDS, current + step))
        if wanted == current:
            return respond(
                handler_input, self.composer.rest_at_limit(progress, current, self.longer)
            )
        return self.move(handler_input, lambda p: self.coach.set_rest(p, wanted, longest))


class LongerRestHandler(ChangeRestHandler):
    def can_handle(self, handler_input: HandlerInput) -> bool:
        return bool(is_intent_name("LongerRestIntent")(handler_input))


class ShorterRestHandler(ChangeRestHandler):
    longer = False

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return bool(is_intent_name("ShorterRestIntent")(handler_input))


class WorkoutsThisWeekHandler(CoachHandler):
    def can_handle(self, handler_input: HandlerInput) -> bool:
        return bool(is_intent_name("WorkoutsThisWeekIntent")(handler_input))

    def handle(self, handler_input: HandlerInput) -> Response:
        progress, history = progress_of(handler_input), history_of(handler_input)
        reply = self.composer.workouts_this_week(progress, history, self.now())
        return respond(handler_input, reply)


class SetRestHandler(CoachHandler):
    def can_handle(self, handler_input: HandlerInput) -> bool:
        return bool(is_intent_name("SetRestIntent")(handler_input))

    def handle(self, handler_input: HandlerInput) -> Response:
        seconds = whole_number(slot_value(handler_input, "seconds"))
        minutes = whole_number(slot_value(handler_input, "minutes"))
        if seconds is None and minutes is not None:
            seconds = minutes * 60
        if seconds is None:  # "a minute and a half": the spoken length's id is its seconds
            seconds = whole_number(SlotValue(slot_value(handler_input, "length").resolved_id, None))
        longest = self.longest_rest(handler_input)
        if seconds is None:
            return respond(handler_input, self.composer.ask_rest(longest))
        rest = seconds
        return self.move(handler_input, lambda p: self.coach.set_rest(p, rest, longest))


class GoToExerciseHandler(CoachHandler):
    def can_handle(self, handler_input: HandlerInput) -> bool:
        return bool(is_intent_name("GoToExerciseIntent")(handler_input))

    def handle(self, handler_input: HandlerInput) -> Response:
        exercise = slot_value(handler_input, "exercise")
        before = progress_of(handler_input)
        move = None
        if exercise.resolved_id is not None:
            move = self.coach.go_to(before, exercise.resolved_id, self.now())
        if move is None:
            return respond(handler_input, self.composer.which_exercise(before, exercise.spoken))
        here = self.coach.position(before)
        if self.under_way(handler_input) and here and move.progress.workout_id != here.workout.id:
            assert exercise.resolved_id is not None
            return respond(handler_input, self.composer.confirm_go_to(before, exercise.resolved_id))
        return self.speak(handler_input, before, move)


class StartOverHandler(CoachHandler):
    def can_handle(self, handler_input: HandlerInput) -> bool:
        return bool(is_intent_name("AMAZON.StartOverIntent")(handler_input))

    def handle(self, handler_input: HandlerInput) -> Response:
        if self.under_way(handler_input):
            return respond(
                handler_input, self.composer.confirm_start_over(progress_of(handler_input))
            )
        return self.move(handler_input, lambda p: self.coach.start_over(p, self.now()))


class YesHandler(CoachHandler):
    def can_handle(self, handler_input: HandlerInput) -> bool:
        return bool(is_intent_name("AMAZON.YesIntent")(handler_input))

    def handle(self, handler_input: HandlerInput) -> Response:
        return self.yes(handler_input)


class NoHandler(CoachHandler):
    def can_handle(self, handler_input: HandlerInput) -> bool:
        return bool(is_intent_name("AMAZON.NoIntent")(handler_input))

    def handle(self, handler_input: HandlerInput) -> Response:
        question = pending_question(handler_input)
        if question == "continue":
            return respond(handler_input, self.composer.which_workout(None))
        if question == "cool_down":
            return respond(handler_input, self.composer.cool_down_declined())
        if question is not None:  # no to starting over or switching: keep the place
            return respond(handler_input, self.composer.kept_place(progress_of(handler_input)))
        return self.nothing_to_confirm(handler_input)


class HelpHandler(CoachHandler):
    def can_handle(self, handler_input: HandlerInput) -> bool:
        return bool(is_intent_name("AMAZON.HelpIntent")(handler_input))

    def handle(self, handler_input: HandlerInput) -> Response:
        routine = routine_part(handler_input)
        kind = routine[0] if routine is not None else None
        hands_free = self.plays_audio(handler_input)
        reply = self.composer.help(progress_of(handler_input), kind, hands_free)
        return respond(handler_input, reply)


class StopHandler(CoachHandler):
    """Stop, cancel and "go home" all end the session with the runner's place saved."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return bool(
            is_intent_name("AMAZON.StopIntent")(handler_input)
            or is_intent_name("AMAZON.CancelIntent")(handler_input)
            or is_intent_name("AMAZON.NavigateHomeIntent")(handler_input)
        )

    def handle(self, handler_input: HandlerInput) -> Response:
        goodbye = self.composer.goodbye(progress_of(handler_input))
        directives = [stop()] if self.holds_player(handler_input) else []
        return respond(handler_input, goodbye, directives=directives)


class KeepMusicHandler(CoachHandler):
    """ "Keep my music": the coach stops using the player, for this and every later workout."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return bool(is_intent_name("KeepMusicIntent")(handler_input))

    def handle(self, handler_input: HandlerInput) -> Response:
        choose(handler_input, replace(preferences_of(handler_input), keep_music=True))
        kept = self.composer.phrases.say("music.kept")
        progress = progress_of(handler_input)
        if not self.holds_player(handler_input) or self.coach.position(progress) is None:
            return respond(handler_input, self.composer.answer(progress, Speech().say(kept)))
        # The coach's audio stops (the runner's music can play on), and what it was leading
        # to is said in words: the set the runner is on, from now on the spoken way.
        handler_input.attributes_manager.request_attributes[NOTICE] = kept
        return respond(handler_input, self.composer.repeat(progress), directives=[stop()])


class CoachAudioHandler(CoachHandler):
    """ "Use your audio": back to hands-free mode, where the device has a player."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return bool(is_intent_name("CoachAudioIntent")(handler_input))

    def handle(self, handler_input: HandlerInput) -> Response:
        choose(handler_input, replace(preferences_of(handler_input), keep_music=False))
        available = self.service.hands_free is not None and supports_player(handler_input)
        key = "music.coach_audio" if available else "music.no_player"
        speech = Speech().say(self.composer.phrases.say(key))
        progress = progress_of(handler_input)
        directives: list[Directive] = []
        if available and self.coach.position(progress) is not None:
            # Take the player back now (the ready tone, as after a spoken set announcement), so
            # that "Alexa, next" reaches the coach, not the music the runner was playing.
            assert self.service.hands_free is not None
            ready = Playing((self.service.hands_free.catalog.ready(),), spoken=True)
            directives = self.play_now(handler_input, ready, progress)
        reply = self.composer.answer(progress, speech)
        return respond(handler_input, reply, directives=directives)


class LoopOrShuffleHandler(CoachHandler):
    """Loop and shuffle reach any skill that played audio; a workout has neither."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return any(
            is_intent_name(f"AMAZON.{name}Intent")(handler_input)
            for name in ("LoopOn", "LoopOff", "ShuffleOn", "ShuffleOff")
        )

    def handle(self, handler_input: HandlerInput) -> Response:
        speech = Speech().say(self.composer.phrases.say("music.no_loop"))
        return respond(handler_input, self.composer.answer(progress_of(handler_input), speech))


class FallbackHandler(CoachHandler):
    """AMAZON.FallbackIntent, and any intent this skill does not know (sent by a stale model)."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return bool(is_request_type("IntentRequest")(handler_input))

    def handle(self, handler_input: HandlerInput) -> Response:
        return self.not_caught(handler_input)


def expects_no_speech(handler_input: HandlerInput) -> bool:
    """Requests whose answer must carry no speech: the session is over, or it is an event."""
    return not may_speak(handler_input)


class SilentRequestHandler(AbstractRequestHandler):
    """Any other request Alexa may send a custom skill (System.ExceptionEncountered,
    CanFulfillIntentRequest, AudioPlayer and APL events...): nothing to say, so an empty
    response, as Alexa requires for these."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return expects_no_speech(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        request = handler_input.request_envelope.request
        error = getattr(request, "error", None)
        if request is not None and error is not None:
            log.error("%s: %s", request.object_type, getattr(error, "message", error))
        return handler_input.response_builder.response


class SessionEndedHandler(AbstractRequestHandler):
    """The microphone closed or the runner left: the place is already saved; say nothing."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return bool(is_request_type("SessionEndedRequest")(handler_input))

    def handle(self, handler_input: HandlerInput) -> Response:
        request = handler_input.request_envelope.request
        if isinstance(request, SessionEndedRequest) and request.error is not None:
            # Alexa ends a session with an error when a response of ours was unusable.
            log.error("session ended with error: %s", request.error.message)
        return handler_input.response_builder.response


def apologise(
    handler_input: HandlerInput,
    service: CoachService,
    key: str = "error.generic",
    end_session: bool = False,
) -> Response:
    """The exception handlers' answer: the apology `key`, or nothing where Alexa allows no
    speech (a player event, a session already over)."""
    if expects_no_speech(handler_input):
        return handler_input.response_builder.response
    return respond(handler_input, service.composer.error(key, end_session=end_session))


class NewerRecordHandler(AbstractExceptionHandler):
    """The record comes from a newer version (a canary, or before a rollback): this version
    leaves it untouched and says so, rather than start the runner again."""

    def __init__(self, service: CoachService) -> None:
        self.service = service

    def can_handle(self, handler_input: HandlerInput, exception: Exception) -> bool:
        return isinstance(exception, NewerRecordError)

    def handle(self, handler_input: HandlerInput, exception: Exception) -> Response:
        log.warning("left a newer record alone: %s", exception)
        return apologise(handler_input, self.service, "notice.newer_record", end_session=True)


class StorageDownHandler(AbstractExceptionHandler):
    """The progress store cannot be reached: apologise briefly instead of failing the turn."""

    def __init__(self, service: CoachService) -> None:
        self.service = service

    def can_handle(self, handler_input: HandlerInput, exception: Exception) -> bool:
        return isinstance(exception, PersistenceException) and not is_retried(exception)

    def handle(self, handler_input: HandlerInput, exception: Exception) -> Response:
        log.error("progress store unavailable: %s", exception)
        return apologise(handler_input, self.service, "notice.storage_down", end_session=True)


class UnexpectedErrorHandler(AbstractExceptionHandler):
    def __init__(self, service: CoachService) -> None:
        self.service = service

    def can_handle(self, handler_input: HandlerInput, exception: Exception) -> bool:
        return not is_retried(exception)

    def handle(self, handler_input: HandlerInput, exception: Exception) -> Response:
        log.exception("unhandled error in a skill turn", exc_info=exception)
        return apologise(handler_input, self.service)


INTENT_HANDLERS: tuple[type[CoachHandler], ...] = (
    LaunchHandler,
    StartWorkoutHandler,
    SwitchWorkoutHandler,
    NextSetHandler,
    ReadyHandler,
    SkipExerciseHandler,
    SkipWarmUpHandler,
    PreviousHandler,
    RepeatHandler,
    PauseHandler,
    ResumeHandler,
    HowToHandler,
    StatusHandler,
    WorkoutsThisWeekHandler,
    WhatsNextHandler,
    SetsLeftHandler,
    RepsHandler,
    RemainingHandler,
    RestLengthHandler,
    MusclesHandler,
    EquipmentHandler,
    EasierHandler,
    HarderHandler,
    LongerRestHandler,
    ShorterRestHandler,
    SetRestHandler,
    GoToExerciseHandler,
    StartOverHandler,
    YesHandler,
    NoHandler,
    HelpHandler,
    StopHandler,
    KeepMusicHandler,
    CoachAudioHandler,
    LoopOrShuffleHandler,
    FallbackHandler,  # last: it takes any intent the others did not
)
