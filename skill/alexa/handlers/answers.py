"""The answers to the coach's questions (yes, no, cancel, "end the workout"), and the guard every
command passes first after the runner was told to stop for their health. `Handlers` is every
command at once: skill.alexa.commands' table names its methods."""

from __future__ import annotations

from collections.abc import Callable

from skill.alexa.handlers.fitting import FittingCommands
from skill.alexa.handlers.pain import PainCommands
from skill.alexa.handlers.questions import QuestionCommands
from skill.alexa.handlers.session import SessionCommands
from skill.alexa.handlers.sets import SetCommands
from skill.alexa.handlers.workouts import WorkoutCommands
from skill.alexa.turn import Outcome, Turn
from skill.coaching import events as ev

# Questions offering to do something, which "cancel" or "never mind" calls off (a no). Not
# "Continue?", "Stop here for today?", the cool-down offer nor a question after pain: there
# cancelling ends, as stop does.
CANCEL_MEANS_NO = frozenset(
    {"start_over", "switch", "go_to", "back", "take_back", "step_up", "partial", "reset", "remind"}
)

Action = Callable[["Handlers", Turn], Outcome]


class Handlers(
    SetCommands, PainCommands, FittingCommands, QuestionCommands, WorkoutCommands, SessionCommands
):
    """One method per command (skill.alexa.commands), each short, in a module by concern; here
    the answers to the coach's questions, which hand a turn to any of them."""

    def unless_unwell(self, turn: Turn, action: Action) -> Outcome:
        """Within hours of stopping for chest pain, feeling faint or trouble breathing, a one-shot
        or a device button that would move the workout moves nothing: a voice request hears the
        welcome, which says that advice again; a button (which may not speak) does nothing. In a
        session the welcome opened the runner chooses, and once they carried on, all is as usual.
        "Alexa, pause", which moves nothing but would say "say resume when you're ready", hears
        the welcome too (the pause button still only stops the player)."""
        spoken_pause = action in INVITES_CARRYING_ON and turn.asked.may_speak
        one_shot = (action in MOVES_THE_WORKOUT or spoken_pause) and not turn.asked.in_conversation
        # "Yes", "ok", "wait", "say that again" with nothing asked would answer with the way on
        # ("say resume when you're ready"): they hear the advice again.
        way_on = action in ASKS_THE_WAY_ON and turn.asked.pending is None and turn.asked.may_speak
        if self.carrying_on_past_pain(turn, action) or self.back_to_a_cool_down_over(turn, action):
            return self.launch(turn)
        if not (one_shot or way_on) or not self.told_to_stop_today(turn):
            return action(self, turn)
        if turn.asked.kind.startswith("PlaybackController."):
            return self.nothing(turn)
        return self.launch(turn)

    def carrying_on_past_pain(self, turn: Turn, action: Action) -> bool:
        """Words in a new session ("Alexa, tell the coach next set", hands-free "Alexa, next" or
        "Alexa, resume") that would carry on the exercise the runner stopped for pain, with
        nothing moved since: they hear the welcome, which says why they stopped and asks
        first, as opening the coach does. So too for any move days after stopping for chest
        pain, faintness or breathing (back_after_unwell), as within hours of it. A button, which
        may not speak, calls the set again."""
        if not turn.asked.spoken_anew:
            return False
        if action in MOVES_THE_WORKOUT and self.back_after_unwell(turn):
            return True
        return action in CARRIES_ON_THE_EXERCISE and self.held_for_pain(turn)

    def back_to_a_cool_down_over(self, turn: Turn, action: Action) -> bool:
        """Words in a new session ("Alexa, tell the coach next") that would lead the next
        stretch of a cool-down left more than JUST_DONE_SECONDS after the workout's end: it is
        over, as the welcome they hear instead says (within minutes it still leads on)."""
        in_cool_down = self.routine_kind(turn) == "cool_down"
        over = in_cool_down and not self.cooling_down_now(turn)
        return turn.asked.spoken_anew and action in CARRIES_ON_THE_EXERCISE and over

    def yes(self, turn: Turn) -> Outcome:
        """Yes to the question the last response asked."""
        question, _, target = (turn.asked.pending or "").partition(":")
        if question == "remind":
            return self.reminding.yes(turn)
        if question == "reset":
            return self.settings_reset(turn)
        routine = turn.routine_part
        if question == "continue" and routine is not None:
            return self.next_routine_part(turn, *routine)
        if question == "continue":
            return self.part_played_on(turn) or self.set_again_after_the_welcome(turn)
        if question == "finished" and target:  # some reps of it done before leaving
            return self.count_partly(turn, int(target) if target.isdigit() else None)
        if question == "finished":  # done before leaving (paused or not): counted now
            unpaused = self.coach.resume(turn.progress, turn.now).progress
            return self.speak(turn, self.coach.finish_set(unpaused, turn.now))
        if question == "cool_down":
            cool_down = self.coach.cool_down(turn.progress, 0)
            if cool_down is not None:
                return self.speak(turn, cool_down)
        if question == "start_over":
            return self.restart(turn)
        if question == "end":
            return self.stop(turn)
        if question in ("switch", "start") and self.coach.library.get(target) is not None:
            return self.start(turn, target)
        if question == "go_to":
            move = self.coach.go_to(turn.progress, target, turn.now)
            if move is not None:
                return self.speak(turn, self.own_ways(turn, move))
        if question == "step_up":
            return self.step_up_answered(turn, target, True)
        if question == "back":
            return self.speak(turn, self.coach.back_one_set(turn.progress, turn.now))
        if question == "take_back":
            return self.take_back(turn)
        if question == "partial" and target.isdigit():
            return self.count_partly(turn, int(target))
        if question == "pain" and target == "warm_up" and routine is not None:
            # on with the warm-up, asked for
            return self.pain_answered(turn, self.next_routine_part(turn, *routine))
        if question == "pain" and target == "cool_down":
            return self.pain_answered(turn, self.cool_down_finished_for_pain(turn))
        if question == "pain" and target == "easier":
            return self.easier_and_go(turn)
        if question == "pain" and target == "skip":
            return self.move(turn, lambda p: self.coach.skip_exercise(p, turn.now, set_done=False))
        if self.late_yes_to_the_cool_down(turn):
            cool_down = self.coach.cool_down(turn.progress, 0)
            if cool_down is not None:
                return self.speak(turn, cool_down)
        # "Yes", "ok" with nothing asked: taken as agreement, and the way on said.
        return Outcome(self.composer.acknowledged(turn.progress, self.routine_kind(turn)))

    def no(self, turn: Turn) -> Outcome:
        question = turn.asked.pending
        if question == "continue" and turn.routine_part is None and self.under_way(turn):
            # Not carrying on: the place is held, so a "next" now calls the set again rather
            # than count a set from before they left (at "Continue?" it would be asked)
            held = self.coach.hold(turn.progress)
            return Outcome(self.composer.which_workout(None), held)
        if question == "continue" or question is not None and question.startswith("start:"):
            return Outcome(self.composer.which_workout(None))
        if question is not None and question.partition(":")[0] == "finished":  # not done: again
            return self.set_again_after_the_welcome(turn)
        if question == "cool_down":  # answered: not asked again on opening the coach
            declined = Outcome(self.composer.cool_down_declined(), events=(ev.CoolDownLeft(),))
            return self.reminding.offer_after(turn, declined)
        if self.partial_asked(turn):  # the set goes on
            unpaused = self.coach.resume(turn.progress, turn.now).progress
            return Outcome(self.composer.kept_place(unpaused), unpaused)
        if question == "take_back" and turn.routine_part is None:  # the set stays: the offer
            return self.offer_again(turn)
        if question == "remind":
            return self.reminding.declined(turn)
        if question == "reset":
            kept = self.composer.settings_said(
                turn.progress, "settings.kept", self.routine_kind(turn)
            )
            return Outcome(kept)
        if question is not None and question.startswith("step_up:"):
            return self.step_up_answered(turn, question.partition(":")[2], False)
        routine_asked = question is not None and question.startswith("pain:")
        if routine_asked and turn.routine_part is not None:  # the part held for a later next
            declined = Outcome(self.composer.pain_routine_declined(*turn.routine_part))
            return self.pain_answered(turn, declined)
        if question is not None and question.startswith("pain:"):
            return Outcome(self.composer.pain_declined(turn.progress))
        routine = self.routine_kind(turn)
        if question is not None and routine is not None:  # the warm-up or cool-down goes on
            return Outcome(self.composer.acknowledged(turn.progress, routine))
        again = question is not None and question.startswith(("switch:", "go_to:"))
        if again and turn.progress.finished:  # no second workout: the cool-down offer stands
            return self.offer_again(turn)
        if question is not None and self.back_at_the_set(turn):
            # Come back to it ("Continue?", then "start over?"): staying, the set goes ahead
            # now, called again as the yes at "Continue?" calls it, so "done" after it counts
            called = self.coach.resume(turn.progress, turn.now)
            cold = self.coach.cooled_down(turn.progress, turn.now)
            kept = self.composer.kept_place(called.progress, cold)
            return Outcome(kept, called.progress, events=called.events)
        if question is not None:  # no to starting over, switching or ending: keep the place
            # asked at "Continue?" days later, the set goes ahead cold: loosen up first
            cold = self.coach.cooled_down(turn.progress, turn.now)
            return Outcome(self.composer.kept_place(turn.progress, cold))
        return self.nothing_to_confirm(turn)

    def nothing_to_confirm(self, turn: Turn) -> Outcome:
        return Outcome(self.composer.nothing_to_confirm(turn.progress, self.routine_kind(turn)))

    def end_workout(self, turn: Turn) -> Outcome:
        """Everyday words for stopping ("that's enough for today"): Alexa hears them near their
        samples, so other talk can reach them too. Mid-workout in a conversation, with nothing
        else asked, the coach asks first; "stop" and "Alexa, stop" end at once. Said to a
        question ("not now"), they are a no, but at "Continue?", where they end as stop does."""
        routine = self.routine_kind(turn)
        pending = turn.asked.pending
        # At "Only 6 of 12?" ending is meant, not a no: asked first, and nothing counted.
        partial = self.partial_asked(turn)
        # Asked how to go on after pain, stopping is the runner's safe choice, not a no that
        # holds the place and tells them how to stop: it ends (the cool-down as offered).
        if pending == "pain:cool_down":
            return self.cool_down_finished_for_pain(turn)
        if pending is not None and pending.startswith("pain:"):
            return self.stop(turn)
        if pending is not None and pending != "continue" and not partial:  # "not now": a no
            return self.no(turn)
        under_way = routine != "cool_down" and self.coach.position(turn.progress) is not None
        if under_way and turn.asked.in_conversation and (pending is None or partial):
            return Outcome(self.composer.confirm_end(turn.progress, routine))
        return self.stop(turn)

    def cancel(self, turn: Turn) -> Outcome:
        """ "Cancel" or "never mind" at a question that offers to do something (start over,
        switch, go back, go up a rep, count a partial set, reset, remind) calls that off: a no,
        the workout going on. Anywhere else it stops, as "stop" does."""
        pending = turn.asked.pending or ""
        if pending.partition(":")[0] in CANCEL_MEANS_NO:
            return self.no(turn)
        return self.stop(turn)


