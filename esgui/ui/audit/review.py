"""Review notes in the explorer: Add review note (the event in the inspector, or the
selected account) saved off the GUI thread, and the notes carried to the event log
(a tag on each noted event) and the inspector (what they say)."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QWidget

from esgui.app.stores import RecordedEvent
from esgui.audit.notes import ReviewNote, add_note
from esgui.ui.audit.note_dialog import NoteDialog
from esgui.ui.audit.notes_panel import NotesPanel
from esgui.ui.common.formatting import local_time
from esgui.ui.common.session import Session
from esgui.ui.common.tasks import CancelToken, TaskTracker
from esgui.ui.inspector.panel import EventInspector
from esgui.ui.log.model import EventLogModel


class NoteActions(QObject):
    note_added = Signal(object)  # ReviewNote
    failed = Signal(str)  # a note was refused

    def __init__(
        self,
        parent: QWidget,
        *,
        status: TaskTracker,
        notes: NotesPanel,
        log: EventLogModel,
        inspector: EventInspector,
        author: Callable[[], str],
    ) -> None:
        super().__init__(parent)
        self._parent = parent  # the dialog's parent
        self._status = status
        self._notes = notes
        self._log = log
        self._inspector = inspector
        self._author = author
        self.session: Session | None = None
        self.dialog: NoteDialog | None = None  # the one open, if any
        notes.notes_loaded.connect(self._on_notes_loaded)

    def set_session(self, session: Session | None) -> None:
        self.session = session
        if self.dialog is not None:
            self.dialog.reject()

    def add_note(self, account_id: str) -> None:
        """About the event in the inspector, or else about `account_id`."""
        if self.dialog is not None:
            self.dialog.raise_()
            return
        dialog = NoteDialog(self._parent, event=self._inspector.current_event,
                            account_id=account_id, author=self._author())  # fmt: skip
        dialog.submitted.connect(self._on_note_submitted)
        dialog.finished.connect(lambda _r: self._on_dialog_closed(dialog))
        self.dialog = dialog
        dialog.show()

    def _on_dialog_closed(self, dialog: NoteDialog) -> None:
        if self.dialog is dialog:
            self.dialog = None
        dialog.deleteLater()

    def _on_note_submitted(self, event_id: str | None, account_id: str, text: str) -> None:
        session, dialog = self.session, self.dialog
        if session is None or session.store is None or dialog is None:
            return
        store, author = session.store, self._author()

        def work(_token: CancelToken) -> ReviewNote:
            if event_id is not None:
                return add_note(store, text, author=author, event_id=event_id)
            return add_note(store, text, author=author, account_id=account_id)

        def done(note: ReviewNote) -> None:
            if self.dialog is dialog:
                dialog.accept()
            about = f"event {note.event_id}" if note.event_id else f"account {note.account_id}"
            self._status.showMessage(f"Noted {about} ({local_time(note.created_at)})", 6000)
            self._notes.reload()
            self.note_added.emit(note)

        def failed(message: str) -> None:
            if self.dialog is dialog:
                dialog.failed(message)
            self.failed.emit(message)

        session.submit(work, label="Saving the review note", on_done=done, on_error=failed)

    def _on_notes_loaded(self) -> None:
        self._log.set_notes(self._notes.event_marks())
        self._inspector.refresh_annotations()

    def notes_on(self, event: RecordedEvent) -> list[str]:
        """The notes on `event` as "author: text" (from memory)."""
        return [f"{n.author}: {n.text}" for n in self._notes.by_event.get(event.event_id, [])]
