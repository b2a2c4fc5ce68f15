"""The Accounts panel: the live projection, sortable and filterable."""

from __future__ import annotations

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

from esgui.projections import AccountSummary
from esgui.ui.accounts.model import AccountsModel, AccountsProxy, Column
from esgui.ui.common.table_model import Role
from esgui.ui.common.widgets import named


class AccountsPanel(QWidget):
    account_selected = Signal(str)  # account id ("" when nothing is selected)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        named(self, "accountsPanel", "Accounts")
        self.model = AccountsModel(self)
        self.proxy = AccountsProxy(self)
        self.proxy.setSourceModel(self.model)
        self.filter_edit = named(QLineEdit(), "accountFilter", "Filter accounts")
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
        header.setStretchLastSection(True)
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        for column, width in ((Column.ACCOUNT, 96), (Column.OWNER, 124), (Column.BALANCE, 96),
                              (Column.STATUS, 60), (Column.VERSION, 62),
                              (Column.LAST_ACTIVITY, 118)):  # fmt: skip
            header.resizeSection(column, width)
        self.count_label = named(QLabel(), "accountCount", "Account count")
        self.count_label.setProperty("role", "caption")

        filters = QHBoxLayout()
        filters.addWidget(self.filter_edit, 1)
        filters.addWidget(self.status_filter)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.setSpacing(4)
        layout.addLayout(filters)
        layout.addWidget(self.view, 1)
        layout.addWidget(self.count_label)

        self.filter_edit.textChanged.connect(self._on_filter_text)
        self.status_filter.currentIndexChanged.connect(
            lambda _i: self.proxy.set_status(self.status_filter.currentData() or "")
        )
        self.view.selectionModel().currentRowChanged.connect(self._on_current_changed)
        for signal in (self.proxy.rowsInserted, self.proxy.rowsRemoved, self.proxy.modelReset,
                       self.proxy.layoutChanged):  # fmt: skip
            signal.connect(self._on_rows_changed)
        self._selected = ""
        self._update_count()

    # -- data --------------------------------------------------------------------------------

    def load(self, rows: list[AccountSummary]) -> None:
        selected = self._selected
        self.model.set_rows(rows)
        if selected:
            self.select(selected, notify=self.selected_id() != selected)

    def apply_changes(self, rows: list[AccountSummary]) -> None:
        self.model.update_rows(rows)

    def clear(self) -> None:
        self.model.set_rows([])
        self._selected = ""

    # -- selection ---------------------------------------------------------------------------

    def selected_id(self) -> str:
        index = self.view.selectionModel().currentIndex()
        if not index.isValid():
            return ""
        return str(self.proxy.data(index, Role.ACCOUNT_ID) or "")

    def select(self, account_id: str, *, notify: bool = True) -> bool:
        row = self.model.row_of(account_id)
        if row < 0:
            return False
        index = self.proxy.mapFromSource(self.model.index(row, 0))
        if not index.isValid():
            return False
        flags = (QItemSelectionModel.SelectionFlag.ClearAndSelect
                 | QItemSelectionModel.SelectionFlag.Rows)  # fmt: skip
        if not notify:
            self.view.selectionModel().blockSignals(True)
        self.view.selectionModel().setCurrentIndex(index, flags)
        if not notify:
            self.view.selectionModel().blockSignals(False)
            self.view.viewport().update()
        self.view.scrollTo(index)
        return True

    def focus_filter(self) -> None:
        self.filter_edit.setFocus()
        self.filter_edit.selectAll()

    def clear_filters(self) -> None:
        """Show every account (the id/owner text and the status filter cleared)."""
        self.filter_edit.clear()
        self.status_filter.setCurrentIndex(0)

    def _on_current_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        account_id = str(self.proxy.data(current, Role.ACCOUNT_ID) or "") if current.isValid() \
            else ""  # fmt: skip
        if account_id != self._selected:
            self._selected = account_id
            self.account_selected.emit(account_id)

    def _on_filter_text(self, text: str) -> None:
        self.proxy.set_text(text)

    def _on_rows_changed(self, *_args: object) -> None:
        self._update_count()

    def _update_count(self) -> None:
        shown, total = self.proxy.rowCount(), self.model.rowCount()
        text = f"{total:,} accounts" if shown == total else f"{shown:,} of {total:,} accounts"
        self.count_label.setText(text)
