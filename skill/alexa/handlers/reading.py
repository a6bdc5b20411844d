"""What a turn says about the runner's moment, before anything is said: where they are (a
set under way, the warm-up, the cool-down offer) and how long since what (the set's call, the
workout's end, the advice to stop)."""

from __future__ import annotations

from skill.alexa import hands_free as hf
from skill.alexa.service import CoachService
from skill.alexa.turn import Turn
from skill.coaching import pains
from skill.coaching.coach import Coach
from skill.coaching.progression import Progression
from skill.coaching.routine import offered as routine_offered
from skill.coaching.routine import stored as stored_routine
from skill.speech.replies import Composer

# The least time one set takes: "skip" on a last set sooner after its call does not count it.
MIN_SET_SECONDS = 10
# A yes to the cool-down offer, after something else came between, within this long of the
# workout's end (in the same conversation); later, it answers nothing.
LATE_YES_SECONDS = 10 * 60
# Pain said within this long of a workout's end is of its last moves or its cool-down: the
# answer offers no other workout.
JUST_DONE_SECONDS = 30 * 60


class Reading:
    """The questions every command asks of a turn; none of them says anything."""

    service: CoachService
    coach: Coach
    composer: Composer
    progression: Progression

    def routine_kind(self, turn: Turn) -> str | None:
        routine = turn.routine_part
        return routine[0] if routine is not None else None

    def pain_asked_in_routine(self, turn: Turn) -> bool:
        """After pain in a warm-up or cool-down, whether to go on is asked ("pain:warm_up",
        "pain:cool_down"): no more moves, stretches of what hurts among them, until a yes. The
        record holds the part for it too, so a pause, a one-shot or a new session leads no
        move unasked either."""
        routine = turn.routine_part
        if routine is None:
            return False
        asked = (turn.asked.pending or "").startswith("pain:")
        kept = stored_routine(*routine)
        return asked or pains.held_in_routine(turn.hurt, kept, turn.now)

    def under_way(self, turn: Turn) -> bool:
        """A workout is under way (at "Continue?" too: leaving it is asked first)."""
        return self.coach.position(turn.progress) is not None

    def ended_lately(self, turn: Turn) -> bool:
        """The workout's last move was within JUST_DONE_SECONDS."""
        ended = turn.progress.last_move_at
        return ended is not None and turn.now - ended < JUST_DONE_SECONDS

    def cooling_down_now(self, turn: Turn) -> bool:
        """In the cool-down of a workout that ended within JUST_DONE_SECONDS: a cool-down left
        days ago is no reason to ask before another workout ("You've just finished...")."""
        return self.routine_kind(turn) == "cool_down" and self.ended_lately(turn)

    def offer_open(self, turn: Turn) -> bool:
        """The cool-down offer is the question still open (the workout is over): asked in this
        session, or, words in a new one ("Alexa, tell the coach next set"), the offer the last
        session closed on minutes ago, unanswered (the welcome would ask it again)."""
        if turn.asked.pending == "cool_down":
            return True
        new_session = turn.asked.pending is None and not turn.asked.in_conversation
        return new_session and self.cool_down_still_offered(turn)

    def cool_down_still_offered(self, turn: Turn) -> bool:
        """The cool-down offered at the workout's end, within LATE_YES_SECONDS, and the session
        closed before it was answered: the welcome asks it again."""
        ended = turn.progress.last_move_at
        return (
            routine_offered(turn.routine)
            and turn.progress.finished
            and ended is not None
            and turn.now - ended < LATE_YES_SECONDS
        )

    def back_after_unwell(self, turn: Turn) -> bool:
        """Back, after the day it was told to rest, from stopping for chest pain, faintness or
        breathing, and no move since: reminded of it before carrying on, never pushed."""
        told = turn.hurt.get(pains.URGENT)
        if told is None or turn.now - told >= pains.REMEMBERED_SECONDS:
            return False
        return not self.carried_on_since_unwell(turn)

    def held_for_pain(self, turn: Turn) -> bool:
        """The place is held since the runner said something hurt (in this exercise, or the
        one just done), and nothing moved since: whoever comes back is reminded why they
        stopped before being asked to carry on."""
        progress, here = turn.progress, self.coach.position(turn.progress)
        if here is None or not progress.paused or turn.routine or progress.extra_of is not None:
            return False
        held = progress.last_move_at
        said = pains.of_exercises(turn.hurt).values()
        return held is not None and any(at >= held for at in said)

    def told_to_stop_today(self, turn: Turn) -> bool:
        """Within hours of being told to stop for chest pain, faintness or breathing, and not
        carried on since: the coach offers no way on (it answers, and keeps the place)."""
        return pains.urgent_lately(turn.hurt, turn.now) and not self.carried_on_since_unwell(turn)

    def carried_on_since_unwell(self, turn: Turn) -> bool:
        """The workout moved on since the runner was told to stop for their health (resumed
        in a session the welcome opened): the pause that advice made is over. A pause they ask
        for later is a move after it too (Coach.pause clocks it), and as any pause: they chose
        to carry on, so "resume" is offered again. The advice's own pause is clocked at the
        moment it is told, so it is never after it."""
        told, moved = turn.hurt.get(pains.URGENT), turn.progress.last_move_at
        if told is None or moved is None:
            return False
        return moved > told

    def named_workout(self, turn: Turn) -> str | None:
        """The workout the runner's words name: its id; for "the other one", which Alexa
        matches to no workout, the one besides the current or last (None when unclear)."""
        workout = turn.asked.slot("workout")
        if workout.resolved_id is None and workout.spoken is not None:
            other = self.composer.phrases.say("grammar.other_workout").split()
            if any(word in other for word in workout.spoken.lower().split()):
                return self.coach.other_workout(turn.progress)
        return workout.resolved_id

    def workout_asked_about(self, turn: Turn) -> str | None:
        """The workout a question is about: the one named; else the one the open question
        offers ("...suits that best. Shall we start it?"), which "how long is it" means."""
        named = self.named_workout(turn)
        question, _, offered = (turn.asked.pending or "").partition(":")
        if named is None and question in ("start", "switch") and self.coach.library.get(offered):
            return offered
        return named

    def back_long_after(self, turn: Turn) -> bool:
        """Words in a new session ("Alexa, tell the coach I'm done") long enough after the set
        was called to have cooled down: as "next" at the welcome's "Continue?", whether it was
        done is asked (a button, which may not speak, calls the set again: pressed_long_after)."""
        return turn.asked.spoken_anew and self.long_after_the_call(turn)

    def back_at_the_set(self, turn: Turn) -> bool:
        """At a set called before the runner left, not held and not called again since: in a
        new session half an hour or more after its call (back_long_after), or in a conversation
        that came back to it, at "Continue?" or any question asked after it ("Switch to...?",
        "Start over?", "Go back?"). Whether it was done is asked: it may never have been."""
        here = self.under_way(turn) and turn.routine_part is None and not turn.progress.paused
        return here and (turn.asked.came_back or self.back_long_after(turn))

    def back_at_a_held_set(self, turn: Turn) -> bool:
        """At a set held in a conversation that came back to it (a no at "Continue?"), or
        held since long enough ago to have cooled down: reps said now may be that set's, done
        before the runner left, and are no news of the set before it, long since counted.
        Whether they were done is asked."""
        held = self.under_way(turn) and turn.routine_part is None and turn.progress.paused
        back = turn.asked.came_back or self.coach.cooled_down(turn.progress, turn.now)
        return held and back

    def long_after_the_call(self, turn: Turn) -> bool:
        """At a set not held, long enough after its call to have cooled down."""
        return not turn.progress.paused and self.coach.cooled_down(turn.progress, turn.now)

    def pain_asked(self, turn: Turn) -> bool:
        """The question after pain in an exercise is open ("shall I give you an easier way?"),
        the set that hurt held: "done", "next" or "I only managed 8" there neither count it nor
        call it again unasked; safety first, then the question again (as "help" answers)."""
        pending = turn.asked.pending
        return pending is not None and pending.startswith("pain:") and self.held_for_pain(turn)

    def pressed_long_after(self, turn: Turn) -> bool:
        """The device's next button pressed long enough after the set was called to have cooled
        down: it cannot ask whether the set was done, so it counts nothing."""
        pressed = not turn.asked.may_speak and turn.asked.kind.startswith("PlaybackController.")
        return pressed and self.long_after_the_call(turn)

    def back_after_the_set(self, turn: Turn) -> bool:
        """Back in a new session ("Alexa, tell the coach I'm ready") long enough after the set
        was announced to have done it. In a conversation the runner is answered within seconds,
        too soon for a set."""
        long_enough = self.coach.time_for_the_set(turn.progress, turn.now)
        return long_enough and not turn.asked.in_conversation

    def before_the_call(self, turn: Turn) -> bool:
        """Said while the last answer was still leading up to its set (a rest paced in words,
        the exercise's introduction, the warm-up's last part), mid-workout."""
        return turn.asked.before_the_set_call and self.under_way(turn) and not turn.progress.paused

    def led_a_while(self, turn: Turn) -> bool:
        """Hands-free, the player has been leading the set (a Y-T-W-L raise's letters) for
        MIN_SET_SECONDS or more since its call's words."""
        since = hf.seconds_since_the_call(self.service, turn)
        return since is not None and since >= MIN_SET_SECONDS

    def just_called(self, turn: Turn) -> bool:
        """Said seconds after a set was called, mid-workout and not held: too soon for that set
        to be done, so reps said then are the set before it."""
        if not self.under_way(turn) or turn.progress.paused or turn.routine_part is not None:
            return False
        if turn.asked.too_soon_for_the_set(MIN_SET_SECONDS):
            return True
        since = hf.seconds_since_the_call(self.service, turn)  # hands-free, by the player
        return since is not None and since < MIN_SET_SECONDS

    def workout_in(self, words: str | None) -> str | None:
        """The workout an exercise's words name whole ("dumbbell workout", heard as an exercise
        to go to): its id; None for any other words."""
        said = " ".join(w for w in (words or "").lower().split() if w not in ("the", "a"))
        for plan in self.coach.library.workouts:
            if said in (plan.name.lower(), plan.id):
                return plan.id
        return None

    def before_the_set(self, turn: Turn) -> bool:
        """Said before the set the runner's place names was called: over the rest or the
        introduction the coach speaks, or the player plays, on the way to it."""
        return self.before_the_call(turn) or hf.before_the_set(self.service, turn)

    def offered(self, turn: Turn) -> str | None:
        return self.progression.offered(turn.progress, turn.asked.pending, turn.exercises)

    def partial_asked(self, turn: Turn) -> bool:
        """ "Only 2 of 12? Say yes and I'll count it as a partial set." is the question open."""
        return (turn.asked.pending or "").startswith("partial:")

    def warm_up_part(self, turn: Turn) -> int | None:
        """The part of the warm-up under way (the one "next" leads), or None outside it."""
        routine = turn.routine_part
        return routine[1] if routine is not None and routine[0] == "warm_up" else None

    def late_yes_to_the_cool_down(self, turn: Turn) -> bool:
        """A yes after the workout ended, in the conversation that offered the cool-down, when
        something else came between: the offer is what it answers."""
        progress = turn.progress
        ended = progress.last_move_at
        return (
            turn.asked.pending is None
            and turn.asked.cool_down_offered
            and progress.finished
            and turn.routine_part is None
            and ended is not None
            and turn.now - ended < LATE_YES_SECONDS
        )
