"""Transfers in the command panel and the accounts view as of a time, driven through
the CONTRACTS §4 names (toAccountEdit, transferButton, asOfEdit, asOfToggle)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from PySide6.QtWidgets import QAbstractButton, QLineEdit

import esgui
from tests.ui.gui_helpers import (
    LIVE_TIMEOUT_MS,
    READY_TIMEOUT_MS,
    answer,
    child,
    confirmation,
    run_command,
    select_account,
    shown_balance,
    wait_live,
)


def _setup(url: str) -> datetime:
    """A1 100.00 and B1 0.00 on 1 June, a deposit of 50 into A1 on 3 June; returns a time
    on 2 June."""
    day = datetime(2026, 6, 1, 9, 0, tzinfo=UTC)
    meta = {"user": "setup"}

    def event(event_type: str, data: dict, days: int) -> esgui.NewEvent:
        schema = 2 if event_type == "MoneyDeposited" else 1
        return esgui.NewEvent(event_type, data, meta, schema_version=schema,
                              recorded_at=day + timedelta(days=days))  # fmt: skip

    with esgui.open_store(url) as store:
        store.append("A1", 0, [event("AccountOpened", {"owner": "Ann", "initial": "100.00"}, 0)])
        store.append("B1", 0, [event("AccountOpened", {"owner": "Bob", "initial": "0.00"}, 0)])
        store.append("A1", 1, [event("MoneyDeposited", {"amount": "50.00"}, 2)])
    return day + timedelta(days=1)


def _type(qtbot, window, name: str, text: str) -> None:
    edit = child(window, name, QLineEdit)
    edit.clear()
    qtbot.keyClicks(edit, text)


def test_transfer_from_the_command_panel(qtbot, make_window, store_url) -> None:
    _setup(store_url)
    window = make_window(store_url)
    wait_live(qtbot, window)
    select_account(qtbot, window, "A1")
    _type(qtbot, window, "toAccountEdit", "B1")
    _type(qtbot, window, "transferReferenceEdit", "rent")
    text = run_command(qtbot, window, "transferButton", amount="30.25")
    assert text.startswith("Transferred 30.25 from A1 (balance 119.75) to B1 (balance 30.25)")
    qtbot.waitUntil(lambda: shown_balance(window, "B1") == Decimal("30.25"),
                    timeout=LIVE_TIMEOUT_MS)  # fmt: skip
    assert shown_balance(window, "A1") == Decimal("119.75")
    with esgui.open_store(store_url) as store:
        sent, received = list(store.read_all())[-2:]
        assert sent.data["reference"] == received.data["reference"] == "rent"
        assert sent.metadata["correlation_id"] == received.metadata["correlation_id"]
        assert sent.operator == "tester"

    refused = run_command(qtbot, window, "transferButton", amount="500.00")
    assert refused.startswith("Insufficient funds in 'A1'")
    assert child(window, "commandStatus").property("outcome") == "refused"
    _type(qtbot, window, "toAccountEdit", "A1")
    assert "two different accounts" in run_command(qtbot, window, "transferButton", amount="1")


def test_a_large_transfer_asks_first(qtbot, make_window, store_url) -> None:
    with esgui.open_store(store_url) as store:
        accounts = esgui.Accounts(store, user="setup")
        accounts.open("A1", owner="Ann", initial="5000.00")
        accounts.open("B1", owner="Bob")
    window = make_window(store_url)
    wait_live(qtbot, window)
    select_account(qtbot, window, "A1")
    _type(qtbot, window, "toAccountEdit", "B1")
    _type(qtbot, window, "amountEdit", "2000.00")
    child(window, "transferButton", QAbstractButton).click()
    qtbot.waitUntil(lambda: confirmation(window) is not None, timeout=READY_TIMEOUT_MS)
    assert "Transfer 2,000.00 from A1 (Ann) to B1 (Bob)?" in confirmation(window).text()
    answer(qtbot, window, "confirmCancelButton")
    with esgui.open_store(store_url) as store:
        assert store.head()[0] == 2  # cancelled: nothing appended
    child(window, "transferButton", QAbstractButton).click()
    answer(qtbot, window, "confirmTransferButton")
    qtbot.waitUntil(lambda: shown_balance(window, "B1") == Decimal("2000.00"),
                    timeout=LIVE_TIMEOUT_MS)  # fmt: skip


def test_the_store_as_of_a_time_and_back_to_now(qtbot, make_window, store_url) -> None:
    when = _setup(store_url)
    window = make_window(store_url)
    wait_live(qtbot, window)
    qtbot.waitUntil(lambda: shown_balance(window, "A1") == Decimal("150.00"),
                    timeout=LIVE_TIMEOUT_MS)  # fmt: skip
    toggle = child(window, "asOfToggle", QAbstractButton)
    assert toggle.isCheckable() and not toggle.isChecked()
    edit = child(window, "asOfEdit", QLineEdit)
    edit.clear()
    qtbot.keyClicks(edit, when.astimezone().strftime("%Y-%m-%d %H:%M:%S"))
    toggle.click()
    banner = child(window, "asOfBanner")
    qtbot.waitUntil(lambda: banner.isVisible() and "Showing the store as of" in banner.text(),
                    timeout=READY_TIMEOUT_MS)  # fmt: skip
    assert "commands are disabled" in banner.text()
    assert shown_balance(window, "A1") == Decimal("100.00")
    assert "total balance 100.00" in child(window, "accountCount").text()
    for name in ("openButton", "depositButton", "withdrawButton", "transferButton",
                 "closeButton"):  # fmt: skip
        assert not child(window, name, QAbstractButton).isEnabled(), name

    # another writer: the live rows follow it, the as-of rows stay
    with esgui.open_store(store_url) as store:
        esgui.Accounts(store, user="other").deposit("B1", "7.00")
    qtbot.waitUntil(lambda: any(r.account_id == "B1" and r.balance == Decimal("7.00")
                                for r in window.accounts.live_rows()),
                    timeout=LIVE_TIMEOUT_MS)  # fmt: skip
    assert shown_balance(window, "B1") == Decimal("0.00")
    assert shown_balance(window, "A1") == Decimal("100.00")

    child(window, "asOfNowButton", QAbstractButton).click()  # one click back to now
    qtbot.waitUntil(lambda: shown_balance(window, "B1") == Decimal("7.00"))
    assert shown_balance(window, "A1") == Decimal("150.00")
    assert not banner.isVisible() and not toggle.isChecked()
    assert child(window, "depositButton", QAbstractButton).isEnabled()


def test_as_of_before_anything_shows_no_account(qtbot, make_window, store_url) -> None:
    _setup(store_url)
    window = make_window(store_url)
    wait_live(qtbot, window)
    window.accounts.as_of.show_as_of(datetime(2001, 1, 1, tzinfo=UTC))
    banner = child(window, "asOfBanner")
    qtbot.waitUntil(banner.isVisible, timeout=READY_TIMEOUT_MS)
    assert shown_balance(window, "A1") is None and "0 accounts" in banner.text()
    child(window, "asOfToggle", QAbstractButton).click()
    qtbot.waitUntil(lambda: shown_balance(window, "A1") == Decimal("150.00"))
