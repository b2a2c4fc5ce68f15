"""Timeline ▸ Compare versions: what changed in an account between two of its versions.

Two versions are picked in the timeline ("Compare from here", then "Compare to here")
or in the dialog's spin boxes (each can take the slider's version). The comparison
(`esgui.audit.diff.diff_versions`) runs off the GUI thread; while it runs, newer picks
wait and only the newest is compared. Shown: the state fields that differ (before →
after), money in and out, and the events in between.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from PySide6.QtCore import QModelIndex, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSpinBox,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from esgui.audit.diff import VersionDiff, diff_versions, event_money
from esgui.domain.events import balance_sign, describe_counterparty
from esgui.domain.money import money_from_text
from esgui.ui.audit.base_dialog import AuditDialog, results_table
from esgui.ui.common.formatting import count, local_time, money, plural
from esgui.ui.common.table_model import Row, RowsModel
from esgui.ui.common.tasks import CancelToken, TaskTracker
from esgui.ui.common.widgets import named

FIELD_TITLES = {"owner": "Owner", "balance": "Balance", "status": "Status", "version": "Version",
                "opened_at": "Opened", "updated_at": "Last change"}  # fmt: skip
DELAY_MS = 150  # spin-box typing settles before comparing


def _field_text(name: str, value: str | None) -> str:
    if value is None:
        return "— (not opened yet)"
    if name == "balance":
        return money(money_from_text(value))
    if name in ("opened_at", "updated_at"):
        return local_time(datetime.fromisoformat(value))
    return value.capitalize() if name == "status" else value


def diff_rows(diff: VersionDiff) -> tuple[list[Row], list[Row]]:
    """(changed fields, events in between) as table rows; built off the GUI thread."""
    fields = [
        Row(
            (
                FIELD_TITLES.get(c.name, c.name),
                _field_text(c.name, c.before),
                _field_text(c.name, c.after),
            ),
            payload=c,
        )  # fmt: skip
        for c in diff.changes
    ]
    events = []
    for event in diff.events:
        value = event_money(event)
        sign = "-" if balance_sign(event.event_type) < 0 else "+"
        amount = "" if value is None or (value == 0 and sign == "+") else sign + money(value)
        other = describe_counterparty(event.event_type, event.data)
        events.append(Row(
            (str(event.position), str(event.version), local_time(event.recorded_at),
             event.event_type + (f" {other}" if other else ""), amount, event.operator),
            payload=event.version, tone="bad" if event.upcast_error else "",
            tooltip=event.upcast_error or f"Event {event.event_id}",
            sort_keys=(event.position, event.version),
        ))  # fmt: skip
    return fields, events


def money_line(diff: VersionDiff) -> str:
    if not diff.event_count:
        return "No events in between: the two versions are the same state."
    net: Decimal = diff.money_in - diff.money_out
    counts = ", ".join(f"{name} {number:,}" for name, number in sorted(diff.counts.items()))
    return (f"Money in {money(diff.money_in)} · money out {money(diff.money_out)} · net "
            f"{'+' if net >= 0 else ''}{money(net)} · {counts}")  # fmt: skip


class DiffDialog(AuditDialog):
    version_activated = Signal(int)  # show this version in the timeline

    def __init__(self, parent: QWidget, status: TaskTracker) -> None:
        super().__init__(parent, status, "diffDialog", "Compare versions")
        self.account_id = ""
        self.diff: VersionDiff | None = None
        self._slider_version = 0
        self._wanted: tuple[str, int, int] | None = None
        self.from_spin = named(QSpinBox(), "diffFrom", "Compare from version")
        self.to_spin = named(QSpinBox(), "diffTo", "Compare to version")
        self.from_slider = named(QPushButton("Slider"), "diffFromSlider", "From the slider")
        self.to_slider = named(QPushButton("Slider"), "diffToSlider", "To the slider")
        for button in (self.from_slider, self.to_slider):
            button.setToolTip("Take the timeline slider's version")
        self.headline = named(QLabel(""), "diffHeadline", "Compared versions")
        self.money = named(QLabel(""), "diffSummary", "Money and events in between")
        self.money.setWordWrap(True)
        self.fields_model = RowsModel(("Field", "Before", "After"))
        self.fields = results_table("diffFields", "Changed state fields", self.fields_model,
                                    (110, 230))  # fmt: skip
        self.events_model = RowsModel(("Position", "Version", "Recorded", "Type", "Amount",
                                        "Operator"), numeric=(0, 1, 4))  # fmt: skip
        self.events = results_table("diffEvents", "Events in between", self.events_model,
                                    (70, 70, 142, 122, 95))  # fmt: skip
        self.events.setToolTip("Double-click an event to show its version in the timeline")
        self.events_caption = named(QLabel("Events in between"), "diffEventsCaption", "")
        self.events_caption.setProperty("role", "section")

        pick = QHBoxLayout()
        pick.addWidget(QLabel("From version"))
        pick.addWidget(self.from_spin)
        pick.addWidget(self.from_slider)
        pick.addSpacing(16)
        pick.addWidget(QLabel("to version"))
        pick.addWidget(self.to_spin)
        pick.addWidget(self.to_slider)
        pick.addStretch(1)
        top = QWidget()
        top_layout = QVBoxLayout(top)
        top_layout.setContentsMargins(0, 0, 0, 0)
        changed = QLabel("Changed state fields")
        changed.setProperty("role", "section")
        top_layout.addWidget(changed)
        top_layout.addWidget(self.fields)
        bottom = QWidget()
        bottom_layout = QVBoxLayout(bottom)
        bottom_layout.setContentsMargins(0, 0, 0, 0)
        bottom_layout.addWidget(self.events_caption)
        bottom_layout.addWidget(self.events)
        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(top)
        splitter.addWidget(bottom)
        splitter.setSizes([150, 300])
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(pick)
        layout.addWidget(self.progress)
        layout.addWidget(self.headline)
        layout.addWidget(self.money)
        layout.addWidget(splitter, 1)
        layout.addWidget(buttons)
        self.resize(760, 560)

        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(DELAY_MS)
        self._timer.timeout.connect(self.compare)
        for spin in (self.from_spin, self.to_spin):
            spin.valueChanged.connect(lambda _v: self._timer.start())
        self.from_slider.clicked.connect(lambda: self.from_spin.setValue(self._slider_version))
        self.to_slider.clicked.connect(lambda: self.to_spin.setValue(self._slider_version))
        self.events.doubleClicked.connect(self._on_event_double_clicked)

    def reset(self) -> None:
        self.account_id = ""
        self.diff = None
        self._wanted = None
        self.headline.setText("Select an account and pick two versions in the timeline")
        self.money.setText("")
        self.fields_model.set_rows([])
        self.events_model.set_rows([])

    # -- choosing ----------------------------------------------------------------------------

    def compare_versions(self, account_id: str, first: int, second: int, newest: int) -> None:
        """Compare `account_id` at two versions (`newest` bounds the spin boxes)."""
        if account_id != self.account_id:
            self.reset()
            self.account_id = account_id
        for spin, value in ((self.from_spin, first), (self.to_spin, second)):
            spin.blockSignals(True)
            spin.setRange(0, max(newest, first, second))
            spin.setValue(value)
            spin.blockSignals(False)
        self.setWindowTitle(f"Compare versions of {account_id}")
        self.compare()

    def follow_slider(self, version: int, newest: int) -> None:
        """The timeline moved (or the account grew): what the Slider buttons take."""
        self._slider_version = version
        for spin in (self.from_spin, self.to_spin):
            spin.setMaximum(max(newest, spin.value()))

    # -- comparing ---------------------------------------------------------------------------

    def compare(self) -> None:
        self._timer.stop()
        if not self.account_id:
            return
        self._wanted = (self.account_id, self.from_spin.value(), self.to_spin.value())
        if not self.busy:
            self._start_next()

    def _start_next(self) -> None:
        wanted, self._wanted = self._wanted, None
        session = self.session
        if wanted is None or session is None or session.store is None:
            return
        store = session.store
        account_id, first, second = wanted

        def work(_token: CancelToken) -> tuple[VersionDiff, list[Row], list[Row]]:
            diff = diff_versions(store, account_id, first, second)
            return (diff, *diff_rows(diff))

        self.headline.setText(f"Comparing {account_id}: version {first} → {second}…")
        self.run(work, f"Comparing versions of {account_id}", self._on_compared,
                 self._on_failed, cancellable=False, delay_ms=300)  # fmt: skip

    def busy_changed(self, busy: bool) -> None:
        if not busy and self._wanted is not None:
            self._start_next()

    def _on_compared(self, result: tuple[VersionDiff, list[Row], list[Row]]) -> None:
        diff, fields, events = result
        if self._wanted is not None or diff.account_id != self.account_id:
            return  # a newer pick follows
        self.diff = diff
        span = plural(diff.event_count, "event")
        self.headline.setText(f"{diff.account_id}: version {diff.from_version} → "
                              f"{diff.to_version} · {span} in between")  # fmt: skip
        self.money.setText(money_line(diff))
        if not fields:
            fields = [Row(("No field changed", "", ""), tone="muted")]
        self.fields_model.set_rows(fields)
        self.events_model.set_rows(events)
        self._set_headers(diff)
        shown = "" if not diff.truncated else \
            f" (the first {count(len(diff.events))} of {count(diff.event_count)})"  # fmt: skip
        self.events_caption.setText(f"Events in between{shown}")

    def _set_headers(self, diff: VersionDiff) -> None:
        self.fields_model.set_headers(("Field", f"Version {diff.from_version}",
                                       f"Version {diff.to_version}"))  # fmt: skip

    def _on_failed(self, message: str) -> None:
        self.headline.setText(f"Could not compare: {message}")
        self.money.setText("")
        self.fields_model.set_rows([])
        self.events_model.set_rows([])

    def _on_event_double_clicked(self, index: QModelIndex) -> None:
        version = self.events_model.payload(index.row())
        if isinstance(version, int):
            self.version_activated.emit(version)
