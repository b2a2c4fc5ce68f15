"""The ceiling: the same work with the raw driver (sqlite3 / psycopg) and no framework.

Tables are esgui's own (`events`, `snapshots`, `account_summary`: the DDL is compiled
from esgui.store.schema for the engine, untimed), so the ceiling writes and reads the
same rows through the same indexes. What the ceiling leaves out is everything that is
not the database: validation, the domain model, upcasting, error translation.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import time
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from bench.common import (
    BATCH,
    OPENING,
    OWNERS,
    PAGE,
    account_names,
    bulk_plan,
    cents_text,
    command_plan,
    pg_connect,
)
from bench.timing import Clock

METADATA = json.dumps(
    {"user": "bench", "source": "seed", "command": "seed", "correlation_id": "bench"},
    sort_keys=True, separators=(",", ":"),
)  # fmt: skip
GENESIS = "0" * 64
EVENT_COLUMNS = ("position", "id", "aggregate_id", "aggregate_type", "event_type",
                 "schema_version", "version", "data", "metadata", "operator",
                 "created_at", "hash")  # fmt: skip


# -- connections and tables --------------------------------------------------------------


class Db:
    """A raw connection with the engine's placeholder and JSON cast."""

    def __init__(self, loc: dict[str, Any]) -> None:
        self.engine = loc["engine"]
        if self.engine == "sqlite":
            conn = sqlite3.connect(loc["path"], isolation_level=None, timeout=30)
            conn.execute("PRAGMA journal_mode = WAL")
            conn.execute("PRAGMA synchronous = FULL")
            self.conn: Any = conn
            self.p, self.json_in, self.json_out = "?", "?", "{}"
        else:
            self.conn = pg_connect(loc["schema"])
            self.p, self.json_in, self.json_out = "%s", "%s::jsonb", "{}::text"

    def begin(self) -> None:
        if self.engine == "sqlite":
            self.conn.execute("BEGIN IMMEDIATE")

    def commit(self) -> None:
        self.conn.commit() if self.engine == "postgresql" else self.conn.execute("COMMIT")

    def cursor(self) -> Any:
        return self.conn.cursor()

    def time_value(self, when: datetime) -> Any:
        # esgui's UTCDateTime: fixed-width text on SQLite, timestamptz on PostgreSQL
        return when.isoformat(" ", "microseconds")[:26] if self.engine == "sqlite" else when

    def insert_sql(self) -> str:
        values = ", ".join(self.json_in if c in ("data", "metadata") else self.p
                           for c in EVENT_COLUMNS)  # fmt: skip
        return f"INSERT INTO events ({', '.join(EVENT_COLUMNS)}) VALUES ({values})"

    def select_columns(self) -> str:
        return ", ".join(self.json_out.format(c) if c in ("data", "metadata") else c
                         for c in EVENT_COLUMNS)  # fmt: skip

    def close(self) -> None:
        self.conn.close()


def create_tables(db: Db, *, bare: bool = False) -> None:
    """esgui's tables, compiled from its schema for this engine. `bare`: the events
    table without its unique constraints and secondary indexes (primary key only)."""
    from sqlalchemy import MetaData, Table
    from sqlalchemy.dialects import postgresql, sqlite
    from sqlalchemy.schema import CreateIndex, CreateTable

    from esgui.store.schema import account_summary, events, projection_checkpoints, snapshots

    dialect = (sqlite if db.engine == "sqlite" else postgresql).dialect()
    tables = [events, snapshots, account_summary, projection_checkpoints]
    statements = []
    for table in tables:
        if bare and table is events:
            copy = Table("events", MetaData(), *[c.copy() for c in events.columns])
            statements.append(str(CreateTable(copy).compile(dialect=dialect)))
            continue
        statements.append(str(CreateTable(table).compile(dialect=dialect)))
        statements += [str(CreateIndex(index).compile(dialect=dialect))
                       for index in table.indexes]  # fmt: skip
    cur = db.cursor()
    db.begin()
    for statement in statements:
        cur.execute(statement)
    db.commit()


# -- rows ----------------------------------------------------------------------------------


