"""The coach's screen as static/apl.js renders it in headless Chromium, from the document and
datasources the skill really sends: what a runner glancing at an Echo Show would notice."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from harness.simulator.screenshots import (
    SCENES,
    VIEWPORTS,
    Viewport,
    letter_moments,
    reach,
    save_scene,
    scene_screens,
    set_clock,
    show,
)

if TYPE_CHECKING:
    from selenium.webdriver.chrome.webdriver import WebDriver

Json = dict[str, Any]
ACCENT = "rgb(245, 166, 35)"  # @accent: the step being called
TEXT = "rgb(244, 244, 244)"  # @text
CONTROLS = ["Next set", "Pause", "Repeat", "How do I do this?"]
SHOW_8 = VIEWPORTS[1]
SPOT = VIEWPORTS[3]
WAIT_SECONDS = 3  # a bound for the screen to catch up with its clock, not a speed claim

# Every text and control on the screen: its words, colour, box, and whether it is shown.
READ_SCREEN = """
const shown = (el) =>
  el.getClientRects().length > 0 && getComputedStyle(el).visibility !== 'hidden';
const box = (el) => {
  const r = el.getBoundingClientRect();
  return [r.left, r.top, r.right, r.bottom];
};
const vp = document.querySelector('.apl-viewport');
return {
  viewport: box(vp),
  texts: [...vp.querySelectorAll('.apl-text')].map((el) => ({
    text: el.innerText.trim(), color: getComputedStyle(el).color, shown: shown(el), box: box(el),
    size: parseFloat(getComputedStyle(el).fontSize),
  })),
  controls: [...vp.querySelectorAll('.apl-touch')].filter(shown).map((el) => ({
    label: el.innerText.trim(), box: box(el),
    background: el.firstElementChild && getComputedStyle(el.firstElementChild).backgroundColor,
  })),
};
"""


@pytest.fixture(scope="module")
def screens(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Json]]:
    """The RenderDocument directive of each scene, from the skill in process."""
    with pytest.MonkeyPatch.context() as env:
        env.delenv("COACH_STORE", raising=False)
        yield scene_screens(tmp_path_factory.mktemp("skill"))


@pytest.fixture
def page(browser: WebDriver, static_url: str) -> WebDriver:
    browser.get(static_url + "screen.html")
    return browser


def read(driver: WebDriver) -> Json:
    result: Json = driver.execute_script(READ_SCREEN)
    return result


def shown_texts(driver: WebDriver) -> list[str]:
    return [t["text"] for t in read(driver)["texts"] if t["shown"]]


def inside(box: list[float], outer: list[float]) -> bool:
    left, top, right, bottom = box
    return left >= outer[0] and top >= outer[1] and right <= outer[2] and bottom <= outer[3]


def inside_circle(box: list[float], square: list[float]) -> bool:
    cx, cy = (square[0] + square[2]) / 2, (square[1] + square[3]) / 2
    radius = (square[2] - square[0]) / 2
    corners = [(x, y) for x in (box[0], box[2]) for y in (box[1], box[3])]
    return all((x - cx) ** 2 + (y - cy) ** 2 <= radius**2 for x, y in corners)


def wait_for(driver: WebDriver, condition: Callable[[], bool]) -> None:
    WebDriverWait(driver, WAIT_SECONDS, poll_frequency=0.05).until(lambda _: condition())


def wait_for_text(driver: WebDriver, text: str, present: bool = True) -> None:
    wait_for(driver, lambda: (text in shown_texts(driver)) == present)


# --- the document renders, all of it ---------------------------------------------------------


@pytest.mark.parametrize("scene", list(SCENES))
def test_the_coach_document_renders_with_no_warnings(
    page: WebDriver, screens: dict[str, Json], scene: str
) -> None:
    for viewport in VIEWPORTS:
        assert show(page, "", screens[scene], viewport) == []
        assert read(page)["texts"], f"nothing rendered on {viewport.name}"


# --- every Echo Show size ---------------------------------------------------------------------


@pytest.mark.parametrize("viewport", VIEWPORTS[:3], ids=lambda v: v.name)
def test_a_set_shows_its_title_set_and_four_controls_inside_the_screen(
    page: WebDriver, screens: dict[str, Json], viewport: Viewport
) -> None:
    show(page, "", screens["set"], viewport)
    screen = read(page)
    assert screen["viewport"][2] - screen["viewport"][0] == viewport.width
    assert screen["viewport"][3] - screen["viewport"][1] == viewport.height
    texts = {t["text"]: t for t in screen["texts"] if t["shown"]}
    for words in ("T push-up", "Set 1 of 4", "4 reps each side"):
        assert words in texts and inside(texts[words]["box"], screen["viewport"]), words
    assert [c["label"] for c in screen["controls"]] == CONTROLS
    for control in screen["controls"]:
        assert inside(control["box"], screen["viewport"]), control
        assert control["box"][3] - control["box"][1] >= 80  # a finger's size, in dp
    boxes = [c["box"] for c in screen["controls"]]
    for left, right in zip(boxes, boxes[1:], strict=False):
        assert right[0] - left[2] == pytest.approx(12, abs=0.5)  # spacing: no two touch


def test_the_round_hub_shows_the_reduced_layout_inside_its_circle(
    page: WebDriver, screens: dict[str, Json]
) -> None:
    show(page, "", screens["set"], SPOT)
    screen = read(page)
    assert [c["label"] for c in screen["controls"]] == ["Next set"]
    shown = {t["text"]: t for t in screen["texts"] if t["shown"]}
    assert "T push-up" in shown and "Set 1 of 4" in shown
    assert "Bodyweight workout" not in shown  # the rectangular layout is not there
    for item in [shown["T push-up"], shown["Set 1 of 4"], *screen["controls"]]:
        assert inside_circle(item["box"], screen["viewport"]), item


READ_BAR = """
const bar = [...document.querySelectorAll('.apl-viewport [data-id="progress"]')].find(
  (el) => el.getClientRects().length > 0);
