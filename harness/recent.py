"""A list that keeps only its latest items: the logs of a device that may run for weeks.

A dialog test or a render reads a whole (scripted, finite) run, so by default nothing is
dropped. The browser simulator's device may be left open for days: it keeps the last few, and
its readers take what came since they last looked, counted over everything ever added.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TypeVar

T = TypeVar("T")


class Recent(list[T]):
    """Items in the order added; with `keep` set, only the latest `keep` of them. `first` is the
    number of items[0] among all ever added (how many were dropped). Add with append or extend
    (`+=` and insert would not drop)."""

    def __init__(self, keep: int | None = None) -> None:
        if keep is not None and keep < 1:
            raise ValueError(f"keep at least one item, not {keep}")
        super().__init__()
        self.keep = keep
        self.first = 0

    @property
    def added(self) -> int:
        """How many items were ever added, dropped ones included."""
        return self.first + len(self)

    def since(self, count: int) -> list[T]:
        """The items still kept of those added after the first `count`."""
        return self[max(0, count - self.first) :]

    def append(self, item: T) -> None:
        super().append(item)
        self._drop_old()

    def extend(self, items: Iterable[T]) -> None:
        super().extend(items)
        self._drop_old()

    def _drop_old(self) -> None:
        if self.keep is not None and len(self) > self.keep:
            dropped = len(self) - self.keep
            del self[:dropped]
            self.first += dropped
