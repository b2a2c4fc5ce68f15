"""Audit ▸ Read-only mode: every command refused (disabled, with a banner, and by the
store itself) while browsing, replay, verify and export keep working; the toggle is
locked on for a window started read-only — on every backend."""

from __future__ import annotations

from decimal import Decimal

import pytest
from PySide6.QtWidgets import QAbstractButton, QPushButton, QWidget

import esgui
from esgui.audit.export import ExportFilters
from esgui.errors import NotPermitted
from tests.audit.audit_helpers import make_history
from tests.ui.gui_helpers import (
    LIVE_TIMEOUT_MS,
    READY_TIMEOUT_MS,
    child,
    run_command,
    select_account,
    shown_balance,
    slider,
    text_of,
    wait_live,
)

COMMAND_BUTTONS = ("openButton", "depositButton", "withdrawButton", "closeButton")


def _head(url: str) -> int:
    with esgui.open_store(url) as store:
        return store.head()[0]


def _writing_actions(window):
    acts = window.menu_actions
    return [*acts.commands, acts.demo, acts.new_store, acts.rebuild, acts.catch_up, acts.pause]


def test_the_toggle_refuses_every_command_and_the_rest_works(qtbot, make_window, store_url,
                                                             tmp_path):  # fmt: skip
    with esgui.open_store(store_url) as store:
        make_history(store)
    window = make_window(store_url)
    wait_live(qtbot, window)
    select_account(qtbot, window, "A1")
    assert "balance 126.25" in run_command(qtbot, window, "depositButton", amount="1.00")
    qtbot.waitUntil(lambda: shown_balance(window, "A1") == Decimal("126.25"),
                    timeout=LIVE_TIMEOUT_MS)  # fmt: skip

    toggle = window.menu_actions.read_only
    assert toggle.isEnabled() and not toggle.isChecked()
    toggle.trigger()
    store = window.session.store
    assert toggle.isChecked() and window.read_only and store.read_only
    banner = child(window, "readOnlyBanner")
    assert banner.isVisible() and "Read-only mode" in banner.text()
    assert "commands are disabled" in banner.text()
    assert "(read-only)" in window.windowTitle()
    assert "(read-only)" in text_of(window, "storeLabel")
    for name in COMMAND_BUTTONS:
        assert not child(window, name, QAbstractButton).isEnabled(), name
    assert not any(action.isEnabled() for action in _writing_actions(window))
    assert "Read-only mode" in text_of(window, "commandStatus")

    head = _head(store_url)
    panel = window.commands
    panel.account_edit.setText("A1")
    panel.owner_edit.setText("Mallory")
    panel.amount_edit.setText("5.00")
    for command in (panel.open_account, panel.deposit, panel.withdraw, panel.close_account):
        command()
        assert text_of(window, "commandStatus") == \
            "This store is open read-only: nothing was done."  # fmt: skip
        assert child(window, "commandStatus").property("outcome") == "refused"
    for action in _writing_actions(window):
        action.trigger()  # disabled: nothing happens
    window.load_demo_data()
    window.rebuild_projection(confirm=False)
    with pytest.raises(NotPermitted):  # the store itself refuses, not only the buttons
        window.session.accounts.deposit("A1", "1.00")
    assert _head(store_url) == head

    # browsing and replay
    qtbot.waitUntil(lambda: window.log.model.rowCount() == 5, timeout=LIVE_TIMEOUT_MS)
    slider(window).setValue(1)
    qtbot.waitUntil(lambda: text_of(window, "replayBalance") == "100.00")
    # verify and export
    with qtbot.waitSignal(window.audit.verified, timeout=READY_TIMEOUT_MS) as verified:
        window.menu_actions.verify.trigger()
    assert verified.args[0].intact
    with qtbot.waitSignal(window.audit.exported, timeout=READY_TIMEOUT_MS) as exported:
        window.audit.export("jsonl", tmp_path / "all.jsonl", ExportFilters())
    assert exported.args[0].events == head and (tmp_path / "all.jsonl").exists()
    # live updates from another writer are folded in memory (the table is not written)
    with esgui.open_store(store_url) as other:
        esgui.Accounts(other, user="teller").deposit("C1", "2.50")
    qtbot.waitUntil(lambda: shown_balance(window, "C1") == Decimal("12.50"),
                    timeout=LIVE_TIMEOUT_MS)  # fmt: skip
    qtbot.waitUntil(lambda: "read-only" in text_of(window, "projectionStatus"),
                    timeout=LIVE_TIMEOUT_MS)  # fmt: skip
    assert _head(store_url) == head + 1

    # "Make writable" in the banner switches back at once
    button = next(b for b in banner.findChildren(QPushButton) if b.text() == "Make writable")
    button.click()
    assert not window.read_only and not store.read_only and not toggle.isChecked()
    assert not banner.isVisible()
    assert all(action.isEnabled() for action in _writing_actions(window))
    assert "balance 127.25" in run_command(qtbot, window, "depositButton", account="A1",
                                           amount="1.00")  # fmt: skip
    qtbot.waitUntil(lambda: shown_balance(window, "A1") == Decimal("127.25"),
                    timeout=LIVE_TIMEOUT_MS)  # fmt: skip
    qtbot.waitUntil(lambda: text_of(window, "projectionStatus").endswith("lag 0"),
                    timeout=LIVE_TIMEOUT_MS)  # fmt: skip


def test_started_read_only_the_toggle_is_locked_on(qtbot, make_window, store_url):
    with esgui.open_store(store_url) as store:
        make_history(store)
    window = make_window(store_url, read_only=True)
    wait_live(qtbot, window)
    toggle = window.menu_actions.read_only
    assert toggle.isChecked() and not toggle.isEnabled()
    assert "--read-only" in toggle.toolTip()
    window.set_read_only(False)
    assert window.read_only and window.session.store.read_only and toggle.isChecked()
    banner = child(window, "readOnlyBanner")
    assert "started with --read-only" in banner.text()
    assert not banner.findChildren(QPushButton)
    for name in COMMAND_BUTTONS:
        assert not child(window, name, QAbstractButton).isEnabled()


def test_a_store_opened_while_read_only_stays_untouched(qtbot, make_window, store_url):
    with esgui.open_store(store_url) as store:
        make_history(store)
    head = _head(store_url)
    window = make_window(None)
    window.set_read_only(True)
    assert not child(window, "readOnlyBanner", QWidget).isVisible()  # no store yet
    with qtbot.waitSignal(window.store_opened, timeout=READY_TIMEOUT_MS):
        window.open_url(store_url, create=False)
    assert window.session.read_only and window.session.store.read_only
    wait_live(qtbot, window)
    assert child(window, "readOnlyBanner").isVisible()
    assert not child(window, "depositButton", QAbstractButton).isEnabled()
    window.set_read_only(False)  # a read-only open means the current schema: writable now
    assert "balance 10.50" in run_command(qtbot, window, "depositButton", account="C1",
                                          amount="0.50")  # fmt: skip
    assert _head(store_url) == head + 1
