"""The live follower: a QObject in its own QThread that keeps the account view current.

It waits on a change watcher (LISTEN/NOTIFY on PostgreSQL, ``PRAGMA data_version`` on
SQLite), and when the head moves it catches the projection up (or, on a read-only
store, folds the new events into rows kept in memory) and emits the changed rows. The
GUI thread never waits on it: everything it learns arrives by queued signal, and it is
steered through thread-safe flags (stop, poke, pause, resume, mode changed).

The window's read-only toggle flips `store.read_only` while the follower runs: it then
loads every row again the new way (`mode_changed`), and a catch-up that the flip
interrupts (the store refuses the write) simply ends.
"""

from __future__ import annotations

import logging
import threading
import time

from PySide6.QtCore import QObject, QThread, Signal, Slot

from esgui.app.live import ChangeWatcher, open_watcher
from esgui.app.queries import summaries_changed_since
from esgui.app.stores import EventStore
from esgui.errors import EsguiError, NotPermitted
from esgui.projections import AccountProjector, AccountSummary, Cancelled
from esgui.projections.account_summary import apply_to_summary
from esgui.ui.common.tasks import plain_message

log = logging.getLogger("esgui.ui")
WAIT_S = 0.2
SAFETY_POLL_S = 2.0  # look at the head now and then even without a signal
RETRY_S = 2.0
MIN_LOOK_INTERVAL_S = 0.1  # live latency stays well under 200 ms
FULL_RELOAD_OVER = 20_000  # events behind: reload every row rather than the delta


