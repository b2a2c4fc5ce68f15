"""PostgreSQL replication as a store sees it: which server a connection reached, whether
it is a hot standby (then the store is read-only by itself), how far its replay lags
behind the primary, and a watcher that follows the replay (LISTEN/NOTIFY does not
replicate, so a standby is polled).

Failover: a multi-host URL (esgui.store.multihost) lets libpq find the new primary;
`reconnect_window` says how long a writer keeps retrying a lost connection before it
gives up (docs/operations.md).
"""

from __future__ import annotations

import contextlib
import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Engine
from sqlalchemy.engine import URL

from esgui.errors import NotPermitted, StoreUnavailable
from esgui.store import multihost

#: What every write refused on a standby says (CLI exit 5).
STANDBY_REFUSAL = "this server is a read-only standby; write to the primary"
#: How often a standby's replay position is polled for the live view.
REPLAY_POLL_S = 0.5
#: How long a writer on a failover URL retries a lost connection (ESGUI_FAILOVER_TIMEOUT).
FAILOVER_WINDOW_S = 30.0
#: The same on a single-server URL: a blip, not a failover.
SINGLE_SERVER_WINDOW_S = 0.6


def standby_refused(where: str, what: str = "nothing was written") -> NotPermitted:
    return NotPermitted(f"{STANDBY_REFUSAL} ({where}); {what}")


def in_recovery(conn: Connection) -> bool:
    """Whether the server behind `conn` is a hot standby (PostgreSQL only)."""
    if conn.dialect.name != "postgresql":
        return False
    return bool(conn.exec_driver_sql("SELECT pg_is_in_recovery()").scalar())


def server_address(conn: Connection) -> str:
    """host:port of the server `conn` reached (a multi-host URL names several)."""
    dbapi = conn.connection.dbapi_connection
    info = getattr(dbapi, "info", None)
    host = getattr(info, "host", None)
    port = getattr(info, "port", None)
    if not host:
        return ""
    return f"{host}:{port}" if port else str(host)


@dataclass(frozen=True, slots=True)
class ReplicationStatus:
    """What the status bar says about the server a store is reading from."""

    standby: bool
    server: str  # host:port
    lag_s: float | None = None  # now() - last replayed commit; None before any
    caught_up: bool = False  # everything received has been replayed
    receiving: bool = False  # the standby is streaming from a primary

    def describe(self) -> str:
        if not self.standby:
            return f"primary {self.server}" if self.server else "primary"
        where = f"standby {self.server}" if self.server else "standby"
        if not self.receiving:
            lag = f", {self.lag_s:.1f} s behind" if self.lag_s is not None else ""
            return f"{where} (read-only): not receiving from the primary{lag}"
        if self.caught_up:
            # Idle: now() - last replay keeps growing although nothing is missing.
            return f"{where} (read-only): caught up"
        lag = f"{self.lag_s:.1f} s" if self.lag_s is not None else "unknown"
        return f"{where} (read-only): replication lag {lag}"


_STATUS_SQL = (
    "SELECT pg_is_in_recovery(),"
    " pg_last_wal_receive_lsn() IS NOT NULL"
    "   AND pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn(),"
    " EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp())::float8,"
    " (SELECT count(*) FROM pg_stat_wal_receiver WHERE status = 'streaming') > 0"
)


def replication_status(conn: Connection) -> ReplicationStatus:
    server = server_address(conn) if conn.dialect.name == "postgresql" else ""
    if conn.dialect.name != "postgresql":
        return ReplicationStatus(False, server)
    standby, caught_up, lag, receiving = conn.exec_driver_sql(_STATUS_SQL).one()
    if not standby:
        return ReplicationStatus(False, server)
    return ReplicationStatus(True, server, None if lag is None else max(0.0, float(lag)),
                             bool(caught_up), bool(receiving))  # fmt: skip


class ReplayWatcher:
    """A standby's watcher: polls the replayed WAL position every `interval` on its own
    connection; True when it moved (the caller then reads the head)."""

    def __init__(self, engine: Engine, stop: threading.Event, description: str,
                 interval: float = REPLAY_POLL_S) -> None:  # fmt: skip
        self._engine = engine.execution_options(isolation_level="AUTOCOMMIT")
        self._stop = stop
        self._description = description
        self._interval = interval
        self._conn: Connection | None = None
        self._last = self._position()
        self._polled = time.monotonic()

    def _position(self) -> Any:
        try:
            if self._conn is None:
                self._conn = self._engine.connect()
            return self._conn.exec_driver_sql("SELECT pg_last_wal_replay_lsn()::text").scalar()
        except Exception as error:  # noqa: BLE001 - the standby went away: say so
            self.close()
            first = str(error).strip().splitlines()[0] if str(error).strip() else repr(error)
            raise StoreUnavailable(f"Lost live updates from {self._description}: {first}") from None

    def wait(self, timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        while True:
            due = self._polled + self._interval
            now = time.monotonic()
            if now >= due:
                self._polled = now
                position = self._position()
                changed, self._last = position != self._last, position
                if changed:
                    return True
                continue
            if now >= deadline:
                return False
            if self._stop.wait(min(due, deadline) - now):
                return False

    def close(self) -> None:
        if self._conn is not None:
            with contextlib.suppress(Exception):
                self._conn.close()
            self._conn = None


# -- failover --------------------------------------------------------------------------


def is_failover_url(url: URL) -> bool:
    """A URL that names several servers, or asks libpq for a read-write one."""
    if url.get_backend_name() != "postgresql":
        return False
    return multihost.is_multi_host(url) or "target_session_attrs" in url.query


def reconnect_window(url: URL) -> float:
    """Seconds a writer retries a lost connection before giving up."""
    if not is_failover_url(url):
        return SINGLE_SERVER_WINDOW_S
    configured = os.environ.get("ESGUI_FAILOVER_TIMEOUT", "").strip()
    try:
        return max(0.0, float(configured)) if configured else FAILOVER_WINDOW_S
    except ValueError:
        return FAILOVER_WINDOW_S


def retrying(window: float, attempt: Callable[[], Any], *, pause: float = 0.25) -> Any:
    """Call `attempt` until it does not raise StoreUnavailable, for up to `window`
    seconds (at least three tries); the last error is raised."""
    deadline = time.monotonic() + window
    tries = 0
    while True:
        tries += 1
        try:
            return attempt()
        except StoreUnavailable:
            if tries >= 3 and time.monotonic() >= deadline:
                raise
            time.sleep(min(pause * tries, 1.0))
