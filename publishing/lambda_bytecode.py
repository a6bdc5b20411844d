"""Compiled bytecode for every module in the Lambda zip, that Python reads as it is.

Lambda's /var/task is read-only, so Python cannot keep what it compiles: a module whose .pyc is
missing or stale is compiled again on every cold start. Both were true of the whole package:
serverless.yml leaves the developer's caches of skill/ out (they may be stale or from another
Python), and the packaging stamps every entry of the zip 2098-01-01, so the timestamp-checked
.pyc files pip wrote for the dependencies no longer match their sources and were all ignored:
257 modules compiled on every start, over twice the time of the start itself from a venv.

Each module is compiled again here from the very source in the zip, as an unchecked-hash .pyc
(PEP 552), which is read without comparing timestamps. The zip is rebuilt on every package, so
they always match. A dependency's file that does not compile (none today) keeps what pip left.

serverless.yml runs it as a plugin (lambda_bytecode_plugin.js) as soon as the dependencies are
in the zip, before the function's version is given the zip's hash. By hand:
python -m publishing.lambda_bytecode .serverless/upper-body-coach.zip
"""

from __future__ import annotations

import argparse
import os
import py_compile
import re
import sys
import tempfile
import warnings
import zipfile
from pathlib import Path, PurePosixPath

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = "skill/"
CACHE_TAG = sys.implementation.cache_tag  # cpython-311: checked against the runtime below
_RUNTIME = re.compile(r"^\s*runtime:\s*python(\d+)\.(\d+)\s*$", re.MULTILINE)


class BytecodeError(Exception):
    """The zip cannot be given bytecode its runtime will read."""


def lambda_python(serverless_yml: Path = ROOT / "serverless.yml") -> tuple[int, int]:
    """The Python version serverless.yml's provider.runtime names (python3.12 -> (3, 12))."""
    found = _RUNTIME.search(serverless_yml.read_text(encoding="utf-8"))
    if found is None:
        raise BytecodeError(f"{serverless_yml}: provider.runtime names no pythonX.Y")
    return int(found.group(1)), int(found.group(2))


def add_bytecode(zip_path: Path, runtime: tuple[int, int]) -> int:
    """Give every .py in `zip_path` an unchecked-hash .pyc (replacing any .pyc of that name),
    rebuilding the zip in one step: a failure leaves the old one whole. Every module of
    skill/ must compile. Returns how many were compiled."""
    if sys.version_info[:2] != runtime:
        raise BytecodeError(
            f"bytecode for python{runtime[0]}.{runtime[1]} (serverless.yml's runtime) needs that"
            f" Python; this is {sys.version_info[0]}.{sys.version_info[1]}"
        )
    with zipfile.ZipFile(zip_path) as original, tempfile.TemporaryDirectory() as scratch:
        sources = [n for n in original.namelist() if n.endswith(".py")]
        if not any(n.startswith(PACKAGE) for n in sources):
            raise BytecodeError(f"{zip_path}: no {PACKAGE}*.py to compile")
        compiled: dict[str, tuple[zipfile.ZipInfo, bytes]] = {}
        for name in sources:
            try:
                data = _compile(original.read(name), name, scratch)
            except py_compile.PyCompileError:
                if name.startswith(PACKAGE):
                    raise
                continue
            compiled[_cache_name(name)] = (_entry(_cache_name(name), original.getinfo(name)), data)
        fd, temporary = tempfile.mkstemp(dir=zip_path.parent, suffix=".zip")
        os.close(fd)
        try:
            with zipfile.ZipFile(temporary, "w", zipfile.ZIP_DEFLATED) as rebuilt:
                for info in original.infolist():
                    if info.filename not in compiled:
                        rebuilt.writestr(info, original.read(info))
                for info, data in compiled.values():
                    rebuilt.writestr(info, data)
            os.chmod(temporary, zip_path.stat().st_mode)  # mkstemp's file is the owner's only
            os.replace(temporary, zip_path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
    return len(compiled)


def _entry(name: str, source: zipfile.ZipInfo) -> zipfile.ZipInfo:
    """A zip entry for `name`, dated as its source, a regular file readable by all: Lambda's
    runtime user must be able to read it (an entry made from a bare name is the owner's only)."""
    entry = zipfile.ZipInfo(name, date_time=source.date_time)
    entry.external_attr = 0o100644 << 16
    entry.compress_type = zipfile.ZIP_DEFLATED
    return entry


def _cache_name(source_name: str) -> str:
    """skill/alexa/turn.py -> skill/alexa/__pycache__/turn.cpython-311.pyc: where the import
    system looks, spelled out rather than asked of `importlib.util.cache_from_source`, whose
    answer follows this interpreter's PYTHONPYCACHEPREFIX and optimisation level."""
    source = PurePosixPath(source_name)
    return str(source.parent / "__pycache__" / f"{source.stem}.{CACHE_TAG}.pyc")


def _compile(source: bytes, name: str, scratch: str) -> bytes:
    folder = Path(scratch, "src", os.path.dirname(name))
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / os.path.basename(name)
    path.write_bytes(source)
    out = Path(scratch, "pyc", name + "c")
    out.parent.mkdir(parents=True, exist_ok=True)
    with warnings.catch_warnings():
        if not name.startswith(PACKAGE):  # a dependency's "\&" in a docstring (ask_sdk_model)
            warnings.simplefilter("ignore", SyntaxWarning)
        py_compile.compile(
            str(path),
            cfile=str(out),
            dfile=name,  # the loader puts the real path in when it reads the file
            doraise=True,
            optimize=0,  # asserts kept, as Lambda runs the sources (no -O)
            invalidation_mode=py_compile.PycInvalidationMode.UNCHECKED_HASH,
        )
    return out.read_bytes()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("zip", type=Path, help="the package serverless wrote")
    args = parser.parse_args(argv)
    try:
        added = add_bytecode(args.zip, lambda_python())
    except (BytecodeError, py_compile.PyCompileError, OSError, zipfile.BadZipFile) as error:
        print(f"lambda_bytecode: {error}", file=sys.stderr)
        return 1
    print(f"lambda_bytecode: {added} modules compiled into {args.zip}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
