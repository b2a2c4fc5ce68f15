"""File ▸ New store / Open store / Connect to PostgreSQL / Recent stores (dialogs are
answered by the test)."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QFileDialog, QTableView, QWidget
from sqlalchemy.engine import make_url

import esgui
from esgui.ui.window.store_dialog import ConnectDialog
from tests.ui.gui_helpers import LIVE_TIMEOUT_MS, child, wait_live


def _answer_file_dialogs(monkeypatch, path) -> None:
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(path), ""))
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(path), ""))


def test_new_store_open_store_and_recent(qtbot, make_window, tmp_path, monkeypatch):
    window = make_window(None)
    fresh = tmp_path / "fresh.db"
    _answer_file_dialogs(monkeypatch, fresh)
    window.new_store()
    wait_live(qtbot, window)
    assert fresh.exists() and window.session.store.head()[0] == 0

    window.new_store()  # the same file again: never replaced, offered to open instead
    banner = window.findChild(QWidget, "errorBanner")
    assert banner.isVisible() and "already exists" in banner.text()

    other = tmp_path / "other.db"
    with esgui.open_store(f"sqlite:///{other}") as store:
        esgui.Accounts(store, user="setup").open("F9", owner="Flo")
    _answer_file_dialogs(monkeypatch, other)
    window.open_store_file()
    view = child(window, "accountsView", QTableView)
    qtbot.waitUntil(lambda: view.model().rowCount() == 1, timeout=LIVE_TIMEOUT_MS)

    missing = tmp_path / "missing.db"
    _answer_file_dialogs(monkeypatch, missing)
    window.open_store_file()  # Open never creates a store
    qtbot.waitUntil(lambda: "does not exist" in banner.text(), timeout=LIVE_TIMEOUT_MS)
    assert not missing.exists()

    window.fill_recent_menu()
    labels = [a.text() for a in window.menu_actions.recent.actions() if a.text()]
    assert labels[:2] == [str(other), str(fresh)]
    window.menu_actions.recent.actions()[1].trigger()  # fresh.db again
    wait_live(qtbot, window)
    assert window.session.store.description == str(fresh)


def test_connect_to_postgresql(qtbot, make_window, store_url, monkeypatch):
    if not store_url.startswith("postgresql"):
        pytest.skip("needs the PostgreSQL test server")
    url = make_url(store_url)
    schema = url.query["options"].split("search_path=")[1]

    def answer(dialog: ConnectDialog) -> int:
        dialog.host.setText(url.host)
        dialog.port.setValue(url.port or 5432)
        dialog.database.setText(url.database)
        dialog.user.setText(url.username)
        dialog.password.setText("typed-but-not-needed")
        dialog.schema.setText(schema)
        return ConnectDialog.DialogCode.Accepted

    monkeypatch.setattr(ConnectDialog, "exec", answer)
    with esgui.open_store(store_url) as store:
        esgui.Accounts(store, user="setup").open("PG1", owner="Paz")
    window = make_window(None)
    window.connect_postgresql()
    wait_live(qtbot, window)
    view = child(window, "accountsView", QTableView)
    qtbot.waitUntil(lambda: view.model().rowCount() == 1, timeout=LIVE_TIMEOUT_MS)
    recent = window.settings.recent()[0]
    assert recent.needs_password and "typed-but-not-needed" not in recent.url
