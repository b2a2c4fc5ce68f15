"""The append lock (issue 10 item 8): only writers can take it, each store has its own,
and a writer kept waiting longer than the lock timeout fails clearly instead of
hanging. On both engines where the engine has the case (roles are PostgreSQL's)."""

from __future__ import annotations

import sqlite3
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

import esgui
from esgui.cli import main
from esgui.errors import AppendLockTimeout, InvalidInput, NotPermitted
from esgui.store import NewEvent
from esgui.store.locking import DEFAULT_LOCK_TIMEOUT_S, lock_timeout_s
from tests.conftest import PG_URL, StoreLocation, _pg_admin


def deposit(amount: str = "1.00") -> NewEvent:
    return NewEvent("MoneyDeposited", {"amount": amount}, {"user": "t"})


@contextmanager
def lock_held(location: StoreLocation) -> Iterator[None]:
    """Another session holds the append lock (as a writer does mid-append) until the
    block ends: SQLite's write lock, PostgreSQL's esgui_append_lock."""
    if location.backend == "sqlite":
        conn = sqlite3.connect(location.url.removeprefix("sqlite:///"), isolation_level=None)
        conn.execute("BEGIN IMMEDIATE")
        try:
            yield
        finally:
            conn.rollback()
            conn.close()
        return
    with _pg_admin() as conn:
        conn.execute(f'SET search_path TO "{location.schema}"')
        conn.execute("BEGIN")
        conn.execute("LOCK TABLE esgui_append_lock IN SHARE ROW EXCLUSIVE MODE")
        try:
            yield
        finally:
            conn.execute("ROLLBACK")


@pytest.fixture
def opened(location: StoreLocation) -> StoreLocation:
    with esgui.open_store(location.url) as store:
        esgui.Accounts(store, user="t").open("A1", owner="Ann", initial="10.00")
    return location


def test_a_blocked_writer_times_out_clearly_and_appends_nothing(opened) -> None:
    with esgui.open_store(opened.url, lock_timeout=0.5) as store, lock_held(opened):
        with pytest.raises(
            AppendLockTimeout, match=r"locked by another writer for more than 0\.5 s"
        ):
            store.append("A1", 1, [deposit()])
        with pytest.raises(AppendLockTimeout):  # the command path: not retried for long
            esgui.Accounts(store, user="t").deposit("A1", "1.00")
    with esgui.open_store(opened.url) as store:
        assert store.current_version("A1") == 1
        store.append("A1", 1, [deposit()])  # the lock is free again: writers go on
        assert store.current_version("A1") == 2


def test_cli_exit_4_after_the_lock_timeout(opened, capsys, monkeypatch) -> None:
    monkeypatch.setenv("ESGUI_LOCK_TIMEOUT", "0.5")
    monkeypatch.delenv("ESGUI_READ_ONLY", raising=False)
    with lock_held(opened):
        code = main(["--db", opened.url, "deposit", "A1", "1.00"])
    err = capsys.readouterr().err
    assert code == 4
    assert "locked by another writer for more than 0.5 s" in err and "Traceback" not in err
    with esgui.open_store(opened.url) as store:
        assert store.current_version("A1") == 1


def test_the_lock_timeout_setting_is_checked(location, monkeypatch, capsys) -> None:
    monkeypatch.delenv("ESGUI_LOCK_TIMEOUT", raising=False)
    assert lock_timeout_s() == DEFAULT_LOCK_TIMEOUT_S == 10.0
    monkeypatch.setenv("ESGUI_LOCK_TIMEOUT", "2.5")
    assert lock_timeout_s() == 2.5
    for bad in ("abc", "0", "-1", "nan", "inf", "99999"):
        monkeypatch.setenv("ESGUI_LOCK_TIMEOUT", bad)
        with pytest.raises(InvalidInput, match="lock timeout"):
            lock_timeout_s()
    monkeypatch.setenv("ESGUI_LOCK_TIMEOUT", "soon")
    assert main(["--db", location.url, "open", "A1", "--owner", "Ann"]) == 2
    assert "Invalid lock timeout" in capsys.readouterr().err


