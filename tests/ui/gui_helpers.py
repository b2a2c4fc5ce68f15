"""Helpers for GUI tests: reach widgets only by their CONTRACTS §4 automation names."""

from __future__ import annotations

import os
import subprocess
import sys
from decimal import Decimal
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractButton, QLabel, QLineEdit, QSlider, QTableView, QWidget

REPO = Path(__file__).resolve().parents[2]
READY_TIMEOUT_MS = 15_000
LIVE_TIMEOUT_MS = 5_000


def child(window: QWidget, name: str, kind: type = QWidget) -> Any:
    widget = window.findChild(kind, name)
    assert widget is not None, f"no {kind.__name__} named {name!r}"
    assert widget.accessibleName() == name, f"{name}'s accessible name does not match"
    return widget


def text_of(window: QWidget, name: str) -> str:
    return child(window, name, QLabel).text()


def wait_live(qtbot: Any, window: QWidget) -> None:
    """The store is open (no other one still opening) and the live follower has
    delivered the accounts."""
    indicator = child(window, "liveIndicator", QLabel)
    qtbot.waitUntil(lambda: not getattr(window, "opening", False) and "Live" in indicator.text(),
                    timeout=READY_TIMEOUT_MS)  # fmt: skip


def balance_column(view: QTableView) -> int:
    model = view.model()
    for column in range(model.columnCount()):
        if model.headerData(column, Qt.Orientation.Horizontal) == "Balance":
            return column
    raise AssertionError("no column headed Balance")


def account_row(view: QTableView, account_id: str) -> int:
    model = view.model()
    for row in range(model.rowCount()):
        if model.index(row, 0).data() == account_id:
            return row
    return -1


def shown_balance(window: QWidget, account_id: str) -> Decimal | None:
    view = child(window, "accountsView", QTableView)
    row = account_row(view, account_id)
    if row < 0:
        return None
    text = view.model().index(row, balance_column(view)).data()
    return Decimal(str(text).replace(",", ""))


def select_account(qtbot: Any, window: QWidget, account_id: str) -> None:
    view = child(window, "accountsView", QTableView)
    qtbot.waitUntil(lambda: account_row(view, account_id) >= 0, timeout=LIVE_TIMEOUT_MS)
    view.selectRow(account_row(view, account_id))
    edit = child(window, "accountIdEdit", QLineEdit)
    qtbot.waitUntil(lambda: edit.text() == account_id)


def confirmation(window: QWidget) -> Any:
    """The command confirmation on screen (confirmCommandDialog), or None."""
    from PySide6.QtWidgets import QMessageBox

    for box in window.findChildren(QMessageBox, "confirmCommandDialog"):
        if box.isVisible():
            return box
    return None


def answer(qtbot: Any, window: QWidget, button: str) -> None:
    """Press `button` (e.g. confirmWithdrawButton, confirmCancelButton) in the
    confirmation on screen."""
    qtbot.waitUntil(lambda: confirmation(window) is not None, timeout=READY_TIMEOUT_MS)
    box = confirmation(window)
    found = box.findChild(QAbstractButton, button)
    assert found is not None, f"no {button} in the confirmation"
    found.click()
    qtbot.waitUntil(lambda: confirmation(window) is None)


def run_command(
    qtbot: Any,
    window: QWidget,
    button: str,
    *,
    account: str | None = None,
    owner: str | None = None,
    amount: str | None = None,
    confirm: bool = True,
) -> str:
    """Fill the command panel, press a button and wait for the outcome in commandStatus;
    a confirmation the command asks for (Close, a large withdrawal) is accepted, as the
    operator would (`confirm=False`: it is left on screen)."""
    for name, value in (("accountIdEdit", account), ("ownerEdit", owner), ("amountEdit", amount)):
        if value is not None:
            edit = child(window, name, QLineEdit)
            edit.clear()
            qtbot.keyClicks(edit, value)
    status = child(window, "commandStatus", QLabel)
    press = child(window, button, QAbstractButton)
    qtbot.waitUntil(press.isEnabled, timeout=READY_TIMEOUT_MS)
    status.setText("")
    press.click()
    box = confirmation(window)
    if box is not None:
        if not confirm:
            return status.text()
        names = [b.objectName() for b in box.findChildren(QAbstractButton)]
        choice = next(n for n in names if n.startswith("confirm") and n != "confirmCancelButton")
        box.findChild(QAbstractButton, choice).click()
        qtbot.waitUntil(lambda: confirmation(window) is None)
    qtbot.waitUntil(lambda: status.text() not in ("", "Working…"), timeout=READY_TIMEOUT_MS)
    qtbot.waitUntil(press.isEnabled, timeout=READY_TIMEOUT_MS)
    return status.text()


def slider(window: QWidget) -> QSlider:
    return child(window, "timelineSlider", QSlider)


def esgui_cli(url: str, *args: str, user: str = "other-process") -> subprocess.CompletedProcess:
    """Run the esgui command line in another process against the same store."""
    env = {**os.environ, "ESGUI_USER": user, "PYTHONPATH": str(REPO)}
    return subprocess.run(
        [sys.executable, "-m", "esgui", "--db", url, *args],
        capture_output=True, text=True, timeout=120, env=env, cwd=str(REPO), check=False,
    )  # fmt: skip
