"""Plain records crossing the store boundary."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, NamedTuple

from esgui.store.hashing import decode_json


@dataclass(frozen=True, slots=True)
class NewEvent:
    """An event to append. `event_id` and `recorded_at` are kept when given (imports)."""

    event_type: str
    data: dict[str, Any]
    metadata: dict[str, Any] = field(default_factory=dict)
    schema_version: int = 1
    aggregate_type: str = "BankAccount"
    event_id: str | None = None
    recorded_at: datetime | None = None


class RecordedEvent(NamedTuple):
    """A stored event. `data`/`schema_version` are upcast to the current schema;
    `stored_data`/`stored_schema_version` are exactly what the row holds (the same
    objects when no upcast was needed). `upcast_error` says why an event could not be
    upcast (unknown type, newer schema); `data` is then the stored data.

    A named tuple: millions are built when a whole store is read. `metadata` is decoded
    from `metadata_json` only when asked for."""

    position: int
    event_id: str
    aggregate_id: str
    aggregate_type: str
    event_type: str
    version: int
    data: dict[str, Any]
    metadata_json: str | dict[str, Any]
    recorded_at: datetime
    operator: str
    hash: str
    schema_version: int
    stored_data: dict[str, Any]
    stored_schema_version: int
    upcast_error: str | None = None

    @property
    def metadata(self) -> dict[str, Any]:
        raw = self.metadata_json
        if not isinstance(raw, str):
            return raw
        try:
            return decode_json(raw)
        except (ValueError, RecursionError):
            return {"_unreadable_metadata": raw[:1000]}

    @property
    def upcast(self) -> bool:
        return self.stored_schema_version != self.schema_version

    def as_json(self) -> dict[str, Any]:
        """The CONTRACTS `events --json` shape."""
        return {
            "position": self.position,
            "event_id": self.event_id,
            "aggregate_id": self.aggregate_id,
            "aggregate_type": self.aggregate_type,
            "event_type": self.event_type,
            "version": self.version,
            "schema_version": self.schema_version,
            "data": self.data,
            "metadata": self.metadata,
            "recorded_at": self.recorded_at.isoformat(),
        }


class StreamRow(NamedTuple):
    """What replay needs of a stored event, read narrowly (no metadata, ids or hashes):
    the data exactly as stored, to be upcast and decoded by the domain."""

    aggregate_id: str
    position: int
    version: int
    event_type: str
    stored_schema_version: int
    stored_data: Any
    recorded_at: datetime


@dataclass(frozen=True, slots=True)
class StoredSnapshot:
    aggregate_id: str
    version: int
    schema_version: int
    state: Any
    checksum: str
    created_at: datetime
