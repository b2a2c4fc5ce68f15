"""The read-only query console on both engines: what the views show, and that no kind of
write gets through — each is refused with exit 5 and leaves the store byte for byte
(SQLite: the file's bytes; PostgreSQL: every row and object of the schema) unchanged."""

from __future__ import annotations

import hashlib
import json
import threading
import time
from pathlib import Path

import pytest

import esgui
from esgui.app.console import Cancellation, run_query, save_query
from esgui.app.seed import seed
from esgui.audit.notes import add_note
from esgui.cli import main
from esgui.errors import InvalidInput, NotPermitted, QueryStopped
from tests.conftest import _pg_admin

COMMON_WRITES = [
    "DELETE FROM events",
    "DELETE FROM events RETURNING position",
    "UPDATE events SET operator = 'mallory'",
    "UPDATE review_notes SET text = 'x' RETURNING id",
    "INSERT INTO saved_queries (id, name, sql, author, created_at) "
    "VALUES ('q', 'n', 'select 1', 'm', '2026-01-01 00:00:00.000000')",
    "INSERT INTO review_notes SELECT * FROM review_notes RETURNING id",
    "CREATE TABLE evil (a integer)",
    "CREATE VIEW evil AS SELECT 1 AS a",
    "CREATE INDEX evil ON events (operator)",
    "ALTER TABLE events ADD COLUMN evil integer",
    "DROP VIEW event_log",
    "DROP TABLE events",
    "SELECT 1; DELETE FROM events",
    "SELECT * FROM event_log; SELECT 2",
    "SELECT * FROM events",  # not a documented view
    "SELECT * FROM snapshots",
    "BEGIN",
]
SQLITE_WRITES = [
    "ATTACH DATABASE '{tmp}/attached.db' AS evil",
    "PRAGMA user_version = 7",
    "PRAGMA journal_mode = DELETE",
    "PRAGMA writable_schema = ON",
    "VACUUM",
    "VACUUM INTO '{tmp}/copy.db'",
    "REINDEX",
    "ANALYZE",
    "SELECT load_extension('{tmp}/evil')",
    "SELECT * FROM sqlite_master",
    "CREATE TEMP TABLE evil AS SELECT * FROM event_log",
    "INSERT INTO events SELECT * FROM events",
]
POSTGRESQL_WRITES = [
    "COPY events TO PROGRAM 'touch {tmp}/pwned'",
    "COPY (SELECT 1) TO '{tmp}/copied'",
    "COPY review_notes FROM STDIN",
    "SELECT nextval('evil_seq')",
    "SELECT setval('evil_seq', 42)",
    "SELECT pg_advisory_lock(4242)",
    "SELECT pg_advisory_xact_lock(4242)",
    "SELECT set_config('statement_timeout', '0', false)",
    "SELECT set_config('role', 'postgres', false)",
    "SELECT lo_import('/etc/hostname')",
    "SELECT pg_read_file('/etc/hostname')",
    "WITH gone AS (DELETE FROM events RETURNING *) SELECT count(*) FROM gone",
    "TRUNCATE events",
    "LOCK TABLE events IN ACCESS EXCLUSIVE MODE",
    "SET ROLE postgres",
    "DO $$ BEGIN DELETE FROM events; END $$",
    "CREATE TEMP TABLE evil AS SELECT * FROM event_log",
    "PREPARE evil AS DELETE FROM events",
    "INSERT INTO events SELECT * FROM events RETURNING position",
]


@pytest.fixture
def ledger(store_url: str, location) -> str:
    """Two accounts, a review note, a saved query, a legacy (amount_cents) deposit and
    a sequence to try nextval on; the store closed afterwards."""
    with esgui.open_store(store_url) as store:
        accounts = esgui.Accounts(store, user="alice")
        accounts.open("A1", owner="Alice", initial="10.00")
        accounts.deposit("A1", "2.50")
        accounts.withdraw("A1", "0.30")
        accounts.open("B1", owner="Bob")
        add_note(store, "looks odd", author="carol", account_id="A1")
        save_query(store, "big", "SELECT * FROM event_log WHERE amount > '1'", author="carol")
    if location.backend == "postgresql":
        location.sql("CREATE SEQUENCE evil_seq")
    return store_url


def _state(location, tmp_path: Path) -> str:
    """Everything the store holds: the SQLite file's bytes, or every PostgreSQL row and
    object of the test schema (and the advisory locks anyone holds)."""
    if location.backend == "sqlite":
        digest = hashlib.sha256()
        for suffix in ("", "-wal"):
            path = Path(str(tmp_path / "store.db") + suffix)
            digest.update(path.read_bytes() if path.exists() else b"-")
        files = sorted(p.name for p in tmp_path.iterdir() if not p.name.startswith("store.db"))
        return digest.hexdigest() + repr(files)
    with _pg_admin() as conn:
        conn.execute(f'SET search_path TO "{location.schema}"')
        objects = conn.execute(
            "SELECT relname, relkind FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE nspname = %s ORDER BY relname",
            (location.schema,),
        ).fetchall()
        rows = []
        for name, kind in objects:
            if kind == "r":
                rows.append((name, conn.execute(f'SELECT * FROM "{name}" ORDER BY 1').fetchall()))
            if kind == "S":
                rows.append(
                    (name, conn.execute(f'SELECT last_value, is_called FROM "{name}"').fetchall())
                )
        locks = conn.execute(  # the key the tests try to take (other tests take others)
            "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND objid = 4242"
        ).fetchall()
    files = sorted(p.name for p in tmp_path.iterdir())
    return repr((objects, rows, locks, files))


