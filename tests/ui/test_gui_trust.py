"""Trust shown in the window (issue 10): a warning banner when the store's append-only
protection is missing, a rebuild of a tampered store confirmed with a warning, an export
of it saying so, the verify dialog no longer offering a tampered head hash as proof,
and no password in the title or the settings file."""

from __future__ import annotations

import json
import uuid

import pytest
from PySide6.QtWidgets import QLabel, QMessageBox

import esgui
from esgui.audit.export import ExportFilters
from esgui.ui.audit.verify_dialog import ANCHOR_HINT, TAMPERED_HINT
from tests.audit.audit_helpers import make_history
from tests.conftest import PG_URL, _pg_admin, pg_problem
from tests.ui.gui_helpers import READY_TIMEOUT_MS, child, wait_live


def _verify(qtbot, window):
    with qtbot.waitSignal(window.audit.verified, timeout=READY_TIMEOUT_MS) as blocker:
        window.menu_actions.verify.trigger()
    return blocker.args[0]


def _filled(url: str) -> None:
    with esgui.open_store(url) as store:
        make_history(store)


def test_no_banner_on_a_protected_store(qtbot, make_window, store_url):
    _filled(store_url)
    window = make_window(store_url)
    wait_live(qtbot, window)
    assert not child(window, "protectionBanner").isVisible()


def test_missing_protection_shows_a_warning_banner(qtbot, make_window, store_url, location):
    _filled(store_url)
    location.drop_append_only()
    window = make_window(store_url)
    wait_live(qtbot, window)
    banner = child(window, "protectionBanner")
    qtbot.waitUntil(banner.isVisible, timeout=READY_TIMEOUT_MS)
    assert "append-only protection is missing or altered" in banner.text()
    assert banner.property("kind") == "warning"
    result = _verify(qtbot, window)
    assert not result.intact and not result.tampered
    dialog = window.audit.verify_dialog
    assert "Protection missing" in child(dialog, "verifyVerdict", QLabel).text()
    # repaired, and the store opened again: the banner is gone
    location.restore_append_only()
    window.open_url(store_url, create=False)
    qtbot.waitUntil(lambda: not banner.isVisible(), timeout=READY_TIMEOUT_MS)


def _tamper(location) -> None:
    location.drop_append_only()
    location.sql("UPDATE events SET operator = 'mallory' WHERE position = 2")
    location.restore_append_only()


def test_a_tampered_store_warns_on_rebuild_and_export(
    qtbot, make_window, store_url, location, tmp_path, monkeypatch
):
    _filled(store_url)
    _tamper(location)
    window = make_window(store_url)
    wait_live(qtbot, window)
    result = _verify(qtbot, window)
    assert result.tampered
    hint = window.audit.verify_dialog.hint.text()
    assert hint == TAMPERED_HINT and "do not record" in hint and hint != ANCHOR_HINT

    asked: list[str] = []

    def warning(_parent, _title, text, *_args):
        asked.append(text)
        return QMessageBox.StandardButton.No

    monkeypatch.setattr(QMessageBox, "warning", warning)
    monkeypatch.setattr(QMessageBox, "question", lambda *_a: pytest.fail("plain question"))
    window.rebuild_projection()
    assert len(asked) == 1 and "adopts the altered history" in asked[0]
    assert "Rebuilt" not in window.status.currentMessage()  # No: nothing rebuilt

    out = tmp_path / "tampered.jsonl"
    with qtbot.waitSignal(window.audit.exported, timeout=READY_TIMEOUT_MS):
        window.audit.files.export("jsonl", out, ExportFilters())
    header = json.loads(out.read_text().splitlines()[0])
    assert header["integrity"]["tampered"] is True
    assert "altered history" in header["integrity"]["warning"]
    assert "TAMPERED" in child(window, "auditBanner").text()


def test_an_intact_store_rebuilds_after_the_plain_question(
    qtbot, make_window, store_url, monkeypatch
):
    _filled(store_url)
    window = make_window(store_url)
    wait_live(qtbot, window)
    assert _verify(qtbot, window).intact
    assert window.audit.verify_dialog.hint.text() == ANCHOR_HINT
    monkeypatch.setattr(QMessageBox, "warning", lambda *_a: pytest.fail("no warning"))
    monkeypatch.setattr(QMessageBox, "question", lambda *_a: QMessageBox.StandardButton.Yes)
    window.rebuild_projection()
    qtbot.waitUntil(lambda: "Rebuilt the projection" in window.status.currentMessage(),
                    timeout=READY_TIMEOUT_MS)  # fmt: skip


@pytest.mark.skipif(pg_problem() is not None, reason="needs the PostgreSQL test server")
def test_title_and_settings_never_show_a_password(qtbot, make_window, settings_file):
    schema = f"t_{uuid.uuid4().hex[:12]}"
    with _pg_admin() as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    try:
        secret = "s3cr3t"
        url = (PG_URL.replace("postgres@", f"postgres:p@{secret}@", 1)
               + f"?options=-csearch_path%3D{schema}&password={secret}")  # fmt: skip
        window = make_window(url)
        wait_live(qtbot, window)
        assert secret not in window.windowTitle()
        assert schema in window.windowTitle()
        window.settings.sync()
        window.close()
        assert secret not in settings_file.read_text()
        assert window.settings.recent()[0].needs_password
    finally:
        with _pg_admin() as conn:
            conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


def test_only_the_default_store_is_created_at_start(tmp_path, monkeypatch):
    from esgui.ui.window import launch

    default = tmp_path / "data" / "esgui.db"
    monkeypatch.setattr(launch, "default_store_path", lambda: default)
    monkeypatch.setattr(launch, "default_store_url", lambda: f"sqlite:///{default}")
    assert launch.startup(None) == (f"sqlite:///{default}", "auto", True)
    assert launch.startup(None, read_only=True)[1:] == ("offer", True)
    typo = f"sqlite:///{tmp_path / 'typo.db'}"
    assert launch.startup(typo) == (typo, "offer", False)


def test_a_missing_store_is_reported_not_created(qtbot, make_window, tmp_path):
    typo = tmp_path / "typo.db"
    window = make_window(f"sqlite:///{typo}", create=False)
    banner = child(window, "errorBanner")
    qtbot.waitUntil(banner.isVisible, timeout=READY_TIMEOUT_MS)
    assert f"No store at {typo}" in banner.text()
    assert not typo.exists()


@pytest.mark.parametrize("url", ["sqlite://", "sqlite:///:memory:", "sqlite://bank.db"])
def test_in_memory_and_two_slash_urls_are_refused(qtbot, make_window, url):
    window = make_window(url)
    banner = child(window, "errorBanner")
    qtbot.waitUntil(banner.isVisible, timeout=READY_TIMEOUT_MS)
    assert "In-memory" in banner.text() or "three slashes" in banner.text()