class Rows:
    """Builds event rows like esgui's: sequential time-ordered ids, canonical JSON text,
    UTC times, and a SHA-256 chain over the same fields."""

    def __init__(self, db: Db, start: int = 0, prev_hash: str = GENESIS) -> None:
        self.db = db
        self.position = start
        self.prev_hash = prev_hash
        self.prefix = f"{time.time_ns() // 1_000_000:012x}"

    def row(
        self, aggregate_id: str, event_type: str, version: int, data: str, when: datetime
    ) -> tuple[Any, ...]:
        self.position = position = self.position + 1
        text = f"{self.prefix}7{position:019x}"
        event_id = f"{text[:8]}-{text[8:12]}-{text[12:16]}-{text[16:20]}-{text[20:32]}"
        schema = 2 if event_type.startswith("Money") else 1
        stamp = when.isoformat(timespec="microseconds")
        self.prev_hash = digest = hashlib.sha256("\x00".join((
            self.prev_hash, str(position), event_id, aggregate_id, "BankAccount", event_type,
            str(schema), str(version), stamp, "bench", data, METADATA,
        )).encode()).hexdigest()  # fmt: skip
        return (position, event_id, aggregate_id, "BankAccount", event_type, schema, version,
                data, METADATA, "bench", self.db.time_value(when), digest)  # fmt: skip


def event_data(event_type: str, cents: int, owner: str) -> str:
    if event_type == "AccountOpened":
        return (
            f'{{"initial":"{cents_text(cents)}","owner":{json.dumps(owner, ensure_ascii=False)}}}'
        )
    return f'{{"amount":"{cents_text(cents)}"}}'


def _write_history(
    db: Db,
    accounts: int,
    events: int,
    *,
    snapshots: bool = False,
    batch: int = BATCH,
    clock: Clock | None = None,
) -> list[str]:
    """Build the rows of `bulk_plan` and insert them in transactions of `batch` rows.
    With a clock, only the inserts and commits are timed (the database's work); the
    time spent building rows is added to `clock.build_seconds`."""
    clock = clock or Clock()
    built = time.perf_counter()
    names = account_names(accounts)
    rows_of = Rows(db)
    versions = [0] * accounts
    balances = [0] * accounts
    end = datetime.now(UTC)
    start = end - timedelta(days=365)
    step = (end - start) / max(events, 1)
    insert = db.insert_sql()
    snapshot_sql = (
        f"INSERT INTO snapshots (aggregate_id, version, schema_version, state, checksum, "
        f"created_at) VALUES ({db.p}, {db.p}, 1, {db.json_in}, {db.p}, {db.p})"
    )
    cur = db.cursor()
    rows: list[tuple[Any, ...]] = []
    snaps: list[tuple[Any, ...]] = []
    n = 0
    for index, event_type, cents in bulk_plan(accounts, events):
        owner = OWNERS[index % len(OWNERS)]
        versions[index] += 1
        balances[index] += -cents if event_type == "MoneyWithdrawn" else cents
        when = start + step * n
        data = event_data(event_type, cents, owner)
        rows.append(rows_of.row(names[index], event_type, versions[index], data, when))
        n += 1  # noqa: SIM113 - counts events, not plan entries
        if snapshots and versions[index] % 100 == 0:
            state = json.dumps({"account_id": names[index], "balance": cents_text(balances[index]),
                                "owner": owner, "status": "open", "version": versions[index]},
                               sort_keys=True, separators=(",", ":"))  # fmt: skip
            checksum = hashlib.sha256(state.encode()).hexdigest()
            snaps.append((names[index], versions[index], state, checksum, db.time_value(when)))
        if len(rows) == batch:
            clock.build_seconds += time.perf_counter() - built
            with clock.region():
                _flush(db, cur, insert, rows, snapshot_sql, snaps)
            built = time.perf_counter()
    clock.build_seconds += time.perf_counter() - built
    if rows:
        with clock.region():
            _flush(db, cur, insert, rows, snapshot_sql, snaps)
    return names


