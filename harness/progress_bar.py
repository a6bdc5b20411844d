"""A one-line progress bar for long renders, redrawn in place with a carriage return.

Shown on a terminal only, unless forced: redirected output stays free of control characters.
"""

from __future__ import annotations

from types import TracebackType
from typing import TextIO

DEFAULT_WIDTH = 30


def format_bar(done: int, total: int, *, width: int = DEFAULT_WIDTH, note: str = "") -> str:
    """'[#########.....................]  9/30 note' (done is clamped to 0..total)."""
    total = max(total, 1)
    done = min(max(done, 0), total)
    filled = done * width // total
    count = f"{done:>{len(str(total))}}/{total}"
    line = f"[{'#' * filled}{'.' * (width - filled)}] {count}"
    return f"{line} {note}".rstrip()


def should_show(stream: TextIO, forced: bool | None = None) -> bool:
    """True/False as forced; otherwise only when `stream` is a terminal."""
    if forced is not None:
        return forced
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())


class ProgressBar:
    def __init__(
        self,
        total: int,
        stream: TextIO,
        *,
        enabled: bool = True,
        width: int = DEFAULT_WIDTH,
        label: str = "",
    ) -> None:
        self.total = total
        self.stream = stream
        self.enabled = enabled
        self.width = width
        self.label = label
        self.done = 0
        self._drawn = 0  # length of the last line drawn, to blank what a shorter one leaves

    def advance(self, steps: int = 1, note: str = "") -> None:
        self.done += steps
        self.draw(note)

    def draw(self, note: str = "") -> None:
        if not self.enabled:
            return
        line = format_bar(self.done, self.total, width=self.width, note=note)
        line = f"{self.label} {line}" if self.label else line
        self.stream.write("\r" + line.ljust(self._drawn))
        self.stream.flush()
        self._drawn = len(line)

    def close(self) -> None:
        if self.enabled and self._drawn:
            self.stream.write("\n")
            self.stream.flush()
            self._drawn = 0

    def __enter__(self) -> ProgressBar:
        self.draw()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()
