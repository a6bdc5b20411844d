"""Around the workout: thanks, the runner's music and the coach's audio, settings, reminders
(skill.alexa.reminding), and what Alexa's player sends on its own."""

from __future__ import annotations

import logging
from dataclasses import replace

from skill.alexa import hands_free as hf
from skill.alexa.handlers.answering import Answering
from skill.alexa.player import Stop
from skill.alexa.turn import Outcome, Preferences, Turn
from skill.audio.plans import Playing
from skill.coaching import lasting_rest
from skill.coaching.progress import USUAL_PACE
from skill.speech.ssml import Speech

log = logging.getLogger(__name__)


class SessionCommands(Answering):
    """Settings, reminders, music and the player's own events."""

    def thanks(self, turn: Turn) -> Outcome:
        """ "Thank you": welcomed, and the way on from here, as a fallback gives it."""
        routine, resting = self.routine_kind(turn), self.told_to_stop_today(turn)
        said, asked = "fallback.welcome", turn.asked.question_words
        return Outcome(
            self.composer.fallback(turn.progress, turn.asked.pending, routine, resting, said, asked)
        )

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

    def keep_music(self, turn: Turn) -> Outcome:
        """ "Keep my music": the coach stops using the player, for this and every later workout."""
        chosen = replace(turn.preferences, keep_music=True)
        kept = self.composer.phrases.say("music.kept")
        progress = turn.progress
        spoken = self.composer.in_mode(False)  # from now on the way on is "done"
        if not hf.holds_player(self.service, turn) or self.coach.position(progress) is None:
            answer = spoken.answer(progress, Speech().say(kept))
            return Outcome(answer, preferences=chosen)
        # The coach's audio stops (the runner's music can play on), and what it was leading to
        # is said in words: the set the runner is on, from now on the spoken way.
        reply = spoken.repeat(progress)
        return Outcome(reply, preferences=chosen, player=Stop(), notice=kept)

    def coach_audio(self, turn: Turn) -> Outcome:
        """ "Use your audio": back to hands-free mode, where the device has a player."""
        chosen = replace(turn.preferences, keep_music=False)
        hands_free = self.service.hands_free
        available = hands_free is not None and turn.asked.has_player
        key = "music.coach_audio" if available else "music.no_player"
        progress = turn.progress
        words = self.composer.in_mode(available)  # back on the player, the way on is its own
        reply = words.answer(progress, Speech().say(self.composer.phrases.say(key)))
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
