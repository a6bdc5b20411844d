"""Voice commands in, offline: the recognizer's vocabulary, recognition of espeak-ng speech,
rejection of ordinary speech, audio input, transcription and word error rate."""

from __future__ import annotations

import dataclasses
import itertools
import re
import subprocess
import sys
import wave
from array import array
from functools import cache
from pathlib import Path

import pytest

from harness.command_lm import (
    Vocabulary,
    arpa_text,
    build_vocabulary,
    dictionary_text,
    expand_sample,
    jsgf_grammar,
    load_dictionary,
    number_words,
    respell,
)
from harness.interaction_model import load_model
from harness.listen import (
    CACHE_ENV,
    CommandRecognizer,
    ListenError,
    cache_dir,
    command_model_files,
    read_wav,
    transcribe,
    word_error_rate,
)
from harness.utterances import BUILTIN_PHRASES, NUMBER_TYPE
from tests.support.voice_sweep import sweep
from tracks.engines import Pcm
from tracks.mp3 import encode_mp3
from tracks.voices.pcm import resample

MODEL = load_model()


@cache
def vocabulary() -> Vocabulary:
    """Built when a test needs it, not when every test process collects this file (0.7 s)."""
    return build_vocabulary(MODEL)


SLOT_REF = re.compile(r"\{(\w+)\}")
# Words the dictionary lacks, respelled from dictionary words rather than dropped.
RESPELLED = {
    "bodyweight",
    "chinups",
    "cooldown",
    "kettlebell",
    "kettlebells",
    "rotator",
    "tricep",
    "trx",
    "unpause",
    "ytwl",
}
# Numbers a runner would say for each number slot, as words.
SPOKEN_NUMBERS = {
    "seconds": ("fifteen", "forty five", "one hundred twenty"),
    "minutes": ("two",),
    "reps": ("eight", "twelve"),
    "failed_rep": ("ten",),
}
# Measured: the general model's word error rate on this sentence from espeak-ng (en-us, rate 1)
# is 0.5 ("but whether we like the big and i am going to the shops"); the bound leaves room.
CLEAR_SENTENCE = "the weather is nice today and i am going to the shops"
CLEAR_SENTENCE_MAX_WER = 0.65
# The slow sweep (bench.voice_commands' commands, voices and rates): floors below the measured
# figures in docs/voice-commands.md.
# Measured: 72.6% right (71.8% in another run), 5.7% wrong, 8 of 144 false accepts, with issue
# 18's intents in the model (78.8%, 2.8%, 5 before them); espeak varies a little run to run.
# With the varied samples of December 7 (2,140, from 1,920), the command model spreads over more
# phrases: 67.7% to 68.5% right, 4.9 to 5.2% wrong, 5 to 7 false accepts in three runs. With
# the blind rounds of December 7, late (4,048 en-US samples, from 3,807): 65.9% to 66.4% right,
# 5.9% to 6.5% wrong, 3 false accepts in four runs (a fresh clone's CI failed once at 0.66).
MIN_SWEEP_INTENT_ACCURACY = 0.64
MAX_SWEEP_WRONG_INTENT = 0.08
MAX_SWEEP_FALSE_ACCEPTS = 11


@pytest.fixture(scope="module")
def recognizer() -> CommandRecognizer:
    """Its model files kept where `coach listen` keeps them (cache_dir()), under a key of the
    model and the code that writes them: built once, not by every test process of every run.
    test_model_files_are_cached_per_model builds them."""
    return CommandRecognizer.from_model(MODEL)


# espeak-ng keeps state from one phrase to the next: "where am i" came out differently after
# other phrases in the same process, and the recogniser heard it by what that test worker had
# said before (December 8, docs/voice-commands.md). Each phrase here is said by a fresh library.
_SAY_ALONE = """
import sys
from tracks.engines import EspeakVoice
pcm = EspeakVoice(sys.argv[1]).synthesize(sys.argv[2])
sys.stdout.buffer.write(pcm.sample_rate.to_bytes(4, "little") + pcm.samples.tobytes())
"""


