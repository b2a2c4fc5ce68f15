"""SQLite: every way a store in a SQLite file differs from one in PostgreSQL.

WAL, a busy timeout (the lock timeout) and ``BEGIN IMMEDIATE`` for writes (the write
lock is taken before any read, so it is also the append lock); times stored as
fixed-width UTC text that sorts as time does; JSON stored as text; ``INSERT … ON
CONFLICT DO NOTHING``; and ``PRAGMA data_version`` to notice other connections' commits.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    Engine,
    Integer,
    String,
    Table,
    Text,
    case,
    cast,
    event,
    func,
    literal,
    literal_column,
    type_coerce,
)
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import URL
from sqlalchemy.pool import StaticPool
from sqlalchemy.sql.dml import Insert
from sqlalchemy.types import TypeEngine

from esgui.errors import InvalidInput, StoreUnavailable
from esgui.store.backend import Backend, ChangeWatcher
from esgui.store.locking import lock_timeout_s
from esgui.store.urls import sqlite_path

TIME_WIDTH = 26  # "2026-11-27 10:15:00.123456"
_INSERT_CHUNK = 5000
_fromisoformat = datetime.fromisoformat


def _time_from_text(value: Any) -> datetime:
    """A stored time, in the one form esgui writes: ``2026-11-27 10:15:00.123456`` (UTC).
    Any other form (a 'T', an offset, fewer digits), even one that names the same
    instant, is refused: the column is compared as text, so such a row would sort and
    filter as another time. Callers report the row as unreadable (verify: a finding)."""
    if type(value) is not str or len(value) != TIME_WIDTH or value[10] != " " or value[19] != ".":
        raise ValueError(
            f"stored time {str(value)[:40]!r} is not in the canonical form "
            "'YYYY-MM-DD HH:MM:SS.ffffff' (UTC)"
        )
    return _fromisoformat(value + "+00:00")


class SQLiteBackend(Backend):
    name = "sqlite"
    driver_errors = (sqlite3.Error,)
    unavailable_errors = (sqlite3.OperationalError,)

    # -- engines and connections -------------------------------------------------------

    def engine_options(self, url: URL, lock_timeout: float) -> dict[str, Any]:
        options: dict[str, Any] = {
            "connect_args": {"timeout": lock_timeout, "check_same_thread": False},
        }
        if sqlite_path(url) is None:
            options["poolclass"] = StaticPool  # one shared in-memory database
        return options

    def configure_engine(self, engine: Engine, lock_timeout: float) -> None:
        @event.listens_for(engine, "connect")
        def _on_connect(dbapi_connection: sqlite3.Connection, _record: Any) -> None:
            # Take transaction control from pysqlite so BEGIN is ours (deferred for reads,
            # IMMEDIATE for writes: a write transaction must hold the lock before it reads).
            dbapi_connection.isolation_level = None
            cursor = dbapi_connection.cursor()
            # The busy timeout is the lock timeout (esgui.store.locking): how long BEGIN
            # IMMEDIATE waits for another connection's write transaction to end.
            cursor.execute(f"PRAGMA busy_timeout = {int(lock_timeout * 1000)}")
            cursor.execute("PRAGMA synchronous = FULL")
            cursor.execute("PRAGMA foreign_keys = ON")
            cursor.close()

        @event.listens_for(engine, "begin")
        def _on_begin(conn: Any) -> None:
            immediate = conn.get_execution_options().get("esgui_write", False)
            conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

    def check_location(self, url: URL, *, create: bool, read_only: bool) -> None:
        path = sqlite_path(url)
        if path is None:
            return
        if path.is_dir():
            raise StoreUnavailable(f"{path} is a folder, not a store file")
        if not path.parent.is_dir():
            raise StoreUnavailable(f"Cannot open {path}: the folder {path.parent} does not exist")
        if not path.exists() and (not create or read_only):
            raise StoreUnavailable(f"No store at {path}: the file does not exist")

    def after_open(self, engine: Engine, url: URL, *, read_only: bool) -> None:
        if sqlite_path(url) is None:
            return
        raw = engine.raw_connection()
        try:
            cursor = raw.cursor()
            mode = cursor.execute("PRAGMA journal_mode").fetchone()[0]
            if str(mode).lower() != "wal" and not read_only:
                cursor.execute("PRAGMA journal_mode = WAL")
            cursor.close()
        finally:
            raw.close()

    # Locks: BEGIN IMMEDIATE (see configure_engine) already holds the database's one
    # write lock, for schema changes and appends alike; the defaults do nothing more.

    # -- writing -----------------------------------------------------------------------

    def insert_rows(
        self,
        conn: Connection,
        table: str,
        columns: Sequence[str],
        rows: list[tuple[Any, ...]],
        json_columns: frozenset[str] = frozenset(),
    ) -> None:
        sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})"
        for start in range(0, len(rows), _INSERT_CHUNK):
            conn.exec_driver_sql(sql, rows[start : start + _INSERT_CHUNK])

    def insert_ignoring(self, table: Table, keys: Sequence[str]) -> Insert:
        return sqlite_insert(table).on_conflict_do_nothing(index_elements=list(keys))

    # -- values ------------------------------------------------------------------------

    def time_type(self) -> TypeEngine[Any]:
        return String(TIME_WIDTH)

    def json_type(self) -> TypeEngine[Any]:
        return Text()

    def time_to_db(self, when: datetime) -> Any:
        return when.astimezone(UTC).replace(tzinfo=None).isoformat(" ", "microseconds")

    def time_for_insert(self, when: datetime, iso: str) -> Any:
        return f"{iso[:10]} {iso[11:26]}"

    time_from_db = staticmethod(_time_from_text)

    def stored_time(self, value: Any) -> datetime:
        return _time_from_text(value)

    def json_text(self, column: Any) -> ColumnElement[str]:
        return type_coerce(column, Text)  # stored as text already: no CAST

    # -- query console and statistics -------------------------------------------------

    def open_console(
        self, engine: Engine, url: URL, sql: str, time_limit_s: float, cancellation: Any
    ) -> Any:
        from esgui.store.console_sqlite import SQLiteConsoleCursor

        path = sqlite_path(url)
        if path is None:
            raise InvalidInput("The query console needs a store in a file, not in memory")
        # a reader waits for a busy file at most as long as a writer waits for the lock
        return SQLiteConsoleCursor(path, sql, time_limit_s, lock_timeout_s(), cancellation)

    def day_bucket(self, day: Any, unit: str) -> ColumnElement[str]:
        # Days are "YYYY-MM-DD" text: the month is a prefix
        if unit == "day":
            return day  # type: ignore[no-any-return]
        if unit == "month":
            return func.substr(day, 1, 7)
        # The Monday that starts the (ISO) week: strftime('%w') is 0 on Sundays
        back = (cast(func.strftime("%w", day), Integer) + 6) % 7
        return func.date(day, literal("-").concat(cast(back, Text)).concat(" days"))

    def correlation_of(self, column: Any) -> ColumnElement[str]:
        # Guarded by json_valid: a row altered into malformed JSON (tampering, which
        # verify reports) must still be storable and readable, not break the index.
        return type_coerce(case(
            (func.json_valid(column) == literal_column("1"),
             func.json_extract(column, literal_column("'$.correlation_id'"))),
        ), Text)  # fmt: skip

    # -- watching ----------------------------------------------------------------------

    def watcher(
        self, engine: Engine, url: URL, description: str, stop: threading.Event
    ) -> ChangeWatcher | None:
        path = sqlite_path(url)
        if path is None:
            return None  # an in-memory store: poll its head
        try:
            return DataVersionWatcher(str(path), stop, description)
        except StoreUnavailable:
            return None


class DataVersionWatcher:
    """`PRAGMA data_version` on a connection of its own: it changes whenever another
    connection commits, and costs next to nothing to poll."""

    def __init__(self, path: str, stop: threading.Event, description: str) -> None:
        self._stop = stop
        self._description = description
        try:
            self._conn = sqlite3.connect(path, timeout=5, check_same_thread=False,
                                         isolation_level=None)  # fmt: skip
            self._version = self._data_version()
        except sqlite3.Error as error:
            raise StoreUnavailable(f"Cannot watch {description}: {error}") from None

    def _data_version(self) -> int:
        return int(self._conn.execute("PRAGMA data_version").fetchone()[0])

    def wait(self, timeout: float) -> bool:
        if self._stop.wait(timeout):
            return False
        try:
            version = self._data_version()
        except sqlite3.Error as error:
            raise StoreUnavailable(f"Cannot watch {self._description}: {error}") from None
        changed, self._version = version != self._version, version
        return changed

    def close(self) -> None:
        self._conn.close()


BACKEND = SQLiteBackend()
