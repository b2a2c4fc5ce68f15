"""The event log's filter bar: scope (the selected account or the whole store), type,
operator, text, a correlation id, a time range and the order. It builds the
`EventQuery`; `changed` asks for it to be applied now, `text_edited` after a pause in
typing."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QCheckBox, QComboBox, QHBoxLayout, QLineEdit, QVBoxLayout, QWidget

from esgui.app.queries import EventQuery
from esgui.domain.events import EVENT_CLASSES
from esgui.ui.common.time_edit import TimeEdit
from esgui.ui.common.widgets import named


def _utc(when: datetime | None) -> datetime | None:
    return when.astimezone(UTC) if when is not None else None


class LogFilters(QWidget):
    changed = Signal()  # apply the filters now
    text_edited = Signal()  # the text filter is being typed: apply after a pause

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.scope = named(QComboBox(), "logScope", "Show events of")
        self.scope.addItem("Selected account", "account")
        self.scope.addItem("Whole store", "store")
        self.type_filter = named(QComboBox(), "logTypeFilter", "Event type filter")
        self.type_filter.addItem("All types", "")
        for name in EVENT_CLASSES:
            self.type_filter.addItem(name, name)
        self.operator_filter = named(QLineEdit(), "logOperatorFilter", "Operator filter")
        self.operator_filter.setPlaceholderText("Operator")
        self.operator_filter.setClearButtonEnabled(True)
        self.operator_filter.setMaximumWidth(130)
        self.text_filter = named(QLineEdit(), "logTextFilter", "Text filter")
        self.text_filter.setPlaceholderText("Search id, type, data, metadata…")
        self.text_filter.setClearButtonEnabled(True)
        self.correlation_filter = named(QLineEdit(), "logCorrelationFilter",
                                        "Correlation id filter")  # fmt: skip
        self.correlation_filter.setPlaceholderText("Correlation id")
        self.correlation_filter.setToolTip("Only the events of this correlation (both legs "
                                           "of a transfer, a seed run, an import)")  # fmt: skip
        self.correlation_filter.setClearButtonEnabled(True)
        self.newest_first = named(QCheckBox("Newest first"), "logNewestFirst", "Newest first")
        self.newest_first.setChecked(True)
        self.since_check = named(QCheckBox("From"), "logSinceEnabled", "Filter from time")
        self.since_edit = TimeEdit("logSince", "From time", seconds=False)
        self.until_check = named(QCheckBox("to"), "logUntilEnabled", "Filter until time")
        self.until_edit = TimeEdit("logUntil", "Until time (blank: now)", seconds=False,
                                   blank_is_now=True)  # fmt: skip
        self.since_edit.set_value(datetime.now().astimezone() - timedelta(days=30))
        for edit in (self.since_edit, self.until_edit):
            edit.setEnabled(False)

        row1 = QHBoxLayout()
        first: tuple[QWidget, ...] = (self.scope, self.type_filter, self.operator_filter)
        for widget in first:
            row1.addWidget(widget)
        row1.addWidget(self.text_filter, 1)
        row2 = QHBoxLayout()
        second: tuple[QWidget, ...] = (self.since_check, self.since_edit, self.until_check,
                                       self.until_edit)  # fmt: skip
        for widget in second:
            row2.addWidget(widget)
        row2.addStretch(1)
        row2.addWidget(self.correlation_filter, 1)
        row2.addWidget(self.newest_first)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        layout.addLayout(row1)
        layout.addLayout(row2)

        self.scope.currentIndexChanged.connect(self.changed)
        self.type_filter.currentIndexChanged.connect(self.changed)
        self.operator_filter.editingFinished.connect(self.changed)
        self.text_filter.textChanged.connect(lambda _t: self.text_edited.emit())
        self.text_filter.returnPressed.connect(self.changed)
        self.correlation_filter.editingFinished.connect(self.changed)
        self.newest_first.toggled.connect(self.changed)
        for check, edit in ((self.since_check, self.since_edit),
                            (self.until_check, self.until_edit)):  # fmt: skip
            check.toggled.connect(edit.setEnabled)
            check.toggled.connect(self.changed)
            edit.editingFinished.connect(self.changed)
            edit.returnPressed.connect(self.changed)

    @property
    def scoped_to_account(self) -> bool:
        return self.scope.currentData() == "account"

    def build_query(self, account_id: str) -> EventQuery:
        since = _utc(self.since_edit.value()) if self.since_check.isChecked() else None
        # "to 2026-06-15 14:30" includes that minute, "to 2026-06-15" that day
        until = _utc(self.until_edit.span_end()) if self.until_check.isChecked() else None
        type_name = self.type_filter.currentData() or ""
        return EventQuery(
            # no account selected: the whole store
            aggregate_id=(account_id or None) if self.scoped_to_account else None,
            event_types=(type_name,) if type_name else (),
            operator=self.operator_filter.text().strip() or None,
            since=since,
            until=until,
            text=self.text_filter.text().strip(),
            newest_first=self.newest_first.isChecked(),
            correlation_id=self.correlation_filter.text().strip() or None,
        )

    @contextmanager
    def _quiet(self) -> Iterator[None]:
        widgets = (self.scope, self.type_filter, self.operator_filter, self.text_filter,
                   self.correlation_filter, self.since_check, self.until_check)  # fmt: skip
        for widget in widgets:
            widget.blockSignals(True)
        try:
            yield
        finally:
            for widget in widgets:
                widget.blockSignals(False)

    def clear(self, *, keep_text: bool = False) -> None:
        """No type, operator, time range (nor text, unless `keep_text`); scope and
        order stay. Nothing is applied (the caller applies once)."""
        with self._quiet():
            self.type_filter.setCurrentIndex(0)
            self.operator_filter.clear()
            self.correlation_filter.clear()
            if not keep_text:
                self.text_filter.clear()
                self.text_filter.setToolTip("")
            self.since_check.setChecked(False)
            self.until_check.setChecked(False)
            self.since_edit.setEnabled(False)
            self.until_edit.setEnabled(False)

    def relate(self, key: str, value: str) -> None:
        """Whole store, no other filter, and the correlation `value` (a correlation id)
        or the text `value` (a causation id): the events that carry it. Nothing is
        applied (the caller applies)."""
        self.clear()
        with self._quiet():
            self.scope.setCurrentIndex(self.scope.findData("store"))
            if key == "correlation_id":
                self.correlation_filter.setText(value)
            else:
                self.text_filter.setText(value)
        if key != "correlation_id":
            self.text_filter.setToolTip(f"Events related by {key.replace('_', ' ')} {value}")
