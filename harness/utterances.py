"""Turn what a person says into what Alexa would send: a launch, a one-shot or an intent.

Everything the skill understands comes from its interaction model: each sample compiles to a
regex in which a custom slot matches one of its values or synonyms (resolved to the value's id)
or, failing that, free words (Alexa's ER_SUCCESS_NO_MATCH), and AMAZON.NUMBER matches digits or
number words (English in an English model, German or English in a German one). The only
phrases kept here are the device's own knowledge: how a person invokes a skill; Alexa's own
phrases for built-in intents are data (understanding/phrases).

Precedence, best first: a sample without slots; a sample whose slots all resolved; a sample with
unresolved slot words (fewer free words first); then AMAZON.FallbackIntent. Remaining ties go to
the sample with more fixed words, then to the earlier one in the model, so results never vary.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import cache, lru_cache
from typing import Literal

from harness.interaction_model import Intent, InteractionModel, SlotType, SlotValue
from harness.understanding.phrases import builtin_phrases

FALLBACK_INTENT = "AMAZON.FallbackIntent"
NUMBER_TYPE = "AMAZON.NUMBER"
TIME_TYPE = "AMAZON.TIME"

# Alexa's own phrases for each built-in intent (understanding/builtin_phrases.yaml).
BUILTIN_PHRASES: Mapping[str, tuple[str, ...]] = builtin_phrases()

# How people address a skill by its invocation name.
WAKE_WORD = "alexa"
LAUNCH_VERBS = ("open", "launch", "start", "talk to", "load")
ASK_VERBS = ("ask", "tell")
ASK_CONNECTORS = ("to", "for", "if", "whether", "that")
TRAILING_CONNECTORS = ("with", "using", "from")
# The same in German ("Alexa, öffne Oberkörper Trainer", "Alexa, sag Oberkörper Trainer, dass
# ich fertig bin"), apart from the English ones that the offline command model is built from.
GERMAN_LAUNCH_VERBS = ("öffne", "starte")
GERMAN_ASK_VERBS = ("frag", "frage", "sag", "sage", "bitte")
GERMAN_CONNECTORS = ("dass", "ob", "nach")
_LAUNCH_AFTER_NAME = ("öffnen", "starten")  # "Alexa, Oberkörper Trainer öffnen"

_UNITS = {
    word: n
    for n, word in enumerate(
        "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen"
        " fifteen sixteen seventeen eighteen nineteen".split()
    )
}
_TENS = {
    word: 10 * n
    for n, word in enumerate("twenty thirty forty fifty sixty seventy eighty ninety".split(), 2)
}
_NUMBER_WORDS = (*_UNITS, *_TENS, "hundred", "thousand", "a", "and")

MatchKind = Literal["launch", "intent", "one_shot"]
_MORNING = ("am", "a m", "in the morning")
_EVENING = ("pm", "p m", "in the evening", "in the afternoon", "at night", "tonight")


_GERMAN_MORNING = ("morgens", "früh", "vormittags", "am morgen", "am vormittag")
_GERMAN_AFTERNOON = ("mittags", "nachmittags", "abends", "am nachmittag", "am abend")
_GERMAN_NIGHT = ("nachts", "in der nacht")
_GERMAN_OFFSETS = {"halb": -30, "viertel nach": 15, "viertel vor": -15}


def _german_clock_time(words: str) -> str | None:
    """ "sieben uhr" 07:00, "neunzehn uhr dreißig" 19:30, "halb acht" 07:30, "viertel vor acht"
    07:45, "sieben uhr abends" 19:00, "ein uhr nachts" 01:00, "null uhr" 00:00; None when the
    words are no German time (an hour past 24 or a minute past 59 included)."""
    words = words.removeprefix("um ")
    if words in ("mittag", "mitternacht"):
        return "12:00" if words == "mittag" else "00:00"
    part = next(
        (
            (name, said)
            for name, saids in (
                ("am", _GERMAN_MORNING),
                ("pm", _GERMAN_AFTERNOON),
                ("night", _GERMAN_NIGHT),
            )
            for said in saids
            if words.endswith(" " + said)
        ),
        None,
    )
    if part is not None:
        words = words[: -len(part[1]) - 1]
    offset = 0
    for said, minutes in _GERMAN_OFFSETS.items():
        if words.startswith(said + " "):
            words, offset = words[len(said) + 1 :], minutes
            break
    if " uhr" in f"{words} ":
        hour_words, _, minute_words = words.partition(" uhr")
    else:  # "um 19 30", as "um 19:30" is normalised
        hour_words, _, minute_words = words.partition(" ")
    hour = 0 if hour_words.strip() == "null" else parse_number(hour_words.strip())
    minute = parse_number(minute_words.strip()) if minute_words.strip() else 0
    if hour is None or minute is None or not 0 <= hour <= 24 or not 0 <= minute <= 59:
        return None
    if offset and (minute or not 1 <= hour <= 12):  # "halb acht": on the clock's face only
        return None
    total = (hour % 24) * 60 + minute + offset  # "halb eins" is 00:30 here, 12:30 below
    hour, minute = divmod(total, 60)
    if offset and hour == 0:
        hour = 12
    hour = _german_part_of_day(hour, None if part is None else part[0])
    return f"{hour:02d}:{minute:02d}"


def _german_part_of_day(hour: int, part: str | None) -> int:
    """The hour on a 24-hour clock, given "abends", "nachts" or "morgens" after it."""
    if part == "pm" and hour < 12:
        return hour + 12
    if part == "night":  # "elf uhr nachts" 23:00, "zwölf uhr nachts" 00:00, "ein uhr nachts" 01:00
        return 0 if hour == 12 else hour + 12 if 6 <= hour < 12 else hour
    if part == "am" and hour == 12:
        return 0
    return hour


def clock_time(text: str) -> str | None:
    """A spoken time as AMAZON.TIME fills it, "HH:MM": "7 am" 07:00, "six thirty pm" 18:30,
    "7" 07:00, "noon" 12:00, or in German ("halb acht"); None when the words are no time."""
    words = normalize(text)
    german = words.startswith(("halb ", "viertel ", "um ")) or words in ("mittag", "mitternacht")
    if german or " uhr" in f" {words} ":
        return _german_clock_time(words)
    words = words.removeprefix("at ")
    if words in ("noon", "midday"):
        return "12:00"
    later = next((s for s in _EVENING if words.endswith(" " + s)), None)
    earlier = next((s for s in _MORNING if words.endswith(" " + s)), None)
    suffix = later or earlier
    if suffix is not None:
        words = words[: -len(suffix) - 1]
    words = words.removesuffix(" o'clock").removesuffix(" oclock")
    parts = words.split()
    hour = parse_number(parts[0]) if parts else None
    minute = parse_number(" ".join(parts[1:])) if len(parts) > 1 else 0
    if hour is None or minute is None or not 0 <= hour <= 23 or not 0 <= minute <= 59:
        return None
    if later is not None and hour < 12:
        hour += 12
    if earlier is not None and hour == 12:
        hour = 0
    return f"{hour:02d}:{minute:02d}"


@dataclass(frozen=True)
class SlotMatch:
    """A filled slot: `value` as spoken (digits for numbers); `id` and `name` when it resolved."""

    value: str
    id: str | None = None
    name: str | None = None  # the canonical value the id belongs to


@dataclass(frozen=True)
class Match:
    kind: MatchKind
    intent: str | None  # None for a launch
    slots: Mapping[str, SlotMatch] = field(default_factory=dict)
    one_shot: bool = False
    new_session: bool = False
    utterance: str = ""  # normalised
    sample: str | None = None  # the sample (or standard phrase) that matched
    confidence: float | None = None  # the statistical recogniser's: 1.0 for a sample said
    guessed: str | None = None  # the statistical recogniser's first choice, before its rules

    @property
    def request_type(self) -> str:
        return "LaunchRequest" if self.kind == "launch" else "IntentRequest"


# ---- text -----------------------------------------------------------------------------------

_NOT_SPOKEN = re.compile(r"[^\w' ]+|_")  # letters of any language (German's ä, ß) stay


def normalize(text: str) -> str:
    """Lowercase, punctuation (not apostrophes) to spaces, one space between words, no wake word."""
    text = text.lower().replace("\u2019", "'")
    words = _NOT_SPOKEN.sub(" ", text).split()
    if words and words[0] == WAKE_WORD:
        words = words[1:]
    return " ".join(words)


# ---- numbers --------------------------------------------------------------------------------


def _below_hundred(words: list[str], i: int) -> tuple[int, int] | None:
    if i < len(words) and words[i] in _TENS:
        value = _TENS[words[i]]
        if i + 1 < len(words) and 1 <= _UNITS.get(words[i + 1], 0) <= 9:
            return value + _UNITS[words[i + 1]], i + 2
        return value, i + 1
    if i < len(words) and words[i] in _UNITS:
        return _UNITS[words[i]], i + 1
    return None


def _below_thousand(words: list[str], i: int) -> tuple[int, int] | None:
    """`[a|one..nine] hundred [and] [below hundred]` or a number below a hundred."""
    word = words[i] if i < len(words) else ""
    head = 1 if word == "a" else _UNITS.get(word, 0)
    if 1 <= head <= 9 and i + 1 < len(words) and words[i + 1] == "hundred":
        value, i = head * 100, i + 2
        j = i + 1 if i < len(words) and words[i] == "and" else i
        rest = _below_hundred(words, j)
        return (value + rest[0], rest[1]) if rest else (value, i)
    return _below_hundred(words, i)


_GERMAN_UNITS = {
    "ein": 1, "eins": 1, "eine": 1, "einen": 1, "zwei": 2, "drei": 3, "vier": 4, "fünf": 5,
    "sechs": 6, "sieben": 7, "acht": 8, "neun": 9,
}  # fmt: skip
_GERMAN_TEENS = {
    "zehn": 10, "elf": 11, "zwölf": 12, "dreizehn": 13, "vierzehn": 14, "fünfzehn": 15,
    "sechzehn": 16, "siebzehn": 17, "achtzehn": 18, "neunzehn": 19,
}  # fmt: skip
_GERMAN_TENS = {
    "zwanzig": 20, "dreißig": 30, "vierzig": 40, "fünfzig": 50, "sechzig": 60, "siebzig": 70,
    "achtzig": 80, "neunzig": 90,
}  # fmt: skip


def _german_below_hundred(word: str) -> int | None:
    if word in _GERMAN_UNITS or word in _GERMAN_TEENS or word in _GERMAN_TENS:
        return {**_GERMAN_UNITS, **_GERMAN_TEENS, **_GERMAN_TENS}[word]
    unit, joined, tens = word.partition("und")  # "fünfundvierzig": five and forty
    if joined and unit in _GERMAN_UNITS and tens in _GERMAN_TENS:
        return _GERMAN_UNITS[unit] + _GERMAN_TENS[tens]
    return None


def parse_german_number(text: str) -> int | None:
    """German number words, written as one word or apart ("fünfundvierzig", "hundert
    zwanzig"), below a thousand, to an int."""
    word = "".join(text.split())
    if not word:
        return None
    head, hundred, rest = word.partition("hundert")
    if not hundred:
        return _german_below_hundred(word)
    hundreds = 1 if head in ("", "ein", "eins") else _GERMAN_UNITS.get(head)
    below = 0 if rest in ("", "und") else _german_below_hundred(rest.removeprefix("und"))
    if hundreds is None or below is None:
        return None
    return hundreds * 100 + below


def _alternatives(words: Iterable[str]) -> str:
    return "|".join(sorted(words, key=lambda w: (-len(w), w)))


def _german_number_word() -> str:
    """A regex for one German number word below 200 ("fünfundvierzig", "hundertzwanzig"), from
    its parts: a list of every word took 50 ms to compile in each sample with a number. It also
    takes forms nobody says ("einsundzwanzig"), which parse_german_number reads all the same."""
    units = _alternatives(_GERMAN_UNITS)
    below_hundred = f"(?:{units})und(?:{_alternatives(_GERMAN_TENS)})|" + _alternatives(
        {**_GERMAN_TEENS, **_GERMAN_TENS, **_GERMAN_UNITS}
    )
    return f"(?:ein)?hundert(?:{below_hundred})?|{below_hundred}"


def parse_number(text: str) -> int | None:
    """Digits, English number words ("forty five", "a hundred and twenty") or German ones
    ("fünfundvierzig") to an int."""
    english = _parse_english_number(text)
    return english if english is not None else parse_german_number(text)


def _parse_english_number(text: str) -> int | None:
    words = text.split()
    if len(words) == 1 and words[0].isdigit():
        return int(words[0])
    i, total = 0, 0
    if "thousand" in words:
        if words[0] == "a":
            head: tuple[int, int] | None = (1, 1)
        else:
            head = _below_thousand(words, 0)
        if head is None or head[1] >= len(words) or words[head[1]] != "thousand":
            return None
        total, i = head[0] * 1000, head[1] + 1
        if i < len(words) and words[i] == "and":
            i += 1
        if i == len(words):
            return total
    rest = _below_thousand(words, i)
    if rest is None or rest[1] != len(words):
        return None
    return total + rest[0]


# ---- compiled samples -----------------------------------------------------------------------

_SLOT_REF = re.compile(r"^\{(\w+)\}$")
_FREE_WORDS = r"[\w']+(?: [\w']+)*?"


def _number_regex(word: str) -> str:
    return rf"\d+|(?:{word})(?: (?:{word}))*"


# A number slot's words by language: German takes English ones too.
_NUMBERS = {
    "en": _number_regex(_alternatives(_NUMBER_WORDS)),
    "de": _number_regex(f"{_alternatives(_NUMBER_WORDS)}|{_german_number_word()}"),
}


@dataclass(frozen=True)
class _SlotGroup:
    name: str
    group: str  # regex group prefix: <group>r resolved, <group>f free, <group>n number
    type: str


@dataclass(frozen=True)
class _Sample:
    intent: str
    text: str
    # A sample with no slot is matched as its words; one with slots by the regex `pattern`
    # spells, compiled the first time a text has all of its own `words` (compiling every
    # sample's regex up front was most of a cached render's start).
    pattern: str
    slots: tuple[_SlotGroup, ...]
    fixed_words: int
    order: int
    words: frozenset[str] = frozenset()


@cache
def _compiled(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern)


@dataclass(frozen=True)
class Candidate:
    """One way an utterance matched one sample; `rank` orders candidates, lowest best."""

    sample: _Sample
    slots: Mapping[str, SlotMatch]
    free_words: int
    resolved: bool

    @property
    def tier(self) -> int:
        """0: a sample without slots; 1: every slot resolved; 2: a slot holds free words."""
        return 0 if not self.sample.slots else (1 if self.resolved else 2)

    @property
    def rank(self) -> tuple[int, int, int, int]:
        return (self.tier, self.free_words, -self.sample.fixed_words, self.sample.order)


def _phrase_table(slot_type: SlotType) -> dict[str, SlotValue]:
    """Every spoken form of every value, normalised; the first value to claim a phrase keeps it."""
    table: dict[str, SlotValue] = {}
    for value in slot_type.values:
        for phrase in value.phrases:
            table.setdefault(normalize(phrase), value)
    return table


def _slot_regex(group: str, slot_type: SlotType | None, type_name: str, language: str) -> str:
    if type_name == NUMBER_TYPE:
        return f"(?P<{group}n>{_NUMBERS[language]})"
    if slot_type is None:  # another built-in type: any words, nothing to resolve against
        return f"(?P<{group}f>{_FREE_WORDS})"
    phrases = sorted(_phrase_table(slot_type), key=lambda p: (-len(p), p))
    known = "|".join(re.escape(p) for p in phrases)
    # Known phrases first: the regex engine only falls back to free words when they cannot fit.
    return f"(?:(?P<{group}r>{known})|(?P<{group}f>{_FREE_WORDS}))"


def _compile_sample(
    model: InteractionModel, intent: Intent, text: str, order: int
) -> _Sample | None:
    parts: list[str] = []
    slots: list[_SlotGroup] = []
    words: list[str] = []  # the sample's own words, its slots left out
    for token in text.split():
        ref = _SLOT_REF.match(token)
        if ref is None:
            said = normalize(token).split()
            parts.extend(re.escape(w) for w in said)
            words.extend(said)
            continue
        slot = intent.slot(ref.group(1))
        group = f"s{len(slots)}"
        slots.append(_SlotGroup(slot.name, group, slot.type))
        parts.append(_slot_regex(group, model.slot_type(slot.type), slot.type, model.language))
    if not parts:
        return None
    if not slots:
        return _Sample(intent.name, text, " ".join(words), (), len(words), order)
    own = frozenset(words)
    return _Sample(intent.name, text, " ".join(parts), tuple(slots), len(words), order, own)


def _plain_index(samples: Iterable[_Sample]) -> dict[str, _Sample]:
    index: dict[str, _Sample] = {}
    for sample in samples:
        if not sample.slots:
            index.setdefault(sample.pattern, sample)
    return index


class _ByWord:
    """Slotted samples indexed by the rarest of their own words: only those whose word was
    said can match (every one of a sample's words must be), so only they are tried."""

    def __init__(self, samples: tuple[_Sample, ...]) -> None:
        self.samples = samples
        counts = Counter(word for sample in samples for word in sample.words)
        by_word: dict[str, list[int]] = {}
        wordless: list[int] = []
        for at, sample in enumerate(samples):
            if not sample.words:
                wordless.append(at)
                continue
            rarest = min(sorted(sample.words), key=lambda word: counts[word])
            by_word.setdefault(rarest, []).append(at)
        self._wordless = tuple(wordless)
        self._by_word = {word: tuple(found) for word, found in by_word.items()}

    def could_match(self, words: frozenset[str]) -> Iterator[_Sample]:
        """The samples whose indexed word is among `words`, in their order."""
        found = [*self._wordless]
        for word in words:
            found.extend(self._by_word.get(word, ()))
        return (self.samples[at] for at in sorted(found))


class Matcher:
    """The compiled samples of one model; `match` is the public entry point."""

    name = "exact"
    description = "exact matcher (--exact): a sample or a built-in phrase, word for word"

    def __init__(self, model: InteractionModel) -> None:
        self.model = model
        self._invocation = normalize(model.invocation_name)
        self.tables = {t.name: _phrase_table(t) for t in model.types}
        samples: list[_Sample] = []
        for intent in model.intents:
            own = builtin_phrases(model.language).get(intent.name, ())
            for text in dict.fromkeys((*intent.samples, *own)):  # drop repeats, keep order
                sample = _compile_sample(model, intent, text, len(samples))
                if sample is not None:
                    samples.append(sample)
        by_intent: dict[str, list[_Sample]] = {}
        for sample in samples:
            by_intent.setdefault(sample.intent, []).append(sample)
        self._by_intent = {intent: tuple(found) for intent, found in by_intent.items()}
        # A sample without slots is matched by its words alone and outranks any with slots, so
        # those are looked up (the first in order wins a tie) and only slotted ones are tried.
        self._plain = _plain_index(samples)
        self._plain_by_intent = {i: _plain_index(found) for i, found in self._by_intent.items()}
        self._slotted = _ByWord(tuple(s for s in samples if s.slots))
        self._slotted_by_intent = {
            i: _ByWord(tuple(s for s in found if s.slots)) for i, found in self._by_intent.items()
        }

    def samples_of(self, intent: str) -> tuple[str, ...]:
        """The texts `intent` is matched by: its samples, then its built-in phrases."""
        return tuple(sample.text for sample in self._by_intent.get(intent, ()))

    def match(self, utterance: str) -> Match:
        text = normalize(utterance)
        invocation = self.split_invocation(text)
        if invocation is None:
            return self._as_match(self.best(text), text, kind="intent")
        kind, rests = invocation
        if kind == "launch":
            return Match("launch", None, new_session=True, utterance=text)
        candidates = [c for c in (self.best(rest) for rest in rests) if c is not None]
        best = min(candidates, key=lambda c: c.rank, default=None)
        return self._as_match(best, text, kind="one_shot")

    def split_invocation(self, text: str) -> tuple[str, tuple[str, ...]] | None:
        """("launch", ()) or ("one_shot", what to match) when `text` names the skill."""
        name = self._invocation
        launches = (*LAUNCH_VERBS, *ASK_VERBS, *GERMAN_LAUNCH_VERBS, *GERMAN_ASK_VERBS)
        if text in {f"{verb} {name}" for verb in launches} | {
            f"{name} {verb}" for verb in _LAUNCH_AFTER_NAME
        }:
            return "launch", ()
        for verb in (*ASK_VERBS, *GERMAN_ASK_VERBS):
            prefix = f"{verb} {name} "
            if text.startswith(prefix):
                rest = text[len(prefix) :]
                first, _, after = rest.partition(" ")
                # "tell ... that set is done": try with and without the connector word.
                if first in (*ASK_CONNECTORS, *GERMAN_CONNECTORS) and after:
                    return "one_shot", (after, rest)
                return "one_shot", (rest,)
        for connector in TRAILING_CONNECTORS:
            suffix = f" {connector} {name}"
            if text.endswith(suffix) and len(text) > len(suffix):
                return "one_shot", (text[: -len(suffix)],)
        return None

    def best(self, text: str, intent: str | None = None) -> Candidate | None:
        """The best literal match of normalised `text`, among `intent`'s samples if named."""
        plain = self._plain if intent is None else self._plain_by_intent.get(intent, {})
        if text in plain:
            return Candidate(plain[text], {}, 0, True)
        slotted = self._slotted if intent is None else self._slotted_by_intent.get(intent)
        if slotted is None:
            return None
        words = frozenset(text.split())
        found = (self._try(sample, text, words) for sample in slotted.could_match(words))
        return min((c for c in found if c is not None), key=lambda c: c.rank, default=None)

    def _try(self, sample: _Sample, text: str, words: frozenset[str]) -> Candidate | None:
        if not sample.words <= words:  # a word of its own is missing: no need to look closer
            return None
        hit = _compiled(sample.pattern).fullmatch(text)
        if hit is None:
            return None
        slots: dict[str, SlotMatch] = {}
        free_words, resolved = 0, True
        for slot in sample.slots:
            groups = hit.groupdict()
            if groups.get(slot.group + "n") is not None:
                number = parse_number(groups[slot.group + "n"])
                if number is None:
                    return None
                slots[slot.name] = SlotMatch(str(number))
            elif groups.get(slot.group + "r") is not None:
                spoken = groups[slot.group + "r"]
                value = self.tables[slot.type][spoken]
                slots[slot.name] = SlotMatch(spoken, value.id, value.value)
            elif slot.type == TIME_TYPE:  # AMAZON.TIME: said as a time, sent as "HH:MM"
                said = clock_time(groups[slot.group + "f"])
                if said is None:
                    return None
                slots[slot.name] = SlotMatch(said)
            else:
                spoken = groups[slot.group + "f"]
                slots[slot.name] = SlotMatch(spoken)
                free_words += len(spoken.split())
                resolved = False
        return Candidate(sample, slots, free_words, resolved)

    def _as_match(self, best: Candidate | None, text: str, kind: MatchKind) -> Match:
        one_shot = kind == "one_shot"
        if best is None:
            return Match(kind, FALLBACK_INTENT, {}, one_shot, one_shot, text)
        return Match(
            kind, best.sample.intent, best.slots, one_shot, one_shot, text, best.sample.text
        )

    def resolve(self, type_name: str, spoken: str) -> SlotMatch:
        """A slot value given as text (a value, synonym, id or number) as Alexa would fill it."""
        text = normalize(spoken)
        if type_name == NUMBER_TYPE:
            number = parse_number(text)
            return SlotMatch(str(number) if number is not None else spoken)
        if type_name == TIME_TYPE:
            return SlotMatch(clock_time(text) or spoken)
        slot_type = self.model.slot_type(type_name)
        if slot_type is None:
            return SlotMatch(spoken)
        value = self.tables[type_name].get(text)
        if value is None:
            value = next((v for v in slot_type.values if v.id == spoken), None)
        if value is None:
            return SlotMatch(spoken)
        return SlotMatch(spoken if value.id != spoken else value.value, value.id, value.value)


@lru_cache(maxsize=8)
def matcher_for(model: InteractionModel) -> Matcher:
    return Matcher(model)


def match(utterance: str, model: InteractionModel) -> Match:
    """What a device makes of `utterance` for the skill described by `model`."""
    return matcher_for(model).match(utterance)


def resolve_slot(model: InteractionModel, type_name: str, spoken: str) -> SlotMatch:
    return matcher_for(model).resolve(type_name, spoken)