# What a one-shot or a device button may not do soon after the runner was told to stop for
# their health (Handlers.unless_unwell): count, call or start anything.
MOVES_THE_WORKOUT: frozenset[Action] = frozenset(
    {
        Handlers.start_workout,
        Handlers.switch_workout,
        Handlers.next_set,
        Handlers.ready,
        Handlers.partial_set,
        Handlers.extra_set,
        Handlers.skip_exercise,
        Handlers.skip_warm_up,
        Handlers.cool_down,
        Handlers.back_one_set,
        Handlers.repeat,
        Handlers.lead_again,
        Handlers.resume,
        Handlers.yes,
        Handlers.go_to_exercise,
        Handlers.start_over,
    }
)


# What goes on with the exercise under way, the set that hurt among them: after pain, asked first.
CARRIES_ON_THE_EXERCISE: frozenset[Action] = frozenset(
    {
        Handlers.next_set,
        Handlers.partial_set,
        Handlers.ready,
        Handlers.resume,
        Handlers.repeat,
        Handlers.lead_again,
    }
)
# What moves nothing but answers with the way on ("say resume when you're ready"): out of a
# conversation soon after that advice, a spoken one hears the advice again instead.
INVITES_CARRYING_ON: frozenset[Action] = frozenset({Handlers.pause})
# What, with no question open, answers with what to say next: soon after that advice, in a
# conversation too, it hears the advice again.
ASKS_THE_WAY_ON: frozenset[Action] = frozenset(
    {Handlers.yes, Handlers.no, Handlers.pause, Handlers.repeat}
)
