"""A date-and-time field that takes what people type: ISO-8601 (`2026-06-15 00:00:00`,
`2026-06-15T14:30`, `2026-06-15`, with or without an offset) in local time unless an
offset is given, or a day picked from a calendar that shows every row. Enter and
leaving the field finish the edit; text that is not a time is marked, never guessed.

QDateTimeEdit edits section by section: typing a whole time into it from the wrong
section silently shuffles the fields (2026-06-15 00:00:00 became 2026-12-06 15:00:00).
"""

from __future__ import annotations

import re
from datetime import datetime, time, timedelta

from PySide6.QtCore import QDate, QDateTime, Signal
from PySide6.QtWidgets import (
    QCalendarWidget,
    QHBoxLayout,
    QLineEdit,
    QMenu,
    QToolButton,
    QWidget,
    QWidgetAction,
)

from esgui.ui.common.widgets import named, set_state

_CLOCK = re.compile(r"(\d{1,2})?(:\d{2})?(:\d{2})?")
HINT = "Type a date and time like 2026-06-15 14:30:00 (local time, or with an offset)"


def parse_time(text: str) -> tuple[datetime, timedelta] | None:
    """(the instant, the span the text covers: a day, a minute or a second), or None
    when `text` is not an ISO-8601 date or date and time. Times without an offset are
    local."""
    text = " ".join(text.strip().split())
    if not text:
        return None
    try:
        when = datetime.fromisoformat(text)
    except ValueError:
        return None
    clock = _CLOCK.match(text[10:].strip(" T"))
    if clock is None or not clock.group(1):
        span = timedelta(days=1)
    elif clock.group(3):
        span = timedelta(seconds=1)
    else:
        span = timedelta(minutes=1)
    return when.astimezone() if when.tzinfo is None else when, span


class TimeEdit(QWidget):
    """`value()` is the typed time (aware), `span_end()` the last instant it covers
    (the end of that day, minute or second). With `blank_is_now`, an empty field means
    "now" when it is read. `dateTime`/`setDateTime` take and give a QDateTime (or a
    datetime) like QDateTimeEdit's."""

    editingFinished = Signal()  # noqa: N815 - QDateTimeEdit's name
    returnPressed = Signal()  # noqa: N815 - QLineEdit's name

    def __init__(
        self,
        object_name: str,
        description: str,
        *,
        seconds: bool = True,
        blank_is_now: bool = False,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        named(self, object_name, description)
        self._format = "%Y-%m-%d %H:%M:%S" if seconds else "%Y-%m-%d %H:%M"
        self._blank_is_now = blank_is_now
        self.line = QLineEdit()
        self.line.setAccessibleName(f"{object_name}Text")
        self.line.setPlaceholderText("now" if blank_is_now else "YYYY-MM-DD HH:MM")
        self.line.setToolTip(HINT)
        self.line.setMinimumWidth(self.line.fontMetrics().horizontalAdvance("2026-06-15 14:30:00")
                                  + 16)  # fmt: skip
        self.calendar = QCalendarWidget()
        self.calendar.setGridVisible(False)
        self.calendar.clicked.connect(self._on_day_picked)
        self.calendar.activated.connect(self._on_day_picked)
        self.popup = QMenu(self)
        holder = QWidgetAction(self.popup)
        holder.setDefaultWidget(self.calendar)
        self.popup.addAction(holder)
        self.popup.aboutToShow.connect(self._on_popup)
        self.button = named(QToolButton(), f"{object_name}Calendar", "Pick a day")
        self.button.setText("▾")
        self.button.setProperty("role", "calendar")  # base.qss: no second menu arrow
        self.button.setToolTip("Pick a day")
        self.button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.button.setMenu(self.popup)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addWidget(self.line, 1)
        layout.addWidget(self.button)
        self.setFocusProxy(self.line)
        self.line.editingFinished.connect(self._on_editing_finished)
        self.line.returnPressed.connect(self.returnPressed)
        self.line.textEdited.connect(self._on_text_edited)

    # -- the value ---------------------------------------------------------------------

    def text(self) -> str:
        return self.line.text()

    def value(self) -> datetime | None:
        """The time typed (aware); now when blank and `blank_is_now`; None if invalid."""
        if not self.line.text().strip():
            return datetime.now().astimezone() if self._blank_is_now else None
        parsed = parse_time(self.line.text())
        return parsed[0] if parsed is not None else None

    def span_end(self) -> datetime | None:
        """The last instant the text covers: `2026-06-15` is the whole day, a time
        without seconds the whole minute."""
        parsed = parse_time(self.line.text())
        if parsed is None:
            return self.value()
        when, span = parsed
        return when + span - timedelta(microseconds=1)

    def is_valid(self) -> bool:
        return not self.line.text().strip() or parse_time(self.line.text()) is not None

    def set_value(self, when: datetime | None) -> None:
        """Show `when` in local time (None: blank)."""
        self.line.setText("" if when is None else when.astimezone().strftime(self._format))
        self._mark()

    def dateTime(self) -> QDateTime:  # noqa: N802 - QDateTimeEdit's name
        when = self.value() or datetime.now().astimezone()
        return QDateTime.fromSecsSinceEpoch(int(when.timestamp()))

    def setDateTime(self, value: QDateTime | datetime) -> None:  # noqa: N802
        if isinstance(value, QDateTime):
            value = datetime.fromtimestamp(value.toSecsSinceEpoch()).astimezone()
        self.set_value(value)

    # -- editing -----------------------------------------------------------------------

    def _on_text_edited(self, _text: str) -> None:
        self._mark()

    def _mark(self) -> None:
        valid = self.is_valid()
        set_state(self.line, "invalid", "false" if valid else "true")
        self.line.setToolTip(HINT if valid else f"Not a time. {HINT}")

    def _on_editing_finished(self) -> None:
        parsed = parse_time(self.line.text())
        if parsed is not None and parsed[0].tzinfo is not None:
            self._mark()
        self.editingFinished.emit()

    def _on_popup(self) -> None:
        when = self.value() or datetime.now().astimezone()
        self.calendar.setSelectedDate(QDate(when.year, when.month, when.day))
        self.calendar.setMinimumSize(self.calendar.sizeHint())

    def _on_day_picked(self, day: QDate) -> None:
        current = self.value()
        clock = current.astimezone().time() if current is not None else time(0)
        picked = datetime(day.year(), day.month(), day.day(), clock.hour, clock.minute,
                          clock.second).astimezone()  # fmt: skip
        self.set_value(picked)
        self.popup.hide()
        self.editingFinished.emit()
