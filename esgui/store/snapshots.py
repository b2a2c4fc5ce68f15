"""Snapshot storage: states of an aggregate at some versions, with their checksums, each
bound to the hash chain by the hash of the event at its version (`event_hash`).

A snapshot is derived data that anyone with INSERT on the table could forge (its
checksum has no secret), so the store never trusts one: reads hand back, beside the
snapshot, the hash the event at its version carries *now* (`chain_hash`), and replay
(`esgui.app.replay`) validates each snapshot against the events before using it. The
table is append-only (migration 0004)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, Text, and_, insert, select, tuple_, type_coerce

from esgui.store.connections import Connections
from esgui.store.hashing import canonical_json, decode_json
from esgui.store.records import StoredSnapshot, snapshot_checksum
from esgui.store.schema import events, snapshots

# (aggregate id, version, schema version, state)
SnapshotItem = tuple[str, int, int, Any]
_PAGE = 500

_SELECT = (
    snapshots.c.aggregate_id,
    snapshots.c.version,
    snapshots.c.schema_version,
    type_coerce(snapshots.c.state, Text),
    snapshots.c.checksum,
    snapshots.c.created_at,
    snapshots.c.event_hash,
    events.c.hash,
)
_JOINED = snapshots.outerjoin(
    events,
    and_(events.c.aggregate_id == snapshots.c.aggregate_id,
         events.c.version == snapshots.c.version),
)  # fmt: skip


def _rows(
    items: Sequence[SnapshotItem], hashes: Mapping[tuple[str, int], str]
) -> list[dict[str, Any]]:
    now = datetime.now(UTC)
    return [
        {"aggregate_id": aggregate_id, "version": version, "schema_version": schema,
         "state": canonical_json(state), "checksum": snapshot_checksum(state),
         "created_at": now, "event_hash": hashes.get((aggregate_id, version))}
        for aggregate_id, version, schema, state in items
    ]  # fmt: skip


def _snapshot(row: Any) -> StoredSnapshot | None:
    aggregate_id, version, schema, raw_state, checksum, created_at, event_hash, chain = row
    try:
        state = decode_json(raw_state) if isinstance(raw_state, (str, bytes)) else raw_state
    except (ValueError, RecursionError):
        return None
    return StoredSnapshot(aggregate_id, version, schema, state, checksum, created_at,
                          event_hash, chain)  # fmt: skip


class SnapshotStorage:
    def __init__(self, conns: Connections) -> None:
        self._conns = conns
        self._insert_ignoring = conns.backend.insert_ignoring(
            snapshots, ["aggregate_id", "version"]
        )

    def at_or_below(self, aggregate_id: str, version: int, limit: int = 3) -> list[StoredSnapshot]:
        """Newest snapshots at or below `version`, newest first. Rows whose state is not
        even JSON are left out; callers still check `intact`, `bound`, the schema
        version, and the state against the events."""
        query = (
            select(*_SELECT).select_from(_JOINED)
            .where(snapshots.c.aggregate_id == aggregate_id, snapshots.c.version <= version)
            .order_by(snapshots.c.version.desc())
            .limit(limit)
        )  # fmt: skip
        with self._conns.read() as conn:
            rows = conn.execute(query).all()
        return [found for found in map(_snapshot, rows) if found is not None]

    def between(self, aggregate_id: str, low: int, high: int) -> list[StoredSnapshot]:
        """The snapshots at versions low..high, oldest first (unreadable ones left out)."""
        query = (
            select(*_SELECT).select_from(_JOINED)
            .where(snapshots.c.aggregate_id == aggregate_id, snapshots.c.version >= low,
                   snapshots.c.version <= high)
            .order_by(snapshots.c.version)
        )  # fmt: skip
        with self._conns.read() as conn:
            rows = conn.execute(query).all()
        return [found for found in map(_snapshot, rows) if found is not None]

    def scan(self) -> Iterator[tuple[str, int, StoredSnapshot | None]]:
        """Every snapshot row in (aggregate id, version) order, keyset-paged: (aggregate
        id, version, the snapshot or None when its state is not even JSON)."""
        after: tuple[str, int] | None = None
        while True:
            query = select(*_SELECT).select_from(_JOINED)
            if after is not None:
                query = query.where(
                    tuple_(snapshots.c.aggregate_id, snapshots.c.version) > tuple_(*after)
                )
            query = query.order_by(snapshots.c.aggregate_id, snapshots.c.version).limit(_PAGE)
            with self._conns.read() as conn:
                rows = conn.execute(query).all()
            for row in rows:
                yield row[0], int(row[1]), _snapshot(row)
            if len(rows) < _PAGE:
                return
            after = (rows[-1][0], int(rows[-1][1]))

    def insert(
        self, conn: Connection, items: Sequence[SnapshotItem], hashes: Mapping[tuple[str, int], str]
    ) -> None:
        """Write snapshots inside an append's transaction (`hashes`: the hash of each
        event just chained, by (aggregate id, version))."""
        conn.execute(insert(snapshots), _rows(items, hashes))

    def save(self, aggregate_id: str, items: Sequence[tuple[int, int, Any]]) -> None:
        """Store snapshots outside an append (replay fills in missing ones). A snapshot
        another process wrote first is kept: the insert ignores existing keys. Each is
        bound to the hash its event carries now, read in the same transaction."""
        conns = self._conns
        if conns.read_only or not items or conns.in_exclusive:
            return  # (inside exclusive() a second writer would wait on our own lock)
        versions = [version for version, _schema, _state in items]
        with conns.write() as conn:
            query = select(events.c.version, events.c.hash).where(
                events.c.aggregate_id == aggregate_id, events.c.version.in_(versions)
            )
            hashes = {(aggregate_id, int(v)): h for v, h in conn.execute(query)}
            rows = _rows([(aggregate_id, version, schema, state)
                          for version, schema, state in items
                          if (aggregate_id, version) in hashes], hashes)  # fmt: skip
            if rows:
                conn.execute(self._insert_ignoring, rows)
