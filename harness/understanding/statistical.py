"""A stand-in for Alexa's statistical NLU: custom intents generalise from their samples.

Word and character n-gram TF-IDF with logistic regression, trained from the interaction model
alone (training.py). The decision, for one utterance:
1. a sample or built-in phrase said word for word is that intent (as Alexa, which never misses
   its own samples): with its slots resolved, or with unknown slot words fewer than its own;
2. otherwise the classifier's most likely intent, when it is sure enough: below the floor that
   the model's fallbackIntentSensitivity sets, or on the out-of-domain class, the utterance is
   AMAZON.FallbackIntent;
3. a built-in intent fires only on its own phrases and the model's samples for it (step 1), so
   the classifier chooses among the custom intents and the fallback;
4. the slots of the chosen intent are filled as Alexa fills them (slots.py).
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import pickle
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from harness.interaction_model import InteractionModel
from harness.understanding.slots import SlotFiller, SlotWords
from harness.understanding.training import examples
from harness.utterances import (
    FALLBACK_INTENT,
    Candidate,
    Match,
    Matcher,
    MatchKind,
    matcher_for,
    normalize,
)
from tracks.synth_cache import write_atomically

# How sure the classifier must be before it names a custom intent, by the model's
# fallbackIntentSensitivity (Alexa's default is LOW): higher sensitivity, more fallbacks.
CONFIDENCE_FLOORS = {"LOW": 0.25, "MEDIUM": 0.4, "HIGH": 0.55}
DEFAULT_SENSITIVITY = "LOW"
BUILTIN_PREFIX = "AMAZON."

# Trained once per machine, not once per process: the fitted classifier is kept on disk under a
# key of everything it is built from (the examples, the code that turns them into features and
# fits them, scikit-learn's and Python's versions). Only this harness writes the folder.
CACHE_ENV = "COACH_UNDERSTANDING_CACHE_DIR"
DEFAULT_CACHE_DIR = Path(__file__).resolve().parents[2] / ".cache" / "coach-understanding"
# Classifiers kept for other models: every locale's (six, about 8 MB each), and a few more (a
# test's small model, another branch). Fewer, and each test run trained half the locales again.
KEEP_OTHERS = 9
_FEATURE_CODE = ("statistical.py", "slots.py", "training.py", "../utterances.py")
_UNREADABLE = (
    OSError,
    EOFError,
    pickle.UnpicklingError,
    AttributeError,
    ImportError,
    ValueError,
    TypeError,
    IndexError,
    KeyError,
)


def _pipeline(slot_words: Callable[[str], str]) -> Any:
    """Words and characters as said, and the words with slot values named by their type
    (`slot_words`), so "bodyweight" alone reads like the samples around {workout}."""
    # Imported here: a device that hears only samples word for word never needs scikit-learn.
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import FeatureUnion, Pipeline

    features = FeatureUnion(
        [
            ("words", TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True)),
            (
                "chars",
                TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True),
            ),
            (
                "slot_types",
                TfidfVectorizer(preprocessor=slot_words, ngram_range=(1, 2), sublinear_tf=True),
            ),
        ]
    )
    # Trained until the weights settle (26 to 29 iterations): stopped early (tol 1e-2, 7
    # iterations) the fallback floor met probabilities that moved with every sample added, and
    # the figures swung by a dozen phrases either way. Twice the training time (bench.phrases).
    classifier = LogisticRegression(C=5.0, tol=1e-4, max_iter=500, class_weight="balanced")
    return Pipeline([("features", features), ("classifier", classifier)])


class _Scorer:
    """The trained pipeline's `predict_proba` for one text, without scikit-learn's checks on
    every call (3 to 4 ms a call, most of a dialog script's time): each vectoriser's own
    analyser, vocabulary and idf weights, sublinear counts, l2 norm, then the classifier's
    softmax. tests/harness/test_understanding.py holds it to the pipeline's figures."""

    def __init__(self, pipeline: Any) -> None:
        import numpy

        self._numpy = numpy
        features, classifier = pipeline.named_steps["features"], pipeline.named_steps["classifier"]
        self._parts: list[tuple[Callable[[str], list[str]], dict[str, int], Any, int]] = []
        offset = 0
        for _, vectoriser in features.transformer_list:
            vocabulary = vectoriser.vocabulary_
            self._parts.append((vectoriser.build_analyzer(), vocabulary, vectoriser.idf_, offset))
            offset += len(vocabulary)
        self._coef, self._intercept = classifier.coef_, classifier.intercept_

    def probabilities(self, text: str) -> Any:
        np = self._numpy
        columns, weights = [], []
        for analyse, vocabulary, idf, offset in self._parts:
            counts = Counter(vocabulary[term] for term in analyse(text) if term in vocabulary)
            if not counts:
                continue
            index = np.fromiter(counts.keys(), dtype=np.intp, count=len(counts))
            tf = np.log(np.fromiter(counts.values(), dtype=np.float64, count=len(counts))) + 1
            weight = tf * idf[index]
            weight /= np.sqrt(weight @ weight)
            columns.append(index + offset)
            weights.append(weight)
        scores = self._intercept.copy()
        if columns:
            scores += self._coef[:, np.concatenate(columns)] @ np.concatenate(weights)
        if len(scores) == 1:  # two intents: one decision, the logistic of it
            yes = 1.0 / (1.0 + np.exp(-scores[0]))
            return np.array([1.0 - yes, yes])
        scores -= scores.max()
        exp = np.exp(scores)
        return exp / exp.sum()


@dataclass(frozen=True)
class Guess:
    intent: str
    confidence: float


class StatisticalRecogniser:
    name = "statistical"

    description = (
        "statistical stand-in for Alexa's NLU (--exact for samples word for word):"
        " TF-IDF and logistic regression on examples from the model"
    )

    def __init__(
        self,
        model: InteractionModel,
        sensitivity: str = DEFAULT_SENSITIVITY,
        kept_in: Path | None = None,
    ) -> None:
        self.model = model
        self._kept_in = kept_in  # where the trained classifier is kept; None: cache_dir()
        self.literal: Matcher = matcher_for(model)
        self.floor = CONFIDENCE_FLOORS[sensitivity]
        self._slot_words = SlotWords(self.literal.tables)
        self._slots = SlotFiller(self.literal.tables)
        self.description += f", fallback below {self.floor:.0%} sure"
        # Trained when words first need it (`train`): a sample said word for word never does.
        self._pipeline: Any = None
        self._classes: list[str] = []
        self._scorer: _Scorer | None = None
        self.training_seconds: float | None = None

    def train(self) -> None:
        if self._pipeline is not None:
            return
        started = time.perf_counter()
        pairs = examples(self.model)
        kept = _cache_path(self._kept_in or cache_dir(), self.model, pairs)
        self._pipeline = _kept(kept)
        if self._pipeline is None:
            with _one_trainer(kept):
                self._pipeline = _kept(kept)  # kept by another process while this one waited
                if self._pipeline is None:
                    self._pipeline = _pipeline(self._slot_words).fit(
                        [text for text, _ in pairs], [i for _, i in pairs]
                    )
                    self.training_seconds = time.perf_counter() - started
                    _keep(kept, self._pipeline)
        self._classes = list(self._pipeline.classes_)
        self._scorer = _Scorer(self._pipeline)

    def guesses(self, text: str) -> list[Guess]:
        """The classifier's intents for normalised `text`, most likely first."""
        self.train()
        assert self._scorer is not None  # trained
        probabilities: Any = self._scorer.probabilities(text)
        ranked = sorted(zip(self._classes, probabilities, strict=True), key=lambda g: -g[1])
        return [Guess(str(intent), float(p)) for intent, p in ranked]

    def match(self, utterance: str) -> Match:
        text = normalize(utterance)
        invocation = self.literal.split_invocation(text)
        if invocation is None:
            return self._understand(text, text, "intent")
        kind, rests = invocation
        if kind == "launch":
            return Match("launch", None, new_session=True, utterance=text)
        found = [self._understand(rest, text, "one_shot") for rest in rests]
        return max(found, key=lambda m: (m.intent != FALLBACK_INTENT, m.confidence or 0.0))

    def _understand(self, text: str, said: str, kind: MatchKind) -> Match:
        one_shot = kind == "one_shot"
        literal = self.literal.best(text)
        if literal is not None and _said_as_a_sample(literal):
            intent = self.model.intent(literal.sample.intent)
            return Match(
                kind,
                intent.name,
                self._slots.named_anywhere(intent, text.split(), dict(literal.slots)),
                one_shot,
                one_shot,
                said,
                literal.sample.text,
                confidence=1.0,
            )
        guesses = self.guesses(text)
        # Built-in intents are no candidates here (step 3): the best of the rest, if sure enough.
        # (Sure enough among the rest alone, renormalised, counted 17 more sets not done in the
        # benchmark's files.)
        guess = next(g for g in guesses if _may_be_guessed(g.intent))
        if guess.confidence < self.floor or guess.intent == FALLBACK_INTENT:
            return Match(
                kind,
                FALLBACK_INTENT,
                {},
                one_shot,
                one_shot,
                said,
                confidence=guess.confidence,
                guessed=guesses[0].intent,
            )
        intent = self.model.intent(guess.intent)
        slots = self._slots.fill(intent, text.split(), self.literal.samples_of(intent.name))
        return Match(
            kind,
            intent.name,
            slots,
            one_shot,
            one_shot,
            said,
            confidence=guess.confidence,
            guessed=guesses[0].intent,
        )


def cache_dir() -> Path:
    configured = os.environ.get(CACHE_ENV)
    return Path(configured) if configured else DEFAULT_CACHE_DIR


def _cache_path(folder: Path, model: InteractionModel, pairs: Sequence[tuple[str, str]]) -> Path:
    """Where in `folder` the classifier for `model` is kept: the key covers the whole model (the
    slot values the classifier reads features with are in it, not only in the examples), the
    examples, the code that makes the features and fits them, and the versions that pickle
    them."""
    from sklearn import __version__ as sklearn_version

    here = Path(__file__).resolve().parent
    code = b"".join((here / name).read_bytes() for name in _FEATURE_CODE)
    recipe = repr((sklearn_version, sys.version_info[:2], model_digest(model), list(pairs)))
    key = hashlib.sha256(code + recipe.encode("utf-8")).hexdigest()[:16]
    return folder / f"stand-in-{key}.pickle"


def _kept(path: Path) -> Any:
    """The classifier kept at `path`, or None when there is none or it cannot be read."""
    try:
        return pickle.loads(path.read_bytes())  # written by _keep on this machine
    except _UNREADABLE:  # none, cut short or from another version: trained and written again
        return None


@contextlib.contextmanager
def _one_trainer(path: Path) -> Iterator[None]:
    """Processes that need the classifier kept at `path` at once train it once: the first holds
    a lock beside it and the others wait, then read what it kept (the test workers of a fresh
    clone each trained the same six models). Where no lock can be had (a folder that cannot be
    written, no fcntl), each process trains its own."""
    try:
        import fcntl

        path.parent.mkdir(parents=True, exist_ok=True)
        lock = open(path.with_suffix(".lock"), "a")  # closed by the with below
    except (ImportError, OSError):
        lock = None
    if lock is None:
        yield
        return
    with lock:
        with contextlib.suppress(OSError):  # a filesystem without locks: each trains its own
            fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file closes
        yield


def _keep(path: Path, pipeline: Any) -> None:
    """Keep `pipeline` at `path`, and only the few latest others: each is about 8 MB, and every
    change to the model makes a new one. Best effort: a folder that cannot be written leaves
    the classifier trained for this process only, and workers keeping at once may each find
    the others' files gone."""
    with contextlib.suppress(OSError):
        write_atomically(path, pickle.dumps(pipeline, protocol=pickle.HIGHEST_PROTOCOL))
        others = [kept for kept in path.parent.glob("stand-in-*.pickle") if kept != path]
        for old in sorted(others, key=_age_order)[KEEP_OTHERS:]:
            old.unlink(missing_ok=True)
            old.with_suffix(".lock").unlink(missing_ok=True)


def _age_order(path: Path) -> float:
    """Newest first; a file another process removed meanwhile goes last."""
    try:
        return -path.stat().st_mtime
    except FileNotFoundError:
        return float("inf")


def _said_as_a_sample(found: Candidate) -> bool:
    """A sample said word for word with its slots resolved; or with a slot value Alexa does not
    know, when the sample's own words outnumber it ("start the banana workout"), as a slot of a
    custom type takes values beyond its list."""
    return found.tier < 2 or found.sample.fixed_words > found.free_words


def _may_be_guessed(intent: str) -> bool:
    return intent == FALLBACK_INTENT or not intent.startswith(BUILTIN_PREFIX)


def model_digest(model: InteractionModel) -> str:
    """A digest of everything the recogniser learns from: the same model trains the same way."""
    return hashlib.sha256(repr(model).encode("utf-8")).hexdigest()


_TRAINED: dict[str, StatisticalRecogniser] = {}


def statistical_recogniser(model: InteractionModel) -> StatisticalRecogniser:
    """The recogniser for `model`, trained once per model digest in this process."""
    digest = model_digest(model)
    if digest not in _TRAINED:
        sensitivity = model.fallback_sensitivity or DEFAULT_SENSITIVITY
        _TRAINED[digest] = StatisticalRecogniser(model, sensitivity)
    return _TRAINED[digest]
