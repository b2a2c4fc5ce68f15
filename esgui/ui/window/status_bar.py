"""The status bar: the store (password masked), event count, projection checkpoint and
lag, the last verification's verdict, the live indicator, and the long task under way
with its Cancel."""

from __future__ import annotations

import time

from PySide6.QtCore import QTimer, Signal
from PySide6.QtWidgets import QLabel, QStatusBar, QToolButton, QWidget

from esgui.ui.common.formatting import count, plural
from esgui.ui.common.tasks import Task
from esgui.ui.common.widgets import ElidedLabel, TaskProgress, named, set_state

PULSE_MS = 700


class StatusBar(QStatusBar):
    catch_up_cancel_requested = Signal()
    integrity_clicked = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        named(self, "statusBar", "Status")
        self.store_label = named(ElidedLabel("No store"), "storeLabel", "Store")
        self.count_label = named(QLabel(""), "eventCount", "Events in the store")
        self.projection_label = named(QLabel(""), "projectionStatus", "Projection")
        self.live = named(QLabel("● Idle"), "liveIndicator", "Live updates")
        self.integrity = named(QToolButton(), "integrityStatus", "Integrity of the store")
        self.integrity.setAutoRaise(True)
        self.integrity.clicked.connect(self.integrity_clicked)
        self.integrity.hide()
        self.progress = TaskProgress()
        self._description = ""
        self.addWidget(self.store_label, 1)
        self.addPermanentWidget(self.progress)
        self.addPermanentWidget(self.count_label)
        self.addPermanentWidget(self.projection_label)
        self.addPermanentWidget(self.integrity)
        self.addPermanentWidget(self.live)
        self._pulse = QTimer(self)
        self._pulse.setSingleShot(True)
        self._pulse.setInterval(PULSE_MS)
        self._pulse.timeout.connect(self._on_pulse_ended)
        self._state = "idle"
        self._updates = 0
        self._head = -1
        self._tasks: list[Task] = []
        self.progress.cancel_clicked.connect(self._on_cancel)
        set_state(self.live, "state", "idle")

    # -- store and projection -----------------------------------------------------------------

    def set_store(self, description: str, read_only: bool) -> None:
        self._description = description
        self.show_read_only(read_only)
        self.count_label.setText("")
        self.projection_label.setText("")
        self.set_integrity("")
        self._head = -1
        self._updates = 0
        self.set_live_state("idle")

    def show_read_only(self, read_only: bool) -> None:
        suffix = " (read-only)" if read_only else ""
        self.store_label.set_full_text(f"{self._description}{suffix}")

    def set_integrity(self, text: str, state: str = "", tip: str = "") -> None:
        """The last verification's verdict ("" hides it); `state`: intact | tampered."""
        self.integrity.setText(text)
        self.integrity.setToolTip(tip)
        self.integrity.setAccessibleDescription(tip or text)
        set_state(self.integrity, "state", state)
        self.integrity.setVisible(bool(text))

    def set_head(self, head: int, checkpoint: int, read_only: bool) -> None:
        self.count_label.setText(plural(head, "event"))
        lag = max(head - checkpoint, 0)
        if read_only:
            self.projection_label.setText(f"Projection checkpoint {count(checkpoint)} "
                                          "(read-only: newer rows folded in memory)")  # fmt: skip
        else:
            self.projection_label.setText(
                f"Projection checkpoint {count(checkpoint)} · lag {count(lag)}"
            )
        if self._head >= 0 and head != self._head:
            self._updates += 1
            seen = time.strftime("%H:%M:%S")
            self.live.setToolTip(
                f"Live updates: {self._updates} since the store was opened; last at {seen} "
                f"(position {head:,})"
            )
            self.live.setAccessibleDescription(f"{self._updates} updates received")
            if self._state == "live":
                set_state(self.live, "state", "pulse")
                self._pulse.start()
        self._head = head

    def set_live_state(self, state: str) -> None:
        """live | catching up | paused | offline: <why> | idle."""
        self._state = state.split(":", 1)[0]
        texts = {"live": "● Live", "catching up": "● Catching up", "paused": "● Paused",
                 "idle": "● Idle"}  # fmt: skip
        self.live.setText(texts.get(self._state, "● Offline"))
        if self._state == "offline":
            self.live.setToolTip(state.split(":", 1)[1].strip() if ":" in state else state)
        elif self._state == "paused":
            self.live.setToolTip("The projection is paused; Projection ▸ Catch up resumes it")
        if not self._pulse.isActive():
            set_state(self.live, "state", self._state)

    def _on_pulse_ended(self) -> None:
        set_state(self.live, "state", self._state)

    @property
    def updates(self) -> int:
        return self._updates

    # -- long tasks -------------------------------------------------------------------------------

    def track(self, task: Task, label: str, *, cancellable: bool = True, delay_ms: int = 0) -> None:
        """Show `task` with progress and Cancel until it ends (after `delay_ms`, so
        quick work does not flash by)."""
        task.setProperty("esgui_label", label)
        task.setProperty("esgui_cancellable", cancellable)
        task.setProperty("esgui_visible", delay_ms <= 0)
        self._tasks.append(task)
        task.progressed.connect(lambda done, total, t=task: self._on_progress(t, done, total))
        task.ended.connect(lambda t=task: self._on_task_ended(t))
        if delay_ms > 0:
            QTimer.singleShot(delay_ms, self, lambda t=task: self._reveal(t))
        self._show_top()

    def _reveal(self, task: Task) -> None:
        if task in self._tasks:
            task.setProperty("esgui_visible", True)
            self._show_top()

    def _top(self) -> Task | None:
        visible = [task for task in self._tasks if task.property("esgui_visible")]
        return visible[-1] if visible else None

    def _show_top(self) -> None:
        task = self._top()
        if task is None:
            self.progress.hide()
            return
        self.progress.show_task(str(task.property("esgui_label")),
                                bool(task.property("esgui_cancellable")))  # fmt: skip

    def _on_progress(self, task: Task, done: int, total: int) -> None:
        if self._top() is task:
            self.progress.set_progress(done, total)

    def _on_task_ended(self, task: Task) -> None:
        if task in self._tasks:
            self._tasks.remove(task)
        self._show_top()

    def _on_cancel(self) -> None:
        self.progress.label.setText("Cancelling…")
        task = self._top()
        if task is not None:
            task.cancel()
        else:
            self.catch_up_cancel_requested.emit()

    # -- the follower's catch-up (not a Task) ----------------------------------------------------

    def show_catch_up(self, done: int, total: int) -> None:
        if self._top() is None:
            self.progress.show_task("Catching up the projection")
            self.progress.set_progress(done, total)

    def end_catch_up(self, _complete: bool = True) -> None:
        if self._top() is None:
            self.progress.hide()
