"""The command panel, driven through its automation names, on every backend."""

from __future__ import annotations

from decimal import Decimal

from PySide6.QtWidgets import QAbstractButton, QLineEdit, QTableView, QWidget

import esgui
from tests.ui.gui_helpers import (
    LIVE_TIMEOUT_MS,
    child,
    run_command,
    select_account,
    shown_balance,
    text_of,
    wait_live,
)


def _store_events(url: str) -> int:
    with esgui.open_store(url) as store:
        return store.head()[0]


def test_a_session_of_commands(qtbot, make_window, store_url):
    window = make_window(store_url)
    wait_live(qtbot, window)

    text = run_command(qtbot, window, "openButton", account="A1", owner="Alice", amount="100.00")
    assert text.startswith("Opened A1 for Alice with 100.00")
    qtbot.waitUntil(lambda: shown_balance(window, "A1") == Decimal("100.00"),
                    timeout=LIVE_TIMEOUT_MS)  # fmt: skip

    assert run_command(qtbot, window, "depositButton", amount="20.50").startswith(
        "Deposited 20.50 into A1: balance 120.50"
    )
    assert "balance 115.50" in run_command(qtbot, window, "withdrawButton", amount="5")
    qtbot.waitUntil(lambda: shown_balance(window, "A1") == Decimal("115.50"),
                    timeout=LIVE_TIMEOUT_MS)  # fmt: skip

    refused = run_command(qtbot, window, "closeButton")
    assert "balance" in refused.lower() and child(window, "commandStatus").property(
        "outcome") == "refused"  # fmt: skip
    assert "balance 0.00" in run_command(qtbot, window, "withdrawButton", amount="115.50")
    assert run_command(qtbot, window, "closeButton").startswith("Closed A1")

    with esgui.open_store(store_url) as store:
        state = esgui.Accounts(store, user="check").state("A1")
        assert (state.balance, state.status, state.version) == (Decimal("0.00"), "closed", 5)
        assert {e.operator for e in store.read_stream("A1")} == {"tester"}
    view = child(window, "accountsView", QTableView)
    qtbot.waitUntil(lambda: view.model().rowCount() == 1)


def test_selecting_an_account_fills_the_id(qtbot, make_window, store_url):
    with esgui.open_store(store_url) as store:
        accounts = esgui.Accounts(store, user="setup")
        accounts.open("B1", owner="Bea", initial="1.00")
        accounts.open("B2", owner="Ben", initial="2.00")
    window = make_window(store_url)
    wait_live(qtbot, window)
    select_account(qtbot, window, "B2")
    assert child(window, "accountIdEdit", QLineEdit).text() == "B2"
    select_account(qtbot, window, "B1")
    assert child(window, "accountIdEdit", QLineEdit).text() == "B1"


def test_invalid_amounts_are_shown_as_typed_and_append_nothing(qtbot, make_window, store_url):
    with esgui.open_store(store_url) as store:
        esgui.Accounts(store, user="setup").open("C1", owner="Cleo", initial="120.00")
    window = make_window(store_url)
    wait_live(qtbot, window)
    before = _store_events(store_url)
    amount = child(window, "amountEdit", QLineEdit)
    for bad in ("12.345", "-5", "1e3", "abc", "0", "1,000.00", " 5"):
        amount.clear()
        qtbot.keyClicks(amount, bad)
        assert amount.property("invalid") == "true", bad
        text = run_command(qtbot, window, "depositButton", account="C1")
        assert text.startswith("Invalid amount"), (bad, text)
        assert child(window, "commandStatus").property("outcome") == "invalid"
    amount.clear()
    qtbot.keyClicks(amount, "12.30")
    assert amount.property("invalid") == "false"
    for bad_id in ("", "bad id!"):
        text = run_command(qtbot, window, "depositButton", account=bad_id, amount="1.00")
        assert text.startswith("Invalid account id"), text
    assert _store_events(store_url) == before


def test_refused_commands_say_why_and_append_nothing(qtbot, make_window, store_url):
    with esgui.open_store(store_url) as store:
        esgui.Accounts(store, user="setup").open("D1", owner="Dora", initial="120.00")
    window = make_window(store_url)
    wait_live(qtbot, window)
    before = _store_events(store_url)
    text = run_command(qtbot, window, "withdrawButton", account="D1", amount="1000000.00")
    assert "Insufficient funds: balance 120.00, requested 1000000.00" in text
    assert "already" in run_command(qtbot, window, "openButton", owner="Dora", amount="")
    assert "Unknown account" in run_command(qtbot, window, "depositButton", account="NOPE",
                                            amount="1.00")  # fmt: skip
    assert _store_events(store_url) == before
    assert shown_balance(window, "D1") == Decimal("120.00")


def test_read_only_disables_commands_but_browsing_works(qtbot, make_window, store_url):
    with esgui.open_store(store_url) as store:
        accounts = esgui.Accounts(store, user="setup")
        accounts.open("E1", owner="Eve", initial="10.00")
        accounts.deposit("E1", "5.00")
    window = make_window(store_url, read_only=True)
    wait_live(qtbot, window)
    for name in ("openButton", "depositButton", "withdrawButton", "closeButton"):
        assert not child(window, name, QAbstractButton).isEnabled()
    banner = window.findChild(QWidget, "readOnlyBanner")
    assert banner is not None and banner.isVisible()
    assert "read-only" in text_of(window, "commandStatus").lower()
    qtbot.waitUntil(lambda: shown_balance(window, "E1") == Decimal("15.00"),
                    timeout=LIVE_TIMEOUT_MS)  # fmt: skip
    select_account(qtbot, window, "E1")
    qtbot.waitUntil(lambda: text_of(window, "replayBalance") == "15.00")
