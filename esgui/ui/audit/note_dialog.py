"""Audit ▸ Add review note: flag the selected event or account with a short text.

Notes are stored beside the log, append-only, with their author and time; they work in
read-only mode too (docs/audit.md: read-only protects the ledger, and flagging what
they see is an auditor's job). The dialog stays open while the note is saved and shows
a refusal (e.g. a database role without INSERT on review_notes) in place.
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QPlainTextEdit,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from esgui.app.stores import RecordedEvent
from esgui.audit.notes import MAX_NOTE_LENGTH
from esgui.ui.common.widgets import named


class NoteDialog(QDialog):
    submitted = Signal(object, str, str)  # event id (or None), account id, text

    def __init__(
        self, parent: QWidget, *, event: RecordedEvent | None, account_id: str, author: str
    ) -> None:
        super().__init__(parent)
        self.setObjectName("noteDialog")
        self.setWindowTitle("Add a review note")
        self.target_event = event
        self.account_id = event.aggregate_id if event is not None else account_id
        self.on_event = named(QRadioButton(), "noteOnEvent", "About the selected event")
        self.on_account = named(QRadioButton(), "noteOnAccount", "About the account")
        if event is not None:
            self.on_event.setText(f"The selected event: {event.aggregate_id} version "
                                  f"{event.version} · {event.event_type} · position "
                                  f"{event.position}")  # fmt: skip
            self.on_event.setChecked(True)
        else:
            self.on_event.setText("The selected event (select one in the event log)")
            self.on_event.setEnabled(False)
            self.on_account.setChecked(True)
        self.on_account.setText(f"The account {self.account_id}" if self.account_id
                                else "The account (select one in Accounts)")  # fmt: skip
        self.on_account.setEnabled(bool(self.account_id))
        self.text = named(QPlainTextEdit(), "noteText", "Note text")
        self.text.setPlaceholderText("What did you find? e.g. “Source of funds documented "
                                     "in ticket AUD-2231.”")  # fmt: skip
        self.length = QLabel("")
        self.length.setProperty("role", "caption")
        who = QLabel(
            f"Recorded as written by {author}, now. Notes are append-only: they "
            "cannot be edited or deleted afterwards, and change no account."
        )
        who.setWordWrap(True)
        who.setProperty("role", "caption")
        self.error = named(QLabel(""), "noteError", "Problem")
        self.error.setWordWrap(True)
        self.error.hide()
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok.setText("Add note")
        self.buttons.accepted.connect(self._on_accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("About"))
        layout.addWidget(self.on_event)
        layout.addWidget(self.on_account)
        layout.addWidget(self.text, 1)
        layout.addWidget(self.length)
        layout.addWidget(who)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)
        self.text.textChanged.connect(self._on_text_changed)
        self._on_text_changed()
        self.resize(560, 340)

    def _on_text_changed(self) -> None:
        n = len(self.text.toPlainText().strip())
        self.length.setText(f"{n:,} of {MAX_NOTE_LENGTH:,} characters")
        self.ok.setEnabled(0 < n <= MAX_NOTE_LENGTH and bool(self.account_id))

    def target(self) -> tuple[str | None, str]:
        """(event id or None, account id)."""
        if self.on_event.isChecked() and self.target_event is not None:
            return self.target_event.event_id, self.target_event.aggregate_id
        return None, self.account_id

    def _on_accept(self) -> None:
        event_id, account_id = self.target()
        self.error.hide()
        self.ok.setEnabled(False)
        self.ok.setText("Saving…")
        self.submitted.emit(event_id, account_id, self.text.toPlainText())

    def failed(self, message: str) -> None:
        """Saving was refused: say why and let the user try again or cancel."""
        self.error.setText(f"Not saved: {message}")
        self.error.show()
        self.ok.setText("Add note")
        self._on_text_changed()
