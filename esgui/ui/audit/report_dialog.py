"""Audit ▸ Account report: account, optional period, full or summary, and the PDF to
write; then the progress of the writing, with Cancel.

The report itself (`esgui.audit.report`) is gathered and rendered off the GUI thread by
the window's audit actions: "Write report" emits `write_requested` and the actions hand
the running task to `track`; the dialog closes when the file is written and stays open,
saying why, when it failed or was cancelled (no file is left behind).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from esgui.ui.common.tasks import Task
from esgui.ui.common.time_edit import TimeEdit
from esgui.ui.common.widgets import named


def _utc(when: datetime | None) -> datetime | None:
    return when.astimezone(UTC) if when is not None else None


class ReportDialog(QDialog):
    write_requested = Signal()  # the input is valid: write the report (see `track`)

    def __init__(self, parent: QWidget, account_id: str, folder: Path) -> None:
        super().__init__(parent)
        self.task: Task | None = None
        self.setObjectName("reportDialog")
        self.setWindowTitle("Account report")
        self.account = named(QLineEdit(account_id), "reportAccount", "Account")
        self.account.setPlaceholderText("e.g. ACC-000001")
        self.from_check = named(QCheckBox("From"), "reportFromEnabled", "Period from")
        self.from_edit = TimeEdit("reportFrom", "From")
        self.from_edit.set_value(datetime.now().astimezone() - timedelta(days=365))
        self.to_check = named(QCheckBox("To"), "reportToEnabled", "Period to")
        self.to_edit = TimeEdit("reportTo", "To (blank: now)", blank_is_now=True)
        for check, edit in ((self.from_check, self.from_edit), (self.to_check, self.to_edit)):
            edit.setEnabled(False)
            check.toggled.connect(edit.setEnabled)
        self.path = named(QLineEdit(), "reportPath", "PDF file")
        self.path.setText(str(folder / f"report-{account_id or 'account'}.pdf"))
        browse = named(QPushButton("Browse…"), "reportBrowse", "Choose the file")
        browse.clicked.connect(self.browse)
        self.account.textEdited.connect(self._on_account_edited)
        self.summary_check = named(
            QCheckBox("Summary only: totals, money per month, flagged events, notes"),
            "reportSummaryOnly", "Summary only",
        )  # fmt: skip
        self.full_verify_check = named(
            QCheckBox("Verify the whole store first (slow on a large store)"),
            "reportFullVerify", "Verify the whole store first",
        )  # fmt: skip
        self.progress = named(QProgressBar(), "reportProgress", "Progress of the report")
        self.progress.setTextVisible(True)
        self.progress.hide()
        self.error = named(QLabel(""), "reportError", "Problem")
        self.error.setWordWrap(True)
        self.error.hide()

        period = QHBoxLayout()
        period.addWidget(self.from_check)
        period.addWidget(self.from_edit)
        period.addWidget(self.to_check)
        period.addWidget(self.to_edit)
        period.addStretch(1)
        file_row = QHBoxLayout()
        file_row.addWidget(self.path, 1)
        file_row.addWidget(browse)
        form = QFormLayout()
        form.addRow("Account", self.account)
        form.addRow("Period", period)
        form.addRow("PDF", file_row)
        form.addRow("Contents", self.summary_check)
        form.addRow("Integrity", self.full_verify_check)
        note = QLabel("Opening and closing balance, money moved per month, the flagged "
                      "events, the balance chart, the account's review notes and (unless "
                      "summary only) every event of the period. The integrity verdict "
                      "rests on the last verification (this window's, or the recorded one "
                      "checked from its head); page 1 says which. Without a period: the "
                      "whole history.")  # fmt: skip
        note.setWordWrap(True)
        note.setProperty("role", "caption")
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.write_button = buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.write_button.setText("Write report")
        named(self.write_button, "reportWrite", "Write the report")
        self.cancel_button = named(buttons.button(QDialogButtonBox.StandardButton.Cancel),
                                   "reportCancel", "Cancel")  # fmt: skip
        buttons.accepted.connect(self._on_accept)
        buttons.rejected.connect(self._on_cancel)
        self._inputs: tuple[QWidget, ...] = (self.account, self.from_check, self.to_check,
                                             self.path, browse, self.summary_check,
                                             self.full_verify_check)  # fmt: skip
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(note)
        layout.addWidget(self.progress)
        layout.addWidget(self.error)
        layout.addWidget(buttons)
        self.setMinimumWidth(680)
        self.adjustSize()  # as tall as its rows need: no field squashed to a line

    def account_id(self) -> str:
        return self.account.text().strip()

    def period(self) -> tuple[datetime | None, datetime | None]:
        since = _utc(self.from_edit.value()) if self.from_check.isChecked() else None
        until = _utc(self.to_edit.value()) if self.to_check.isChecked() else None
        return since, until

    def output(self) -> Path:
        return Path(self.path.text().strip()).expanduser()

    def summary_only(self) -> bool:
        return self.summary_check.isChecked()

    def full_verify(self) -> bool:
        return self.full_verify_check.isChecked()

    # -- while the report is written ---------------------------------------------------------

    def track(self, task: Task) -> None:
        """Show `task`'s progress; Cancel stops it; the dialog closes once it is done."""
        self.task = task
        self._set_running(True)
        self.progress.setRange(0, 0)
        self.progress.setFormat("Reading the account…")
        self.progress.show()
        task.progressed.connect(self._on_progress)
        task.finished.connect(lambda _result: self.accept())
        task.failed.connect(self._on_failed)
        task.cancelled.connect(self._on_cancelled)

    def _set_running(self, running: bool) -> None:
        for widget in self._inputs:
            widget.setEnabled(not running)
        self.from_edit.setEnabled(not running and self.from_check.isChecked())
        self.to_edit.setEnabled(not running and self.to_check.isChecked())
        self.write_button.setEnabled(not running)
        self.cancel_button.setText("Cancel writing" if running else "Cancel")

    def _on_progress(self, done: int, total: int) -> None:
        self.progress.setRange(0, max(total, 1))
        self.progress.setValue(min(done, total))
        self.progress.setFormat("Writing the report… %p%")

    def _on_failed(self, message: str) -> None:
        self.task = None
        self._set_running(False)
        self.progress.hide()
        self.error.setText(message)
        self.error.show()

    def _on_cancelled(self) -> None:
        self.task = None
        self._set_running(False)
        self.progress.hide()
        self.error.setText("Cancelled: no file was written.")
        self.error.show()

    def _on_cancel(self) -> None:
        if self.task is not None:
            self.cancel_button.setText("Cancelling…")
            self.task.cancel()
            return
        self.reject()

    def _on_account_edited(self, text: str) -> None:
        current = Path(self.path.text().strip())
        if current.name.startswith("report-"):
            self.path.setText(str(current.with_name(f"report-{text.strip() or 'account'}.pdf")))

    def browse(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, "Write the report to", self.path.text(),
                                              "PDF (*.pdf)")  # fmt: skip
        if path:
            self.path.setText(path if path.lower().endswith(".pdf") else f"{path}.pdf")

    def _on_accept(self) -> None:
        since, until = self.period()
        problem = ""
        if not self.account_id():
            problem = "Which account? Select one or type its id."
        elif not self.path.text().strip().lower().endswith(".pdf"):
            problem = "The report is a PDF: the file name must end in .pdf."
        elif (self.from_check.isChecked() and not self.from_edit.is_valid()) or (
            self.to_check.isChecked() and not self.to_edit.is_valid()
        ):
            problem = "The period is not a time: type it like 2026-06-15 14:30:00."
        elif since and until and since > until:
            problem = "The period starts after it ends."
        if problem:
            self.error.setText(problem)
            self.error.show()
            return
        self.error.hide()
        self.write_requested.emit()  # a receiver that starts the writing calls track()
        if self.task is None:
            self.accept()