def _cli(capsys, *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def _writes(backend: str) -> list[str]:
    return COMMON_WRITES + (SQLITE_WRITES if backend == "sqlite" else POSTGRESQL_WRITES)


def test_every_kind_of_write_is_refused_and_changes_nothing(
    ledger, location, tmp_path, capsys
) -> None:
    before = _state(location, tmp_path)
    failures = []
    for sql in _writes(location.backend):
        sql = sql.format(tmp=tmp_path)
        code, out, err = _cli(capsys, "--db", ledger, "query", sql)
        if code != 5 or "Traceback" in err or err.count("\n") != 1:
            failures.append((sql, code, err))
        after = _state(location, tmp_path)
        if after != before:
            failures.append((sql, "changed the store"))
            before = after
    assert failures == []


def test_refusals_through_the_api_raise_not_permitted(ledger, location, tmp_path) -> None:
    with esgui.open_store(ledger) as store:
        for sql in _writes(location.backend):
            with pytest.raises(NotPermitted), run_query(store, sql.format(tmp=tmp_path)) as result:
                result.fetch(10)
        # The store still answers afterwards, and the connection pool is unharmed.
        with run_query(store, "SELECT count(*) AS n FROM event_log") as result:
            assert result.fetch(5) == [(4,)]


@pytest.mark.parametrize(
    "sql",
    ["SELEC * FROM event_log", "SELECT nope FROM event_log", "SELECT * FROM nowhere_at_all", ""],
)
def test_malformed_queries_exit_2(ledger, sql, capsys) -> None:
    code, out, err = _cli(capsys, "--db", ledger, "query", sql)
    assert code == 2, err
    assert out == "" and err.startswith("esgui: ") and "Traceback" not in err


def test_event_log_view_shows_every_documented_column(ledger, location) -> None:
    with (
        esgui.open_store(ledger) as store,
        run_query(store, "SELECT * FROM event_log ORDER BY position") as result,
    ):
        assert result.columns == (
            "position",
            "event_id",
            "account",
            "type",
            "amount",
            "counterparty",
            "operator",
            "recorded_at",
            "correlation_id",
            "causation_id",
            "version",
            "data",
            "metadata",
        )
        rows = result.fetch(100)
        stored = list(store.read_all())
    assert [r[0] for r in rows] == [e.position for e in stored]
    assert [r[4] for r in rows] == ["10.00", "2.50", "0.30", "0.00"]
    for row, event in zip(rows, stored, strict=True):
        assert row[1] == event.event_id and row[2] == event.aggregate_id
        assert row[3] == event.event_type and row[6] == event.metadata["user"]
        assert row[5] is None  # no transfers: no counterparty
        assert row[8] == event.metadata["correlation_id"]
        assert row[9] == event.metadata["causation_id"]


def test_legacy_cents_amounts_show_as_exact_decimals(ledger, location) -> None:
    location.sql(
        "INSERT INTO events (position, id, aggregate_id, aggregate_type, event_type, "
        "schema_version, version, data, metadata, operator, created_at, hash) VALUES "
        "(99, '00000000-0000-0000-0000-000000000099', 'A1', 'BankAccount', 'MoneyDeposited', "
        "1, 4, ?, '{}', 'old', ?, 'x')",
        (
            '{"amount_cents": 100507}',
            "2026-01-01 00:00:00.000000"
            if location.backend == "sqlite"
            else "2026-01-01T00:00:00Z",
        ),
    )
    with (
        esgui.open_store(ledger) as store,
        run_query(store, "SELECT amount FROM event_log WHERE position = 99") as result,
    ):
        assert result.fetch(5) == [("1005.07",)]


def test_json_and_csv_output(ledger, capsys) -> None:
    code, out, err = _cli(
        capsys,
        "--db",
        ledger,
        "query",
        "--json",
        "SELECT position, account, amount, recorded_at FROM event_log ORDER BY position",
    )
    assert code == 0, err
    rows = json.loads(out)
    assert [r["amount"] for r in rows] == ["10.00", "2.50", "0.30", "0.00"]
    assert set(rows[0]) == {"position", "account", "amount", "recorded_at"}
    assert rows[0]["account"] == "A1" and isinstance(rows[0]["position"], int)
    code, out, err = _cli(
        capsys,
        "--db",
        ledger,
        "query",
        "--csv",
        "SELECT account, balance, status FROM account_states ORDER BY account",
    )
    assert code == 0, err
    assert out.splitlines()[0] == "account,balance,status"
    code, out, err = _cli(
        capsys, "--db", ledger, "query", "--json", "SELECT author, text FROM review_notes"
    )
    assert json.loads(out) == [{"author": "carol", "text": "looks odd"}]
    code, out, err = _cli(
        capsys, "--db", ledger, "query", "--json", "SELECT * FROM event_log WHERE position < 0"
    )
    assert (code, json.loads(out)) == (0, [])


def test_results_come_in_pages(store, location) -> None:
    seed(store, accounts=5, events=1234, seed=3)
    with run_query(store, "SELECT position FROM event_log ORDER BY position") as result:
        sizes = []
        while not result.exhausted:
            sizes.append(len(result.fetch(500)))
        assert sizes == [500, 500, 234]
        assert result.fetched == 1234


def _endless(backend: str) -> str:
    if backend == "sqlite":
        return (
            "WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n) SELECT count(*) FROM n"
        )
    return "SELECT count(*) FROM generate_series(1, 1000000000000)"


def test_time_limit_stops_a_long_query(ledger, location, capsys) -> None:
    started = time.monotonic()
    code, out, err = _cli(
        capsys, "--db", ledger, "query", "--time-limit", "0.5", _endless(location.backend)
    )
    assert code == 4 and "time limit" in err
    assert time.monotonic() - started < 10


def test_a_running_query_can_be_cancelled(ledger, location) -> None:
    cancellation = Cancellation()
    outcome: list[BaseException] = []

    def work() -> None:
        try:
            with run_query(
                store, _endless(location.backend), time_limit_s=60, cancellation=cancellation
            ) as result:
                result.fetch(10)
        except BaseException as error:  # noqa: BLE001 - the test looks at it
            outcome.append(error)

    with esgui.open_store(ledger) as store:
        thread = threading.Thread(target=work)
        thread.start()
        time.sleep(0.5)
        started = time.monotonic()
        cancellation.cancel()
        thread.join(15)
        assert time.monotonic() - started < 5
    assert not thread.is_alive()
    assert len(outcome) == 1 and isinstance(outcome[0], QueryStopped), outcome
    assert "cancelled" in str(outcome[0])


def test_postgresql_notify_from_a_query_is_never_delivered(ledger, location) -> None:
    """NOTIFY is only sent at commit, and a console transaction always rolls back."""
    if location.backend != "postgresql":
        pytest.skip("PostgreSQL only")
    with _pg_admin() as listener:
        listener.execute("LISTEN esgui_events")
        with (
            esgui.open_store(ledger) as store,
            run_query(store, "SELECT pg_notify('esgui_events', 'evil') AS sent") as result,
        ):
            result.fetch(5)
        heard = [n for n in listener.notifies(timeout=1.0) if n.payload == "evil"]
    assert heard == []


def test_in_memory_store_is_refused(tmp_path) -> None:
    # in-memory stores are refused when opened (docs/reliability.md), console or not
    with pytest.raises(InvalidInput, match="In-memory"):
        esgui.open_store("sqlite://")


def test_create_all_makes_the_views_as_the_migration_does(location, tmp_path) -> None:
    from sqlalchemy import create_engine, inspect

    from esgui.store.schema import metadata

    with esgui.open_store(location.url):
        pass
    migrated = create_engine(location.url)
    fresh_url = f"sqlite:///{tmp_path / 'fresh.db'}" if location.backend == "sqlite" else None
    if fresh_url is None:
        other = type(location)(tmp_path, "postgresql")
        fresh_url = other.url
    fresh = create_engine(fresh_url)
    try:
        metadata.create_all(fresh)
        views = {}
        for name, engine in (("migrated", migrated), ("fresh", fresh)):
            inspector = inspect(engine)
            views[name] = {
                view: [c["name"] for c in inspector.get_columns(view)]
                for view in sorted(inspector.get_view_names())
            }
        assert views["migrated"] == views["fresh"]
        assert set(views["fresh"]) == {"event_log", "account_states"}
    finally:
        migrated.dispose()
        fresh.dispose()
        if location.backend == "postgresql":
            other.drop()


def test_postgresql_without_the_role_still_refuses_writes(
    ledger, location, tmp_path, capsys, monkeypatch
) -> None:
    """A store whose user could not create `esgui_query`: the read-only transaction and
    the statement and session checks still refuse every write."""
    if location.backend != "postgresql":
        pytest.skip("PostgreSQL only")
    import esgui.store.console_postgresql as console_postgresql

    monkeypatch.setattr(console_postgresql, "QUERY_ROLE", "esgui_no_such_role")
    before = _state(location, tmp_path)
    writes = [
        "DELETE FROM events RETURNING position",
        "UPDATE events SET operator = 'm' RETURNING position",
        "INSERT INTO review_notes SELECT * FROM review_notes RETURNING id",
        "WITH gone AS (DELETE FROM events RETURNING *) SELECT count(*) FROM gone",
        "SELECT nextval('evil_seq')",
        "SELECT pg_advisory_lock(4242)",
        "TRUNCATE events",
    ]
    for sql in writes:
        code, _, err = _cli(capsys, "--db", ledger, "query", sql)
        assert code == 5, (sql, err)
    assert _state(location, tmp_path) == before
