"""The event inspector: one event's data and metadata, pretty-printed, and the
account's balance and status just before and just after it (`show_states`).

The correlation and causation ids of the metadata are links: following one
(`related_requested`) filters the event log to the events that carry that id. The
events of the same correlation (both legs of a transfer, a seed run, an import) are
listed under it (`show_correlation`), each a link to that event (`event_requested`);
the one shown is in bold, those it caused are marked ↳.

When the stored row is in an older schema than the one the app reads it as, the stored
form is shown beside the upcast form, each labelled with its schema version. An
integrity problem found by the last verification and the review notes on the event
are extra rows of its facts (`annotate` supplies them from memory: no query).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from html import escape
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFontDatabase, QPalette, QTextDocumentFragment
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QLabel,
    QPlainTextEdit,
    QScrollArea,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from esgui.app.event_context import Correlation, StateChange
from esgui.app.stores import RecordedEvent
from esgui.ui.common.formatting import local_time, money, utc_iso
from esgui.ui.common.widgets import named

_MUTED = "#7d868f"
LINKED = ("correlation_id", "causation_id")  # metadata ids that link to related events
NOTE_CHARS = 48  # a note longer than this is cut in the facts (whole in the tooltip)
_TONES = {"light": ("#c62828", "#a15c00"), "dark": ("#ff8a80", "#ffb74d")}  # problem, note
_MOVES = {"light": ("#1e8c46", "#c8352d"), "dark": ("#7fd69b", "#ff8a80")}  # money in, out
# (integrity problem or None, review notes as "author: text") for an event
Annotate = Callable[[RecordedEvent], tuple[str | None, list[str]]]


def _plain(rich: str) -> str:
    return QTextDocumentFragment.fromHtml(rich).toPlainText()


def pretty(value: Any) -> str:
    return json.dumps(value, indent=2, ensure_ascii=False, sort_keys=True)


def _text_box(name: str) -> QPlainTextEdit:
    box = named(QPlainTextEdit(), name, "")
    box.setReadOnly(True)
    box.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
    box.setLineWrapMode(QPlainTextEdit.LineWrapMode.WidgetWidth)
    box.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
    return box


class EventInspector(QWidget):
    """Shows one RecordedEvent; `show_event(None)` clears it."""

    related_requested = Signal(str, str)  # metadata key (correlation_id…), its value
    event_requested = Signal(str, int)  # account id, version: show that event

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        named(self, "eventInspector", "Event inspector")
        self.current_event: RecordedEvent | None = None
        self.states: StateChange | None = None
        self.correlation: Correlation | None = None
        self.annotate: Annotate | None = None
        self.title = named(QLabel("Select an event in the log"), "inspectorTitle", "Event")
        self.title.setWordWrap(True)
        self.title.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.facts = QLabel()
        self.facts.setObjectName("inspectorFacts")
        self.facts.setWordWrap(True)
        self.facts.setTextInteractionFlags(Qt.TextInteractionFlag.TextBrowserInteraction)
        self.facts.setOpenExternalLinks(False)
        self.facts.linkActivated.connect(self._on_link)
        self._facts: list[tuple[str, str]] = []

        self.data_label = QLabel("Data")
        self.data_label.setProperty("role", "section")
        self.data_view = _text_box("inspectorData")
        self.stored_label = QLabel("Stored form")
        self.stored_label.setProperty("role", "section")
        self.stored_view = _text_box("inspectorStoredData")
        self.meta_label = QLabel("Metadata")
        self.meta_label.setProperty("role", "section")
        self.meta_view = _text_box("inspectorMetadata")
        self.meta_view.setMinimumHeight(36)  # gives way first when the dock is short

        data_pane = QWidget()
        grid = QGridLayout(data_pane)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.addWidget(self.data_label, 0, 0)
        grid.addWidget(self.stored_label, 0, 1)
        grid.addWidget(self.data_view, 1, 0)
        grid.addWidget(self.stored_view, 1, 1)
        # a short dock scrolls the inspector rather than drawing its parts over each other
        content = QWidget()
        layout = QVBoxLayout(content)
        layout.setContentsMargins(8, 6, 8, 6)
        layout.setSpacing(4)
        layout.addWidget(self.title)
        layout.addWidget(self.facts)
        layout.addWidget(data_pane)
        layout.addWidget(self.meta_label)
        layout.addWidget(self.meta_view, 1)
        self.scroller = QScrollArea()
        self.scroller.setWidgetResizable(True)
        self.scroller.setFrameShape(QFrame.Shape.NoFrame)
        self.scroller.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.scroller.setWidget(content)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(self.scroller)
        self.meta_view.setMinimumHeight(60)
        self.show_event(None)

    def show_event(self, event: RecordedEvent | None) -> None:
        self.current_event = event
        self.states = None
        self.correlation = None
        if event is None:
            self.title.setText("Select an event in the log")
            self.facts.setText("")
            self._facts = []
            for view in (self.data_view, self.stored_view, self.meta_view):
                view.setPlainText("")
            self._show_stored(False)
            self.data_label.setText("Data")
            self.refresh_annotations()
            return
        self.title.setText(
            f"<b>{event.event_type}</b> · {event.aggregate_id} version {event.version} · "
            f"position {event.position}"
        )
        facts = [
            ("Recorded", f"{local_time(event.recorded_at)} "
                         f"({event.recorded_at.astimezone().strftime('%Z') or 'local'})"),
            ("Operator", event.operator or "—"),
            ("Event id", event.event_id),
            ("Hash", f"{event.hash[:24]}…"),
        ]  # fmt: skip
        if event.upcast_error:
            facts.append(("Cannot read", event.upcast_error))
        self._facts = facts
        differs = event.stored_schema_version != event.schema_version
        self.data_label.setText(
            f"Data (schema {event.schema_version}{', upcast on read' if differs else ''})"
        )
        self.data_view.setPlainText(pretty(event.data))
        self._fit(self.data_view, self.stored_view if differs else None, event)
        self.meta_view.setPlainText(pretty(event.metadata))
        self._show_stored(differs)
        if differs:
            self.stored_label.setText(f"Stored form (schema {event.stored_schema_version})")
            self.stored_view.setPlainText(pretty(event.stored_data))
        self.refresh_annotations()

    def refresh_annotations(self) -> None:
        """Show the facts with the current event's integrity problem and review notes
        (again after a verification, when notes change or the theme does)."""
        event = self.current_event
        if event is None:
            return
        problem, notes = (None, []) if self.annotate is None else self.annotate(event)
        dark = self.palette().color(QPalette.ColorRole.Window).lightness() < 128
        bad, noted = _TONES["dark" if dark else "light"]
        rows = [(k, escape(v), "") for k, v in self._facts]
        rows += self._state_rows(dark)
        rows += self._link_rows(event)
        rows += self._correlation_rows()
        if problem:
            rows.append(("Integrity", f"<b>✖ {escape(problem)}</b>", bad))
        if notes:
            first = notes[0] if len(notes[0]) <= NOTE_CHARS else notes[0][:NOTE_CHARS] + "…"
            more = f" (+{len(notes) - 1} more)" if len(notes) > 1 else ""
            title = "Review note" if len(notes) == 1 else f"Review notes ({len(notes)})"
            rows.append((title, f"✎ {escape(first)}{more}", noted))
        html = "".join(
            f"<tr><td style='padding-right:10px; color:{_MUTED}'>{escape(k)}</td>"
            + (f"<td style='color:{tone}'>" if tone else "<td>")
            + f"{v}</td></tr>"
            for k, v, tone in rows
        )
        self.facts.setText(f"<table cellspacing='0' cellpadding='1'>{html}</table>")
        tip = [f"Recorded {utc_iso(event.recorded_at)}", f"Hash {event.hash}"]
        if problem:
            tip.append(f"Integrity: {problem} (Audit ▸ Verify integrity lists the problems)")
        tip += [f"Review note — {note}" for note in notes]
        self.facts.setToolTip("\n".join(tip))

    def show_states(self, states: StateChange | None) -> None:
        """The account just before and after the shown event (None: not known)."""
        event = self.current_event
        if states is not None and (event is None or states.account_id != event.aggregate_id
                                   or states.version != event.version):  # fmt: skip
            return  # about another event than the one shown
        self.states = states
        self.refresh_annotations()

    def show_correlation(self, correlation: Correlation | None) -> None:
        """The events of the shown event's correlation (None: none, or not known)."""
        event = self.current_event
        if correlation is not None and (event is None or correlation.position != event.position):
            return  # about another event than the one shown
        self.correlation = correlation
        self.refresh_annotations()

    def _correlation_rows(self) -> list[tuple[str, str, str]]:
        found = self.correlation
        if found is None or len(found.events) < 2:
            return []
        lines = []
        for other in found.events:
            text = escape(other.describe())
            if other.position == found.position:
                lines.append(f"<b>{text}</b>")
                continue
            mark = "↳ " if other.caused_by_shown else ""
            href = f"event:{escape(other.account_id)}:{other.version}"
            lines.append(f"{mark}<a href='{href}'>{text}</a>")
        if found.more:
            lines.append("… more: follow the correlation link")
        title = f"Same correlation ({len(found.events)}{'+' if found.more else ''})"
        return [(title, "<br/>".join(lines), "")]

    def _state_rows(self, dark: bool) -> list[tuple[str, str, str]]:
        states = self.states
        if states is None:
            return []
        before = states.before
        shown = (f"{money(before.balance)} · {before.status}" if before is not None
                 else "not opened yet")  # fmt: skip
        change = states.change
        gain, loss = _MOVES["dark" if dark else "light"]
        after = f"{money(states.after.balance)} · {states.after.status}"
        moved = ""
        if change:
            sign, tone = ("+", gain) if change > 0 else ("−", loss)
            moved = f" <span style='color:{tone}'>({sign}{money(abs(change))})</span>"
        return [("Before", escape(shown), ""), ("After", escape(after) + moved, "")]

    @staticmethod
    def _link_rows(event: RecordedEvent) -> list[tuple[str, str, str]]:
        rows: list[tuple[str, str, str]] = []
        metadata = event.metadata if isinstance(event.metadata, dict) else {}
        for key in LINKED:
            value = metadata.get(key)
            if isinstance(value, str) and value:
                title = key.removesuffix("_id").capitalize()
                link = f"<a href='{escape(key)}:{escape(value)}'>{escape(value)}</a>"
                rows.append((title, link, ""))
        return rows

    def _on_link(self, href: str) -> None:
        key, _, value = href.partition(":")
        if key == "event":
            account_id, _, version = value.rpartition(":")
            if account_id and version.isdigit():
                self.event_requested.emit(account_id, int(version))
        elif key in LINKED and value:
            self.related_requested.emit(key, value)

    def _fit(self, box: QPlainTextEdit, other: QPlainTextEdit | None, event: RecordedEvent) -> None:
        """Size the data boxes to their JSON (3 to 9 lines); metadata gets the rest."""
        lines = pretty(event.data).count("\n") + 1
        if other is not None:
            lines = max(lines, pretty(event.stored_data).count("\n") + 1)
        margins = 2 * (box.document().documentMargin() + box.frameWidth()) + 4
        height = int(box.fontMetrics().lineSpacing() * min(max(lines, 3), 9) + margins)
        for view in (box, self.stored_view):
            view.setFixedHeight(height)

    def _show_stored(self, visible: bool) -> None:
        self.stored_label.setVisible(visible)
        self.stored_view.setVisible(visible)

    def text(self) -> str:
        """Everything shown, as plain text (for tests and the clipboard)."""
        parts = [_plain(self.title.text()), _plain(self.facts.text())]
        parts += [self.data_label.text(), self.data_view.toPlainText()]
        event = self.current_event
        if event is not None and event.stored_schema_version != event.schema_version:
            parts += [self.stored_label.text(), self.stored_view.toPlainText()]
        parts += [self.meta_label.text(), self.meta_view.toPlainText()]
        return "\n".join(parts)
