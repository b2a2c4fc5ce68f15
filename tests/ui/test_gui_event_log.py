"""The event log panel: scope, filters (type, operator, time, text), order, stopping."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from PySide6.QtCore import QDateTime
from PySide6.QtWidgets import QCheckBox, QComboBox, QLineEdit, QTableView

import esgui
from tests.ui.gui_helpers import LIVE_TIMEOUT_MS, child, select_account, wait_live


def _rows(window) -> list[list[str]]:
    model = child(window, "eventsView", QTableView).model()
    return [[model.index(r, c).data() for c in range(model.columnCount())]
            for r in range(model.rowCount())]  # fmt: skip


def _fill(url: str) -> None:
    with esgui.open_store(url) as store:
        alice, bob = esgui.Accounts(store, user="alice"), esgui.Accounts(store, user="bob")
        alice.open("F1", owner="Fay Zebra", initial="10.00")
        bob.open("F2", owner="Finn", initial="0.00")
        alice.deposit("F1", "7.77")
        bob.deposit("F2", "3.00")
        bob.withdraw("F1", "1.00")


def _whole_store(qtbot, window) -> None:
    scope = child(window, "logScope", QComboBox)
    scope.setCurrentIndex(scope.findData("store"))


def test_scope_type_operator_and_text_filters(qtbot, make_window, store_url):
    _fill(store_url)
    window = make_window(store_url)
    wait_live(qtbot, window)
    qtbot.waitUntil(lambda: len(_rows(window)) == 5, timeout=LIVE_TIMEOUT_MS)  # no account yet
    select_account(qtbot, window, "F1")
    qtbot.waitUntil(lambda: {r[1] for r in _rows(window)} == {"F1"} and len(_rows(window)) == 3)
    _whole_store(qtbot, window)
    qtbot.waitUntil(lambda: len(_rows(window)) == 5)

    types = child(window, "logTypeFilter", QComboBox)
    types.setCurrentIndex(types.findData("MoneyDeposited"))
    qtbot.waitUntil(lambda: [r[0] for r in _rows(window)] == ["4", "3"])
    types.setCurrentIndex(0)

    operator = child(window, "logOperatorFilter", QLineEdit)
    operator.setText("bob")
    operator.editingFinished.emit()
    qtbot.waitUntil(lambda: [r[0] for r in _rows(window)] == ["5", "4", "2"])
    operator.setText("")
    operator.editingFinished.emit()

    text = child(window, "logTextFilter", QLineEdit)
    text.setText("zebra")  # in the data of F1's opening only, any case
    text.returnPressed.emit()
    qtbot.waitUntil(lambda: [r[0] for r in _rows(window)] == ["1"])
    text.setText("7.77")
    text.returnPressed.emit()
    qtbot.waitUntil(lambda: [r[0] for r in _rows(window)] == ["3"])
    text.setText("100%_")  # LIKE wildcards are taken literally
    text.returnPressed.emit()
    qtbot.waitUntil(
        lambda: _rows(window) == [] and "All loaded" in child(window, "logFooter").text()
    )
    text.setText("")
    text.returnPressed.emit()

    newest = child(window, "logNewestFirst", QCheckBox)
    newest.setChecked(False)
    qtbot.waitUntil(lambda: [r[0] for r in _rows(window)] == ["1", "2", "3", "4", "5"])


def test_time_range_filter(qtbot, make_window, store_url):
    _fill(store_url)
    window = make_window(store_url)
    wait_live(qtbot, window)
    _whole_store(qtbot, window)
    qtbot.waitUntil(lambda: len(_rows(window)) == 5, timeout=LIVE_TIMEOUT_MS)
    since, since_on = child(window, "logSince"), child(window, "logSinceEnabled", QCheckBox)
    future = datetime.now(UTC) + timedelta(days=2)
    since.setDateTime(QDateTime.fromSecsSinceEpoch(int(future.timestamp())))
    since_on.setChecked(True)
    qtbot.waitUntil(lambda: _rows(window) == [], timeout=LIVE_TIMEOUT_MS)
    past = datetime.now(UTC) - timedelta(days=2)
    since.setDateTime(QDateTime.fromSecsSinceEpoch(int(past.timestamp())))
    since.editingFinished.emit()
    qtbot.waitUntil(lambda: len(_rows(window)) == 5, timeout=LIVE_TIMEOUT_MS)


def test_a_long_filtered_scan_can_be_stopped(qtbot, make_window, store_url):
    from esgui.app.seed import seed

    with esgui.open_store(store_url) as store:
        seed(store, accounts=5, events=3000, seed=3, user="bulk")
    window = make_window(store_url)
    wait_live(qtbot, window)
    _whole_store(qtbot, window)
    model = child(window, "eventsView", QTableView).model()
    qtbot.waitUntil(lambda: model.rowCount() > 0, timeout=LIVE_TIMEOUT_MS)
    # a filter that matches nothing, scanned in small windows: stop it part-way
    model.scan_window = 10
    text = child(window, "logTextFilter", QLineEdit)
    with qtbot.waitSignal(model.fetch_stopped, timeout=LIVE_TIMEOUT_MS):
        text.setText("no such text anywhere")
        text.returnPressed.emit()
        model.cancel_fetch()
    footer = child(window, "logFooter")
    assert "Stopped" in footer.text()
    assert child(window, "logContinueButton").isVisible()
    with qtbot.waitSignal(model.fetch_stopped, timeout=LIVE_TIMEOUT_MS):
        child(window, "logContinueButton").click()  # goes on from where it stopped
        model.cancel_fetch()
    model.scan_window = 100_000
    child(window, "logContinueButton").click()
    qtbot.waitUntil(lambda: "All loaded" in footer.text(), timeout=LIVE_TIMEOUT_MS)
    assert model.rowCount() == 0
