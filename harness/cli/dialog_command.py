"""`coach dialog`: run YAML conversation scripts (tests/skill/dialogs format), PASS/FAIL each."""

from __future__ import annotations

import argparse
import sqlite3
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from harness.cli.connection import Connection, connect, fresh_devices, signature_hint
from harness.session_render import limit_problems

if TYPE_CHECKING:
    from harness.device import Device
    from harness.dialog import DialogResult


def _cannot_over_http(name: str) -> Callable[[Device], None]:
    def action(_device: Device) -> None:
        raise RuntimeError(
            f"{name} cannot be done against a server (--endpoint): run the script without "
            "--endpoint, or do it to the server yourself"
        )

    return action


def dialog_actions(connection: Connection) -> dict[str, Callable[[Device], object]]:
    """restart_server (a new app on the same database) and corrupt_record, as the tests do."""
    if connection.endpoint is not None:
        return {name: _cannot_over_http(name) for name in ("restart_server", "corrupt_record")}
    db_path = connection.db_path

    def restart_server(device: Device) -> None:
        device.transport = connection.new_transport()

    def corrupt_record(_device: Device) -> None:
        with sqlite3.connect(str(db_path)) as db:
            db.execute('UPDATE progress SET record = \'{"version": 1, "attr\' ')

    return {"restart_server": restart_server, "corrupt_record": corrupt_record}


def dialog_limit_problems(result: DialogResult) -> list[str]:
    """Alexa's limits on every response the script got, each named by its turn."""
    problems = []
    for outcome in result.outcomes:
        turn = outcome.turn
        if turn is None or not turn.sent:
            continue
        step = outcome.step
        again = f" (repeat {outcome.repetition})" if step.repeat > 1 else ""
        where = f"turn {step.number}{again}: {step.describe()}"
        problems += [f"{where}: {p}" for p in limit_problems(turn.speech_ssml, turn.reprompt_ssml)]
    return problems


def run_dialog_file(path: Path, args: argparse.Namespace) -> tuple[bool, str]:
    from harness.dialog import DialogScriptError, load_dialog, run_dialog

    try:
        script = load_dialog(path)
    except (DialogScriptError, OSError) as error:
        return False, f"cannot load: {error}"
    with tempfile.TemporaryDirectory(prefix="coach-dialog-") as folder:
        connection = connect(args, Path(folder) / "coach.sqlite3")
        result = run_dialog(script, fresh_devices(connection), dialog_actions(connection))
    report = result.report()
    if not result.passed:
        hint = signature_hint(report, connection)
        return False, report if hint is None else f"{report}\n{hint}"
    problems = dialog_limit_problems(result)
    if problems:
        lines = "\n".join(f"  - {p}" for p in problems)
        return False, f"{report}\nbut responses break Alexa's limits:\n{lines}"
    return True, report


def run_dialogs(args: argparse.Namespace) -> int:
    failed = 0
    for path in args.files:
        passed, report = run_dialog_file(path, args)
        if passed:
            print(f"PASS {path}")
        else:
            failed += 1
            print(f"FAIL {path}")
            print("\n".join(f"    {line}" for line in report.splitlines()))
    total = len(args.files)
    print(f"{total - failed} passed, {failed} failed")
    return 1 if failed else 0
