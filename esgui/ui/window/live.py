"""What the open store's live follower tells the window: new and changed account rows
go to the Accounts panel (and a grown selected account to the timeline), a moved head
to the status bar, the event log and the notes; a command's own account is selected
when its row arrives.

Only the current follower is heard: its signals reach the window through a relay that
is switched off when the store closes, so rows it had queued before it stopped are
dropped instead of refilling the panels of the next store (or of none)."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, Slot

from esgui.projections import AccountSummary
from esgui.ui.accounts.panel import AccountsPanel
from esgui.ui.audit.notes_panel import NotesPanel
from esgui.ui.commands.panel import CommandPanel
from esgui.ui.log.model import EventLogModel
from esgui.ui.timeline.panel import TimelinePanel
from esgui.ui.window.follower import LiveFollower
from esgui.ui.window.session import StoreSession
from esgui.ui.window.status_bar import StatusBar


class _Relay(QObject):
    """Lives in the GUI thread (so the follower's signals queue to it) and passes them
    on while `active`; switched off for good when its follower is no longer current."""

    def __init__(self, updates: LiveUpdates, follower: LiveFollower) -> None:
        super().__init__(updates)
        self.active = True
        self._updates = updates
        status = updates._status
        follower.accounts_loaded.connect(self._on_accounts_loaded)
        follower.accounts_changed.connect(self._on_accounts_changed)
        follower.head_moved.connect(self._on_head_moved)
        follower.state_changed.connect(self._on_state_changed)
        follower.catch_up_progressed.connect(self._on_catch_up_progressed)
        follower.catch_up_ended.connect(self._on_catch_up_ended)
        self._status = status

    @Slot(object)
    def _on_accounts_loaded(self, rows: list[AccountSummary]) -> None:
        if self.active:
            self._updates._on_accounts_loaded(rows)

    @Slot(object)
    def _on_accounts_changed(self, rows: list[AccountSummary]) -> None:
        if self.active:
            self._updates._on_accounts_changed(rows)

    @Slot(int, int)
    def _on_head_moved(self, head: int, checkpoint: int) -> None:
        if self.active:
            self._updates._on_head_moved(head, checkpoint)

    @Slot(str)
    def _on_state_changed(self, state: str) -> None:
        if self.active:
            self._status.set_live_state(state)

    @Slot(int, int)
    def _on_catch_up_progressed(self, done: int, total: int) -> None:
        if self.active:
            self._status.show_catch_up(done, total)

    @Slot(bool)
    def _on_catch_up_ended(self, complete: bool) -> None:
        if self.active:
            self._status.end_catch_up(complete)


class LiveUpdates(QObject):
    def __init__(
        self,
        parent: QObject,
        *,
        accounts: AccountsPanel,
        commands: CommandPanel,
        timeline: TimelinePanel,
        log: EventLogModel,
        notes: NotesPanel,
        status: StatusBar,
        first_look: Callable[[int, bool], None],
        accounts_seen: Callable[[], None],
    ) -> None:
        """`first_look(head, read_only)` is called with the follower's first look at a
        store (demo data for an empty one); `accounts_seen()` whenever rows arrive."""
        super().__init__(parent)
        self._accounts = accounts
        self._timeline = timeline
        self._log = log
        self._notes = notes
        self._status = status
        self._first_look = first_look
        self._accounts_seen = accounts_seen
        self._session: StoreSession | None = None
        self._relay: _Relay | None = None
        self._last_head = -1
        self._select_when_seen = ""
        commands.command_succeeded.connect(self._on_command_succeeded)
        status.catch_up_cancel_requested.connect(self.pause_catch_up)

    def follow(self, session: StoreSession) -> None:
        """Take in what the session's follower sends, and start it."""
        follower = session.follower
        assert follower is not None
        self._drop_relay()
        self._session = session
        self._last_head = -1
        self._relay = _Relay(self, follower)
        follower.start()

    def stop(self) -> None:
        """The store is closed: nothing more is taken from its follower (not even what
        it had queued), and the next store's first look starts afresh."""
        self._drop_relay()
        self._session = None
        self._last_head = -1
        self._select_when_seen = ""

    def _drop_relay(self) -> None:
        relay, self._relay = self._relay, None
        if relay is not None:
            relay.active = False
            relay.deleteLater()

    def catch_up(self) -> None:
        if self._session is not None and self._session.follower is not None:
            self._session.follower.resume_catch_up()

    def pause_catch_up(self) -> None:
        if self._session is not None and self._session.follower is not None:
            self._session.follower.pause_catch_up()

    def _on_accounts_loaded(self, rows: list[AccountSummary]) -> None:
        self._accounts.load(rows)
        self._after_rows(rows)

    def _on_accounts_changed(self, rows: list[AccountSummary]) -> None:
        self._accounts.apply_changes(rows)
        self._after_rows(rows)

    def _after_rows(self, rows: list[AccountSummary]) -> None:
        if rows:
            self._accounts_seen()
        selected = self._timeline.account_id
        for row in rows:
            if row.account_id == selected:
                self._timeline.account_grew(row.version)
        wanted = self._select_when_seen
        if wanted and any(row.account_id == wanted for row in rows):
            self._select_when_seen = ""
            self._accounts.select(wanted)

    def _on_head_moved(self, head: int, checkpoint: int) -> None:
        session = self._session
        read_only = bool(session is not None and session.store is not None
                         and session.store.read_only)  # fmt: skip
        self._status.set_head(head, checkpoint, read_only)
        self._notes.poll()
        first = self._last_head < 0
        if head != self._last_head and not first:
            self._log.refresh_newer()
        self._last_head = head
        if first:
            self._first_look(head, read_only)

    def _on_command_succeeded(self, account_id: str) -> None:
        session = self._session
        if session is not None and session.follower is not None:
            session.follower.poke()
        if account_id != self._accounts.selected_id() and not self._accounts.select(account_id):
            self._select_when_seen = account_id
