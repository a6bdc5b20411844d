"""Pain, feeling faint, struggling to breathe: safety first (docs/safety.md)."""

from __future__ import annotations

from skill.alexa import hands_free as hf
from skill.alexa.handlers.answering import Answering
from skill.alexa.turn import Outcome, Turn
from skill.coaching import events as ev
from skill.coaching import pains
from skill.coaching.routine import stored as stored_routine
from skill.speech.answers import BREATHLESS, FAINT, URGENT_PARTS


class PainCommands(Answering):
    """Pain and feeling unwell, met with safety first."""

    def pain(self, turn: Turn) -> Outcome:
        """Pain or an injury: the set stops and is never counted, the coach says when to get
        help (never what it is), and offers the easier way, or else skipping the exercise. The
        coach remembers, and offers the easier way when the exercise next comes up."""
        return self.hurt(turn, turn.asked.slot("body_part").resolved_id)

    def faint(self, turn: Turn) -> Outcome:
        """Dizzy or faint: met as chest pain is (URGENT_PARTS), medical help and nothing more."""
        return self.hurt(turn, FAINT)

    def breathless(self, turn: Turn) -> Outcome:
        """Struggling to breathe: met as chest pain is (URGENT_PARTS)."""
        return self.hurt(turn, BREATHLESS)

    def warm_up_parts(self, turn: Turn) -> int:
        """How many parts the warm-up of the runner's workout has (0: none under way)."""
        plan = self.coach.library.get(turn.progress.workout_id or "")
        return 0 if plan is None or not self.under_way(turn) else len(plan.warm_up)

    def hurt(self, turn: Turn, part: str | None) -> Outcome:
        stop = hf.stop_if_held(self.service, turn)
        # Told to stop for the day and get medical help: opening again soon says so again.
        urgent = pains.said(turn.hurt, pains.URGENT, turn.now) if part in URGENT_PARTS else None
        routine = turn.routine_part
        back_in: tuple[ev.Event, ...] = ()
        recorded = hf.routine_part_held(self.service, turn)
        if routine is None and recorded is not None and recorded[0] == "warm_up":
            # The warm-up's last part, played recorded for a button, was leading on to the
            # first set, never begun: the pain is the warm-up's, and that part is where the
            # runner is held (its recording stops, and the set after it is not played)
            routine, back_in = recorded, (ev.WarmUpHeld(recorded[1]),)
        last_part = self.warm_up_parts(turn) - 1
        if routine is None and turn.asked.over_the_warm_up and last_part >= 0:
            # the same, said over that part led in words, before the set it leads on to
            routine, back_in = ("warm_up", last_part), (ev.WarmUpHeld(last_part),)
        if routine is not None:  # the warm-up or cool-down part stays where it is
            kept = stored_routine(*routine)
            reply = self.composer.pain(turn.progress, part, routine=kept)
            # and is held for it beyond this session: no move is led unasked in the next
            held = urgent or pains.said_in_routine(turn.hurt, kept, turn.now)
            return Outcome(reply, player=stop, hurt=held, events=back_in)
        if self.offer_open(turn) and part not in URGENT_PARTS:  # the cool-down, gently, after it
            # in this session only: the welcome later asks no cool-down of what hurt
            gently = self.composer.pain_at_cool_down_offer()
            return Outcome(gently, player=stop, events=(ev.CoolDownLeft(),))
        here = self.coach.position(turn.progress)
        if here is None:
            # Soon after the workout's end (the cool-down's last stretches, said as the session
            # closed): no workout is offered after pain
            just_done = turn.progress.finished and self.ended_lately(turn)
            reply = self.composer.pain(turn.progress, part, just_done=just_done)
            return Outcome(reply, player=stop, hurt=urgent)
        # In an extra set ("one more set"), the pain is that exercise's: the extra is left
        # uncounted (never asked "did you finish it?" later), and the coach stops before the
        # next, as over the rest after that exercise
        extra = turn.progress.extra_of
        progress = (
            turn.progress if extra is None else self.coach.leave_extra(turn.progress).progress
        )
        paused = self.coach.pause(progress, turn.now).progress
        # Over the rest (or introduction) before an exercise is begun, the pain is the one
        # just done's: kept against it, and the coach stops before the next
        before = self.coach.exercise_before(turn.progress) if self.before_the_set(turn) else None
        if extra is not None:
            before = here.workout.exercises[extra]
        hurt_in = here.exercise if before is None else before
        # Chest pain, feeling faint or breathless is for a doctor, not the exercise's pain: no
        # "last time it caused you pain, say easier" when it comes up again.
        hurt = (
            urgent or turn.hurt
            if part in URGENT_PARTS
            else pains.said(urgent or turn.hurt, hurt_in.id, turn.now)
        )
        exercise = here.exercise
        easier = exercise.easier is not None and paused.load_of(exercise.id) != "easier"
        begun = before is None
        reply = self.composer.pain(paused, part, "easier" if easier else "skip", begun=begun)
        if part in URGENT_PARTS:
            # The workout ends for today, as at "stop": the sets done kept as a partial workout
            # ("how did I do this week" counts them), the place kept for another day
            so_far = self.so_far(turn, self.coach.stop(paused, turn.now))
            return Outcome(reply, paused, history=so_far, player=stop, hurt=hurt)
        return Outcome(reply, paused, player=stop, hurt=hurt)
