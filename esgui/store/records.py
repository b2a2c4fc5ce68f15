"""Plain records crossing the store boundary: what goes in (NewEvent, ReviewNote,
SummaryRow) and what comes out (RecordedEvent, StreamRow, StoredRow, LogEntry, …)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, NamedTuple

from esgui.store.hashing import canonical_json, decode_json


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
    damage: str | None = None  # why the stored row cannot be read at all (then upcast_error too)

    @property
    def unreadable(self) -> bool:
        """The stored row is damaged beyond reading (see `damage`): shown, never replayed."""
        return self.damage is not None

    @property
    def metadata(self) -> dict[str, Any]:
        raw = self.metadata_json
        if not isinstance(raw, str):
            return raw if isinstance(raw, dict) else {"_unreadable_metadata": repr(raw)[:1000]}
        try:
            value = decode_json(raw)
        except (ValueError, RecursionError):
            return {"_unreadable_metadata": raw[:1000]}
        return value if isinstance(value, dict) else {"_unreadable_metadata": raw[:1000]}

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
            **({"unreadable": self.damage} if self.damage is not None else {}),
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


def snapshot_checksum(state: Any) -> str:
    """SHA-256 of a snapshot's state as canonical JSON (stored beside it)."""
    return hashlib.sha256(canonical_json(state).encode("utf-8")).hexdigest()


@dataclass(frozen=True, slots=True)
class StoredSnapshot:
    aggregate_id: str
    version: int
    schema_version: int
    state: Any
    checksum: str
    created_at: datetime
    event_hash: str | None = None  # the hash of the event at `version` when taken
    chain_hash: str | None = None  # the hash the event at `version` carries now

    @property
    def intact(self) -> bool:
        """The state is the one the checksum was taken of (not altered or damaged)."""
        return snapshot_checksum(self.state) == self.checksum

    @property
    def bound(self) -> bool:
        """The snapshot belongs to the stored history: the event at its version still
        carries the hash it carried when the snapshot was taken."""
        return self.event_hash is not None and self.event_hash == self.chain_hash


class StoredRow(NamedTuple):
    """An event's row exactly as stored, for the hash-chain check: data and metadata as
    their stored JSON text, nothing upcast. `recorded_at` is None when the stored time
    cannot be read at all; `time_error` then says why."""

    position: int
    event_id: str
    aggregate_id: str
    aggregate_type: str
    event_type: str
    schema_version: int
    version: int
    recorded_at: datetime | None
    operator: str
    data_json: str
    metadata_json: str
    hash: str
    time_error: str | None = None


class EventLocation(NamedTuple):
    """Where a stored event id is: its stream, version and global position."""

    aggregate_id: str
    version: int
    position: int


class LogEntry(NamedTuple):
    """The columns an event log shows, data decoded but not upcast (the reader decides)."""

    position: int
    aggregate_id: str
    version: int
    event_type: str
    schema_version: int
    data: Any
    operator: str
    recorded_at: datetime


@dataclass(frozen=True, slots=True)
class ReviewNote:
    """An auditor's note on one event or one account, stored beside the log (the rules
    for making one are in `esgui.audit.notes`)."""

    note_id: str
    target_kind: str  # event | account
    event_id: str | None
    account_id: str
    text: str
    author: str
    created_at: datetime

    def as_json(self) -> dict[str, Any]:
        return {
            "note_id": self.note_id,
            "target": self.target_kind,
            "event_id": self.event_id,
            "account_id": self.account_id,
            "text": self.text,
            "author": self.author,
            "created_at": self.created_at.isoformat(),
        }

    def as_row(self) -> dict[str, Any]:
        return {
            "id": self.note_id,
            "target_kind": self.target_kind,
            "event_id": self.event_id,
            "account_id": self.account_id,
            "text": self.text,
            "author": self.author,
            "created_at": self.created_at,
        }


class SummaryRow(NamedTuple):
    """One row of the account-summary read model as stored (balance as exact decimal
    text); `esgui.projections.AccountSummary` is its typed form."""

    account_id: str
    owner: str
    balance: str
    status: str
    version: int
    event_count: int
    opened_at: datetime | None
    last_activity: datetime | None
    last_position: int
    error: str | None
