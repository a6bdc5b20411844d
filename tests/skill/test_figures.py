"""The drawn figures: every exercise's positions as data (skill/content/figures.yaml), validated
on load; the joint angles turned into the graphic the screen draws; and what a runner would see
in it (arms in a Y above the head, level in a T, the row bent over, the raise face down on a
bench)."""

from __future__ import annotations

import math
import re
from pathlib import Path
from typing import Any

import pytest

from skill.content.loader import (
    FIGURES_PATH,
    ContentError,
    default_figures,
    default_library,
    default_move_figures,
    load_move_figures,
)
from skill.content.models import Figure, Pose
from skill.screen import figures
from skill.screen.documents import COACH, document

Point = tuple[float, float]


def pose(exercise: str, name: str) -> Pose:
    found = default_figures()[exercise].position(name)
    assert found is not None
    return found


def above(a: Point, b: Point) -> bool:
    return a[1] < b[1]  # y grows downwards


# --- the data -------------------------------------------------------------------------------


def test_every_exercise_of_both_workouts_has_a_figure_with_its_positions() -> None:
    shown = default_figures()
    for workout in default_library().workouts:
        for exercise in workout.exercises:
            names = [p.name for p in shown[exercise.id].positions]
            steps = [step.name for step in exercise.steps]
            assert names == (["start", *steps] if steps else ["start", "end"]), exercise.id
    assert [p.name for p in shown["ytwl_raise"].positions] == ["start", "Y", "T", "W", "L"]


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "figures.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def shipped_with(old: str, new: str) -> str:
    text = FIGURES_PATH.read_text(encoding="utf-8")
    assert old in text
    return text.replace(old, new, 1)


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        (
            "start: {shin: 65, thigh: 65, trunk: 65,",
            "start: {shin: 65, thigh: 65, trunk: up,",
            "figures.yaml: figures.t_push_up.positions.start.trunk: must be an angle in degrees"
            " from -360 to 360 (got 'up')",
        ),
        (
            "      'L': {shin: 2,",
            "      'X': {shin: 2,",
            "figures.yaml: figures.ytwl_raise.positions.X: is not a known key",
        ),
        (
            "  t_push_up:\n    view: side",
            "  t_push_ups:\n    view: side",
            "figures.yaml: figures.t_push_ups: is not a known key",
        ),
        (
            "view: back  # from above",
            "view: front  # from above",
            "figures.yaml: figures.ytwl_raise.view: must be one of side, back (got 'front')",
        ),
        (
            "      end: {shin: 76, thigh: 76, trunk: 76, head: 82, upper_arm: 250, forearm: 165}\n",
            "",
            "figures.yaml: figures.t_push_up.positions.end: is required",
        ),
    ],
)
def test_a_bad_figure_names_the_file_and_the_field(
    tmp_path: Path, old: str, new: str, message: str
) -> None:
    with pytest.raises(ContentError) as raised:
        figures_of(write(tmp_path, shipped_with(old, new)))
    assert str(raised.value).startswith(message)


def figures_of(path: Path) -> tuple[Figure, ...]:
    from skill.content.loader import load_figures

    return load_figures(path)


def test_a_new_exercises_positions_need_only_data(tmp_path: Path) -> None:
    """Positions for an exercise are an entry in the file: the same loader and the same
    drawing take them, whatever the angles."""
    text = shipped_with("view: back  # from above", "view: side  # from above")
    loaded = {f.name: f for f in figures_of(write(tmp_path, text))}
    assert loaded["ytwl_raise"].view == "side"
    placed = figures.place(loaded["ytwl_raise"])
    assert set(placed.hips) == {"start", "Y", "T", "W", "L"}


# --- joint angles to a drawing --------------------------------------------------------------


def test_in_the_y_both_hands_are_above_the_head() -> None:
    y = figures.joints(pose("ytwl_raise", "Y"), "back")
    top_of_head = y["head"][1] - figures.HEAD_RADIUS
    assert y["hand"][1] < top_of_head and y["left_hand"][1] < top_of_head
    assert y["hand"][0] > y["shoulder"][0] > y["left_hand"][0]  # one each side: a Y


