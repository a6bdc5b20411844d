"""Slots filled as Alexa fills them, for an intent the statistical recogniser chose.

A slot's words are found by lining the utterance up with the intent's samples (the words that
stand where the sample has `{slot}`), then resolved: a custom type through its values and
synonyms to the canonical value (ER_SUCCESS_MATCH) or kept as said (ER_SUCCESS_NO_MATCH);
AMAZON.NUMBER as digits; AMAZON.DURATION as ISO 8601 ("PT1M30S"); AMAZON.TIME as "HH:MM".
"""

from __future__ import annotations

import difflib
import functools
import re
from collections.abc import Mapping, Sequence

from harness.interaction_model import Intent, SlotValue
from harness.utterances import (
    NUMBER_TYPE,
    TIME_TYPE,
    SlotMatch,
    clock_time,
    normalize,
    parse_number,
)

DURATION_TYPE = "AMAZON.DURATION"
_SLOT_TOKEN = re.compile(r"^\{(\w+)\}$")
# Words that never make a slot value on their own ("what do i do now" names no exercise).
FILLER_WORDS = frozenset(
    "a an the this that these those it one ones now then here there please me my i you next"
    " again just so um uh like"
    # German's
    " der die das den dem des ein eine einen einem diese dieser dieses es jetzt dann hier da"
    " bitte mir mich mein meine ich du nächste nächsten nochmal also äh ähm halt mal".split()
)
_LONGEST_NUMBER = 6  # words: "a hundred and twenty five" is five
_UNIT_SECONDS = {
    "second": 1,
    "seconds": 1,
    "sec": 1,
    "secs": 1,
    "minute": 60,
    "minutes": 60,
    "min": 60,
    "mins": 60,
    "hour": 3600,
    "hours": 3600,
    "sekunde": 1,
    "sekunden": 1,
    "minuten": 60,
    "stunde": 3600,
    "stunden": 3600,
}
_AND = ("and", "und")
_A = ("a", "an", "ein", "eine", "einer")
_ONE_AND_A_HALF = ("eineinhalb", "anderthalb")  # "anderthalb minuten": ninety seconds


def number_spans(words: Sequence[str]) -> list[tuple[int, int, int]]:
    """(start, end, value) of each number said in `words`, longest first at each place."""
    spans: list[tuple[int, int, int]] = []
    i = 0
    while i < len(words):
        for end in range(min(len(words), i + _LONGEST_NUMBER), i, -1):
            value = parse_number(" ".join(words[i:end]))
            if value is not None:
                spans.append((i, end, value))
                i = end
                break
        else:
            i += 1
    return spans


