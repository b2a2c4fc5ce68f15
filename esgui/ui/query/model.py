"""The Query panel's results: a lazy table model over pages fetched by the worker.

`rowCount` is what has arrived; `canFetchMore` says more may come and `fetchMore` asks
the worker for the next page (never waiting for it); the page arrives as
`append_rows`, inside beginInsertRows/endInsertRows. A new query is a model reset.
`data()` only looks up texts the worker prepared.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import Any

from PySide6.QtCore import QModelIndex, Qt

from esgui.ui.common.table_model import LEFT, RIGHT, Index, Role, TableModel
from esgui.ui.query.worker import ResultRow

MAX_ROWS = 1_000_000  # the grid stops fetching here; an export writes every row


_NUMBER = re.compile(r"[+-]?\d[\d,]*(\.\d+)?")


def _alignment(rows: Sequence[ResultRow], column: int) -> int:
    """Numbers right-aligned (so digits line up), anything else left: decided by the
    first page, where a column holding only numbers (or nothing) is a number column."""
    texts = [row.texts[column] for row in rows if column < len(row.texts) and row.texts[column]]
    return RIGHT if texts and all(_NUMBER.fullmatch(text) for text in texts) else LEFT


class QueryResultsModel(TableModel[ResultRow]):
    def __init__(self, parent: Any = None) -> None:
        super().__init__((), parent=parent)
        self.exhausted = True
        self.fetching = False
        self.request_more: Callable[[], None] | None = None

    def reset(self, columns: Sequence[str] = (), rows: Sequence[ResultRow] = (),
              exhausted: bool = True) -> None:  # fmt: skip
        self.beginResetModel()
        self._headers = tuple(columns)
        self._align = tuple(_alignment(rows, column) for column in range(len(self._headers)))
        self._rows = list(rows)
        self.exhausted = exhausted
        self.fetching = False
        self.endResetModel()

    def append_rows(self, rows: Sequence[ResultRow], exhausted: bool) -> None:
        self.fetching = False
        self.exhausted = exhausted
        if rows:
            first = len(self._rows)
            self.beginInsertRows(QModelIndex(), first, first + len(rows) - 1)
            self._rows.extend(rows)
            self.endInsertRows()

    def row(self, row: int) -> ResultRow | None:
        return self._rows[row] if 0 <= row < len(self._rows) else None

    # -- Qt ------------------------------------------------------------------------------

    def canFetchMore(self, parent: Index = QModelIndex()) -> bool:  # noqa: B008, N802
        if parent.isValid():
            return False
        return not self.exhausted and not self.fetching and len(self._rows) < MAX_ROWS

    def fetchMore(self, parent: Index = QModelIndex()) -> None:  # noqa: B008, N802
        if not self.canFetchMore(parent) or self.request_more is None:
            return
        self.fetching = True
        self.request_more()

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        row, column = self._rows[index.row()], index.column()
        if not 0 <= column < len(self._headers):
            return None
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            text = row.texts[column] if column < len(row.texts) else ""
            if role == Qt.ItemDataRole.ToolTipRole:
                return text if len(text) > 40 else None
            return text if len(text) <= 500 else text[:500] + "…"
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return self._align[column]
        if role == Role.POSITION:
            return row.position
        if role == Role.ACCOUNT_ID:
            return row.account
        return None
