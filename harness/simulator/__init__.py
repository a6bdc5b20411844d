"""The browser simulator: the coach played like an Echo Show, in a browser, offline.

`create_app()` is the skill's app (skill.app.create_app) with, in local testing mode only
(COACH_VERIFY_REQUESTS=0), the simulator at /simulator. With verification on there is no
simulator: the server is the skill and nothing else. `make simulator` serves this app.

In local mode, unless set otherwise, the coach offers its audio tracks (hands-free mode) from
this server's own /audio, rendered on demand in the harness's voice into var/simulator/audio,
so that hands-free mode works with no `make audio` and no network, and never mixes these
renders with the tracks `make audio` builds for Alexa.

Alexa's Reminders and Settings APIs are stood in on 127.0.0.1 (harness.alexa_apis, listening
from the first device on): the skill trusts the stand-in's CA, each runner is an account of its
own there, and the page shows the reminders set for its runner.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from dataclasses import fields
from pathlib import Path
from typing import Any

from flask import Flask

from skill.app import create_app as create_skill_app
from skill.config import ENV_PREFIX, Settings, load_settings

logger = logging.getLogger(__name__)

# Alexa plays only HTTPS streams, and so does the harness's device; it fetches only the URL's
# path from this app, as the page does from its own origin.
LOCAL_AUDIO_BASE_URL = "https://coach.test/audio"
LOCAL_AUDIO_DIR = Path("var/simulator/audio")


def create_app(test_config: Mapping[str, Any] | None = None) -> Flask:
    """The skill's app, plus the simulator when request verification is off. `test_config`
    is create_app's; SIMULATOR_VOICE names the harness voice (default: the offline one)."""
    config = dict(test_config or {})
    settings = load_settings(os.environ, overrides=_setting_overrides(config))
    if settings.verify_requests:
        logger.info("Request verification is on: no simulator at /simulator")
        return create_skill_app(config)
    if settings.audio_base_url is None:
        config["COACH_AUDIO_BASE_URL"] = LOCAL_AUDIO_BASE_URL
        if "COACH_AUDIO_DIR" not in config and ENV_PREFIX + "AUDIO_DIR" not in os.environ:
            config["COACH_AUDIO_DIR"] = str(LOCAL_AUDIO_DIR)
    from harness.alexa_apis import AlexaApiServer
    from harness.simulator.web import APIS_KEY, simulator_blueprint

    apis = AlexaApiServer()  # its certificates now; it listens once a device needs it
    config["COACH_ALEXA_API_CA_PATH"] = str(apis.ca_path)
    app = create_skill_app(config)
    app.config[APIS_KEY] = apis
    app.register_blueprint(simulator_blueprint())
    logger.warning(
        "The simulator is at /simulator (local testing only); it understands words with the"
        " statistical stand-in for Alexa's NLU (harness/understanding)"
    )
    return app


def _setting_overrides(config: Mapping[str, Any]) -> dict[str, Any]:
    """The COACH_<FIELD> entries of `config` that are Settings, by field name."""
    names = {setting.name for setting in fields(Settings)}
    found = {
        key.removeprefix(ENV_PREFIX).lower(): value
        for key, value in config.items()
        if key.startswith(ENV_PREFIX)
    }
    return {name: value for name, value in found.items() if name in names}
