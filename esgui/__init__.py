"""esgui: an event store and desktop explorer for event-sourced bank accounts.

    import esgui
    store = esgui.open_store("sqlite:///bank.db")
    accounts = esgui.Accounts(store, user="alice")
    accounts.open("A1", owner="Alice", initial="100.00")

Importing esgui does not import Qt; `create_main_window` imports it on first use.
"""

from __future__ import annotations

from typing import Any

from esgui._version import __version__  # noqa: E402
from esgui.app import Accounts  # noqa: E402
from esgui.domain import AccountState  # noqa: E402
from esgui.errors import (  # noqa: E402
    ConcurrencyError,
    EsguiError,
    InvalidInput,
    NotPermitted,
    OutcomeUnknown,
    RuleViolation,
    StoreError,
)
from esgui.store import EventStore, NewEvent, RecordedEvent, open_store  # noqa: E402


def create_main_window(url: str | None = None, **options: Any) -> Any:
    """The desktop main window over the store at `url`, not yet shown (imports Qt)."""
    from esgui.ui import create_main_window as create

    return create(url, **options)


__all__ = [
    "AccountState",
    "Accounts",
    "ConcurrencyError",
    "EsguiError",
    "EventStore",
    "InvalidInput",
    "NewEvent",
    "NotPermitted",
    "OutcomeUnknown",
    "RecordedEvent",
    "RuleViolation",
    "StoreError",
    "__version__",
    "create_main_window",
    "open_store",
]
