"""Acting on the right account: the selection and the command target change only when
the user selects; the panel says in one place which account a command hits; Close and
large withdrawals ask first; nothing stale is left from the previous account."""

from __future__ import annotations

from decimal import Decimal

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLineEdit, QTableView

import esgui
from tests.ui.gui_helpers import (
    LIVE_TIMEOUT_MS,
    answer,
    child,
    confirmation,
    run_command,
    select_account,
    shown_balance,
    text_of,
    wait_live,
)


def _fill(url: str) -> None:
    with esgui.open_store(url) as store:
        accounts = esgui.Accounts(store, user="setup")
        accounts.open("T1", owner="Quentin Petrov", initial="5000.00")
        accounts.open("T2", owner="Sven Jensen", initial="20.00")
        accounts.open("T3", owner="Oskar Jensen", initial="0.00")


def _head(url: str) -> int:
    with esgui.open_store(url) as store:
        return store.head()[0]


def test_filtering_never_changes_the_selection_or_the_command_target(qtbot, make_window, store_url):
    _fill(store_url)
    window = make_window(store_url)
    wait_live(qtbot, window)
    select_account(qtbot, window, "T1")
    qtbot.waitUntil(lambda: window.timeline.account_id == "T1")
    target = child(window, "commandTarget")
    assert "T1 · Quentin Petrov" in target.full_text()

    filter_edit = child(window, "accountsFilter", QLineEdit)
    qtbot.keyClicks(filter_edit, "jensen")
    view = child(window, "accountsView", QTableView)
    qtbot.waitUntil(lambda: view.model().rowCount() == 2)
    # the filter hides T1: it stays selected, and everything still aims at it
    assert window.accounts.selected_id() == "T1"
    assert child(window, "accountIdEdit", QLineEdit).text() == "T1"
    assert window.timeline.account_id == "T1"
    assert "T1 · Quentin Petrov" in target.full_text()
    assert "hidden by the filter" in text_of(window, "accountCount")
    assert not view.selectionModel().hasSelection()

    filter_edit.clear()  # back: shown selected again
    qtbot.waitUntil(lambda: view.model().rowCount() == 3)
    current = view.selectionModel().currentIndex()
    assert current.isValid() and current.data() == "T1"

    select_account(qtbot, window, "T2")  # the user selects: now the target moves
    assert "T2 · Sven Jensen" in target.full_text()


def test_a_typed_id_is_the_target_and_says_whether_it_exists(qtbot, make_window, store_url):
    _fill(store_url)
    window = make_window(store_url)
    wait_live(qtbot, window)
    edit = child(window, "accountIdEdit", QLineEdit)
    qtbot.keyClicks(edit, "T2")
    assert "T2 · Sven Jensen · balance 20.00 · open" in child(window, "commandTarget").full_text()
    edit.clear()
    qtbot.keyClicks(edit, "NEW-1")
    assert "no such account yet" in child(window, "commandTarget").full_text()


def test_nothing_stale_is_left_from_the_previous_account(qtbot, make_window, store_url):
    _fill(store_url)
    window = make_window(store_url)
    wait_live(qtbot, window)
    text = run_command(qtbot, window, "openButton", account="T9", owner="Tina", amount="1.00")
    assert text.startswith("Opened T9")
    assert child(window, "ownerEdit", QLineEdit).text() == ""  # not left for the next one
    refused = run_command(qtbot, window, "withdrawButton", account="T2", amount="999.00")
    assert "Insufficient funds" in refused
    select_account(qtbot, window, "T3")
    assert "Insufficient funds" not in text_of(window, "commandStatus")
    assert child(window, "ownerEdit", QLineEdit).text() == ""


def test_close_asks_first_and_cancel_does_nothing(qtbot, make_window, store_url):
    _fill(store_url)
    window = make_window(store_url)
    wait_live(qtbot, window)
    select_account(qtbot, window, "T3")
    before = _head(store_url)
    status = run_command(qtbot, window, "closeButton", confirm=False)
    assert "Waiting for confirmation" in status
    assert "Close T3 (Oskar Jensen)?" in confirmation(window).text()
    answer(qtbot, window, "confirmCancelButton")
    assert "Cancelled" in text_of(window, "commandStatus")
    assert _head(store_url) == before
    assert run_command(qtbot, window, "closeButton").startswith("Closed T3")


def test_large_withdrawals_ask_first_small_ones_do_not(qtbot, make_window, store_url):
    _fill(store_url)
    window = make_window(store_url)
    window.commands.confirm_withdrawals_over = Decimal("100.00")
    wait_live(qtbot, window)
    select_account(qtbot, window, "T1")
    assert "balance 4,950.00" in run_command(qtbot, window, "withdrawButton", amount="50.00",
                                             confirm=False)  # fmt: skip
    before = _head(store_url)
    run_command(qtbot, window, "withdrawButton", amount="2000.00", confirm=False)
    assert "Withdraw 2,000.00 from T1" in confirmation(window).text()
    answer(qtbot, window, "confirmCancelButton")
    assert _head(store_url) == before
    text = run_command(qtbot, window, "withdrawButton", amount="2000.00")
    assert "balance 2,950.00" in text


def test_the_threshold_is_a_setting(qtbot, make_window, store_url, settings_file):
    from PySide6.QtCore import QSettings

    settings = QSettings(str(settings_file), QSettings.Format.IniFormat)
    settings.setValue("commands/confirm_withdrawals_over", "25.00")
    settings.sync()
    window = make_window(None, settings=settings)
    assert window.commands.confirm_withdrawals_over == Decimal("25.00")
    assert window.settings.confirm_withdrawals_over == Decimal("25.00")


def test_ctrl_shift_n_focuses_the_form_and_runs_nothing(qtbot, make_window, store_url):
    _fill(store_url)
    window = make_window(store_url)
    wait_live(qtbot, window)
    select_account(qtbot, window, "T1")
    before = _head(store_url)
    action = next(a for a in window.menu_actions.commands if "Open account" in a.text())
    assert action.shortcut().toString() == "Ctrl+Shift+N"
    action.trigger()
    edit = child(window, "accountIdEdit", QLineEdit)
    qtbot.waitUntil(edit.hasFocus)
    assert edit.text() == "" and "New account" in text_of(window, "commandStatus")
    assert _head(store_url) == before


def test_enter_in_the_amount_asks_before_money_moves(qtbot, make_window, store_url):
    _fill(store_url)
    window = make_window(store_url)
    wait_live(qtbot, window)
    select_account(qtbot, window, "T2")
    amount = child(window, "amountEdit", QLineEdit)
    qtbot.keyClicks(amount, "5.00")
    before = _head(store_url)
    qtbot.keyClick(amount, Qt.Key.Key_Return)
    assert "5.00 on T2 (Sven Jensen)" in confirmation(window).text()
    assert _head(store_url) == before  # nothing moved yet
    answer(qtbot, window, "confirmDepositButton")
    qtbot.waitUntil(lambda: text_of(window, "commandStatus").startswith("Deposited 5.00 into T2"),
                    timeout=LIVE_TIMEOUT_MS)  # fmt: skip
    qtbot.waitUntil(lambda: shown_balance(window, "T2") == Decimal("25.00"),
                    timeout=LIVE_TIMEOUT_MS)  # fmt: skip
