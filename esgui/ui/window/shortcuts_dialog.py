"""Help ▸ Keyboard shortcuts: every menu action that has one, in a table that scrolls
(the list is longer than the window's minimum height), filterable as you type."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QLineEdit, QVBoxLayout, QWidget

from esgui.ui.audit.base_dialog import results_table
from esgui.ui.common.table_model import FilterProxy, Index, Row, RowsModel
from esgui.ui.common.widgets import named


class _TextProxy(FilterProxy):
    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.text = ""

    def set_text(self, text: str) -> None:
        def change() -> None:
            self.text = text.strip().casefold()

        self.change_filter(change)

    def filterAcceptsRow(self, source_row: int, source_parent: Index) -> bool:  # noqa: N802
        if not self.text:
            return True
        model = self.sourceModel()
        return any(self.text in str(model.index(source_row, c, source_parent).data()).casefold()
                   for c in range(model.columnCount()))  # fmt: skip


class ShortcutsDialog(QDialog):
    def __init__(self, parent: QWidget, rows: list[tuple[str, str]]) -> None:
        super().__init__(parent)
        self.setObjectName("shortcutsDialog")
        self.setWindowTitle("Keyboard shortcuts")
        self.model = RowsModel(("Action", "Keys"), (), self)
        self.model.set_rows([Row((path, keys)) for path, keys in rows])
        self.proxy = _TextProxy(self)
        self.proxy.setSourceModel(self.model)
        self.filter = named(QLineEdit(), "shortcutsFilter", "Find a shortcut")
        self.filter.setPlaceholderText("Find an action or a key…")
        self.filter.setClearButtonEnabled(True)
        self.filter.textChanged.connect(self.proxy.set_text)
        self.view = results_table("shortcutsView", "Keyboard shortcuts", self.proxy, (380,))
        note = QLabel("In the event log: Home and End go to the top and the bottom; in the "
                      "timeline slider: the arrow keys, Page Up/Down, Home and End.")  # fmt: skip
        note.setWordWrap(True)
        note.setProperty("role", "caption")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.close)
        layout = QVBoxLayout(self)
        layout.addWidget(self.filter)
        layout.addWidget(self.view, 1)
        layout.addWidget(note)
        layout.addWidget(buttons)
        self.setWindowFlag(Qt.WindowType.WindowContextHelpButtonHint, False)
        self.resize(560, 520)
