"""The selected account's history, behind the timeline: its BalanceSeries loaded once
off the GUI thread and extended as the account grows, and, for a version the series
does not hold (yet), a snapshot-based replay where only the newest request runs.

Results for an account that is no longer selected are dropped here; the panel only
hears about the account it shows.
"""

from __future__ import annotations

from datetime import datetime

from PySide6.QtCore import QObject, Signal

from esgui.app.timeline import BalanceSeries
from esgui.domain.account import AccountState
from esgui.ui.common.session import Session
from esgui.ui.common.tasks import CancelToken, Latest, Task


class AccountHistory(QObject):
    load_started = Signal(object)  # the Task loading the series
    load_progressed = Signal(int, int)  # done, total (of any load, also a replaced one)
    load_ended = Signal()  # a load ended, however (also a replaced one)
    loaded = Signal(object)  # BalanceSeries of the selected account
    load_cancelled = Signal()
    load_failed = Signal(str)
    extended = Signal()  # the series grew
    replayed = Signal(int, object)  # version, AccountState
    replay_failed = Signal(int, str)  # version, message
    version_found = Signal(int)  # the version at the time asked for

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._session: Session | None = None
        self._latest: Latest | None = None
        self._load: Task | None = None
        self._extend: Task | None = None
        self._extend_again = False
        self.account_id = ""
        self.series: BalanceSeries | None = None

    def set_session(self, session: Session | None) -> None:
        self._session = session
        self._latest = session.latest() if session is not None else None

    def set_account(self, account_id: str) -> None:
        """Forget the old account's history (its work is cancelled); `load()` the new one."""
        for task in (self._load, self._extend):
            if task is not None:
                task.cancel()
        self._load = self._extend = None
        if self._latest is not None:
            self._latest.clear()
        self.account_id = account_id
        self.series = None

    @property
    def loading(self) -> bool:
        return self._load is not None

    # -- the series --------------------------------------------------------------------

    def load(self) -> None:
        session, account_id = self._session, self.account_id
        if session is None or not session.ready:
            return
        store = session.store
        assert store is not None

        def work(token: CancelToken) -> BalanceSeries:
            return BalanceSeries.load(store, account_id, should_stop=token.stopped,
                                      progress=token.progress)  # fmt: skip

        task = session.submit(work, label=f"Loading the history of {account_id}")
        task.progressed.connect(self.load_progressed)
        task.finished.connect(lambda series: self._on_loaded(account_id, series))
        task.failed.connect(lambda message: self._on_load_failed(account_id, message))
        task.cancelled.connect(lambda: self._on_load_cancelled(account_id))
        task.ended.connect(self.load_ended)
        self._load = task
        self.load_started.emit(task)

    def _on_loaded(self, account_id: str, series: BalanceSeries) -> None:
        if account_id != self.account_id:
            return
        self._load = None
        self.series = series
        self.loaded.emit(series)

    def _on_load_cancelled(self, account_id: str) -> None:
        if account_id == self.account_id:
            self._load = None
            self.load_cancelled.emit()

    def _on_load_failed(self, account_id: str, message: str) -> None:
        if account_id == self.account_id:
            self._load = None
            self.load_failed.emit(message)

    def extend(self) -> None:
        """The account has new events: fold them into the series (one extension at a
        time; another is run after it when more arrived meanwhile)."""
        session, series = self._session, self.series
        if session is None or series is None or not session.ready:
            return
        if self._extend is not None:
            self._extend_again = True
            return
        self._extend_again = False
        store, account_id = session.store, self.account_id
        assert store is not None
        task = session.submit(lambda _token: series.extend(store))
        task.finished.connect(lambda added: self._on_extended(account_id, added))
        task.ended.connect(lambda: self._on_extend_ended(account_id))
        self._extend = task

    def _on_extended(self, account_id: str, added: int) -> None:
        if account_id != self.account_id or self.series is None or not added:
            return
        self.extended.emit()

    def _on_extend_ended(self, account_id: str) -> None:
        if account_id == self.account_id:
            self._extend = None
            if self._extend_again:
                self.extend()

    # -- versions the series cannot answer -------------------------------------------------

    def replay(self, version: int) -> bool:
        """Replay `version` off the GUI thread, newest request wins; False when no store
        is open to ask."""
        session, latest, account_id = self._session, self._latest, self.account_id
        if session is None or latest is None or not session.ready:
            return False
        accounts = session.accounts
        assert accounts is not None

        def work(_token: CancelToken) -> AccountState:
            return accounts.replayer.state_at(account_id, version=version)

        def shown(state: AccountState) -> None:
            if account_id == self.account_id:
                self.replayed.emit(version, state)

        def failed(message: str) -> None:
            if account_id == self.account_id:
                self.replay_failed.emit(version, message)

        latest.request(work, shown, failed)
        return True

    def find_version(self, when: datetime) -> None:
        """The version at `when` (`version_found`): from the series when it has loaded,
        else asked of the store."""
        if self.series is not None and not self._load:
            self.version_found.emit(self.series.version_at_time(when))
            return
        session, account_id = self._session, self.account_id
        if session is None or not session.ready:
            return
        store = session.store
        assert store is not None
        task = session.submit(lambda _token: store.version_at(account_id, when))
        task.finished.connect(
            lambda version: (
                self.version_found.emit(version) if account_id == self.account_id else None
            )
        )
