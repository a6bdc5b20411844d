"""An exercise's figure, or a warm-up or cool-down move's (skill/content/figures.yaml), as the
screen draws it: the AVG graphic `figure` in documents/coach.json, and the parameters that put
it in each key position.

The graphic is a chain of groups, one per segment, each turned from its parent by the angle
between them (trunk from hip, upper arm from trunk, ...) and drawn the same size for every
exercise; `graphic()` builds it from the proportions below, and the document holds it as
data (a test checks they agree). The chain starts at the figure's anchor (its foot on the
floor, its hand on a bar, or its hip on a bench) and walks to the hip by the same turns the
body is drawn with, so the anchor stays put in every position and all the way between two. A
position is those turns plus where the anchor is and how the figure is scaled, worked out here
so that every position fits the picture. The device moves between two positions by turning
each group part of the way (`coach.figure.moves`), so the figure moves on its own with no
request. Each of those moves carries how its figure is
drawn (scale, both sides or one, scenery), so one view may show one figure after another: a
warm-up part's moves, each while the coach leads it.

Angles are degrees clockwise from straight up, as drawn (y grows downwards, as in AVG).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from skill.content.models import Figure, Pose

Point = tuple[float, float]

SIZE = 200  # the graphic's viewport: SIZE x SIZE
MARGIN = 8  # kept clear on every side
LARGEST_SCALE = 1.3  # a short figure (a bent-over row) is not blown up past this
# Segment lengths, in the graphic's units before scaling.
SHIN = 42.0
THIGH = 42.0
TRUNK = 54.0
NECK = 15.0  # from the shoulders to the middle of the head
HEAD_RADIUS = 11.0
UPPER_ARM = 30.0
FOREARM = 28.0
LIMB_WIDTH = 9
TRUNK_WIDTH = 14
BENCH_WIDTH = 20.0  # across, seen from above
BENCH_DEPTH = 7.0  # the pad's thickness, from the side


def direction(angle: float) -> Point:
    """The unit vector of `angle` degrees clockwise from up, in screen coordinates."""
    rad = math.radians(angle)
    return math.sin(rad), -math.cos(rad)


def _along(start: Point, angle: float, length: float) -> Point:
    dx, dy = direction(angle)
    return start[0] + dx * length, start[1] + dy * length


def _mirrored(angle: float, axis: float) -> float:
    """`angle` reflected about the line at `axis` degrees: a left limb from the right one."""
    return 2 * axis - angle


def joints(pose: Pose, view: str = "side") -> dict[str, Point]:
    """Where each joint of `pose` is, with the hip at (0, 0). From behind (`view` "back") the
    left arm and leg mirror the right ones about the trunk and the hip's upright line."""
    hip = (0.0, 0.0)
    knee = _along(hip, pose.thigh + 180, THIGH)
    ankle = _along(knee, pose.shin + 180, SHIN)
    shoulder = _along(hip, pose.trunk, TRUNK)
    points = {
        "hip": hip,
        "knee": knee,
        "ankle": ankle,
        "shoulder": shoulder,
        "head": _along(shoulder, pose.head, NECK),
        "elbow": _along(shoulder, pose.upper_arm, UPPER_ARM),
        "hand": _along(_along(shoulder, pose.upper_arm, UPPER_ARM), pose.forearm, FOREARM),
    }
    if view == "back":
        upper_arm = _mirrored(pose.upper_arm, pose.trunk)
        forearm = _mirrored(pose.forearm, pose.trunk)
        left_knee = _along(hip, _mirrored(pose.thigh, 0) + 180, THIGH)
        points.update(
            left_elbow=_along(shoulder, upper_arm, UPPER_ARM),
            left_hand=_along(_along(shoulder, upper_arm, UPPER_ARM), forearm, FOREARM),
            left_knee=left_knee,
            left_ankle=_along(left_knee, _mirrored(pose.shin, 0) + 180, SHIN),
        )
    return points


def _anchor_point(figure: Figure, points: dict[str, Point]) -> Point:
    return {"foot": points["ankle"], "hand": points["hand"], "hip": points["hip"]}[figure.anchor]


def _reach(points: dict[str, Point]) -> list[Point]:
    """The corners of what is drawn around the joints: limbs, and the head's circle."""
    (hx, hy), r = points["head"], HEAD_RADIUS
    return [*points.values(), (hx - r, hy - r), (hx + r, hy + r)]


@dataclass(frozen=True)
class Placed:
    """A figure fitted into the graphic: each position's hip (where its anchor stays put), the
    scale, and the scenery (floor, bench, bar) as AVG path data."""

    hips: dict[str, Point]
    anchor: Point  # what stays put, on the graphic: the device draws the figure out from it
    scale: float
    scenery: str


