"""Review notes in the GUI: listed and filterable in their dock, added to the selected
event or account (in read-only mode too), marked in the log and the inspector, and
new notes from elsewhere picked up — on every backend."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QCheckBox, QLabel, QLineEdit, QTableView

import esgui
from esgui.audit.notes import add_note, list_notes
from esgui.errors import NotPermitted
from esgui.ui.common.table_model import Role
from tests.audit.audit_helpers import make_history
from tests.ui.gui_helpers import (
    LIVE_TIMEOUT_MS,
    READY_TIMEOUT_MS,
    child,
    select_account,
    slider,
    wait_live,
)


def _setup(url: str) -> None:
    with esgui.open_store(url) as store:
        make_history(store)
        second = next(iter(store.read_all(after=1, limit=1)))  # B1 version 1
        add_note(store, "Opened without ID check", author="kim", event_id=second.event_id)
        add_note(store, "Large deposits: ask for the source", author="lee", account_id="A1")
        add_note(store, "Closed on request", author="kim", account_id="B1")


def _shown(window) -> list[tuple[str, str, str, str]]:
    view = child(window, "notesView", QTableView)
    model = view.model()
    return [tuple(model.index(r, c).data() for c in (1, 2, 3, 4))  # type: ignore[misc]
            for r in range(model.rowCount())]  # fmt: skip


def _add(qtbot, window, text: str):
    window.menu_actions.add_note.trigger()
    dialog = window.audit.note_dialog
    assert dialog is not None and dialog.isVisible()
    ok = dialog.ok
    assert not ok.isEnabled()  # no text yet
    qtbot.keyClicks(child(dialog, "noteText"), text)
    assert ok.isEnabled()
    with qtbot.waitSignal(window.audit.note_added, timeout=READY_TIMEOUT_MS) as blocker:
        ok.click()
    qtbot.waitUntil(lambda: window.audit.note_dialog is None)
    return blocker.args[0]


def test_notes_are_listed_filtered_and_added(qtbot, make_window, store_url):
    _setup(store_url)
    window = make_window(store_url, user="auditor")
    wait_live(qtbot, window)
    count = child(window, "notesCount", QLabel)
    qtbot.waitUntil(lambda: count.text() == "3 notes", timeout=READY_TIMEOUT_MS)
    shown = _shown(window)  # newest first
    assert [s[3] for s in shown] == ["Closed on request", "Large deposits: ask for the source",
                                     "Opened without ID check"]  # fmt: skip
    assert shown[2][:3] == ("kim", "B1", "v1 · position 2")
    assert shown[1][2] == "Account"

    child(window, "notesAuthorFilter", QLineEdit).setText("KIM")
    assert [s[3] for s in _shown(window)] == ["Closed on request", "Opened without ID check"]
    assert count.text() == "2 of 3 notes"
    child(window, "notesTextFilter", QLineEdit).setText("id check")
    assert [s[3] for s in _shown(window)] == ["Opened without ID check"]
    child(window, "notesAuthorFilter", QLineEdit).clear()
    child(window, "notesTextFilter", QLineEdit).clear()
    child(window, "notesAccountFilter", QLineEdit).setText("a1")
    assert [s[1] for s in _shown(window)] == ["A1"]
    child(window, "notesAccountFilter", QLineEdit).clear()
    child(window, "notesFollowSelection", QCheckBox).setChecked(True)
    select_account(qtbot, window, "B1")
    assert {s[1] for s in _shown(window)} == {"B1"} and len(_shown(window)) == 2

    # the noted event is marked in the log; the inspector shows the note
    model = window.log.model
    qtbot.waitUntil(lambda: model.rowCount() == 4, timeout=READY_TIMEOUT_MS)
    noted = {model.index(r, 0).data(Role.POSITION): model.index(r, 0).data(Role.NOTE)
             for r in range(model.rowCount()) if model.index(r, 0).data(Role.NOTE)}  # fmt: skip
    assert noted == {2: "Review note by kim: Opened without ID check"}
    row = next(r for r in range(model.rowCount()) if model.index(r, 0).data(Role.POSITION) == 2)
    assert model.index(row, 0).data(Qt.ItemDataRole.DecorationRole) is not None
    slider(window).setValue(1)
    qtbot.waitUntil(lambda: window.inspector.current_event is not None
                    and window.inspector.current_event.position == 2,
                    timeout=READY_TIMEOUT_MS)  # fmt: skip
    assert "Review note ✎ kim" in " ".join(window.inspector.text().split())
    assert "Opened without ID check" in window.inspector.text()

    # a note on the selected event (B1 version 3, position 7)
    slider(window).setValue(3)
    qtbot.waitUntil(lambda: window.inspector.current_event is not None
                    and window.inspector.current_event.position == 7,
                    timeout=READY_TIMEOUT_MS)  # fmt: skip
    note = _add(qtbot, window, "Withdrawal before closing: fine")
    assert note.event_id == window.inspector.current_event.event_id
    assert note.author == "auditor" and note.account_id == "B1"
    qtbot.waitUntil(lambda: count.text() == "3 of 4 notes", timeout=READY_TIMEOUT_MS)
    assert _shown(window)[0] == ("auditor", "B1", "v3 · position 7",
                                 "Withdrawal before closing: fine")  # fmt: skip
    qtbot.waitUntil(lambda: "Withdrawal before closing" in window.inspector.text())
    assert model.note_at(7) == "Review note by auditor: Withdrawal before closing: fine"

    # double-clicking a note shows its event in the timeline
    view = child(window, "notesView", QTableView)
    view.doubleClicked.emit(view.model().index(2, 0))  # the oldest: B1 version 1
    assert slider(window).value() == 1


def test_notes_in_read_only_mode_and_from_elsewhere(qtbot, make_window, store_url,
                                                    monkeypatch):  # fmt: skip
    _setup(store_url)
    monkeypatch.setattr("esgui.ui.audit.notes_panel.POLL_S", 0.0)
    window = make_window(store_url, user="auditor", read_only=True)
    wait_live(qtbot, window)
    count = child(window, "notesCount", QLabel)
    qtbot.waitUntil(lambda: count.text() == "3 notes", timeout=READY_TIMEOUT_MS)
    select_account(qtbot, window, "C1")
    window.inspector.show_event(None)
    head = window.session.store.head()
    note = _add(qtbot, window, "Read-only auditors may flag accounts")
    assert note.target_kind == "account" and note.account_id == "C1"
    assert window.session.store.head() == head  # the ledger did not move
    qtbot.waitUntil(lambda: count.text() == "4 notes", timeout=READY_TIMEOUT_MS)

    # another process adds a note: it shows up without a refresh
    with esgui.open_store(store_url) as other:
        add_note(other, "Seen from the other office", author="remote", account_id="A1")
    qtbot.waitUntil(lambda: count.text() == "5 notes", timeout=LIVE_TIMEOUT_MS)
    with esgui.open_store(store_url) as other:
        assert len(list(list_notes(other))) == 5


def test_a_refused_note_says_why_and_can_be_retried(qtbot, make_window, store_url, monkeypatch):
    _setup(store_url)
    window = make_window(store_url)
    wait_live(qtbot, window)
    select_account(qtbot, window, "A1")
    window.inspector.show_event(None)

    def refuse(*_args, **_kwargs):
        raise NotPermitted("permission denied for table review_notes")

    monkeypatch.setattr("esgui.ui.audit.review.add_note", refuse)
    window.menu_actions.add_note.trigger()
    dialog = window.audit.note_dialog
    assert not child(dialog, "noteOnEvent").isEnabled()
    assert child(dialog, "noteOnAccount").isChecked()
    qtbot.keyClicks(dialog.text, "Cannot save this")
    with qtbot.waitSignal(window.audit.failed, timeout=READY_TIMEOUT_MS):
        dialog.ok.click()
    error = child(dialog, "noteError", QLabel)
    assert error.isVisibleTo(dialog) and "permission denied" in error.text()
    assert dialog.isVisible() and dialog.ok.isEnabled() and dialog.ok.text() == "Add note"
    child(dialog, "noteText").clear()
    assert not dialog.ok.isEnabled()
    dialog.reject()
    qtbot.waitUntil(lambda: window.audit.note_dialog is None)
