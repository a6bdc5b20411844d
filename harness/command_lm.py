"""The recognizer's vocabulary, built from the interaction model itself, as an ARPA language
model for pocketsphinx (and, for comparison in bench/voice_commands.py, a JSGF grammar).

Every sample of every intent with its slots filled (custom slots with each value and synonym,
AMAZON.NUMBER with number words over a small range), Alexa's standard phrases for built-in
intents, and the ways a person invokes the skill ("open ...", "tell ... next set"). Words must be
in pocketsphinx's dictionary: a missing word is respelled from dictionary words (a compound
such as "kettlebell" = "kettle" + "bell", or an all-consonant acronym such as "trx" spelled
letter by letter); a phrase with a word that cannot be respelled is dropped and reported.
"""

from __future__ import annotations

import io
import itertools
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from pathlib import Path

from harness.interaction_model import InteractionModel
from harness.utterances import (
    ASK_VERBS,
    BUILTIN_PHRASES,
    LAUNCH_VERBS,
    NUMBER_TYPE,
    WAKE_WORD,
    normalize,
)

# Numbers a person would say for each AMAZON.NUMBER slot, by slot name: rests the coach accepts
# (15..120 s), a few minutes, and the reps of a set cut short; any other number slot gets
# DEFAULT_NUMBERS.
NUMBER_RANGES: Mapping[str, range] = {
    "seconds": range(15, 121),
    "minutes": range(1, 6),
    "reps": range(0, 21),
    "failed_rep": range(1, 21),
}
DEFAULT_NUMBERS = range(1, 121)
# Times a runner would say for a reminder (AMAZON.TIME).
SPOKEN_TIMES = tuple(
    f"{hour} {part}".strip()
    for hour in ("five", "six", "seven", "eight", "nine", "ten", "six thirty", "seven thirty")
    for part in ("", "am", "pm")
)
# One-shot forms besides "<verb> <name> <phrase>": "ask upper body coach to skip this one",
# and their share of a command's weight (see one_shot_forms).
ONE_SHOT_CONNECTORS: tuple[str, ...] = ("to",)
CONNECTOR_SHARE = 0.1
# Back-off mass of the n-gram model: little, so it keeps to the phrases. Measured on espeak
# voices (commands right): 0.05 a little better than 0.3 and 0.5.
DISCOUNT_MASS = 0.05

_SLOT_REF = re.compile(r"\{(\w+)\}")
_UNITS = (
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen"
    " fifteen sixteen seventeen eighteen nineteen"
).split()
_TENS = "_ _ twenty thirty forty fifty sixty seventy eighty ninety".split()
_VOWELS = set("aeiou")


def number_words(n: int) -> tuple[str, ...]:
    """Ways to say 0 <= n < 1000 as words: "forty five"; "one hundred twenty" and
    "one hundred and twenty" (both are common)."""
    if not 0 <= n < 1000:
        raise ValueError(f"{n} is out of range")
    if n < 20:
        return (_UNITS[n],)
    if n < 100:
        tens, units = divmod(n, 10)
        return (_TENS[tens] + (f" {_UNITS[units]}" if units else ""),)
    hundreds, rest = divmod(n, 100)
    head = f"{_UNITS[hundreds]} hundred"
    if not rest:
        return (head,)
    tail = number_words(rest)[0]
    return (f"{head} {tail}", f"{head} and {tail}")


# ---- pronunciation dictionary ---------------------------------------------------------------


def dictionary_path() -> Path:
    from pocketsphinx import get_model_path  # imported late: only the recognizer needs it

    return Path(get_model_path("en-us/cmudict-en-us.dict"))


@lru_cache(maxsize=2)
def load_dictionary(path: Path | None = None) -> Mapping[str, str]:
    """Word -> first pronunciation from a CMU-style dictionary ("word(2)" variants skipped)."""
    table: dict[str, str] = {}
    with open(path or dictionary_path(), encoding="utf-8") as lines:
        for line in lines:
            word, _, phones = line.strip().partition(" ")
            if phones and "(" not in word:
                table.setdefault(word, phones.strip())
    return table


