"""The whole store as of a time, in a few statements whatever its size: one gives, for
every stream begun by then, its version then (index seeks, migration 0007) and its
newest snapshot at or below that version; then one statement per `RANGES` streams reads
the few events after each snapshot up to the version, as explicit version ranges (each
one range of the (aggregate_id, version) index: a planner cannot turn them into a scan
of the log, as it may with bounds computed per row).

Not one query per account: on a store of hundreds of accounts, building and sending
hundreds of small statements costs far more than the rows. All of it runs in one
consistent read, so every statement sees the same log.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy import Text, and_, func, or_, select, type_coerce

from esgui.store.connections import Connections
from esgui.store.decoding import raw_rows
from esgui.store.hashing import decode_json
from esgui.store.reads import _VERSIONS_AT
from esgui.store.records import StoredSnapshot, StreamRow
from esgui.store.schema import events, snapshots
from esgui.store.validation import check_time

_t = _VERSIONS_AT.subquery("at_t")
_newest_snapshot = (
    select(func.max(snapshots.c.version))
    .where(
        snapshots.c.aggregate_id == _t.c.aggregate_id, snapshots.c.version <= _t.c.version_at
    )  # fmt: skip
    .correlate(_t)
    .scalar_subquery()
)
_STREAMS = (
    select(_t.c.aggregate_id, _t.c.version_at, _t.c.position_at, snapshots.c.version,
           snapshots.c.schema_version, type_coerce(snapshots.c.state, Text),
           snapshots.c.checksum, snapshots.c.created_at)  # fmt: skip
    .select_from(_t.outerjoin(snapshots, and_(snapshots.c.aggregate_id == _t.c.aggregate_id,
                                              snapshots.c.version == _newest_snapshot)))
    .where(_t.c.version_at.is_not(None))
    .order_by(_t.c.aggregate_id)
)  # fmt: skip


RANGES = 100  # streams per statement reading the events after the snapshots


class StreamAt(NamedTuple):
    """One stream as of a time: its `version` then (the event at `position`), its newest
    snapshot at or below it (None: none), and the events after that snapshot up to
    `version`, in order."""

    aggregate_id: str
    version: int
    position: int
    snapshot: StoredSnapshot | None
    rows: list[StreamRow]


class AsOfReads:
    def __init__(self, conns: Connections) -> None:
        self._conns = conns
        e = events.c
        data = conns.backend.json_text(e.data)
        self._columns = (e.aggregate_id, e.position, e.version, e.event_type,
                         e.schema_version, data, e.created_at)  # fmt: skip
        self._to_time = conns.backend.time_from_db

    def streams_at(self, when: datetime) -> list[StreamAt]:
        check_time(when)
        found: dict[str, StreamAt] = {}
        with self._conns.consistent() as conn:
            heads = conn.execute(_STREAMS, {"when": when}).all()
            ranges = [(row[0], row[3] or 0, row[1]) for row in heads if row[1] > (row[3] or 0)]
            rows: list[tuple[Any, ...]] = []
            e = events.c
            for start in range(0, len(ranges), RANGES):
                chunk = ranges[start : start + RANGES]
                query = select(*self._columns).where(or_(*(
                    and_(e.aggregate_id == aggregate_id, e.version > low, e.version <= high)
                    for aggregate_id, low, high in chunk
                )))  # fmt: skip
                rows += raw_rows(conn, query)
        for (aggregate_id, version, position, snap_version, schema, state, checksum,
             created_at) in heads:  # fmt: skip
            snapshot = None
            if snap_version is not None:
                try:
                    decoded = decode_json(state) if isinstance(state, str) else state
                except ValueError:
                    decoded = None  # not even JSON: unusable, like a bad checksum
                snapshot = StoredSnapshot(aggregate_id, snap_version, schema, decoded,
                                          checksum, created_at)  # fmt: skip
            found[aggregate_id] = StreamAt(aggregate_id, int(version), int(position),
                                           snapshot, [])  # fmt: skip
        to_time, new_row = self._to_time, StreamRow.__new__
        rows.sort(key=lambda row: (row[0], row[2]))  # each stream in version order
        for aggregate_id, position, version, event_type, schema, data, recorded_at in rows:
            stream = found.get(aggregate_id)
            if stream is None:
                continue
            try:
                decoded = decode_json(data) if isinstance(data, str) else data
            except (ValueError, RecursionError):
                decoded = {"_unreadable_data": data[:1000]}
            stream.rows.append(new_row(StreamRow, aggregate_id, position, version, event_type,
                                       schema, decoded, to_time(recorded_at)))  # fmt: skip
        return list(found.values())
