"""The skill's bytecode in the Lambda zip (publishing/lambda_bytecode.py): a read-only
/var/task cannot cache what Python compiles, so the zip carries it. The whole package is
checked by the slow packaging tests (test_lambda.py)."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from publishing.lambda_bytecode import BytecodeError, add_bytecode, lambda_python, main

RUNTIME = sys.version_info[:2]


def make_zip(path: Path, files: dict[str, str]) -> Path:
    """A zip as serverless writes one: every entry readable by all, dated 2098-01-01."""
    with zipfile.ZipFile(path, "w") as package:
        for name, text in files.items():
            entry = zipfile.ZipInfo(name, date_time=(2098, 1, 1, 0, 0, 0))
            entry.external_attr = 0o644 << 16
            package.writestr(entry, text)
    return path


def test_every_module_is_run_from_its_bytecode_without_compiling(tmp_path: Path) -> None:
    tag = sys.implementation.cache_tag
    package = make_zip(
        tmp_path / "package.zip",
        {
            "skill/__init__.py": "",
            "skill/greeting.py": "import kit\nWORDS = 'from the compiled module, ' + kit.KIT\n",
            "skill/content/workouts/bodyweight.yaml": "id: bodyweight\n",
            # a dependency, with the .pyc pip wrote, stale for the zip's stamped dates
            "kit/__init__.py": "KIT = 'kit compiled too'\n",
            f"kit/__pycache__/__init__.{tag}.pyc": "stale",
            "kit/py2_only.py": "print 'never imported'\n",  # kept as it is
        },
    )
    package.chmod(0o644)
    assert add_bytecode(package, RUNTIME) == 3
    assert package.stat().st_mode & 0o777 == 0o644
    task = tmp_path / "task"
    with zipfile.ZipFile(package) as built:
        names = built.namelist()
        built.extractall(task)
        # Lambda runs the code as a user that must be able to read every file.
        assert all(info.external_attr >> 16 & 0o444 == 0o444 for info in built.infolist())
    assert f"skill/__pycache__/greeting.{tag}.pyc" in names
    assert names.count(f"kit/__pycache__/__init__.{tag}.pyc") == 1  # replaced, not doubled
    assert {"skill/content/workouts/bodyweight.yaml", "kit/py2_only.py"} <= set(names)
    # Change the sources after packaging: the modules still say what was compiled, so the
    # interpreter ran the bytecode and compiled nothing (unchecked-hash .pyc, PEP 552).
    (task / "skill" / "greeting.py").write_text("WORDS = 'compiled at the cold start'\n")
    (task / "kit" / "__init__.py").write_text("KIT = 'kit compiled at the cold start'\n")
    said = subprocess.run(
        [sys.executable, "-S", "-E", "-B", "-c", "import skill.greeting as g; print(g.WORDS)"],
        cwd=task,
        capture_output=True,
        text=True,
        check=True,
    )
    assert said.stdout.strip() == "from the compiled module, kit compiled too"


def test_a_dependency_that_warns_as_it_compiles_still_gets_its_bytecode(tmp_path: Path) -> None:
    # ask_sdk_model's docstrings hold "\&", a SyntaxWarning from Python 3.12 on: 40 of them
    # printed at every package, and under warnings-as-errors (as here) no bytecode at all.
    tag = sys.implementation.cache_tag
    files = {"skill/a.py": "A = 1\n", "sdk/model.py": '"""Say \\&quot;ANNOUNCE\\&quot;."""\n'}
    package = make_zip(tmp_path / "package.zip", files)
    assert add_bytecode(package, RUNTIME) == 2
    with zipfile.ZipFile(package) as built:
        assert f"sdk/__pycache__/model.{tag}.pyc" in built.namelist()


def test_bytecode_for_another_python_is_refused_and_the_zip_left_whole(tmp_path: Path) -> None:
    package = make_zip(tmp_path / "package.zip", {"skill/a.py": "A = 1\n"})
    before = package.read_bytes()
    with pytest.raises(BytecodeError, match=r"python3\.99"):
        add_bytecode(package, (3, 99))
    assert package.read_bytes() == before


def test_a_module_that_does_not_compile_names_itself_and_leaves_the_zip(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    package = make_zip(tmp_path / "package.zip", {"skill/broken.py": "def (:\n"})
    before = package.read_bytes()
    assert main([str(package)]) == 1
    assert "skill/broken.py" in capsys.readouterr().err
    assert package.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["package.zip"]  # no temporary left


def test_serverless_runtime_is_the_python_that_compiles(tmp_path: Path) -> None:
    """The venv that runs `make package` compiles; its Python must be Lambda's."""
    assert lambda_python() == RUNTIME
    other = tmp_path / "serverless.yml"
    other.write_text("provider:\n  name: aws\n  runtime: nodejs20.x\n")
    with pytest.raises(BytecodeError, match="runtime"):
        lambda_python(other)