def respell(word: str, dictionary: Mapping[str, str]) -> tuple[str, str] | None:
    """(phones, how) for a word missing from `dictionary`, or None if it cannot be respelled.

    A compound of two dictionary words ("bodyweight" = "body" + "weight"), or an acronym of
    consonants spelled letter by letter ("trx" = "t r x"); nothing cleverer, so it stays honest.
    """
    splits = [
        (word[:i], word[i:])
        for i in range(2, len(word) - 1)
        if word[:i] in dictionary and word[i:] in dictionary
    ]
    if splits:
        # The most even split: "chin" + "ups" rather than "ch" + "inups"-like accidents.
        left, right = min(splits, key=lambda s: abs(len(s[0]) - len(s[1])))
        return f"{dictionary[left]} {dictionary[right]}", f"{left} + {right}"
    if word.isalpha() and not _VOWELS & set(word) and all(c in dictionary for c in word):
        return " ".join(dictionary[c] for c in word), " ".join(word)
    return None


# ---- phrases --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Phrase:
    text: str  # lowercase words, apostrophes kept ("i'm done")
    intent: str | None  # None for a launch ("open upper body coach")
    sample: str  # the model sample (or standard phrase / invocation form) it came from
    weight: float = 1.0  # language-model count: each sample weighs 1 however many fillings


@dataclass(frozen=True)
class OneShotForm:
    """What comes before a command in a one-shot ("alexa tell upper body coach to"), and its
    share of the command's weight."""

    text: str
    share: float


@dataclass(frozen=True)
class Vocabulary:
    """What the recognizer may hear, and what had to change for the dictionary.

    Each command is also heard after each one-shot form; the product (about half a million
    phrases) is kept as its two factors and spelled out only when asked for (`phrases`)."""

    commands: tuple[Phrase, ...]  # in-dictionary samples (respelled words count as in)
    launches: tuple[Phrase, ...] = ()  # "open upper body coach", with and without the wake word
    one_shot_forms: tuple[OneShotForm, ...] = ()
    respelled: Mapping[str, tuple[str, str]] = field(default_factory=dict)  # word: (phones, how)
    dropped: Mapping[str, tuple[str, ...]] = field(default_factory=dict)  # phrase: missing words

    @cached_property
    def phrases(self) -> tuple[Phrase, ...]:
        return (
            *self.commands,
            *self.launches,
            *(
                Phrase(f"{form.text} {c.text}", c.intent, c.sample, c.weight * form.share)
                for form in self.one_shot_forms
                for c in self.commands
            ),
        )

    @cached_property
    def texts(self) -> frozenset[str]:
        return frozenset(
            (
                *(p.text for p in (*self.commands, *self.launches)),
                *(f"{form.text} {c.text}" for form in self.one_shot_forms for c in self.commands),
            )
        )

    @cached_property
    def words(self) -> frozenset[str]:
        texts = (*(p.text for p in (*self.commands, *self.launches)), *self.form_texts)
        return frozenset(w for text in texts for w in text.split())

    @property
    def form_texts(self) -> tuple[str, ...]:
        return tuple(form.text for form in self.one_shot_forms)


def _slot_phrases(model: InteractionModel, slot_name: str, type_name: str) -> tuple[str, ...]:
    if type_name == NUMBER_TYPE:
        numbers = NUMBER_RANGES.get(slot_name, DEFAULT_NUMBERS)
        return tuple(words for n in numbers for words in number_words(n))
    if type_name == "AMAZON.TIME":  # a reminder's time, as runners say one
        return SPOKEN_TIMES
    slot_type = model.slot_type(type_name)
    if slot_type is None:
        return ()  # another built-in type: free words, nothing to enumerate
    return tuple(dict.fromkeys(normalize(p) for v in slot_type.values for p in v.phrases))


