"""Connections of one store: the shared Engine, per-thread connection sharing, write
transactions and the read-only guard. Every connection handed out here translates
driver errors into esgui's own (`esgui.store.engine.translated`)."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from sqlalchemy import Connection, Engine, exc

from esgui.errors import NotPermitted, OutcomeUnknown
from esgui.store.backend import Backend
from esgui.store.engine import WRITE, translated
from esgui.store.replication import standby_refused


class Connections:
    """Thread-safe: the Engine is shared, connections live per unit of work and thread."""

    def __init__(
        self,
        engine: Engine,
        backend: Backend,
        description: str,
        read_only: bool,
        lock_timeout: float | None = None,
    ):
        self.engine = engine
        self.lock_timeout = lock_timeout
        self.backend = backend
        self.description = description
        self.read_only = read_only
        self.standby = False  # a PostgreSQL hot standby: read-only whatever is asked
        self.writer = engine.execution_options(**WRITE)
        self._reader = backend.reader(engine)
        self._local = threading.local()

    # -- reading -----------------------------------------------------------------------

    @contextmanager
    def reading(self) -> Iterator[None]:
        """Let the reads in this block (on this thread) share one connection: fewer pool
        checkouts and, on SQLite, one consistent snapshot."""
        if getattr(self._local, "conn", None) is not None:
            yield
            return
        with translated(self.description, self.lock_timeout), self._reader.connect() as conn:
            self._local.conn = conn
            try:
                yield
            finally:
                self._local.conn = None

    @contextmanager
    def read(self) -> Iterator[Connection]:
        """The connection for one read: this thread's shared one, else a new one."""
        shared = getattr(self._local, "conn", None)
        with translated(self.description, self.lock_timeout):
            if shared is not None:
                yield shared
                return
            with self._reader.connect() as conn:
                yield conn

    @contextmanager
    def consistent(self) -> Iterator[Connection]:
        """A read-only transaction whose statements all see one snapshot."""
        with translated(self.description, self.lock_timeout), self.engine.connect() as conn:
            options = self.backend.consistent_read_options
            if options:
                conn = conn.execution_options(**options)
            with conn.begin():
                yield conn

    # -- writing -----------------------------------------------------------------------

    def refuse_if_read_only(self, what: str = "") -> None:
        if self.standby:
            raise standby_refused(self.description)
        if self.read_only:
            raise NotPermitted(f"{self.description} is open read-only{what}")

    @contextmanager
    def write(self, *, beside_the_ledger: bool = False) -> Iterator[Connection]:
        """One write transaction that commits or rolls back as a whole. Refused on a
        read-only store, except `beside_the_ledger` writes (review notes: read-only mode
        protects the ledger, see docs/audit.md)."""
        if not beside_the_ledger or self.standby:  # a standby takes no write at all
            self.refuse_if_read_only()
        if getattr(self._local, "exclusive", False):
            # Inside exclusive(): join its transaction (a second write transaction would
            # wait on the lock this thread holds), in a savepoint so a failed write
            # leaves the block usable.
            conn = self._local.conn
            with translated(self.description, self.lock_timeout):
                savepoint = conn.begin_nested()
                try:
                    yield conn
                except BaseException:
                    savepoint.rollback()
                    raise
                savepoint.commit()
            return
        with translated(self.description, self.lock_timeout), self.writer.begin() as conn:
            yield conn

    @property
    def in_exclusive(self) -> bool:
        return getattr(self._local, "exclusive", False)

    @contextmanager
    def exclusive(self, lock: Callable[[Connection], None]) -> Iterator[None]:
        """Hold the append lock (`lock`) for the whole block: reads and appends in it
        (on this thread) share one write transaction, committed when the block ends."""
        self.refuse_if_read_only()
        if getattr(self._local, "conn", None) is not None:
            raise RuntimeError("exclusive() inside another reading() or exclusive() block")
        with translated(self.description, self.lock_timeout):
            with self.writer.begin() as conn:
                lock(conn)
                self._local.conn, self._local.exclusive = conn, True
                try:
                    yield
                finally:
                    self._local.conn, self._local.exclusive = None, False
            if self.backend.defers_flush:  # its appends are reported once durable
                self.backend.make_durable(self.engine)

    @contextmanager
    def append_transaction(self) -> Iterator[Connection]:
        """The write transaction holding the append lock: this thread's `exclusive()`
        block when there is one (the append commits with it), else a new one. Errors
        are not translated here: the appender explains integrity errors first."""
        if getattr(self._local, "exclusive", False):
            conn = self._local.conn
            savepoint = conn.begin_nested()  # a failed append leaves the block usable
            try:
                yield conn
            except BaseException:
                savepoint.rollback()
                raise
            savepoint.commit()
            return
        with self.writer.connect() as conn:
            transaction = conn.begin()
            try:
                yield conn
            except BaseException:
                transaction.rollback()
                raise
            try:
                transaction.commit()
            except exc.DBAPIError as error:
                if not error.connection_invalidated:
                    raise  # the database answered: it did not commit
                # Sent COMMIT, heard nothing back: it may or may not have committed.
                raise OutcomeUnknown(
                    f"The connection to {self.description} was lost while committing: "
                    "the outcome is unknown"
                ) from error
