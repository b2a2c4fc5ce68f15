"""Audit ▸ Verify integrity: the verdict, the head hash, bad events marked in the log
and the inspector, anchors, and Cancel — on every backend."""

from __future__ import annotations

import threading

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QAbstractButton, QLabel, QLineEdit, QTableView

import esgui
from esgui.projections import Cancelled
from esgui.ui.common.table_model import Role
from tests.audit.audit_helpers import make_history
from tests.ui.gui_helpers import READY_TIMEOUT_MS, child, select_account, wait_live


def _history(url: str) -> tuple[int, str]:
    with esgui.open_store(url) as store:
        make_history(store)
        return store.head()


def _whole_store_log(qtbot, window, rows: int) -> None:
    window.log.scope.setCurrentIndex(1)  # Whole store
    qtbot.waitUntil(lambda: window.log.model.rowCount() == rows, timeout=READY_TIMEOUT_MS)


def _verify(qtbot, window):
    with qtbot.waitSignal(window.audit.verified, timeout=READY_TIMEOUT_MS) as blocker:
        window.menu_actions.verify.trigger()
    return blocker.args[0]


def _marked(model) -> dict[int, str]:
    found = {}
    for row in range(model.rowCount()):
        index = model.index(row, 0)
        if index.data(Role.PROBLEM):
            found[index.data(Role.POSITION)] = index.data(Role.PROBLEM)
    return found


def test_an_honest_store_is_intact_with_its_head_hash(qtbot, make_window, store_url):
    head, head_hash = _history(store_url)
    window = make_window(store_url)
    wait_live(qtbot, window)
    _whole_store_log(qtbot, window, head)
    result = _verify(qtbot, window)
    assert result.intact and result.events == head

    dialog = window.audit.verify_dialog
    assert dialog.isVisible()
    assert "Intact" in child(dialog, "verifyVerdict", QLabel).text()
    assert child(dialog, "verifyVerdict").property("state") == "intact"
    assert f"{head} events checked" in child(dialog, "verifySummary", QLabel).text()
    shown = child(dialog, "headHash", QLineEdit)
    assert shown.text() == head_hash and shown.isReadOnly()
    child(dialog, "copyHeadHash", QAbstractButton).click()
    assert QGuiApplication.clipboard().text() == head_hash
    assert not child(dialog, "verifyProblems", QTableView).isVisible()
    assert _marked(window.log.model) == {}
    integrity = child(window, "integrityStatus")
    assert integrity.isVisible() and "Intact" in integrity.text()

    # with the head hash as the anchor
    child(dialog, "verifyAnchor", QLineEdit).setText(head_hash.upper())
    with qtbot.waitSignal(window.audit.verified, timeout=READY_TIMEOUT_MS) as blocker:
        child(dialog, "verifyButton", QAbstractButton).click()
    assert blocker.args[0].intact and blocker.args[0].anchor_position == head
    assert f"anchor is in the chain at position {head}" in dialog.summary.text()


