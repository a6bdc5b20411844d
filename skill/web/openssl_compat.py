"""Let oscrypto 1.3.0 read two-digit OpenSSL version parts such as "3.0.19".

Why: `ask_sdk_webservice_support` imports `certvalidator`, which imports `oscrypto`. oscrypto
1.3.0 (the newest release) finds the libcrypto version with the regex
`\\b(\\d\\.\\d\\.\\d[a-z]*)\\b`, which cannot match "OpenSSL 3.0.10" or later, so the import
dies with `LibraryNotFoundError: Error detecting the version of libcrypto`. The fix is merged
upstream but unreleased (wbond/oscrypto#75).

How: a `sys.meta_path` finder that, for exactly the two modules holding that regex, compiles
their source with the one literal replaced by `\\d+` parts. Compiling from source skips any
cached .pyc of the unpatched file. If the installed oscrypto no longer contains the broken
literal, the finder steps aside and the normal import runs. Call `install()` before anything
imports `ask_sdk_webservice_support`.
"""

from __future__ import annotations

import importlib.abc
import importlib.machinery
import importlib.util
import sys
from collections.abc import Sequence
from types import ModuleType

# The regex exactly as it is spelled in oscrypto's source (a Python string literal).
BROKEN_LITERAL = "'\\\\b(\\\\d\\\\.\\\\d\\\\.\\\\d[a-z]*)\\\\b'"
FIXED_LITERAL = "'\\\\b(\\\\d+\\\\.\\\\d+\\\\.\\\\d+[a-z]*)\\\\b'"
# The same fixed regex as a pattern, for tests and diagnostics.
FIXED_PATTERN = r"\b(\d+\.\d+\.\d+[a-z]*)\b"

PATCHED_MODULES = frozenset(
    {"oscrypto._openssl._libcrypto_cffi", "oscrypto._openssl._libcrypto_ctypes"}
)


class _PatchedSourceLoader(importlib.abc.Loader):
    """Executes a module from its source text with the version regex fixed."""

    def __init__(self, source: str, origin: str) -> None:
        self._source = source
        self._origin = origin

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> ModuleType | None:
        return None  # the default module object is fine

    def exec_module(self, module: ModuleType) -> None:
        code = compile(self._source, self._origin, "exec", dont_inherit=True)
        exec(code, module.__dict__)

    def get_source(self, fullname: str) -> str:
        return self._source


class OscryptoVersionFinder(importlib.abc.MetaPathFinder):
    """Serves the two oscrypto libcrypto modules with the fixed version regex."""

    def find_spec(
        self,
        fullname: str,
        path: Sequence[str] | None,
        target: ModuleType | None = None,
    ) -> importlib.machinery.ModuleSpec | None:
        if fullname not in PATCHED_MODULES:
            return None
        spec = importlib.machinery.PathFinder.find_spec(fullname, path)
        if (
            spec is None
            or spec.origin is None
            or not isinstance(spec.loader, importlib.machinery.SourceFileLoader)
        ):
            return None
        source = spec.loader.get_source(fullname)
        if source is None or BROKEN_LITERAL not in source:
            return None  # a fixed oscrypto: import it untouched
        loader = _PatchedSourceLoader(source.replace(BROKEN_LITERAL, FIXED_LITERAL), spec.origin)
        return importlib.util.spec_from_file_location(fullname, spec.origin, loader=loader)


def install() -> None:
    """Put the finder first on `sys.meta_path`; calling it again changes nothing."""
    if not any(isinstance(finder, OscryptoVersionFinder) for finder in sys.meta_path):
        sys.meta_path.insert(0, OscryptoVersionFinder())


def use_ctypes() -> None:
    """Have oscrypto reach libcrypto through ctypes rather than cffi.

    Same library, same calls; cffi's backend parses C declarations with pycparser at import,
    which costs part of every server start. Must run before oscrypto loads a backend.
    """
    import oscrypto

    try:
        oscrypto.use_ctypes()
    except RuntimeError:
        pass  # oscrypto was already loaded by someone else: it keeps the backend it has
