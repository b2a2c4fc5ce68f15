"""Switching stores (Open, Connect, Recent): a successful switch resets every panel; a
failed one leaves the current store open and says why in plain words; nothing of the
old store's follower arrives afterwards."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtWidgets import QApplication, QLineEdit, QPushButton, QTableView, QWidget

import esgui
from tests.conftest import BACKEND, PG_URL, StoreLocation
from tests.ui.gui_helpers import (
    LIVE_TIMEOUT_MS,
    child,
    run_command,
    select_account,
    text_of,
    wait_live,
)


@pytest.fixture
def other_location(tmp_path) -> Iterator[StoreLocation]:
    folder = tmp_path / "other"
    folder.mkdir()
    loc = StoreLocation(folder)
    yield loc
    loc.drop()


def _open(url: str, account: str, owner: str) -> None:
    with esgui.open_store(url) as store:
        esgui.Accounts(store, user="setup").open(account, owner=owner, initial="10.00")


def _banner(qtbot, window) -> str:
    banner = window.findChild(QWidget, "errorBanner")
    qtbot.waitUntil(banner.isVisible, timeout=LIVE_TIMEOUT_MS + 5000)
    return banner.text()


def test_a_successful_switch_resets_every_panel(qtbot, make_window, store_url, other_location):
    _open(store_url, "TRIAL-1", "Trina")
    _open(other_location.url, "OTHER-1", "Otto")
    window = make_window(store_url)
    wait_live(qtbot, window)
    select_account(qtbot, window, "TRIAL-1")
    qtbot.keyClicks(child(window, "amountEdit", QLineEdit), "3.00")
    window.open_url(other_location.url)
    wait_live(qtbot, window)
    view = child(window, "accountsView", QTableView)
    qtbot.waitUntil(lambda: view.model().rowCount() == 1, timeout=LIVE_TIMEOUT_MS)
    assert view.model().index(0, 0).data() == "OTHER-1"
    footer = text_of(window, "logFooter")
    assert "TRIAL-1" not in footer and "whole store" in footer, footer
    qtbot.waitUntil(lambda: window.log.model.rowCount() == 1, timeout=LIVE_TIMEOUT_MS)
    for name in ("accountIdEdit", "ownerEdit", "amountEdit"):
        assert child(window, name, QLineEdit).text() == "", name
    assert window.timeline.account_id == ""
    assert window.accounts.selected_id() == ""
    assert "TRIAL-1" not in child(window, "commandTarget").full_text()


def test_a_failed_switch_keeps_the_working_store(qtbot, make_window, store_url):
    _open(store_url, "K1", "Kira")
    window = make_window(store_url)
    wait_live(qtbot, window)
    working = window.session
    window.open_url("postgresql+psycopg://nobody:s3cret@127.0.0.1:1/none")
    text = _banner(qtbot, window)
    assert text.startswith("Could not open the store.") and "Still working on" in text
    assert "s3cret" not in text
    assert window.session is working and working.ready
    assert not window.opening
    view = child(window, "accountsView", QTableView)
    assert view.model().rowCount() == 1
    assert "balance 11.00" in run_command(qtbot, window, "depositButton", account="K1",
                                          amount="1.00")  # fmt: skip


def test_rows_queued_by_the_old_follower_are_dropped(qtbot, make_window, store_url, other_location):
    _open(store_url, "OLD-1", "Olga")
    window = make_window(store_url)
    wait_live(qtbot, window)
    old_follower = window.session.follower
    with esgui.open_store(store_url) as store:
        rows = esgui.projections.AccountProjector(store).current()
    window.open_url(other_location.url)
    wait_live(qtbot, window)
    view = child(window, "accountsView", QTableView)
    # what the old follower had queued before it stopped arrives now: dropped
    old_follower.accounts_changed.emit(rows)
    old_follower.accounts_loaded.emit(rows)
    old_follower.head_moved.emit(99, 99)
    QApplication.processEvents()
    assert view.model().rowCount() == 0
    assert "99 events" not in text_of(window, "eventCount")


@pytest.mark.skipif(BACKEND != "postgresql", reason="PostgreSQL schemas")
def test_a_missing_schema_is_named_with_the_way_to_create_it(qtbot, make_window, store_url):
    from esgui.app.stores import PgConnection

    _open(store_url, "S1", "Sam")
    window = make_window(store_url)
    wait_live(qtbot, window)
    base = PgConnection.from_url(PG_URL)
    missing = PgConnection(host=base.host, port=base.port, database=base.database,
                           user=base.user, schema="no_such_schema_here").url()  # fmt: skip
    window.open_url(missing)
    text = _banner(qtbot, window)
    assert "the schema “no_such_schema_here” does not exist" in text
    assert "%3D" not in text and "Still working on" in text
    window.error_banner.action_clicked.emit("copy_schema_sql")
    assert QApplication.clipboard().text() == 'CREATE SCHEMA "no_such_schema_here";'
    assert window.session is not None and window.session.ready


@pytest.mark.skipif(BACKEND != "postgresql", reason="PostgreSQL schemas")
def test_store_urls_are_shown_without_percent_escapes(qtbot, make_window, store_url):
    window = make_window(store_url)
    wait_live(qtbot, window)
    for shown in (text_of(window, "storeLabel"), window.windowTitle()):
        assert "%3D" not in shown and "(schema t_" in shown, shown
    window.fill_recent_menu()
    labels = [a.text() for a in window.menu_actions.recent.actions() if a.text()]
    assert labels and "%3D" not in labels[0]


@pytest.mark.skipif(BACKEND != "postgresql", reason="PostgreSQL schemas")
def test_a_missing_schema_is_created_in_one_click_and_the_store_opens(qtbot, make_window,
                                                                      store_url):  # fmt: skip
    import uuid

    from esgui.app.stores import PgConnection
    from tests.conftest import _pg_admin

    _open(store_url, "S1", "Sam")
    window = make_window(store_url)
    wait_live(qtbot, window)
    base = PgConnection.from_url(PG_URL)
    schema = f"t_made_{uuid.uuid4().hex[:10]}"
    missing = PgConnection(host=base.host, port=base.port, database=base.database,
                           user=base.user, schema=schema).url()  # fmt: skip
    try:
        window.open_url(missing)
        text = _banner(qtbot, window)
        assert f"the schema “{schema}” does not exist" in text
        buttons = {b.text(): b for b in window.error_banner.findChildren(QPushButton)}
        assert "Create schema" in buttons
        buttons["Create schema"].click()
        qtbot.waitUntil(
            lambda: window.session is not None and window.session.ready
            and schema in window.session.description,
            timeout=LIVE_TIMEOUT_MS,
        )
        assert not window.error_banner.isVisible()
        with _pg_admin() as conn:
            found = conn.execute("SELECT 1 FROM information_schema.schemata "
                                 "WHERE schema_name = %s", (schema,)).fetchall()  # fmt: skip
        assert found == [(1,)]
    finally:
        with _pg_admin() as conn:
            conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
