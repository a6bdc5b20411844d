"""Which command each request is, in one place: every voice intent, device button and touch on
the coach's screen that means the same thing maps to the same handler (skill.alexa.handlers)."""

from __future__ import annotations

from dataclasses import dataclass

from skill.alexa.handlers import Action, Handlers
from skill.alexa.turn import Asked


@dataclass(frozen=True)
class Command:
    action: Action
    intents: tuple[str, ...] = ()  # the interaction model's intents (and Amazon's built-ins)
    button: str | None = None  # PlaybackController.<button>CommandIssued
    touch: str | None = None  # the first argument of the screen control's SendEvent
    requests: tuple[str, ...] = ()  # other request types


H = Handlers
# AMAZON.FallbackIntent, and any intent this skill does not know (sent by a stale model).
FALLBACK = Command(H.fallback, ("AMAZON.FallbackIntent",))
# A built-in intent and its custom twin (HoldOnIntent, ...) are one command: Alexa hears the
# built-in only word for word, the twin near its everyday samples too (EndWorkoutIntent asks
# first where the built-in would end a workout under way).
COMMANDS: tuple[Command, ...] = (
    Command(H.launch, requests=("LaunchRequest",)),
    Command(H.start_workout, ("StartWorkoutIntent",)),
    Command(H.switch_workout, ("SwitchWorkoutIntent",)),
    Command(H.next_set, ("NextSetIntent", "AMAZON.NextIntent"), button="Next", touch="next_set"),
    # The Next of the warm-up's last part on screen starts the set: ready, never a count.
    Command(H.ready, ("ReadyIntent",), touch="start_set"),
    Command(H.partial_set, ("PartialSetIntent",)),
    Command(H.extra_set, ("ExtraSetIntent",)),
    Command(H.skip_exercise, ("SkipExerciseIntent",)),
    Command(H.skip_warm_up, ("SkipWarmUpIntent",)),
    Command(H.cool_down, ("CoolDownIntent",)),
    Command(H.no_cool_down, ("NoCoolDownIntent",)),
    Command(H.warm_up_question, ("WarmUpQuestionIntent",)),
    Command(H.cool_down_question, ("CoolDownQuestionIntent",)),
    Command(H.back_one_set, ("AMAZON.PreviousIntent", "GoBackIntent"), button="Previous"),
    Command(H.repeat, ("AMAZON.RepeatIntent",), touch="repeat"),
    # "One more time", "I missed the T": the twin of the built-in repeat, for a set led again.
    Command(H.lead_again, ("LeadAgainIntent",)),
    Command(H.pace, ("PaceIntent",)),
    Command(H.pause, ("AMAZON.PauseIntent", "HoldOnIntent"), button="Pause", touch="pause"),
    Command(H.resume, ("AMAZON.ResumeIntent", "CarryOnIntent"), button="Play", touch="resume"),
    Command(H.how_to, ("HowToIntent",), touch="how_to"),
    Command(H.status, ("StatusIntent",)),
    Command(H.workouts_this_week, ("WorkoutsThisWeekIntent",)),
    Command(H.last_workout, ("LastWorkoutIntent",)),
    Command(H.streak, ("StreakIntent",)),
    Command(H.total_workouts, ("TotalWorkoutsIntent",)),
    Command(H.whats_next, ("WhatsNextIntent",)),
    Command(H.sets_left, ("SetsLeftIntent",)),
    Command(H.reps, ("RepsIntent",)),
    Command(H.remaining, ("RemainingIntent",)),
    Command(H.rest_length, ("RestLengthIntent",)),
    Command(H.muscles, ("MusclesIntent",)),
    Command(H.equipment, ("EquipmentIntent",)),
    Command(H.easier, ("EasierIntent",)),
    Command(H.missing_kit, ("MissingKitIntent",)),
    Command(H.only_kit, ("OnlyKitIntent",)),
    Command(H.have_kit, ("HaveKitIntent",)),
    Command(H.pain, ("PainIntent",)),
    Command(H.faint, ("FaintIntent",)),
    Command(H.breathless, ("BreathlessIntent",)),
    Command(H.harder, ("HarderIntent",)),
    Command(H.longer_rest, ("LongerRestIntent",)),
    Command(H.shorter_rest, ("ShorterRestIntent",)),
    Command(H.set_rest, ("SetRestIntent",)),
    Command(H.go_to_exercise, ("GoToExerciseIntent",)),
    Command(H.start_over, ("AMAZON.StartOverIntent", "StartAgainIntent")),
    Command(H.yes, ("AMAZON.YesIntent",)),
    Command(H.no, ("AMAZON.NoIntent",)),
    Command(H.help, ("AMAZON.HelpIntent",)),
    Command(H.stop, ("AMAZON.StopIntent", "AMAZON.NavigateHomeIntent")),
    Command(H.cancel, ("AMAZON.CancelIntent",)),
    # The twin of the built-in stop asks first mid-workout: other talk can be heard as it.
    Command(H.end_workout, ("EndWorkoutIntent",)),
    Command(H.keep_music, ("KeepMusicIntent",)),
    Command(H.thanks, ("ThanksIntent",)),
    Command(H.coach_audio, ("CoachAudioIntent",)),
    # Each exercise over weeks (skill.coaching.progression).
    Command(H.keep_same, ("KeepSameIntent",)),
    Command(H.set_reps, ("SetRepsIntent",)),
    Command(H.best, ("BestIntent",)),
    Command(
        H.no_loop,
        ("AMAZON.LoopOnIntent", "AMAZON.LoopOffIntent")
        + ("AMAZON.ShuffleOnIntent", "AMAZON.ShuffleOffIntent"),
    ),
    # Reminders (skill.alexa.reminding), and Alexa's answer to the permission asked for.
    Command(H.remind_me, ("RemindMeIntent",)),
    Command(H.next_workout, ("NextWorkoutIntent",)),
    Command(H.cancel_reminders, ("CancelRemindersIntent",)),
    Command(H.change_reminder, ("ChangeReminderIntent",)),
    Command(H.permission_answer, requests=("Connections.Response",)),
    # The runner's settings (docs/preferences.md).
    Command(H.reset_settings, ("ResetSettingsIntent",)),
    FALLBACK,
    Command(
        H.queue_next,
        requests=tuple(
            f"AudioPlayer.{event}"
            for event in ("PlaybackStarted", "PlaybackNearlyFinished", "PlaybackFailed")
        ),
    ),
)
# Answered with an empty response (Handlers.nothing): the session ended, a touch on no control
# of ours, a player event with nothing to do, and anything else Alexa may send.
NOTHING = Command(H.nothing)

_BY_INTENT = {intent: command for command in COMMANDS for intent in command.intents}
_BY_BUTTON = {
    f"PlaybackController.{command.button}CommandIssued": command
    for command in COMMANDS
    if command.button
}
_BY_TOUCH = {command.touch: command for command in COMMANDS if command.touch}
_BY_REQUEST = {kind: command for command in COMMANDS for kind in command.requests}


def command_for(asked: Asked) -> Command:
    if asked.kind == "IntentRequest":
        return _BY_INTENT.get(asked.intent or "", FALLBACK)
    if asked.kind == "Alexa.Presentation.APL.UserEvent":
        return _BY_TOUCH.get(asked.touched or "", NOTHING)
    return _BY_BUTTON.get(asked.kind) or _BY_REQUEST.get(asked.kind, NOTHING)