def test_in_the_t_the_hands_are_level_with_the_shoulders_and_out_wide() -> None:
    t = figures.joints(pose("ytwl_raise", "T"), "back")
    for hand in ("hand", "left_hand"):
        assert t[hand][1] == pytest.approx(t["shoulder"][1], abs=2)
        reach = figures.UPPER_ARM + figures.FOREARM
        assert abs(t[hand][0] - t["shoulder"][0]) == pytest.approx(reach, abs=1)


def test_in_the_w_the_elbows_drop_and_the_hands_rise_and_in_the_l_the_forearms_point_up() -> None:
    w = figures.joints(pose("ytwl_raise", "W"), "back")
    assert above(w["shoulder"], w["elbow"]) and above(w["hand"], w["elbow"])
    assert abs(w["hand"][0]) > abs(w["elbow"][0])  # out to the sides: a W
    ell = figures.joints(pose("ytwl_raise", "L"), "back")
    assert ell["elbow"][1] == pytest.approx(ell["shoulder"][1], abs=3)  # upper arm out level
    assert ell["hand"][0] == pytest.approx(ell["elbow"][0], abs=3)  # forearm straight up
    assert above(ell["hand"], ell["elbow"])


def test_between_the_letters_the_arms_hang_below_the_shoulders() -> None:
    start = figures.joints(pose("ytwl_raise", "start"), "back")
    assert above(start["shoulder"], start["elbow"]) and above(start["elbow"], start["hand"])


def test_the_raise_is_drawn_face_down_on_a_bench_and_the_chest_press_face_up() -> None:
    raise_, press = default_figures()["ytwl_raise"], default_figures()["chest_press"]
    assert (raise_.bench, press.bench) == ("front", "back")
    # The bench is drawn: a pad under the trunk, a closed shape in the scenery.
    assert figures.place(raise_).scenery.endswith("Z")
    assert "Z" in figures.place(press).scenery
    lying = figures.joints(pose("chest_press", "start"))
    assert lying["shoulder"][1] == pytest.approx(lying["hip"][1], abs=1)  # trunk level


def test_the_row_is_bent_over_and_the_presses_end_overhead() -> None:
    row = figures.joints(pose("bent_over_row", "start"))
    rise = row["hip"][1] - row["shoulder"][1]
    lean = row["shoulder"][0] - row["hip"][0]
    assert lean > 0 and 0 < rise < lean  # tipped forward, more than halfway to level
    pulled = figures.joints(pose("bent_over_row", "end"))
    assert above(pulled["hand"], row["hand"])  # the weight comes up
    for name in ("shoulder_press", "curl_to_press"):
        end = figures.joints(pose(name, "end"))
        assert above(end["hand"], end["head"]), name


def test_every_position_fits_the_picture_with_its_anchor_kept_still() -> None:
    for figure in [*default_figures().values(), *default_move_figures().values()]:
        placed = figures.place(figure)
        for position in figure.positions:
            hip = placed.hips[position.name]
            for x, y in figures.joints(position, figure.view).values():
                sx, sy = hip[0] + placed.scale * x, hip[1] + placed.scale * y
                assert 0 <= sx <= figures.SIZE and 0 <= sy <= figures.SIZE, figure.name
    push_up = default_figures()["t_push_up"]
    placed = figures.place(push_up)
    feet = [
        placed.hips[p.name][0] + placed.scale * figures.joints(p)["ankle"][0]
        for p in push_up.positions
    ]
    assert feet[0] == pytest.approx(feet[1], abs=0.01)  # the feet stay on their spot


# --- the graphic the device draws -----------------------------------------------------------


def test_the_document_holds_the_graphic_built_from_the_proportions() -> None:
    assert document(COACH)["graphics"]["figure"] == figures.graphic()