if (!bar) return null;
const box = (el) => {
  const r = el.getBoundingClientRect();
  return [r.left, r.top, r.right, r.bottom];
};
return {track: box(bar), filled: box(bar.firstElementChild), label: bar.getAttribute('aria-label')};
"""


def progress_bar(driver: WebDriver) -> Json | None:
    found: Json | None = driver.execute_script(READ_BAR)
    return found


def filled(bar: Json) -> float:
    """How much of the bar is filled, from 0 to 1."""
    track, fill = bar["track"], bar["filled"]
    return float((fill[2] - fill[0]) / (track[2] - track[0]))


@pytest.mark.parametrize("viewport", VIEWPORTS, ids=lambda v: v.name)
def test_the_progress_bar_grows_with_the_sets_done_and_stays_at_the_edge(
    page: WebDriver, screens: dict[str, Json], viewport: Viewport
) -> None:
    show(page, "", screens["warm_up"], viewport)
    before = progress_bar(page)
    assert before is not None and filled(before) == 0  # a warm-up: no set done yet
    assert before["label"] == "0 of 20 sets done"
    show(page, "", screens["rest"], viewport)  # after "next set": one set done
    after = progress_bar(page)
    assert after is not None and after["label"] == "1 of 20 sets done"
    assert filled(after) == pytest.approx(1 / 20, abs=0.01)
    screen = read(page)["viewport"]
    track = after["track"]
    assert track[3] - track[1] <= 8  # thin: it is not what the screen is about
    if viewport.shape == "round":
        assert inside_circle(track, screen)
    else:
        assert (track[0], track[1], track[2]) == (screen[0], screen[1], screen[2])  # the top edge


# --- time runs on the screen ------------------------------------------------------------------


def test_a_rest_says_rest_large_and_the_set_to_come_small_then_shows_that_set(
    page: WebDriver, screens: dict[str, Json]
) -> None:
    rest = screens["rest"]["datasources"]["coach"]["lead"]["rest"]
    assert rest["seconds"] == 30
    show(page, "", screens["rest"], SHOW_8)
    texts = {t["text"]: t for t in read(page)["texts"] if t["shown"]}
    assert "30" in texts  # said "Rest 30 seconds"
    assert texts["Rest"]["size"] > texts["Up next: set 2 of 4"]["size"]
    # The set just done is not on the screen as if it were the one to do.
    assert "Set 2 of 4" not in texts and "T push-up" not in texts
    set_clock(page, rest["startMs"] + 10_500)
    wait_for_text(page, "20")
    assert "Rest" in shown_texts(page)
    set_clock(page, rest["startMs"] + 29_100)
    wait_for_text(page, "1")
    set_clock(page, rest["startMs"] + 30_000)  # the rest is over: the set it led to
    wait_for_text(page, "Set 2 of 4")
    assert "T push-up" in shown_texts(page)
    assert "Rest" not in shown_texts(page) and "1" not in shown_texts(page)
    assert [c["label"] for c in read(page)["controls"]] == CONTROLS


def test_the_countdown_runs_on_the_real_clock_by_default(
    page: WebDriver, screens: dict[str, Json]
) -> None:
    directive = json.loads(json.dumps(screens["rest"]))
    directive["datasources"]["coach"]["lead"]["rest"]["startMs"] = 0
    page.execute_script(
        "showScreen(arguments[0], arguments[1], arguments[2])",
        directive["document"],
        directive["datasources"],
        SHOW_8.as_json(),
    )
    assert "30" in shown_texts(page)
    wait_for_text(page, "29")  # about a second later, with no request


def test_the_step_being_called_is_highlighted_and_no_other(
    page: WebDriver, screens: dict[str, Json]
) -> None:
    steps = screens["steps"]["datasources"]["coach"]["steps"]
    assert [s["name"] for s in steps][:4] == ["Y", "T", "W", "L"]
    assert all(s["startMs"] > 0 for s in steps)
    show(page, "", screens["steps"], SHOW_8)

    assert colours(page, steps) == [TEXT] * len(steps)  # before the first step is called
    follow_the_calls(page, steps)
    set_clock(page, steps[-1]["startMs"] + 600_000)  # the last step stays current
    assert colours(page, steps) == [TEXT] * (len(steps) - 1) + [ACCENT]


def colours(page: WebDriver, steps: list[Json]) -> list[str]:
    """The colour of each step or move shown, in order."""
    by_text = {t["text"]: t["color"] for t in read(page)["texts"] if t["shown"]}
    return [
        next(c for text, c in by_text.items() if text.startswith(f"{s['name']} ")) for s in steps
    ]


def follow_the_calls(page: WebDriver, steps: list[Json]) -> None:
    """Each step or move highlighted, and no other, while the coach calls it."""
    for called, step in enumerate(steps):
        set_clock(page, step["startMs"] + 500)
        expected = [ACCENT if i == called else TEXT for i in range(len(steps))]
        wait_for(page, lambda: colours(page, steps) == expected)  # noqa: B023 - called here


def test_a_warm_up_part_highlights_the_move_being_led_and_has_next(
    page: WebDriver, screens: dict[str, Json]
) -> None:
    moves = screens["warm_up"]["datasources"]["coach"]["steps"]
    assert len(moves) > 1 and all(m["startMs"] > 0 for m in moves)
    show(page, "", screens["warm_up"], SHOW_8)
    assert {"Warm-up", "Part 1 of 2"} <= set(shown_texts(page))
    assert [c["label"] for c in read(page)["controls"]] == ["Next"]
    follow_the_calls(page, moves)
    set_clock(page, moves[-1]["endMs"])  # the part is over: nothing is being led
    wait_for(page, lambda: colours(page, moves) == [TEXT] * len(moves))
    control(page, "Next").click()
    assert page.execute_script("return window.sentEvents") == [["next_set"]]


def test_the_warm_ups_last_part_is_on_screen_while_it_is_led_then_the_first_set(
    page: WebDriver, screens: dict[str, Json]
) -> None:
    lead = screens["warm_up_end"]["datasources"]["coach"]["lead"]
    moves = lead["steps"]
    show(page, "", screens["warm_up_end"], SHOW_8)
    shown = shown_texts(page)
    assert {"Warm-up", "Part 2 of 2", "Up next: T push-up"} <= set(shown)
    assert "T push-up" not in shown and "Set 1 of 4" not in shown
    # Next starts the set (start_set: being ready, never a set counted).
    assert [c["label"] for c in read(page)["controls"]] == ["Next"]
    control(page, "Next").click()
    assert page.execute_script("return window.sentEvents") == [["start_set"]]
    follow_the_calls(page, moves)
    set_clock(page, lead["untilMs"])  # the coach moves on to the first exercise
    wait_for_text(page, "Set 1 of 4")
    assert "T push-up" in shown_texts(page) and "Warm-up" not in shown_texts(page)
    assert [c["label"] for c in read(page)["controls"]] == CONTROLS


# --- touch --------------------------------------------------------------------------------------


def control(page: WebDriver, label: str) -> Any:
    """The control labelled `label` on screen (a view not shown yet, or no longer, has some)."""
    found = page.find_elements(By.CSS_SELECTOR, f'.apl-touch[aria-label="{label}"]')
    return next(element for element in found if element.is_displayed())


def test_pressing_next_set_sends_next_set_and_shows_the_press(
    page: WebDriver, screens: dict[str, Json]
) -> None:
    show(page, "", screens["set"], SHOW_8)
    button = control(page, "Next set")
    frame = button.find_element(By.CSS_SELECTOR, ".apl-frame")
    idle = frame.value_of_css_property("background-color")
    actions = ActionChains(page)
    actions.click_and_hold(button).perform()
    held = frame.value_of_css_property("background-color")
    assert held != idle  # @buttonPressed while the finger is down
    assert page.execute_script("return window.sentEvents") == []  # sent on release
    actions.release(button).perform()
    assert frame.value_of_css_property("background-color") == idle
    assert page.execute_script("return window.sentEvents") == [["next_set"]]


def test_pause_and_resume_follow_the_skills_paused_state(
    page: WebDriver, screens: dict[str, Json], tmp_path: Path
) -> None:
    show(page, "", screens["set"], SHOW_8)
    control(page, "Pause").click()
    assert page.execute_script("return window.sentEvents") == [["pause"]]
    paused = reach(tmp_path / "paused.sqlite3", [*SCENES["set"], "pause"])
    assert paused["datasources"]["coach"]["paused"] is True
    show(page, "", paused, SHOW_8)
    assert [c["label"] for c in read(page)["controls"]] == ["Next set", "Resume", *CONTROLS[2:]]
    control(page, "Resume").click()
    assert page.execute_script("return window.sentEvents") == [["resume"]]


# --- the expression language ----------------------------------------------------------------


def evaluate(page: WebDriver, expression: str, names: Json | None = None) -> tuple[Any, list[str]]:
    value, warnings = page.execute_script(
        "const warnings = [];"
        "return [APL.evaluate(arguments[0], arguments[1], warnings), warnings];",
        expression,
        names or {},
    )
    return value, warnings


@pytest.mark.parametrize(
    ("expression", "value"),
    [
        ("${1 + 2 * 3}", 7),
        ("${(1 + 2) * 3}", 9),
        ("${10 - 4 - 3}", 3),  # left to right
        ("${-2 * -3 + 7 % 4}", 9),
        ("${1 < 2 == true}", True),
        ("${1 == '1'}", False),  # no type coercion
        ("${false ? 1 : true ? 2 : 3}", 2),
        ("${'a' + 1 + 2}", "a12"),
        ("${1 + 2 + 'a'}", "3a"),
        ("Set ${n} of ${'4'}", "Set 3 of 4"),
        ("${rest}", {"seconds": 30}),  # one expression keeps its type
        ("${n}", 3),
        ("n is ${n}", "n is 3"),
        ("${missing && missing.deep.path}", None),  # short-circuit
        ("${missing.deep.path}", None),  # a missing name is null, not an error
        ("${n > 1 || missing.x}", True),
        ("${'' || 'fallback'}", "fallback"),
        ("${list[1] + list.length}", 22),
        ("${Math.max(0, Math.ceil(n / 2))}", 2),
        ("${Math.min(rest.seconds, 99)}", 30),
        ("${'a}b' + \"c\"}", "a}bc"),
        ("${!n}", False),
        ("${Math.constructor}", None),  # no way out of the data
    ],
)
def test_expressions(page: WebDriver, expression: str, value: Any) -> None:
    names = {"n": 3, "rest": {"seconds": 30}, "list": [10, 20]}
    assert evaluate(page, expression, names) == (value, [])


@pytest.mark.parametrize("expression", ["${1 +}", "${(1}", "${a ? b}", "${1 # 2}", "${x(1)}"])
def test_a_bad_expression_warns_and_is_null(page: WebDriver, expression: str) -> None:
    value, warnings = evaluate(page, expression, {"x": 1})
    assert value is None
    assert len(warnings) == 1 and "cannot evaluate" in warnings[0]


def test_what_the_renderer_does_not_support_is_reported_not_dropped(page: WebDriver) -> None:
    document = {
        "type": "APL",
        "version": "1.8",
        "extensions": [],
        "mainTemplate": {
            "parameters": ["payload"],
            "items": [
                {
                    "type": "Container",
                    "items": [
                        {"type": "Text", "text": "${payload.x}", "shadowColor": "red"},
                        {"type": "Image", "source": "https://example.com/a.png"},
                        {"type": "TouchWrapper", "onPress": {"type": "SetValue"}},
                        {"type": "Text", "text": "${1 +}"},
                    ],
                }
            ],
        },
    }
    warnings = page.execute_script(
        "return showScreen(arguments[0], arguments[1], arguments[2])",
        document,
        {"x": "still shown"},
        SHOW_8.as_json(),
    )
    assert "still shown" in shown_texts(page)
    assert warnings == [
        'document: "extensions" is not supported',
        'Text: property "shadowColor" is not supported',
        'component type "Image" is not supported',
        'command "SetValue" is not supported',
        "cannot evaluate ${1 +}: unexpected end",
    ]


def test_a_property_that_reads_event_is_refused_as_a_device_does(page: WebDriver) -> None:
    """APL defines `event` only while a command runs: a colour bound to event.source.pressed
    is refused (and shown as nothing), while the same read in an onPress command works."""
    button = {
        "type": "TouchWrapper",
        "onPress": {"type": "SendEvent", "arguments": ["${event.source.type}"]},
        "item": {
            "type": "Frame",
            "backgroundColor": "${event.source.pressed ? 'red' : 'blue'}",
            "item": {"type": "Text", "text": "Press"},
        },
    }
    document = {"type": "APL", "version": "1.8", "mainTemplate": {"items": [button]}}
    warnings = page.execute_script(
        "return showScreen(arguments[0], {}, arguments[1])", document, SHOW_8.as_json()
    )
    assert warnings == [
        "cannot evaluate ${event.source.pressed ? 'red' : 'blue'}: "
        "event.* is defined only inside commands"
    ]
    page.find_element(By.CSS_SELECTOR, ".apl-touch").click()
    assert page.execute_script("return window.sentEvents") == [["TouchWrapper"]]  # in onPress


def test_a_style_follows_the_pressed_state_its_frame_inherits(page: WebDriver) -> None:
    document = {
        "type": "APL",
        "version": "1.8",
        "styles": {
            "face": {
                "values": [
                    {"backgroundColor": "blue"},
                    {"when": "${state.pressed}", "backgroundColor": "red"},
                ]
            }
        },
        "mainTemplate": {
            "items": [
                {
                    "type": "TouchWrapper",
                    "item": {
                        "type": "Container",
                        "inheritParentState": True,
                        "items": [
                            {"type": "Frame", "style": "face", "inheritParentState": True},
                            {"type": "Frame", "style": "face"},  # its own state: never pressed
                        ],
                    },
                }
            ]
        },
    }
    warnings = page.execute_script(
        "return showScreen(arguments[0], {}, arguments[1])", document, SHOW_8.as_json()
    )
    assert warnings == []
    frames = page.find_elements(By.CSS_SELECTOR, ".apl-frame")
    touch = page.find_element(By.CSS_SELECTOR, ".apl-touch")
    blue, red = "rgba(0, 0, 255, 1)", "rgba(255, 0, 0, 1)"
    assert [f.value_of_css_property("background-color") for f in frames] == [blue, blue]
    ActionChains(page).click_and_hold(touch).perform()
    assert [f.value_of_css_property("background-color") for f in frames] == [red, blue]
    ActionChains(page).release(touch).perform()
    assert [f.value_of_css_property("background-color") for f in frames] == [blue, blue]


# --- the figure -------------------------------------------------------------------------------

# Where the drawn figure's parts are on the page: the graphic shown is scenery, then the body
# from the hip (two legs, then the trunk with the left arm, the head and the right arm).
READ_FIGURE = """
const shownSvg = [...document.querySelectorAll('.apl-vector svg')].find(
  (el) => el.getClientRects().length > 0);
