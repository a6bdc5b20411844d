"""`coach dialog`: run YAML conversation scripts (tests/skill/dialogs format), PASS/FAIL each."""

from __future__ import annotations

import argparse
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from harness.cli.connection import Connection, connect, fresh_devices, signature_hint
from harness.session_render import limit_problems

if TYPE_CHECKING:
    from harness.device import Device
    from harness.dialog import DialogResult
    from harness.dialog_stage import Action


def _cannot_over_http(name: str) -> Callable[[Device], None]:
    def action(_device: Device) -> None:
        raise RuntimeError(
            f"{name} cannot be done against a server (--endpoint): run the script without "
            "--endpoint, or do it to the server yourself"
        )

    return action


def stage_for(connection: Connection) -> tuple[Callable[[str], Device], dict[str, Action]]:
    """Devices and `do:` actions: in process, the tests' stage (harness.dialog_stage: its
    clock, restarts, records); over HTTP, fresh user ids and no actions."""
    from harness.dialog_stage import ACTION_NAMES, Stage

    if connection.endpoint is not None or connection.db_path is None:
        return fresh_devices(connection), {name: _cannot_over_http(name) for name in ACTION_NAMES}
    from harness.alexa_apis import AlexaApiServer

    # Alexa's APIs stood in on 127.0.0.1 for the run (a daemon thread: it ends with the command).
    stage = Stage(connection.db_path, connection.app_config, apis=AlexaApiServer().start())

    def device(user_id: str) -> Device:
        return stage.device(user_id, signer=connection.signer, locale=connection.locale)

    return device, stage.actions()


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
        devices, actions = stage_for(connection)
        result = run_dialog(script, devices, actions)
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