def place(figure: Figure) -> Placed:
    """Every position of `figure` with its anchor at one point, the whole scaled and centred to
    fit the graphic."""
    by_name = {pose.name: joints(pose, figure.view) for pose in figure.positions}
    # Each position moved so that its anchor is where the start position's is.
    home = _anchor_point(figure, by_name["start"])
    anchors = {name: _anchor_point(figure, points) for name, points in by_name.items()}
    shifts = {name: (home[0] - x, home[1] - y) for name, (x, y) in anchors.items()}
    corners = [
        (x + shifts[name][0], y + shifts[name][1])
        for name, points in by_name.items()
        for x, y in _reach(points)
    ]
    left, right = min(x for x, _ in corners), max(x for x, _ in corners)
    top, bottom = min(y for _, y in corners), max(y for _, y in corners)
    room = SIZE - 2 * MARGIN
    scale = min(LARGEST_SCALE, room / max(right - left, 1.0), room / max(bottom - top, 1.0))
    # Centred across; on the floor (or centred) down.
    offset_x = SIZE / 2 - scale * (left + right) / 2
    offset_y = (
        SIZE - MARGIN - scale * bottom
        if figure.view == "side" and figure.anchor == "foot"
        else SIZE / 2 - scale * (top + bottom) / 2
    )

    def on_screen(point: Point, name: str = "start") -> Point:
        return (
            offset_x + scale * (point[0] + shifts[name][0]),
            offset_y + scale * (point[1] + shifts[name][1]),
        )

    hips = {name: on_screen((0.0, 0.0), name) for name in by_name}
    start = by_name["start"]
    scenery = _scenery(figure, {key: on_screen(point) for key, point in start.items()}, scale)
    if figure.view == "side" and figure.anchor == "foot":
        floor = SIZE - MARGIN + LIMB_WIDTH / 2
        scenery = f"M{MARGIN},{_n(floor)}L{SIZE - MARGIN},{_n(floor)}" + scenery
    anchor = on_screen(home)
    return Placed(hips=hips, anchor=anchor, scale=scale, scenery=scenery)


def _scenery(figure: Figure, start: dict[str, Point], scale: float) -> str:
    """The bench under the start position's trunk, or the bar in its hands, as path data."""
    if figure.anchor == "hand":
        x, y = start["hand"]
        return f"M{_n(x - 40 * scale)},{_n(y)}L{_n(x + 40 * scale)},{_n(y)}"
    if figure.bench == "none":
        return ""
    hip, shoulder = start["hip"], start["shoulder"]
    trunk = math.degrees(math.atan2(shoulder[0] - hip[0], hip[1] - shoulder[1]))
    ends = (_along(hip, trunk + 180, 14 * scale), _along(shoulder, trunk, 4 * scale))
    if figure.view == "back":  # seen from above: the pad, wider than the trunk
        half = BENCH_WIDTH * scale / 2
        corners = [
            _along(ends[0], trunk - 90, half),
            _along(ends[1], trunk - 90, half),
            _along(ends[1], trunk + 90, half),
            _along(ends[0], trunk + 90, half),
        ]
        return _polygon(corners)
    # From the side: the pad along the trunk, on its front (face down) or back (face up).
    side = trunk + (90 if figure.bench == "front" else -90)
    near = [_along(point, side, (TRUNK_WIDTH / 2) * scale) for point in ends]
    far = [_along(point, side, (TRUNK_WIDTH / 2 + BENCH_DEPTH) * scale) for point in ends]
    pad = _polygon([near[0], near[1], far[1], far[0]])
    middle = ((far[0][0] + far[1][0]) / 2, (far[0][1] + far[1][1]) / 2)
    return pad + f"M{_n(middle[0])},{_n(middle[1])}L{_n(middle[0])},{SIZE - MARGIN}"


def _polygon(points: Sequence[Point]) -> str:
    first, *rest = points
    return f"M{_n(first[0])},{_n(first[1])}" + "".join(f"L{_n(x)},{_n(y)}" for x, y in rest) + "Z"


def _n(value: float) -> str:
    """A number for path data or a parameter: one decimal, no trailing zeros."""
    text = f"{value:.1f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def _turn(angle: float) -> float:
    """An angle as the least turn: from -180 to 180."""
    return (angle + 180) % 360 - 180


def turns(pose: Pose) -> dict[str, float]:
    """Each group's turn from its parent in the graphic: the hip's frame is upright, so the thigh
    and trunk turn by their own angle; the rest by the angle from the segment they hang on."""
    return {
        "thigh": _turn(pose.thigh),
        "shin": _turn(pose.shin - pose.thigh),
        "trunk": _turn(pose.trunk),
        "head": _turn(pose.head - pose.trunk),
        "arm": _turn(pose.upper_arm - pose.trunk),
        "forearm": _turn(pose.forearm - pose.upper_arm),
    }


