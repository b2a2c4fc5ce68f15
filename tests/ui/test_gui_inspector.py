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
    # a correlation is a filter of its own (an indexed query), not a text search
    assert child(window, "logCorrelationFilter", QLineEdit).text() == "corr-77"
    assert child(window, "logTextFilter", QLineEdit).text() == ""
    assert child(window, "logScope", QComboBox).currentData() == "store"


def test_the_events_of_the_same_correlation_are_listed(qtbot, make_window, store_url):
    with esgui.open_store(store_url) as store:
        setup = esgui.Accounts(store, user="setup")
        setup.open("T1", owner="Tia", initial="100.00")
        setup.open("T2", owner="Tom")
        setup.transfer("T1", "T2", "40.00", reference="loan")
    window = make_window(store_url)
    wait_live(qtbot, window)
    select_account(qtbot, window, "T1")
    inspector = child(window, "eventInspector")
    _select_row(qtbot, window, lambda row: row.aggregate_id == "T1" and row.version == 2)
    qtbot.waitUntil(lambda: "Same correlation (2)" in inspector.text(), timeout=LIVE_TIMEOUT_MS)
    text = inspector.text()
    assert "3 · T1 v2 · TransferSent · 40.00 · to T2" in text
    assert "↳ 4 · T2 v2 · TransferReceived · 40.00 · from T1" in text  # caused by this one
    assert "event:T2:2" in inspector.facts.text()
    inspector.facts.linkActivated.emit("event:T2:2")  # follow it: that account, that version
    qtbot.waitUntil(lambda: window.accounts.selected_id() == "T2", timeout=LIVE_TIMEOUT_MS)
    qtbot.waitUntil(lambda: window.timeline.version == 2, timeout=LIVE_TIMEOUT_MS)


def test_the_log_filters_by_a_typed_correlation_id(qtbot, make_window, store_url):
    _fill(store_url)
    window = make_window(store_url)
    wait_live(qtbot, window)
    scope = child(window, "logScope", QComboBox)
    scope.setCurrentIndex(scope.findData("store"))
    edit = child(window, "logCorrelationFilter", QLineEdit)
    qtbot.keyClicks(edit, "corr-77")
    edit.editingFinished.emit()
    view = child(window, "eventsView", QTableView)
    qtbot.waitUntil(lambda: view.model().rowCount() == 2 and "All loaded"
                    in child(window, "logFooter").text(), timeout=LIVE_TIMEOUT_MS)  # fmt: skip
    assert {view.model().index(r, 1).data() for r in range(2)} == {"I1", "I2"}
