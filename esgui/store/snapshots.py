"""Snapshot storage: states of an aggregate at some versions, with their checksums."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, Text, insert, select, type_coerce

from esgui.store.connections import Connections
from esgui.store.hashing import canonical_json, decode_json
from esgui.store.records import StoredSnapshot, snapshot_checksum
from esgui.store.schema import snapshots

# (aggregate id, version, schema version, state)
SnapshotItem = tuple[str, int, int, Any]


def _rows(items: Sequence[SnapshotItem]) -> list[dict[str, Any]]:
    now = datetime.now(UTC)
    return [
        {"aggregate_id": aggregate_id, "version": version, "schema_version": schema,
         "state": canonical_json(state), "checksum": snapshot_checksum(state),
         "created_at": now}
        for aggregate_id, version, schema, state in items
    ]  # fmt: skip


class SnapshotStorage:
    def __init__(self, conns: Connections) -> None:
        self._conns = conns
        self._insert_ignoring = conns.backend.insert_ignoring(
            snapshots, ["aggregate_id", "version"]
        )

    def at_or_below(self, aggregate_id: str, version: int, limit: int = 3) -> list[StoredSnapshot]:
        """Newest snapshots at or below `version`, newest first. Rows whose state is not
        even JSON are left out; callers still check `intact` and the schema version."""
        query = (
            select(
                snapshots.c.version,
                snapshots.c.schema_version,
                type_coerce(snapshots.c.state, Text),
                snapshots.c.checksum,
                snapshots.c.created_at,
            )
            .where(snapshots.c.aggregate_id == aggregate_id, snapshots.c.version <= version)
            .order_by(snapshots.c.version.desc())
            .limit(limit)
        )
        with self._conns.read() as conn:
            rows = conn.execute(query).all()
        found: list[StoredSnapshot] = []
        for snap_version, schema, raw_state, checksum, created_at in rows:
            try:
                state = decode_json(raw_state) if isinstance(raw_state, str) else raw_state
            except ValueError:
                continue
            found.append(
                StoredSnapshot(aggregate_id, snap_version, schema, state, checksum, created_at)
            )
        return found

    def insert(self, conn: Connection, items: Sequence[SnapshotItem]) -> None:
        """Write snapshots inside an append's transaction."""
        conn.execute(insert(snapshots), _rows(items))

    def save(self, aggregate_id: str, items: Sequence[tuple[int, int, Any]]) -> None:
        """Store snapshots outside an append (replay fills in missing ones). A snapshot
        another process wrote first is kept: the insert ignores existing keys."""
        conns = self._conns
        if conns.read_only or not items or conns.in_exclusive:
            return  # (inside exclusive() a second writer would wait on our own lock)
        rows = _rows([(aggregate_id, version, schema, state) for version, schema, state in items])
        with conns.write() as conn:
            conn.execute(self._insert_ignoring, rows)