class LiveFollower(QObject):
    """Follows one store. Create it, then `start()`; `stop()` ends the thread."""

    accounts_loaded = Signal(object)  # list[AccountSummary]: every row (replace all)
    accounts_changed = Signal(object)  # list[AccountSummary]: changed or new rows
    head_moved = Signal(int, int)  # head position (= event count), projection checkpoint
    catch_up_progressed = Signal(int, int)  # checkpoint, head
    catch_up_started = Signal()
    catch_up_ended = Signal(bool)  # True when complete, False when paused (cancelled)
    state_changed = Signal(str)  # "live" | "catching up" | "paused" | "offline: <why>"

    def __init__(self, store: EventStore) -> None:
        super().__init__()
        self._store = store
        self._projector = AccountProjector(store)
        self._stop = threading.Event()
        self._poke = threading.Event()
        self._pause = threading.Event()
        self._reload = threading.Event()
        self._remode = threading.Event()
        self._rows: dict[str, AccountSummary] = {}  # read-only stores: the model in memory
        self._head = -1
        self._checkpoint = 0
        self._state = ""
        self._thread = QThread()
        self._thread.setObjectName("esgui-live-follower")
        self.moveToThread(self._thread)
        self._thread.started.connect(self._on_thread_started)

    # -- steering (any thread) ---------------------------------------------------------

    def start(self) -> None:
        self._thread.start()

    def poke(self) -> None:
        """Look at the head now (after a command of ours)."""
        self._poke.set()

    def pause_catch_up(self) -> None:
        self._pause.set()

    def resume_catch_up(self) -> None:
        self._pause.clear()
        self.reload()

    def reload(self) -> None:
        """Send every row again (after a rebuild, or a cancelled one)."""
        self._reload.set()
        self._poke.set()

    def mode_changed(self) -> None:
        """The store was switched between read-only and writable: load every row again
        (from the table when writable, folded in memory when read-only)."""
        self._remode.set()
        self._poke.set()

    def stop(self, timeout_ms: int = 10_000) -> bool:
        self._stop.set()
        self._pause.set()
        self._thread.quit()
        finished = self._thread.wait(timeout_ms)
        return bool(finished)

    def is_running(self) -> bool:
        return self._thread.isRunning()

    # -- the thread --------------------------------------------------------------------

    def _set_state(self, state: str) -> None:
        if state != self._state:
            self._state = state
            self.state_changed.emit(state)

    @Slot()
    def _on_thread_started(self) -> None:
        self._run()

    def _run(self) -> None:
        """The follower's loop, in its thread, until `stop()`."""
        watcher: ChangeWatcher | None = None
        loaded = False
        last_look = 0.0
        while not self._stop.is_set():
            try:
                if watcher is None:
                    watcher = open_watcher(self._store, self._stop)
                if self._remode.is_set():
                    self._remode.clear()
                    loaded = False
                if not loaded:
                    self._load_all()
                    loaded = True
                    last_look = time.monotonic()
                    continue
                changed = watcher.wait(WAIT_S)
                poked = self._poke.is_set()
                self._poke.clear()
                since = time.monotonic() - last_look
                if changed or poked or since >= SAFETY_POLL_S:
                    if changed and not poked and since < MIN_LOOK_INTERVAL_S:
                        # A burst of commits (PostgreSQL notifies each one): gather
                        # them into one look, so the GUI gets at most ten updates a
                        # second however fast others write.
                        self._stop.wait(MIN_LOOK_INTERVAL_S - since)
                    last_look = time.monotonic()
                    self._look()
            except EsguiError as error:
                self._set_state(f"offline: {plain_message(error)}")
                if watcher is not None:
                    watcher.close()
                    watcher = None
                self._stop.wait(RETRY_S)
            except Exception as error:  # noqa: BLE001 - keep following; say why it failed
                log.warning("live follower failed", exc_info=True)
                self._set_state(f"offline: {plain_message(error)}")
                self._stop.wait(RETRY_S)
        if watcher is not None:
            watcher.close()
        self._thread.quit()  # exec() returns at once: this thread has nothing left to do

    def _catch_up(self) -> bool:
        """Bring the projection to the head; False when paused by the user."""
        if self._store.read_only:
            return True
        if self._pause.is_set():
            self._set_state("paused")
            return False
        checkpoint, head = self._projector.lag()
        stop = self._stop_catching_up
        try:
            if head - checkpoint > 1000:
                self.catch_up_started.emit()
                self._set_state("catching up")
                try:
                    self._projector.catch_up(progress=self.catch_up_progressed.emit,
                                             should_stop=stop)  # fmt: skip
                except Cancelled:
                    self.catch_up_ended.emit(False)
                    if self._store.read_only:
                        return True  # switched to read-only: nothing more to write
                    self._set_state("paused")
                    return False
                self.catch_up_ended.emit(True)
            else:
                self._projector.catch_up()
        except NotPermitted:
            if not self._store.read_only:
                raise
            self.catch_up_ended.emit(False)  # switched to read-only while it wrote
        return True

    def _stop_catching_up(self) -> bool:
        return self._pause.is_set() or self._store.read_only

    def _load_all(self) -> None:
        complete = self._catch_up()
        rows = self._projector.current() if self._store.read_only else self._projector.summaries()
        self._checkpoint = self._projector.checkpoint()
        if self._store.read_only:
            self._rows = {row.account_id: row for row in rows}
            self._head = self._rows_head()
        else:
            self._head = self._checkpoint
        self.accounts_loaded.emit(rows)
        self.head_moved.emit(self._store.head()[0], self._checkpoint)
        self._set_state("live" if complete else "paused")

    def _rows_head(self) -> int:
        return max((row.last_position for row in self._rows.values()), default=0)

    def _look(self) -> None:
        head = self._store.head()[0]
        resumed = self._reload.is_set()
        self._reload.clear()
        if head == self._head and not resumed:
            self.head_moved.emit(head, self._checkpoint)
            if self._state.startswith("offline"):
                self._set_state("live")
            return
        if self._store.read_only:
            changed: dict[str, AccountSummary] = {}
            for event in self._store.read_all(after=max(self._head, 0)):
                row = apply_to_summary(self._rows.get(event.aggregate_id), event)
                self._rows[event.aggregate_id] = changed[event.aggregate_id] = row
            if changed:
                self.accounts_changed.emit(list(changed.values()))
            self._head = max(head, self._rows_head())
            self.head_moved.emit(self._head, self._checkpoint)
            self._set_state("live")
            return
        complete = self._catch_up()
        self._checkpoint = self._projector.checkpoint()
        if self._checkpoint - self._head > FULL_RELOAD_OVER or resumed:
            self.accounts_loaded.emit(self._projector.summaries())
        else:
            rows = summaries_changed_since(self._store, self._head)
            if rows:
                self.accounts_changed.emit(rows)
        self._head = self._checkpoint
        self.head_moved.emit(self._store.head()[0], self._checkpoint)
        self._set_state("live" if complete else "paused")
