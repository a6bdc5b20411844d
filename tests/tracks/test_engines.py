from __future__ import annotations

import os
import shutil
from array import array
from pathlib import Path

import pytest
import requests
import responses

from skill.speech.timing import WORDS_PER_MINUTE, speech_seconds
from tests.support.gtts import google_answer
from tracks.engines import (
    SAMPLE_RATE,
    EspeakVoice,
    EstimateVoice,
    GttsVoice,
    Pcm,
    VoiceError,
    VoiceUnavailable,
    espeak_wpm,
    pick_voice,
)
from tracks.mp3 import decode_mp3_bytes, encode_mp3
from tracks.synth_cache import CACHE_ENV, CachedVoice, cache_dir, cache_key
from tracks.voices.google import audio_from_response
from tracks.voices.pcm import peak, silence

GOOGLE_TTS_URL = "https://translate.google.com/_/TranslateWebserverUi/data/batchexecute"
COACH_CUES = [
    "Halfway there.",
    "Ten seconds left.",
    "Three.",
    "Set 2 of 4. 5 reps.",
    "Rest 30 seconds.",
    "Five seconds.",
    "Go!",
    "Nice work, that was the last set of push-ups, so take a long rest, shake out your arms, "
    "and breathe.",
]


# --- espeak -----------------------------------------------------------------------------------


def test_espeak_really_speaks() -> None:
    sentence = "Nice work. Rest 30 seconds, then we start set two of four."
    pcm = EspeakVoice().synthesize(sentence)
    assert pcm.sample_rate == SAMPLE_RATE == 24000
    assert peak(pcm) > 3000
    assert pcm.seconds == pytest.approx(speech_seconds(sentence), rel=0.30)


def test_espeak_is_calibrated_to_the_timing_model() -> None:
    voice = EspeakVoice()
    errors = [voice.synthesize(cue).seconds - speech_seconds(cue) for cue in COACH_CUES]
    # Each cue within a few tenths; their sum (a rest paced by several cues) within 1 s.
    assert max(abs(error) for error in errors) < 0.45, errors
    assert abs(sum(errors)) < 1.0, errors


def test_espeak_trims_its_padding() -> None:
    # espeak pads with ~15 ms of zeros in front and ~12 ms behind; only resampler edges remain.
    samples = EspeakVoice().synthesize("Halfway.").samples
    nonzero = [i for i, sample in enumerate(samples) if sample]
    assert nonzero[0] < 0.002 * SAMPLE_RATE
    assert len(samples) - 1 - nonzero[-1] < 0.002 * SAMPLE_RATE


def test_espeak_rate_follows_prosody() -> None:
    voice = EspeakVoice()
    normal = voice.synthesize("Ten push-ups, slow and steady.").seconds
    slow = voice.synthesize("Ten push-ups, slow and steady.", rate=0.8).seconds
    assert slow > normal * 1.1


def test_espeak_wpm_is_tied_to_the_model_and_clamped() -> None:
    assert espeak_wpm() == round(WORDS_PER_MINUTE * 0.8)
    assert espeak_wpm(0.1) == 80
    assert espeak_wpm(10.0) == 450


def test_espeak_says_nothing_for_blank_text() -> None:
    assert EspeakVoice().synthesize("  ").samples == array("h")


def test_espeak_fingerprint_names_version_and_rate() -> None:
    assert EspeakVoice().fingerprint.startswith("espeak-ng 1.52")
    assert f"{espeak_wpm()} wpm" in EspeakVoice().fingerprint


# --- estimate ---------------------------------------------------------------------------------


def test_estimate_is_silence_as_long_as_the_model_says() -> None:
    pcm = EstimateVoice().synthesize("Set 2 of 4. 5 reps.")
    assert pcm.seconds == pytest.approx(speech_seconds("Set 2 of 4. 5 reps."), abs=1e-4)
    assert peak(pcm) == 0
    assert EstimateVoice().synthesize("Go!", rate=0.5).seconds == pytest.approx(1.25)


# --- gTTS, with `responses` standing in for Google -------------------------------------------


