from __future__ import annotations

import gc
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from harness.signing import (
    CA_CERT_FILE,
    DEV_CERT_URL,
    DevIdentity,
    load_dev_identity,
    make_dev_identity,
    save_dev_identity,
)
from skill.app import create_app

# Modules whose tests mostly wait (a browser clicking in real time): each worker's share of the
# run starts with one, so the CPU-bound tests fill the waits instead of the run ending on them.
WAITING_MODULES = (
    "tests/simulator/test_simulator_page.py",
    "tests/simulator/test_apl_screen.py",
    "tests/simulator/test_simulator_locale.py",
)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """pytest-xdist's worksteal hands each worker an equal run of the list in order, and steals
    from the end of a queue: the waiting modules go first in each run, a whole module to a
    worker (one browser each), the rest in their order after them."""
    workers = int(os.environ.get("PYTEST_XDIST_WORKER_COUNT", "1"))
    if workers < 2:
        return
    root = config.rootpath
    waiting: list[list[pytest.Item]] = [[] for _ in WAITING_MODULES]
    rest: list[pytest.Item] = []
    for item in items:
        module = item.path.relative_to(root).as_posix()
        if module in WAITING_MODULES:
            waiting[WAITING_MODULES.index(module)].append(item)
        else:
            rest.append(item)
    share = -(-len(items) // workers)  # each worker's first run of the list
    runs: list[list[pytest.Item]] = [[] for _ in range(workers)]
    for index, module_items in enumerate(waiting):
        runs[index % workers].extend(module_items)
    for run in runs:
        take = max(0, share - len(run))
        run.extend(rest[:take])
        del rest[:take]
    runs[-1].extend(rest)
    items[:] = [item for run in runs for item in run]


def pytest_collection_finish(session: pytest.Session) -> None:
    """What collecting left (every module, model and test item) is kept for the whole run: the
    collector stops scanning it at each full collection (about 1.5 s a worker otherwise)."""
    gc.freeze()


@pytest.fixture(scope="session")
def dev_identity_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A dev CA and signing key on disk, made once: RSA key generation is slow."""
    folder = tmp_path_factory.mktemp("dev-identity")
    save_dev_identity(make_dev_identity(), folder)
    return folder


@pytest.fixture(scope="session")
def dev_identity(dev_identity_dir: Path) -> DevIdentity:
    return load_dev_identity(dev_identity_dir)


@pytest.fixture
def coach_env(monkeypatch: pytest.MonkeyPatch) -> Iterator[pytest.MonkeyPatch]:
    """No COACH_* variables from the developer's shell; set your own with monkeypatch."""
    for name in list(os.environ):
        if name.startswith("COACH_"):
            monkeypatch.delenv(name)
    yield monkeypatch


@pytest.fixture
def make_app(
    coach_env: pytest.MonkeyPatch, tmp_path: Path, dev_identity: DevIdentity, dev_identity_dir: Path
) -> Callable[..., Flask]:
    """`create_app` with real request verification (the dev CA trusted, its chain preloaded)
    and a throwaway database. Keyword arguments replace test_config entries; None drops one."""

    def make(**config: Any) -> Flask:
        test_config: dict[str, Any] = {
            "TESTING": True,
            "COACH_DB_PATH": tmp_path / "coach.sqlite3",
            "COACH_DEV_CA_PATH": dev_identity_dir / CA_CERT_FILE,
            "COACH_CERT_CHAINS": {DEV_CERT_URL: dev_identity.chain_pem()},
        }
        test_config.update(config)
        return create_app({key: value for key, value in test_config.items() if value is not None})

    return make


@pytest.fixture
def app(make_app: Callable[..., Flask]) -> Flask:
    return make_app()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()
