"""The Event log panel: the log, its filters, a footer saying what is shown, and the
ways to move about it (Go to position / time, Home, End: `navigation`).

Filters: scope (the selected account or the whole store), type, operator, time range
and text. The text filter is applied by the database over id, type, operator, data and
metadata (see esgui.app.queries); long filtered scans show progress and can be stopped.
An unfiltered log fetches the rows on screen as the view scrolls (`ensure_rows`); the
event selected is announced once its row has arrived.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QItemSelectionModel, QModelIndex, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QKeyEvent, QRegularExpressionValidator, QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QProgressBar,
    QTableView,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from esgui.app.queries import EventQuery, LogRow
from esgui.ui.common.time_edit import TimeEdit
from esgui.ui.common.widgets import ElidedLabel, named
from esgui.ui.log.columns import HEADERS, LogColumn
from esgui.ui.log.filters import LogFilters
from esgui.ui.log.model import EventLogModel
from esgui.ui.log.navigation import LogNavigator

TEXT_DELAY_MS = 350
SLOW_SCAN_MS = 300  # show the scan's progress when a fetch takes longer than this


class EventLogPanel(QWidget):
    event_selected = Signal(object)  # LogRow | None

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        named(self, "eventLogPanel", "Event log")
        self.model = EventLogModel(self)
        self.navigator = LogNavigator(self.model, self)
        self.account_id = ""
        self._announced = 0  # the key of the current row last announced (event_selected)
        self.reannouncing = False  # event_selected for a row that arrived after it was made current
        self._build()
        self._text_timer = QTimer(self)
        self._text_timer.setSingleShot(True)
        self._text_timer.setInterval(TEXT_DELAY_MS)
        self._text_timer.timeout.connect(self.apply_filters)
        self._slow_timer = QTimer(self)
        self._slow_timer.setSingleShot(True)
        self._slow_timer.setInterval(SLOW_SCAN_MS)
        self._slow_timer.timeout.connect(self._on_slow_fetch)
        self._wire()
        self._update_footer()

    def _build(self) -> None:
        self.filters = LogFilters()
        f = self.filters  # the filter widgets, by the names callers have used
        self.scope, self.type_filter, self.operator_filter = f.scope, f.type_filter, \
            f.operator_filter  # fmt: skip
        self.text_filter, self.newest_first = f.text_filter, f.newest_first
        self.since_check, self.since_edit = f.since_check, f.since_edit
        self.until_check, self.until_edit = f.until_check, f.until_edit

        self.view = named(QTableView(), "eventsView", "Events")
        self.view.setModel(self.model)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.view.setAlternatingRowColors(True)
        self.view.setWordWrap(False)
        self.view.verticalHeader().hide()
        self.view.verticalHeader().setDefaultSectionSize(22)
        self.view.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        header = self.view.horizontalHeader()
        header.setHighlightSections(False)
        header.setStretchLastSection(True)
        cell = self.view.fontMetrics()
        widths = {LogColumn.POSITION: "99999999 !", LogColumn.ACCOUNT: "ACC-000000",
                  LogColumn.VERSION: "Version", LogColumn.TYPE: "MoneyWithdrawn ⚠",
                  LogColumn.AMOUNT: "-999,999.99", LogColumn.OPERATOR: "operator",
                  LogColumn.RECORDED: "2026-12-31 23:59:59"}  # fmt: skip
        bold = header.fontMetrics()
        for column, sample in widths.items():
            header.resizeSection(column, max(cell.horizontalAdvance(sample) + 18,
                                             bold.horizontalAdvance(HEADERS[column]) * 11 // 10
                                             + 20))  # fmt: skip
        # the docks give way before the log's columns are cut (the window's minimum width)
        self.view.setMinimumWidth(sum(header.sectionSize(c) for c in widths) + 24)

        self.footer = named(ElidedLabel(mode=Qt.TextElideMode.ElideRight), "logFooter",
                            "Event log status")  # fmt: skip
        self.footer.setProperty("role", "caption")
        self.scan_bar = QProgressBar()
        self.scan_bar.setMaximumHeight(12)
        self.scan_bar.setMaximumWidth(160)
        self.scan_bar.setTextVisible(False)
        self.stop_button = named(QToolButton(), "logStopButton", "Stop filtering")
        self.stop_button.setText("Stop")
        self.continue_button = named(QToolButton(), "logContinueButton", "Continue filtering")
        self.continue_button.setText("Continue")
        for widget in (self.scan_bar, self.stop_button, self.continue_button):
            widget.hide()
        self.position_edit = named(QLineEdit(), "goToPositionEdit", "Go to position")
        self.position_edit.setPlaceholderText("Position")
        self.position_edit.setValidator(QRegularExpressionValidator(r"[0-9][0-9,]{0,24}"))
        self.position_edit.setToolTip("Go to the event at this position (Enter); Home and "
                                      "End in the log go to the top and the bottom")  # fmt: skip
        self.position_edit.setMaximumWidth(self.position_edit.fontMetrics()
                                           .horizontalAdvance("1,000,000,000") + 20)  # fmt: skip
        self.time_jump = TimeEdit("goToTimeEdit", "Go to time")
        self.time_jump.line.setPlaceholderText("Time")
        self.time_jump.setToolTip("Go to the newest event recorded at or before this time")

        foot = QHBoxLayout()
        foot.addWidget(self.footer, 1)
        foot.addWidget(self.scan_bar)
        foot.addWidget(self.stop_button)
        foot.addWidget(self.continue_button)
        go_to = QLabel("Go to")
        go_to.setProperty("role", "caption")
        foot.addWidget(go_to)
        foot.addWidget(self.position_edit)
        foot.addWidget(self.time_jump)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.setSpacing(4)
        layout.addWidget(self.filters)
        layout.addWidget(self.view, 1)
        layout.addLayout(foot)

    def _keep_rows(self) -> None:
        """Eight rows always show, whatever banners and docks take (the header's height
        is known once the style sheet has polished it)."""
        view = self.view
        rows = 8 * 22 + 2 * view.frameWidth() + 2
        view.setMinimumHeight(view.horizontalHeader().sizeHint().height() + rows)

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802
        self._keep_rows()
        super().showEvent(event)

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802
        if event.type() in (QEvent.Type.StyleChange, QEvent.Type.FontChange):
            self._keep_rows()
        super().changeEvent(event)

    def _wire(self) -> None:
        self.filters.changed.connect(self.apply_filters)
        self.filters.text_edited.connect(lambda: self._text_timer.start())
        self.view.selectionModel().currentRowChanged.connect(self._on_current_changed)
        model = self.model
        model.fetch_started.connect(self._slow_timer.start)
        model.fetch_progressed.connect(self._on_fetch_progress)
        for signal in (model.rows_fetched, model.fetch_failed, model.fetch_stopped,
                       model.modelReset):  # fmt: skip
            signal.connect(self._on_fetch_ended)
        self.stop_button.clicked.connect(model.cancel_fetch)
        self.continue_button.clicked.connect(self._on_continue)
        # an unfiltered log: fetch the rows on screen, whenever what is on screen changes
        self._visible_timer = QTimer(self)
        self._visible_timer.setSingleShot(True)
        self._visible_timer.setInterval(0)
        self._visible_timer.timeout.connect(self._on_visible_changed)
        # (a lambda: QTimer.start(int) would take the scroll value as its interval)
        for signal in (self.view.verticalScrollBar().valueChanged, model.modelReset,
                       model.rowsInserted, model.layoutChanged):  # fmt: skip
            signal.connect(lambda *_args: self._visible_timer.start())
        model.dataChanged.connect(self._on_rows_arrived)
        self.view.viewport().installEventFilter(self)
        self.view.installEventFilter(self)
        self.position_edit.returnPressed.connect(self._on_go_to_position)
        self.time_jump.returnPressed.connect(self._on_go_to_time)
        self.navigator.arrived.connect(self._on_arrived)
        self.navigator.failed.connect(self._on_navigation_failed)

    # -- query ------------------------------------------------------------------------------

    def set_account(self, account_id: str) -> None:
        self.account_id = account_id
        if self.filters.scoped_to_account:
            self.apply_filters()

    def reset(self) -> None:
        """Another store: no account, no filters (the scope and order stay)."""
        self.account_id = ""
        self.filters.clear()
        self.apply_filters()
        self._update_footer()

    def build_query(self) -> EventQuery:
        return self.filters.build_query(self.account_id)

    def apply_filters(self) -> None:
        self._text_timer.stop()
        query = self.build_query()
        if query != self.model.query or self.model.rowCount() == 0:
            self.model.set_query(query)
            self.event_selected.emit(None)

    def show_related(self, key: str, value: str) -> None:
        """The events of the correlation `value`, or whose data or metadata carry
        `value` (a causation id), over the whole store; the filter bar shows it."""
        self.filters.relate(key, value)
        self.apply_filters()

    def focus_search(self) -> None:
        self.text_filter.setFocus()
        self.text_filter.selectAll()

    def toggle_scope(self) -> None:
        """The selected account's events, or the whole store's."""
        self.scope.setCurrentIndex(1 - self.scope.currentIndex())

    # -- selection and highlighting ---------------------------------------------------------

    def current_row(self) -> LogRow | None:
        index = self.view.selectionModel().currentIndex()
        return self.model.row(index.row()) if index.isValid() else None

    def current_key(self) -> int:
        """The key (version or position) of the current row, fetched or not (0: none)."""
        index = self.view.selectionModel().currentIndex()
        return self.model.key_of_row(index.row()) if index.isValid() else 0

    def row_visible(self, row: int) -> bool:
        """Whether the row is on screen (highlighting it needs no scrolling)."""
        rect = self.view.visualRect(self.model.index(row, 0))
        return rect.isValid() and self.view.viewport().rect().contains(rect)

    def highlight_row(self, row: int, *, center: bool = False) -> None:
        index = self.model.index(row, 0)
        if not index.isValid():
            return
        flags = (QItemSelectionModel.SelectionFlag.ClearAndSelect
                 | QItemSelectionModel.SelectionFlag.Rows)  # fmt: skip
        self.view.selectionModel().setCurrentIndex(index, flags)
        hint = QAbstractItemView.ScrollHint
        self.view.scrollTo(index, hint.PositionAtCenter if center else hint.EnsureVisible)

    def clear_highlight(self) -> None:
        self.view.selectionModel().clearCurrentIndex()
        self.view.selectionModel().clearSelection()

    def _on_current_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        row = self.model.row(current.row()) if current.isValid() else None
        self._announced = self.model.key_of_row(current.row()) if row is not None else 0
        self.event_selected.emit(row)  # None for a row not fetched yet: see _on_rows_arrived

    def _on_rows_arrived(self, *_args: object) -> None:
        """The current row's event has arrived (an unfiltered log fetches on screen)."""
        index = self.view.selectionModel().currentIndex()
        if not index.isValid():
            return
        key = self.model.key_of_row(index.row())
        if key != self._announced:
            row = self.model.row(index.row())
            if row is not None:
                self._announced = key
                self.reannouncing = True
                try:
                    self.event_selected.emit(row)
                finally:
                    self.reannouncing = False

    # -- moving about ---------------------------------------------------------------------

    def visible_rows(self) -> tuple[int, int]:
        """The first and last row on screen (-1, -1 for none)."""
        rows = self.model.rowCount()
        if not rows:
            return -1, -1
        viewport = self.view.viewport()
        first = self.view.rowAt(0)
        last = self.view.rowAt(viewport.height() - 1)
        first = 0 if first < 0 else first
        return first, rows - 1 if last < 0 else last

    def _on_visible_changed(self) -> None:
        first, last = self.visible_rows()
        if first >= 0:
            self.model.ensure_rows(first, last)
        self._on_rows_arrived()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        if watched is self.view.viewport() and event.type() == QEvent.Type.Resize:
            self._visible_timer.start(0)
        elif watched is self.view and event.type() == QEvent.Type.KeyPress:
            assert isinstance(event, QKeyEvent)
            if event.key() == Qt.Key.Key_Home:
                self.navigator.home()
                return True
            if event.key() == Qt.Key.Key_End:
                self.navigator.end()
                return True
        return super().eventFilter(watched, event)

    def go_to_position(self, position: int) -> None:
        self.navigator.go_to_position(position)

    def _on_go_to_position(self) -> None:
        text = self.position_edit.text().replace(",", "").strip()
        if text.isdigit():
            self.navigator.go_to_position(int(text))

    def _on_go_to_time(self) -> None:
        when = self.time_jump.value()
        if when is None:
            self._show_note("Not a time: type it like 2026-06-15 14:30:00")
            return
        self.navigator.go_to_time(when)

    def _on_arrived(self, row: int) -> None:
        if 0 <= row < self.model.rowCount():
            self.highlight_row(row, center=True)
            self.view.setFocus()
        self._update_footer()

    def _on_navigation_failed(self, message: str) -> None:
        self._show_note(message)

    def _show_note(self, message: str) -> None:
        self._update_footer()
        self.footer.set_full_text(f"{self.footer.full_text()} · {message}")

    # -- footer -------------------------------------------------------------------------------

    def _on_slow_fetch(self) -> None:
        if self.model.query.filtered:
            self.scan_bar.setRange(0, 0)
            self.scan_bar.show()
            self.stop_button.show()
            self.footer.set_full_text(f"{self.model.summary()} · filtering…")

    def _on_fetch_progress(self, done: int, total: int) -> None:
        self.scan_bar.setRange(0, max(total, 1))
        self.scan_bar.setValue(done)

    def _on_fetch_ended(self, *_args: object) -> None:
        self._slow_timer.stop()
        self.scan_bar.hide()
        self.stop_button.hide()
        self._update_footer()

    def _on_continue(self) -> None:
        self.continue_button.hide()
        self.model.resume()

    def _update_footer(self) -> None:
        model = self.model
        if not self.filters.scoped_to_account:
            scope = "the whole store"
        elif self.account_id:
            scope = f"account {self.account_id}"
        else:
            scope = "the whole store (no account selected)"
        status = model.status
        anchor = self.navigator.anchor_text
        if anchor:
            scope += f", {anchor} (Home: back to the top)"
        self.footer.set_full_text(f"{model.summary()} of {scope} · {status}" if status
                                  else f"{model.summary()} of {scope}")  # fmt: skip
        self.continue_button.setVisible(status == "Stopped")
