"""What is selected, kept consistent: the account, the timeline's version, the event
highlighted in the log and the event in the inspector.

Selecting an account fills the command panel and points the timeline and the log at
it. Moving the slider selects that version's event in the log: at once when its row is
on screen, when the slider rests if the log would have to scroll, after fetching on if
it is not loaded yet. Selecting an event in the log moves the slider to it and loads it
into the inspector (when the slider rests, while scrubbing).
"""

from __future__ import annotations

from PySide6.QtCore import QObject, QTimer
from PySide6.QtWidgets import QStatusBar

from esgui.app.event_context import Correlation, StateChange, correlated, from_series, replayed
from esgui.app.queries import LogRow, load_event
from esgui.app.stores import RecordedEvent
from esgui.ui.accounts.panel import AccountsPanel
from esgui.ui.commands.panel import CommandPanel
from esgui.ui.common.session import Session
from esgui.ui.common.tasks import Latest
from esgui.ui.inspector.panel import EventInspector
from esgui.ui.log.panel import EventLogPanel
from esgui.ui.timeline.panel import TimelinePanel

INSPECT_DELAY_MS = 60  # while the slider moves, the inspector follows when it rests
HIGHLIGHT_DELAY_MS = 40  # ... and the log scrolls to a far event when it rests
# the loaded event, the account around it, the events of its correlation
Inspected = tuple[RecordedEvent | None, StateChange | None, Correlation | None]


