from __future__ import annotations

import subprocess

import pytest

from tests.support import REPO_ROOT


@pytest.fixture(scope="session")
def made_package() -> None:
    """`make package` (npm, pip, serverless: about 10 s), run once for the slow tests that read
    what it writes under .serverless/."""
    result = subprocess.run(
        ["make", "package"], cwd=REPO_ROOT, capture_output=True, text=True, timeout=900
    )
    assert result.returncode == 0, result.stdout + result.stderr
