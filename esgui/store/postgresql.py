"""PostgreSQL: every way a store in a PostgreSQL database differs from one in SQLite.

psycopg 3 with a connect timeout, sessions in UTC and a pool that pings only connections
that sat idle; single-statement reads in autocommit; transaction-scoped advisory locks
(the append lock — a table lock only writers may take, migration 0008 — and the
version/head read in one round trip), a lock timeout on every session; COPY for
large batches; jsonb documents; ``ON CONFLICT DO NOTHING``; REPEATABLE READ for a
consistent multi-statement read; and LISTEN/NOTIFY to hear other writers' commits.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    ColumnElement,
    Connection,
    DateTime,
    Engine,
    Integer,
    Row,
    String,
    Table,
    Text,
    cast,
    column,
    event,
    exc,
    func,
    literal_column,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.engine import URL
from sqlalchemy.sql.dml import Insert
from sqlalchemy.types import TypeEngine

from esgui.errors import StoreUnavailable
from esgui.store.backend import Backend, ChangeWatcher
from esgui.store.urls import mask_text

CONNECT_TIMEOUT_S = 5
PING_AFTER_IDLE_S = 1.0
SCHEMA_LOCK_KEY = 0x65736775_69_01  # "esgui" + 1: serialises concurrent creation
# The append lock (migration 0008): a table lock in the store's own schema that only
# roles with UPDATE on the table (writers) can take; SHARE ROW EXCLUSIVE conflicts with
# itself and not with the ACCESS SHARE that readers' SELECTs take.
LOCK_APPENDS = "LOCK TABLE esgui_append_lock IN SHARE ROW EXCLUSIVE MODE"
_FLUSH = "SELECT pg_logical_emit_message(true, 'esgui', 'durable')"
CHANNEL = "esgui_events"  # the events table's statement trigger NOTIFYs it (0001)
COPY_THRESHOLD = 200  # rows; below it a prepared multi-row insert is as quick
_INSERT_CHUNK = 5000

_LOCK_AND_HEAD = text("SELECT * FROM esgui_lock_and_head(:aggregate_id)").columns(
    column("current_version", Integer), column("head_position", BigInteger),
    column("head_hash", String), column("head_created_at", DateTime(timezone=True)),
)  # fmt: skip


def _time_from_db(value: datetime) -> datetime:
    # Sessions run in UTC (configure_engine), so psycopg hands over UTC datetimes already.
    if value.tzinfo is UTC:
        return value
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class PostgreSQLBackend(Backend):
    name = "postgresql"
    consistent_read_options = {"isolation_level": "REPEATABLE READ"}
    defers_flush = True  # see make_durable

    # -- engines and connections -------------------------------------------------------

    def engine_options(self, url: URL, lock_timeout: float) -> dict[str, Any]:
        return {
            "pool_size": 5,
            "max_overflow": 10,
            "connect_args": {"connect_timeout": CONNECT_TIMEOUT_S, "application_name": "esgui"},
        }

    def configure_engine(self, engine: Engine, lock_timeout: float) -> None:
        # Pessimistic disconnect handling, but only where it can matter: a connection that
        # sat in the pool for a while (a server restart takes longer than that) is pinged
        # before use and replaced if dead. A connection used a moment ago is not pinged,
        # which saves a round trip on every command of a busy session; if one is dead
        # anyway, the failed statement invalidates the pool and callers retry (commands
        # do, with the same event ids).
        @event.listens_for(engine, "checkin")
        def _on_checkin(_dbapi_connection: Any, record: Any) -> None:
            record.info["esgui_used"] = time.monotonic()

        @event.listens_for(engine, "checkout")
        def _on_checkout(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
            used = record.info.get("esgui_used")
            if used is not None and time.monotonic() - used < PING_AFTER_IDLE_S:
                return
            if not engine.dialect.do_ping(dbapi_connection):
                raise exc.DisconnectionError("connection lost while idle")

        @event.listens_for(engine, "connect")
        def _on_connect(dbapi_connection: Any, _record: Any) -> None:
            # Sessions in UTC: timestamptz values arrive in UTC already (no conversion per
            # row), whatever the server's or the user's time zone.
            autocommit = dbapi_connection.autocommit
            dbapi_connection.autocommit = True
            dbapi_connection.execute("SET TIME ZONE 'UTC'")
            # Every lock wait of this session (the append lock above all) ends after the
            # lock timeout with SQLSTATE 55P03 instead of hanging (esgui.store.locking).
            dbapi_connection.execute(f"SET lock_timeout = '{int(lock_timeout * 1000)}ms'")
            dbapi_connection.autocommit = autocommit

    def reader(self, engine: Engine) -> Engine:
        # Single-statement reads need no transaction: that saves the BEGIN and ROLLBACK
        # round trips of every read.
        return engine.execution_options(isolation_level="AUTOCOMMIT")

    # -- locks -------------------------------------------------------------------------

    def lock_schema(self, conn: Connection) -> None:
        conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({SCHEMA_LOCK_KEY})")

    def lock_appends(self, conn: Connection, *, defer_flush: bool = True) -> None:
        # Its own statement: in READ COMMITTED each statement takes a fresh snapshot, so
        # the head read after it sees every earlier append. With `defer_flush` the
        # transaction's COMMIT does not wait for the WAL flush (see make_durable).
        if defer_flush:
            conn.exec_driver_sql(f"SET LOCAL synchronous_commit = off; {LOCK_APPENDS}")
        else:
            conn.exec_driver_sql(LOCK_APPENDS)

    def lock_and_read_head(self, conn: Connection, aggregate_id: str) -> Row[Any] | None:
        return conn.execute(_LOCK_AND_HEAD, {"aggregate_id": aggregate_id}).one()

    def make_durable(self, engine: Engine) -> None:
        # The append committed with synchronous_commit off (set where the append lock is
        # taken: esgui_lock_and_head, migration 0008, and lock_appends), so that the lock
        # was released before the WAL flush. A transactional
        # logical message writes a WAL record, so its synchronous commit flushes the
        # WAL up to here, which covers the append's commit record (WAL is flushed in
        # order). Several writers' flushes are one disk write (group commit). A crash
        # before the flush loses a suffix of the log, never a position in the middle.
        with engine.connect() as conn:  # in autocommit: the statement commits itself
            conn.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql(_FLUSH)

    # -- writing -----------------------------------------------------------------------

    def insert_rows(
        self,
        conn: Connection,
        table: str,
        columns: Sequence[str],
        rows: list[tuple[Any, ...]],
        json_columns: frozenset[str] = frozenset(),
    ) -> None:
        names = ", ".join(columns)
        if len(rows) >= COPY_THRESHOLD:
            # One stream, no per-row round trips.
            cursor = conn.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
            with cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            return
        values = ", ".join("%s::jsonb" if c in json_columns else "%s" for c in columns)
        sql = f"INSERT INTO {table} ({names}) VALUES ({values})"
        for start in range(0, len(rows), _INSERT_CHUNK):
            conn.exec_driver_sql(sql, rows[start : start + _INSERT_CHUNK])

    def insert_ignoring(self, table: Table, keys: Sequence[str]) -> Insert:
        return pg_insert(table).on_conflict_do_nothing(index_elements=list(keys))

    # -- values ------------------------------------------------------------------------

    def time_type(self) -> TypeEngine[Any]:
        return DateTime(timezone=True)

    def json_type(self) -> TypeEngine[Any]:
        return JSONB()

    def time_to_db(self, when: datetime) -> Any:
        return when.astimezone(UTC)

    def time_for_insert(self, when: datetime, iso: str) -> Any:
        return when

    time_from_db = staticmethod(_time_from_db)

    def stored_time(self, value: Any) -> datetime:
        if not isinstance(value, datetime):
            raise TypeError(f"recorded time {value!r} is not a time")
        return _time_from_db(value)

    def json_text(self, column: Any) -> ColumnElement[str]:
        # jsonb as its text: skips the driver's decoding (the store decodes once itself)
        return cast(column, Text)

    # -- query console and statistics -------------------------------------------------

    def open_console(
        self, engine: Engine, url: URL, sql: str, time_limit_s: float, cancellation: Any
    ) -> Any:
        from esgui.store.console_postgresql import PostgreSQLConsoleCursor

        args, kwargs = engine.dialect.create_connect_args(url)
        kwargs.setdefault("connect_timeout", CONNECT_TIMEOUT_S)
        return PostgreSQLConsoleCursor(args, dict(kwargs), sql, time_limit_s, cancellation)

    _DAY_FORMATS = {"day": ("day", "YYYY-MM-DD"), "week": ("week", "YYYY-MM-DD"),
                    "month": ("month", "YYYY-MM")}  # fmt: skip

    def day_bucket(self, day: Any, unit: str) -> ColumnElement[str]:
        field, pattern = self._DAY_FORMATS[unit]
        # a date as a timestamp without time zone: no session time zone gets involved
        return func.to_char(func.date_trunc(field, cast(day, DateTime())), pattern)

    def correlation_of(self, column: Any) -> ColumnElement[str]:
        return column.op("->>", return_type=Text)(literal_column("'correlation_id'"))

    # -- watching ----------------------------------------------------------------------

    def watcher(
        self, engine: Engine, url: URL, description: str, stop: threading.Event
    ) -> ChangeWatcher | None:
        args, kwargs = engine.dialect.create_connect_args(url)
        return Listener(args, dict(kwargs), stop, description)


class Listener:
    """LISTEN on a dedicated autocommit connection; only this schema's notifications
    (the trigger sends the schema as the payload)."""

    def __init__(
        self, args: Sequence[Any], kwargs: dict[str, Any], stop: threading.Event, description: str
    ) -> None:
        import psycopg  # only a store that is watched needs the driver itself

        self._stop = stop
        self._description = description
        kwargs = dict(kwargs)
        kwargs.setdefault("connect_timeout", CONNECT_TIMEOUT_S)
        kwargs.setdefault("application_name", "esgui-live")
        try:
            self._conn = psycopg.connect(*args, **kwargs, autocommit=True)
            row = self._conn.execute("SELECT current_schema()").fetchone()
            self._schema = str(row[0]) if row else "public"
            self._conn.execute(f"LISTEN {CHANNEL}")
        except psycopg.Error as error:
            raise StoreUnavailable(self._message(error)) from None

    def _message(self, error: Exception) -> str:
        first = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        return f"Lost live updates from {self._description}: {mask_text(first)}"

    def wait(self, timeout: float) -> bool:
        import psycopg

        if self._stop.is_set():
            return False
        try:
            for notify in self._conn.notifies(timeout=timeout):
                if notify.payload == self._schema:
                    return True
        except psycopg.Error as error:
            raise StoreUnavailable(self._message(error)) from None
        return False

    def close(self) -> None:
        with contextlib.suppress(Exception):  # a broken connection: nothing to close
            self._conn.close()


BACKEND = PostgreSQLBackend()
