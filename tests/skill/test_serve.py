"""`make serve`'s settings (skill/serve.py): where it listens, and that waitress takes them all.
tests/reliability/test_slow_clients.py runs the server itself."""

from __future__ import annotations

from waitress.adjustments import Adjustments

from skill.serve import server_settings


def test_it_listens_on_localhost_8080_unless_told_otherwise() -> None:
    assert server_settings({})["listen"] == "127.0.0.1:8080"
    told = server_settings({"BIND_ADDRESS": "0.0.0.0", "PORT": "9000"})
    assert told["listen"] == "0.0.0.0:9000"


def test_waitress_accepts_every_setting_as_given() -> None:
    settings = server_settings({})
    adjustments = Adjustments(**settings)  # an unknown or malformed setting raises here
    for name, value in settings.items():
        if name != "listen":
            assert getattr(adjustments, name) == value, name
