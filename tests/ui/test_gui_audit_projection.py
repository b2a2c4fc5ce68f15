"""Audit ▸ Check projection: drift, lag and version gaps shown; Rebuild repairs the read
model — on every backend."""

from __future__ import annotations

from PySide6.QtWidgets import QAbstractButton, QLabel, QMessageBox, QTableView

import esgui
from tests.audit.audit_helpers import make_history
from tests.ui.gui_helpers import LIVE_TIMEOUT_MS, READY_TIMEOUT_MS, child, text_of, wait_live


def _rows(view: QTableView) -> list[list[str]]:
    model = view.model()
    return [[model.index(r, c).data() for c in range(model.columnCount())]
            for r in range(model.rowCount())]  # fmt: skip


def _check(qtbot, window, *, again: bool = False):
    dialog = window.audit.projection_dialog
    verdict = child(dialog, "projectionVerdict", QLabel)
    verdict.setText("")
    if again:
        child(dialog, "projectionCheckButton", QAbstractButton).click()
    else:
        window.menu_actions.check_projection.trigger()
    qtbot.waitUntil(lambda: verdict.text().startswith(("✔", "✖")), timeout=READY_TIMEOUT_MS)
    return dialog


def test_drift_is_shown_and_rebuild_repairs_it(qtbot, make_window, store_url, location,
                                              monkeypatch):  # fmt: skip
    with esgui.open_store(store_url) as store:
        make_history(store)
    window = make_window(store_url)
    wait_live(qtbot, window)
    qtbot.waitUntil(lambda: text_of(window, "projectionStatus").endswith("lag 0"),
                    timeout=LIVE_TIMEOUT_MS)  # fmt: skip
    dialog = _check(qtbot, window)
    assert dialog.isVisible() and dialog.verdict.property("state") == "intact"
    summary = child(dialog, "projectionSummary", QLabel).text()
    assert summary.startswith("Checkpoint 9 · head 9 · lag 0 events · 3 read-model rows")
    assert child(dialog, "projectionFindings", QTableView).model().rowCount() == 0
    assert not child(dialog, "projectionRebuildButton").isEnabled()

    location.sql("UPDATE account_summary SET balance = '999.99', owner = 'Mallory' "
                 "WHERE account_id = 'A1'")  # fmt: skip
    dialog = _check(qtbot, window, again=True)
    assert dialog.verdict.text() == "✖ The read model does not match the log: 2 findings"
    assert _rows(dialog.table) == [
        ["Drift", "A1", "owner", "Mallory", "Alice Andersen"],
        ["Drift", "A1", "balance", "999.99", "125.25"],
    ]
    rebuild = child(dialog, "projectionRebuildButton", QAbstractButton)
    assert rebuild.isEnabled()
    window.set_read_only(True)
    assert not rebuild.isEnabled() and rebuild.toolTip() == "Not in read-only mode"
    window.set_read_only(False)
    assert rebuild.isEnabled()

    monkeypatch.setattr(QMessageBox, "question",
                        lambda *_a, **_k: QMessageBox.StandardButton.Yes)  # fmt: skip
    rebuild.click()
    qtbot.waitUntil(lambda: "Rebuilt the projection" in window.status.currentMessage(),
                    timeout=READY_TIMEOUT_MS)  # fmt: skip
    dialog = _check(qtbot, window, again=True)
    assert dialog.verdict.text().startswith("✔ Consistent")


def test_lag_and_a_version_gap(qtbot, make_window, store_url, location):
    with esgui.open_store(store_url) as store:
        make_history(store)
    window = make_window(store_url)
    wait_live(qtbot, window)
    window.pause_catch_up()
    with esgui.open_store(store_url) as other:
        esgui.Accounts(other, user="teller").deposit("C1", "1.00")
    qtbot.waitUntil(lambda: "10 events" in text_of(window, "eventCount"),
                    timeout=LIVE_TIMEOUT_MS)  # fmt: skip
    dialog = _check(qtbot, window)
    assert dialog.verdict.text().startswith("✔ Consistent")  # lag alone is not a fault
    assert "head 10 · lag 1 event ·" in dialog.summary.text()
    assert child(dialog, "projectionLag", QLabel).text().startswith("Lag 1: events appended")

    location.drop_append_only()
    location.sql("DELETE FROM events WHERE position = 5")  # A1 version 3
    dialog = _check(qtbot, window, again=True)
    rows = _rows(dialog.table)
    assert ["Version gap", "A1", "position 9", "expected v3", "found v4"] in rows
    assert dialog.verdict.property("state") == "tampered"
