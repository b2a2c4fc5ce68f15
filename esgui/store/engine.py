"""Engines for a store URL, and translation of driver errors into StoreErrors.

The engine is created here; what differs between the databases (pool, session set-up,
BEGIN handling) comes from the URL's backend (`esgui.store.sqlite`,
`esgui.store.postgresql`). Every driver or SQLAlchemy error that leaves the store passes
through `translated` and becomes one of esgui's own errors.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Engine, create_engine, exc
from sqlalchemy.engine import URL

from esgui.errors import (
    AppendLockTimeout,
    EsguiError,
    NotPermitted,
    StoreCorrupt,
    StoreError,
    StoreUnavailable,
)
from esgui.store.dialects import DRIVER_ERRORS, UNAVAILABLE_ERRORS, backend_for
from esgui.store.locking import describe_seconds, lock_timeout_s
from esgui.store.postgresql import CONNECT_TIMEOUT_S as PG_CONNECT_TIMEOUT_S
from esgui.store.postgresql import PING_AFTER_IDLE_S
from esgui.store.urls import describe_url, mask_text, parse_store_url, sqlite_path

WRITE = {"esgui_write": True}  # execution option: this transaction will write (SQLite: IMMEDIATE)


def make_engine(url: URL, lock_timeout: float | None = None) -> Engine:
    """Create the Engine for a normalised URL (no connection is made yet); its sessions
    wait `lock_timeout` seconds for a lock (default: ESGUI_LOCK_TIMEOUT, else 10 s)."""
    backend = backend_for(url.get_backend_name())
    seconds = lock_timeout_s(lock_timeout)
    engine = create_engine(url, **backend.engine_options(url, seconds))
    backend.configure_engine(engine, seconds)
    return engine


# -- error translation -----------------------------------------------------------------


def _driver_message(error: BaseException) -> str:
    orig = getattr(error, "orig", None) or error
    text = str(orig).strip().splitlines()[0] if str(orig).strip() else type(orig).__name__
    return mask_text(text)


def _lock_timed_out(error: BaseException, lowered: str) -> bool:
    """SQLite's busy timeout ran out, or PostgreSQL's lock_timeout (SQLSTATE 55P03)."""
    if "database is locked" in lowered or "database table is locked" in lowered:
        return True
    return getattr(getattr(error, "orig", None), "sqlstate", None) == "55P03" or (
        "lock timeout" in lowered
    )


def translate(error: BaseException, where: str, lock_timeout: float | None = None) -> EsguiError:
    """Map a driver/SQLAlchemy error to the StoreError a user should see; `lock_timeout`
    is the one the store's sessions wait (default: the configured one)."""
    if isinstance(error, EsguiError):
        return error
    message = _driver_message(error)
    lowered = message.lower()
    if "file is not a database" in lowered or "malformed" in lowered:
        return StoreCorrupt(f"{where} is not a readable esgui store: {message}")
    if _lock_timed_out(error, lowered):
        waited = describe_seconds(lock_timeout if lock_timeout is not None else lock_timeout_s())
        return AppendLockTimeout(
            f"{where} stayed locked by another writer for more than {waited} (the lock "
            "timeout, ESGUI_LOCK_TIMEOUT); nothing was written, try again later"
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
        getattr(error, "orig", None), UNAVAILABLE_ERRORS
    ):
        return StoreUnavailable(f"Cannot use {where}: {message}")
    if isinstance(error, exc.DBAPIError):
        return StoreError(f"{where}: {message}")
    if isinstance(error, (ValueError, KeyError, TypeError)):
        return StoreCorrupt(f"{where} holds a row esgui cannot read: {message}")
    return StoreError(f"{where}: {message}")


_DATABASE_ERRORS: tuple[type[BaseException], ...] = (exc.SQLAlchemyError, OSError, *DRIVER_ERRORS)


@contextmanager
def translated(where: str, lock_timeout: float | None = None) -> Iterator[None]:
    """Re-raise database errors inside the block as StoreErrors naming `where`."""
    try:
        yield
    except EsguiError:
        raise
    except _DATABASE_ERRORS as error:
        raise translate(error, where, lock_timeout) from None
    except (ValueError, UnicodeDecodeError) as error:
        raise translate(error, where, lock_timeout) from None


__all__ = [
    "PG_CONNECT_TIMEOUT_S",
    "PING_AFTER_IDLE_S",
    "WRITE",
    "describe_url",
    "make_engine",
    "mask_text",
    "parse_store_url",
    "sqlite_path",
    "translate",
    "translated",
]
