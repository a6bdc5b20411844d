"""What a reminder costs in calls to Alexa's APIs: each is a network round trip inside the
runner's turn, on the real Echo as on the stand-in (harness.alexa_apis)."""

from __future__ import annotations

from pathlib import Path

import pytest

from harness.alexa_apis import AlexaApiServer
from harness.dialog_stage import Stage
from skill.alexa.alexa_apis import REMINDERS_SCOPE

ZONE_ASK = "/settings/System.timeZone"


def test_remind_me_at_a_time_asks_the_runners_time_zone_once(
    tmp_path: Path, coach_env: pytest.MonkeyPatch
) -> None:
    # With no day said, the zone picks the day; the reminder is then set in that same zone.
    with AlexaApiServer() as apis:
        device = Stage(tmp_path / "coach.sqlite3", apis=apis).device("amzn1.ask.account.CALLS")
        apis.state.time_zones[device.caller.device_id or ""] = "Pacific/Auckland"
        device.grant(REMINDERS_SCOPE)
        device.say("open upper body coach")
        heard = device.say("remind me to train at 7 am")

        assert "I'll remind you every" in heard.speech_text
        assert [call for call in apis.state.calls if call.endswith(ZONE_ASK)] == [
            f"GET /v2/devices/{device.caller.device_id}{ZONE_ASK}"
        ]
        assert apis.state.calls[-1] == "POST /v1/alerts/reminders"
