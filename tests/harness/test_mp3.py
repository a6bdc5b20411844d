from __future__ import annotations

import io
import math
from array import array
from pathlib import Path

import pytest

from harness.segment_audio import render_segments
from harness.ssml_reader import (
    Clip,
    Segment,
    Silence,
    Text,
    estimated_seconds,
    read_ssml,
)
from harness.standins import AUDIO_DIR, clip_path, standin_mp3, write_standins
from skill.speech.sounds import CLIPS, REST_OVER, WORKOUT_DONE, SoundClip
from skill.speech.timing import speech_seconds
from tracks.engines import EspeakVoice, EstimateVoice
from tracks.mp3 import (
    decode_mp3,
    decode_mp3_bytes,
    encode_mp3,
    mp3_frames,
    mp3_sample_count,
    mp3_seconds,
    parse_frame_header,
    silent_mp3,
)
from tracks.voices.pcm import SAMPLE_RATE, Pcm, peak

ALEXA_FORMAT = {("2", 3, 48, 24000, "mono")}


def _tone(seconds: float, frequency: float = 440.0) -> Pcm:
    count = round(seconds * SAMPLE_RATE)
    return Pcm(
        array(
            "h",
            (
                round(8000 * math.sin(2 * math.pi * frequency * i / SAMPLE_RATE))
                for i in range(count)
            ),
        )
    )


def _format(data: bytes) -> set[tuple[str, int, int, int, str]]:
    return {
        (f.version, f.layer, f.bitrate_kbps, f.sample_rate, f.channel_mode)
        for f in mp3_frames(data)
    }


def test_written_mp3_is_in_alexas_format(tmp_path: Path) -> None:
    path = tmp_path / "cue.mp3"
    data = encode_mp3(EspeakVoice().synthesize("Set 2 of 4."), path)
    assert path.read_bytes() == data
    assert _format(data) == ALEXA_FORMAT
    frames = mp3_frames(data)
    assert sum(frame.length for frame in frames) == len(data)  # nothing but frames


def test_encode_to_a_file_object() -> None:
    buffer = io.BytesIO()
    data = encode_mp3(_tone(0.5), buffer)
    assert buffer.getvalue() == data and _format(data) == ALEXA_FORMAT


def test_other_sample_rates_are_resampled_to_24000() -> None:
    pcm_22k = Pcm(array("h", [0] * 22050), 22050)
    data = encode_mp3(pcm_22k)
    assert _format(data) == ALEXA_FORMAT
    assert mp3_seconds(data) == pytest.approx(1.0, abs=0.1)


def test_mp3_length_includes_the_encoder_delay_and_round_trips() -> None:
    data = encode_mp3(_tone(1.0))
    assert 1.0 < mp3_seconds(data) < 1.1  # ~46 ms of encoder delay, then frame padding
    decoded = decode_mp3_bytes(data)
    assert decoded.sample_rate == 24000
    assert decoded.seconds == pytest.approx(mp3_seconds(data), abs=0.001)
    assert peak(decoded) > 6000


def test_parse_frame_header_of_an_mpeg1_frame() -> None:
    header = parse_frame_header(bytes([0xFF, 0xFB, 0x92, 0x64]))  # 128 kbps 44.1 kHz, padded
    assert header is not None
    assert (header.version, header.layer, header.bitrate_kbps) == ("1", 3, 128)
    assert (header.sample_rate, header.channel_mode) == (44100, "joint stereo")
    assert header.padding and header.length == 418 and header.samples == 1152


@pytest.mark.parametrize("junk", [b"\x00\x00\x00\x00", b"\xff\xf3\xf4\xc4", b"\xff\xf3\x6c\xc4"])
def test_parse_frame_header_rejects_non_frames(junk: bytes) -> None:
    assert parse_frame_header(junk) is None  # no sync; bitrate 15; sample-rate index 3


def test_mp3_frames_skips_id3_and_junk() -> None:
    data = encode_mp3(_tone(0.3))
    id3 = b"ID3\x04\x00\x00\x00\x00\x00\x05" + b"\x00" * 5
    assert len(mp3_frames(id3 + b"junk" + data)) == len(mp3_frames(data))


