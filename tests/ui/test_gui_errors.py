"""Stores that cannot be opened are one clear message in the window, never a traceback;
the window stays usable and can open another store."""

from __future__ import annotations

import sqlite3

import pytest
from PySide6.QtWidgets import QAbstractButton, QLabel, QTableView, QWidget

from tests.ui.gui_helpers import LIVE_TIMEOUT_MS, child, wait_live


def _banner_text(qtbot, window) -> str:
    banner = window.findChild(QWidget, "errorBanner")
    qtbot.waitUntil(banner.isVisible, timeout=LIVE_TIMEOUT_MS + 5000)
    return banner.findChild(QLabel).text()


@pytest.mark.parametrize(
    ("make_url", "expected"),
    [
        (lambda tmp: "nonsense://whatever", "Unsupported store URL"),
        (lambda tmp: "", "No store URL given"),
        (lambda tmp: f"sqlite:///{tmp}/missing-folder/x.db", "does not exist"),
        (lambda tmp: "postgresql+psycopg://nobody:s3cret@127.0.0.1:1/none", "Cannot"),
    ],
)
def test_bad_urls_are_one_clear_message(qtbot, make_window, tmp_path, make_url, expected):
    window = make_window(None)
    window.open_url(make_url(tmp_path))
    text = _banner_text(qtbot, window)
    assert expected in text, text
    assert "Traceback" not in text and "s3cret" not in text
    assert "\n" not in text
    assert window.session is None
    for name in ("openButton", "depositButton"):
        assert not child(window, name, QAbstractButton).isEnabled()


def test_garbage_foreign_and_newer_files(qtbot, make_window, tmp_path):
    garbage = tmp_path / "garbage.db"
    garbage.write_bytes(b"\x00\x01 this is not a database " * 500)
    window = make_window(f"sqlite:///{garbage}")
    assert "not a readable esgui store" in _banner_text(qtbot, window)

    foreign = tmp_path / "foreign.db"
    with sqlite3.connect(foreign) as conn:
        conn.execute("CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT)")
    window.open_url(f"sqlite:///{foreign}")
    qtbot.waitUntil(lambda: "not an esgui store" in _banner_text(qtbot, window),
                    timeout=LIVE_TIMEOUT_MS)  # fmt: skip
    with sqlite3.connect(foreign) as conn:  # left untouched
        assert [r[0] for r in conn.execute("SELECT name FROM sqlite_master")] == ["customers"]

    import esgui

    newer = tmp_path / "newer.db"
    esgui.open_store(f"sqlite:///{newer}").close()
    with sqlite3.connect(newer) as conn:
        conn.execute("UPDATE esgui_schema_version SET version_num = '9999'")
    window.open_url(f"sqlite:///{newer}")
    qtbot.waitUntil(lambda: "newer esgui" in _banner_text(qtbot, window),
                    timeout=LIVE_TIMEOUT_MS)  # fmt: skip


def test_the_window_recovers_by_opening_another_store(qtbot, make_window, tmp_path, store_url):
    import esgui

    with esgui.open_store(store_url) as store:
        esgui.Accounts(store, user="setup").open("R1", owner="Ray")
    window = make_window("nonsense://nope")
    _banner_text(qtbot, window)
    window.open_url(store_url)
    wait_live(qtbot, window)
    assert not window.findChild(QWidget, "errorBanner").isVisible()
    view = child(window, "accountsView", QTableView)
    qtbot.waitUntil(lambda: view.model().rowCount() == 1, timeout=LIVE_TIMEOUT_MS)
    assert "Ray" in [view.model().index(0, c).data() for c in range(3)]


def test_cancel_while_a_server_does_not_answer(qtbot, make_window, store_url):
    """A connect that hangs (a port that accepts but never answers) is cancelled at once;
    the window opens another store meanwhile."""
    import socket

    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(8)
    port = silent.getsockname()[1]
    try:
        window = make_window(f"postgresql+psycopg://nobody@127.0.0.1:{port}/none")
        progress = window.findChild(QWidget, "taskProgress")
        qtbot.waitUntil(progress.isVisible)
        child(window, "taskCancel", QAbstractButton).click()
        text = _banner_text(qtbot, window)
        assert "was cancelled" in text
        window.open_url(store_url)
        wait_live(qtbot, window)
        assert window.session is not None and window.session.ready
    finally:
        silent.close()
