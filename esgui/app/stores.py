"""Opening stores and naming them: what the UI and the CLI need of the store layer,
so that neither imports `esgui.store` itself (docs/design.md, the layer contracts)."""

from __future__ import annotations

from esgui.store import (
    ChangeWatcher,
    EventFilter,
    EventStore,
    NewEvent,
    RecordedEvent,
    ReviewNote,
    StoredSnapshot,
    create_schema,
    open_store,
)
from esgui.store.multihost import add_hosts, split_hosts
from esgui.store.urls import (
    MaskingFormatter,
    PgConnection,
    describe_url,
    mask_text,
    sqlite_url,
    without_password,
)

__all__ = [
    "ChangeWatcher",
    "EventFilter",
    "EventStore",
    "MaskingFormatter",
    "NewEvent",
    "PgConnection",
    "RecordedEvent",
    "ReviewNote",
    "StoredSnapshot",
    "create_schema",
    "add_hosts",
    "describe_url",
    "mask_text",
    "open_store",
    "split_hosts",
    "sqlite_url",
    "without_password",
]
