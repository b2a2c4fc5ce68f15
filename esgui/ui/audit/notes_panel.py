"""The Review notes dock: every note (time, author, account, the event it is about,
text), filterable by account, author and text, newest first.

Notes are read off the GUI thread (`esgui.audit.notes.list_notes`) with the position
and version of the events they are about. They are reloaded when this window adds one
and when the count of notes changes (looked at now and then while the store is
followed: notes are append-only, so a new count means new notes). The panel also
tells the event log which events carry notes and the inspector what they say.
"""

from __future__ import annotations

import time
from collections import defaultdict

from PySide6.QtCore import QModelIndex, Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from esgui.app.queries import event_positions
from esgui.audit.notes import ReviewNote, list_notes, note_count
from esgui.ui.audit.base_dialog import results_table
from esgui.ui.audit.notes_model import NotesProxy, Positions, note_rows
from esgui.ui.common.formatting import count, plural
from esgui.ui.common.session import Session
from esgui.ui.common.table_model import Role, Row, RowsModel
from esgui.ui.common.tasks import CancelToken, Latest
from esgui.ui.common.widgets import named

MAX_NOTES = 10_000
POLL_S = 5.0


class NotesPanel(QWidget):
    note_activated = Signal(str, int)  # account id, version (0: a note on the account)
    add_requested = Signal()
    notes_loaded = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        named(self, "notesPanel", "Review notes")
        self._session: Session | None = None
        self._loader: Latest | None = None
        self._counter: Latest | None = None
        self._count = -1
        self._last_poll = 0.0
        self._selected_account = ""
        self.notes: list[ReviewNote] = []
        self.positions: Positions = {}
        self.by_event: dict[str, list[ReviewNote]] = {}
        self.truncated = False
        self.model = RowsModel(("Time", "Author", "Account", "About", "Note"), parent=self)
        self.proxy = NotesProxy(self)
        self.proxy.setSourceModel(self.model)
        self.account_filter = named(QLineEdit(), "notesAccountFilter", "Account filter")
        self.account_filter.setPlaceholderText("Account")
        self.account_filter.setClearButtonEnabled(True)
        self.follow = named(QCheckBox("Selected account"), "notesFollowSelection",
                            "Only the selected account's notes")  # fmt: skip
        self.author_filter = named(QLineEdit(), "notesAuthorFilter", "Author filter")
        self.author_filter.setPlaceholderText("Author")
        self.author_filter.setClearButtonEnabled(True)
        self.text_filter = named(QLineEdit(), "notesTextFilter", "Text filter")
        self.text_filter.setPlaceholderText("Search the notes…")
        self.text_filter.setClearButtonEnabled(True)
        self.view = results_table("notesView", "Review notes", self.proxy, (130, 90, 100, 140))
        self.view.setSortingEnabled(True)
        self.view.sortByColumn(0, Qt.SortOrder.DescendingOrder)
        self.view.setToolTip("Double-click a note to show its account and event")
        self.footer = named(QLabel(""), "notesCount", "How many notes")
        self.footer.setProperty("role", "caption")
        self.add_button = named(QPushButton("Add note…"), "addNoteButton", "Add a review note")
        self.refresh_button = named(QPushButton("Refresh"), "notesRefresh", "Reload the notes")

        filters = QHBoxLayout()
        filters.addWidget(self.account_filter)
        filters.addWidget(self.follow)
        filters.addWidget(self.author_filter)
        filters.addWidget(self.text_filter, 1)
        foot = QHBoxLayout()
        foot.addWidget(self.footer, 1)
        foot.addWidget(self.refresh_button)
        foot.addWidget(self.add_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.setSpacing(4)
        layout.addLayout(filters)
        layout.addWidget(self.view, 1)
        layout.addLayout(foot)

        for edit in (self.account_filter, self.author_filter, self.text_filter):
            edit.textChanged.connect(self._on_filter_edited)
        self.follow.toggled.connect(self._on_follow_toggled)
        self.add_button.clicked.connect(self.add_requested)
        self.refresh_button.clicked.connect(self.reload)
        self.view.doubleClicked.connect(self._on_double_clicked)
        for signal in (self.proxy.rowsInserted, self.proxy.rowsRemoved, self.proxy.modelReset,
                       self.proxy.layoutChanged):  # fmt: skip
            signal.connect(self._on_rows_changed)
        self._update_footer()

    # -- session and loading ---------------------------------------------------------------

    def set_session(self, session: Session | None) -> None:
        self._session = session
        self._loader = session.latest() if session is not None else None
        self._counter = session.latest() if session is not None else None
        self._count = -1
        self._set_notes([], {}, [], False)
        if session is not None and session.ready:
            self.reload()

    def reload(self) -> None:
        session, loader = self._session, self._loader
        if session is None or loader is None or not session.ready:
            return
        store = session.store
        assert store is not None

        def work(_token: CancelToken) -> tuple[list[ReviewNote], Positions, list[Row], int]:
            total = note_count(store)
            notes = list(list_notes(store, limit=MAX_NOTES))
            ids = [note.event_id for note in notes if note.event_id]
            positions = event_positions(store, ids)
            return notes, positions, note_rows(notes, positions), total

        def done(result: tuple[list[ReviewNote], Positions, list[Row], int]) -> None:
            notes, positions, rows, total = result
            self._count = total
            self._set_notes(notes, positions, rows, total > len(notes))

        loader.request(work, done, lambda message: self.footer.setText(
            f"Could not load the notes: {message}"))  # fmt: skip

    def poll(self) -> None:
        """Now and then (the follower looked at the store): reload if notes were added."""
        session, counter = self._session, self._counter
        now = time.monotonic()
        if session is None or counter is None or not session.ready or self._count < 0:
            return
        if now - self._last_poll < POLL_S:
            return
        self._last_poll = now
        store = session.store
        assert store is not None

        def done(total: int) -> None:
            if total != self._count:
                self.reload()

        counter.request(lambda _t: note_count(store), done)

    def _set_notes(self, notes: list[ReviewNote], positions: Positions, rows: list[Row],
                   truncated: bool) -> None:  # fmt: skip
        self.notes, self.positions, self.truncated = notes, positions, truncated
        by_event: dict[str, list[ReviewNote]] = defaultdict(list)
        for note in notes:
            if note.event_id:
                by_event[note.event_id].append(note)
        self.by_event = dict(by_event)
        self.model.set_rows(rows)
        self._update_footer()
        self.notes_loaded.emit()

    def event_marks(self) -> dict[int, str]:
        """position -> what the notes on that event say (for the event log)."""
        marks: dict[int, str] = {}
        for event_id, notes in self.by_event.items():
            found = self.positions.get(event_id)
            if found is not None:
                marks[found[0]] = "\n".join(f"Review note by {n.author}: {n.text}" for n in notes)
        return marks

    def account_notes(self, account_id: str) -> list[ReviewNote]:
        return [n for n in self.notes if n.account_id == account_id and n.event_id is None]

    # -- filtering ------------------------------------------------------------------------

    def set_selected_account(self, account_id: str) -> None:
        self._selected_account = account_id
        if self.follow.isChecked():
            self.account_filter.setText(account_id)

    def _on_follow_toggled(self, on: bool) -> None:
        self.account_filter.setReadOnly(on)
        self.account_filter.setText(self._selected_account if on else "")
        self._apply_filters()

    def _on_filter_edited(self, _text: str) -> None:
        self._apply_filters()

    def _on_rows_changed(self, *_args: object) -> None:
        self._update_footer()

    def _apply_filters(self) -> None:
        self.proxy.set_filters(self.account_filter.text(), self.follow.isChecked(),
                               self.author_filter.text(), self.text_filter.text())  # fmt: skip

    def _update_footer(self) -> None:
        shown, total = self.proxy.rowCount(), self.model.rowCount()
        text = plural(total, "note") if shown == total else \
            f"{count(shown)} of {plural(total, 'note')}"  # fmt: skip
        if self.truncated:
            text += f" (the first {count(MAX_NOTES)} of {count(self._count)})"
        self.footer.setText(text)

    def shown_notes(self) -> list[ReviewNote]:
        """The notes the filters let through, in the view's order."""
        return [self.proxy.index(r, 0).data(Role.PAYLOAD)[0]
                for r in range(self.proxy.rowCount())]  # fmt: skip

    def _on_double_clicked(self, index: QModelIndex) -> None:
        payload = index.data(Role.PAYLOAD)
        if payload is not None:
            note, version = payload
            self.note_activated.emit(note.account_id, version)
