"""Every phrase key the code names exists in the locale file, and every key there is used."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from skill.speech.phrasebook import Phrasebook, PhrasebookError, default_phrasebook
from tests.support import REPO_ROOT

SKILL_DIR = REPO_ROOT / "skill"


def skill_sources() -> list[Path]:
    """Only the skill's own code speaks keys (the harness, beside it, plays the runner)."""
    return list(SKILL_DIR.rglob("*.py"))


KEY_SHAPE = re.compile(r"^[a-z_]+(?:\.[a-z_0-9]+)+$")


def _code_keys() -> tuple[set[str], list[re.Pattern[str]]]:
    """String literals shaped like phrase keys, and f-strings as patterns (units.{unit}.one)."""
    literals: set[str] = set()
    patterns: list[re.Pattern[str]] = []
    for path in skill_sources():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                if KEY_SHAPE.match(node.value):
                    literals.add(node.value)
            elif isinstance(node, ast.JoinedStr):
                parts = [
                    re.escape(v.value)
                    if isinstance(v, ast.Constant) and isinstance(v.value, str)
                    else r"[a-z_]+"
                    for v in node.values
                ]
                pattern = "".join(parts)
                if re.match(r"^[a-z_\\.]+", pattern) and "\\." in pattern:
                    patterns.append(re.compile(f"^{pattern}$"))
    return literals, patterns


def test_every_key_the_code_speaks_exists() -> None:
    phrases = default_phrasebook().phrases
    literals, _ = _code_keys()
    say_calls: set[str] = set()
    for path in skill_sources():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr == "say"
                and node.args
                and isinstance(node.args[0], ast.Constant)
                and isinstance(node.args[0].value, str)
            ):
                say_calls.add(node.args[0].value)
    assert say_calls, "found no say() calls: the scan is broken"
    missing = sorted(
        k
        for k in say_calls
        | {k for k in literals if k.split(".")[0] in {p.split(".")[0] for p in phrases}}
        if k not in phrases
    )
    assert missing == []


def test_every_key_in_the_locale_file_is_used() -> None:
    literals, patterns = _code_keys()
    unused = [
        key
        for key in default_phrasebook().phrases
        if key not in literals and not any(p.match(key) for p in patterns)
    ]
    assert unused == []


def test_missing_key_and_missing_placeholder_fail_clearly() -> None:
    book = Phrasebook({"set.first": ("Set 1 of {sets}.",)})
    with pytest.raises(PhrasebookError, match="no phrase for key 'set.last'"):
        book.say("set.last")
    with pytest.raises(PhrasebookError, match="set.first: placeholder 'sets' not supplied"):
        book.say("set.first")


def test_variants_rotate() -> None:
    book = default_phrasebook()
    praise = {book.say("rest.praise", n) for n in range(5)}
    assert len(praise) == 5


def test_a_sentence_that_opens_with_a_name_begins_with_a_capital() -> None:
    """Exercise names are lowercase in the content ("dumbbell shoulder press"): said first in a
    sentence they begin it; said inside a fragment, the sentence around them decides."""
    say = default_phrasebook().say
    assert say("kit.needs_none", name="push-up") == "Push-up needs no kit, just the floor."
    assert say("answers.muscles", name="bent-over row", works="back").startswith("Bent-over row")
    assert say("time.minutes", count="twenty") == "twenty minutes"  # a fragment
    assert say("answers.next", name="bent-over row", next="curls").startswith("After bent-over")
