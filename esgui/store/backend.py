"""What differs between the databases a store lives in, behind one interface.

`esgui.store.sqlite` and `esgui.store.postgresql` each implement `Backend` once; the rest
of the store asks its backend instead of testing the dialect's name (the `eventsourcing`
library keeps one recorder module per database behind one recorder interface in the
same way). `esgui.store.dialects.backend_for` picks the implementation.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any, ClassVar, Protocol

if TYPE_CHECKING:
    import threading

    from sqlalchemy import ColumnElement, Connection, Engine, Row, Table
    from sqlalchemy.engine import URL
    from sqlalchemy.sql.dml import Insert
    from sqlalchemy.types import TypeEngine


class ChangeWatcher(Protocol):
    """Says cheaply that the store may have changed (any writer, any process)."""

    def wait(self, timeout: float) -> bool:
        """Block up to `timeout` seconds; True when the store may have changed."""
        ...

    def close(self) -> None: ...


class Backend:
    """One database's way of doing what the store needs. Methods without a body here
    have one in every backend; the others are what most databases need (nothing)."""

    name: ClassVar[str]
    # Errors the driver raises that do not come wrapped by SQLAlchemy (translated too)
    driver_errors: ClassVar[tuple[type[BaseException], ...]] = ()
    # Those of them that mean the database cannot be used now (StoreUnavailable)
    unavailable_errors: ClassVar[tuple[type[BaseException], ...]] = ()
    # Execution options for several reads that must see one snapshot
    consistent_read_options: ClassVar[dict[str, Any]] = {}
    # Append transactions commit without waiting for the disk; `make_durable` waits
    defers_flush: ClassVar[bool] = False

    # -- engines and connections -------------------------------------------------------

    def engine_options(self, url: URL, lock_timeout: float) -> dict[str, Any]:
        """Keyword arguments for `create_engine`; `lock_timeout`: seconds a writer waits
        for a lock (esgui.store.locking)."""
        raise NotImplementedError

    def configure_engine(self, engine: Engine, lock_timeout: float) -> None:
        """Install the engine's event listeners (session settings including the lock
        timeout, BEGIN, pings)."""
        raise NotImplementedError

    def check_location(self, url: URL, *, create: bool, read_only: bool) -> None:
        """Refuse, before connecting, a place that cannot hold the store."""

    def after_open(self, engine: Engine, url: URL, *, read_only: bool) -> None:
        """Settings that need the schema to exist (SQLite's journal mode)."""

    def reader(self, engine: Engine) -> Engine:
        """The engine variant for single-statement reads."""
        return engine

    # -- locks -------------------------------------------------------------------------

    def lock_schema(self, conn: Connection) -> None:
        """Serialise schema creation and upgrades inside `conn`'s write transaction."""

    def lock_appends(self, conn: Connection, *, defer_flush: bool = True) -> None:
        """Take the store-wide append lock inside `conn`'s write transaction. With
        `defer_flush` (and `defers_flush`) its commit does not wait for the disk: the
        caller must `make_durable` before it reports what it appended."""

    def lock_and_read_head(self, conn: Connection, aggregate_id: str) -> Row[Any] | None:
        """Take the append lock and read (stream version, head position, head hash,
        head time) in one round trip, or None when the backend has no such shortcut."""
        return None

    def make_durable(self, engine: Engine) -> None:
        """Wait until the append transactions this process committed are on disk (with
        `defers_flush` their commits did not wait for it themselves)."""

    # -- writing -----------------------------------------------------------------------

    def insert_rows(
        self,
        conn: Connection,
        table: str,
        columns: Sequence[str],
        rows: list[tuple[Any, ...]],
        json_columns: frozenset[str] = frozenset(),
    ) -> None:
        """Insert prepared tuples straight through the driver (the append hot path)."""
        raise NotImplementedError

    def insert_ignoring(self, table: Table, keys: Sequence[str]) -> Insert:
        """INSERT that skips rows whose `keys` are already stored."""
        raise NotImplementedError

    # -- values ------------------------------------------------------------------------

    def time_type(self) -> TypeEngine[Any]:
        """How a UTC time column is stored."""
        raise NotImplementedError

    def json_type(self) -> TypeEngine[Any]:
        """How a JSON document column is stored."""
        raise NotImplementedError

    def time_to_db(self, when: datetime) -> Any:
        """A UTC datetime as bound to a time column."""
        raise NotImplementedError

    def time_for_insert(self, when: datetime, iso: str) -> Any:
        """A UTC time as the raw insert binds it; `iso` is its isoformat (microseconds)."""
        raise NotImplementedError

    @staticmethod
    def time_from_db(value: Any) -> datetime:
        """A time as the driver returns it (never NULL) → an aware UTC datetime. The
        hot path of every read: backends make it a plain function."""
        raise NotImplementedError

    def stored_time(self, value: Any) -> datetime:
        """A stored time read leniently (the chain check reads altered rows too):
        ValueError or TypeError when it is no time at all."""
        raise NotImplementedError

    def json_text(self, column: Any) -> ColumnElement[str]:
        """`column` (JSON) read or searched as its text."""
        raise NotImplementedError

    # -- query console and statistics -------------------------------------------------

    def open_console(
        self, engine: Engine, url: URL, sql: str, time_limit_s: float, cancellation: Any
    ) -> Any:
        """Start a console query on a sandboxed connection of its own (a
        `console.ConsoleCursor`) that can read the documented views and nothing else;
        `cancellation` (a `console.Cancellation`) interrupts it."""
        raise NotImplementedError

    def day_bucket(self, day: Any, unit: str) -> ColumnElement[str]:
        """The day, the week (its Monday) or the month of a UTC day column
        (`event_facts.day`), as sortable text: "2026-11-27", "2026-11-23", "2026-11"."""
        raise NotImplementedError

    def correlation_of(self, column: Any) -> ColumnElement[str]:
        """The `correlation_id` of a metadata column, as text: the exact expression of
        migration 0007's index (its key a literal, never a parameter, or the index
        would not match)."""
        raise NotImplementedError

    # -- watching ----------------------------------------------------------------------

    def watcher(
        self, engine: Engine, url: URL, description: str, stop: threading.Event
    ) -> ChangeWatcher | None:
        """A cheap watcher of other writers' commits, or None to poll the head."""
        return None