@pytest.fixture
def tone_mp3() -> bytes:
    return encode_mp3(EspeakVoice().synthesize("Halfway there."))


def test_gtts_decodesgoogle_answer(tone_mp3: bytes) -> None:
    with responses.RequestsMock() as mock:
        mock.post(GOOGLE_TTS_URL, body=google_answer(tone_mp3))
        pcm = GttsVoice(timeout=3.0).synthesize("Halfway there.")
        [call] = mock.calls
    assert pcm.sample_rate == 24000 and peak(pcm) > 3000
    assert pcm.seconds == pytest.approx(1.1, abs=0.15)
    sent = getattr(call.request, "req_kwargs")  # noqa: B009  # added by `responses`
    assert sent["timeout"] == 3.0
    verify = sent["verify"]
    assert verify is True or isinstance(verify, str)  # certificates checked (maybe a CA bundle)
    assert "Halfway" in str(call.request.body)


def test_gtts_sends_long_text_in_chunks_and_joins_them(tone_mp3: bytes) -> None:
    text = "Nice work on that set. " * 8  # over gTTS's 100 characters per request
    with responses.RequestsMock() as mock:
        mock.post(GOOGLE_TTS_URL, body=google_answer(tone_mp3))
        pcm = GttsVoice().synthesize(text)
        calls = len(mock.calls)
    assert calls >= 2
    assert pcm.seconds == pytest.approx(calls * decode_mp3_bytes(tone_mp3).seconds)


def test_gtts_with_no_network_fails_fast_naming_the_offline_voice() -> None:
    with responses.RequestsMock() as mock:
        mock.post(GOOGLE_TTS_URL, body=requests.ConnectionError("Name or service not known"))
        with pytest.raises(VoiceUnavailable) as caught:
            GttsVoice().synthesize("Halfway there.")
    assert "--engine espeak" in str(caught.value)
    assert "could not reach" in str(caught.value)


def test_gtts_reports_http_errors() -> None:
    with responses.RequestsMock() as mock:
        mock.post(GOOGLE_TTS_URL, status=503)
        with pytest.raises(VoiceError, match="HTTP 503.*--engine espeak"):
            GttsVoice().synthesize("Halfway there.")


def test_gtts_reports_an_answer_without_audio() -> None:
    with pytest.raises(VoiceError, match="no audio"):
        audio_from_response(')]}\'\n\n[["wrb.fr","jQ1olc",null]]')


def test_gtts_says_nothing_for_punctuation_only() -> None:
    with responses.RequestsMock():  # any request would fail the test
        assert GttsVoice().synthesize("...").samples == array("h")


@pytest.mark.network
def test_gtts_against_google() -> None:
    pcm = GttsVoice(timeout=10.0).synthesize("Halfway there.")
    assert peak(pcm) > 1000 and 0.5 < pcm.seconds < 3.0


# --- picking a voice --------------------------------------------------------------------------


def test_pick_voice_defaults_to_offline_espeak_without_touching_the_network() -> None:
    with responses.RequestsMock():  # no request may be made while picking
        assert isinstance(pick_voice(None), EspeakVoice)
        assert isinstance(pick_voice("espeak"), EspeakVoice)
        assert isinstance(pick_voice("gtts"), GttsVoice)
        assert isinstance(pick_voice("Estimate"), EstimateVoice)


def test_pick_voice_rejects_unknown_names() -> None:
    with pytest.raises(ValueError, match="espeak, gtts, estimate"):
        pick_voice("polly")


# --- the cache --------------------------------------------------------------------------------


class CountingVoice:
    name = "counting"
    fingerprint = "counting/1"

    def __init__(self) -> None:
        self.calls: list[tuple[str, float]] = []

    def synthesize(self, text: str, rate: float = 1.0) -> Pcm:
        self.calls.append((text, rate))
        return Pcm(array("h", [len(text), -7, 32767, -32768, 0]))


