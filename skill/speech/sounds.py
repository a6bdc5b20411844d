"""Alexa sound-library clips the coach plays, with their lengths (needed to pace rests and to
render stand-ins locally; the real clips play only on an Alexa device)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class SoundClip:
    name: str  # the key the speech layer uses
    src: str  # the soundbank:// address Alexa plays
    seconds: float


REST_OVER = SoundClip("rest_over", "soundbank://soundlibrary/musical/amzn_sfx_beep_1x_01", 0.78)
WORKOUT_DONE = SoundClip(
    "workout_done", "soundbank://soundlibrary/musical/amzn_sfx_bell_timer_01", 3.08
)

CLIPS: dict[str, SoundClip] = {clip.name: clip for clip in (REST_OVER, WORKOUT_DONE)}
CLIPS_BY_SRC: dict[str, SoundClip] = {clip.src: clip for clip in CLIPS.values()}
