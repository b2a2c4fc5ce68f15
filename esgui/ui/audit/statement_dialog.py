"""Audit ▸ Balances as of… (statement): the time, PDF or CSV, and the file.

The statement (`esgui.audit.statement`) is gathered and written off the GUI thread by
the window's audit actions; this dialog only asks.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from PySide6.QtWidgets import (
    QComboBox,
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


class StatementDialog(QDialog):
    def __init__(self, parent: QWidget, when: datetime | None, folder: Path) -> None:
        super().__init__(parent)
        self.setObjectName("statementDialog")
        self.setWindowTitle("Balances as of a time")
        self.when_edit = TimeEdit("statementAt", "As of (blank: now)", blank_is_now=True)
        self.when_edit.set_value(when)
        self.format = named(QComboBox(), "statementFormat", "Format")
        self.format.addItem("PDF", "pdf")
        self.format.addItem("CSV", "csv")
        self.path = named(QLineEdit(str(folder / "balances.pdf")), "statementPath", "File")
        browse = named(QPushButton("Browse…"), "statementBrowse", "Choose the file")
        browse.clicked.connect(self.browse)
        self.format.currentIndexChanged.connect(self._on_format)
        self.error = named(QLabel(""), "statementError", "Problem")
        self.error.setWordWrap(True)
        self.error.hide()
        file_row = QHBoxLayout()
        file_row.addWidget(self.path, 1)
        file_row.addWidget(browse)
        form = QFormLayout()
        form.addRow("As of", self.when_edit)
        form.addRow("Format", self.format)
        form.addRow("File", file_row)
        note = QLabel("Every account that existed then, with its balance, status and "
                      "version then, and the totals. The store's head hash and the verdict "
                      "of a verification (the latest of this head, or one run now) go on "
                      "it.")  # fmt: skip
        note.setWordWrap(True)
        note.setProperty("role", "caption")
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Write statement")
        buttons.accepted.connect(self._on_accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(note)
        layout.addWidget(self.error)
        layout.addWidget(buttons)
        self.setMinimumWidth(600)
        self.adjustSize()

    @property
    def fmt(self) -> str:
        return str(self.format.currentData())

    def when(self) -> datetime | None:
        value = self.when_edit.value()
        return value.astimezone(UTC) if value is not None else None

    def output(self) -> Path:
        return Path(self.path.text().strip()).expanduser()

    def _on_format(self, _index: int) -> None:
        current = Path(self.path.text().strip() or "balances.pdf")
        self.path.setText(str(current.with_suffix(f".{self.fmt}")))

    def browse(self) -> None:
        pattern = "PDF (*.pdf)" if self.fmt == "pdf" else "CSV (*.csv)"
        path, _ = QFileDialog.getSaveFileName(self, "Write the statement to", self.path.text(),
                                              pattern)  # fmt: skip
        if path:
            suffix = f".{self.fmt}"
            self.path.setText(path if path.lower().endswith(suffix) else f"{path}{suffix}")

    def _on_accept(self) -> None:
        problem = ""
        if self.when() is None:
            problem = "Not a time: type it like 2026-06-15 14:30:00."
        elif not self.path.text().strip().lower().endswith(f".{self.fmt}"):
            problem = f"The file name must end in .{self.fmt}."
        if problem:
            self.error.setText(problem)
            self.error.show()
            return
        self.accept()
