"""The rows an unfiltered log holds: those near the viewport, by key.

Its keys run 1 … total without gaps, so row and key are arithmetic (newest first: row 0
is the largest key). Fetched rows are held by key (so live growth, which shifts the
rows, leaves them valid); beyond a limit the ones farthest from the viewport go.
"""

from __future__ import annotations

from typing import Any

from esgui.app.queries import LogRow
from esgui.ui.log.blocks import BLOCK
from esgui.ui.log.columns import Texts

Held = tuple[tuple[Any, ...], Texts]  # the row's fields, what its cells show


class HeldRows:
    def __init__(self) -> None:
        self.total = 0
        self.newest_first = True
        self.rows: dict[int, Held] = {}
        self._around = 0  # the key the viewport was last at

    def reset(self, newest_first: bool) -> None:
        self.total, self.newest_first, self.rows, self._around = 0, newest_first, {}, 0

    def key_of_row(self, row: int) -> int:
        if not 0 <= row < self.total:
            return 0
        return self.total - row if self.newest_first else row + 1

    def row_of_key(self, key: int) -> int:
        return self.total - key if self.newest_first else key - 1

    def get(self, row: int) -> Held | None:
        return self.rows.get(self.key_of_row(row)) if 0 <= row < self.total else None

    def wanted(self, first: int, last: int) -> tuple[int, int] | None:
        """The keys to fetch so that rows `first`…`last` (and a block either side) are
        held, or None when they are."""
        first, last = max(first, 0), min(last, self.total - 1)
        if last < first:
            return None
        low_key, high_key = sorted((self.key_of_row(first), self.key_of_row(last)))
        self._around = (low_key + high_key) // 2
        if all(k in self.rows for k in range(low_key, high_key + 1)):
            return None
        low = max(1, (low_key - 1) // BLOCK * BLOCK + 1 - BLOCK // 2)
        high = min(self.total, high_key + BLOCK)
        while low <= high and low in self.rows:
            low += 1
        while high >= low and high in self.rows:
            high -= 1
        return (low, high) if low <= high else None

    def hold(self, rows: list[LogRow], texts: list[Texts], key_name: str, limit: int
             ) -> tuple[int, int]:  # fmt: skip
        """Hold `rows` (at most `limit` in all); returns the first and last row they
        show ((-1, -1) for none)."""
        for row, text in zip(rows, texts, strict=True):
            self.rows[row.key(key_name)] = (tuple(row), text)
        if len(self.rows) > limit:  # drop the rows farthest from the viewport
            around = self._around
            far = sorted(self.rows, key=lambda k: abs(k - around), reverse=True)
            for key in far[: len(self.rows) - limit * 3 // 4]:
                del self.rows[key]
        if not rows:
            return -1, -1
        ends = sorted((self.row_of_key(rows[0].key(key_name)),
                       self.row_of_key(rows[-1].key(key_name))))  # fmt: skip
        return ends[0], ends[1]