def _flush(db: Db, cur: Any, insert: str, rows: list, snapshot_sql: str, snaps: list) -> None:
    db.begin()
    if db.engine == "postgresql":
        # the raw driver's fastest bulk path (esgui uses it too for large batches)
        with cur.copy(f"COPY events ({', '.join(EVENT_COLUMNS)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
    else:
        cur.executemany(insert, rows)
    if snaps:
        cur.executemany(snapshot_sql, snaps)
    db.commit()
    rows.clear()
    snaps.clear()


# -- the workloads -------------------------------------------------------------------------


def commands(
    loc: dict[str, Any], accounts: int, commands: int, clock: Clock, read: bool = True
) -> dict[str, Any]:
    """Per command, one durable transaction: read the account's current version, decide
    (balances are kept in memory, as esgui's Accounts caches states), insert one row.
    `read=False` leaves out the read: bare single-row durable commits."""
    db = Db(loc)
    create_tables(db)
    names = account_names(accounts)
    rows_of = Rows(db)
    balances = {name: Decimal(OPENING) for name in names}
    cur = db.cursor()
    db.begin()
    cur.executemany(db.insert_sql(), [
        rows_of.row(name, "AccountOpened", 1,
                    event_data("AccountOpened", 100_000, OWNERS[i % len(OWNERS)]),
                    datetime.now(UTC))
        for i, name in enumerate(names)])  # fmt: skip
    db.commit()
    p = db.p
    versions = dict.fromkeys(names, 1)
    read_sql = (f"SELECT version FROM events WHERE aggregate_id = {p} "
            "ORDER BY version DESC LIMIT 1")  # fmt: skip
    values = ", ".join(db.json_in if c in ("data", "metadata") else p for c in EVENT_COLUMNS[1:])
    insert = (f"INSERT INTO events ({', '.join(EVENT_COLUMNS)}) VALUES ("
              f"(SELECT coalesce(max(position), 0) + 1 FROM events), {values})")  # fmt: skip
    plan = [(names[i], kind, amount) for i, kind, amount in command_plan(accounts, commands)]
    with clock.region():
        for name, kind, amount in plan:
            value = Decimal(amount)
            db.begin()
            if read:
                cur.execute(read_sql, (name,))
                version = cur.fetchone()[0]
            else:
                version = versions[name]
            versions[name] = version + 1
            if kind == "deposit":
                balances[name] += value
                event_type = "MoneyDeposited"
            else:
                if value > balances[name]:
                    raise AssertionError("insufficient funds")
                balances[name] -= value
                event_type = "MoneyWithdrawn"
            row = rows_of.row(
                name, event_type, version + 1, f'{{"amount":"{amount}"}}', datetime.now(UTC)
            )
            cur.execute(insert, row[1:])
            db.commit()
    db.close()
    return {"count": commands, "check": str(balances[names[-1]])}


def bulk(
    loc: dict[str, Any], accounts: int, events: int, clock: Clock, bare: bool = False
) -> dict[str, Any]:
    db = Db(loc)
    create_tables(db, bare=bare)
    _write_history(db, accounts, events, clock=clock)
    cur = db.cursor()
    cur.execute("SELECT count(*) FROM events")
    count = cur.fetchone()[0]
    db.close()
    assert count == events, (count, events)
    # the ceiling is the database's work; building the rows (ids, JSON text, the SHA-256
    # chain, times) is reported beside it
    with_build = clock.seconds + clock.build_seconds
    return {"count": events, "build_seconds": clock.build_seconds,
            "rate_with_build": events / with_build if with_build else None}  # fmt: skip


def prepare_replay(loc: dict[str, Any], events: int) -> dict[str, Any]:
    db = Db(loc)
    create_tables(db)
    (name,) = _write_history(db, 1, events, snapshots=True)
    db.close()
    return {"account": name}


def _fold(balance: Decimal, version: int, rows: Any) -> tuple[Decimal, int]:
    loads = json.loads
    for row_version, event_type, data in rows:
        if row_version != version + 1:
            raise AssertionError(f"gap at version {version}")
        version = row_version
        values = loads(data)
        if event_type == "MoneyDeposited":
            balance += Decimal(values["amount"])
        elif event_type == "MoneyWithdrawn":
            balance -= Decimal(values["amount"])
        elif event_type == "AccountOpened":
            balance = Decimal(values["initial"])
    return balance, version


def replay_full(loc: dict[str, Any], account: str, events: int, clock: Clock) -> dict[str, Any]:
    db = Db(loc)
    cur = db.cursor()
    data = db.json_out.format("data")
    with clock.region():
        cur.execute(f"SELECT version, event_type, {data} FROM events WHERE aggregate_id = "
                    f"{db.p} ORDER BY version", (account,))  # fmt: skip
        balance, version = _fold(Decimal(0), 0, cur.fetchall())
    db.close()
    assert version == events, (version, events)
    return {"count": events, "check": str(balance)}


def replay_versions(
    loc: dict[str, Any], account: str, versions: list[int], clock: Clock, repeat: int = 1
) -> dict[str, Any]:
    """Time of each version: the best of `repeat` calls (scheduler noise removed)."""
    db = Db(loc)
    cur = db.cursor()
    p, data, state = db.p, db.json_out.format("data"), db.json_out.format("state")
    snapshot_sql = (f"SELECT version, {state} FROM snapshots WHERE aggregate_id = {p} AND "
                    f"version <= {p} ORDER BY version DESC LIMIT 1")  # fmt: skip
    events_sql = (f"SELECT version, event_type, {data} FROM events WHERE aggregate_id = {p} "
                  f"AND version > {p} AND version <= {p} ORDER BY version")  # fmt: skip

    def state_at(version: int) -> int:
        cur.execute(snapshot_sql, (account, version))
        found = cur.fetchone()
        balance, start = Decimal(0), 0
        if found:
            start, balance = found[0], Decimal(json.loads(found[1])["balance"])
        cur.execute(events_sql, (account, start, version))
        return _fold(balance, start, cur.fetchall())[1]

    state_at(1)  # warm-up
    times = []
    with clock.region():
        for version in versions:
            best = float("inf")
            for _ in range(repeat):
                started = time.perf_counter()
                reached = state_at(version)
                best = min(best, time.perf_counter() - started)
            times.append(best)
            assert reached == version
    db.close()
    return {"times": times}


def _pages(db: Db, columns: str) -> Any:
    """Keyset pages of `columns` (the first must be position) in global order."""
    cur = db.cursor()
    sql = (f"SELECT {columns} FROM events WHERE position > {db.p} "
           f"ORDER BY position LIMIT {PAGE}")  # fmt: skip
    after = 0
    while True:
        cur.execute(sql, (after,))
        rows = cur.fetchall()
        yield rows
        if len(rows) < PAGE:
            return
        after = rows[-1][0]


def read_all(loc: dict[str, Any], events: int, clock: Clock, wide: bool = False) -> dict[str, Any]:
    """Keyset pages + json.loads + Decimal fold. The ceiling reads what the fold needs
    (position, event type, data), as the issue's ceiling figures do; `wide` reads every
    column, as esgui's read_all does, and decodes the same data."""
    db = Db(loc)
    loads = json.loads
    total = Decimal(0)
    count = 0
    if wide:
        columns, type_at, data_at = db.select_columns(), 4, 7
    else:
        columns, type_at, data_at = f"position, event_type, {db.json_out.format('data')}", 1, 2
    with clock.region():
        for rows in _pages(db, columns):
            for row in rows:
                event_type, data = row[type_at], loads(row[data_at])
                if event_type == "MoneyDeposited":
                    total += Decimal(data["amount"])
                elif event_type == "MoneyWithdrawn":
                    total -= Decimal(data["amount"])
                elif event_type == "AccountOpened":
                    total += Decimal(data["initial"])
            count += len(rows)
    db.close()
    assert count == events, (count, events)
    return {"count": count, "check": str(total)}


def project(loc: dict[str, Any], events: int, clock: Clock) -> dict[str, Any]:
    """Read every event, fold it into a per-account summary in a dict, write the rows and
    the checkpoint in one transaction."""
    db = Db(loc)
    loads = json.loads
    p = db.p
    count = 0
    with clock.region():
        summaries: dict[str, list[Any]] = {}
        data_column = db.json_out.format("data")
        columns = f"position, aggregate_id, event_type, version, {data_column}, created_at"
        for rows in _pages(db, columns):
            for row in rows:
                aggregate_id, event_type, version = row[1], row[2], row[3]
                data = loads(row[4])
                summary = summaries.get(aggregate_id)
                if summary is None:
                    # owner, balance, status, version, count, opened_at, last_activity, last
                    summary = summaries[aggregate_id] = ["", Decimal(0), "open", 0, 0,
                                                         None, None, 0]  # fmt: skip
                if event_type == "MoneyDeposited":
                    summary[1] += Decimal(data["amount"])
                elif event_type == "MoneyWithdrawn":
                    summary[1] -= Decimal(data["amount"])
                elif event_type == "AccountOpened":
                    summary[0], summary[1], summary[5] = (
                        data["owner"],
                        Decimal(data["initial"]),
                        row[5],
                    )
                elif event_type == "AccountClosed":
                    summary[2] = "closed"
                summary[3] = version
                summary[4] += 1
                summary[6], summary[7] = row[5], row[0]
            count += len(rows)
        cur = db.cursor()
        db.begin()
        cur.execute("DELETE FROM account_summary")
        cur.executemany(
            "INSERT INTO account_summary (account_id, owner, balance, status, version, "
            "event_count, opened_at, last_activity, last_position, error) VALUES "
            f"({p}, {p}, {p}, {p}, {p}, {p}, {p}, {p}, {p}, NULL)",
            [(key, s[0], str(s[1].quantize(Decimal("0.01"))), s[2], s[3], s[4], s[5], s[6],
              s[7]) for key, s in summaries.items()],
        )  # fmt: skip
        cur.execute("DELETE FROM projection_checkpoints WHERE name = 'account_summary'")
        cur.execute("INSERT INTO projection_checkpoints (name, position, updated_at) VALUES "
                    f"('account_summary', {p}, {p})",
                    (count, db.time_value(datetime.now(UTC))))  # fmt: skip
        db.commit()
    db.close()
    assert count == events, (count, events)
    return {"count": count, "rows": len(summaries)}
