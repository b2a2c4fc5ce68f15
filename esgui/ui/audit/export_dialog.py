"""Audit ▸ Export current filter: the events the log's filter selects, to a file.

The log's account, type, operator and time range become the export's filters
(`esgui.audit.export.ExportFilters`, the filters of `esgui export`), so the file equals
what `esgui export` writes with the same options. The log's text filter has no
counterpart in exports (the CLI has none either): the dialog says so when one is set,
and the file then holds every event the other filters select. With no filter at all
the export is complete (every event and every review note), the form an import
checks end to end.
"""

from __future__ import annotations

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

from esgui.app.queries import EventQuery
from esgui.audit.export import ExportFilters
from esgui.ui.common.formatting import local_time
from esgui.ui.common.widgets import named

FORMATS = (("jsonl", "JSON Lines — for moving and archiving; review notes included"),
           ("csv", "CSV — for spreadsheets; review notes in NAME.notes.csv beside it"))  # fmt: skip
FILE_FILTERS = {"jsonl": "JSON Lines (*.jsonl)", "csv": "CSV (*.csv)"}


def filters_from_query(query: EventQuery) -> ExportFilters:
    """The export filters equal to the log's (all but its text filter)."""
    return ExportFilters(
        account_id=query.aggregate_id,
        event_types=tuple(query.event_types) or None,
        operator=query.operator or None,
        since=query.since,
        until=query.until,
        correlation_id=query.correlation_id,
    )


def describe_filters(filters: ExportFilters) -> str:
    """The selection in words."""
    if filters.complete:
        return ("The whole store: every event and every review note (a complete export, "
                "which an import checks from the first event to the last).")  # fmt: skip
    parts = [f"account {filters.account_id}" if filters.account_id else "all accounts"]
    if filters.event_types:
        parts.append("type " + ", ".join(filters.event_types))
    if filters.operator:
        parts.append(f"operator {filters.operator}")
    if filters.since:
        parts.append(f"from {local_time(filters.since)}")
    if filters.until:
        parts.append(f"to {local_time(filters.until)}")
    if filters.correlation_id:
        parts.append(f"correlation {filters.correlation_id}")
    return ("Events of " + " · ".join(parts) + ", with the review notes on them and on "
            "their accounts.")  # fmt: skip


class ExportDialog(QDialog):
    """Format and file for an export of the log's current filter."""

    def __init__(self, parent: QWidget, query: EventQuery, folder: Path) -> None:
        super().__init__(parent)
        self.setObjectName("exportDialog")
        self.setWindowTitle("Export the current filter")
        self.filters = filters_from_query(query)
        self.query = query
        self.scope = named(QLabel(describe_filters(self.filters)), "exportScope", "What")
        self.scope.setWordWrap(True)
        self.text_note = named(QLabel(""), "exportTextNote", "Text filter")
        self.text_note.setWordWrap(True)
        self.text_note.setProperty("role", "caption")
        if query.text.strip():
            self.text_note.setText(
                f"The log's text filter “{query.text.strip()}” is not applied: exports "
                "select by account, type, operator and time, like `esgui export`. The file "
                "holds every event the other filters select.")  # fmt: skip
        else:
            self.text_note.hide()
        self.format = named(QComboBox(), "exportFormat", "Format")
        for key, title in FORMATS:
            self.format.addItem(title, key)
        self.path = named(QLineEdit(), "exportPath", "File")
        self.path.setText(str(folder / "esgui-export.jsonl"))
        browse = named(QPushButton("Browse…"), "exportBrowse", "Choose the file")
        browse.clicked.connect(self.browse)
        self.format.currentIndexChanged.connect(self._on_format_changed)
        file_row = QHBoxLayout()
        file_row.addWidget(self.path, 1)
        file_row.addWidget(browse)
        form = QFormLayout()
        form.addRow("Format", self.format)
        form.addRow("File", file_row)
        note = QLabel(
            "Events are written in their stored form (data before upcasting, "
            "recorded time, operator, hash). The file appears only when complete."
        )
        note.setWordWrap(True)
        note.setProperty("role", "caption")
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Export")
        buttons.accepted.connect(self._on_accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.scope)
        layout.addWidget(self.text_note)
        layout.addLayout(form)
        layout.addWidget(note)
        layout.addWidget(buttons)
        self.setMinimumWidth(640)
        self.adjustSize()  # as tall as its rows need: no field squashed to a line

    @property
    def fmt(self) -> str:
        return str(self.format.currentData())

    def output(self) -> Path:
        return Path(self.path.text().strip()).expanduser()

    def _on_format_changed(self, _index: int) -> None:
        text = self.path.text().strip()
        if text:
            self.path.setText(str(Path(text).with_suffix(f".{self.fmt}")))

    def browse(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, "Export to", self.path.text(),
                                              FILE_FILTERS[self.fmt])  # fmt: skip
        if path:
            self.path.setText(path)

    def _on_accept(self) -> None:
        if self.path.text().strip():
            self.accept()