def position(placed: Placed, pose: Pose) -> dict[str, float]:
    """The graphic's parameters for `pose`: where its anchor is (the same in every position),
    and each group's turn."""
    x, y = placed.anchor
    return {"x": round(x, 1), "y": round(y, 1), **{k: round(v, 1) for k, v in turns(pose).items()}}


def towards(start: dict[str, float], end: dict[str, float]) -> dict[str, float]:
    """`end` with each turn taken the short way round from `start` (350 after 10 is -10), so
    the device's sweep between them never spins the long way."""
    return {
        key: (value if key in ("x", "y") else round(start[key] + _turn(value - start[key]), 1))
        for key, value in end.items()
    }


@dataclass(frozen=True)
class Sweep:
    """One stretch of the figure on screen: shown from `shown_ms` until `until_ms` (-1: for
    good), going from position `start` to `end` and back once every `period_ms` from `from_ms`
    until `stop_ms` (-1: for good), and holding `start` otherwise. All in ms after the screen
    appears; a period of 0 holds `start` throughout."""

    start: str
    end: str
    shown_ms: int = 0
    until_ms: int = -1
    from_ms: int = 0
    stop_ms: int = -1
    period_ms: int = 0


def moves(figure: Figure, sweeps: Iterable[Sweep]) -> list[dict[str, Any]]:
    """The `moves` of the datasource's figure: each sweep with its two positions' parameters
    and what the graphic needs to draw `figure` beyond them."""
    placed = place(figure)
    drawing = {
        "size": round(placed.scale, 3),
        "mirror": 1 if figure.view == "back" else 0,
        "hand": 1 if figure.anchor == "hand" else 0,
        "foot": 1 if figure.anchor == "foot" else 0,
        "scenery": placed.scenery or NOTHING,
    }
    found = []
    for sweep in sweeps:
        start_pose, end_pose = figure.position(sweep.start), figure.position(sweep.end)
        assert start_pose is not None and end_pose is not None  # the loader checked the names
        a = position(placed, start_pose)
        found.append(
            {
                "a": a,
                "b": towards(a, position(placed, end_pose)),
                "startMs": sweep.shown_ms,
                "endMs": sweep.until_ms,
                "fromMs": sweep.from_ms,
                "stopMs": sweep.stop_ms,
                "periodMs": sweep.period_ms,
                **drawing,
            }
        )
    return found


def figure_data(figure_moves: list[dict[str, Any]]) -> dict[str, Any]:
    """The `figure` of a view: its moves, one shown at a time (none: no figure)."""
    return {"moves": figure_moves}


NOTHING = "M0,0"  # path data that draws nothing
NO_FIGURE: dict[str, Any] = figure_data([])


# --- the graphic: built from the proportions above, kept in the document as data ------------


def _part(key: str) -> str:
    """A turn `key` part of the way from position a to b (k: 0 at a, 1 at b)."""
    return f"a.{key} + (b.{key} - a.{key}) * k"


def _segment(length: float, width: int, down: bool = False) -> dict[str, Any]:
    end = f"0,{_n(length)}" if down else f"0,{_n(-length)}"
    return {
        "type": "path",
        "pathData": f"M0,0L{end}",
        "stroke": "${ink}",
        "strokeWidth": width,
        "strokeLineCap": "round",
    }


def _limb(
    turn: str,
    inner: tuple[float, int],
    outer_turn: str,
    outer: tuple[float, int],
    down: bool,
    left: bool,
    at: float = 0.0,
) -> dict[str, Any]:
    """A two-segment limb: its group turned by `turn`, its lower part by `outer_turn`; the left
    one (drawn only from behind: opacity `mirror`) turned the other way."""
    sign = "-" if left else ""
    length, width = inner
    joint = length if down else -length
    group: dict[str, Any] = {
        "type": "group",
        "rotation": f"${{{sign}({_part(turn)})}}",
        "items": [
            _segment(length, width, down),
            {
                "type": "group",
                "translateY": round(joint, 1),
                "rotation": f"${{{sign}({_part(outer_turn)})}}",
                "items": [_segment(outer[0], outer[1], down)],
            },
        ],
    }
    if at:
        group["translateY"] = round(at, 1)
    if left:
        group["opacity"] = "${mirror}"
    return group