def test_tampering_is_found_and_the_bad_event_marked(qtbot, make_window, store_url, location):
    head, _hash = _history(store_url)
    location.drop_append_only()
    location.sql('UPDATE events SET data = \'{"amount": "5000.00"}\' WHERE position = 3')
    location.restore_append_only()  # tracks covered: only the chain tells
    window = make_window(store_url)
    wait_live(qtbot, window)
    _whole_store_log(qtbot, window, head)
    result = _verify(qtbot, window)
    assert not result.intact and result.bad_positions == {3}

    dialog = window.audit.verify_dialog
    verdict = child(dialog, "verifyVerdict", QLabel)
    assert "TAMPERED" in verdict.text() and verdict.property("state") == "tampered"
    assert "First bad position 3 (account A1)" in dialog.summary.text()
    table = child(dialog, "verifyProblems", QTableView)
    assert table.isVisible() and table.model().rowCount() == 1
    assert [table.model().index(0, c).data() for c in range(4)] == ["3", "Altered", "A1", "2"]

    model = window.log.model
    marked = _marked(model)
    assert list(marked) == [3] and "does not match its hash" in marked[3]
    row = next(r for r in range(model.rowCount()) if model.index(r, 0).data(Role.POSITION) == 3)
    assert model.index(row, 4).data(Qt.ItemDataRole.BackgroundRole) is not None
    assert model.index(row, 0).data(Qt.ItemDataRole.DecorationRole) is not None
    assert "Integrity: altered" in model.index(row, 2).data(Qt.ItemDataRole.ToolTipRole)
    other = (row + 1) % model.rowCount()
    assert model.index(other, 4).data(Qt.ItemDataRole.BackgroundRole) is None
    assert "TAMPERED at 3" in child(window, "integrityStatus").text()

    # the marks stay through another filter, and the inspector says so too
    window.log.scope.setCurrentIndex(0)
    select_account(qtbot, window, "A1")
    qtbot.waitUntil(lambda: model.rowCount() == 4, timeout=READY_TIMEOUT_MS)
    assert list(_marked(model)) == [3]
    # double-clicking the problem shows its event (A1 version 2)
    table.doubleClicked.emit(table.model().index(0, 0))
    qtbot.waitUntil(lambda: window.inspector.current_event is not None
                    and window.inspector.current_event.position == 3,
                    timeout=READY_TIMEOUT_MS)  # fmt: skip
    assert window.timeline.slider.value() == 2
    qtbot.waitUntil(lambda: "TAMPERED" in window.inspector.text())
    assert "Integrity ✖ TAMPERED: content or position altered" in \
        " ".join(window.inspector.text().split())  # fmt: skip
    assert "Verify integrity lists the problems" in window.inspector.facts.toolTip()


def test_a_deleted_event_and_a_wrong_anchor(qtbot, make_window, store_url, location):
    head, head_hash = _history(store_url)
    location.drop_append_only()
    location.sql("DELETE FROM events WHERE position = 9")  # the newest: a truncated log
    window = make_window(store_url)
    wait_live(qtbot, window)
    dialog = window.audit.verify_dialog
    child(window.audit.verify_dialog, "verifyAnchor", QLineEdit).setText(head_hash)
    result = _verify(qtbot, window)
    assert not result.intact
    kinds = {p.kind for p in result.problems}
    assert "anchor" in kinds
    assert "TAMPERED" in dialog.verdict.text()
    child(dialog, "verifyAnchor", QLineEdit).setText("not a hash")
    child(dialog, "verifyButton", QAbstractButton).click()
    assert dialog.verdict.text() == "Invalid anchor"
    assert "64 hexadecimal digits" in dialog.summary.text()


def test_verification_shows_progress_and_cancel_stops_it(qtbot, make_window, store_url,
                                                         monkeypatch):  # fmt: skip
    _history(store_url)
    started = threading.Event()

    def slow_verify(store, *, anchor=None, progress=None, should_stop=None):
        progress(1, 9)
        started.set()
        while not should_stop():
            threading.Event().wait(0.01)
        raise Cancelled("Verification cancelled")

    monkeypatch.setattr("esgui.audit.verify_records.verify_store", slow_verify)
    window = make_window(store_url)
    wait_live(qtbot, window)
    window.menu_actions.verify.trigger()
    dialog = window.audit.verify_dialog
    qtbot.waitUntil(started.is_set, timeout=READY_TIMEOUT_MS)
    progress = child(window, "taskProgress")
    qtbot.waitUntil(lambda: progress.isVisible()
                    and progress.label.text() == "Verifying the hash chain")  # fmt: skip
    assert child(dialog, "verifyDialogProgress").isVisible()
    assert not child(dialog, "verifyButton").isEnabled()
    child(window, "taskCancel", QAbstractButton).click()  # the status bar's Cancel
    qtbot.waitUntil(lambda: dialog.verdict.text() == "Verification cancelled",
                    timeout=READY_TIMEOUT_MS)  # fmt: skip
    assert child(dialog, "verifyButton").isEnabled() and not progress.isVisible()
    # no verdict: the status bar still says what it said on opening (never verified)
    assert window.audit.result is None
    assert child(window, "integrityStatus").text() == "Never verified"