def iso_duration(text: str) -> str | None:
    """Spoken durations as ISO 8601: "two minutes" PT2M, "a minute and a half" PT1M30S, and in
    German "anderthalb minuten" PT1M30S, "eine halbe minute" PT30S."""
    words = normalize(text).split()
    seconds, unit, i = 0, 0, 0
    while i < len(words):
        if words[i] in _AND:
            i += 1
        elif words[i] in _ONE_AND_A_HALF or words[i : i + 2] in (["eine", "halbe"], ["halbe"]):
            half = words[i] == "halbe" or words[i + 1 : i + 2] == ["halbe"]
            i += 2 if words[i] == "eine" else 1
            unit = _UNIT_SECONDS.get(words[i] if i < len(words) else "", 0)
            if not unit:
                return None
            seconds, i = seconds + (unit // 2 if half else unit * 3 // 2), i + 1
        elif words[i : i + 2] == ["a", "half"] and unit:  # "a minute and a half"
            seconds, i = seconds + unit // 2, i + 2
        elif words[i] == "half" and words[i + 1 : i + 2] in (["a"], ["an"]):  # "half a minute"
            unit = _UNIT_SECONDS.get(words[i + 2] if i + 2 < len(words) else "", 0)
            if not unit:
                return None
            seconds, i = seconds + unit // 2, i + 3
        else:
            if words[i] in _A:
                number, i = 1, i + 1
            else:
                spans = number_spans(words[i : i + _LONGEST_NUMBER])
                if not spans or spans[0][0] != 0:
                    return None
                number, i = spans[0][2], i + spans[0][1]
            unit = _UNIT_SECONDS.get(words[i] if i < len(words) else "", 0)
            if not unit:
                return None
            seconds, i = seconds + number * unit, i + 1
    if seconds == 0:
        return None
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    parts = [f"{n}{letter}" for n, letter in ((hours, "H"), (minutes, "M"), (secs, "S")) if n]
    return "PT" + "".join(parts)


class SlotFiller:
    """Fills one model's slots; `fill` is the entry point."""

    def __init__(self, tables: Mapping[str, Mapping[str, SlotValue]]) -> None:
        # custom type -> its phrases, longest first (the longest phrase said is the value)
        self.tables = {name: _KnownPhrases(table) for name, table in tables.items()}

    def fill(
        self, intent: Intent, words: Sequence[str], samples: Sequence[str]
    ) -> dict[str, SlotMatch]:
        """The slots of `intent` in `words`, lined up with the best-fitting of its `samples`."""
        if not intent.slots:
            return {}
        best: tuple[float, dict[str, SlotMatch]] = (-1.0, {})
        # One matcher with the words said as its second sequence: it indexes them once.
        matcher = difflib.SequenceMatcher(None, (), list(words), autojunk=False)
        for sample in samples:
            lined = _sample_tokens(sample)
            if lined is None:
                continue
            fixed, slots = lined
            matcher.set_seq1(fixed)
            # A sample that could not beat the best even with every slot resolved is passed
            # over: quick_ratio() is never below ratio().
            if matcher.quick_ratio() + 0.05 * slots <= best[0]:
                continue
            filled, fit = self._line_up(intent, fixed, words, matcher)
            resolved = sum(
                1
                for name, value in filled.items()
                if value.id is not None or intent.slot(name).type not in self.tables
            )
            score = fit + 0.05 * resolved
            if score > best[0]:
                best = (score, filled)
        return self.named_anywhere(intent, words, best[1])

    def _line_up(
        self,
        intent: Intent,
        fixed: Sequence[str],
        words: Sequence[str],
        matcher: difflib.SequenceMatcher[str],
    ) -> tuple[dict[str, SlotMatch], float]:
        filled: dict[str, SlotMatch] = {}
        for op, i1, i2, j1, j2 in matcher.get_opcodes():
            if op not in ("replace", "insert") or j1 == j2:
                continue
            refs = [m.group(1) for t in fixed[i1:i2] if (m := _SLOT_TOKEN.match(t))]
            if len(refs) != 1 or refs[0] in filled:
                continue
            value = self._resolve(intent.slot(refs[0]).type, words[j1:j2])
            if value is not None:
                filled[refs[0]] = value
        return filled, matcher.ratio()

    def _resolve(self, type_name: str, words: Sequence[str]) -> SlotMatch | None:
        """The slot value in `words`: exactly said, or found inside them (the rest is filler)."""
        if type_name == NUMBER_TYPE:
            spans = number_spans(words)
            return SlotMatch(str(spans[0][2])) if spans else None
        if type_name == DURATION_TYPE:
            iso = iso_duration(" ".join(words))
            return SlotMatch(iso) if iso else None
        if type_name == TIME_TYPE:
            said = clock_time(" ".join(words))
            return SlotMatch(said) if said else None
        table = self.tables.get(type_name)
        spoken = " ".join(words)
        if table is None:
            return SlotMatch(spoken)
        found = table.find(words)
        if found is not None:
            phrase, value = found
            return SlotMatch(phrase, value.id, value.value)
        if all(word in FILLER_WORDS for word in words):
            return None
        return SlotMatch(spoken)  # ER_SUCCESS_NO_MATCH: kept as said

    def named_anywhere(
        self, intent: Intent, words: Sequence[str], filled: dict[str, SlotMatch]
    ) -> dict[str, SlotMatch]:
        """A custom slot left empty or unresolved takes a value of its type said anywhere."""
        for slot in intent.slots:
            table = self.tables.get(slot.type)
            current = filled.get(slot.name)
            if table is None or (current is not None and current.id is not None):
                continue
            found = table.find(words)
            if found is not None:
                filled[slot.name] = SlotMatch(found[0], found[1].id, found[1].value)
        return filled


@functools.cache
def _sample_tokens(sample: str) -> tuple[tuple[str, ...], int] | None:
    """A sample's words as said (its {slot} tokens kept) and how many slots it has; None for a
    sample with no slot."""
    tokens = sample.split()
    slots = sum(1 for t in tokens if _SLOT_TOKEN.match(t))
    if not slots:
        return None
    return tuple(t if _SLOT_TOKEN.match(t) else normalize(t) for t in tokens), slots


class _KnownPhrases:
    """A custom type's phrases, each to its value, searched longest first."""

    def __init__(self, table: Mapping[str, SlotValue]) -> None:
        self.table = table
        self.longest_first = sorted(table, key=lambda p: (-len(p), p))

    def find(self, words: Sequence[str]) -> tuple[str, SlotValue] | None:
        """The longest known phrase among `words`, on word boundaries."""
        text = f" {' '.join(words)} "
        for phrase in self.longest_first:
            if f" {phrase} " in text:
                return phrase, self.table[phrase]
        return None


class SlotWords:
    """Text with each known slot value (a custom type's value or synonym, a number) replaced by
    its type's name: "rest ninety seconds" reads "rest amazon_number seconds"."""

    def __init__(self, tables: Mapping[str, Mapping[str, SlotValue]]) -> None:
        phrases = {
            phrase: _type_word(type_name) for type_name, table in tables.items() for phrase in table
        }
        ordered = sorted(phrases, key=lambda p: (-len(p), p))
        self._phrases = phrases
        alternatives = "|".join(map(re.escape, ordered))
        self._pattern = re.compile(rf"\b(?:{alternatives})\b") if ordered else None

    def __call__(self, text: str) -> str:
        named = text
        if self._pattern is not None:
            named = self._pattern.sub(lambda m: self._phrases[m.group(0)], text)
        words = named.split()
        for start, end, _ in reversed(number_spans(words)):
            words[start:end] = [_type_word(NUMBER_TYPE)]
        return " ".join(words)


def _type_word(type_name: str) -> str:
    return type_name.lower().replace(".", "_")
