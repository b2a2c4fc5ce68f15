"""The Accounts panel: the live projection, sortable and filterable.

The selection is the user's: it changes only when they select a row (or a command of
theirs selects its account). Filtering, sorting and live updates never move it to
another account — a selected account the filter hides stays selected (the footer
says so) and is shown selected again when the filter lets it through.

**As of** (`asOfToggle`, `asOfEdit`): the view shows every account as it was at a time
(`esgui.app.as_of`, computed off the GUI thread) with the totals in the footer. Live
updates meanwhile go to the live rows kept aside, never over the as-of rows; turning
the toggle off (or "Back to now") shows the live rows again, up to date.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from PySide6.QtCore import QItemSelectionModel, QModelIndex, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from esgui.app.as_of import TrialBalance
from esgui.projections import AccountSummary
from esgui.ui.accounts.as_of import AsOfBar
from esgui.ui.accounts.model import HEADERS, AccountsModel, AccountsProxy, Column
from esgui.ui.common.formatting import local_time, money, plural
from esgui.ui.common.table_model import Role
from esgui.ui.common.widgets import named, set_state


class AccountsPanel(QWidget):
    account_selected = Signal(str)  # account id ("" when nothing is selected)
    as_of_changed = Signal(object)  # the TrialBalance shown, or None: live again

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        named(self, "accountsPanel", "Accounts")
        self.model = AccountsModel(self)
        self.proxy = AccountsProxy(self)
        self.proxy.setSourceModel(self.model)
        self.filter_edit = named(
            QLineEdit(), "accountsFilter", "Filter accounts (never changes the selection)"
        )
        self.filter_edit.setPlaceholderText("Filter by id or owner")
        self.filter_edit.setClearButtonEnabled(True)
        self.status_filter = named(QComboBox(), "accountStatusFilter", "Status filter")
        for title, value in (("All", ""), ("Open", "open"), ("Closed", "closed"),
                             ("Unreadable", "unreadable")):  # fmt: skip
            self.status_filter.addItem(title, value)
        self.view = named(QTableView(), "accountsView", "Accounts")
        self.view.setModel(self.proxy)
        self.view.setSortingEnabled(True)
        self.view.sortByColumn(Column.ACCOUNT, Qt.SortOrder.AscendingOrder)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.view.setAlternatingRowColors(True)
        self.view.setWordWrap(False)
        self.view.verticalHeader().hide()
        self.view.verticalHeader().setDefaultSectionSize(24)
        header = self.view.horizontalHeader()
        header.setHighlightSections(False)
        header.setStretchLastSection(False)
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        # every column fits the dock by default, down to the window's minimum width;
        # the owner's name takes what is left
        cell, bold = self.view.fontMetrics(), header.fontMetrics()
        for column, sample in ((Column.ACCOUNT, "ACC-000000"), (Column.BALANCE, "9,999,999.99"),
                               (Column.STATUS, "Closed"), (Column.VERSION, "99,999"),
                               (Column.LAST_ACTIVITY, "2026-12-31 23:59")):  # fmt: skip
            title = HEADERS[column]
            width = max(cell.horizontalAdvance(sample) + 14,
                        bold.horizontalAdvance(title) * 11 // 10 + 22)  # fmt: skip
            header.resizeSection(column, width)
        header.setSectionResizeMode(Column.OWNER, QHeaderView.ResizeMode.Stretch)
        header.setMinimumSectionSize(48)
        self.count_label = named(QLabel(), "accountCount", "Account count")
        self.count_label.setProperty("role", "caption")
        self.count_label.setWordWrap(True)

        self.as_of = AsOfBar()
        self.as_of_balance: TrialBalance | None = None  # shown instead of the live rows
        self._live: dict[str, AccountSummary] | None = None  # the live rows meanwhile

        filters = QHBoxLayout()
        filters.addWidget(self.filter_edit, 1)
        filters.addWidget(self.status_filter)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.setSpacing(4)
        layout.addWidget(self.as_of)
        layout.addLayout(filters)
        layout.addWidget(self.view, 1)
        layout.addWidget(self.count_label)

        self.filter_edit.textChanged.connect(self._on_filter_text)
        self.status_filter.currentIndexChanged.connect(self._on_status_filter)
        self.view.selectionModel().currentRowChanged.connect(self._on_current_changed)
        for signal in (self.proxy.rowsInserted, self.proxy.rowsRemoved, self.proxy.modelReset,
                       self.proxy.layoutChanged):  # fmt: skip
            signal.connect(self._on_rows_changed)
        self._selected = ""
        self._keeping = 0  # > 0 while rows change underneath the selection
        self.as_of.balance_ready.connect(self._on_as_of_balance)
        self.as_of.turned_off.connect(self._on_as_of_off)
        self._update_count()

    # -- data --------------------------------------------------------------------------------

    def load(self, rows: list[AccountSummary]) -> None:
        if self._live is not None:
            self._live = {row.account_id: row for row in rows}
            return
        with self._keeping_selection():
            self.model.set_rows(rows)

    def apply_changes(self, rows: list[AccountSummary]) -> None:
        if self._live is not None:
            self._live.update((row.account_id, row) for row in rows)
            return
        with self._keeping_selection():
            self.model.update_rows(rows)

    def clear(self) -> None:
        self.as_of.set_session(None)  # back to now too
        with self._keeping_selection():
            self._selected = ""
            self.model.set_rows([])

    def live_rows(self) -> list[AccountSummary]:
        """The live projection's rows (also while the view shows another time)."""
        if self._live is not None:
            return list(self._live.values())
        return self.model.rows()

    # -- as of -------------------------------------------------------------------------------

    def _on_as_of_balance(self, balance: TrialBalance) -> None:
        if self._live is None:
            self._live = {row.account_id: row for row in self.live_rows()}
        self.as_of_balance = balance
        set_state(self.view, "asOf", "true")  # tinted and framed (the themes)
        with self._keeping_selection():
            self.model.set_rows(list(balance.accounts))
        self.as_of_changed.emit(balance)

    def _on_as_of_off(self) -> None:
        if self._live is None:
            return
        live, self._live = self._live, None
        self.as_of_balance = None
        set_state(self.view, "asOf", "false")
        with self._keeping_selection():
            self.model.set_rows(list(live.values()))
        self.as_of_changed.emit(None)

    # -- selection ---------------------------------------------------------------------------

    def selected_id(self) -> str:
        """The selected account ("" for none), shown or hidden by the filter."""
        return self._selected

    def _proxy_index(self, account_id: str) -> QModelIndex:
        row = self.model.row_of(account_id) if account_id else -1
        if row < 0:
            return QModelIndex()
        return self.proxy.mapFromSource(self.model.index(row, 0))

    def select(self, account_id: str, *, notify: bool = True) -> bool:
        """Select `account_id` (False when it is not shown: unknown or filtered out)."""
        index = self._proxy_index(account_id)
        if not index.isValid():
            return False
        changed = account_id != self._selected
        self._selected = account_id
        with self._keeping_selection():
            pass  # puts the view's current row on it
        self.view.scrollTo(index)
        if changed and notify:
            self.account_selected.emit(account_id)
        return True

    def focus_filter(self) -> None:
        self.filter_edit.setFocus()
        self.filter_edit.selectAll()

    def clear_filters(self) -> None:
        """Show every account (the id/owner text and the status filter cleared)."""
        self.filter_edit.clear()
        self.status_filter.setCurrentIndex(0)

    @contextmanager
    def _keeping_selection(self) -> Iterator[None]:
        """Rows change (filter, live update, reload): the view's current row may move
        or vanish meanwhile; afterwards it is put back on the selected account."""
        self._keeping += 1
        try:
            yield
        finally:
            self._keeping -= 1
            if not self._keeping:
                self._show_selection()

    def _show_selection(self) -> None:
        selection = self.view.selectionModel()
        index = self._proxy_index(self._selected)
        current = selection.currentIndex()
        self._keeping += 1
        try:
            if index.isValid():
                if current.row() != index.row() or not selection.isRowSelected(index.row()):
                    flags = (QItemSelectionModel.SelectionFlag.ClearAndSelect
                             | QItemSelectionModel.SelectionFlag.Rows)  # fmt: skip
                    selection.setCurrentIndex(index, flags)
            elif current.isValid() or selection.hasSelection():
                selection.clearCurrentIndex()
                selection.clearSelection()
        finally:
            self._keeping -= 1
        self.view.viewport().update()
        self._update_count()

    def _on_current_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if self._keeping or not current.isValid():
            return  # rows changed underneath, or nothing: the selection stays
        account_id = str(self.proxy.data(current, Role.ACCOUNT_ID) or "")
        if account_id and account_id != self._selected:
            self._selected = account_id
            self.account_selected.emit(account_id)
            self._update_count()

    def _on_filter_text(self, text: str) -> None:
        with self._keeping_selection():
            self.proxy.set_text(text)

    def _on_status_filter(self, _index: int) -> None:
        with self._keeping_selection():
            self.proxy.set_status(self.status_filter.currentData() or "")

    def _on_rows_changed(self, *_args: object) -> None:
        self._update_count()

    def _update_count(self) -> None:
        shown, total = self.proxy.rowCount(), self.model.rowCount()
        text = f"{plural(total, 'account')}" if shown == total else \
            f"{shown:,} of {plural(total, 'account')}"  # fmt: skip
        if self._selected and not self._proxy_index(self._selected).isValid() \
                and self.model.row_of(self._selected) >= 0:  # fmt: skip
            text += f" · the selected {self._selected} is hidden by the filter"
        balance = getattr(self, "as_of_balance", None)
        if balance is not None:
            text = (f"As of {local_time(balance.at)}: {text} ({balance.open_count:,} open, "
                    f"{balance.closed_count:,} closed) · total balance {money(balance.total)}")
        self.count_label.setText(text)