class FreshVoice:
    """An espeak-ng voice whose every phrase is said in a process of its own."""

    def __init__(self, name: str) -> None:
        self.name = name

    def synthesize(self, text: str) -> Pcm:
        said = subprocess.run(
            [sys.executable, "-c", _SAY_ALONE, self.name, text], capture_output=True, check=True
        ).stdout
        return Pcm(array("h", said[4:]), int.from_bytes(said[:4], "little"))


@pytest.fixture(scope="module")
def voice() -> FreshVoice:
    return FreshVoice("en-us")


def write_wav(path: Path, pcm: Pcm, channels: int = 1, width: int = 2) -> Path:
    samples = pcm.samples
    if channels > 1:
        samples = array("h", (s for s in samples for _ in range(channels)))
    data = Pcm(samples, pcm.sample_rate).to_bytes()
    if width == 1:
        data = bytes((s >> 8) + 128 for s in samples)
    elif width == 3:
        data = b"".join(b"\0" + data[i : i + 2] for i in range(0, len(data), 2))
    with wave.open(str(path), "wb") as wav:
        wav.setnchannels(channels)
        wav.setsampwidth(width)
        wav.setframerate(pcm.sample_rate)
        wav.writeframes(data)
    return path


# ---- vocabulary -------------------------------------------------------------------------------


