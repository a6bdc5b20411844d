"""The simulator page in a real headless Chromium, against the simulator app on a real socket:
a whole workout clicked through on the screen's own controls, the coach's words and tracks
loading as audio, the rest countdown running on the screen, hands-free mode, a device added in
another locale, a device without a screen, and a command spoken into the (fake) microphone."""

from __future__ import annotations

import os
import time
import wave
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from harness.simulator import create_app
from skill.locales import SPOKEN
from tests.support.browser import browser, require_browser, save_screenshot, serve_app
from tracks.voices.espeak import EspeakVoice

if TYPE_CHECKING:
    from selenium.webdriver.chrome.webdriver import WebDriver

WAIT_SECONDS = 20.0  # for a page's answer; the espeak voice renders a long turn in ~1 s
# Time let pass at once before each touch: the answer before it spoken and the set done (a touch
# while the coach is still leading up to the set starts that set, as on a device).
SET_SECONDS = 300.0


class SteppedClock:
    """The simulator's wall clock: the real one, plus what a test lets pass at once."""

    def __init__(self) -> None:
        self.ahead = 0.0

    def __call__(self) -> float:
        return time.monotonic() + self.ahead


CLOCK = SteppedClock()


@pytest.fixture(scope="module")
def simulator_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The simulator app (local mode, the offline voice) served on 127.0.0.1. Its speech and
    MP3s are kept in .cache/coach-voice, by content (voice, text; samples, encoder), as the
    simulator keeps them for a developer: rendered once, not every run (a whole workout's)."""
    folder = tmp_path_factory.mktemp("simulator")
    with pytest.MonkeyPatch.context() as patch:
        for name in [name for name in os.environ if name.startswith("COACH_")]:
            patch.delenv(name)  # none of the developer's settings
        app = create_app(
            {
                "COACH_VERIFY_REQUESTS": "0",
                "COACH_DB_PATH": str(folder / "coach.sqlite3"),
                "COACH_AUDIO_DIR": str(folder / "audio"),
                "SIMULATOR_VOICE": "espeak",
                "SIMULATOR_CLOCK": CLOCK,
            }
        )
        with serve_app(app) as url:
            yield url + "simulator/"


class SimulatorPage:
    def __init__(self, driver: WebDriver, url: str) -> None:
        self.driver = driver
        driver.get(url)
        driver.execute_script("localStorage.clear()")
        driver.get(url)  # a new runner each time: no saved workout
        self.wait_for("window.simulator && window.simulator.id")

    def wait_for(self, script: str, *args: Any, seconds: float = WAIT_SECONDS) -> Any:
        """Until the script's value is truthy; returns it."""
        from selenium.webdriver.support.ui import WebDriverWait

        return WebDriverWait(self.driver, seconds, poll_frequency=0.05).until(
            lambda d: d.execute_script(f"return ({script});", *args)
        )

    def js(self, script: str, *args: Any) -> Any:
        return self.driver.execute_script(f"return ({script});", *args)

    def entries(self) -> int:
        return int(self.js("document.querySelectorAll('#transcript li').length"))

    def coach_said(self, after: int) -> str:
        """Waits for the coach's next line after transcript entry `after` and returns it."""
        line = self.wait_for(
            "[...document.querySelectorAll('#transcript li')].slice(arguments[0])"
            ".filter(li => li.classList.contains('coach')).map(li => li.textContent)[0]",
            after,
        )
        return str(line)

    def say(self, phrase: str) -> str:
        before = self.entries()
        self.driver.find_element("css selector", f"button[data-say='{phrase}']").click()
        return self.coach_said(before)

    def type(self, text: str) -> str:
        before = self.entries()
        box = self.driver.find_element("id", "say-text")
        box.send_keys(text)
        box.submit()
        return self.coach_said(before)

    def screen_text(self) -> str:
        return str(self.js("document.getElementById('screen').innerText"))

    def control(self, label: str) -> Any:
        """The screen's touch control showing `label` (a TouchWrapper rendered by apl.js), of
        the view on screen (a view not shown yet, or no longer, holds controls too)."""
        found = self.js(
            "[...document.querySelectorAll('#screen *')].filter(e => e.children.length === 0 "
            "&& e.textContent.trim() === arguments[0] && e.getClientRects().length > 0)[0]",
            label,
        )
        return found

    def touch(self, label: str) -> str:
        before = self.entries()
        CLOCK.ahead += SET_SECONDS
        self.control(label).click()
        return self.coach_said(before)

    def speech_loaded(self) -> float:
        """The seconds of the coach's last answer, once its audio has loaded in the page."""
        return float(
            self.wait_for(
                "(() => { const a = document.getElementById('speech');"
                " return a.readyState >= 1 && a.duration > 0 ? a.duration : 0; })()"
            )
        )

    def errors(self) -> list[str]:
        return list(self.js("window.simulator.errors"))


@pytest.fixture
def driver(browser: WebDriver) -> WebDriver:
    return browser


def test_bodyweight_workout_clicked_through_on_an_echo_show(
    driver: WebDriver, simulator_url: str
) -> None:
    page = SimulatorPage(driver, simulator_url + "?device=show-8")
    assert "Which one would you like?" in page.say("open upper body coach")
    assert page.speech_loaded() > 5  # the welcome, heard in the offline voice
    assert "Say a workout" in page.wait_for("document.getElementById('screen').innerText")
    page.say("start the bodyweight workout")
    page.wait_for("document.getElementById('screen').innerText.includes('Warm-up')")
    assert "T push-up" in page.say("skip the warm up")
    page.wait_for("document.getElementById('screen').innerText.includes('Set 1 of 4')")

    # The rest counts down on the screen itself, with no request.
    assert "Set 2 of 4" in page.touch("Next set")
    countdown = "Number(document.querySelector('#screen [data-id=countdown]').textContent)"
    first = int(page.wait_for(countdown))
    assert 20 < first <= 30
    later = int(page.wait_for(f"{countdown} < arguments[0] && {countdown}", first))
    assert 0 < later < first

    # Every set after that by touch, to the end of the workout.
    sets = 2
    while "Workout done" not in page.screen_text() and sets < 60:
        if page.control("Next set") is not None:
            page.touch("Next set")
            sets += 1
        else:  # the cool-down has no controls: the runner says next
            page.say("next set")
    assert "Workout done" in page.screen_text()
    assert sets >= 15
    assert page.errors() == []


def test_hands_free_on_a_show_plays_the_coach_tracks(driver: WebDriver, simulator_url: str) -> None:
    page = SimulatorPage(driver, simulator_url + "?device=show-15&handsFree=1")
    page.say("open upper body coach")
    page.say("start the dumbbell workout")
    page.say("skip the warm up")
    driver.find_element("id", "silence").click()  # the microphone closes: the tone plays
    page.wait_for("document.getElementById('player').src.includes('/audio/')")
    page.type("alexa, next")  # no session: to the skill that played audio
    track = page.wait_for(
        "(() => { const a = document.getElementById('player');"
        " return a.readyState >= 1 && a.duration > 20 && a.src; })()"
    )
    assert "/audio/" in track  # the rest, a track of its own, loaded from the app's /audio
    assert "playing" in page.js("document.getElementById('player-status').textContent")
    # ... and heard: the coach's words stopped when the runner spoke, the track plays.
    page.wait_for("!document.getElementById('player').paused")
    assert page.js("document.getElementById('speech').paused") is True
    heard = "document.getElementById('player').currentTime"
    start = float(page.js(heard))
    assert float(page.wait_for(f"{heard} > arguments[0] + 0.5 && {heard}", start)) > start
    assert page.errors() == []


def test_switching_device_mid_workout_keeps_the_runner_and_shows_only_the_new_device(
    driver: WebDriver, simulator_url: str
) -> None:
    page = SimulatorPage(driver, simulator_url + "?device=show-8")
    page.say("open upper body coach")
    page.say("start the bodyweight workout")
    page.say("skip the warm up")
    assert "Set 2 of 4" in page.touch("Next set")
    # Polls of the old device are slow (a track rendering, say) and still in flight while it
    # changes: none of their answers may land on the new device.
    from selenium.webdriver.support.ui import Select

    page.js(
        "(() => { const old = window.simulator.id, fetch = window.fetch;"
        " window.fetch = (url, options) => fetch(url, options).then((answer) =>"
        " String(url).includes(old) ? new Promise((done) => setTimeout(() => done(answer), 800))"
        " : answer); })()"
    )
    time.sleep(0.6)  # a poll (every 0.5 s) is in flight

    Select(driver.find_element("id", "viewport")).select_by_value("spot")
    page.wait_for("window.simulator.shownVersion === 0 && window.simulator.nextEntry === 0")
    assert page.entries() == 0
    # The same runner on the round hub: the coach picks up where they were.
    assert "set 2 of 4" in page.say("open upper body coach").lower()
    page.wait_for("document.getElementById('screen').innerText.includes('Set 2 of 4')")
    assert page.errors() == []


def test_a_device_added_in_another_locale_hears_its_runners_words(
    driver: WebDriver, simulator_url: str
) -> None:
    from selenium.webdriver.support.ui import Select

    page = SimulatorPage(driver, simulator_url + "?device=show-8")
    picker = Select(driver.find_element("id", "locale"))
    assert [option.get_attribute("value") for option in picker.options] == list(SPOKEN)
    assert picker.first_selected_option.get_attribute("value") == "en-US"
    assert "(en-US)" in page.js("document.getElementById('locale-status').textContent")
    american = page.js("window.simulator.id")

    picker.select_by_value("en-GB")  # a new device, in en-GB
    page.wait_for("window.simulator.id !== arguments[0]", american)
    page.wait_for("document.getElementById('locale-status').textContent.includes('(en-GB)')")
    assert "Which one would you like?" in page.say("open upper body coach")
    page.say("start the bodyweight workout")
    assert "Take your time" in page.type("i need the loo")  # British words, en-GB's model
    assert page.errors() == []

    # A link may name the locale.
    page = SimulatorPage(driver, simulator_url + "?locale=en-AU")
    page.wait_for("document.getElementById('locale-status').textContent.includes('(en-AU)')")
    assert Select(driver.find_element("id", "locale")).first_selected_option.text == (
        "Australian English (en-AU)"
    )


def test_no_screen_no_document_and_the_words_still_come(
    driver: WebDriver, simulator_url: str
) -> None:
    page = SimulatorPage(driver, simulator_url + "?device=none")
    assert page.js("document.getElementById('no-screen').hidden") is False
    page.say("open upper body coach")
    page.say("start the dumbbell workout")
    assert "Set 1 of" in page.say("skip the warm up")
    assert page.screen_text().strip() == ""
    assert page.errors() == []


def test_a_command_spoken_into_the_microphone(simulator_url: str, tmp_path: Path) -> None:
    require_browser()
    spoken = EspeakVoice("en-us").synthesize("open upper body coach")
    recording = tmp_path / "open.wav"
    with wave.open(str(recording), "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(spoken.sample_rate)
        wav.writeframes(spoken.to_bytes() + bytes(spoken.sample_rate))  # then 0.5 s of quiet
    microphone = [
        "--use-fake-ui-for-media-stream",
        "--use-fake-device-for-media-stream",
        f"--use-file-for-fake-audio-capture={recording}%noloop",
    ]
    with browser(extra_flags=microphone) as driver:
        page = SimulatorPage(driver, simulator_url)
        from selenium.webdriver.common.action_chains import ActionChains

        before = page.entries()
        talk = driver.find_element("id", "talk")
        ActionChains(driver).click_and_hold(talk).pause(spoken.seconds + 1.0).release().perform()
        assert "Which one would you like?" in page.coach_said(before)
        said = page.js("document.querySelector('#transcript li.runner').textContent")
        assert "open upper body coach" in said
        assert save_screenshot(driver, tmp_path / "page.png").stat().st_size > 10_000
