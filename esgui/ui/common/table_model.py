"""The one base of the explorer's table models, and the model of result lists.

`TableModel` owns what every table has: its headers, each column's alignment (numbers
right, text left), the flags of a read-only row, `rowCount` over the rows it holds,
and the custom roles (`Role`). Subclasses hold their own kind of row and answer
`data()`: the accounts (`AccountSummary`), the event log (fetched tuples), and
`RowsModel` for the bounded result lists (verify problems, diff fields and events,
projection findings, review notes), whose rows are built off the GUI thread as plain
`Row`s with their texts already formatted. `FilterProxy` is the proxies' base.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import IntEnum
from typing import Any, Generic, TypeAlias, TypeVar

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
)
from PySide6.QtGui import QBrush, QColor

Index: TypeAlias = QModelIndex | QPersistentModelIndex
T = TypeVar("T")
RIGHT = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
LEFT = int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
FLAGS = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
NO_FLAGS = Qt.ItemFlag.NoItemFlags
# Tones that read on both themes (the palette decides the background).
TONES = {
    "good": QBrush(QColor(30, 140, 70)),
    "bad": QBrush(QColor(205, 45, 40)),
    "warn": QBrush(QColor(190, 110, 0)),
    "muted": QBrush(QColor(125, 134, 143)),
}


class Role(IntEnum):
    """The custom roles of the explorer's models (each answers those it has)."""

    SORT = Qt.ItemDataRole.UserRole + 1  # a sort key for the column (the proxies sort by it)
    PAYLOAD = Qt.ItemDataRole.UserRole + 2  # the row's object: a summary, a LogRow, a Problem…
    ACCOUNT_ID = Qt.ItemDataRole.UserRole + 3
    POSITION = Qt.ItemDataRole.UserRole + 4
    VERSION = Qt.ItemDataRole.UserRole + 5
    PROBLEM = Qt.ItemDataRole.UserRole + 6  # the integrity problem at this event, or None
    NOTE = Qt.ItemDataRole.UserRole + 7  # what review notes say about this event, or None


class TableModel(QAbstractTableModel, Generic[T]):
    """Headers, alignment per column (`numeric` columns right-aligned), read-only flags
    and the row count of `self._rows`; subclasses fill `_rows` and answer `data()`."""

    def __init__(
        self,
        headers: Sequence[str],
        numeric: Sequence[int] = (),
        parent: Any = None,
    ) -> None:
        super().__init__(parent)
        self._headers = tuple(headers)
        self._align = tuple(RIGHT if c in numeric else LEFT for c in range(len(headers)))
        self._rows: list[T] = []

    def set_headers(self, headers: Sequence[str]) -> None:
        """New header titles (as many as before)."""
        self._headers = tuple(headers)[: len(self._headers)]
        self.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, len(self._headers) - 1)

    def alignment(self, column: int) -> int:
        return self._align[column]

    # -- Qt ------------------------------------------------------------------------------

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self._headers)

    def headerData(  # noqa: N802
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < len(self._headers):
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return self._headers[section]
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return self._align[section]
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        return FLAGS if index.isValid() else NO_FLAGS


@dataclass(frozen=True, slots=True)
class Row:
    texts: tuple[str, ...]
    payload: Any = None
    tooltip: str = ""
    tone: str = ""  # good | bad | warn | muted: the text colour of the whole row
    sort_keys: tuple[Any, ...] = ()  # per column; the text when missing


class RowsModel(TableModel[Row]):
    """A result list set as a whole. The lists are bounded by the audit API (at most
    1000 problems, 1000 diff events, …), so they are set in one go, not fetched lazily."""

    def set_rows(self, rows: Sequence[Row]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    def rows(self) -> list[Row]:
        return list(self._rows)

    def payload(self, row: int) -> Any:
        return self._rows[row].payload if 0 <= row < len(self._rows) else None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        row, column = self._rows[index.row()], index.column()
        if not 0 <= column < len(self._headers):
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return row.texts[column] if column < len(row.texts) else ""
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return self._align[column]
        if role == Qt.ItemDataRole.ToolTipRole:
            return row.tooltip or None
        if role == Qt.ItemDataRole.ForegroundRole:
            return TONES.get(row.tone)
        if role == Role.PAYLOAD:
            return row.payload
        if role == Role.SORT:
            if column < len(row.sort_keys):
                return row.sort_keys[column]
            return row.texts[column] if column < len(row.texts) else ""
        return None


class FilterProxy(QSortFilterProxyModel):
    """A sort/filter proxy whose filter is changed through `change_filter`."""

    def change_filter(self, change: Callable[[], None]) -> None:
        """Run `change` (which sets the filter's fields) and filter the rows again."""
        if hasattr(self, "beginFilterChange"):  # Qt ≥ 6.10
            self.beginFilterChange()
            change()
            self.endFilterChange(QSortFilterProxyModel.Direction.Rows)
        else:
            change()
            self.invalidateRowsFilter()
