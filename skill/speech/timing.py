"""How long Alexa takes to say a piece of text: one model, used to pace rests and by the harness.

A words-per-minute model with a little extra for sentence and clause ends. The harness's offline
voice is calibrated to it: espeak-ng set to 0.8 x WORDS_PER_MINUTE (its words are shorter than
Alexa's) lands within about 0.3 s per cue and 0.2 s over a whole rest (tracks/voices).
"""

from __future__ import annotations

import re

WORDS_PER_MINUTE = 160
SENTENCE_PAUSE_SECONDS = 0.25
_WORD = re.compile(r"[\w']+")  # any language's letters: "Drücken" is one word
_SENTENCE_END = re.compile(r"[.!?]+(?=\s|$)")
_CLAUSE = re.compile(r"[,;:]")
CLAUSE_PAUSE_SECONDS = 0.1


def spoken_words(text: str) -> int:
    return len(_WORD.findall(text))


def speech_seconds(text: str, words_per_minute: int = WORDS_PER_MINUTE) -> float:
    """Estimated seconds to speak `text` (plain text, no markup)."""
    words = spoken_words(text)
    if words == 0:
        return 0.0
    pauses = len(_SENTENCE_END.findall(text.strip())) * SENTENCE_PAUSE_SECONDS
    pauses += len(_CLAUSE.findall(text)) * CLAUSE_PAUSE_SECONDS
    return round(words * 60.0 / words_per_minute + pauses, 3)