def test_sample_count_agrees_with_the_frames_fast_or_not() -> None:
    data = encode_mp3(_tone(0.7))
    frames = mp3_frames(data)
    assert mp3_sample_count(data) == sum(frame.samples for frame in frames) == 576 * len(frames)
    id3 = b"ID3\x04\x00\x00\x00\x00\x00\x05" + b"\x00" * 5
    assert mp3_sample_count(id3 + data) == mp3_sample_count(data)  # parsed frame by frame
    other = bytearray(data)
    other[len(data) - 144 + 2] ^= 0b0100  # the last frame: 22050 Hz, no longer 24000 Hz
    assert mp3_sample_count(bytes(other)) == sum(f.samples for f in mp3_frames(bytes(other)))
    assert mp3_sample_count(b"") == 0


@pytest.mark.parametrize("frames", [0, 1, 5, 84])
def test_silent_mp3_is_that_many_frames_of_silence(frames: int) -> None:
    data = silent_mp3(frames)
    assert len(mp3_frames(data)) == frames
    assert sum(frame.length for frame in mp3_frames(data)) == len(data)
    if frames:
        assert _format(data) == ALEXA_FORMAT
        assert peak(decode_mp3_bytes(data)) <= 1


# --- stand-ins --------------------------------------------------------------------------------


@pytest.mark.parametrize("clip", list(CLIPS.values()), ids=list(CLIPS))
def test_each_standin_is_the_clips_length_in_alexas_format(clip: SoundClip) -> None:
    path = clip_path(clip.src)
    data = path.read_bytes()
    assert path.parent == AUDIO_DIR and path.name == f"{clip.name}.mp3"
    assert _format(data) == ALEXA_FORMAT
    assert mp3_seconds(data) == pytest.approx(clip.seconds, abs=0.05)
    decoded = decode_mp3(path)
    assert decoded.seconds == pytest.approx(clip.seconds, abs=0.05)
    assert peak(decoded) > 5000


def test_committed_standins_are_what_the_generator_makes(tmp_path: Path) -> None:
    for path in write_standins(tmp_path):
        assert path.read_bytes() == (AUDIO_DIR / path.name).read_bytes(), path.name


def test_standin_lengths_are_within_half_a_frame() -> None:
    for clip in CLIPS.values():
        assert abs(mp3_seconds(standin_mp3(clip)) - clip.seconds) <= 0.012 + 1e-9


def test_clip_path_rejects_unknown_clips() -> None:
    with pytest.raises(ValueError, match="no stand-in"):
        clip_path("soundbank://soundlibrary/unknown")


# --- rendering --------------------------------------------------------------------------------


def test_render_a_response_with_the_estimate_voice_lasts_the_estimate() -> None:
    ssml = (
        '<speak>Rest 10 seconds.<break time="4s"/>Halfway.<break time="3.5s"/>'
        f'<audio src="{REST_OVER.src}"/>Set 2 of 4.<audio src="{WORKOUT_DONE.src}"/></speak>'
    )
    segments = read_ssml(ssml)
    pcm = render_segments(segments, EstimateVoice())
    assert pcm.seconds == pytest.approx(estimated_seconds(segments), abs=0.002)
    # The beep sounds where the model says it starts.
    beep_start = speech_seconds("Rest 10 seconds.") + 4 + speech_seconds("Halfway.") + 3.5
    start = round(beep_start * SAMPLE_RATE)
    assert peak(Pcm(pcm.samples[:start])) == 0
    assert peak(Pcm(pcm.samples[start : start + round(0.78 * SAMPLE_RATE)])) > 5000


def test_render_with_espeak_and_a_custom_clip_loader() -> None:
    segments: list[Segment] = [Text("Go!"), Silence(0.5), Clip("https://example.com/x.mp3", 1.0)]
    pcm = render_segments(segments, EspeakVoice(), clip_pcm=lambda clip: _tone(2.0))
    spoken = EspeakVoice().synthesize("Go!").seconds
    assert pcm.seconds == pytest.approx(spoken + 0.5 + 1.0, abs=0.001)
