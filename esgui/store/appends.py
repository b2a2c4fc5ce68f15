"""Appends: atomic, optimistic, hash-chained.

Appends take one store-wide lock (the backend's: SQLite's ``BEGIN IMMEDIATE``,
PostgreSQL's transaction-scoped advisory lock), read the head, and insert rows whose
positions continue it. Positions therefore commit in order and without gaps, so a
follower that reads ``position > checkpoint`` never skips an event that commits later
with a smaller position (the classic sequence race), and the hash chain has one
well-defined order. The ``UNIQUE(aggregate_id, version)`` constraint is the database's
own guarantee of optimistic concurrency, should any writer bypass the lock.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, bindparam, func, select
from sqlalchemy.exc import IntegrityError

from esgui.errors import ConcurrencyError, InvalidInput, NotPermitted
from esgui.store.clock import append_time, check_not_future
from esgui.store.connections import Connections
from esgui.store.decoding import columns_for, record_from_row
from esgui.store.engine import translated
from esgui.store.hashing import GENESIS_HASH, event_hash
from esgui.store.id_case import refuse_case_twins
from esgui.store.ids import new_event_ids
from esgui.store.reads import IN_LIST, current_version, current_versions
from esgui.store.records import NewEvent, RecordedEvent
from esgui.store.schema import events
from esgui.store.snapshots import SnapshotItem, SnapshotStorage
from esgui.store.validation import MAX_VERSION, Prepared, check_aggregate_id, check_count, prepare

_INSERT_COLUMNS = ("position", "id", "aggregate_id", "aggregate_type", "event_type",
                   "schema_version", "version", "data", "metadata", "operator",
                   "created_at", "hash")  # fmt: skip
_JSON_COLUMNS = frozenset({"data", "metadata"})
_EMPTY_HEAD: tuple[int, str, datetime | None] = (0, GENESIS_HASH, None)
# Built once (statement construction and its cache key cost more than the query).
_NEWEST = select(events.c.position).order_by(events.c.position.desc()).limit(1)
_VERSION_AND_HEAD = select(
    select(func.max(events.c.version))
    .where(events.c.aggregate_id == bindparam("aggregate_id")).scalar_subquery(),
    _NEWEST.scalar_subquery(),
    _NEWEST.with_only_columns(events.c.hash).scalar_subquery(),
    _NEWEST.with_only_columns(events.c.created_at).scalar_subquery(),
)  # fmt: skip
_HEAD = select(events.c.position, events.c.hash, events.c.created_at).order_by(
    events.c.position.desc()).limit(1)  # fmt: skip

# (aggregate id, expected version, its prepared events)
_Entry = tuple[str, int, list[Prepared]]


class Appender:
    def __init__(self, conns: Connections, snapshots: SnapshotStorage) -> None:
        self._conns = conns
        self._backend = conns.backend
        self._snapshots = snapshots
        self._event_columns = columns_for(conns.backend).event
        self.lock = conns.backend.lock_appends

    def append_many(
        self,
        streams: Sequence[tuple[str, int, Sequence[NewEvent]]],
        *,
        snapshots_to_save: Sequence[SnapshotItem] = (),
        return_records: bool = True,
    ) -> list[RecordedEvent]:
        conns = self._conns
        if conns.standby:
            conns.refuse_if_read_only()  # "this server is a read-only standby; …"
        if conns.read_only:
            raise NotPermitted(f"{conns.description} is open read-only; nothing was appended")
        if not streams:
            raise InvalidInput("Nothing to append: no events given")
        metadata_json: dict[int, str] = {}  # one serialisation per shared metadata dict
        prepared: list[_Entry] = []
        fresh = iter(new_event_ids(sum(len(stream[2]) for stream in streams)))
        for aggregate_id, expected, new_events in streams:
            check_aggregate_id(aggregate_id)
            check_count(expected, "expected version", maximum=MAX_VERSION)
            if not new_events:
                raise InvalidInput(f"Nothing to append to {aggregate_id!r}: no events given")
            prepared.append((aggregate_id, expected,
                             [prepare(event, next(fresh), metadata_json)
                              for event in new_events]))  # fmt: skip
        now = datetime.now(UTC)
        for _a, _e, items in prepared:
            for item in items:
                if item[5] is not None:
                    check_not_future(item[5], f"Event {item[0]}", now)
        ids = [item[0] for _a, _e, items in prepared for item in items]
        if len(set(ids)) != len(ids):
            raise InvalidInput("The same event id appears twice in one append")
        # Only ids the caller chose can already be stored; fresh UUIDs cannot. They are
        # looked up only when something is off (the stream moved, or an id clashed),
        # which keeps the common append at one read and one insert.
        given = [item[0] for _a, _e, items in prepared for item in items
                 if item[1].event_id is not None]  # fmt: skip
        with translated(conns.description, conns.lock_timeout):
            try:
                with conns.append_transaction() as conn:
                    try:
                        head = self._check_versions(conn, prepared)
                    except ConcurrencyError:
                        stored = self._stored_ids(conn, given) if given else {}
                        if not stored:
                            raise
                        # a retry of an append that did commit (perhaps not yet on disk)
                        recorded = self._idempotent(conn, prepared, ids, stored)
                    else:
                        rows, recorded, regressions = self._chain(prepared, head,
                                                                  return_records)  # fmt: skip
                        self._backend.insert_rows(conn, "events", _INSERT_COLUMNS, rows,
                                                  _JSON_COLUMNS)  # fmt: skip
                        if regressions:  # see esgui.store.time_order
                            self._backend.insert_rows(conn, "esgui_time_regressions",
                                                      ("position",), regressions)  # fmt: skip
                        if snapshots_to_save:
                            wanted = {(item[0], item[1]) for item in snapshots_to_save}
                            hashes = {(row[2], row[6]): row[11] for row in rows
                                      if (row[2], row[6]) in wanted}  # fmt: skip
                            self._snapshots.insert(conn, snapshots_to_save, hashes)
            except IntegrityError:
                self._explain_integrity_error(prepared, given)
                raise
            if self._backend.defers_flush and not conns.in_exclusive:
                # The commit did not wait for the disk (PostgreSQL: the lock's transaction
                # commits with synchronous_commit off); the append is reported only once
                # it is durable. (An exclusive() block waits when it commits.)
                self._backend.make_durable(conns.engine)
        return recorded

    def _check_versions(
        self, conn: Connection, prepared: list[_Entry]
    ) -> tuple[int, str, datetime | None]:
        """Each stream's first expected version must be its current one; a stream listed
        again must continue where its previous entry ended. Returns the head (position,
        hash, recorded time) that the new events continue."""
        first: dict[str, int] = {}
        following: dict[str, int] = {}
        for aggregate_id, expected, items in prepared:
            if aggregate_id not in first:
                first[aggregate_id] = expected
            elif following[aggregate_id] != expected:
                raise InvalidInput(
                    f"Entries for {aggregate_id!r} do not follow each other: expected "
                    f"version {expected} after {following[aggregate_id]}"
                )
            following[aggregate_id] = expected + len(items)
        exclusive = self._conns.in_exclusive
        if len(first) == 1:
            # The common case, one stream: its version and the head in one round trip
            # (where the backend can, the same round trip takes the append lock).
            ((aggregate_id, expected),) = first.items()
            row: Any = None if exclusive else self._backend.lock_and_read_head(conn, aggregate_id)
            if row is None:
                if not exclusive:
                    self.lock(conn)
                row = conn.execute(_VERSION_AND_HEAD, {"aggregate_id": aggregate_id}).one()
            current = int(row[0] or 0)
            if current != expected:
                raise ConcurrencyError(aggregate_id, expected, current)
            if current == 0:
                refuse_case_twins(conn, [aggregate_id])  # a new stream (store.id_case)
            return (int(row[1]), row[2], row[3]) if row[1] is not None else _EMPTY_HEAD
        if not exclusive:
            self.lock(conn)
        current_by_id = current_versions(conn, list(first))
        for aggregate_id, expected in first.items():
            if current_by_id.get(aggregate_id, 0) != expected:
                raise ConcurrencyError(aggregate_id, expected, current_by_id.get(aggregate_id, 0))
        refuse_case_twins(conn, [a for a, expected in first.items() if expected == 0])
        found = conn.execute(_HEAD).first()
        return (int(found[0]), found[1], found[2]) if found else _EMPTY_HEAD

    def _chain(
        self,
        prepared: list[_Entry],
        head: tuple[int, str, datetime | None],
        return_records: bool,
    ) -> tuple[list[tuple[Any, ...]], list[RecordedEvent], list[tuple[int]]]:
        """Rows continuing the head: next positions, versions, times and chained hashes,
        as tuples in `_INSERT_COLUMNS` order; and the positions whose time is earlier
        than the previous position's (time regressions: only given times make them)."""
        position, prev_hash, last_time = head
        now = append_time(last_time)  # never follows a far-future head (store.clock)
        stored_time = self._backend.time_for_insert
        rows: list[tuple[Any, ...]] = []
        recorded: list[RecordedEvent] = []
        regressions: list[tuple[int]] = []
        previous_time = last_time
        for aggregate_id, expected, items in prepared:
            version = expected
            for event_id, event, data_json, metadata_json, operator, given_time in items:
                position += 1
                version += 1
                recorded_at = given_time or now
                if given_time is not None:
                    if previous_time is not None and given_time < previous_time:
                        regressions.append((position,))
                    previous_time = given_time
                else:
                    previous_time = now
                iso = recorded_at.isoformat(timespec="microseconds")
                prev_hash = event_hash(
                    prev_hash, position, event_id, aggregate_id, event.aggregate_type,
                    event.event_type, event.schema_version, version, iso, operator,
                    data_json, metadata_json,
                )  # fmt: skip
                rows.append((
                    position, event_id, aggregate_id, event.aggregate_type, event.event_type,
                    event.schema_version, version, data_json, metadata_json, operator,
                    stored_time(recorded_at, iso), prev_hash,
                ))  # fmt: skip
                if return_records:
                    recorded.append(record_from_row((
                        position, event_id, aggregate_id, event.aggregate_type,
                        event.event_type, version, event.data, event.metadata, recorded_at,
                        operator, prev_hash, event.schema_version,
                    )))  # fmt: skip
        return rows, recorded, regressions

    def _explain_integrity_error(self, prepared: list[_Entry], given: list[str]) -> None:
        """Turn a constraint violation into what it means: a reused id, or a stream that
        moved (the unique version constraint caught a writer that bypassed the lock)."""
        with self._conns.engine.connect() as conn:
            if given and self._stored_ids(conn, given):
                raise InvalidInput(
                    "Some of these event ids are already stored in another stream; "
                    "nothing was appended"
                ) from None
            for aggregate_id, expected, _items in prepared:
                actual = current_version(conn, aggregate_id)
                if actual != expected:
                    raise ConcurrencyError(aggregate_id, expected, actual) from None

    @staticmethod
    def _stored_ids(conn: Connection, ids: list[str]) -> dict[str, str]:
        found: dict[str, str] = {}
        for start in range(0, len(ids), IN_LIST):
            chunk = ids[start : start + IN_LIST]
            query = select(events.c.id, events.c.aggregate_id).where(events.c.id.in_(chunk))
            found.update({row[0]: row[1] for row in conn.execute(query)})
        return found

    def _idempotent(
        self, conn: Connection, prepared: list[_Entry], ids: list[str], stored: dict[str, str]
    ) -> list[RecordedEvent]:
        owners = {item[0]: aggregate_id for aggregate_id, _e, items in prepared for item in items}
        if len(stored) != len(ids) or any(stored[i] != owners[i] for i in ids):
            raise InvalidInput(
                "Some of these event ids are already stored (partly retried or reused "
                "ids); nothing was appended"
            )
        query = select(*self._event_columns).where(events.c.id.in_(ids)).order_by(events.c.position)
        return [record_from_row(row) for row in conn.execute(query)]
