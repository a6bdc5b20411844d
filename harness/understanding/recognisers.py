"""The recognisers by name, for the device, the command line and the benchmark."""

from __future__ import annotations

from typing import Protocol

from harness.interaction_model import InteractionModel
from harness.utterances import Match, matcher_for

STATISTICAL = "statistical"
EXACT = "exact"
RECOGNISERS = (STATISTICAL, EXACT)


class Recogniser(Protocol):
    name: str
    description: str

    def match(self, utterance: str) -> Match: ...


def recogniser_for(model: InteractionModel, name: str = STATISTICAL) -> Recogniser:
    """The recogniser called `name` for `model`; the statistical one is trained once per model."""
    if name == EXACT:
        return matcher_for(model)
    if name != STATISTICAL:
        raise ValueError(f"no recogniser called {name!r}: choose one of {', '.join(RECOGNISERS)}")
    from harness.understanding.statistical import statistical_recogniser  # imports scikit-learn

    return statistical_recogniser(model)
