"""The response to a turn, made from its `Outcome`: speech and reprompt, whether the microphone
stays open, the session's memory of the question asked, the player's directive and the screen."""

from __future__ import annotations

from dataclasses import dataclass

from ask_sdk_model import Directive, Response
from ask_sdk_model.ui import Reprompt, SsmlOutputSpeech

from skill.alexa import screen
from skill.alexa.player import directive_for
from skill.alexa.service import CoachService
from skill.alexa.turn import (
    ASKED_WORDS,
    ASKED_WORDS_MOST,
    CAME_BACK,
    COOL_DOWN_OFFERED,
    PENDING,
    REST_UNTIL,
    SET_CALLED,
    STARTED,
    WARM_UP_UNTIL,
    Asked,
    Outcome,
)
from skill.coaching import events as ev
from skill.coaching.progress import Progress
from skill.speech.ssml import Speech

# The questions asked on coming back to a set called before the runner left.
ASKED_ON_COMING_BACK = frozenset({"continue", "finished"})
# Moves that change how sets are done, not where the runner is nor what is called.
CHANGES_HOW = (
    ev.RestChanged,
    ev.RestRejected,
    ev.PaceChanged,
    ev.LoadChosen,
    ev.StandInGiven,
    ev.KitNoted,
    ev.KitBack,
    ev.StandInLoad,
)


@dataclass(frozen=True)
class Answer:
    response: Response
    session_attributes: dict[str, object] | None  # None: the request had no session


def render(
    service: CoachService,
    asked: Asked,
    outcome: Outcome,
    notice: str | None = None,
    shown: Progress | None = None,
    routine: tuple[str, int] | None = None,
) -> Answer:
    """The answer to `asked`: `notice` is said before anything else; the screen, where the
    device has one, shows the place `shown` (none for an apology), in the warm-up or cool-down
    part `routine` when one is under way."""
    session = dict(asked.session_attributes) if asked.has_session else None
    # Answered over a rest that runs on (made longer by as much as rests grew, if they did)
    runs_on = rest_runs_on(asked, outcome)
    lengthened = asked.rest_longer(outcome.rest_longer)
    response = Response()
    directives: list[Directive] = []
    reply = outcome.reply
    if outcome.player is not None:
        directives.append(directive_for(outcome.player, service.hands_free))
    directives.extend(outcome.directives)  # a permission asked for (Connections.SendRequest)
    if outcome.card is not None:
        response.card = outcome.card
    said: Speech | None = None
    if reply is None:
        if outcome.player is not None or outcome.progress is not None:
            if session is not None:
                names = (PENDING, ASKED_WORDS, REST_UNTIL, SET_CALLED, STARTED, WARM_UP_UNTIL)
                for name in (*names, CAME_BACK):
                    session.pop(name, None)
            if asked.may_speak:
                response.should_end_session = True  # a Play with the session open would pause
    else:
        said = Speech()
        for first in (notice, outcome.notice):
            if first:
                said.say(first)
        lead = said.seconds  # the notices said before the reply
        said.extend(reply.said)
        if session is not None:
            session.pop(PENDING, None)
            session.pop(ASKED_WORDS, None)
            if reply.pending and not reply.end_session:
                session[PENDING] = reply.pending
                if reply.pending == "cool_down":
                    session[COOL_DOWN_OFFERED] = True
                words = list(reply.asked_with) or [
                    piece.words for piece in reply.said.pieces if piece.words
                ]
                session[ASKED_WORDS] = words[-ASKED_WORDS_MOST:]
            if (reply.pending or "").partition(":")[0] in ASKED_ON_COMING_BACK:
                session[CAME_BACK] = True
            elif any(not isinstance(event, CHANGES_HOW) for event in outcome.events):
                session.pop(CAME_BACK, None)  # on the move again: a set called, or the place moved
            if not runs_on:
                session.pop(REST_UNTIL, None)
                session.pop(SET_CALLED, None)
            session.pop(STARTED, None)
            session.pop(WARM_UP_UNTIL, None)
            timings = (
                (REST_UNTIL, reply.rest_ends),
                (SET_CALLED, reply.set_called),
                (STARTED, reply.started),
                (WARM_UP_UNTIL, reply.warm_up_ends),
            )
            for name, seconds in timings:
                if seconds is not None and asked.sent_at is not None:
                    session[name] = round(asked.sent_at + lead + seconds, 3)
            if outcome.rest_longer and runs_on:  # rests made longer over one: it runs on longer
                session[REST_UNTIL] = lengthened.session_attributes.get(REST_UNTIL)
        response.output_speech = SsmlOutputSpeech(ssml=said.ssml())
        # A Play with the session open starts when the microphone closes (Alexa pauses the
        # stream while it listens): the runner may still answer in words first.
        if reply.reprompt is not None and not reply.end_session:
            response.reprompt = Reprompt(output_speech=SsmlOutputSpeech(ssml=reply.reprompt))
        response.should_end_session = reply.end_session
    if shown is not None and screen.shows_screen(asked):
        # Answered over a rest that runs on: the screen keeps the rest for what is left of it.
        rest_left = lengthened.rest_left if runs_on else None
        directives.append(screen.render(service, shown, outcome.events, said, routine, rest_left))
    if directives:
        response.directives = directives
    return Answer(response, session)


def rest_runs_on(asked: Asked, outcome: Outcome) -> bool:
    """A question answered over a rest ("how many sets left?") leaves the rest running: "next"
    before its end still starts the set after it. A move, or a reply ending it, does not."""
    reply = outcome.reply
    moved = outcome.progress is not None and not outcome.same_place
    answered = reply is not None and not reply.ends_rest and not moved
    return asked.before_the_set_call and answered and outcome.player is None
