"""The phrase benchmark's figures (harness/phrase_benchmark.py): per phrase file and per place in
the workout, the share understood with the statistical stand-in for Alexa's NLU and with the
exact matcher, and the harm done unasked; then, with --misses, every phrase missed or harmful.
Also how long the stand-in takes to train and to understand one utterance.

Then the same for every other locale the skill speaks (its own phrases and its blind held-out
set, on its own model).

Run: .venv/bin/python -m bench.phrases [--misses]. The README's table comes from here; the tests
(tests/skill/test_phrase_benchmark.py) keep the figures from getting worse.
"""

from __future__ import annotations

import argparse
import logging
import statistics
import tempfile
import time
from pathlib import Path

from harness.interaction_model import InteractionModel, load_model
from harness.phrase_benchmark import (
    FILES,
    HELD_OUT_FILES,
    Result,
    by_kind_of_intent,
    destructive,
    load_file,
    locale_files,
    misheard,
    report,
    run,
    share,
)
from harness.understanding.recognisers import EXACT, STATISTICAL
from harness.understanding.statistical import StatisticalRecogniser
from harness.utterances import normalize
from skill.locales import SPOKEN


def _cell(results: list[Result]) -> str:
    understood = sum(r.understood for r in results)
    return f"{share(results):.1%} ({understood})"


def _harm(results: list[Result]) -> str:
    return f"{len(destructive(results))} ({len(misheard(results))})"


def table(results: dict[tuple[str, str], list[Result]], files: tuple[str, ...] = FILES) -> str:
    lines = [
        "| phrases | said | understood, stand-in | understood, exact | destructive, stand-in"
        " (misheard) | destructive, exact (misheard) |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for file in files:
        stand_in, exact = results[STATISTICAL, file], results[EXACT, file]
        lines.append(
            f"| {file} | {len(stand_in)} | {_cell(stand_in)} | {_cell(exact)}"
            f" | {_harm(stand_in)} | {_harm(exact)} |"
        )
    return "\n".join(lines)


def places(results: dict[tuple[str, str], list[Result]]) -> str:
    names = [c.name for c in load_file(FILES[0])]
    lines = ["| place | " + " | ".join(FILES) + " |", "| --- |" + " --- |" * len(FILES)]
    for name in names:
        cells = []
        for file in FILES:
            mine = [r for r in results[STATISTICAL, file] if r.context == name]
            exact = [r for r in results[EXACT, file] if r.context == name]
            harm = len(destructive(mine))
            cells.append(
                f"{share(mine):.0%} / {share(exact):.0%}" + (f", {harm} harmful" if harm else "")
                if mine
                else "-"
            )
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def held_out_together(
    results: dict[tuple[str, str], list[Result]], files: tuple[str, ...], locale: str
) -> str:
    """Every held-out file of `locale` together with the stand-in, and again without the
    phrases that are some sample word for word (written apart, but Alexa never misses those)."""
    samples = {normalize(s) for intent in load_model(locale=locale).intents for s in intent.samples}
    held = [r for f in files if "held_out" in f for r in results[STATISTICAL, f]]
    beyond = [r for r in held if normalize(r.phrase) not in samples]
    return (
        f"{locale}, held out together: {_cell(held)} of {len(held)}; not a sample word for word:"
        f" {_cell(beyond)} of {len(beyond)}"
    )


def _trained_seconds(model: InteractionModel, kept_in: Path) -> float:
    started = time.perf_counter()
    StatisticalRecogniser(model, kept_in=kept_in).train()
    return time.perf_counter() - started


def timings() -> str:
    model = load_model()
    with tempfile.TemporaryDirectory() as scratch:
        trained = _trained_seconds(model, Path(scratch))  # nothing kept yet: trained
        loaded = _trained_seconds(model, Path(scratch))  # the classifier just kept, read back
    recogniser = StatisticalRecogniser(model)
    recogniser.train()  # else the first phrase that is not a sample trains it
    phrases = [p for c in load_file(FILES[1]) for p in c.phrases]
    per_phrase = []
    for phrase in phrases:
        started = time.perf_counter()
        recogniser.match(phrase)
        per_phrase.append(time.perf_counter() - started)
    return (
        f"training: {trained * 1000:.0f} ms, or {loaded * 1000:.0f} ms to read it back once"
        f" kept; one utterance: median"
        f" {statistics.median(per_phrase) * 1000:.2f} ms over {len(phrases)} phrases"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--misses", action="store_true", help="list every miss and harm")
    args = parser.parse_args()
    logging.disable(logging.WARNING)  # the app's "verification is off" warning, per runner
    results = run()
    print("Per phrase file (share understood; destructive: a place changed unasked)\n")
    print(table(results))
    print("\nPer place, understood with the stand-in / exact\n")
    print(places(results))
    held_out = [r for f in HELD_OUT_FILES for r in results[STATISTICAL, f]]
    custom, built_in = by_kind_of_intent(held_out)
    print(
        f"\nThe held-out files with the stand-in: {share(custom):.1%} of {len(custom)} meant for a"
        f" custom intent, {share(built_in):.1%} of {len(built_in)} meant for a built-in one"
    )
    print(f"\nThe stand-in: {timings()}")
    print("\nEvery other locale: its own phrases and its blind held-out set, on its own model\n")
    others = {}
    together = [held_out_together(results, FILES, SPOKEN[0])]
    for locale in SPOKEN[1:]:
        files = locale_files(locale)
        others.update(run(files, locale=locale))
        print(
            table(others, files).split("\n", 2)[2] if locale != SPOKEN[1] else table(others, files)
        )
        together.append(held_out_together(others, files, locale))
    print("\nEvery locale's held-out files together, with the stand-in\n")
    print("\n".join(together))
    if args.misses:
        for (recogniser, file), mine in {**results, **others}.items():
            print(f"\n== {recogniser}: {file}\n{report(mine)}")


if __name__ == "__main__":
    main()