def test_the_cache_returns_identical_pcm_without_calling_the_voice_again(tmp_path: Path) -> None:
    voice = CountingVoice()
    cached = CachedVoice(voice, tmp_path)
    first = cached.synthesize("Halfway there.")
    second = cached.synthesize("Halfway there.")
    again = CachedVoice(voice, tmp_path).synthesize("Halfway there.")  # from disk
    assert first == second == again
    assert voice.calls == [("Halfway there.", 1.0)]
    assert (cached.hits, cached.misses) == (1, 1)


def test_the_cache_keys_on_text_rate_and_voice(tmp_path: Path) -> None:
    voice = CountingVoice()
    cached = CachedVoice(voice, tmp_path)
    cached.synthesize("Go!")
    cached.synthesize("Go!", rate=0.95)
    cached.synthesize("Go.")
    assert len(voice.calls) == 3
    assert cache_key("espeak/a", 1.0, "Go!") != cache_key("espeak/b", 1.0, "Go!")


def test_the_cache_leaves_no_temp_files_and_survives_a_corrupt_entry(tmp_path: Path) -> None:
    voice = CountingVoice()
    cached = CachedVoice(voice, tmp_path)
    cached.synthesize("Go!")
    files = [path for path in tmp_path.rglob("*") if path.is_file()]
    assert [path.suffix for path in files] == [".pcm"]
    files[0].write_bytes(b"garbage")
    later = CachedVoice(voice, tmp_path)  # a later run: this one remembers "Go!" in memory
    assert later.synthesize("Go!") == voice.synthesize("Go!")
    assert (later.hits, later.misses) == (0, 1)


def test_a_cue_said_many_times_is_synthesized_and_read_once(tmp_path: Path) -> None:
    voice = CountingVoice()
    cached = CachedVoice(voice, tmp_path / "cache")
    said = [cached.synthesize("Three.") for _ in range(5)]
    shutil.rmtree(tmp_path / "cache")  # later calls come from memory, not from the files
    said += [cached.synthesize("Three."), cached.synthesize("Three.", rate=0.9)]
    assert voice.calls == [("Three.", 1.0), ("Three.", 0.9)]
    assert all(pcm == said[0] for pcm in said)
    assert (cached.hits, cached.misses) == (5, 2)
    reread = CachedVoice(voice, tmp_path / "cache")
    assert reread.synthesize("Three.", rate=0.9) == said[6]  # the new file, read once
    assert reread.synthesize("Three.", rate=0.9) == said[6]
    assert (reread.hits, reread.misses, len(voice.calls)) == (2, 0, 2)


def test_a_voice_speaking_for_days_holds_only_its_latest_texts_in_memory(tmp_path: Path) -> None:
    voice = CountingVoice()
    cached = CachedVoice(voice, tmp_path / "cache", keep=3)  # as the simulator's voice
    for number in range(50):
        cached.synthesize("Three.")
        cached.synthesize(f"Set {number} done.")
    assert cached.remembered == 3
    # A text forgotten in memory is read again from the disk, not synthesized again...
    assert cached.synthesize("Set 0 done.") == CountingVoice().synthesize("Set 0 done.")
    assert voice.calls.count(("Set 0 done.", 1.0)) == 1
    assert cached.remembered == 3
    # ... and a cue said again and again stays in memory.
    shutil.rmtree(tmp_path / "cache")
    cached.synthesize("Three.")
    assert voice.calls.count(("Three.", 1.0)) == 1


def test_the_cache_folder_follows_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(CACHE_ENV, "/tmp/coach-voice-test")
    assert cache_dir() == Path("/tmp/coach-voice-test")
    monkeypatch.delenv(CACHE_ENV)
    assert cache_dir().parts[-2:] == (".cache", "coach-voice")
    assert os.path.isabs(cache_dir())


def test_the_cache_speeds_up_espeak(tmp_path: Path) -> None:
    cached = CachedVoice(EspeakVoice(), tmp_path)
    spoken = cached.synthesize("Ten seconds left.")
    assert cached.synthesize("Ten seconds left.") == spoken
    assert (cached.hits, cached.misses) == (1, 1)


def test_silence_helper() -> None:
    assert silence(0.5).seconds == 0.5