def _walk_to_the_hip(body: list[dict[str, Any]]) -> dict[str, Any]:
    """`body` (drawn out from the hip) reached from the anchor at the group's origin: along the
    forearm, upper arm and trunk from a hand on a bar (`hand` 1), along the shin and thigh from
    a foot on the floor (`foot` 1), or not at all (the hip is the anchor). Each step turns by
    the same angles the body is drawn with, so whatever the device makes of a position part of
    the way between two, the anchor stays where it is: a hand never leaves the bar."""
    trunk, arm, forearm = _part("trunk"), _part("arm"), _part("forearm")
    thigh, shin = _part("thigh"), _part("shin")
    # (the length walked along the frame's up first, then the turn), anchor to hip: facing the
    # way back along the forearm (or up the shin); on to the elbow, facing the shoulder; on to
    # the shoulder, facing the hip; on to the hip, facing up again as the body is drawn.
    steps = [
        (None, f"hand * ({trunk} + {arm} + {forearm} + 180) + foot * ({thigh} + {shin})"),
        (f"hand * {_n(FOREARM)} + foot * {_n(SHIN)}", f"-(hand * ({forearm}) + foot * ({shin}))"),
        (f"hand * {_n(UPPER_ARM)} + foot * {_n(THIGH)}", f"-(hand * ({arm}) + foot * ({thigh}))"),
        (f"hand * {_n(TRUNK)}", f"-(hand * ({trunk} + 180))"),
    ]
    items = body
    for length, turn in reversed(steps):
        group: dict[str, Any] = {"type": "group", "rotation": f"${{{turn}}}", "items": items}
        if length is not None:
            group = {"type": "group", "translateY": f"${{-({length})}}", **group}
        items = [group]
    return items[0]


def graphic() -> dict[str, Any]:
    """The AVG `figure`: a figure in position a, b or part of the way between (k), drawn out
    from its anchor (x, y) and scaled by `size`, over its scenery (floor, bench, bar) as path
    data."""
    arm = ((UPPER_ARM, LIMB_WIDTH), (FOREARM, LIMB_WIDTH))
    leg = ((THIGH, LIMB_WIDTH), (SHIN, LIMB_WIDTH))
    head_top, head_bottom = -(NECK + HEAD_RADIUS), -(NECK - HEAD_RADIUS)
    r = _n(HEAD_RADIUS)
    head = f"M0,{_n(head_bottom)}a{r},{r} 0 1,0 0,{_n(head_top - head_bottom)}"
    head += f"a{r},{r} 0 1,0 0,{_n(head_bottom - head_top)}Z"
    trunk_items = [
        _segment(TRUNK, TRUNK_WIDTH),
        _limb("arm", arm[0], "forearm", arm[1], down=False, left=True, at=-TRUNK),
        {
            "type": "group",
            "translateY": round(-TRUNK, 1),
            "rotation": f"${{{_part('head')}}}",
            "items": [{"type": "path", "pathData": head, "fill": "${ink}"}],
        },
        _limb("arm", arm[0], "forearm", arm[1], down=False, left=False, at=-TRUNK),
    ]
    return {
        "type": "AVG",
        "version": "1.2",
        "description": (
            "A runner in position a, b, or k of the way between: skill/screen/figures.py"
            " builds it; each view's figure in the coach datasource places it"
        ),
        "width": SIZE,
        "height": SIZE,
        "parameters": [
            {"name": "a", "type": "any", "default": {}},
            {"name": "b", "type": "any", "default": {}},
            {"name": "k", "type": "number", "default": 0},
            {"name": "size", "type": "number", "default": 1},
            {"name": "mirror", "type": "number", "default": 0},
            {"name": "hand", "type": "number", "default": 0},
            {"name": "foot", "type": "number", "default": 0},
            {"name": "scenery", "type": "string", "default": NOTHING},
            {"name": "ink", "type": "color", "default": "#f4f4f4"},
            {"name": "prop", "type": "color", "default": "#5b6b7d"},
        ],
        "items": [
            {
                "type": "path",
                "pathData": "${scenery}",
                "fill": "${prop}",
                "stroke": "${prop}",
                "strokeWidth": 4,
                "strokeLineJoin": "round",
            },
            {
                "type": "group",
                "translateX": f"${{{_part('x')}}}",
                "translateY": f"${{{_part('y')}}}",
                "scaleX": "${size}",
                "scaleY": "${size}",
                "items": [
                    _walk_to_the_hip(
                        [
                            _limb("thigh", leg[0], "shin", leg[1], down=True, left=True),
                            _limb("thigh", leg[0], "shin", leg[1], down=True, left=False),
                            {
                                "type": "group",
                                "rotation": f"${{{_part('trunk')}}}",
                                "items": trunk_items,
                            },
                        ]
                    )
                ],
            },
        ],
    }
