"""What the coach does for each command: read the turn, ask the coach for a move, have the
composer put it into words, and return the `Outcome`. Which request is which command is
skill.alexa.commands' table; the workout logic itself lives in skill.coaching."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import replace

from skill.alexa import hands_free as hf
from skill.alexa.player import Stop
from skill.alexa.reminding import Reminding
from skill.alexa.service import CoachService
from skill.alexa.turn import Outcome, Preferences, SlotValue, StoredHistory, Turn
from skill.audio.plans import Playing, routine_part_led_by
from skill.coaching import events as ev
from skill.coaching import lasting_rest, pains, progression, take_back
from skill.coaching.coach import Transition, partial_out_of
from skill.coaching.history import History, remember
from skill.coaching.progress import MIN_REST_SECONDS, USUAL_PACE, Progress
from skill.coaching.routine import offered as routine_offered
from skill.coaching.routine import stored as stored_routine
from skill.speech.answers import BREATHLESS, FAINT, URGENT_PARTS
from skill.speech.replies import Reply
from skill.speech.ssml import Speech

log = logging.getLogger(__name__)

REST_STEP_SECONDS = 15  # "more rest" or "shorter rests" moves the rest by this much
# The moves that read or add to what the coach remembers (skill.coaching.history).
REMEMBERED = (ev.WorkoutFinished, ev.WorkoutStopped, ev.ExerciseIntroduced)
# The questions that "I'm ready" answers yes: carrying on, a workout or exercise to go to. To the
# others (did you finish it, going back over a set done, pain's offers) it is no answer: being
# ready is not having done the set, nor wanting one off the count. Nor is it to the cool-down
# offer, asked when the workout is over: "dinner's ready" is heard as ready too, and the
# cool-down has words of its own ("yes", "let's cool down").
READY_MEANS_YES = frozenset({"continue", "switch", "start", "go_to", "start_over"})
# Questions offering to do something, which "cancel" or "never mind" calls off (a no). Not
# "Continue?", "Stop here for today?", the cool-down offer nor a question after pain: there
# cancelling ends, as stop does.
CANCEL_MEANS_NO = frozenset(
    {"start_over", "switch", "go_to", "back", "take_back", "step_up", "partial", "reset", "remind"}
)
ALL_KIT = "all"  # the KIT slot's id for every piece at once: "no equipment", "my kit"

# The least time one set takes: "skip" on a last set sooner after its call does not count it.
MIN_SET_SECONDS = 10
# A yes to the cool-down offer, after something else came between, within this long of the
# workout's end (in the same conversation); later, it answers nothing.
LATE_YES_SECONDS = 10 * 60
# Pain said within this long of a workout's end is of its last moves or its cool-down: the
# answer offers no other workout.
JUST_DONE_SECONDS = 30 * 60

Action = Callable[["Handlers", Turn], Outcome]


class Handlers:
    """One method per command (skill.alexa.commands), each short; the shared ways of answering
    come first."""

    def __init__(self, service: CoachService) -> None:
        self.service = service
        self.coach = service.coach
        self.composer = service.composer
        self.reminding = Reminding(service, self.from_history)
        self.progression = progression.Progression(self.coach)

    # --- ways of answering --------------------------------------------------------------------

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
        if playing is not None and not playing.spoken:
            return moved
        over_a_rest = turn.asked.rest_left if rest_runs_on else None
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
        hands_free = hf.plays_audio(self.service, turn)
        over_a_rest = turn.asked.rest_left if self.before_the_call(turn) else None
        reply = self.composer.answer(turn.progress, speech, kind, hands_free, over_a_rest)
        return Outcome(reply)

    def routine_kind(self, turn: Turn) -> str | None:
        routine = turn.routine_part
        return routine[0] if routine is not None else None

    def next_routine_part(self, turn: Turn, kind: str, part: int) -> Outcome:
        """ "Next" during a warm-up or cool-down leads its next part."""
        if kind == "warm_up":
            return self.move(turn, lambda p: self.coach.warm_up(p, part))
        move = self.coach.cool_down(turn.progress, part)
        if move is None:
            return self.reminding.offer_after(turn, Outcome(self.composer.cool_down_declined()))
        return self.speak(turn, move)

    def part_again(self, turn: Turn) -> Outcome | None:
        """In a warm-up or cool-down with no question open, the part just led, led again (the
        place stays: "next" leads the same part after it); None elsewhere."""
        routine = turn.routine_part
        if routine is None or routine[1] == 0 or turn.asked.pending is not None:
            return None
        return self.next_routine_part(turn, routine[0], routine[1] - 1)

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

    def offer_again(self, turn: Turn, said: Speech | None = None) -> Outcome:
        """Words of the workout ("next", "go back", "wait") said at the cool-down offer: there
        is no set left to move, so the offer is asked again, still open."""
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

    # --- moving through the workout -----------------------------------------------------------

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

    def start_workout(self, turn: Turn) -> Outcome:
        workout = turn.asked.slot("workout")
        if workout.resolved_id is None and self.named_workout(turn) is not None:
            return self.switch_workout(turn)  # "let's do the other one"
        workout_id, progress = workout.resolved_id, turn.progress
        under_way = self.under_way(turn)
        if workout_id is None or self.coach.library.get(workout_id) is None:
            if not workout.spoken:
                return self.none_named(turn)
            if under_way:  # mid-set words that named no workout
                return self.fallback(turn)
            return Outcome(self.composer.which_workout(workout.spoken))
        if under_way and progress.workout_id == workout_id:
            if turn.asked.pending == "continue":  # "the dumbbell one" at "Continue?": yes
                return self.yes(turn)
            routine = turn.routine_part
            if self.pain_asked_in_routine(turn):  # not on with a warm-up that hurt, unasked
                return self.pain_asked_again(turn)
            if routine is not None and routine[0] == "warm_up":  # its warm-up goes on
                return self.next_routine_part(turn, *routine)
            if progress.paused and turn.asked.in_conversation:
                # named while the place is held (after a no to carrying on, say): a fresh
                # start is likely meant, and asked for
                return Outcome(self.composer.confirm_start_fresh(progress))
            return Outcome(self.composer.already_on(progress))
        if under_way:
            return Outcome(self.composer.confirm_switch(progress, workout_id))
        if turn.asked.pending == "cool_down" or self.cooling_down_now(turn):
            # a workout named straight after one, or in its cool-down: asked first
            return Outcome(self.composer.confirm_another(progress, workout_id))
        return self.start(turn, workout_id)

    def none_named(self, turn: Turn) -> Outcome:
        """A workout asked for without naming one ("you pick", "let's start"): at the cool-down
        offer the offer stands, in the cool-down it goes on, soon after the advice to stop for
        today that advice again; otherwise the one not done last time, or the choice."""
        if self.offer_open(turn):
            return self.offer_again(turn)
        if self.told_to_stop_today(turn):
            return self.launch(turn)
        if self.routine_kind(turn) == "cool_down":
            return Outcome(self.composer.acknowledged(turn.progress, "cool_down"))
        other = None if self.under_way(turn) else self.workout_to_suggest(turn)
        if other is not None:
            return Outcome(self.composer.suggest_workout(turn.progress.workout_id or "", other))
        return Outcome(self.composer.which_workout(None))

    def workout_to_suggest(self, turn: Turn) -> str | None:
        """For "you pick": the workout besides the last one, when that one had sets done the day
        before or earlier (arms get a day off); None when the choice is the runner's."""
        progress = turn.progress
        last = progress.last_move_at
        if progress.sets_done == 0 or last is None or turn.now - last < A_DAY_OFF_SECONDS:
            return None
        return self.coach.other_workout(progress)

    def start(self, turn: Turn, workout_id: str) -> Outcome:
        """A workout from its warm-up, without the kit the runner said they lack."""
        kit = turn.preferences.missing_kit
        started = self.coach.start(turn.progress, workout_id, turn.now, True, missing_kit=kit)
        return self.speak(turn, self.own_ways(turn, started))

    def switch_workout(self, turn: Turn) -> Outcome:
        """ "The other one": mid-workout, at the cool-down offer or in the cool-down, asked
        first; after a workout, the other one starts."""
        progress = turn.progress
        other = self.coach.other_workout(progress)
        if other is None:
            return Outcome(self.composer.which_workout(None))
        if self.under_way(turn):
            return Outcome(self.composer.confirm_switch(progress, other))
        if turn.asked.pending == "cool_down" or self.cooling_down_now(turn):
            # straight after a workout, or in its cool-down: asked first
            return Outcome(self.composer.confirm_another(progress, other))
        return self.start(turn, other)

    def next_set(self, turn: Turn) -> Outcome:
        routine = turn.routine_part
        if self.pain_asked_in_routine(turn):
            return self.pain_asked_again(turn)
        if self.pain_asked(turn):
            return self.help(turn)
        if routine is not None:
            return self.next_routine_part(turn, *routine)
        if self.offer_open(turn):  # "next", "done": nothing to count, the offer stands
            return self.offer_again(turn)
        if turn.asked.pending == "continue" and self.under_way(turn):
            past = hf.past_the_part(self.service, turn)
            if past is not None:  # in a warm-up part played recorded: on to what follows it
                resumed = self.coach.resume(turn.progress, turn.now).progress
                return Outcome(progress=resumed, player=past)
            # Told to stop that set for pain, or its rest still playing (or stopped part-way,
            # its set never called): never counted, called
            before = hf.before_the_set(self.service, turn)
            stopped = hf.stopped_before_the_call(self.service, turn)
            if self.held_for_pain(turn) or before or stopped:
                return self.set_again_after_the_welcome(turn)
            return Outcome(self.composer.finished_question(turn.progress))
        if self.partial_asked(turn):
            # "Only 6 of 12?" then "done": counted whole it would count reps the runner just
            # said they did not do, so the question is asked again
            words = turn.asked.question_words
            return Outcome(self.composer.help_with_question(words, turn.asked.pending or ""))
        if self.offered(turn) is not None:  # the set was not called yet: it is, nothing counted
            return self.set_called_as_it_is(turn)
        by_player = hf.next_by_player(self.service, turn)
        if by_player == hf.CALL_AGAIN:
            return self.welcome_back_to_the_set(turn)
        if by_player is not None:
            return Outcome(player=by_player)
        if self.before_the_call(turn):  # the set after the rest starts: none was done
            return self.go_before_the_call(turn, "next")
        if self.back_long_after(turn):  # done before leaving, or "done for today"? Asked
            return Outcome(self.composer.finished_question(turn.progress))
        if self.pressed_long_after(turn):  # a button cannot ask: the set again, uncounted
            return self.set_called_again(turn)
        moved = self.move(turn, lambda p: self.coach.finish_set(p, turn.now))
        return self.loosened_up_first(turn, moved)

    def back_long_after(self, turn: Turn) -> bool:
        """Words in a new session ("Alexa, tell the coach I'm done") long enough after the set
        was called to have cooled down: as "next" at the welcome's "Continue?", whether it was
        done is asked (a button, which may not speak, calls the set again: pressed_long_after)."""
        return turn.asked.spoken_anew and self.long_after_the_call(turn)

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

    def go_before_the_call(self, turn: Turn, said: str) -> Outcome:
        """The set the last answer was leading up to starts now ("Rest over." when its rest was
        still being paced); nothing is counted."""
        rest_over = turn.asked.over_a_rest
        reply = self.composer.go_ahead(turn.progress, rest_over, skip_hint=said == "skip")
        return Outcome(reply)

    def partial_set(self, turn: Turn) -> Outcome:
        """ "I only managed 8", "I failed on rep ten": the set counts, kept as partial. In a
        warm-up, or said while the coach still leads up to a set (the one before it already
        counted whole), no set is under way to count: the way on is said instead."""
        if self.pain_asked(turn):  # the set that hurt: never counted
            return self.help(turn)
        reps = turn.asked.slot("reps").whole_number
        failed = turn.asked.slot("failed_rep").whole_number
        if reps is None and failed is not None:
            reps = max(0, failed - 1)
        if hf.routine_part_held(self.service, turn) is not None:
            # a recorded warm-up part still plays on the way to the set: none is under way
            return self.fallback(turn)
        # A led set the player has led for a while is under way: reps said then are its own
        by_player = hf.before_the_set(self.service, turn) and not self.led_a_while(turn)
        if by_player or turn.asked.over_a_rest and self.before_the_call(turn):
            return self.last_set_partly(turn, reps, by_player)
        if self.just_called(turn):  # seconds after a set's call: the set before it, if any
            if turn.progress.sets_done == 0:  # none yet: the set is called again, uncounted
                return self.set_called_again(turn)
            return self.last_set_partly(turn, reps, False, before_this=True)
        if self.routine_kind(turn) is not None or self.before_the_call(turn):
            return self.fallback(turn)
        if self.far_short(turn, reps):
            assert reps is not None  # far_short checked it
            # Held while asked: a "skip", or a "next" after the session closed, counts nothing
            held = self.coach.pause(turn.progress, turn.now).progress
            return Outcome(self.composer.confirm_partial(turn.progress, reps), held)
        return self.count_partly(turn, reps)

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

    def count_partly(self, turn: Turn, reps: int | None) -> Outcome:
        """The set counted as partial. Reps said of a held set (asked "Only 2 of 12?", or
        paused) are that set's: it goes on from the hold."""
        progress = turn.progress
        if progress.paused:
            progress = self.coach.resume(progress, turn.now).progress
        return self.speak(turn, self.coach.finish_set_partly(progress, turn.now, reps))

    def far_short(self, turn: Turn, reps: int | None) -> bool:
        """Half the set or fewer, said in a conversation: asked before it counts, as words with
        a number in them said to someone else can sound like it."""
        here = self.coach.position(turn.progress)
        if reps is None or here is None or not turn.asked.in_conversation:
            return False
        return 2 * reps <= partial_out_of(here.exercise, reps)

    def last_set_partly(
        self, turn: Turn, reps: int | None, by_player: bool, before_this: bool = False
    ) -> Outcome:
        """ "I only managed 8" over the rest after a set (or, hands-free, anything the coach's
        audio plays before the next set begins): that set is kept as partial, and the rest runs
        on. Never the set after it, not yet done. One that cannot be noted (the whole set's
        reps, none, an extra set) stays counted as it was, and the runner is told so."""
        noted = self.coach.last_set_partly(turn.progress, reps)
        if noted is None:
            said = Speech().say(self.composer.phrases.say("set.partial_kept"))
            noted = Transition(turn.progress, ())
        else:
            said = self.composer.transition(turn.progress, noted).said
            if before_this:  # the set just called is not the one noted: said so
                said = said.say(self.composer.phrases.say("set.partial_set_before"))
        if by_player:  # the session ends, so the player plays the rest on
            return Outcome(Reply(said, None, True), noted.progress, events=noted.events)
        answered = self.answer(turn, lambda _: said)
        return replace(answered, progress=noted.progress, events=noted.events, same_place=True)

    def extra_set(self, turn: Turn) -> Outcome:
        """ "One more set": beyond the plan, of the exercise just finished, counted apart."""
        if self.routine_kind(turn) is not None:
            return self.fallback(turn)
        return self.move(turn, lambda p: self.coach.extra_set(p, turn.now))

    def ready(self, turn: Turn) -> Outcome:
        """I'm ready, let's go: yes to a question just asked; in a warm-up or cool-down, its
        next part; before a set, go (a paused workout resumes). Never a set counted: said long
        after the set was announced, it may mean the set is done, and that is asked."""
        pending = turn.asked.pending
        if self.offered(turn) is not None:  # ready for the set, as it is
            return self.set_called_as_it_is(turn)
        if pending == "finished":  # ready for it: it was not done, so the set again
            return self.set_again_after_the_welcome(turn)
        if pending is not None and pending.partition(":")[0] in READY_MEANS_YES:
            return self.yes(turn)
        if pending == "cool_down":  # the offer, asked again as it was
            return Outcome(self.composer.answer_then_ask(Speech(), pending))
        if pending is not None:  # not an answer to this question: it is asked again
            return self.fallback(turn)
        routine = turn.routine_part
        if self.pain_asked_in_routine(turn):  # being ready is no answer to going on after pain
            return self.pain_asked_again(turn)
        if routine is not None:
            return self.next_routine_part(turn, *routine)
        if turn.progress.paused:
            return self.welcome_back_to_the_set(turn)
        if self.before_the_call(turn):
            return self.go_before_the_call(turn, "ready")
        if self.back_after_the_set(turn):  # done, or only now starting? Asked
            return Outcome(self.composer.done_already_question(turn.progress))
        return Outcome(self.composer.go_ahead(turn.progress))

    def skip_exercise(self, turn: Turn) -> Outcome:
        if self.routine_kind(turn) == "warm_up":  # "skip" then means the warm-up
            return self.skip_warm_up(turn)
        if self.offer_open(turn):  # "skip it": the cool-down offered is all there is to skip
            return self.no(turn)
        if turn.asked.pending == "pain:cool_down":  # "skip the rest": finishing it here
            return self.cool_down_finished_for_pain(turn)
        if turn.asked.over_a_rest and self.before_the_call(turn):
            # "Skip the rest", said over one: the set after it starts now. (Over an
            # introduction, "skip" is the exercise: skipping never counts a first set.)
            return self.go_before_the_call(turn, "skip")
        # On an exercise's last set "skip" counts it, as "next" would; not paused (after pain,
        # say), nor said too soon after the set was called for it to have been done (by the
        # player's clock too), nor in a new session long after it (where "next" asks).
        soon, late = self.just_called(turn), self.back_long_after(turn)
        done = not turn.progress.paused and not soon and not late
        return self.move(turn, lambda p: self.coach.skip_exercise(p, turn.now, set_done=done))

    def skip_warm_up(self, turn: Turn) -> Outcome:
        if self.routine_kind(turn) != "warm_up":
            return Outcome(self.composer.skip_warm_up_unasked(turn.progress))
        if turn.asked.pending == "pain:warm_up":
            # Asked whether to go on gently after it hurt: straight into loaded sets is no
            # answer to that. Safety first, and the question again (as help says).
            return self.help(turn)
        return self.move(turn, self.coach.skip_warm_up)

    def back_one_set(self, turn: Turn) -> Outcome:
        """Back a set, to do it again. In a conversation, it is asked first when it would take
        a set that was done off the count ("Alexa, previous" and the button are deliberate).
        In a warm-up or cool-down (or over one of its parts played recorded), the part before
        the one under way is led again (the first part, from the first): it is never left for
        it. At the cool-down offer, and in the cool-down for the words that take a set back
        ("undo", "I said done by accident": GoBackIntent), the workout's last set (and the
        finish with it) is taken back after a yes, while it can be (skill.coaching.take_back);
        after that, at the offer the runner is told plainly that the workout is saved as done.
        At the question after pain, going back would call a set of what hurt: safety first,
        and the question again."""
        if self.pain_asked(turn):
            return self.help(turn)
        routine = turn.routine_part
        playing = hf.routine_playing(self.service, turn)  # a part recorded, for a button
        if playing is not None:
            return self.routine_part_before(turn, playing[0], playing[1])
        in_cool_down = routine is not None and routine[0] == "cool_down"
        # Back after the session closed on a finished workout: its last set is still the one
        finished = routine is None and turn.progress.finished
        if (
            self.offer_open(turn)
            or finished
            or (in_cool_down and turn.asked.intent == "GoBackIntent")
        ):
            before = self.finish_to_take_back(turn)
            if before is not None and turn.asked.may_speak:
                return Outcome(self.composer.confirm_take_back(before))
        if routine is not None:
            return self.routine_part_before(turn, routine[0], routine[1] - 1)  # after this one
        if self.offer_open(turn):
            return self.offer_again(turn, Speech().say(self.composer.phrases.say("set.saved_done")))
        if turn.progress.extra_of is not None and turn.asked.intent == "GoBackIntent":
            # "Undo" with an extra set under way: that request is what is undone
            return self.speak(turn, self.coach.leave_extra(turn.progress))
        back = self.coach.back_one_set(turn.progress, turn.now)
        uncounts = back.progress.sets_done < turn.progress.sets_done
        if uncounts and turn.asked.in_conversation and turn.asked.pending != "back":
            return Outcome(self.composer.confirm_back(turn.progress, back.progress))
        return self.speak(turn, back)

    def finish_to_take_back(self, turn: Turn) -> Progress | None:
        """The place on the last set of the workout just finished, while that finish can be
        taken back; None otherwise."""
        finish = turn.finish
        if finish is None or not take_back.may_take_back(finish, turn.now):
            return None
        before = finish.place()
        if before is None:
            return None
        # As a turn reads a place: the runner's own reps, and the pace they lead sets at now.
        before = self.progression.loaded(before, finish.records())
        before = replace(before, pace=turn.progress.pace)
        if self.coach.take_back_finish(turn.progress, before) is None:
            return None
        return before

    def take_back(self, turn: Turn) -> Outcome:
        """Yes to taking back the last set: the record as it was before that set was counted
        (place, history, each exercise's counts and bests), and the set called again. The
        cool-down, if under way, ends with it."""
        finish, before = turn.finish, self.finish_to_take_back(turn)
        if finish is None or before is None:  # too late now: the workout stands as done
            said = Speech().say(self.composer.phrases.say("set.saved_done"))
            if turn.routine_part is None:
                return self.offer_again(turn, said)
            return self.answer(turn, lambda _: said)
        move = self.coach.take_back_finish(turn.progress, before)
        assert move is not None  # finish_to_take_back checked it
        records, past = finish.records(), finish.past()
        history = turn.history if past is None else StoredHistory(finish.history)
        restored = replace(turn, progress=before, exercises=records, history=history)
        outcome = self.speak(restored, move)
        kept = records if outcome.exercises is None else outcome.exercises
        return replace(outcome, history=past, exercises=kept)

    def routine_part_before(self, turn: Turn, kind: str, part: int) -> Outcome:
        """The part before `part` of the warm-up or cool-down, led again (the first part, from
        the first): the routine is never left for it. Held for pain, not led unasked."""
        if self.pain_asked_in_routine(turn):
            return self.pain_asked_again(turn)
        return self.next_routine_part(turn, kind, max(0, part - 1))

    def repeat(self, turn: Turn) -> Outcome:
        """The set said again; over a rest the coach's audio plays, the set after it, and the
        rest plays on. In hands-free mode the way on is "Alexa, next". In a warm-up or
        cool-down, the part just led is led again (the place stays: "next" leads the same part
        after it); at the cool-down offer, the offer is made again. A part or a led set the
        player plays, plays again from its start (said in words, the recorded lead would play
        on after them)."""
        if self.pain_asked_in_routine(turn):  # not the part that hurt again, unasked
            return self.pain_asked_again(turn)
        recorded = hf.routine_again(self.service, turn) or hf.led_set_playing(self.service, turn)
        if recorded is not None:
            return Outcome(player=recorded)
        again = self.part_again(turn)
        if again is not None:
            return again
        if hf.resting(self.service, turn):
            return Outcome(self.composer.repeat_in_rest(turn.progress))
        if self.offer_open(turn):  # the offer said again, still open
            return Outcome(self.composer.answer_then_cool_down_offer(turn.progress, Speech()))
        if turn.asked.pending is not None:  # a question open: what asked it, said again
            return Outcome(self.composer.asked_again(turn.asked.question_words, turn.asked.pending))
        done = turn.progress.finished and not self.under_way(turn)
        if done and turn.history.read().last() is not None:
            # After the workout, the session over too: where the runner is, the workout just
            # done summed up again, and the way on; not the help for someone new
            return self.in_own_time(turn, self.composer.last_workout_answer)
        return self.hands_free_way_on(turn, self.composer.repeat(turn.progress))

    def lead_again(self, turn: Turn) -> Outcome:
        """ "One more time": the set said again, as "repeat" does. "I missed the T": its lead
        again from that letter on; with no such letter in the set under way (or in a warm-up,
        or over a rest the player plays), the set said again. Nothing is counted. Led from a
        letter in words over the lead the player plays, that recorded lead stops rather than
        play on after them."""
        step = turn.asked.slot("step").resolved_id
        move = self.coach.step_again(turn.progress, step)
        if move is None or self.routine_kind(turn) is not None or hf.resting(self.service, turn):
            return self.repeat(turn)
        again = next(e for e in move.events if isinstance(e, ev.StepLedAgain))
        said = self.hands_free_way_on(turn, self.composer.step_again(turn.progress, again))
        if hf.led_set_playing(self.service, turn) is not None:  # not played on after the words
            said = replace(said, player=Stop())
        return said

    def pace(self, turn: Turn) -> Outcome:
        """ "Slow down", "speed up": the led sets' pace from now on, kept for later workouts;
        the set under way led again at it, unless a warm-up or a question is under way."""
        way = turn.asked.slot("pace").resolved_id
        if way not in ("slower", "faster"):  # words that named no way: not caught
            return self.fallback(turn)
        move = self.coach.change_pace(turn.progress, slower=way == "slower")
        changed = next(e for e in move.events if isinstance(e, ev.PaceChanged))
        routine, pending = self.routine_kind(turn), turn.asked.pending
        called = any(isinstance(e, ev.SetAnnounced) for e in move.events)
        lead_again = called and routine is None and pending is None
        rest_runs_on = self.place_kept_over_a_rest(turn, move)  # said over a rest, it runs on
        rest_left = turn.asked.rest_left if rest_runs_on else None
        reply = self.composer.pace_changed(
            move.progress, changed, lead_again, routine, pending, rest_left
        )
        said = self.hands_free_way_on(turn, reply, move.progress)
        return replace(said, same_place=rest_runs_on)

    def hands_free_way_on(
        self, turn: Turn, reply: Reply, progress: Progress | None = None
    ) -> Outcome:
        """A set said again in words: in hands-free mode the way on is "Alexa, next" (paused,
        it is to resume, as the reply says)."""
        paused = (progress or turn.progress).paused
        if hf.plays_audio(self.service, turn) and reply.reprompt is not None and not paused:
            reply = replace(reply, reprompt=self.composer.hands_free_reprompt())
        return Outcome(reply, progress)

    def pause(self, turn: Turn) -> Outcome:
        routine = turn.routine_part  # a warm-up or cool-down part waits as it is: no pause
        if not turn.asked.may_speak:  # the pause button: the player stops, the place is kept
            button = Stop() if turn.asked.has_player else None
            if routine is not None:
                return Outcome(player=button)
            return Outcome(
                progress=self.coach.pause(turn.progress, turn.now).progress, player=button
            )
        stop = hf.stop_if_held(self.service, turn)
        if hf.routine_playing(self.service, turn) is not None and not turn.asked.in_conversation:
            # Over a recorded warm-up or cool-down part, as over a rest: it stops where it is
            # ("Alexa, resume" plays on), and nothing of the workout is paused or kept.
            return Outcome(player=stop)
        pending = turn.asked.pending or ""
        if routine is not None and pending.startswith("pain:"):
            # "wait" at whether to go on after pain: take your time, and the question stands
            said = self.composer.take_your_time()
            words = turn.asked.question_words
            return Outcome(self.composer.answer_then_ask(said, pending, words), player=stop)
        if routine is not None:
            return Outcome(self.composer.routine_paused(turn.progress, routine[0]), player=stop)
        if self.offer_open(turn):  # "wait": take your time, and the offer stands
            return self.offer_again(turn, self.composer.take_your_time())
        paused = self.coach.pause(turn.progress, turn.now)
        if stop is not None and not turn.asked.in_conversation and turn.asked.player_playing:
            # "Alexa, pause" or "Alexa, stop" over the coach's audio (Alexa sends both as a
            # pause): it stops, the place kept, and the workout so far kept as partial, as a
            # spoken stop keeps it; finishing it later replaces that entry.
            so_far = self.so_far(turn, self.coach.stop(turn.progress, turn.now))
            return Outcome(progress=paused.progress, player=stop, history=so_far)
        # "Wait", "hold on" in a conversation: said as the conversation says it (a silent end of
        # the session would leave the runner not knowing they are paused), and any track of
        # the coach's held while Alexa listened is stopped too.
        reply = self.composer.transition(turn.progress, paused)
        return Outcome(reply, paused.progress, player=stop)

    def resume(self, turn: Turn) -> Outcome:
        """A rest paused part-way plays on from where it stopped; else the set is called again.
        In a warm-up or cool-down, the part paused: a recorded one plays on from where it
        stopped, one said in words is led again ("next" is what moves on)."""
        routine = turn.routine_part
        mid_rest = hf.resume_mid_rest(self.service, turn)
        if routine is not None and mid_rest is not None:  # a recorded part, from where it stopped
            return Outcome(player=mid_rest)
        if self.pain_asked_in_routine(turn):  # not the move that hurt again, unasked
            return self.pain_asked_again(turn)
        if routine is not None:  # the part the runner was doing, not the one after it
            return self.routine_part_before(turn, *routine)
        if self.offer_open(turn):
            return self.offer_again(turn)
        resumed = self.coach.resume(turn.progress, turn.now)
        if mid_rest is None:
            return self.loosened_up_first(turn, self.speak(turn, resumed))
        return Outcome(progress=resumed.progress, player=mid_rest)

    def go_to_exercise(self, turn: Turn) -> Outcome:
        exercise = turn.asked.slot("exercise")
        named = None if exercise.resolved_id is not None else self.workout_in(exercise.spoken)
        if named is not None:  # "i want to do dumbbell workout": a workout, not an exercise
            workout = {"workout": SlotValue(exercise.spoken, named)}
            return self.start_workout(replace(turn, asked=replace(turn.asked, slots=workout)))
        before = turn.progress
        move = None
        if exercise.resolved_id is not None:
            move = self.coach.go_to(before, exercise.resolved_id, turn.now)
        if move is None or exercise.resolved_id is None:
            return Outcome(self.composer.which_exercise(before, exercise.spoken))
        here = self.coach.position(before)
        if self.under_way(turn) and here and move.progress.workout_id != here.workout.id:
            return Outcome(self.composer.confirm_go_to(before, exercise.resolved_id))
        if self.offer_open(turn) or self.cooling_down_now(turn):
            # a move named straight after a workout starts a workout again: asked first
            return Outcome(self.composer.confirm_another_go_to(before, exercise.resolved_id))
        return self.speak(turn, self.own_ways(turn, move))

    def workout_in(self, words: str | None) -> str | None:
        """The workout an exercise's words name whole ("dumbbell workout", heard as an exercise
        to go to): its id; None for any other words."""
        said = " ".join(w for w in (words or "").lower().split() if w not in ("the", "a"))
        for plan in self.coach.library.workouts:
            if said in (plan.name.lower(), plan.id):
                return plan.id
        return None

    def start_over(self, turn: Turn) -> Outcome:
        if self.under_way(turn):
            routine = self.routine_kind(turn)
            return Outcome(self.composer.confirm_start_over(turn.progress, routine))
        return self.restart(turn)

    def restart(self, turn: Turn) -> Outcome:
        """The workout again from the top, without the kit the runner said they lack."""
        kit = turn.preferences.missing_kit
        restarted = self.coach.start_over(turn.progress, turn.now, missing_kit=kit)
        return self.speak(turn, self.own_ways(turn, restarted))

    def easier(self, turn: Turn) -> Outcome:
        if turn.progress.paused:  # after pain: the easier way, and on with the set
            return self.easier_and_go(turn)
        if self.offered(turn) is not None:  # "use the easier one" at the offer: the set follows
            return self.easier_and_go(turn)
        return self.load_kept(turn, self.coach.change_load(turn.progress, harder=False))

    def easier_and_go(self, turn: Turn) -> Outcome:
        """The easier way, and the workout resumed on the same set (nothing counted)."""
        chosen = self.coach.change_load(turn.progress, harder=False)
        resumed = self.coach.resume(chosen.progress, turn.now)
        # held for pain, the set at its new reps is called as it resumes (else it was already)
        paused = turn.progress.paused
        called = self.coach.called_at_new_reps(turn.progress, resumed.progress) if paused else ()
        return self.load_kept(turn, Transition(resumed.progress, (*chosen.events, *called)))

    def harder(self, turn: Turn) -> Outcome:
        return self.load_kept(turn, self.coach.change_load(turn.progress, harder=True))

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

    def hurt(self, turn: Turn, part: str | None) -> Outcome:
        stop = hf.stop_if_held(self.service, turn)
        # Told to stop for the day and get medical help: opening again soon says so again.
        urgent = pains.said(turn.hurt, pains.URGENT, turn.now) if part in URGENT_PARTS else None
        routine = turn.routine_part
        if routine is not None:  # the warm-up or cool-down part stays where it is
            kept = stored_routine(*routine)
            reply = self.composer.pain(turn.progress, part, routine=kept)
            # and is held for it beyond this session: no move is led unasked in the next
            held = urgent or pains.said_in_routine(turn.hurt, kept, turn.now)
            return Outcome(reply, player=stop, hurt=held)
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

    def before_the_set(self, turn: Turn) -> bool:
        """Said before the set the runner's place names was called: over the rest or the
        introduction the coach speaks, or the player plays, on the way to it."""
        return self.before_the_call(turn) or hf.before_the_set(self.service, turn)

    # --- each exercise over weeks (skill.coaching.progression) -------------------------------

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

    def offered(self, turn: Turn) -> str | None:
        return self.progression.offered(turn.progress, turn.asked.pending, turn.exercises)

    def set_called_as_it_is(self, turn: Turn) -> Outcome:
        """The set held for the offer, called as it is: nothing counted, nothing changed."""
        return self.speak(turn, self.progression.set_called(turn.progress))

    def step_up_answered(self, turn: Turn, exercise_id: str, yes: bool) -> Outcome:
        """Yes or no to the step up: remembered for this exercise, then its set called."""
        if self.offered(turn) != exercise_id:
            return self.fallback(turn)
        answer = self.progression.answered(turn.progress, turn.exercises, yes)
        outcome = self.speak(turn, self.progression.set_called(answer.progress))
        said = self.composer.step_up_answer(answer.exercise, answer.step, answer.load)
        return replace(outcome, notice=said, exercises=answer.records)

    def keep_same(self, turn: Turn) -> Outcome:
        """ "Keep it the same": at the offer, no; elsewhere nothing changes, and it is said."""
        offered = self.offered(turn)
        if offered is not None:
            return self.step_up_answered(turn, offered, False)
        kept = self.composer.phrases.say("progression.kept_as_is")
        return self.answer(turn, lambda _: Speech().say(kept))

    def set_reps(self, turn: Turn) -> Outcome:
        """ "Go back to 12": this exercise's reps, within its range, remembered; at the offer,
        its set is called with them."""
        reps = turn.asked.slot("reps").whole_number
        if reps is None:
            return self.fallback(turn)
        chosen = self.progression.reps_chosen(turn.progress, turn.exercises, reps)
        exercise = None if chosen is None else chosen.exercise
        done = chosen is not None and chosen.records is not None
        said = self.composer.chosen_reps_answer(exercise, reps, done)
        if chosen is None or chosen.records is None:
            return self.answer(turn, lambda _: Speech().say(said))
        if self.offered(turn) is not None:
            outcome = self.speak(turn, self.progression.set_called(chosen.progress))
            return replace(outcome, notice=said, exercises=chosen.records)
        # Only the record changes (the reps live there, and the progress is given them from
        # it each turn): a new place in the outcome would end a rest this was said over.
        answered = self.answer(
            replace(turn, progress=chosen.progress), lambda _: Speech().say(said)
        )
        return replace(answered, exercises=chosen.records)

    def best(self, turn: Turn) -> Outcome:
        """ "What's my best on the chin-ups": the most reps in a set, at the hardest way done."""
        named = turn.asked.slot("exercise")
        if named.spoken is not None and named.resolved_id is None:
            return Outcome(self.composer.which_exercise(turn.progress, named.spoken))
        exercise = self.progression.best_of(turn.progress, named.resolved_id)
        record = progression.record_of(turn.exercises, exercise.id if exercise else "")
        return self.from_history(turn, self.composer.best_answer(exercise, record))

    def load_kept(self, turn: Turn, move: Transition) -> Outcome:
        """ "Too hard" or "too easy": the version is kept for later workouts too."""
        outcome = self.speak(turn, move)
        kept = self.progression.load_kept(turn.progress, move, turn.exercises, turn.now)
        return outcome if kept is None else replace(outcome, exercises=kept)

    # --- missing kit --------------------------------------------------------------------------

    def missing_kit(self, turn: Turn) -> Outcome:
        """ "I don't have a pull-up bar": the exercise is done another way (nothing counted, the
        place kept), and so is every later one that needs it, in this workout and the next.
        Before a workout, the one that suits the kit best is offered."""
        kit = self.kit_said(turn)
        if kit is None:
            return self.which_kit(turn)
        if not kit:  # "i don't have that" at an exercise that needs only the floor
            return self.answer(turn, self.composer.needs_no_kit)
        lacking = self.coach.known_kit((*turn.preferences.missing_kit, *kit))
        said = self.composer.kit_lacking(kit)
        return self.kit_lacked(
            turn, lacking, said, lambda p, at: self.coach.kit_missing(p, kit, at)
        )

    def only_kit(self, turn: Turn) -> Outcome:
        """ "I only have dumbbells", "I've only got a mat", "no equipment": every other piece
        is missing."""
        slot = turn.asked.slot("kit")
        kept = None if slot.resolved_id == ALL_KIT else slot.resolved_id  # None: no kit at all
        if (slot.spoken is not None and slot.resolved_id is None) or (
            kept is not None and self.coach.library.kit_named(kept) is None
        ):
            return self.which_kit(turn)
        lacking = self.coach.known_kit(self.coach.library.kit_ids - {kept})
        said = self.composer.kit_lacking(lacking) if kept is None else self.composer.kit_only(kept)
        return self.kit_lacked(turn, lacking, said, lambda p, at: self.coach.kit_only(p, kept, at))

    def have_kit(self, turn: Turn) -> Outcome:
        """ "I have a pull-up bar now": the exercises that need it are done as planned again."""
        kit = self.kit_said(turn)
        if kit is None:
            return self.which_kit(turn)
        if not kit:  # "i've got it now" at an exercise that needs only the floor
            return self.answer(turn, self.composer.needs_no_kit)
        kept = tuple(k for k in turn.preferences.missing_kit if k not in kit)
        chosen = replace(turn.preferences, missing_kit=kept)
        if not self.under_way(turn):
            if self.told_to_stop_today(turn):
                return self.kit_noted_resting(turn, self.composer.kit_back(kit), chosen)
            return Outcome(self.composer.kit_back_idle(kit), preferences=chosen)
        at_exercise = self.routine_kind(turn) is None
        return self.kit_changed(turn, self.coach.kit_back(turn.progress, kit, at_exercise), chosen)

    def which_kit(self, turn: Turn) -> Outcome:
        return Outcome(self.composer.which_kit(turn.progress, self.routine_kind(turn)))

    def kit_lacked(
        self,
        turn: Turn,
        lacking: tuple[str, ...],
        said: str,
        step: Callable[[Progress, bool], Transition],
    ) -> Outcome:
        """The runner lacks `lacking`, remembered for later workouts. Before a workout, `said`
        and the workout that suits it offered; in one, the coach's `step`, told whether the
        runner is at an exercise (not in a warm-up)."""
        chosen = replace(turn.preferences, missing_kit=lacking)
        if not self.under_way(turn):
            if self.told_to_stop_today(turn):  # no workout offered today
                return self.kit_noted_resting(turn, said, chosen)
            return Outcome(self.composer.kit_idle(said, lacking), preferences=chosen)
        return self.kit_changed(turn, step(turn.progress, self.routine_kind(turn) is None), chosen)

    def kit_noted_resting(self, turn: Turn, said: str, chosen: Preferences) -> Outcome:
        """Kit said with no workout under way soon after being told to stop for today: `said`,
        kept for later workouts (`chosen`), and no workout offered."""
        reply = self.composer.answer_resting_today(turn.progress, Speech().say(said))
        return Outcome(reply, preferences=chosen)

    def kit_said(self, turn: Turn) -> tuple[str, ...] | None:
        """The kit the runner named, by id: every piece for "no equipment"; with none named
        ("i don't have that"), the kit of the exercise they are on, or before a workout all of
        it. None: words that name no kit the coach knows, or none named in a warm-up."""
        slot = turn.asked.slot("kit")
        library = self.coach.library
        if slot.resolved_id == ALL_KIT or (slot.spoken is None and not self.under_way(turn)):
            return tuple(sorted(library.kit_ids))
        if slot.resolved_id is not None:
            return (slot.resolved_id,) if library.kit_named(slot.resolved_id) else None
        here = self.coach.position(turn.progress)
        if slot.spoken is not None or here is None or self.routine_kind(turn) is not None:
            return None
        return here.exercise.kit

    def kit_changed(self, turn: Turn, move: Transition, chosen: Preferences) -> Outcome:
        """A change of kit said: with the set called again, as any move is; else its words,
        then what to say next there (at "Continue?", the question again). The kit the runner
        lacks is remembered for later workouts (`chosen`)."""
        if any(isinstance(event, ev.SetAnnounced) for event in move.events):
            return replace(self.speak(turn, move), preferences=chosen)
        speech = Speech()
        for event in move.events:
            speech.extend(self.composer.kit_words(move.progress, event))
        if turn.asked.pending == "continue":
            reply = self.composer.answer_then_offer(move.progress, speech)
        elif self.told_to_stop_today(turn):  # the other way to do it, and no way on today
            reply = self.composer.answer_resting_today(move.progress, speech)
        else:
            reply = self.composer.answer(move.progress, speech, self.routine_kind(turn))
        return Outcome(reply, move.progress, preferences=chosen, events=move.events)

    # --- rests --------------------------------------------------------------------------------

    def longer_rest(self, turn: Turn) -> Outcome:
        return self.change_rest(turn, longer=True)

    def shorter_rest(self, turn: Turn) -> Outcome:
        return self.change_rest(turn, longer=False)

    def change_rest(self, turn: Turn, longer: bool) -> Outcome:
        """Longer or shorter rests, by REST_STEP_SECONDS, within what the coach can pace."""
        progress = turn.progress
        longest = hf.longest_rest(self.service, turn)
        current = self.coach.current_rest(progress)
        if current is None:
            return Outcome(self.composer.ask_rest(longest))
        if longer and current >= longest:
            # Rests set longer with the coach's audio stay as they are: "longer" never shortens.
            return Outcome(self.composer.rest_at_limit(progress, min(current, longest), True))
        step = REST_STEP_SECONDS if longer else -REST_STEP_SECONDS
        wanted = min(longest, max(MIN_REST_SECONDS, current + step))
        if wanted == current:
            return Outcome(self.composer.rest_at_limit(progress, current, longer))
        return self.rest_chosen(turn, self.coach.set_rest(progress, wanted, longest), False)

    def set_rest(self, turn: Turn) -> Outcome:
        seconds = turn.asked.slot("seconds").whole_number
        minutes = turn.asked.slot("minutes").whole_number
        if seconds is None and minutes is not None:
            seconds = minutes * 60
        if seconds is None:  # "a minute and a half": the spoken length's id is its seconds
            length = turn.asked.slot("length").resolved_id
            seconds = int(length) if length is not None and length.isdigit() else None
        longest = hf.longest_rest(self.service, turn)
        if seconds is None:
            return Outcome(self.composer.ask_rest(longest))
        always = turn.asked.slot("lasting").resolved_id == "always"  # "from now on" too
        return self.rest_chosen(turn, self.coach.set_rest(turn.progress, seconds, longest), always)

    def rest_chosen(self, turn: Turn, move: Transition, always: bool) -> Outcome:
        """A rest length chosen: counted towards keeping it for later workouts (at once with
        "always"), and said so when it is kept."""
        changed = next((e for e in move.events if isinstance(e, ev.RestChanged)), None)
        if changed is None:  # out of range: nothing chosen
            return self.speak(turn, move)
        rest = lasting_rest.chose(turn.rest, changed.seconds, always)
        if lasting_rest.says_kept(turn.rest, rest, always):
            said = replace(changed, lasting=True)
            move = Transition(
                move.progress, tuple(said if e is changed else e for e in move.events)
            )
        return replace(self.speak(turn, move), rest=rest)

    # --- questions ----------------------------------------------------------------------------

    def how_to(self, turn: Turn) -> Outcome:
        """How to do the exercise under way (or one named). In a warm-up, how to do its part
        under way (or the exercise named, with no set called); at the cool-down offer, what
        the cool-down is, and the offer again; in the cool-down, the part just led again."""
        named = turn.asked.slot("exercise").resolved_id
        kind = self.routine_kind(turn)
        if named is None and kind is not None and self.pain_asked_in_routine(turn):
            # "How do I do this stretch" after it hurt: not how, but why they stopped, and
            # whether to go on (a yes leads the part, in full)
            return Outcome(self.composer.pain_in_routine_again(kind, welcome=False))
        part = self.warm_up_part(turn)
        if part is not None:
            under_way = max(0, part - 1)
            return self.answer(turn, lambda p: self.composer.warm_up_how(p, under_way, named))
        if self.offer_open(turn):
            return Outcome(self.composer.cool_down_answer(turn.progress))
        again = self.part_again(turn) if named is None else None  # in the cool-down
        if again is not None:
            return again
        if named is None and not self.under_way(turn) and not turn.progress.finished:
            return self.help(turn)  # "what do i do?" before choosing: how the coach works
        resting = self.told_to_stop_today(turn)
        here = self.coach.position(turn.progress)
        this_one = named is None or here is not None and here.exercise.id == named
        if turn.progress.paused and this_one and not resting:
            # Held (after pain, or "wait"): how it is done, with no set called after it, and
            # the question still open or how to resume ("done" would start a set not begun)
            return self.answer(turn, self.composer.explained)
        return Outcome(self.composer.how_to(turn.progress, named, resting))

    def status(self, turn: Turn) -> Outcome:
        """Where the runner is; while "Only 2 of 12?" is open the set is held for the question
        alone, so it is not said to be paused (the question is asked again after)."""
        if self.partial_asked(turn):
            unheld = replace(turn.progress, paused=False)
            return self.answer(turn, lambda _: self.composer.status_answer(unheld))
        return self.answer(turn, self.where_in_the_routine(turn) or self.composer.status_answer)

    def partial_asked(self, turn: Turn) -> bool:
        """ "Only 2 of 12? Say yes and I'll count it as a partial set." is the question open."""
        return (turn.asked.pending or "").startswith("partial:")

    def warm_up_part(self, turn: Turn) -> int | None:
        """The part of the warm-up under way (the one "next" leads), or None outside it."""
        routine = turn.routine_part
        return routine[1] if routine is not None and routine[0] == "warm_up" else None

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

    def whats_next(self, turn: Turn) -> Outcome:
        """What comes next: in a warm-up or cool-down, its next part (after a warm-up's last
        part, the first exercise)."""
        return self.answer(turn, self.where_in_the_routine(turn) or self.composer.next_answer)

    def sets_left(self, turn: Turn) -> Outcome:
        if self.offer_open(turn):  # "how many sets did I do": the workout just done
            return self.last_workout(turn)
        return self.answer(turn, self.where_in_the_routine(turn) or self.composer.sets_answer)

    def reps(self, turn: Turn) -> Outcome:
        """The set's reps; in the cool-down (no sets), where it is. In the warm-up, the first
        set's reps, which come next."""
        cooling = self.routine_kind(turn) == "cool_down"
        return self.answer(
            turn,
            (self.where_in_the_routine(turn) if cooling else None) or self.composer.reps_answer,
        )

    def remaining(self, turn: Turn) -> Outcome:
        """ "How long is left": in the warm-up, the rest of it and then the workout's length; in
        the cool-down, the rest of it."""
        named = self.workout_asked_about(turn)
        part = self.warm_up_part(turn)
        if named is None and part is not None:
            return self.answer(turn, lambda p: self.composer.warm_up_then_workout(p, part))
        if named is None and self.routine_kind(turn) == "cool_down":
            return self.answer(turn, self.where_in_the_routine(turn) or self.composer.status_answer)
        return self.answer(turn, lambda p: self.composer.remaining_answer(p, named))

    def rest_length(self, turn: Turn) -> Outcome:
        return self.answer(turn, self.composer.rest_answer)

    def muscles(self, turn: Turn) -> Outcome:
        named = self.workout_asked_about(turn)
        if named is None and self.routine_kind(turn) is not None:
            named = turn.progress.workout_id  # in a warm-up or cool-down: its workout's muscles
        if named is None and self.offer_open(turn):  # the workout just done, then the offer
            speech = self.composer.muscles_answer(turn.progress, turn.progress.workout_id)
            return Outcome(self.composer.answer_then_cool_down_offer(turn.progress, speech))
        return self.answer(turn, lambda p: self.composer.muscles_answer(p, named))

    def equipment(self, turn: Turn) -> Outcome:
        named = self.workout_asked_about(turn)
        return self.answer(turn, lambda p: self.composer.equipment_answer(p, named))

    # The history questions: answered from what the coach remembers, then what to say next.

    def workouts_this_week(self, turn: Turn) -> Outcome:
        return self.in_own_time(turn, self.composer.week_answer)

    def last_workout(self, turn: Turn) -> Outcome:
        """ "How did I do", "what did I do last time"."""
        progress = turn.progress
        return self.in_own_time(
            turn,
            lambda history, now, zone: self.composer.last_workout_answer(
                history, now, zone, progress
            ),
        )

    def streak(self, turn: Turn) -> Outcome:
        return self.in_own_time(turn, self.composer.streak_answer)

    def in_own_time(
        self, turn: Turn, answer: Callable[[History, float, str | None], Speech]
    ) -> Outcome:
        """A history answer on the runner's own calendar: their device's time zone (asked of
        the Settings API at most once a day, kept in the record), or rolling weeks without it."""
        zone, reminders = self.reminding.zone(turn)
        outcome = self.from_history(turn, answer(turn.history.read(), turn.now, zone))
        return outcome if reminders == turn.reminders else replace(outcome, reminders=reminders)

    def total_workouts(self, turn: Turn) -> Outcome:
        answer = self.composer.total_answer(turn.history.read(), turn.progress)
        return self.from_history(turn, answer)

    def from_history(self, turn: Turn, speech: Speech) -> Outcome:
        """An answer about past workouts; the cool-down offer still stands after it."""
        if turn.asked.pending == "cool_down":
            return Outcome(self.composer.answer_then_ask(speech, "cool_down"))
        return self.answer(turn, lambda _: speech)

    def cool_down(self, turn: Turn) -> Outcome:
        """ "Let's cool down", "let's stretch": the cool-down of the workout just done is led,
        at its offer or later; during it, the way on is said; before the workout is done, when
        it comes. Nothing is counted, skipped or ended for it."""
        routine = turn.routine_part
        if routine is not None and routine[0] == "cool_down":
            return Outcome(self.composer.acknowledged(turn.progress, "cool_down"))
        move = self.coach.cool_down(turn.progress, 0) if routine is None else None
        if move is not None:
            return self.speak(turn, move)
        return self.answer(turn, self.composer.cool_down_later)

    def no_cool_down(self, turn: Turn) -> Outcome:
        """ "Skip the cool-down": at the offer, no; in a cool-down, it ends; before, the coach
        says to answer no at the offer."""
        routine = turn.routine_part
        if turn.asked.pending == "pain:cool_down":  # finishing it here, as offered
            return self.cool_down_finished_for_pain(turn)
        if turn.asked.pending == "cool_down" or (routine is not None and routine[0] == "cool_down"):
            return self.no(turn) if routine is None else self.stop(turn)
        if self.late_yes_to_the_cool_down(turn):
            return self.reminding.offer_after(turn, Outcome(self.composer.cool_down_declined()))
        return self.answer(turn, self.composer.cool_down_skipped_later)

    def warm_up_question(self, turn: Turn) -> Outcome:
        """A question about the warm-up ("how long is the warm-up", "what's in it", "why bother":
        one intent): how long and what for; in it, the part next too; elsewhere, the chosen
        workout's first moves."""
        part = self.warm_up_part(turn)
        if part is not None:
            return self.answer(turn, lambda p: self.composer.warm_up_answer(p, part))
        return self.answer(turn, self.composer.warm_up_about)

    def cool_down_question(self, turn: Turn) -> Outcome:
        return self.answer(turn, self.composer.cool_down_about)

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
        hands_free = hf.plays_audio(self.service, turn)
        return Outcome(self.composer.help(turn.progress, self.routine_kind(turn), hands_free))

    # --- questions asked back -----------------------------------------------------------------

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

    def no(self, turn: Turn) -> Outcome:
        question = turn.asked.pending
        if question == "continue" and turn.routine_part is None and self.under_way(turn):
            # Not carrying on: the place is held, so a "next" now calls the set again rather
            # than count a set from before they left (at "Continue?" it would be asked)
            held = self.coach.hold(turn.progress)
            return Outcome(self.composer.which_workout(None), held)
        if question == "continue" or question is not None and question.startswith("start:"):
            return Outcome(self.composer.which_workout(None))
        if question == "finished":  # not done: the set again
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
        if question is not None:  # no to starting over, switching or ending: keep the place
            return Outcome(self.composer.kept_place(turn.progress))
        return self.nothing_to_confirm(turn)

    def nothing_to_confirm(self, turn: Turn) -> Outcome:
        return Outcome(self.composer.nothing_to_confirm(turn.progress, self.routine_kind(turn)))

    def fallback(self, turn: Turn) -> Outcome:
        """Words meant for no command: a way on that fits the place (a question still open is
        asked again; a warm-up or cool-down under way is named)."""
        routine, resting = self.routine_kind(turn), self.told_to_stop_today(turn)
        asked = turn.asked.question_words
        return Outcome(
            self.composer.fallback(turn.progress, turn.asked.pending, routine, resting, asked=asked)
        )

    def thanks(self, turn: Turn) -> Outcome:
        """ "Thank you": welcomed, and the way on from here, as a fallback gives it."""
        routine, resting = self.routine_kind(turn), self.told_to_stop_today(turn)
        said, asked = "fallback.welcome", turn.asked.question_words
        return Outcome(
            self.composer.fallback(turn.progress, turn.asked.pending, routine, resting, said, asked)
        )

    # --- reminders (skill.alexa.reminding) ---------------------------------------------------

    def remind_me(self, turn: Turn) -> Outcome:
        slot = turn.asked.slot
        # The day as Alexa resolved it (MO): what was said is in the runner's language.
        days = [slot(name).resolved_id or slot(name).spoken for name in ("day", "other_day")]
        return self.reminding.remind_me(turn, days, slot("time").spoken)

    def next_workout(self, turn: Turn) -> Outcome:
        return self.reminding.next_workout(turn)

    def cancel_reminders(self, turn: Turn) -> Outcome:
        return self.reminding.cancel(turn)

    def change_reminder(self, turn: Turn) -> Outcome:
        return self.reminding.change(turn, turn.asked.slot("time").spoken)

    def permission_answer(self, turn: Turn) -> Outcome:
        """Alexa's word on the permission asked for: the runner's yes, no or silence."""
        return self.reminding.permission_answer(turn)

    # --- leaving, and the runner's music ------------------------------------------------------

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

    def keep_music(self, turn: Turn) -> Outcome:
        """ "Keep my music": the coach stops using the player, for this and every later workout."""
        chosen = replace(turn.preferences, keep_music=True)
        kept = self.composer.phrases.say("music.kept")
        progress = turn.progress
        if not hf.holds_player(self.service, turn) or self.coach.position(progress) is None:
            answer = self.composer.answer(progress, Speech().say(kept))
            return Outcome(answer, preferences=chosen)
        # The coach's audio stops (the runner's music can play on), and what it was leading to
        # is said in words: the set the runner is on, from now on the spoken way.
        reply = self.composer.repeat(progress)
        return Outcome(reply, preferences=chosen, player=Stop(), notice=kept)

    def coach_audio(self, turn: Turn) -> Outcome:
        """ "Use your audio": back to hands-free mode, where the device has a player."""
        chosen = replace(turn.preferences, keep_music=False)
        hands_free = self.service.hands_free
        available = hands_free is not None and turn.asked.has_player
        key = "music.coach_audio" if available else "music.no_player"
        progress = turn.progress
        reply = self.composer.answer(progress, Speech().say(self.composer.phrases.say(key)))
        if hands_free is None or not available or self.coach.position(progress) is None:
            return Outcome(reply, preferences=chosen)
        # Take the player back now (the ready tone, as after a spoken set announcement), so that
        # "Alexa, next" reaches the coach, not the music the runner was playing.
        ready = Playing((hands_free.catalog.ready(),), spoken=True)
        return Outcome(reply, preferences=chosen, player=hf.play_now(turn, ready, progress))

    def no_loop(self, turn: Turn) -> Outcome:
        """Loop and shuffle reach any skill that played audio; a workout has neither."""
        speech = Speech().say(self.composer.phrases.say("music.no_loop"))
        return Outcome(self.composer.answer(turn.progress, speech))

    # --- the runner's settings (docs/preferences.md) ------------------------------------------

    def reset_settings(self, turn: Turn) -> Outcome:
        """ "Reset my settings": what would be cleared is said, and asked first."""
        named = self.settings_named(turn)
        routine = self.routine_kind(turn)
        if not named:
            return Outcome(self.composer.settings_said(turn.progress, "settings.none", routine))
        return Outcome(self.composer.confirm_reset(named))

    def settings_named(self, turn: Turn) -> str:
        own = tuple(i for i, r in sorted(turn.exercises.items()) if r.reps or r.load)
        return self.composer.settings_named(
            turn.rest.kept,
            own,
            bool(turn.preferences.missing_kit),
            turn.preferences.keep_music,
            turn.progress.pace != USUAL_PACE,
        )

    def settings_reset(self, turn: Turn) -> Outcome:
        """Yes to the reset: the rest length kept, each exercise's own reps and version, the kit
        said missing and music mode go back to the usual, from now on (a rest, reps or version
        chosen for the workout under way too). The place, the history, the counts towards a
        step up and the bests are kept; so are this workout's stand-ins for missing kit."""
        named = self.settings_named(turn)
        routine = self.routine_kind(turn)
        if not named:
            none = self.composer.settings_said(turn.progress, "settings.none", routine)
            return Outcome(none)
        exercises = {
            exercise_id: replace(record, reps=None, load=None)
            for exercise_id, record in turn.exercises.items()
        }
        progress = replace(turn.progress, rest_seconds=None, loads=(), reps=(), pace=USUAL_PACE)
        reply = self.composer.settings_said(progress, "settings.reset", routine, named)
        return Outcome(
            reply,
            progress,
            preferences=Preferences(),
            exercises=exercises,
            rest=lasting_rest.LastingRest(),
        )

    # --- what Alexa sends on its own ----------------------------------------------------------

    def queue_next(self, turn: Turn) -> Outcome:
        """Queue the next track of the coach's queue as soon as a track starts, and again when
        it nearly finishes (the same one track, however often): the sooner the device has it,
        the less a short lead-in risks ending before the rest is queued. A track that failed to
        play is skipped for the next one, so the runner is not left in silence."""
        if turn.asked.error is not None:
            log.error("a track failed to play: %s", turn.asked.error)
        token = turn.asked.player_token
        if token is not None and not token.belongs_to(turn.asked.record_key):
            log.warning("a player token of another runner: %s", token.encode())
        return Outcome(player=hf.queue_next(self.service, turn))

    def replayed(self, turn: Turn) -> Outcome:
        """A request that already moved the runner, here again: where they are now, in words
        where words may be said, and nothing else."""
        if not turn.asked.may_speak:
            return Outcome()
        if self.under_way(turn):
            return Outcome(self.composer.repeat(turn.progress))
        return self.launch(turn)

    def nothing(self, turn: Turn) -> Outcome:
        """Requests answered with an empty response: the session ended (the place is already
        saved), a player event with nothing to queue, a touch on no control of ours, and any
        other request Alexa may send a custom skill (System.ExceptionEncountered...)."""
        if turn.asked.error is not None:
            log.error("%s: %s", turn.asked.kind, turn.asked.error)
        return Outcome()


# "You pick" the next day after a workout suggests the other one (20 hours: yesterday
# evening's workout, asked about this evening); sooner, the choice is the runner's.
A_DAY_OFF_SECONDS = 20 * 3600
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


def place_of(progress: Progress) -> tuple[object, ...]:
    """Where the runner is in the workout, whatever else of it changes."""
    at = (progress.exercise_index, progress.set_number, progress.extra_of)
    return (progress.workout_id, *at, progress.paused, progress.finished)


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