def expand_sample(model: InteractionModel, intent_name: str, sample: str) -> tuple[str, ...]:
    """Every way to say `sample` with its slots filled, normalised."""
    intent = model.intent(intent_name)
    names = _SLOT_REF.findall(sample)
    choices = [_slot_phrases(model, n, intent.slot(n).type) for n in names]
    parts = _SLOT_REF.split(sample)  # fixed text and slot names alternate
    texts = []
    for filling in itertools.product(*choices):
        words = [part if i % 2 == 0 else filling[i // 2] for i, part in enumerate(parts)]
        texts.append(normalize("".join(words)))
    return tuple(dict.fromkeys(t for t in texts if t))


def intent_phrases(model: InteractionModel) -> tuple[Phrase, ...]:
    """Every sample of every intent, slots filled, plus Alexa's built-in phrases."""
    phrases: list[Phrase] = []
    for intent in model.intents:
        samples = (*intent.samples, *BUILTIN_PHRASES.get(intent.name, ()))
        for sample in dict.fromkeys(samples):
            texts = expand_sample(model, intent.name, sample)
            phrases.extend(Phrase(t, intent.name, sample, 1 / len(texts)) for t in texts)
    return tuple(phrases)


def launch_phrases(model: InteractionModel) -> tuple[Phrase, ...]:
    """Launches ("open upper body coach"), each also with the wake word in front."""
    name = normalize(model.invocation_name)
    return tuple(
        Phrase(text, None, f"{verb} {{invocation}}", 0.5)
        for verb in (*LAUNCH_VERBS, *ASK_VERBS)
        for text in (f"{verb} {name}", f"{WAKE_WORD} {verb} {name}")
    )


def one_shot_forms(model: InteractionModel) -> tuple[OneShotForm, ...]:
    """One-shots ("tell upper body coach next set"), each also with the wake word in front.

    All one-shot forms together weigh what the command alone does, so "tell" and "ask" do not
    swamp the language model; a connector gets a small share, or the model hears "to" after
    the name everywhere ("tell ... to that set")."""
    name = normalize(model.invocation_name)
    forms: dict[str, float] = {}
    for verb in ASK_VERBS:
        forms[f"{verb} {name}"] = (1 - CONNECTOR_SHARE) / len(ASK_VERBS)
        for connector in ONE_SHOT_CONNECTORS:
            forms[f"{verb} {name} {connector}"] = (
                CONNECTOR_SHARE / len(ASK_VERBS) / len(ONE_SHOT_CONNECTORS)
            )
    return tuple(
        OneShotForm(text, share / 2)
        for form, share in forms.items()
        for text in (form, f"{WAKE_WORD} {form}")
    )


def build_vocabulary(
    model: InteractionModel, dictionary: Mapping[str, str] | None = None
) -> Vocabulary:
    dictionary = load_dictionary() if dictionary is None else dictionary
    respelled: dict[str, tuple[str, str]] = {}
    dropped: dict[str, tuple[str, ...]] = {}

    def speakable(text: str) -> bool:
        missing = []
        for word in text.split():
            if word in dictionary or word in respelled:
                continue
            found = respell(word, dictionary)
            if found is None:
                missing.append(word)
            else:
                respelled[word] = found
        if missing:
            dropped[text] = tuple(missing)
        return not missing

    return Vocabulary(
        commands=tuple(p for p in intent_phrases(model) if speakable(p.text)),
        launches=tuple(p for p in launch_phrases(model) if speakable(p.text)),
        one_shot_forms=tuple(f for f in one_shot_forms(model) if speakable(f.text)),
        respelled=respelled,
        dropped=dropped,
    )


def dictionary_text(vocabulary: Vocabulary, path: Path | None = None) -> str:
    """A pronunciation dictionary of the vocabulary's words only, every listed pronunciation
    ("to", "to(2)", "to(3)") and the respellings: with the full 134,000-word dictionary
    pocketsphinx takes seconds to set up its language-model search, with this a fraction."""
    words = vocabulary.words
    lines = [f"{word} {phones}" for word, (phones, _how) in sorted(vocabulary.respelled.items())]
    with open(path or dictionary_path(), encoding="utf-8") as entries:
        for line in entries:
            word, _, phones = line.strip().partition(" ")
            if word.split("(")[0] in words and phones:
                lines.append(f"{word} {phones.strip()}")
    return "\n".join(sorted(lines)) + "\n"


# ---- grammar and language model -------------------------------------------------------------


def _rule_name(slot_name: str, type_name: str) -> str:
    key = f"number_{slot_name}" if type_name == NUMBER_TYPE else f"type_{type_name}"
    return "<" + re.sub(r"\W", "_", key) + ">"


def _alternatives(texts: Iterable[str]) -> str:
    return " | ".join(f"( {t} )" if " " in t else t for t in texts)


def jsgf_grammar(model: InteractionModel, vocabulary: Vocabulary) -> str:
    """A JSGF grammar with one rule per slot, so it stays small: every sample as written."""
    known = vocabulary.words
    rules: dict[str, str] = {}
    samples: list[str] = []
    for intent in model.intents:
        for sample in dict.fromkeys((*intent.samples, *BUILTIN_PHRASES.get(intent.name, ()))):
            parts: list[str] = []
            for token in sample.split():
                ref = _SLOT_REF.fullmatch(token)
                if ref is None:
                    parts.extend(normalize(token).split())
                    continue
                slot = intent.slot(ref.group(1))
                name = _rule_name(slot.name, slot.type)
                spoken = [
                    t for t in _slot_phrases(model, slot.name, slot.type) if known >= set(t.split())
                ]
                if spoken:
                    rules[name] = _alternatives(spoken)
                    parts.append(name)
                else:
                    parts = []
                    break
            if parts and known >= {p for p in parts if not p.startswith("<")}:
                samples.append(" ".join(parts))
    name = normalize(model.invocation_name)
    launch = _alternatives(v for v in (*LAUNCH_VERBS, *ASK_VERBS))
    ask = _alternatives(ASK_VERBS)
    lines = [
        "#JSGF V1.0;",
        "grammar commands;",
        f"public <utterance> = [ {WAKE_WORD} ] ( <command> | ( {launch} ) {name}"
        f" | ( {ask} ) {name} [ {_alternatives(ONE_SHOT_CONNECTORS)} ] <command> );",
        f"<command> = {_alternatives(dict.fromkeys(samples))};",
        *(f"{rule} = {body};" for rule, body in rules.items()),
    ]
    return "\n".join(lines) + "\n"


def arpa_text(vocabulary: Vocabulary, discount_mass: float = DISCOUNT_MASS) -> str:
    """A trigram ARPA model of the vocabulary's phrases (ArpaBoLM, sentence marks added).

    The n-grams of "<s> form command </s>" are those inside the form, those inside the command
    and the three that cross between them, so the half million one-shots are counted from the
    forms and the commands apart, never spelled out: the same counts, in a fraction of the time.
    """
    from pocketsphinx.lm import ArpaBoLM

    lm = ArpaBoLM(add_start=True, discount_mass=discount_mass)
    grams_1, grams_2, grams_3 = lm.grams_1, lm.grams_2, lm.grams_3

    def count(words: list[str], weight: float) -> None:
        # ArpaBoLM.read_corpus counts each line once; we need weighted counts, so add them the
        # way it does (its compute() and write() work as well on float counts).
        for i, word in enumerate(words):
            grams_1[word] += weight
            if i + 1 < len(words):
                grams_2[word][words[i + 1]] += weight
            if i + 2 < len(words):
                grams_3[word][words[i + 1]][words[i + 2]] += weight

    for phrase in (*vocabulary.commands, *vocabulary.launches):
        count(["<s>", *phrase.text.split(), "</s>"], phrase.weight)
    if vocabulary.one_shot_forms and vocabulary.commands:
        command_weight = sum(c.weight for c in vocabulary.commands)
        form_share = sum(f.share for f in vocabulary.one_shot_forms)
        starts: dict[tuple[str, str], float] = {}  # a command's first two words (or word, </s>)
        for command in vocabulary.commands:
            tail = [*command.text.split(), "</s>"]
            count(tail, command.weight * form_share)
            starts[tail[0], tail[1]] = starts.get((tail[0], tail[1]), 0.0) + command.weight
        for form in vocabulary.one_shot_forms:
            head = ["<s>", *form.text.split()]
            count(head, form.share * command_weight)
            before, last = head[-2], head[-1]
            for (first, second), weight in starts.items():
                grams_2[last][first] += form.share * weight
                grams_3[before][last][first] += form.share * weight
                grams_3[last][first][second] += form.share * weight
    lm.compute()
    out = io.StringIO()
    lm.write(out)
    return out.getvalue()
