"""The SQLAlchemy event store (SQLite or PostgreSQL): the only package that speaks SQL.

Everything above it uses what this module exports: `open_store` and the `EventStore`
facade, the records that cross the boundary, and the filters it translates into SQL.
Never imports Qt.
"""

from esgui.store.as_of import StreamAt
from esgui.store.backend import ChangeWatcher
from esgui.store.event_store import EventStore
from esgui.store.filters import EventFilter, NoteFilter
from esgui.store.hashing import GENESIS_HASH
from esgui.store.notes import NoteStorage
from esgui.store.projections import SummaryBatch, SummaryStorage
from esgui.store.protection import PROTECTED_TABLES, ProtectionProblem
from esgui.store.records import (
    EventLocation,
    LogEntry,
    NewEvent,
    RecordedEvent,
    ReviewNote,
    StoredRow,
    StoredSnapshot,
    StreamRow,
    SummaryRow,
)
from esgui.store.schemas import create_schema
from esgui.store.validation import MAX_POSITION, MAX_VERSION
from esgui.store.verify_runs import VerifyRun, VerifyRunStorage, record_hash


def open_store(
    url: str,
    *,
    read_only: bool = False,
    create: bool = True,
    snapshot_every: int = 100,
    lock_timeout: float | None = None,
) -> EventStore:
    """Open (creating or upgrading if needed) the store at `url`. `lock_timeout`: seconds
    a writer waits for the append lock (default ESGUI_LOCK_TIMEOUT, else 10)."""
    return EventStore(url, read_only=read_only, create=create, snapshot_every=snapshot_every,
                      lock_timeout=lock_timeout)  # fmt: skip


__all__ = [
    "GENESIS_HASH",
    "MAX_POSITION",
    "MAX_VERSION",
    "ChangeWatcher",
    "EventFilter",
    "EventLocation",
    "EventStore",
    "LogEntry",
    "NewEvent",
    "NoteFilter",
    "NoteStorage",
    "PROTECTED_TABLES",
    "ProtectionProblem",
    "RecordedEvent",
    "ReviewNote",
    "StoredRow",
    "StoredSnapshot",
    "StreamAt",
    "StreamRow",
    "SummaryBatch",
    "SummaryRow",
    "SummaryStorage",
    "VerifyRun",
    "create_schema",
    "VerifyRunStorage",
    "record_hash",
    "open_store",
]