class Selection(QObject):
    def __init__(
        self,
        parent: QObject,
        *,
        accounts: AccountsPanel,
        commands: CommandPanel,
        timeline: TimelinePanel,
        log: EventLogPanel,
        inspector: EventInspector,
        status: QStatusBar,
    ) -> None:
        super().__init__(parent)
        self._accounts = accounts
        self._commands = commands
        self._timeline = timeline
        self._log = log
        self._inspector = inspector
        self._status = status
        self._session: Session | None = None
        self._event_loader: Latest | None = None
        self._highlighting = False
        self._slider_key: tuple[int, int] = (0, 0)
        self._missing = 0  # the log key of the timeline's event, while the log lacks it
        self._inspect_position = 0
        self._inspect_row: LogRow | None = None
        self._inspect_timer = QTimer(self)
        self._inspect_timer.setSingleShot(True)
        self._inspect_timer.setInterval(INSPECT_DELAY_MS)
        self._inspect_timer.timeout.connect(self._on_inspect_timer)
        self._highlight_timer = QTimer(self)
        self._highlight_timer.setSingleShot(True)
        self._highlight_timer.setInterval(HIGHLIGHT_DELAY_MS)
        self._highlight_timer.timeout.connect(self._on_highlight_timer)
        accounts.account_selected.connect(self._on_account_selected)
        timeline.version_changed.connect(self._on_version_changed)
        log.event_selected.connect(self._on_event_selected)
        log.model.key_found.connect(self._on_key_found)
        log.model.modelReset.connect(self._on_log_reset)
        log.model.rows_fetched.connect(self._on_rows_fetched)
        inspector.related_requested.connect(self._on_related_requested)
        inspector.event_requested.connect(self.show_event)
        log.navigator.arrived.connect(self._on_user_moved)

    def set_session(self, session: Session | None) -> None:
        self._session = session
        self._event_loader = session.latest() if session is not None else None
        self._inspect_timer.stop()
        self._highlight_timer.stop()

    def show_event(self, account_id: str, version: int) -> None:
        """Select the account and move the timeline to `version` (0: leave it)."""
        accounts = self._accounts
        if accounts.selected_id() != account_id and not accounts.select(account_id):
            accounts.clear_filters()
            if not accounts.select(account_id):
                self._status.showMessage(f"{account_id} is not in the accounts view", 5000)
                return
        if version > 0:
            self._timeline.go_to(version)

    def _on_rows_fetched(self, _count: int) -> None:
        if self._missing:  # the timeline's event was not in the log yet: it may be now
            self._rehighlight()

    def _on_log_reset(self) -> None:
        if self._log.navigator.steering:  # the user went somewhere: the log is theirs
            self._missing = 0
            self._log.model.request_key(None)
            return
        self._rehighlight()

    def _on_account_selected(self, account_id: str) -> None:
        if account_id:
            self._commands.set_account(account_id)
        summary = self._accounts.model.summary(account_id) if account_id else None
        self._timeline.set_account(account_id or None, summary.version if summary else 0)
        self._log.set_account(account_id)
        self._inspector.show_event(None)

    def _log_key(self, version: int, position: int) -> int:
        return version if self._log.model.query.key_name == "version" else position

    def _on_version_changed(self, version: int, position: int) -> None:
        self._slider_key = (version, position)
        self._rehighlight()

    def _rehighlight(self) -> None:
        """Select the timeline's event in the log (fetching on to it if needed). A row
        on screen is selected at once; one that needs scrolling when the slider rests,
        so scrubbing never waits for the log to repaint."""
        version, position = self._slider_key
        key = self._log_key(version, position)
        model = self._log.model
        self._missing = 0
        if not self._timeline.account_id or key <= 0:
            self._highlight_timer.stop()
            model.request_key(None)
            if self._timeline.account_id and version == 0:
                self._highlighting = True
                try:
                    self._log.clear_highlight()  # before the opening: no event to show
                finally:
                    self._highlighting = False
            return
        row = model.row_of_key(key)
        if row < 0:
            self._highlight_timer.stop()
            self._missing = key
            model.request_key(key)
        elif self._log.row_visible(row):
            self._highlight_timer.stop()
            self._highlight(row)
        else:
            self._highlight_timer.start()

    def _on_highlight_timer(self) -> None:
        version, position = self._slider_key
        row = self._log.model.row_of_key(self._log_key(version, position))
        if row >= 0:
            self._highlight(row, center=True)

    def _on_key_found(self, row: int) -> None:
        self._highlight(row, center=True)

    def _highlight(self, row: int, *, center: bool = False) -> None:
        key = self._log.model.key_of_row(row)  # the row may not be fetched yet
        if key <= 0 or key == self._log.current_key():
            return
        self._highlighting = True
        try:
            self._log.highlight_row(row, center=center)
        finally:
            self._highlighting = False

    def _on_user_moved(self, _row: int = -1) -> None:
        """The user went somewhere in the log: a highlight still pending for the slider
        must not pull it back."""
        self._highlight_timer.stop()
        self._missing = 0
        self._log.model.request_key(None)

    def _on_event_selected(self, row: LogRow | None) -> None:
        # the slider's own highlight (or its row arriving later) is not the user's move
        followed = self._highlighting or self._log.reannouncing
        if not followed and row is not None:
            self._on_user_moved()
        if row is None:
            self._inspect_timer.stop()
            self._inspector.show_event(None)
            return
        if (not followed and row.aggregate_id == self._timeline.account_id
                and self._timeline.version != row.version):  # fmt: skip
            self._timeline.slider.setValue(row.version)
        self._inspect_position = row.position
        self._inspect_row = row
        if self._highlighting:
            self._inspect_timer.start()  # scrubbing: inspect where the slider comes to rest
        else:
            self._inspect()

    def _on_inspect_timer(self) -> None:
        self._inspect()

    def _inspect(self) -> None:
        """Load the event (and the account's state around it) off the GUI thread."""
        self._inspect_timer.stop()
        loader, session, position = self._event_loader, self._session, self._inspect_position
        if loader is None or session is None or session.store is None or position <= 0:
            return
        store, accounts, row = session.store, session.accounts, self._inspect_row
        series = self._timeline.series
        known: StateChange | None = None
        if row is not None and series is not None and series.account_id == row.aggregate_id:
            known = from_series(series, row.version)  # in memory: no replay

        def work(_token: object) -> Inspected:
            event = load_event(store, position)
            if event is None:
                return None, known, None
            around = correlated(store, event)
            if known is not None or accounts is None:
                return event, known, around
            return event, replayed(accounts.replayer, event.aggregate_id, event.version), around

        loader.request(work, self._on_inspected,
                       lambda message: self._status.showMessage(message, 6000))  # fmt: skip

    def _on_inspected(self, result: Inspected) -> None:
        event, states, around = result
        self._inspector.show_event(event)
        self._inspector.show_states(states)
        self._inspector.show_correlation(around)

    def _on_related_requested(self, key: str, value: str) -> None:
        self._log.show_related(key, value)
