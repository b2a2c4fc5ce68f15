"""The SQLAlchemy event store (SQLite or PostgreSQL). Never imports Qt."""

from esgui.store.event_store import EventStore
from esgui.store.records import NewEvent, RecordedEvent, StoredSnapshot


def open_store(
    url: str, *, read_only: bool = False, create: bool = True, snapshot_every: int = 100
) -> EventStore:
    """Open (creating or upgrading if needed) the store at `url`."""
    return EventStore(url, read_only=read_only, create=create, snapshot_every=snapshot_every)


__all__ = ["EventStore", "NewEvent", "RecordedEvent", "StoredSnapshot", "open_store"]