const end = (p) => {
  const pt = p.getPointAtLength(p.getTotalLength());
  const m = p.getScreenCTM();
  return [pt.x * m.a + pt.y * m.c + m.e, pt.x * m.b + pt.y * m.d + m.f];
};
const box = (el) => {
  const r = el.getBoundingClientRect();
  return [r.left, r.top, r.right, r.bottom];
};
const [scenery, placed] = shownSvg.children;
let body = placed;  // down the walk from the anchor to the hip: one group inside another
while (body.children.length === 1) body = body.children[0];
const trunk = body.children[2];
const arm = (g) => ({elbow: end(g.children[0]), hand: end(g.children[1].children[0])});
return {
  svg: box(shownSvg), bench: box(scenery), trunk: box(trunk.children[0]),
  shoulder: end(trunk.children[0]), head: box(trunk.children[2].children[0]),
  left: arm(trunk.children[1]), right: arm(trunk.children[3]),
};
"""


def test_a_led_raise_draws_each_letter_as_it_is_called_face_down_on_the_bench(
    page: WebDriver, screens: dict[str, Json], tmp_path: Path
) -> None:
    """On an Echo Show 8, seen from above face down on the bench, the arms make the letter the
    coach is calling. Its pictures go to a temporary folder (docs/screens is refreshed only by
    `make screenshots`), taken as that does."""
    directive = screens["steps"]
    moments = letter_moments(directive)
    assert [name for name, _ in moments] == ["Y", "T", "W", "L"]
    for name, at in moments:
        picture = save_scene(page, "", directive, SHOW_8, at, tmp_path / f"raise-{name}.png")
        assert picture.stat().st_size > 5_000  # a picture, not an empty frame
        called = [t for t in read(page)["texts"] if t["shown"] and t["color"] == ACCENT]
        lit = [t["text"].split()[0] for t in called if "reps" in t["text"]]
        assert lit == [name]  # the step being called is lit, and no other
        figure = read_figure(page)
        size = figure["svg"][3] - figure["svg"][1]
        assert size >= 400  # the largest thing on the screen
        level = size * 0.03
        bench, trunk = figure["bench"], figure["trunk"]
        assert bench[0] < trunk[0] and trunk[2] < bench[2]  # lying along the bench
        assert bench[1] < trunk[1] + level and trunk[3] < bench[3] + level
        (_, shoulder_y), head_top = figure["shoulder"], figure["head"][1]
        left, right = figure["left"], figure["right"]
        assert left["hand"][0] < figure["shoulder"][0] < right["hand"][0]  # one arm each side
        for side in (left, right):
            hand, elbow = side["hand"], side["elbow"]
            if name == "Y":
                assert hand[1] < head_top
            elif name == "T":
                assert abs(hand[1] - shoulder_y) < level and abs(elbow[1] - shoulder_y) < level
            elif name == "W":
                assert elbow[1] > shoulder_y + level and hand[1] < elbow[1] - level
            else:  # L: upper arms out level, forearms up
                assert abs(elbow[1] - shoulder_y) < level * 2 and hand[1] < elbow[1] - level
                assert abs(hand[0] - elbow[0]) < level * 2


def read_figure(driver: WebDriver) -> Json:
    result: Json = driver.execute_script(READ_FIGURE)
    return result


def test_a_set_draws_its_figure_larger_than_anything_else_on_every_show(
    page: WebDriver, screens: dict[str, Json]
) -> None:
    for viewport in VIEWPORTS[:3]:
        show(page, "", screens["set"], viewport, at_ms=1000)
        figure = read_figure(page)["svg"]
        area = (figure[2] - figure[0]) * (figure[3] - figure[1])
        for item in [*read(page)["texts"], *read(page)["controls"]]:
            if item.get("shown", True):
                box = item["box"]
                assert (box[2] - box[0]) * (box[3] - box[1]) < area, (viewport.name, item)
        assert inside(figure, read(page)["viewport"]), viewport.name


def test_the_round_hub_draws_the_figure_during_a_set_inside_its_circle(
    page: WebDriver, screens: dict[str, Json]
) -> None:
    for scene in ("set", "steps"):
        show(page, "", screens[scene], SPOT, at_ms=1000)
        screen = read(page)
        figure = read_figure(page)["svg"]
        assert inside_circle(figure, screen["viewport"]), scene
        area = (figure[2] - figure[0]) * (figure[3] - figure[1])
        shown = [t for t in screen["texts"] if t["shown"]]
        for item in [*shown, *screen["controls"]]:
            box = item["box"]
            assert (box[2] - box[0]) * (box[3] - box[1]) < area, (scene, item)
            assert inside_circle(box, screen["viewport"]), (scene, item)
    # A rest keeps its countdown: the figure waits for the set.
    rest = screens["rest"]
    show(page, "", rest, SPOT, at_ms=rest["datasources"]["coach"]["lead"]["rest"]["startMs"] + 1000)
    assert "Rest" in shown_texts(page)
    assert page.execute_script(READ_SHOWN_SVGS) == 0


READ_SHOWN_SVGS = """
return [...document.querySelectorAll('.apl-vector svg')].filter(
  (el) => el.getClientRects().length > 0).length;
