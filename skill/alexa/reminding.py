"""Reminders twice a week, and the runner's own time: the offer after a workout, the permission
asked by voice (Connections.SendRequest AskFor, the consent card as fallback), the reminder set,
changed or cancelled through the Reminders API (skill.alexa.alexa_apis), and the device's time
zone, asked at most once a day a device and kept in the record. A failing API is a short
sentence: nothing else in the workout changes."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace

from ask_sdk_model.interfaces.connections import SendRequestDirective
from ask_sdk_model.ui import AskForPermissionsConsentCard

from skill.alexa import alexa_apis as apis
from skill.alexa.service import CoachService
from skill.alexa.turn import Outcome, Turn
from skill.coaching.schedule import (
    DAYS,
    KEEP_TOKENS,
    ZONE_CHECK_SECONDS,
    Plan,
    Reminders,
    clock_time,
    day_code,
    in_week_order,
    known_zone,
    local,
    next_time,
    offer_day,
    usual_time,
)
from skill.speech.replies import Reply
from skill.speech.ssml import Speech

ASK_FOR = "AskFor"
PENDING = "remind"  # the offer's yes/no question
# The offer comes at the end of the runner's second workout or a later one: one workout says
# little about the time of day they train, or which days.
OFFER_AFTER_WORKOUTS = 2


def ask_for_reminders() -> SendRequestDirective:
    """Alexa's documented version 1 form: one scope, as a string (version 2 wants a
    `permissionScopes` list of {permissionScope, consentLevel} instead)."""
    return SendRequestDirective(
        name=ASK_FOR,
        payload={
            "@type": "AskForPermissionsConsentRequest",
            "@version": "1",
            "permissionScope": apis.REMINDERS_SCOPE,
        },
        token="",
    )


def consent_card() -> AskForPermissionsConsentCard:
    return AskForPermissionsConsentCard(permissions=[apis.REMINDERS_SCOPE])


class Reminding:
    """The reminder commands; `answer` words an answer where the runner is (the handlers')."""

    def __init__(self, service: CoachService, answer: Callable[[Turn, Speech], Outcome]) -> None:
        self.service = service
        self.phrases = service.composer.phrases
        self.answer = answer

    # --- the runner's time zone ---------------------------------------------------------------

    def zone(self, turn: Turn, reminders: Reminders | None = None) -> tuple[str | None, Reminders]:
        """The device's time zone (None: not known), and the record with it: asked of the
        Settings API when this device's is unknown or a day old, else as kept."""
        reminders = turn.reminders if reminders is None else reminders
        access = turn.asked.api
        device = access.device_id if access is not None else None
        if access is None or device is None:
            return None, reminders
        kept = reminders.zone_of(device)
        if kept is not None and turn.now - kept[1] < ZONE_CHECK_SECONDS:
            return kept[0], reminders
        zone = apis.time_zone(access, self.service.apis)
        if zone is not None and not known_zone(zone):
            zone = None
        if zone is None and kept is not None:
            zone = kept[0]  # a failed ask keeps what was known
        return zone, reminders.with_zone(device, zone, turn.now)

    # --- the offer after a workout --------------------------------------------------------

    def offer_after(self, turn: Turn, closing: Outcome) -> Outcome:
        """The workout's closing words, then, once (from the second workout on), the offer of a
        reminder on a day that keeps two workouts a week at the runner's usual time."""
        reply = closing.reply
        if reply is None or not reply.end_session or turn.asked.api is None:
            return closing
        if turn.reminders.offered or turn.reminders.plan is not None:
            return closing
        history = closing.history or turn.history.read()
        times = [w.started_at or w.finished_at for w in history.workouts]
        if len(times) < OFFER_AFTER_WORKOUTS:  # too soon to know when the runner trains
            return closing
        zone, reminders = self.zone(turn, closing.reminders)  # asked already if the workout did
        hour, minute = usual_time(times, zone)
        plan = Plan((offer_day(times, zone, turn.now),), hour, minute)
        speech = Speech()
        speech.extend(reply.said)
        speech.say(
            self.phrases.say("remind.offer", day=self.day_name(plan.days[0]), time=self.time(plan))
        )
        asked = self.service.composer.ask_yes_no(speech, PENDING)
        return replace(
            closing, reply=asked, reminders=replace(reminders, offered=True, wanted=plan)
        )

    def yes(self, turn: Turn) -> Outcome:
        plan = turn.reminders.wanted
        if plan is None:
            return self.declined(turn)
        return self.set_plan(turn, plan)

    def declined(self, turn: Turn) -> Outcome:
        said = Speech().say(self.phrases.say("remind.declined"))
        return Outcome(Reply(said, None, True), reminders=replace(turn.reminders, wanted=None))

    # --- setting, changing, cancelling ------------------------------------------------------

    def remind_me(self, turn: Turn, days: list[str | None], time: str | None) -> Outcome:
        """ "Remind me every Monday and Thursday at 7 am"."""
        chosen = in_week_order(d for d in (day_code(s) for s in days) if d is not None)
        at = clock_time(time)
        kept = turn.reminders.plan or turn.reminders.wanted
        if not chosen:
            chosen = kept.days if kept is not None else ()
        if at is None and kept is not None:
            at = (kept.hour, kept.minute)
        if at is None:
            return self.answer(turn, Speech().say(self.phrases.say("remind.which_time")))
        reminders = turn.reminders
        if not chosen:
            zone, reminders = self.zone(turn)  # kept with the zone: not asked again to set it
            times = [w.finished_at for w in turn.history.read().workouts]
            chosen = (offer_day(times, zone, turn.now),)
        return self.set_plan(turn, Plan(chosen, *at), reminders)

    def set_plan(self, turn: Turn, plan: Plan, reminders: Reminders | None = None) -> Outcome:
        """Set `plan` (replacing any reminder set before), once the permission is granted.
        `reminders`: the record's, when this turn has changed it (a zone just asked for)."""
        reminders = turn.reminders if reminders is None else reminders
        if turn.asked.api is None:
            return self.said(turn, "remind.not_here", reminders)
        wanting = replace(reminders, wanted=plan)
        if apis.REMINDERS_SCOPE not in turn.asked.granted:
            return Outcome(directives=(ask_for_reminders(),), reminders=wanting)
        return self.create(turn, plan, wanting)

    def permission_answer(self, turn: Turn) -> Outcome:
        """Connections.Response to the AskFor: accepted, the wanted reminder is set."""
        plan = turn.reminders.wanted
        accepted = turn.asked.consent == "ACCEPTED" or apis.REMINDERS_SCOPE in turn.asked.granted
        if plan is not None and accepted and turn.asked.api is not None:
            return self.create(turn, plan, turn.reminders)
        kept = replace(turn.reminders, wanted=None)
        return replace(self.said(turn, "remind.no_permission", kept), card=consent_card())

    def create(self, turn: Turn, plan: Plan, reminders: Reminders) -> Outcome:
        """Set `plan`: the reminder set before changes (one reminder holds every day). One gone
        from Alexa (404: deleted in the Alexa app) is forgotten and a new one set; with none
        known, one the skill set that the record never learned of is changed rather than
        another set beside it."""
        access = turn.asked.api
        assert access is not None
        zone, reminders = self.zone(turn, reminders)
        text = self.phrases.say("remind.text")
        options = self.service.apis
        gone = False
        try:
            if reminders.tokens:
                try:
                    token = reminders.tokens[-1]
                    apis.update_reminder(access, options, token, plan, text, turn.now, zone)
                except apis.ApiError as error:
                    if error.status != 404:
                        raise
                    gone = True
                    reminders = replace(reminders, plan=None, tokens=())
            if not reminders.tokens:
                found = apis.reminder_tokens(access, options)
                if found:
                    apis.update_reminder(access, options, found[-1], plan, text, turn.now, zone)
                    kept = self.delete_all(turn, found[:-1])  # one reminder holds every day
                    reminders = replace(reminders, tokens=(*kept, found[-1]))
                else:
                    token = apis.create_reminder(access, options, plan, text, turn.now, zone)
                    reminders = replace(reminders, tokens=(token,))
        except apis.ApiError as error:
            return self.failed(turn, error, reminders)
        done = replace(reminders, plan=plan, tokens=reminders.tokens[-KEEP_TOKENS:], wanted=None)
        if gone:
            key = "remind.replaced"
        else:
            key = "remind.changed" if turn.reminders.plan is not None else "remind.set"
        return self.said(turn, key, done, days=self.days(plan), time=self.time(plan))

    def change(self, turn: Turn, time: str | None) -> Outcome:
        """ "Change my reminder to 6"."""
        plan = turn.reminders.plan
        if plan is None:
            return self.said(turn, "remind.none_set", turn.reminders)
        at = clock_time(time)
        if at is None:
            return self.answer(turn, Speech().say(self.phrases.say("remind.which_time")))
        return self.set_plan(turn, plan.at_hour(*at))

    def delete_all(self, turn: Turn, tokens: Sequence[str]) -> tuple[str, ...]:
        """Delete the reminders `tokens` names, as far as the API allows now; those it could not
        delete are returned, to be kept and tried again by "cancel my reminders"."""
        access = turn.asked.api
        assert access is not None
        left = []
        for token in tokens:
            try:
                apis.delete_reminder(access, self.service.apis, token)
            except apis.ApiError:
                left.append(token)
        return tuple(left)

    def lost_tokens(self, turn: Turn) -> tuple[str, ...]:
        """With none in the record: the reminders this skill set that the record never learned
        of (a save that failed after Alexa set one); none where the API cannot say."""
        access = turn.asked.api
        if access is None or turn.reminders.tokens:
            return ()
        try:
            return tuple(apis.reminder_tokens(access, self.service.apis))
        except apis.ApiError:  # no permission (then none was set), or not reachable now
            return ()

    def cancel(self, turn: Turn) -> Outcome:
        reminders = turn.reminders
        if reminders.plan is None and not reminders.tokens:
            lost = self.lost_tokens(turn)
            if not lost:
                return self.said(turn, "remind.none_set", reminders)
            reminders = replace(reminders, tokens=lost)
        access = turn.asked.api
        if access is None:
            return self.said(turn, "remind.not_here", reminders)
        deleted = False
        try:
            for token in reminders.tokens:
                deleted = apis.delete_reminder(access, self.service.apis, token) or deleted
        except apis.ApiError as error:
            return self.failed(turn, error, reminders)
        cleared = replace(reminders, plan=None, tokens=(), wanted=None)
        if reminders.tokens and not deleted:  # every one was gone already: deleted in the app
            return self.said(turn, "remind.none_now", cleared)
        return self.said(turn, "remind.cancelled", cleared)

    def next_workout(self, turn: Turn) -> Outcome:
        """ "When's my next workout": the next reminder, on the runner's clock; one deleted in
        the Alexa app since (404) is forgotten, and the runner told."""
        plan = turn.reminders.plan
        if plan is None:
            lost = self.lost_tokens(turn)
            if lost:  # set, but its days and time were never saved: kept to be cancelled
                return self.said(turn, "remind.time_unknown", replace(turn.reminders, tokens=lost))
            return self.said(turn, "remind.none_set", turn.reminders)
        access = turn.asked.api
        if access is not None and turn.reminders.tokens:
            try:
                kept = apis.reminder_exists(access, self.service.apis, turn.reminders.tokens[-1])
            except apis.ApiError:
                kept = True  # not known: the plan the record holds is the answer
            if not kept:
                forgotten = replace(turn.reminders, plan=None, tokens=())
                return self.said(turn, "remind.gone", forgotten)
        zone, reminders = self.zone(turn)
        at = next_time(plan, turn.now, zone)
        days_on = (at.date() - local(turn.now, zone).date()).days
        when = {0: "remind.today", 1: "remind.tomorrow"}.get(days_on, "remind.on_day")
        day = self.phrases.say(when, day=self.day_name(DAYS[at.weekday()]))
        return self.said(turn, "remind.next", reminders, when=day, time=self.time(plan))

    # --- words --------------------------------------------------------------------------------

    def failed(self, turn: Turn, error: apis.ApiError, reminders: Reminders) -> Outcome:
        """A short sentence for each failure; a 401 also sends the consent card."""
        kept = replace(reminders, wanted=None)
        outcome = self.said(turn, f"remind.{error.kind}", kept)
        if error.kind == apis.DENIED:
            return replace(outcome, card=consent_card())
        return outcome

    def said(self, turn: Turn, key: str, reminders: Reminders, **values: object) -> Outcome:
        """The sentence, then: after the offer at the end of a workout (or the permission asked
        there, which the session keeps as pending), goodbye; otherwise what to say next where
        the runner is: the set, the warm-up, or which workout, as a question."""
        speech = Speech().say(self.phrases.say(key, 0, **values))
        if turn.asked.pending == PENDING:
            return Outcome(Reply(speech, None, True), reminders=reminders)
        return replace(self.answer(turn, speech), reminders=reminders)

    def days(self, plan: Plan) -> str:
        return self.service.composer.join([self.day_name(day) for day in plan.days])

    def day_name(self, code: str) -> str:
        """ "Monday" for MO, in the runner's language."""
        return self.phrases.say(f"weekday.{code.lower()}")

    def time(self, plan: Plan) -> str:
        """7 am, 7:30 pm (or 7 Uhr, 19:30 Uhr: the locale's clock)."""
        half = self.phrases.say("clock.am" if plan.hour < 12 else "clock.pm")
        key = "clock.hour_minute" if plan.minute else "clock.hour"
        return self.phrases.say(
            key,
            hour=plan.hour,
            hour12=plan.hour % 12 or 12,
            minute=f"{plan.minute:02d}",
            half=half,
        )
