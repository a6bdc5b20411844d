"""What every handler needs: the state machine, the wording, a clock, and the coach's tracks
when the skill serves them (hands-free mode)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from skill.alexa.alexa_apis import ApiOptions
from skill.coaching.coach import Coach
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
    coach: Coach
    composer: Composer
    clock: Callable[[], float]
    hands_free: HandsFree | None = None
    apis: ApiOptions = ApiOptions()  # how Alexa's service APIs are reached (reminders, time zone)
