"""The statistical recogniser's training set, made only from the interaction model.

Each sample with its slots filled from the slot types (values and synonyms, rotated so every one
is seen) and from spoken numbers and durations; each built-in intent's own phrases; and everyday
speech as the examples of AMAZON.FallbackIntent, Alexa's out-of-domain class.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator, Sequence

from harness.interaction_model import Intent, InteractionModel
from harness.understanding.phrases import builtin_phrases, out_of_domain
from harness.understanding.slots import DURATION_TYPE
from harness.utterances import (
    FALLBACK_INTENT,
    NUMBER_TYPE,
    TIME_TYPE,
    normalize,
)

FILLS_PER_SAMPLE = 3  # a sample with slots is seen with this many different values
SPOKEN_NUMBERS = ("thirty", "two", "forty five", "ninety", "one", "sixty", "twelve", "three")
SPOKEN_DURATIONS = ("thirty seconds", "two minutes", "a minute", "forty five seconds")
# The same said in another language: a German sample is filled with German words.
SPOKEN_NUMBERS_IN = {
    "de": ("dreißig", "zwei", "fünfundvierzig", "neunzig", "eins", "sechzig", "zwölf", "drei")
}
# English times are left as any words (the slot filler reads them), as they were trained.
SPOKEN_TIMES_IN = {"de": ("sieben uhr", "halb acht", "neunzehn uhr", "sechs uhr dreißig")}
SPOKEN_DURATIONS_IN = {
    "de": ("dreißig sekunden", "zwei minuten", "eine minute", "fünfundvierzig sekunden")
}
ANY_WORDS = ("something", "the thing", "that one")  # a built-in type the model does not list
_SLOT = re.compile(r"\{(\w+)\}")


def examples(model: InteractionModel) -> list[tuple[str, str]]:
    """(utterance, intent) pairs to train on, normalised as the recogniser hears them."""
    pairs: list[tuple[str, str]] = []
    counter = itertools.count()
    for intent in model.intents:
        texts = (*intent.samples, *builtin_phrases(model.language).get(intent.name, ()))
        for text in dict.fromkeys(texts):
            for filled in _filled(model, intent, text, next(counter)):
                pairs.append((normalize(filled), intent.name))
    if model.has_intent(FALLBACK_INTENT):
        chatter = out_of_domain(model.language)
        pairs.extend((normalize(line), FALLBACK_INTENT) for line in chatter)
    return pairs


def _filled(model: InteractionModel, intent: Intent, text: str, seed: int) -> Iterator[str]:
    names = _SLOT.findall(text)
    if not names:
        yield text
        return
    choices = [_spoken_values(model, intent.slot(name).type) for name in names]
    pieces = _SLOT.split(text)  # text, slot name, text, slot name, ..., text
    for k in range(FILLS_PER_SAMPLE):
        values = [options[(seed + k) % len(options)] for options in choices]
        words = [piece if i % 2 == 0 else values[i // 2] for i, piece in enumerate(pieces)]
        yield "".join(words)


def _spoken_values(model: InteractionModel, type_name: str) -> Sequence[str]:
    if type_name == NUMBER_TYPE:
        return SPOKEN_NUMBERS_IN.get(model.language, SPOKEN_NUMBERS)
    if type_name == DURATION_TYPE:
        return SPOKEN_DURATIONS_IN.get(model.language, SPOKEN_DURATIONS)
    if type_name == TIME_TYPE and model.language in SPOKEN_TIMES_IN:
        return SPOKEN_TIMES_IN[model.language]
    slot_type = model.slot_type(type_name)
    if slot_type is None:
        return ANY_WORDS
    return [phrase for value in slot_type.values for phrase in value.phrases]
