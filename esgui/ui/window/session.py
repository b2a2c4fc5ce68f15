"""One open store in the GUI: opened off the GUI thread, its workers, its follower.

A session is what File ▸ Open replaces: closing it cancels its tasks, stops the live
follower's thread and waits for both, then closes the store.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QTimer, Signal

from esgui.app import Accounts
from esgui.app.store_names import describe, readable
from esgui.app.stores import EventStore, open_store
from esgui.ui.common.tasks import CancelToken, Latest, Task, TaskRunner, Work
from esgui.ui.window.follower import LiveFollower

log = logging.getLogger("esgui.ui")


class StoreSession(QObject):
    """Opens `url` in the background; `opened` or `failed` tells how it went."""

    opened = Signal()
    failed = Signal(str)

    def __init__(
        self,
        url: str,
        *,
        user: str | None = None,
        read_only: bool = False,
        create: bool = True,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.url = url
        self.description = describe(url)
        self.user = user
        self.read_only = read_only
        self.create = create
        self.runner = TaskRunner(parent=self)
        self.store: EventStore | None = None
        self.accounts: Accounts | None = None
        self.follower: LiveFollower | None = None
        self.upgraded_from: str | None = None
        # what is missing or altered in the store's append-only protection (store.protection)
        self.unprotected: list[str] = []
        self.closed = False  # no more results are taken in
        self._finalized = False  # everything stopped, waited for and closed

    def start(self) -> Task:
        def work(token: CancelToken) -> tuple[EventStore, Accounts, list[str]]:
            store = open_store(self.url, read_only=self.read_only, create=self.create)
            try:
                accounts = Accounts(store, user=self.user)
                unprotected = [p.message for p in store.protection_problems()]
            except BaseException:
                store.close()
                raise
            if token.stopped():
                store.close()  # cancelled while it opened: the result is dropped
            return store, accounts, unprotected

        task = self.runner.submit(
            work, label=f"Opening {self.description}", on_done=self._on_open_done,
            on_error=self._on_open_failed,
        )  # fmt: skip
        task.abandon_on_cancel = True  # a connect cannot be interrupted: Cancel at once
        task.cancelled.connect(self._on_open_cancelled)
        return task

    def _on_open_cancelled(self) -> None:
        if not self.closed:
            self.failed.emit(f"Opening {self.description} was cancelled")

    def _on_open_done(self, result: tuple[EventStore, Accounts, list[str]]) -> None:
        store, accounts, self.unprotected = result
        if self.closed:
            store.close()
            return
        self.store, self.accounts = store, accounts
        self.description = readable(store.description)
        self.upgraded_from = store.upgraded_from
        self.follower = LiveFollower(store)
        self.opened.emit()

    def _on_open_failed(self, message: str) -> None:
        if not self.closed:
            self.failed.emit(readable(message))

    @property
    def ready(self) -> bool:
        return self.store is not None and not self.closed

    def submit(
        self,
        fn: Work,
        *,
        label: str = "",
        on_done: Callable[[Any], None] | None = None,
        on_error: Callable[[str], None] | None = None,
    ) -> Task:
        return self.runner.submit(fn, label=label, on_done=on_done, on_error=on_error)

    def latest(self) -> Latest:
        """A Latest on this session's pool, deleted with the session."""
        return Latest(self.runner, self)

    def retire(self) -> None:
        """Stop this session without waiting (a connect may hang until its timeout):
        its tasks are cancelled, nothing new starts; `close()` once `runner.idle()`."""
        self.closed = True
        self.runner.cancel_all()

    def close(self) -> None:
        """Stop everything this session started and wait for it; idempotent."""
        if self._finalized:
            return
        self._finalized = True
        self.closed = True
        if self.follower is not None and not self.follower.stop():
            log.warning("the live follower did not stop in time")
        if not self.runner.shutdown():
            log.warning("background work did not finish in time")
        if self.store is not None:
            self.store.close()


class SessionReaper(QObject):
    """Sessions that are no longer wanted while they still open (a failed, cancelled
    or replaced open): closed once their work has finished, never waited for."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._retired: list[StoreSession] = []
        self._timer = QTimer(self)
        self._timer.setInterval(300)
        self._timer.timeout.connect(self._on_timeout)

    def retire(self, session: StoreSession) -> None:
        session.retire()
        self._retired.append(session)
        self._timer.start()

    def _on_timeout(self) -> None:
        for session in list(self._retired):
            if session.runner.idle():
                self._retired.remove(session)
                session.close()
                session.deleteLater()
        if not self._retired:
            self._timer.stop()

    def close_all(self) -> None:
        """Close every retired session now (waiting for a connect under way)."""
        self._timer.stop()
        for session in self._retired:
            session.close()
        self._retired.clear()
