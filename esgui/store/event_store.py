"""The event store: one object per store, the facade the other layers hold.

It owns the store's lifecycle (URL, engine, schema check, close) and its connections,
and hands each job to the module that does it: appends and the hash chain
(`appends`), reads (`reads`), snapshots (`snapshots`), review notes (`notes`), the
account read model (`projections`), raw scans for the audit tools (`scans`), the
explorer's log windows (`log`), the read-only query console (`console`), saved queries
(`saved_queries`), statistics (`stats`) and change watchers (`watchers`). What differs between
SQLite and PostgreSQL is in `sqlite` and `postgresql`, behind `backend.Backend`.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Iterator, Sequence
from contextlib import AbstractContextManager
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Engine

from esgui.errors import NotPermitted
from esgui.store.appends import Appender
from esgui.store.as_of import AsOfReads, StreamAt
from esgui.store.backend import ChangeWatcher
from esgui.store.connections import Connections
from esgui.store.console import QueryConsole
from esgui.store.dialects import backend_for
from esgui.store.engine import describe_url, make_engine, parse_store_url, translated
from esgui.store.filters import EventFilter
from esgui.store.id_case import stored_twin
from esgui.store.locking import lock_timeout_s
from esgui.store.log import EventLog
from esgui.store.notes import NoteStorage
from esgui.store.projections import SummaryStorage
from esgui.store.protection import ProtectionProblem, check_protection
from esgui.store.reads import DEFAULT_PAGE, EventReads
from esgui.store.records import NewEvent, RecordedEvent, StoredSnapshot, StreamRow
from esgui.store.replication import (
    ReplayWatcher,
    ReplicationStatus,
    in_recovery,
    is_failover_url,
    reconnect_window,
    replication_status,
    retrying,
    server_address,
    standby_refused,
)
from esgui.store.saved_queries import SavedQueryStorage
from esgui.store.scans import Scans
from esgui.store.schema_manager import ensure_schema
from esgui.store.snapshots import SnapshotItem, SnapshotStorage
from esgui.store.stats import Statistics
from esgui.store.validation import check_aggregate_id, check_count
from esgui.store.verify_runs import VerifyRunStorage
from esgui.store.watchers import open_watcher


class EventStore:
    """One store (a SQLite file or a PostgreSQL database). Thread-safe; share it.

    Besides the event methods below, a store offers `notes` (review notes), `scans`
    (raw rows, event locations), `log` (the explorer's windows), `verify_runs` (the
    recorded verifications) and
    `projection(name)` (a read model's table and checkpoint)."""

    def __init__(
        self,
        url: str,
        *,
        read_only: bool = False,
        create: bool = True,
        snapshot_every: int = 100,
        lock_timeout: float | None = None,
    ) -> None:
        self.url = parse_store_url(url)
        self.description = describe_url(self.url)
        self.snapshot_every = check_count(snapshot_every, "snapshot interval", 1)
        self.backend = self.url.get_backend_name()
        self._backend = backend_for(self.backend)
        self._backend.check_location(self.url, create=create, read_only=read_only)
        self.lock_timeout = lock_timeout_s(lock_timeout)
        self._engine = make_engine(self.url, self.lock_timeout)
        self._conns = Connections(self._engine, self._backend, self.description, read_only,
                                  self.lock_timeout)  # fmt: skip
        #: How long writers retry a lost connection (long on a multi-host failover URL).
        self.reconnect_window = reconnect_window(self.url)
        try:
            if is_failover_url(self.url):  # the primary may be changing right now
                retrying(self.reconnect_window, lambda: self._open(read_only, create))
            else:
                self._open(read_only, create)
        except BaseException:
            self._engine.dispose()
            raise
        self._reads = EventReads(self._conns)
        self._as_of = AsOfReads(self._conns)
        self._snapshots = SnapshotStorage(self._conns)
        self._appends = Appender(self._conns, self._snapshots)
        self._projections: dict[str, SummaryStorage] = {}
        self.time_from_db = self._backend.time_from_db
        self.notes = NoteStorage(self._conns)
        self.scans = Scans(self._conns)
        self.log = EventLog(self._conns)
        self.console = QueryConsole(self._conns, self.url)
        self.saved_queries = SavedQueryStorage(self._conns)
        self.stats = Statistics(self._conns)
        self.verify_runs = VerifyRunStorage(self._conns)

    def _open(self, read_only: bool, create: bool) -> None:
        with translated(self.description):
            with self._engine.connect() as conn:
                standby = in_recovery(conn)
                self.server = server_address(conn) if self.backend == "postgresql" else ""
            if standby:  # a hot standby: read-only without being told (docs/operations.md)
                self._conns.standby = self._conns.read_only = read_only = True
            try:
                self.upgraded_from = ensure_schema(
                    self._engine, self.description, read_only=read_only, create=create
                )
            except NotPermitted as error:
                if not standby:
                    raise
                raise standby_refused(self.description, f"upgrade it on the primary ({error})"
                                      ) from None  # fmt: skip
            self._backend.after_open(self._engine, self.url, read_only=read_only)

    # -- lifecycle and connections -----------------------------------------------------

    @property
    def failover(self) -> bool:
        """Whether the URL lets libpq find another primary (several hosts, or
        target_session_attrs): writers then retry for `reconnect_window` seconds."""
        return is_failover_url(self.url)

    @property
    def standby(self) -> bool:
        """Whether the store was opened on a PostgreSQL hot standby (then read-only)."""
        return self._conns.standby

    def replication_status(self) -> ReplicationStatus:
        """Which server this store reads from, and on a standby how far behind it is."""
        with translated(self.description), self._engine.connect() as conn:
            status = replication_status(conn)
        self.server = status.server or self.server
        return status

    @property
    def read_only(self) -> bool:
        """Whether the store refuses changes to the ledger (the GUI may toggle it)."""
        return self._conns.read_only

    @read_only.setter
    def read_only(self, value: bool) -> None:
        self._conns.read_only = value or self._conns.standby

    @property
    def engine(self) -> Engine:
        """The shared SQLAlchemy Engine (for the store's own modules and its tests)."""
        return self._engine

    def reading(self) -> AbstractContextManager[None]:
        """Let the reads in this block (on this thread) share one connection: fewer pool
        checkouts and, on SQLite, one consistent snapshot."""
        return self._conns.reading()

    def writer(self) -> Engine:
        """The Engine variant whose transactions take the write lock first (SQLite).
        Raises NotPermitted on a read-only store, so callers use it to refuse early."""
        self._conns.refuse_if_read_only()
        return self._conns.writer

    def exclusive(self) -> AbstractContextManager[None]:
        """Hold the append lock for the whole block: reads and appends in it (on this
        thread) share one write transaction, so no other writer can slip in between a
        read and the append that depends on it. The way out for a command that keeps
        losing optimistic races; everything commits when the block ends."""
        return self._conns.exclusive(self._backend.lock_appends)  # durable when it ends

    def lock_for_append(self, conn: Connection) -> None:
        """Serialise appenders inside `conn`'s write transaction (see `appends`); its
        commit is durable when it returns, as any other."""
        self._backend.lock_appends(conn, defer_flush=False)

    def close(self) -> None:
        self._engine.dispose()

    def __enter__(self) -> EventStore:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"EventStore({self.description!r}{', read-only' if self.read_only else ''})"

    # -- appending ---------------------------------------------------------------------

    def append(
        self, aggregate_id: str, expected_version: int, new_events: Sequence[NewEvent]
    ) -> list[RecordedEvent]:
        """Append `new_events` atomically after `expected_version` of the stream.

        A stale `expected_version` raises ConcurrencyError and appends nothing. Events
        whose ids are all already stored in this stream make the call a no-op that
        returns them (a retried append never duplicates).
        """
        return self._appends.append_many([(aggregate_id, expected_version, new_events)])

    def append_many(
        self,
        streams: Sequence[tuple[str, int, Sequence[NewEvent]]],
        *,
        snapshots_to_save: Sequence[SnapshotItem] = (),
        return_records: bool = True,
    ) -> list[RecordedEvent]:
        """Append to several streams in one transaction, all or nothing. Entries are
        chained in the order given; a stream may appear in several entries (interleaved
        history) as long as each continues the previous one.

        `snapshots_to_save` holds (aggregate_id, version, schema_version, state) rows
        written in the same transaction."""
        return self._appends.append_many(
            streams, snapshots_to_save=snapshots_to_save, return_records=return_records
        )

    # -- reading -----------------------------------------------------------------------

    def current_version(self, aggregate_id: str) -> int:
        return self._reads.current_version(aggregate_id)

    def current_versions(self, aggregate_ids: Iterable[str]) -> dict[str, int]:
        """The version of each of these streams that has events (the others are left out)."""
        return self._reads.current_versions(aggregate_ids)

    def read_stream(
        self,
        aggregate_id: str,
        from_version: int = 1,
        to_version: int | None = None,
        *,
        page_size: int = 2000,
    ) -> Iterator[RecordedEvent]:
        """Events of one aggregate in version order, read lazily in pages."""
        return self._reads.read_stream(aggregate_id, from_version, to_version,
                                       page_size=page_size)  # fmt: skip

    def replay_rows(
        self,
        aggregate_id: str,
        from_version: int = 1,
        to_version: int | None = None,
        *,
        page_size: int = 5000,
    ) -> Iterator[StreamRow]:
        """Like read_stream, but only what replay needs, as stored (a narrower read)."""
        return self._reads.replay_rows(aggregate_id, from_version, to_version,
                                       page_size=page_size)  # fmt: skip

    def read_all(
        self,
        after: int = 0,
        limit: int | None = None,
        event_types: Iterable[str] | None = None,
        *,
        aggregate_id: str | None = None,
        operator: str | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
        where: EventFilter | None = None,
        descending: bool = False,
        page_size: int = DEFAULT_PAGE,
    ) -> Iterator[RecordedEvent]:
        """Events in global order with ``position > after`` (``<`` when descending),
        filtered (by the keywords, or by `where`), keyset-paged: memory stays bounded
        however large the store."""
        return self._reads.read_all(
            after, limit, event_types, aggregate_id=aggregate_id, operator=operator,
            since=since, until=until, where=where, descending=descending, page_size=page_size,
        )  # fmt: skip

    def count(
        self,
        event_types: Iterable[str] | None = None,
        *,
        aggregate_id: str | None = None,
        operator: str | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
        where: EventFilter | None = None,
    ) -> int:
        return self._reads.count(
            event_types, aggregate_id=aggregate_id, operator=operator, since=since,
            until=until, where=where,
        )  # fmt: skip

    def head(self) -> tuple[int, str]:
        """(position, hash) of the newest event; (0, genesis hash) when empty."""
        return self._reads.head()

    def case_twin(self, aggregate_id: str) -> str | None:
        """The stored stream id equal to `aggregate_id` ignoring case (not exactly), if
        any: ids are unique ignoring case (store.id_case)."""
        check_aggregate_id(aggregate_id)
        with self._conns.read() as conn:
            return stored_twin(conn, aggregate_id)

    def protection_problems(self) -> list[ProtectionProblem]:
        """What is missing or altered in the append-only protection (triggers, PUBLIC
        grants) of this store; empty when all of it is in place (store.protection)."""
        with self._conns.read() as conn:
            return check_protection(conn)

    def version_at(self, aggregate_id: str, when: datetime) -> int:
        """The aggregate's version as of `when` (0 if it had no events yet)."""
        return self._reads.version_at(aggregate_id, when)

    def versions_at(self, when: datetime) -> dict[str, tuple[int, int]]:
        """Every aggregate that had events at or before `when` → (its version then, the
        position of that version's event); a bounded query: index seeks per aggregate."""
        return self._reads.versions_at(when)

    def streams_at(self, when: datetime) -> list[StreamAt]:
        """Every stream begun at or before `when`, in id order: its version then, its
        newest snapshot at or below that version and the events after that snapshot up
        to it (two statements, one consistent read, whatever the store's size)."""
        return self._as_of.streams_at(when)

    def aggregate_ids(self) -> list[str]:
        return self._reads.aggregate_ids()

    # -- snapshots, read models, watching ----------------------------------------------

    def snapshots_at_or_below(
        self, aggregate_id: str, version: int, limit: int = 3
    ) -> list[StoredSnapshot]:
        """Newest snapshots at or below `version`, newest first, each with the hash its
        event carries now (`chain_hash`). Rows whose state is not even JSON are left
        out; callers check `intact`, `bound`, the schema version, and the state against
        the events (`esgui.app.replay`): a snapshot is derived data, never proof."""
        return self._snapshots.at_or_below(aggregate_id, version, limit)

    def snapshots_between(self, aggregate_id: str, low: int, high: int) -> list[StoredSnapshot]:
        """The snapshots at versions low..high, oldest first (for validating them)."""
        return self._snapshots.between(aggregate_id, low, high)

    def scan_snapshots(self) -> Iterator[tuple[str, int, StoredSnapshot | None]]:
        """Every snapshot row, (aggregate id, version) order: (account, version, the
        snapshot, or None when its state is not even JSON). For `verify`."""
        return self._snapshots.scan()

    def save_snapshots(self, aggregate_id: str, items: Sequence[tuple[int, int, Any]]) -> None:
        """Store snapshots outside an append (replay fills in missing ones). A snapshot
        another process wrote first is kept."""
        self._snapshots.save(aggregate_id, items)

    def projection(self, name: str) -> SummaryStorage:
        """The account-summary table as the projector named `name` keeps it."""
        found = self._projections.get(name)
        if found is None:
            found = self._projections.setdefault(name, SummaryStorage(self._conns, name))
        return found

    def watch(self, stop: threading.Event) -> ChangeWatcher:
        """The cheapest watcher of other writers' commits; `stop` interrupts its waits.
        A standby is polled: NOTIFY does not replicate."""
        if self.standby:
            return ReplayWatcher(self._engine, stop, self.description)
        return open_watcher(self._backend, self._engine, self.url, self.description,
                            self.head, stop)  # fmt: skip
