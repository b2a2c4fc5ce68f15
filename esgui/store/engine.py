"""Engines for a store URL, and translation of driver errors into StoreErrors.

One code path serves both databases; what differs is confined to here:
SQLite gets WAL, a busy timeout and ``BEGIN IMMEDIATE`` for writes; PostgreSQL gets
psycopg 3, a connect timeout and pre-ping so a restarted server is reconnected to.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Engine, create_engine, event, exc
from sqlalchemy.engine import URL
from sqlalchemy.pool import StaticPool

from esgui.errors import (
    EsguiError,
    NotPermitted,
    StoreCorrupt,
    StoreError,
    StoreUnavailable,
)
from esgui.store.urls import describe_url, mask_text, parse_store_url, sqlite_path

SQLITE_BUSY_TIMEOUT_S = 30.0
PG_CONNECT_TIMEOUT_S = 5
PING_AFTER_IDLE_S = 1.0
WRITE = {"esgui_write": True}


def make_engine(url: URL) -> Engine:
    """Create the Engine for a normalised URL (no connection is made yet)."""
    if url.get_backend_name() == "sqlite":
        return _make_sqlite_engine(url)
    engine = create_engine(
        url,
        pool_size=5,
        max_overflow=10,
        connect_args={"connect_timeout": PG_CONNECT_TIMEOUT_S, "application_name": "esgui"},
    )

    # Pessimistic disconnect handling, but only where it can matter: a connection that
    # sat in the pool for a while (a server restart takes longer than that) is pinged
    # before use and replaced if dead. A connection used a moment ago is not pinged, which
    # saves a round trip on every command of a busy session; if one is dead anyway, the
    # failed statement invalidates the pool and callers retry (commands do, with the same
    # event ids).
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
        dbapi_connection.autocommit = autocommit

    return engine


def _make_sqlite_engine(url: URL) -> Engine:
    path = sqlite_path(url)
    kwargs: dict[str, Any] = {
        "connect_args": {"timeout": SQLITE_BUSY_TIMEOUT_S, "check_same_thread": False},
    }
    if path is None:
        kwargs["poolclass"] = StaticPool  # one shared in-memory database
    engine = create_engine(url, **kwargs)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: sqlite3.Connection, _record: Any) -> None:
        # Take transaction control from pysqlite so BEGIN is ours (deferred for reads,
        # IMMEDIATE for writes: a write transaction must hold the lock before it reads).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {int(SQLITE_BUSY_TIMEOUT_S * 1000)}")
        cursor.execute("PRAGMA synchronous = FULL")
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        immediate = conn.get_execution_options().get("esgui_write", False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

    return engine


# -- error translation -----------------------------------------------------------------


def _driver_message(error: BaseException) -> str:
    orig = getattr(error, "orig", None) or error
    text = str(orig).strip().splitlines()[0] if str(orig).strip() else type(orig).__name__
    return mask_text(text)


def translate(error: BaseException, where: str) -> EsguiError:
    """Map a driver/SQLAlchemy error to the StoreError a user should see."""
    if isinstance(error, EsguiError):
        return error
    message = _driver_message(error)
    lowered = message.lower()
    if "file is not a database" in lowered or "malformed" in lowered:
        return StoreCorrupt(f"{where} is not a readable esgui store: {message}")
    if "database is locked" in lowered or "database table is locked" in lowered:
        return StoreUnavailable(
            f"{where} stayed locked by another process for {SQLITE_BUSY_TIMEOUT_S:.0f} s"
        )
    if "unable to open database file" in lowered:
        return StoreUnavailable(
            f"Cannot open {where}: the file or its folder is missing or not accessible"
        )
    if "disk is full" in lowered or "no space left" in lowered:
        return StoreError(f"{where}: the disk is full; nothing was written")
    if "readonly database" in lowered or "read-only file system" in lowered:
        return StoreError(f"{where} is on a read-only file or file system; nothing was written")
    if "append-only" in lowered or "permission denied" in lowered:
        # The database refused the change: an append-only trigger, or a role without
        # the privilege (e.g. a read-only auditor role).
        return NotPermitted(f"{where}: {message}; nothing was written")
    if "password authentication failed" in lowered:
        return StoreUnavailable(f"Cannot connect to {where}: password authentication failed")
    if isinstance(error, (exc.OperationalError, exc.InterfaceError)) or isinstance(
        getattr(error, "orig", None), (sqlite3.OperationalError,)
    ):
        return StoreUnavailable(f"Cannot use {where}: {message}")
    if isinstance(error, exc.DBAPIError):
        return StoreError(f"{where}: {message}")
    if isinstance(error, (ValueError, KeyError, TypeError)):
        return StoreCorrupt(f"{where} holds a row esgui cannot read: {message}")
    return StoreError(f"{where}: {message}")


@contextmanager
def translated(where: str) -> Iterator[None]:
    """Re-raise database errors inside the block as StoreErrors naming `where`."""
    try:
        yield
    except EsguiError:
        raise
    except (exc.SQLAlchemyError, sqlite3.Error, OSError) as error:
        raise translate(error, where) from None
    except (ValueError, UnicodeDecodeError) as error:
        raise translate(error, where) from None


__all__ = [
    "WRITE",
    "describe_url",
    "make_engine",
    "mask_text",
    "parse_store_url",
    "sqlite_path",
    "translate",
    "translated",
]
