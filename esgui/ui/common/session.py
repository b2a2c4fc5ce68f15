"""What a feature sees of the open store: the store, its command handler and its
thread pool. The window's `StoreSession` (esgui.ui.window.session) is the one
implementation; features take a `Session` in `set_session` and never the window."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

from esgui.app import Accounts
from esgui.app.stores import EventStore
from esgui.ui.common.tasks import Latest, Task, Work


class Session(Protocol):
    @property
    def store(self) -> EventStore | None:
        """The open store (None until it has opened)."""

    @property
    def accounts(self) -> Accounts | None:
        """Commands and replay over the store, as the window's user."""

    @property
    def ready(self) -> bool:
        """Open, and not closing: work can be submitted."""

    def submit(
        self,
        fn: Work,
        *,
        label: str = "",
        on_done: Callable[[Any], None] | None = None,
        on_error: Callable[[str], None] | None = None,
    ) -> Task:
        """Run `fn(token)` on the session's pool; the Task's signals tell how it went."""

    def latest(self) -> Latest:
        """A queue on the pool that keeps only the newest waiting request."""
