"""A PostgreSQL server restart while the window is open: every session of the store is
cut; the window stays usable, says it is offline, reconnects and shows what happened
meanwhile — and a confirmed event is never lost."""

from __future__ import annotations

import uuid
from decimal import Decimal

import pytest

import esgui
from tests.conftest import BACKEND, PG_URL, _pg_admin
from tests.ui.gui_helpers import (
    LIVE_TIMEOUT_MS,
    READY_TIMEOUT_MS,
    child,
    esgui_cli,
    run_command,
    shown_balance,
    wait_live,
)

pytestmark = pytest.mark.skipif(BACKEND != "postgresql", reason="server connections")


@pytest.fixture
def own_database():
    """A database of its own, so that cutting its sessions touches nobody else's."""
    name = f"esgui_reconnect_{uuid.uuid4().hex[:10]}"
    with _pg_admin() as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    base = PG_URL.rsplit("/", 1)[0]
    yield name, f"{base}/{name}"
    with _pg_admin() as admin:
        admin.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = %s AND pid <> pg_backend_pid()",
            (name,),
        )
        admin.execute(f'DROP DATABASE IF EXISTS "{name}"')


def cut_every_session(database: str) -> int:
    with _pg_admin() as admin:
        rows = admin.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = %s AND pid <> pg_backend_pid()",
            (database,),
        ).fetchall()
    return len(rows)


def test_window_survives_a_server_restart(qtbot, make_window, own_database) -> None:
    database, url = own_database
    with esgui.open_store(url) as store:
        esgui.Accounts(store, user="setup").open("R1", owner="Rita", initial="10.00")
    window = make_window(url)
    wait_live(qtbot, window)
    qtbot.waitUntil(
        lambda: shown_balance(window, "R1") == Decimal("10.00"), timeout=LIVE_TIMEOUT_MS
    )
    assert cut_every_session(database) >= 1
    # another operator keeps working while this window's sessions are gone
    assert esgui_cli(url, "deposit", "R1", "5.00").returncode == 0
    qtbot.waitUntil(
        lambda: shown_balance(window, "R1") == Decimal("15.00"), timeout=READY_TIMEOUT_MS
    )
    indicator = child(window, "liveIndicator")
    qtbot.waitUntil(lambda: "Live" in indicator.text(), timeout=READY_TIMEOUT_MS)
    # and this window's own commands work again (its pool reconnects)
    status = run_command(qtbot, window, "depositButton", account="R1", amount="1.00")
    assert "16.00" in status
    with esgui.open_store(url) as store:
        assert esgui.Accounts(store, user="check").state("R1").balance == Decimal("16.00")
