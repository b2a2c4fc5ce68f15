"""Transfer legs in the views: the log (signed amount, counterparty), the balance chart's
description, the version diff (both backends through the store fixtures)."""

from __future__ import annotations

from decimal import Decimal

from PySide6.QtWidgets import QTableView

import esgui
from esgui.app.timeline import BalanceSeries
from esgui.audit.diff import diff_versions
from esgui.ui.audit.diff_dialog import diff_rows
from tests.ui.gui_helpers import LIVE_TIMEOUT_MS, child, select_account, wait_live


def _bank(url: str) -> None:
    with esgui.open_store(url) as store:
        accounts = esgui.Accounts(store, user="setup")
        accounts.open("A1", owner="Ann", initial="100.00")
        accounts.open("B1", owner="Bob")
        accounts.transfer("A1", "B1", "40.00", reference="rent")


def test_the_log_and_the_chart_show_the_counterparty(qtbot, make_window, store_url) -> None:
    _bank(store_url)
    window = make_window(store_url)
    wait_live(qtbot, window)
    select_account(qtbot, window, "A1")
    view = child(window, "eventsView", QTableView)
    model = view.model()

    def texts() -> set[tuple[str, str]]:
        return {(str(model.index(r, 3).data()), str(model.index(r, 4).data()))
                for r in range(model.rowCount())}  # fmt: skip

    qtbot.waitUntil(lambda: ("TransferSent to B1", "-40.00") in texts(), timeout=LIVE_TIMEOUT_MS)
    qtbot.waitUntil(lambda: window.timeline.series is not None, timeout=LIVE_TIMEOUT_MS)
    assert "TransferSent to B1" in window.chart.describe(2)
    assert "Balance 60.00" in window.chart.describe(2)


def test_series_and_diff_count_the_legs(store) -> None:
    accounts = esgui.Accounts(store, user="setup")
    accounts.open("A1", owner="Ann", initial="100.00")
    accounts.open("B1", owner="Bob")
    accounts.transfer("A1", "B1", "40.00")
    accounts.transfer("B1", "A1", "15.00")
    series = BalanceSeries.load(store, "B1")
    assert [series.balance_at(v) for v in (1, 2, 3)] == [
        Decimal("0.00"),
        Decimal("40.00"),
        Decimal("25.00"),
    ]
    assert (series.at(2).counterparty, series.at(3).counterparty) == ("from A1", "to A1")
    diff = diff_versions(store, "A1", 1, 3)
    assert (diff.money_in, diff.money_out) == (Decimal("15.00"), Decimal("40.00"))
    assert diff.as_json()["events"][0]["counterparty"] == "to B1"
    _fields, events = diff_rows(diff)
    assert [e.texts[3] for e in events] == ["TransferSent to B1", "TransferReceived from B1"]
    assert [e.texts[4] for e in events] == ["-40.00", "+15.00"]
