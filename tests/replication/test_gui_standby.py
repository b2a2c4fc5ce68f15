"""A window on the hot standby: says it is a read-only standby, disables the commands,
and follows the primary's writes (polling the replay: NOTIFY does not replicate)."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("PySide6.QtWidgets")

from PySide6.QtCore import QSettings  # noqa: E402
from PySide6.QtWidgets import QAbstractButton, QLabel, QTableView  # noqa: E402

import esgui  # noqa: E402
from tests.replication.conftest import Replicated  # noqa: E402
from tests.ui.gui_helpers import child, select_account, shown_balance, slider, wait_live  # noqa: E402


@pytest.fixture
def make_window(qtbot: Any, tmp_path: Path) -> Iterator[Callable[..., Any]]:
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(tmp_path))
    windows: list[Any] = []

    def make(url: str) -> Any:
        settings = QSettings(str(tmp_path / "esgui.ini"), QSettings.Format.IniFormat)
        window = esgui.create_main_window(url, user="tester", demo="never", settings=settings)
        windows.append(window)
        window.resize(1400, 900)
        window.show()
        return window

    yield make
    for window in windows:
        window.close()
        window.deleteLater()


def test_a_window_on_the_standby_follows_the_primary(
    qtbot: Any, make_window: Callable[..., Any], replicated: Replicated
) -> None:
    with esgui.open_store(replicated.primary) as store:
        accounts = esgui.Accounts(store, user="setup")
        accounts.open("S1", owner="Sam", initial="10.00")
    replicated.pair.wait_replayed()

    window = make_window(replicated.standby)
    wait_live(qtbot, window)
    assert "read-only standby" in window.windowTitle()
    for name in ("openButton", "depositButton", "withdrawButton", "closeButton"):
        assert not child(window, name, QAbstractButton).isEnabled(), name
    label = child(window, "replicationStatus", QLabel)
    qtbot.waitUntil(lambda: "standby 127.0.0.1:" in label.text(), timeout=5000)
    qtbot.waitUntil(lambda: "caught up" in label.text() or "lag" in label.text(), timeout=5000)
    select_account(qtbot, window, "S1")
    qtbot.waitUntil(lambda: shown_balance(window, "S1") == Decimal("10.00"), timeout=5000)
    log = child(window, "eventsView", QTableView).model()
    qtbot.waitUntil(lambda: log.rowCount() == 1, timeout=5000)

    with esgui.open_store(replicated.primary) as store:
        accounts = esgui.Accounts(store, user="primary-writer")
        accounts.deposit("S1", "2.50")
        committed = time.monotonic()
        accounts.open("S2", owner="Sue", initial="1.00")
    qtbot.waitUntil(lambda: shown_balance(window, "S1") == Decimal("12.50"), timeout=2000)
    assert time.monotonic() - committed < 2.0
    qtbot.waitUntil(lambda: shown_balance(window, "S2") == Decimal("1.00"), timeout=2000)
    qtbot.waitUntil(lambda: slider(window).maximum() == 2, timeout=2000)
    qtbot.waitUntil(lambda: log.rowCount() == 2, timeout=2000)  # S1's log: the deposit too
