"""Rows into records: the columns each read selects, the driver's tuples fetched without
SQLAlchemy's per-row processing, and RecordedEvents built from them (upcast on the way).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy import Connection, Row

from esgui.domain.events import EVENT_CLASSES
from esgui.domain.upcasting import upcast
from esgui.errors import UnreadableEvent
from esgui.store.backend import Backend
from esgui.store.hashing import decode_json
from esgui.store.records import RecordedEvent
from esgui.store.schema import events

_CURRENT_SCHEMA = {name: cls.schema_version for name, cls in EVENT_CLASSES.items()}
_new_record = RecordedEvent.__new__


class Columns(NamedTuple):
    """The selections of the reads, built once per backend (building a statement and
    its cache key costs more than the query). JSON comes back as text (on PostgreSQL
    that skips the driver's jsonb decoding) so that data is decoded once, here, and
    metadata only on demand."""

    event: tuple[Any, ...]  # every field of a RecordedEvent (`record_from_row`)
    replay: tuple[Any, ...]  # what replay folds (a StreamRow)
    stored: tuple[Any, ...]  # a StoredRow: the fields the hash covers, as stored
    log: tuple[Any, ...]  # a LogEntry: what an event log shows


_COLUMNS: dict[str, Columns] = {}


def columns_for(backend: Backend) -> Columns:
    found = _COLUMNS.get(backend.name)
    if found is None:
        e, text = events.c, backend.json_text
        found = _COLUMNS[backend.name] = Columns(
            event=(e.position, e.id, e.aggregate_id, e.aggregate_type, e.event_type,
                   e.version, text(e.data), text(e.metadata), e.created_at, e.operator,
                   e.hash, e.schema_version),
            replay=(e.position, e.version, e.event_type, e.schema_version, text(e.data),
                    e.created_at),
            stored=(e.position, e.id, e.aggregate_id, e.aggregate_type, e.event_type,
                    e.schema_version, e.version, e.created_at, e.operator, text(e.data),
                    text(e.metadata), e.hash),
            log=(e.position, e.aggregate_id, e.version, e.event_type, e.schema_version,
                 e.data, e.operator, e.created_at),
        )  # fmt: skip
    return found


def raw_rows(conn: Connection, query: Any) -> list[tuple[Any, ...]]:
    """The driver's own tuples for `query`, skipping SQLAlchemy's per-row processing:
    for the hot reads of millions of events. Times then come as the driver gives them
    (see `Backend.time_from_db`)."""
    result = conn.execute(query)
    try:
        return list(result.cursor.fetchall())  # type: ignore[union-attr]
    finally:
        result.close()


def processed_rows(conn: Connection, query: Any) -> list[Any]:
    """Rows with SQLAlchemy's type processing (times and JSON decoded by the types)."""
    return list(conn.execute(query).all())


def record_from_row(
    row: Row[Any] | Sequence[Any], to_time: Callable[[Any], datetime] | None = None
) -> RecordedEvent:
    """Build a RecordedEvent from a row of `Columns.event`, upcasting its data. `to_time`
    converts a raw driver time (rows from `raw_rows`).

    The hot path of every read: one tuple unpack, one JSON decode, one tuple build."""
    (position, event_id, aggregate_id, aggregate_type, event_type, version, data,
     metadata, created_at, operator, hash_, schema_version) = row  # type: ignore[misc]  # fmt: skip
    if to_time is not None:
        created_at = to_time(created_at)
    if isinstance(data, str):
        try:
            data = decode_json(data)
        except (ValueError, RecursionError) as error:
            # A row another program damaged: report it on this event, keep reading.
            raw = {"_unreadable_data": data[:1000]}
            return RecordedEvent(position, event_id, aggregate_id, aggregate_type, event_type,
                                 version, raw, metadata, created_at, operator, hash_,
                                 schema_version, raw, schema_version,
                                 f"Stored data is not valid JSON: {error}")  # fmt: skip
    current = _CURRENT_SCHEMA.get(event_type)
    if current == schema_version:
        return _new_record(RecordedEvent, position, event_id, aggregate_id, aggregate_type,
                           event_type, version, data, metadata, created_at, operator, hash_,
                           schema_version, data, schema_version, None)  # fmt: skip
    try:
        upcast_data = upcast(event_type, schema_version, data)
    except UnreadableEvent as error:
        return RecordedEvent(position, event_id, aggregate_id, aggregate_type, event_type,
                             version, data, metadata, created_at, operator, hash_,
                             schema_version, data, schema_version, str(error))  # fmt: skip
    return RecordedEvent(position, event_id, aggregate_id, aggregate_type, event_type,
                         version, upcast_data, metadata, created_at, operator, hash_,
                         current or schema_version, data, schema_version)  # fmt: skip
