"""Faults the store must survive: lost connections, lost acknowledgements, a full disk,
a read-only file — a clear error or a transparent recovery, never a lost or doubled event."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import event

import esgui
from esgui.errors import StoreError, StoreUnavailable
from tests.conftest import _pg_admin


def test_lost_acknowledgement_is_retried_without_duplicating(store, monkeypatch) -> None:
    accounts = esgui.Accounts(store, user="alice")
    accounts.open("A1", owner="Alice")
    real_append = store.append
    calls = []

    def append_then_lose_the_ack(*args, **kwargs):
        result = real_append(*args, **kwargs)  # committed...
        calls.append(args)
        if len(calls) == 1:
            raise StoreUnavailable("connection lost")  # ...but the client never heard
        return result

    monkeypatch.setattr(store, "append", append_then_lose_the_ack)
    state = accounts.deposit("A1", "1.00")
    assert len(calls) == 2
    assert state.balance == Decimal("1.00") and state.version == 2
    assert [e.version for e in store.read_stream("A1")] == [1, 2]


def test_terminated_server_connections_are_replaced(store, location) -> None:
    if location.backend != "postgresql":
        pytest.skip("server connections")
    accounts = esgui.Accounts(store, user="alice")
    accounts.open("A1", owner="Alice", initial="1.00")
    with store.engine.connect() as conn:
        pid = conn.exec_driver_sql("SELECT pg_backend_pid()").scalar()
    with _pg_admin() as admin:  # what a server restart does to every session
        admin.execute("SELECT pg_terminate_backend(%s)", (pid,))
    assert accounts.deposit("A1", "1.00").balance == Decimal("2.00")
    assert esgui.Accounts(store, user="bob").state("A1").version == 2


def test_connection_killed_mid_append_is_retried_once(store, location) -> None:
    if location.backend != "postgresql":
        pytest.skip("server connections")
    accounts = esgui.Accounts(store, user="alice")
    accounts.open("A1", owner="Alice")
    killed = []

    def kill_during_insert(conn, cursor, statement, params, context, executemany) -> None:
        if statement.startswith("INSERT INTO events") and not killed:
            pid = conn.exec_driver_sql("SELECT pg_backend_pid()").scalar()
            with _pg_admin() as admin:
                admin.execute("SELECT pg_terminate_backend(%s)", (pid,))
            killed.append(pid)

    event.listen(store.engine, "before_cursor_execute", kill_during_insert)
    try:
        state = accounts.deposit("A1", "2.50")
    finally:
        event.remove(store.engine, "before_cursor_execute", kill_during_insert)
    assert killed
    assert state.balance == Decimal("2.50")
    assert [e.version for e in store.read_stream("A1")] == [1, 2]


def test_disk_full_is_a_clear_error_and_nothing_is_written(store_url, location) -> None:
    if location.backend != "sqlite":
        pytest.skip("SQLite file limits")
    with esgui.open_store(store_url) as store:
        accounts = esgui.Accounts(store, user="alice")
        accounts.open("A1", owner="Alice", initial="1.00")
        head = store.head()

    store = esgui.open_store(store_url)

    @event.listens_for(store.engine, "connect")
    def cap(dbapi_connection, _record) -> None:  # the file may not grow: SQLITE_FULL
        pages = dbapi_connection.execute("PRAGMA page_count").fetchone()[0]
        dbapi_connection.execute(f"PRAGMA max_page_count = {pages}")

    store.engine.dispose()
    accounts = esgui.Accounts(store, user="alice")
    with pytest.raises(StoreError, match="disk is full"):
        for _ in range(2000):
            accounts.deposit("A1", "1.00")
    store.close()
    with esgui.open_store(store_url) as reopened:
        stream = list(reopened.read_stream("A1"))
        assert [e.version for e in stream] == list(range(1, len(stream) + 1))
        assert reopened.head()[0] >= head[0]
        state = esgui.Accounts(reopened, user="x").state("A1")
        assert state.balance == Decimal("1.00") + (len(stream) - 1)


def test_read_only_file_is_a_clear_error(store_url, location) -> None:
    if location.backend != "sqlite":
        pytest.skip("SQLite file limits")
    with esgui.open_store(store_url) as store:
        esgui.Accounts(store, user="alice").open("A1", owner="Alice")
        head = store.head()
    store = esgui.open_store(store_url)

    @event.listens_for(store.engine, "connect")
    def read_only(dbapi_connection, _record) -> None:
        dbapi_connection.execute("PRAGMA query_only = ON")

    store.engine.dispose()
    with pytest.raises(StoreError, match="read-only"):
        esgui.Accounts(store, user="alice").deposit("A1", "1.00")
    assert store.head() == head
    store.close()
