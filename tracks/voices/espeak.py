"""espeak-ng, offline, through ctypes: espeakng-loader ships the library and its data, no binary.

Calibration: at espeak's own "160 wpm", 13 coach cues come out 4.8 s shorter in all than the
timing model's 160 words per minute says (the model also charges pauses for punctuation); a
rate parameter of 0.8 x the model's WORDS_PER_MINUTE (128 wpm) leaves a mean error of
+0.014 s per cue, worst 0.32 s, +0.18 s summed (tests/tracks/test_engines.py holds it there).

Silence: with no espeakENDPAUSE flag espeak pads each utterance with about 15 ms of exact zeros
in front and 12 ms behind; we trim exact zeros, so durations are speech only.
"""

from __future__ import annotations

import ctypes
import threading
from array import array

import espeakng_loader

from skill.speech.timing import WORDS_PER_MINUTE
from tracks.voices.base import VoiceError, VoiceUnavailable
from tracks.voices.pcm import SAMPLE_RATE, Pcm, resample, trim_zeros

ESPEAK_RATE_FACTOR = 0.8  # espeak's rate parameter that matches the model: 0.8 x model wpm
ESPEAK_MIN_WPM, ESPEAK_MAX_WPM = 80, 450  # espeak-ng clamps to these
DEFAULT_VOICE = "en-us"

# From espeak-ng's speak_lib.h.
_AUDIO_OUTPUT_SYNCHRONOUS = 2
_INITIALIZE_DONT_EXIT = 0x8000  # report errors instead of calling exit()
_ESPEAK_RATE = 1
_CHARS_UTF8 = 1
_POS_CHARACTER = 1
_EE_OK = 0
_SynthCallback = ctypes.CFUNCTYPE(
    ctypes.c_int, ctypes.POINTER(ctypes.c_short), ctypes.c_int, ctypes.c_void_p
)


def espeak_wpm(rate: float = 1.0, model_wpm: int = WORDS_PER_MINUTE) -> int:
    """espeak's rate parameter for a speaking-rate multiplier, calibrated to the timing model."""
    wpm = round(model_wpm * ESPEAK_RATE_FACTOR * rate)
    return max(ESPEAK_MIN_WPM, min(ESPEAK_MAX_WPM, wpm))


class _Library:
    """libespeak-ng, initialised once: it keeps global state, so every call holds the lock."""

    def __init__(self) -> None:
        try:
            lib = ctypes.CDLL(espeakng_loader.get_library_path())
            data_path = espeakng_loader.get_data_path()
        except (OSError, RuntimeError) as error:
            raise VoiceUnavailable(f"espeak-ng library not loadable: {error}") from error
        lib.espeak_Initialize.restype = ctypes.c_int
        lib.espeak_Initialize.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_char_p, ctypes.c_int]
        lib.espeak_Info.restype = ctypes.c_char_p
        lib.espeak_Info.argtypes = [ctypes.c_void_p]
        lib.espeak_SetSynthCallback.argtypes = [_SynthCallback]
        lib.espeak_SetVoiceByName.argtypes = [ctypes.c_char_p]
        lib.espeak_SetParameter.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_int]
        lib.espeak_Synth.argtypes = [
            ctypes.c_void_p,  # text
            ctypes.c_size_t,  # size
            ctypes.c_uint,  # position
            ctypes.c_int,  # position type
            ctypes.c_uint,  # end position
            ctypes.c_uint,  # flags
            ctypes.c_void_p,  # unique identifier
            ctypes.c_void_p,  # user data
        ]
        lib.espeak_Synchronize.restype = ctypes.c_int
        rate = lib.espeak_Initialize(
            _AUDIO_OUTPUT_SYNCHRONOUS, 0, data_path.encode(), _INITIALIZE_DONT_EXIT
        )
        if rate <= 0:
            raise VoiceUnavailable(f"espeak-ng failed to start with data at {data_path}")
        self.sample_rate: int = rate
        self.version: str = (lib.espeak_Info(None) or b"?").decode()
        self._lib = lib
        self._lock = threading.Lock()
        self._samples = array("h")
        self._callback = _SynthCallback(self._collect)  # kept referenced: C holds the pointer
        lib.espeak_SetSynthCallback(self._callback)

    def _collect(self, wav: ctypes._Pointer[ctypes.c_short], count: int, _events: int) -> int:
        if count > 0 and wav:
            self._samples.frombytes(ctypes.string_at(wav, count * 2))
        return 0  # 0 = go on

    def synthesize(self, text: str, voice: str, wpm: int) -> array[int]:
        encoded = text.encode("utf-8") + b"\0"
        with self._lock:
            if self._lib.espeak_SetVoiceByName(voice.encode()) != _EE_OK:
                raise VoiceError(f"espeak-ng has no voice {voice!r}")
            self._lib.espeak_SetParameter(_ESPEAK_RATE, wpm, 0)
            self._samples = array("h")
            status = self._lib.espeak_Synth(
                encoded, len(encoded), 0, _POS_CHARACTER, 0, _CHARS_UTF8, None, None
            )
            self._lib.espeak_Synchronize()
            if status != _EE_OK:
                raise VoiceError(f"espeak-ng failed on {text!r} (error {status})")
            return self._samples


_library: _Library | None = None
_library_lock = threading.Lock()


def _load() -> _Library:
    global _library
    with _library_lock:
        if _library is None:
            _library = _Library()
        return _library


class EspeakVoice:
    """espeak-ng at the timing model's pace; trimmed, resampled 22050 -> 24000 Hz."""

    name = "espeak"

    def __init__(self, voice: str = DEFAULT_VOICE) -> None:
        self.voice = voice

    @property
    def fingerprint(self) -> str:
        library = _load()
        return (
            f"espeak-ng {library.version}/{self.voice}/{espeak_wpm()} wpm"
            f"/{library.sample_rate} Hz/trimmed"
        )

    def synthesize(self, text: str, rate: float = 1.0) -> Pcm:
        if not text.strip():
            return Pcm(array("h"), SAMPLE_RATE)
        library = _load()
        samples = library.synthesize(text, self.voice, espeak_wpm(rate))
        return resample(Pcm(trim_zeros(samples), library.sample_rate), SAMPLE_RATE)