def _value(raw: Any, names: dict[str, Any]) -> float:
    """A number in the graphic: a literal, or one of its arithmetic ${...} expressions."""
    if not isinstance(raw, str):
        return float(raw)
    source = raw.removeprefix("${").removesuffix("}")
    source = re.sub(r"\b([ab])\.(\w+)", lambda m: repr(names[m[1]][m[2]]), source)
    source = re.sub(r"\b(k|size|mirror|hand|foot)\b", lambda m: repr(names[m[1]]), source)
    assert re.fullmatch(r"[-+*/(). 0-9e]+", source), source
    return float(eval(source))  # noqa: S307 - numbers and operators only, checked above


def _ends(item: dict[str, Any], names: dict[str, Any], at: Any) -> list[tuple[str, Point]]:
    """Where each path of `item` ends on the graphic, under the transform `at` (x, y, angle,
    scale), with the opacity it is drawn at folded into its name."""
    x, y, angle, scale = at
    if item["type"] == "path":
        match = re.fullmatch(r"M0,0L(-?[\d.]+),(-?[\d.]+)", item["pathData"])
        if match is None:
            return []
        px, py = float(match[1]) * scale, float(match[2]) * scale
        rad = math.radians(angle)
        end = (
            x + px * math.cos(rad) - py * math.sin(rad),
            y + px * math.sin(rad) + py * math.cos(rad),
        )
        return [("path", end)]
    tx = _value(item.get("translateX", 0), names) * scale
    ty = _value(item.get("translateY", 0), names) * scale
    rad = math.radians(angle)
    origin = (
        x + tx * math.cos(rad) - ty * math.sin(rad),
        y + tx * math.sin(rad) + ty * math.cos(rad),
    )
    inner = (
        *origin,
        angle + _value(item.get("rotation", 0), names),
        scale * _value(item.get("scaleX", 1), names),
    )
    hidden = "opacity" in item and _value(item["opacity"], names) == 0
    found = [end for child in item.get("items", []) for end in _ends(child, names, inner)]
    return [(("hidden " if hidden else "") + kind, point) for kind, point in found]


def test_the_graphic_draws_each_position_where_the_joint_angles_put_it() -> None:
    """The device turns group by group; the drawing ends where the joint angles say."""
    graphic = figures.graphic()
    for exercise in ("ytwl_raise", "bent_over_row", "l_sit_chin_up", "chest_press"):
        figure = default_figures()[exercise]
        [drawing] = figures.moves(figure, [figures.Sweep("start", "start")])
        placed = figures.place(figure)
        for position in figure.positions:
            params = figures.position(placed, position)
            names = {**drawing, "a": params, "b": params, "k": 0}
            drawn = [
                point
                for item in graphic["items"]
                for kind, point in _ends(item, names, (0.0, 0.0, 0.0, 1.0))
                if kind == "path"
            ]
            hip = placed.hips[position.name]
            points = figures.joints(position, figure.view)
            for joint in ("hand", "elbow", "shoulder", "knee", "ankle"):
                want = (
                    hip[0] + placed.scale * points[joint][0],
                    hip[1] + placed.scale * points[joint][1],
                )
                assert any(math.dist(want, p) < 0.6 for p in drawn), (
                    exercise,
                    position.name,
                    joint,
                )


def test_part_of_the_way_between_two_positions_the_anchor_stays_put() -> None:
    """The device turns every joint part of the way at once; a hand stays on the bar and a
    foot on the floor all the way, not only at the two ends (a chin-up's hands left the bar by
    a seventh of the picture mid-rep when the hip was moved in a straight line)."""
    graphic = figures.graphic()
    anchored = [
        figure
        for figure in [*default_figures().values(), *default_move_figures().values()]
        if figure.anchor in ("hand", "foot")
    ]
    assert "l_sit_chin_up" in {f.name for f in anchored}
    for figure in anchored:
        [drawing] = figures.moves(figure, [figures.Sweep("start", "end")])
        placed = figures.place(figure)
        for k in (0.25, 0.5, 0.75):
            names = {**drawing, "k": k}
            drawn = [
                point
                for item in graphic["items"]
                for kind, point in _ends(item, names, (0.0, 0.0, 0.0, 1.0))
                if kind == "path"
            ]
            nearest = min(math.dist(placed.anchor, point) for point in drawn)
            assert nearest < 0.6, (figure.name, k, nearest)