def sample_fillings(sample: str, intent_name: str) -> list[str]:
    """`sample` with each slot filled by every value and synonym (or a few numbers)."""
    intent = MODEL.intent(intent_name)
    choices = []
    for name in SLOT_REF.findall(sample):
        slot = intent.slot(name)
        if slot.type == NUMBER_TYPE:
            choices.append(SPOKEN_NUMBERS[name])
        elif slot.type == "AMAZON.TIME":
            choices.append(("seven am", "six"))
        else:
            slot_type = MODEL.slot_type(slot.type)
            assert slot_type is not None
            choices.append(tuple(p for v in slot_type.values for p in v.phrases))
    parts = SLOT_REF.split(sample)  # fixed text, slot name, fixed text, ...
    return [
        "".join(part if i % 2 == 0 else filling[i // 2] for i, part in enumerate(parts)).lower()
        for filling in itertools.product(*choices)
    ]


def test_vocabulary_has_every_sample_with_its_slots_filled() -> None:
    missing = [
        text
        for intent in MODEL.intents
        for sample in intent.samples
        for text in sample_fillings(sample, intent.name)
        if text not in vocabulary().texts and text not in vocabulary().dropped
    ]
    assert missing == []
    assert vocabulary().dropped == {}  # every missing word could be respelled (reported below)


def test_vocabulary_has_builtin_phrases_and_invocations() -> None:
    builtin = {phrase for phrases in BUILTIN_PHRASES.values() for phrase in phrases}
    assert builtin <= vocabulary().texts
    assert {
        "open upper body coach",
        "alexa open upper body coach",
        "tell upper body coach next set",
        "ask upper body coach what's next",
        "ask upper body coach to skip this exercise",
        "alexa tell upper body coach to start the dumbbell workout",
    } <= vocabulary().texts


def test_vocabulary_words_are_lowercase_dictionary_words_or_reported_respellings() -> None:
    dictionary = load_dictionary()
    assert all(word == word.lower() for word in vocabulary().words)
    assert {w for w in vocabulary().words if w not in dictionary} == RESPELLED
    assert set(vocabulary().respelled) == RESPELLED
    assert vocabulary().respelled["kettlebell"][1] == "kettle + bell"
    assert vocabulary().respelled["trx"][1] == "t r x"
    assert {"i'm", "what's", "let's", "i'd"} <= vocabulary().words  # in the dictionary as such


def test_respell_compounds_and_acronyms_only() -> None:
    dictionary = load_dictionary()
    assert respell("bodyweight", dictionary) == (
        f"{dictionary['body']} {dictionary['weight']}",
        "body + weight",
    )
    assert respell("ytwl", dictionary) is not None
    assert respell("qwzxkv", dictionary) is not None  # consonants: spelled as letters
    assert respell("zorblefrump", dictionary) is None


def test_number_words() -> None:
    assert number_words(15) == ("fifteen",)
    assert number_words(45) == ("forty five",)
    assert number_words(100) == ("one hundred",)
    assert number_words(120) == ("one hundred twenty", "one hundred and twenty")
    with pytest.raises(ValueError):
        number_words(1000)


def test_slot_samples_expand_to_every_number_in_range() -> None:
    texts = expand_sample(MODEL, "SetRestIntent", "rest for {seconds} seconds")
    assert texts[0] == "rest for fifteen seconds"
    assert "rest for one hundred and twenty seconds" in texts
    assert "rest for fourteen seconds" not in texts


def test_arpa_model_covers_the_vocabulary() -> None:
    text = arpa_text(vocabulary())
    unigrams = text.split("\\1-grams:")[1].split("\\2-grams:")[0].split()
    assert vocabulary().words | {"<s>", "</s>"} <= set(unigrams)
    assert "\\3-grams:" in text and text.rstrip().endswith("\\end\\")


def test_jsgf_grammar_accepts_the_vocabulary_and_nothing_else() -> None:
    from pocketsphinx import Decoder

    grammar = Decoder(lm=None, loglevel="FATAL").parse_jsgf(jsgf_grammar(MODEL, vocabulary()))
    # 30 spread over them all: each accept() walks the whole grammar, which grows with the model
    texts = sorted(vocabulary().texts)
    some = texts[:: max(1, len(texts) // 30)]
    assert [text for text in some if not grammar.accept(text)] == []
    assert not grammar.accept("the weather is nice")
    assert not grammar.accept("open upper body coach please")


# ---- recognition ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("said", "voice_name", "intent", "kind"),
    [
        ("next set", "en-us", "NextSetIntent", "intent"),
        ("start the dumbbell workout", "en-us", "StartWorkoutIntent", "intent"),
        ("where am i in the workout", "en-us", "StatusIntent", "intent"),
        # British: en-us at any rate renders "coach next set" so that it is heard right only
        # 5-6 times in 10 (else "tell upper body coach repeat that"); en: 10 in 10.
        ("tell upper body coach next set", "en", "NextSetIntent", "one_shot"),
        ("tell upper body coach to skip this exercise", "en-us", "SkipExerciseIntent", "one_shot"),
    ],
)
def test_spoken_commands_are_recognised(
    recognizer: CommandRecognizer, said: str, voice_name: str, intent: str, kind: str
) -> None:
    heard = recognizer.recognize_pcm(FreshVoice(voice_name).synthesize(said))
    assert heard.accepted and heard.match is not None
    assert (heard.intent, heard.match.kind) == (intent, kind)
    assert heard.text in vocabulary().texts


def test_slot_value_comes_through(recognizer: CommandRecognizer, voice: FreshVoice) -> None:
    heard = recognizer.recognize_pcm(voice.synthesize("start the dumbbell workout"))
    assert heard.match is not None
    assert heard.match.slots["workout"].id == "dumbbell"


@pytest.mark.parametrize(
    "said", [CLEAR_SENTENCE, "can you pass me the salt please", "my brother bought a new car"]
)
def test_ordinary_speech_is_rejected(
    recognizer: CommandRecognizer, voice: FreshVoice, said: str
) -> None:
    heard = recognizer.recognize_pcm(voice.synthesize(said))
    assert not heard.accepted
    assert heard.text is None and heard.intent is None and heard.rank is None
    assert heard.hypothesis  # the decoder did hear words; they were not a command


def test_silence_is_no_command(recognizer: CommandRecognizer) -> None:
    heard = recognizer.recognize_pcm(Pcm(array("h", bytes(2 * 16000)), 16000))
    assert not heard.accepted


@pytest.mark.parametrize("rate", [16000, 24000])
def test_wav_files_at_16_and_24_khz(
    recognizer: CommandRecognizer, voice: FreshVoice, tmp_path: Path, rate: int
) -> None:
    pcm = resample(voice.synthesize("where am i in the workout"), rate)
    heard = recognizer.recognize_file(write_wav(tmp_path / f"where-{rate}.wav", pcm))
    assert heard.intent == "StatusIntent"
    assert heard.seconds == pytest.approx(pcm.seconds)


def test_mp3_files(recognizer: CommandRecognizer, voice: FreshVoice, tmp_path: Path) -> None:
    path = tmp_path / "next.mp3"
    encode_mp3(voice.synthesize("next set"), path)
    assert recognizer.recognize_file(path).intent == "NextSetIntent"


@pytest.mark.parametrize(("channels", "width"), [(2, 2), (1, 1), (1, 3)])
def test_wav_formats_become_mono_16_bit(tmp_path: Path, channels: int, width: int) -> None:
    pcm = Pcm(array("h", [0, 256, -256, 32000, -32000]), 22050)
    read = read_wav(write_wav(tmp_path / "x.wav", pcm, channels, width))
    assert read.sample_rate == 22050
    assert list(read.samples) == list(pcm.samples)


def test_unreadable_audio_is_a_listen_error(tmp_path: Path) -> None:
    path = tmp_path / "not.wav"
    path.write_bytes(b"RIFF....nope")
    with pytest.raises(ListenError):
        read_wav(path)


def test_model_files_are_cached_per_model(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(CACHE_ENV, str(tmp_path))
    small = dataclasses.replace(MODEL, intents=MODEL.intents[:3])  # quick to build, twice
    vocabulary = build_vocabulary(small)
    lm_path, dict_path = command_model_files(small, vocabulary)
    assert (lm_path.parent, lm_path.suffix, dict_path.suffix) == (tmp_path, ".arpa", ".dict")
    built = lm_path.stat().st_mtime_ns
    assert command_model_files(small, vocabulary) == (lm_path, dict_path)
    assert lm_path.stat().st_mtime_ns == built  # the same model: read, not rebuilt
    other = dataclasses.replace(small, invocation_name="other coach")
    assert command_model_files(other, build_vocabulary(other))[0] != lm_path


def test_dictionary_file_has_only_the_vocabulary() -> None:
    entries = dictionary_text(vocabulary()).splitlines()
    assert {line.split()[0].split("(")[0] for line in entries} == vocabulary().words
    assert {"to T UW", "to(2) T IH", "kettlebell K EH T AH L B EH L"} <= set(entries)


# ---- transcription and word error rate ----------------------------------------------------------


@pytest.mark.parametrize(
    ("reference", "hypothesis", "rate"),
    [
        ("next set", "next set", 0.0),
        ("next set", "", 1.0),
        ("start the workout", "stop it", 1.0),
        ("how do i do this", "how do i do it", 0.2),  # one substitution in five
        ("next set", "next the set", 0.5),  # one insertion in two
        ("I'm done!", "i'm  done", 0.0),  # case and punctuation do not count
        ("Rest 45 seconds.", "rest forty five seconds", 0.0),  # digits are words
        ("", "", 0.0),
    ],
)
def test_word_error_rate(reference: str, hypothesis: str, rate: float) -> None:
    assert word_error_rate(reference, hypothesis) == pytest.approx(rate)


def test_transcribe_hears_clear_synthetic_speech(voice: FreshVoice) -> None:
    heard = transcribe(voice.synthesize(CLEAR_SENTENCE))
    assert heard == heard.lower() and len(heard.split()) >= 6
    assert word_error_rate(CLEAR_SENTENCE, heard) <= CLEAR_SENTENCE_MAX_WER


# ---- the bench's sweep (minutes) ----------------------------------------------------------------


@pytest.mark.slow
def test_accuracy_sweep_over_voices_and_rates(recognizer: CommandRecognizer) -> None:
    """bench.voice_commands' voices, rates, commands and everyday sentences (tests/support/
    voice_sweep.py hears them in a process per core, from the files `recognizer` built)."""
    heard = sweep(str(cache_dir()))
    assert heard.said > 0
    summary = f"{heard}"
    assert heard.right / heard.said >= MIN_SWEEP_INTENT_ACCURACY, summary
    assert heard.wrong / heard.said <= MAX_SWEEP_WRONG_INTENT, summary
    assert heard.false_accepts <= MAX_SWEEP_FALSE_ACCEPTS, summary
