"""Audit ▸ Account report: account, optional period and the PDF to write.

The report itself (`esgui.audit.report`) is gathered and rendered off the GUI thread by
the window's audit actions; this dialog only asks.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from esgui.ui.common.time_edit import TimeEdit
from esgui.ui.common.widgets import named


def _utc(when: datetime | None) -> datetime | None:
    return when.astimezone(UTC) if when is not None else None


class ReportDialog(QDialog):
    def __init__(self, parent: QWidget, account_id: str, folder: Path) -> None:
        super().__init__(parent)
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
        note = QLabel("Opening and closing balance, every event of the period with its "
                      "operator and time, the balance chart and the account's review notes. "
                      "The whole store is verified first: the verdict and the head hash go "
                      "on page 1. Without a period: the whole history.")  # fmt: skip
        note.setWordWrap(True)
        note.setProperty("role", "caption")
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Write report")
        buttons.accepted.connect(self._on_accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(note)
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
        self.accept()
