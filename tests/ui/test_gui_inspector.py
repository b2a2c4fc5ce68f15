"""The inspector shows the account just before and after the selected event, and its
correlation and causation ids are links that filter the log to the related events."""

from __future__ import annotations

from PySide6.QtWidgets import QComboBox, QLineEdit, QTableView

import esgui
from tests.ui.gui_helpers import LIVE_TIMEOUT_MS, child, select_account, wait_live


def _fill(url: str) -> None:
    with esgui.open_store(url) as store:
        setup = esgui.Accounts(store, user="setup")
        setup.open("I1", owner="Ida", initial="100.00")
        setup.deposit("I1", "25.00")
        setup.withdraw("I1", "5.00")
        setup.open("I2", owner="Ivo", initial="1.00")
        linked = esgui.Accounts(store, user="clerk", correlation_id="corr-77")
        linked.withdraw("I1", "20.00")
        linked.deposit("I2", "20.00")


def _select_row(qtbot, window, predicate) -> None:
    view = child(window, "eventsView", QTableView)
    model = view.model()

    def found() -> list[int]:
        rows = (r for r in range(model.rowCount()) if model.row(r) is not None)
        return [r for r in rows if predicate(model.row(r))]

    qtbot.waitUntil(lambda: bool(found()), timeout=LIVE_TIMEOUT_MS)
    row = found()[0]
    view.selectRow(row)


def test_the_state_before_and_after_the_event(qtbot, make_window, store_url):
    _fill(store_url)
    window = make_window(store_url)
    wait_live(qtbot, window)
    select_account(qtbot, window, "I1")
    qtbot.waitUntil(lambda: window.timeline.series is not None, timeout=LIVE_TIMEOUT_MS)
    inspector = child(window, "eventInspector")
    _select_row(qtbot, window, lambda row: row.aggregate_id == "I1" and row.version == 2)
    qtbot.waitUntil(lambda: "After\n125.00 · open (+25.00)" in inspector.text(),
                    timeout=LIVE_TIMEOUT_MS)  # fmt: skip
    assert "Before\n100.00 · open" in inspector.text()
    _select_row(qtbot, window, lambda row: row.aggregate_id == "I1" and row.version == 1)
    qtbot.waitUntil(lambda: "Before\nnot opened yet" in inspector.text(), timeout=LIVE_TIMEOUT_MS)

    # another account's event (no loaded history for it): replayed
    scope = child(window, "logScope", QComboBox)
    scope.setCurrentIndex(scope.findData("store"))
    select_account(qtbot, window, "I2")
    _select_row(qtbot, window, lambda row: row.aggregate_id == "I1" and row.version == 3)
    qtbot.waitUntil(lambda: "After\n120.00 · open (−5.00)" in inspector.text(),
                    timeout=LIVE_TIMEOUT_MS)  # fmt: skip
    assert "Before\n125.00 · open" in inspector.text()


def test_correlation_ids_link_to_the_related_events(qtbot, make_window, store_url):
    _fill(store_url)
    window = make_window(store_url)
    wait_live(qtbot, window)
    select_account(qtbot, window, "I1")
    inspector = child(window, "eventInspector")
    _select_row(qtbot, window, lambda row: row.aggregate_id == "I1" and row.version == 4)
    qtbot.waitUntil(lambda: "Correlation\ncorr-77" in inspector.text(), timeout=LIVE_TIMEOUT_MS)
    assert "correlation_id:corr-77" in inspector.facts.text()
    inspector.facts.linkActivated.emit("correlation_id:corr-77")
    view = child(window, "eventsView", QTableView)
    qtbot.waitUntil(lambda: view.model().rowCount() == 2 and "All loaded"
                    in child(window, "logFooter").text(), timeout=LIVE_TIMEOUT_MS)  # fmt: skip
    shown = {(view.model().index(r, 1).data(), view.model().index(r, 3).data())
             for r in range(2)}  # fmt: skip
    assert shown == {("I1", "MoneyWithdrawn"), ("I2", "MoneyDeposited")}
    assert child(window, "logTextFilter", QLineEdit).text() == "corr-77"
    assert child(window, "logScope", QComboBox).currentData() == "store"