"""


def test_a_warm_up_draws_the_move_being_led_and_the_next_one_when_the_coach_moves_on(
    page: WebDriver, screens: dict[str, Json]
) -> None:
    """Part 1 of the warm-up: marching, the arms swing low; then arm circles forward and
    backward, the hand going over the head at the top of each circle and down at its call; on
    the Echo Show 8 beside the moves, and on the round hub inside its circle."""
    coach = screens["warm_up"]["datasources"]["coach"]
    names = [step["name"] for step in coach["steps"]]
    assert names[:3] == [
        "March on the spot and swing your arms",
        "Big arm circles forward",
        "Big arm circles backward",
    ]
    drawn = coach["figure"]["moves"]

    def hand_over_head() -> bool:
        figure = read_figure(page)
        return bool(figure["right"]["hand"][1] < figure["head"][1])

    def hand_below_shoulder() -> bool:
        figure = read_figure(page)
        return bool(figure["right"]["hand"][1] > figure["shoulder"][1])

    for viewport in (SHOW_8, SPOT):
        assert show(page, "", screens["warm_up"], viewport) == []
        for index, up in ((0, False), (1, True), (2, True)):
            move = drawn[index]
            set_clock(page, move["fromMs"] + 1)  # called: the move's start
            wait_for(page, hand_below_shoulder)
            set_clock(page, move["fromMs"] + move["periodMs"] / 2)  # the top of its first go
            wait_for(page, lambda: hand_over_head() is up)  # noqa: B023 - checked here
            assert page.execute_script(READ_SHOWN_SVGS) == 1  # one figure: the move's
        screen = read(page)
        figure = read_figure(page)["svg"]
        if viewport.shape == "round":
            assert inside_circle(figure, screen["viewport"])
        else:
            assert inside(figure, screen["viewport"])
            listed = [
                t for t in screen["texts"] if t["shown"] and t["text"].startswith(tuple(names))
            ]
            assert len(listed) == len(names)
            assert figure[0] > max(t["box"][2] for t in listed)  # beside the moves


@pytest.mark.parametrize("scene", list(SCENES))
def test_every_control_is_inside_every_screen(
    page: WebDriver, screens: dict[str, Json], scene: str
) -> None:
    """The longest content (the raise's four letters on a Show 5) gives way before a control
    is pushed off the screen."""
    for viewport in VIEWPORTS:
        show(page, "", screens[scene], viewport, at_ms=1000)
        screen = read(page)
        assert screen["controls"], (scene, viewport.name)
        for control in screen["controls"]:
            fits = inside_circle if viewport.shape == "round" else inside
            assert fits(control["box"], screen["viewport"]), (scene, viewport.name, control)
