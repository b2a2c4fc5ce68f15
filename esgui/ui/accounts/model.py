"""The live account projection as a table model, and its sort/filter proxy.

The model holds the read-model rows the follower sends (at most one per account, a
few thousand at most) and never queries. Balances sort exactly: the sort role gives
integer cents, compared natively by the proxy.
"""

from __future__ import annotations

from enum import IntEnum
from typing import Any

from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtGui import QBrush, QColor

from esgui.projections import UNREADABLE, AccountSummary
from esgui.ui.common.formatting import cents_of, count, local_time, money, utc_iso
from esgui.ui.common.table_model import FilterProxy, Index, Role, TableModel


class Column(IntEnum):
    ACCOUNT = 0
    OWNER = 1
    BALANCE = 2
    STATUS = 3
    VERSION = 4
    LAST_ACTIVITY = 5


HEADERS = ("Account", "Owner", "Balance", "Status", "Version", "Last activity")
NUMERIC = (Column.BALANCE, Column.VERSION)
_MUTED = QColor(128, 128, 128)
_ERROR = QColor(200, 40, 40)


class AccountsModel(TableModel[AccountSummary]):
    """One row per account, in arrival order (the proxy sorts)."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(HEADERS, NUMERIC, parent)
        self._index: dict[str, int] = {}

    # -- Qt ------------------------------------------------------------------------------

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        row = self._rows[index.row()]
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return self._display(row, column)
        if role == Role.SORT:
            return self._sort_key(row, column)
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return self._align[column]
        if role == Qt.ItemDataRole.ForegroundRole and column == Column.STATUS:
            if row.status == UNREADABLE:
                return QBrush(_ERROR)
            if row.status == "closed":
                return QBrush(_MUTED)
            return None
        if role == Qt.ItemDataRole.ToolTipRole:
            if row.error:
                return row.error
            if column == Column.LAST_ACTIVITY:
                return utc_iso(row.last_activity)
            return None
        if role == Role.ACCOUNT_ID:
            return row.account_id
        if role == Role.PAYLOAD:
            return row
        return None

    @staticmethod
    def _display(row: AccountSummary, column: int) -> str:
        if column == Column.ACCOUNT:
            return row.account_id
        if column == Column.OWNER:
            return row.owner
        if column == Column.BALANCE:
            return money(row.balance)
        if column == Column.STATUS:
            return row.status.capitalize()
        if column == Column.VERSION:
            return count(row.version)
        return local_time(row.last_activity, seconds=False)

    @staticmethod
    def _sort_key(row: AccountSummary, column: int) -> Any:
        if column == Column.BALANCE:
            return cents_of(row.balance)
        if column == Column.VERSION:
            return row.version
        if column == Column.LAST_ACTIVITY:
            return row.last_activity.timestamp() if row.last_activity else 0.0
        if column == Column.OWNER:
            return row.owner.casefold()
        return AccountsModel._display(row, column)

    # -- updates from the follower -----------------------------------------------------

    def set_rows(self, rows: list[AccountSummary]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self._index = {row.account_id: i for i, row in enumerate(self._rows)}
        self.endResetModel()

    def update_rows(self, rows: list[AccountSummary]) -> None:
        """Replace the rows of known accounts, append the new ones."""
        fresh: list[AccountSummary] = []
        last = len(HEADERS) - 1
        for row in rows:
            i = self._index.get(row.account_id)
            if i is None:
                fresh.append(row)
                continue
            self._rows[i] = row
            self.dataChanged.emit(self.index(i, 0), self.index(i, last))
        if fresh:
            start = len(self._rows)
            self.beginInsertRows(QModelIndex(), start, start + len(fresh) - 1)
            for offset, row in enumerate(fresh):
                self._rows.append(row)
                self._index[row.account_id] = start + offset
            self.endInsertRows()

    def rows(self) -> list[AccountSummary]:
        """Every row, in arrival order."""
        return list(self._rows)

    def summary(self, account_id: str) -> AccountSummary | None:
        i = self._index.get(account_id)
        return self._rows[i] if i is not None else None

    def row_of(self, account_id: str) -> int:
        return self._index.get(account_id, -1)


class AccountsProxy(FilterProxy):
    """Sorts by the model's exact sort role; filters on id/owner text and status."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.setSortRole(Role.SORT)
        self.setDynamicSortFilter(True)
        self._text = ""
        self._status = ""

    def set_text(self, text: str) -> None:
        self._refilter(text.strip().casefold(), self._status)

    def set_status(self, status: str) -> None:
        self._refilter(self._text, status)

    def _refilter(self, text: str, status: str) -> None:
        def change() -> None:
            self._text, self._status = text, status

        self.change_filter(change)

    def filterAcceptsRow(self, source_row: int, source_parent: Index) -> bool:  # noqa: N802
        model = self.sourceModel()
        row = model.data(model.index(source_row, 0, source_parent), Role.PAYLOAD)
        if row is None:
            return False
        if self._status and row.status != self._status:
            return False
        if self._text:
            return self._text in row.account_id.casefold() or self._text in row.owner.casefold()
        return True
