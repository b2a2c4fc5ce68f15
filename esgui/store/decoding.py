"""Rows into records: the columns each read selects, the driver's tuples fetched without
SQLAlchemy's per-row processing, and RecordedEvents built from them (upcast on the way).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any, NamedTuple

from sqlalchemy import Connection, Row

from esgui.domain.events import EVENT_CLASSES
from esgui.domain.upcasting import upcast
from esgui.errors import UnreadableEvent
from esgui.store.backend import Backend
from esgui.store.hashing import decode_json
from esgui.store.records import LogEntry, RecordedEvent
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
                 text(e.data), e.operator, e.created_at),
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


UNREADABLE_TIME = datetime(1, 1, 1, tzinfo=UTC)  # shown for a time that cannot be read
DAMAGE_ERRORS = (TypeError, ValueError, RecursionError, AttributeError, OverflowError,
                  UnicodeDecodeError)  # fmt: skip


def record_from_row(
    row: Row[Any] | Sequence[Any], to_time: Callable[[Any], datetime] | None = None
) -> RecordedEvent:
    """Build a RecordedEvent from a row of `Columns.event`, upcasting its data. `to_time`
    converts a raw driver time (rows from `raw_rows`).

    The one choke point where stored rows become records: a row damaged outside esgui
    (a version or schema version that is not a number, an id stored as bytes, data that
    is not a JSON object or nested beyond reading, a time in another form) becomes an
    *unreadable record* (`RecordedEvent.damage` says why) instead of an exception, so
    every read path shows it, marks its account, and goes on.

    The hot path of every read: one tuple unpack, a few type checks, one JSON decode,
    one tuple build."""
    try:
        (position, event_id, aggregate_id, aggregate_type, event_type, version, data,
         metadata, created_at, operator, hash_, schema_version) = row  # type: ignore[misc]  # fmt: skip
        if to_time is not None:
            created_at = to_time(created_at)
        if isinstance(data, str):
            data = decode_json(data)
        if (type(data) is not dict or type(version) is not int or type(schema_version) is not int
                or type(aggregate_id) is not str or type(event_type) is not str
                or type(position) is not int):  # fmt: skip
            raise TypeError(_what_is_damaged(row, data))
    except DAMAGE_ERRORS as error:
        return unreadable_record(row, to_time, error)
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
    except DAMAGE_ERRORS as error:
        return unreadable_record(row, to_time, error)
    return RecordedEvent(position, event_id, aggregate_id, aggregate_type, event_type,
                         version, upcast_data, metadata, created_at, operator, hash_,
                         current or schema_version, data, schema_version)  # fmt: skip


_CHECKED = ((0, "position", int), (2, "aggregate id", str), (4, "event type", str),
            (5, "version", int), (11, "schema version", int))  # fmt: skip


def _what_is_damaged(row: Sequence[Any], data: Any) -> str:
    for index, name, kind in _CHECKED:
        if type(row[index]) is not kind:
            wanted = "text" if kind is str else "whole number"
            return f"the stored {name} {_shown(row[index])} is not a {wanted}"
    found = "a JSON array" if isinstance(data, list) else type(data).__name__
    return f"the stored data is {found}, not a JSON object"


def _shown(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:60] + "…"


def _as_text(value: Any) -> str:
    """Text to show for a stored value; a value that is not text is shown as what it is
    (bytes b'A1' are not the account 'A1': esgui's reads of 'A1' never see that row)."""
    if isinstance(value, str):
        return value
    if isinstance(value, memoryview):
        value = bytes(value)
    return "" if value is None else repr(value)[:255]


def _as_int(value: Any) -> int:
    return value if type(value) is int else 0


def unreadable_record(
    row: Sequence[Any], to_time: Callable[[Any], datetime] | None, error: BaseException
) -> RecordedEvent:
    """A damaged row as a record that every reader can show: what can be read of it is
    kept, the rest replaced by safe values (version 0, time 0001-01-01, data naming the
    damage); `damage` says what is wrong. Replaying it fails for its account only."""
    values = list(row) + [None] * (12 - len(row))
    (position, event_id, aggregate_id, aggregate_type, event_type, version, data,
     metadata, created_at, operator, hash_, schema_version) = values[:12]  # fmt: skip
    message = (
        str(error)
        if not isinstance(error, RecursionError)
        else ("the stored data is nested too deeply to read")
    )
    if isinstance(error, ValueError) and "JSON" not in message and "time" not in message:
        message = f"the stored data is not valid JSON ({message})"
    try:
        when = to_time(created_at) if to_time is not None else created_at
        if not isinstance(when, datetime):
            raise TypeError(f"stored time {_shown(created_at)} is not a time")
    except DAMAGE_ERRORS as time_error:
        when = UNREADABLE_TIME
        if "time" not in message:
            message = f"{message}; {time_error}"
    raw = data if isinstance(data, str) else _shown(data)
    shown_data = {"_unreadable_data": raw[:1000] if isinstance(raw, str) else raw}
    message = f"Unreadable stored event: {message}"
    return RecordedEvent(_as_int(position), _as_text(event_id), _as_text(aggregate_id),
                         _as_text(aggregate_type), _as_text(event_type), _as_int(version),
                         shown_data, metadata if isinstance(metadata, (str, dict)) else "{}",
                         when, _as_text(operator), _as_text(hash_), _as_int(schema_version),
                         shown_data, _as_int(schema_version), message, message)  # fmt: skip


def log_entry_from_row(row: Sequence[Any], to_time: Callable[[Any], datetime]) -> LogEntry:
    """A row of `Columns.log` (driver values) as a LogEntry; a damaged row is shown with
    what can be read of it (its data then names the damage, so readers mark it
    unreadable), never raised."""
    position, aggregate_id, version, event_type, schema_version, data, operator, created = row
    try:
        decoded = decode_json(data) if isinstance(data, (str, bytes)) else data
        if type(decoded) is not dict:
            raise TypeError("the stored data is not a JSON object")
    except DAMAGE_ERRORS as error:
        why = ("the stored data is nested too deeply to read"
               if isinstance(error, RecursionError) else str(error))  # fmt: skip
        decoded = {"_unreadable_data": str(data)[:1000], "_why": why}
    try:
        when = to_time(created)
    except DAMAGE_ERRORS as error:
        when = UNREADABLE_TIME
        decoded = {"_unreadable_data": str(data)[:1000], "_why": str(error)}
    if type(version) is not int or type(schema_version) is not int or type(position) is not int:
        decoded = {"_unreadable_data": str(data)[:1000],
                   "_why": f"the stored version {_shown(version)} or schema version "
                           f"{_shown(schema_version)} is not a whole number"}  # fmt: skip
    return LogEntry(_as_int(position), _as_text(aggregate_id), _as_int(version),
                    _as_text(event_type), _as_int(schema_version), decoded, _as_text(operator),
                    when)  # fmt: skip
