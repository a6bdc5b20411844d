"""What every handler needs: the state machine, the wording, a clock, and the coach's tracks
when the skill serves them (hands-free mode), all in one locale's words."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from skill.alexa.alexa_apis import ApiOptions
from skill.coaching.coach import Coach
from skill.locales import DEFAULT
from skill.speech.replies import Composer

if TYPE_CHECKING:  # the catalog is imported only where the skill serves tracks
    from skill.audio.catalog import AudioCatalog


@dataclass(frozen=True)
class HandsFree:
    """The coach's tracks and where they are served: what hands-free mode needs."""

    catalog: AudioCatalog
    base_url: str


@dataclass(frozen=True)
class CoachService:
    """One locale's coach: each locale a request may name has its own (skill_builder)."""

    coach: Coach
    composer: Composer
    clock: Callable[[], float]
    hands_free: HandsFree | None = None
    apis: ApiOptions = ApiOptions()  # how Alexa's service APIs are reached (reminders, time zone)
    locale: str = DEFAULT  # whose words, content and tracks (skill.locales)


def localised(service: CoachService, locale: str) -> CoachService:
    """`service` in `locale`'s words: its phrasebook, its content where the service speaks the
    shipped content (a test's own content stays), and its tracks; the clock and APIs shared."""
    if locale == service.locale:
        return service
    from skill.content.loader import default_library  # the shipped content, loaded once
    from skill.speech.phrasebook import default_phrasebook

    library = service.coach.library
    if library is default_library(service.locale):
        library = default_library(locale)
    coach = Coach(library)
    composer = Composer(coach, default_phrasebook(locale))
    hands_free = service.hands_free
    if hands_free is not None:
        from skill.audio.catalog import AudioCatalog  # only a skill that serves tracks has one

        catalog = AudioCatalog(composer.phrases, library, locale)
        hands_free = HandsFree(catalog, hands_free.base_url)
    return replace(service, coach=coach, composer=composer, hands_free=hands_free, locale=locale)