def test_two_stores_writers_do_not_block_each_other(location, tmp_path: Path) -> None:
    (tmp_path / "other").mkdir()
    other = StoreLocation(tmp_path / "other", location.backend)  # another file or schema
    try:
        for loc in (location, other):
            with esgui.open_store(loc.url) as store:
                store.append("A1", 0, [deposit()])
        with lock_held(location):
            with esgui.open_store(other.url, lock_timeout=2) as store:
                store.append("A1", 1, [deposit()])  # not held up by the first store's lock
                assert store.current_version("A1") == 2
            with (
                esgui.open_store(location.url, lock_timeout=0.3) as store,
                pytest.raises(AppendLockTimeout),
            ):
                store.append("A1", 1, [deposit()])
    finally:
        other.drop()


# -- roles (PostgreSQL) -------------------------------------------------------------------


def _role_url(location: StoreLocation, role: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(location.url).set(username=role).render_as_string(hide_password=False)


@pytest.fixture
def auditor(opened) -> Iterator[str]:
    """A login role with SELECT on every table of the store (docs/audit.md)."""
    if opened.backend != "postgresql":
        pytest.skip("database roles are a PostgreSQL feature")
    role = f"esgui_aud_{uuid.uuid4().hex[:10]}"
    opened.sql(f'CREATE ROLE "{role}" LOGIN')
    try:
        opened.sql(f'GRANT USAGE ON SCHEMA "{opened.schema}" TO "{role}"')
        opened.sql(f'GRANT SELECT ON ALL TABLES IN SCHEMA "{opened.schema}" TO "{role}"')
        yield role
    finally:
        opened.sql(f'DROP OWNED BY "{role}"')
        opened.sql(f'DROP ROLE "{role}"')


def _connect_as(role: str, schema: str):
    import psycopg
    from sqlalchemy.engine import make_url

    url = make_url(PG_URL)
    conn = psycopg.connect(
        host=url.host or "127.0.0.1",
        port=url.port or 5432,
        user=role,
        dbname=url.database,
        autocommit=True,
    )
    conn.execute(f'SET search_path TO "{schema}"')
    return conn


def test_a_read_only_role_cannot_take_the_append_lock(opened, auditor) -> None:
    import psycopg

    conn = _connect_as(auditor, opened.schema)
    try:
        for attempt in (
            "LOCK TABLE esgui_append_lock IN SHARE ROW EXCLUSIVE MODE",
            "LOCK TABLE esgui_append_lock",  # ACCESS EXCLUSIVE
            "SELECT * FROM esgui_lock_and_head('A1')",
            "SELECT * FROM esgui_append_lock FOR UPDATE",
        ):
            conn.execute("BEGIN")
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                conn.execute(attempt)
            conn.execute("ROLLBACK")
        # What SELECT does allow it, it may hold as long as it likes: writers go on.
        conn.execute("BEGIN")
        conn.execute("LOCK TABLE esgui_append_lock IN ACCESS SHARE MODE")
        conn.execute("SELECT count(*) FROM events")
        conn.execute("SELECT pg_advisory_lock(x'6573677569' :: bigint * 256 + 2)")  # 0.1's key
        conn.execute("SELECT pg_advisory_xact_lock(x'6573677569' :: bigint * 256 + 2)")
        with esgui.open_store(opened.url, lock_timeout=2) as store:
            accounts = esgui.Accounts(store, user="t")
            accounts.deposit("A1", "1.00")
            store.append("B1", 0, [deposit()])
            assert store.current_version("A1") == 2
        conn.execute("ROLLBACK")
    finally:
        conn.close()
    with (  # and it cannot append
        esgui.open_store(_role_url(opened, auditor)) as store,
        pytest.raises(NotPermitted, match="permission denied"),
    ):
        store.append("A1", 2, [deposit()])


def test_an_existing_writer_role_keeps_appending_after_the_upgrade(location) -> None:
    """A role that could append at 0003 (INSERT on events) may take the new lock."""
    if location.backend != "postgresql":
        pytest.skip("database roles are a PostgreSQL feature")
    from sqlalchemy import create_engine

    import esgui.store.schema_manager as schema_manager

    engine = create_engine(location.url)
    with engine.begin() as conn:
        schema_manager.upgrade(conn, "0003")
    engine.dispose()
    role = f"esgui_wr_{uuid.uuid4().hex[:10]}"
    location.sql(f'CREATE ROLE "{role}" LOGIN')
    try:
        location.sql(f'GRANT USAGE ON SCHEMA "{location.schema}" TO "{role}"')
        location.sql(f'GRANT SELECT ON ALL TABLES IN SCHEMA "{location.schema}" TO "{role}"')
        location.sql(f'GRANT INSERT ON events, snapshots TO "{role}"')
        with esgui.open_store(location.url) as store:  # the owner upgrades it
            assert store.upgraded_from == "0003"
        with esgui.open_store(_role_url(location, role), lock_timeout=2) as store:
            store.append("W1", 0, [deposit()])
            assert store.current_version("W1") == 1
    finally:
        location.sql(f'DROP OWNED BY "{role}"')
        location.sql(f'DROP ROLE "{role}"')


def test_writers_queue_on_the_lock_and_all_commit(opened) -> None:
    """Released locks hand over: writers that wait less than the timeout all commit."""
    errors: list[BaseException] = []

    def write(n: int) -> None:
        try:
            with esgui.open_store(opened.url) as store:
                store.append(f"Q{n}", 0, [deposit()])
        except BaseException as error:  # noqa: BLE001 - reported below
            errors.append(error)

    with lock_held(opened):
        threads = [threading.Thread(target=write, args=(n,)) for n in range(3)]
        for thread in threads:
            thread.start()
        threads[0].join(0.3)  # they wait for the lock
    for thread in threads:
        thread.join()
    assert not errors
    with esgui.open_store(opened.url) as store:
        assert [e.position for e in store.read_all()] == [1, 2, 3, 4]


# -- the lock out of the flush path (PostgreSQL) --------------------------------------------


def test_an_append_is_reported_only_after_its_wal_is_flushed(opened, monkeypatch) -> None:
    """The append transaction commits without waiting for the disk (so the lock is not
    held across the flush); `append` returns only after a synchronous flush that covers
    its commit, for the one-stream path, the several-streams path and exclusive()."""
    if opened.backend != "postgresql":
        pytest.skip("SQLite's commit is its fsync, inside the write lock")
    from esgui.store.postgresql import PostgreSQLBackend

    checks: list[bool] = []
    real = PostgreSQLBackend.make_durable

    def checked(self, engine) -> None:
        with _pg_admin() as conn:
            committed = conn.execute("SELECT pg_current_wal_insert_lsn()").fetchone()[0]
        real(self, engine)
        with _pg_admin() as conn:
            flushed = conn.execute(
                "SELECT pg_current_wal_flush_lsn() >= %s::pg_lsn", (committed,)
            ).fetchone()[0]
        checks.append(bool(flushed))

    monkeypatch.setattr(PostgreSQLBackend, "make_durable", checked)
    with esgui.open_store(opened.url) as store:
        store.append("A1", 1, [deposit()])
        store.append_many([("A1", 2, [deposit()]), ("B1", 0, [deposit()])])
        with store.exclusive():
            store.append("A1", 3, [deposit()])
        assert checks == [True, True, True]
        # a transaction of the caller's own that takes the lock keeps a synchronous commit
        with store.writer().begin() as conn:
            store.lock_for_append(conn)
            setting = conn.exec_driver_sql("SHOW synchronous_commit").scalar()
        assert setting == "on"
        with store.writer().begin() as conn:
            conn.exec_driver_sql("SELECT * FROM esgui_lock_and_head('A1')").all()
            assert conn.exec_driver_sql("SHOW synchronous_commit").scalar() == "off"
    assert len(checks) == 3
