"""Which PostgreSQL server the window is on, said in the status bar (docs/operations.md).

On a hot standby: "standby host:port (read-only): caught up" or "… replication lag 0.4 s"
(the lag is `now() - pg_last_xact_replay_timestamp()`, which grows while the primary is
idle, so "caught up" is shown whenever everything received has been replayed). On a
failover URL (several hosts, or `target_session_attrs`): the primary's host:port, and
"primary changed to host:port" when a failover moved the store to another server. The
status is polled every second off the GUI thread, only for such stores.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QTimer, SignalInstance
from PySide6.QtWidgets import QLabel

from esgui.ui.common.widgets import named
from esgui.ui.window.session import StoreSession
from esgui.ui.window.status_bar import StatusBar

POLL_MS = 1000
CHANGED_MESSAGE_MS = 30_000


def title_suffix(session: StoreSession | None, read_only: bool) -> str:
    """What the window title adds after the store's name."""
    store = session.store if session is not None else None
    if store is not None and store.standby:
        return " (read-only standby)"
    return " (read-only)" if read_only else ""


class ReplicationMonitor(QObject):
    """The status bar's `replicationStatus` label, kept current for a replicated store."""

    def __init__(
        self,
        parent: QObject,
        *,
        session: Callable[[], StoreSession | None],
        status: StatusBar,
        opened: SignalInstance,
    ) -> None:
        super().__init__(parent)
        self._session = session
        self._status = status
        self.label = named(QLabel(""), "replicationStatus", "Replication")
        self.label.hide()
        status.addPermanentWidget(self.label)
        self._timer = QTimer(self)
        self._timer.setInterval(POLL_MS)
        self._timer.timeout.connect(self._poll)
        self._following: StoreSession | None = None
        self._server = ""
        self._busy = False
        self.changes: list[str] = []  # the servers a failover moved the store to
        opened.connect(self.follow)

    def follow(self) -> None:
        """A store was opened: watch it if it is a standby or on a failover URL."""
        session = self._session()
        store = session.store if session is not None else None
        self._following, self._busy = None, False
        if store is None or not (store.standby or store.failover):
            self._timer.stop()
            self.label.hide()
            return
        self._following = session
        self._server = store.server
        self.label.setText("standby (read-only)" if store.standby else f"primary {store.server}")
        self.label.show()
        self._timer.start()
        self._poll()

    def _poll(self) -> None:
        session = self._session()
        if session is None or session is not self._following or session.closed:
            self._timer.stop()
            self.label.hide()
            return
        store = session.store
        if self._busy or store is None:
            return
        self._busy = True

        def done(status: Any) -> None:
            self._on_status(session, status)

        def failed(message: str) -> None:
            self._on_error(session, message)

        session.runner.submit(lambda _token: store.replication_status(), on_done=done,
                              on_error=failed)  # fmt: skip

    def _on_status(self, session: StoreSession, status: Any) -> None:
        if session is not self._following:
            return
        self._busy = False
        if not status.standby and self._server and status.server != self._server:
            self._server = status.server
            self.changes.append(status.server)
            message = f"primary changed to {status.server}"
            self.label.setText(message)
            self.label.setToolTip(f"{message} at {time.strftime('%H:%M:%S')} (failover)")
            self._status.showMessage(message, CHANGED_MESSAGE_MS)
            return
        if self.changes and not status.standby:
            return  # keep saying where the failover went
        self.label.setText(status.describe())
        self.label.setToolTip("")

    def _on_error(self, session: StoreSession, message: str) -> None:
        if session is not self._following:
            return
        self._busy = False
        self.label.setText("server unreachable: reconnecting…")
        self.label.setToolTip(message)
