"""Noticing new events cheaply, from any writer: this process, another one, another host.

PostgreSQL: the events table's statement trigger sends ``NOTIFY esgui_events`` with
the schema as payload; a dedicated connection LISTENs and keeps only its own schema's
notifications. SQLite: ``PRAGMA data_version`` on a dedicated connection changes
whenever another connection commits, and costs next to nothing to poll. Where neither
works (an in-memory store), the head position is polled.

A watcher only says "something may have changed"; the caller reads the head to see.
No Qt here: the GUI's follower thread drives a watcher.
"""

from __future__ import annotations

import contextlib
import sqlite3
import threading
from typing import Protocol

from esgui.errors import StoreUnavailable
from esgui.store import EventStore
from esgui.store.engine import PG_CONNECT_TIMEOUT_S, mask_text, sqlite_path

CHANNEL = "esgui_events"


class ChangeWatcher(Protocol):
    def wait(self, timeout: float) -> bool:
        """Block up to `timeout` seconds; True when the store may have changed."""
        ...

    def close(self) -> None: ...


class HeadPoller:
    """Fallback: compare the head position every `timeout`."""

    def __init__(self, store: EventStore, stop: threading.Event) -> None:
        self._store = store
        self._stop = stop
        self._head = store.head()[0]

    def wait(self, timeout: float) -> bool:
        if self._stop.wait(timeout):
            return False
        head = self._store.head()[0]
        changed, self._head = head != self._head, head
        return changed

    def close(self) -> None:
        pass


class SqliteWatcher:
    """`PRAGMA data_version` on a connection of its own (it changes on others' commits)."""

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


class PostgresListener:
    """LISTEN on a dedicated autocommit connection; only this schema's notifications."""

    def __init__(self, store: EventStore, stop: threading.Event) -> None:
        import psycopg

        self._stop = stop
        self._description = store.description
        args, kwargs = store.engine.dialect.create_connect_args(store.url)
        kwargs.setdefault("connect_timeout", PG_CONNECT_TIMEOUT_S)
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


def open_watcher(store: EventStore, stop: threading.Event) -> ChangeWatcher:
    """The cheapest watcher for this store; `stop` interrupts its waits."""
    if store.backend == "postgresql":
        return PostgresListener(store, stop)
    path = sqlite_path(store.url)
    if path is None:
        return HeadPoller(store, stop)
    try:
        return SqliteWatcher(str(path), stop, store.description)
    except StoreUnavailable:
        return HeadPoller(store, stop)