# --- the warm-up and cool-down moves ----------------------------------------------------------


def test_every_warm_up_and_cool_down_move_is_drawn_and_alike_moves_share_a_figure() -> None:
    drawn = default_move_figures()
    named: dict[str, set[str]] = {}
    for workout in default_library().workouts:
        for part in (*workout.warm_up, *workout.cool_down):
            for move in part:
                assert move.figure in drawn, (workout.id, move.name)
                named.setdefault(move.figure, set()).add(move.name)
    assert set(drawn) == set(named)  # every move figure is used
    # A move done again, or on the other side, is drawn as the first time.
    assert {"Easy jumping jacks", "Easy jumping jacks again"} <= named["jumping_jacks"]
    assert "Now your right arm across your chest" in named["cross_body_stretch"]
    assert "March on the spot again, a little faster" in named["march"]
    for figure in drawn.values():
        assert [p.name for p in figure.positions] == ["start", "end"], figure.name
        assert 1 <= figure.seconds <= 10, figure.name  # an easy tempo, not a sprint


def test_the_moves_look_like_what_the_coach_says() -> None:
    def move_pose(name: str, position: str) -> dict[str, Point]:
        figure = default_move_figures()[name]
        found = figure.position(position)
        assert found is not None
        return figures.joints(found, figure.view)

    for circles in ("arm_circles_forward", "arm_circles_backward", "reach_up"):
        down, up = move_pose(circles, "start"), move_pose(circles, "end")
        assert above(down["shoulder"], down["hand"]) and above(up["hand"], up["head"]), circles
    apart = move_pose("jumping_jacks", "end")
    assert above(apart["hand"], apart["head"]) and above(apart["left_hand"], apart["head"])
    assert apart["left_ankle"][0] < apart["hip"][0] < apart["ankle"][0]  # feet apart
    clasped = move_pose("chest_stretch", "end")
    assert clasped["hand"][0] < clasped["hip"][0]  # behind the back
    across = move_pose("cross_body_stretch", "start")
    assert across["hand"][1] == pytest.approx(across["shoulder"][1], abs=15)  # shoulder height


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        (
            "  march:  # on the spot",
            "  March:  # on the spot",
            "figures.yaml: moves.March: must be lowercase letters",
        ),
        (
            "    seconds: 2\n    positions:\n      start: {shin: 0, thigh: 0, trunk: 0, head: 0,"
            " upper_arm: 150",
            "    seconds: 0\n    positions:\n      start: {shin: 0, thigh: 0, trunk: 0, head: 0,"
            " upper_arm: 150",
            "figures.yaml: moves.march.seconds: must be a whole number from 1 to 10 (got 0)",
        ),
        (
            "      end: {shin: 0, thigh: 0, trunk: 0, head: 0, upper_arm: 5, forearm: 5}",
            "      top: {shin: 0, thigh: 0, trunk: 0, head: 0, upper_arm: 5, forearm: 5}",
            "figures.yaml: moves.arm_circles_forward.positions.top: is not a known key",
        ),
    ],
)
def test_a_bad_move_figure_names_the_file_and_the_field(
    tmp_path: Path, old: str, new: str, message: str
) -> None:
    with pytest.raises(ContentError) as raised:
        load_move_figures(write(tmp_path, shipped_with(old, new)))
    assert str(raised.value).startswith(message)


def test_a_new_moves_figure_needs_only_data(tmp_path: Path) -> None:
    text = FIGURES_PATH.read_text(encoding="utf-8") + (
        "  toe_touch:\n    view: side\n    bench: none\n    anchor: foot\n    seconds: 4\n"
        "    positions:\n"
        "      start: {shin: 0, thigh: 0, trunk: 0, head: 0, upper_arm: 180, forearm: 180}\n"
        "      end: {shin: 0, thigh: 0, trunk: 120, head: 150, upper_arm: 180, forearm: 180}\n"
    )
    loaded = {f.name: f for f in load_move_figures(write(tmp_path, text))}
    assert loaded["toe_touch"].seconds == 4
    assert set(figures.place(loaded["toe_touch"]).hips) == {"start", "end"}
