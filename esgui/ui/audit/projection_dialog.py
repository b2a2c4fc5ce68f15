"""Audit ▸ Check projection: compare every read-model row with the log replayed up to
the projection's checkpoint (`esgui.audit.projection_check`), off the GUI thread.

Shown: checkpoint, head and lag (lag alone is not a fault), and each finding — a field
that drifted (read model vs replayed), an account missing from or extra in the read
model, a gap in an account's versions, a checkpoint beyond the log. Rebuild repairs the
read model (not in read-only mode).
"""

from __future__ import annotations

import time

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QDialogButtonBox, QLabel, QPushButton, QVBoxLayout, QWidget

from esgui.audit.projection_check import ProjectionReport, check_projection
from esgui.ui.audit.base_dialog import AuditDialog, results_table
from esgui.ui.common.formatting import count, plural
from esgui.ui.common.table_model import Row, RowsModel
from esgui.ui.common.tasks import CancelToken, TaskTracker
from esgui.ui.common.widgets import named, set_state


def _value(value: object) -> str:
    return "—" if value is None else str(value)


def finding_rows(report: ProjectionReport) -> list[Row]:
    """Every finding of the report as a table row; built off the GUI thread."""
    rows: list[Row] = []
    if report.ahead_of_log:
        rows.append(Row(("Checkpoint beyond the log", "", "position",
                         count(report.checkpoint), f"log ends at {count(report.head)}"),
                        tone="bad", tooltip="The log lost events at its end"))  # fmt: skip
    for drift in report.drift:
        rows.append(Row(("Drift", drift.account_id, drift.field, _value(drift.projected),
                         _value(drift.replayed)), payload=drift.account_id, tone="bad",
                        tooltip=f"{drift.account_id}: {drift.field} is {drift.projected!s} "
                                f"in the read model but {drift.replayed!s} replayed from "
                                "the log"))  # fmt: skip
    for account in report.missing:
        rows.append(Row(("Missing row", account, "", "no row", "has events"),
                        payload=account, tone="bad"))  # fmt: skip
    for account in report.extra:
        rows.append(Row(("Extra row", account, "", "has a row", "no events"),
                        payload=account, tone="bad"))  # fmt: skip
    for gap in report.gaps:
        rows.append(Row(("Version gap", gap.account_id, f"position {gap.position}",
                         f"expected v{gap.expected_version}", f"found v{gap.found_version}"),
                        payload=gap.account_id, tone="bad"))  # fmt: skip
    return rows


class ProjectionDialog(AuditDialog):
    rebuild_requested = Signal()
    account_activated = Signal(str)

    def __init__(self, parent: QWidget, status: TaskTracker) -> None:
        super().__init__(parent, status, "projectionDialog", "Check the projection")
        self.report: ProjectionReport | None = None
        self.read_only = False
        self.verdict = named(QLabel(""), "projectionVerdict", "Verdict")
        self.verdict.setProperty("role", "verdict")
        self.summary = named(QLabel(""), "projectionSummary", "Checkpoint, head and lag")
        self.summary.setWordWrap(True)
        self.lag = named(QLabel(""), "projectionLag", "Lag")
        self.lag.setWordWrap(True)
        self.lag.setProperty("role", "caption")
        self.model = RowsModel(("Finding", "Account", "Field", "Read model", "Log (replayed)"))
        self.table = results_table("projectionFindings", "Findings", self.model,
                                   (150, 110, 110, 170))  # fmt: skip
        self.table.doubleClicked.connect(
            lambda index: self._on_activated(self.model.payload(index.row()))
        )
        self.check_button = named(QPushButton("Check &again"), "projectionCheckButton", "Check")
        self.rebuild_button = named(QPushButton("&Rebuild the projection…"),
                                    "projectionRebuildButton", "Rebuild")  # fmt: skip
        self.rebuild_button.setToolTip("Forget the read model and replay the whole log into it")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.addButton(self.check_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.addButton(self.rebuild_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.progress)
        layout.addWidget(self.verdict)
        layout.addWidget(self.summary)
        layout.addWidget(self.lag)
        layout.addWidget(self.table, 1)
        layout.addWidget(buttons)
        self.resize(760, 420)
        self.check_button.clicked.connect(self.start)
        self.rebuild_button.clicked.connect(self.rebuild_requested)
        self.reset()

    def reset(self) -> None:
        self.report = None
        self._verdict("Not checked yet", "info")
        self.summary.setText("")
        self.lag.setText("")
        self.model.set_rows([])
        self.rebuild_button.setEnabled(False)

    def set_read_only(self, read_only: bool) -> None:
        self.read_only = read_only
        self._update_rebuild()

    def _update_rebuild(self) -> None:
        faulty = self.report is not None and not self.report.consistent
        self.rebuild_button.setEnabled(faulty and not self.read_only and not self.busy)
        self.rebuild_button.setToolTip(
            "Not in read-only mode" if self.read_only else
            "Forget the read model and replay the whole log into it")  # fmt: skip

    def _verdict(self, text: str, state: str) -> None:
        self.verdict.setText(text)
        self.verdict.setAccessibleDescription(text)
        set_state(self.verdict, "state", state)

    def busy_changed(self, busy: bool) -> None:
        self.check_button.setEnabled(not busy)
        self._update_rebuild()

    def start(self) -> None:
        if self.busy:
            return
        session = self.session
        store = session.store if session is not None else None

        def work(token: CancelToken) -> tuple[ProjectionReport, list[Row]]:
            assert store is not None
            report = check_projection(store, progress=token.progress, should_stop=token.stopped)
            return report, finding_rows(report)

        self._verdict("Checking…", "busy")
        self.run(work, "Checking the projection", self._on_checked, self._on_failed)

    def _on_failed(self, message: str) -> None:
        self._verdict("Could not check the projection", "tampered")
        self.summary.setText(message)

    def cancelled(self) -> None:
        self._verdict("Check cancelled", "info")

    def _on_checked(self, result: tuple[ProjectionReport, list[Row]]) -> None:
        report, rows = result
        self.report = report
        when = time.strftime("%H:%M:%S")
        if report.consistent:
            self._verdict("✔ Consistent: the read model matches the log", "intact")
        else:
            found = len(rows)
            self._verdict(f"✖ The read model does not match the log: {found} "
                          f"finding{'s' if found != 1 else ''}", "tampered")  # fmt: skip
        self.summary.setText(
            f"Checkpoint {count(report.checkpoint)} · head {count(report.head)} · lag "
            f"{plural(max(report.lag, 0), 'event')} · {plural(report.rows, 'read-model row')} "
            f"checked against {plural(report.accounts, 'account')} replayed up to the "
            f"checkpoint (at {when})."
        )
        if report.lag > 0:
            why = ("the store is open read-only, so the table is not caught up (the "
                   "accounts view folds newer events in memory)") if self.read_only else \
                  "events appended since the projection last caught up"  # fmt: skip
            self.lag.setText(f"Lag {count(report.lag)}: {why}. Lag alone is not a fault; "
                             "the events after the checkpoint were not compared.")  # fmt: skip
        else:
            self.lag.setText("No lag: the projection has applied every event.")
        self.model.set_rows(rows)
        self._update_rebuild()

    def _on_activated(self, account: object) -> None:
        if isinstance(account, str) and account:
            self.account_activated.emit(account)
