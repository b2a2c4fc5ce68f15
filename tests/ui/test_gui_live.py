"""Events appended by another process appear by themselves: in the accounts view, the
event log and the timeline's range (SQLite: data_version; PostgreSQL: LISTEN/NOTIFY)."""

from __future__ import annotations

from decimal import Decimal

from PySide6.QtWidgets import QLabel, QTableView

import esgui
from tests.ui.gui_helpers import (
    LIVE_TIMEOUT_MS,
    account_row,
    child,
    esgui_cli,
    select_account,
    shown_balance,
    slider,
    wait_live,
)


def _log_positions(window) -> list[int]:
    view = child(window, "eventsView", QTableView)
    model = view.model()
    return [int(model.index(row, 0).data()) for row in range(model.rowCount())]


def test_another_process_appends_and_the_window_follows(qtbot, make_window, store_url):
    with esgui.open_store(store_url) as store:
        accounts = esgui.Accounts(store, user="setup")
        accounts.open("L1", owner="Lena", initial="50.00")
        accounts.deposit("L1", "25.00")
    window = make_window(store_url)
    wait_live(qtbot, window)
    select_account(qtbot, window, "L1")
    qtbot.waitUntil(lambda: slider(window).maximum() == 2, timeout=LIVE_TIMEOUT_MS)
    qtbot.waitUntil(lambda: len(_log_positions(window)) == 2, timeout=LIVE_TIMEOUT_MS)
    indicator = child(window, "liveIndicator", QLabel)
    updates_before = window.status.updates

    done = esgui_cli(store_url, "deposit", "L1", "12.34")
    assert done.returncode == 0, done.stderr

    qtbot.waitUntil(lambda: shown_balance(window, "L1") == Decimal("87.34"),
                    timeout=LIVE_TIMEOUT_MS)  # fmt: skip
    qtbot.waitUntil(lambda: slider(window).maximum() == 3, timeout=LIVE_TIMEOUT_MS)
    assert slider(window).value() == 3  # it sat on the newest version, so it follows
    qtbot.waitUntil(lambda: len(_log_positions(window)) == 3, timeout=LIVE_TIMEOUT_MS)
    assert _log_positions(window) == sorted(_log_positions(window), reverse=True)
    view = child(window, "eventsView", QTableView)
    newest = [view.model().index(0, c).data() for c in range(view.model().columnCount())]
    assert "MoneyDeposited" in newest and "+12.34" in newest and "other-process" in newest
    assert "Live" in indicator.text() and window.status.updates > updates_before
    with esgui.open_store(store_url) as store:
        assert store.head()[0] == 3

    done = esgui_cli(store_url, "open", "L2", "--owner", "Lou", "--initial", "1.00")
    assert done.returncode == 0, done.stderr
    accounts_view = child(window, "accountsView", QTableView)
    qtbot.waitUntil(lambda: account_row(accounts_view, "L2") >= 0, timeout=LIVE_TIMEOUT_MS)
    assert slider(window).maximum() == 3  # another account's event: L1's range is unchanged


def test_whole_store_log_follows_new_events(qtbot, make_window, store_url):
    with esgui.open_store(store_url) as store:
        esgui.Accounts(store, user="setup").open("W1", owner="Wim", initial="1.00")
    window = make_window(store_url)
    wait_live(qtbot, window)
    qtbot.waitUntil(lambda: _log_positions(window) == [1], timeout=LIVE_TIMEOUT_MS)
    done = esgui_cli(store_url, "open", "W2", "--owner", "Wendy")
    assert done.returncode == 0, done.stderr
    qtbot.waitUntil(lambda: _log_positions(window) == [2, 1], timeout=LIVE_TIMEOUT_MS)
    assert "2 events" in child(window, "eventCount", QLabel).text()


def test_slider_left_in_the_past_stays_there(qtbot, make_window, store_url):
    with esgui.open_store(store_url) as store:
        accounts = esgui.Accounts(store, user="setup")
        accounts.open("P1", owner="Pia", initial="10.00")
        accounts.deposit("P1", "1.00")
    window = make_window(store_url)
    wait_live(qtbot, window)
    select_account(qtbot, window, "P1")
    qtbot.waitUntil(lambda: window.timeline.series is not None, timeout=LIVE_TIMEOUT_MS)
    slider(window).setValue(1)
    assert esgui_cli(store_url, "deposit", "P1", "2.00").returncode == 0
    qtbot.waitUntil(lambda: slider(window).maximum() == 3, timeout=LIVE_TIMEOUT_MS)
    assert slider(window).value() == 1
    assert child(window, "replayVersion", QLabel).text() == "1 of 3"
