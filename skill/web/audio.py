"""GET /audio/<file>: the coach's audio tracks, for Alexa's player, from the same HTTPS host.

Only the files the catalog lists (skill.audio.catalog: `<track id>-<digest>.mp3`) are served,
from the folder `make audio` writes (COACH_AUDIO_DIR); any other name under /audio is a 404,
whatever is in the folder, so no other file, dot-dot path or stale track can be fetched.
Flask's send_file answers Range requests (206, or 416 past the end), HEAD, and If-None-Match
against an ETag of the file's size and time.
"""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, abort, send_file
from werkzeug.wrappers import Response

URL_PREFIX = "/audio"
# A track's URL changes with its wording (the digest in its name), so a day's caching can only
# ever keep the same words; a re-render with another voice shows within the day.
MAX_AGE_SECONDS = 24 * 60 * 60


def audio_blueprint(folder: Path) -> Blueprint:
    """The route, serving the catalog's files from `folder` (relative: to the working dir)."""
    blueprint = Blueprint("audio", __name__, url_prefix=URL_PREFIX)
    root = folder.resolve()

    @blueprint.get("/<path:name>")
    def track(name: str) -> Response:
        # The catalog is imported and built on the first request for audio, not at start-up.
        from skill.audio.catalog import MIME_TYPE, track_of_file

        if track_of_file(name) is None:
            abort(404)
        path = root / name  # a catalog file name: no slash, no dot-dot
        if not path.is_file():
            abort(404)
        return send_file(
            path, mimetype=MIME_TYPE, conditional=True, etag=True, max_age=MAX_AGE_SECONDS
        )

    return blueprint
