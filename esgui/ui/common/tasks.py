"""One-shot work off the GUI thread: a thread pool, results back by queued signal.

`TaskRunner.submit(fn, ...)` runs ``fn(token)`` on the pool; `token.stopped()` is the
cancellation flag the work polls (the app layer's ``should_stop``) and
`token.progress(done, total)` reports progress (throttled). Results, errors and
progress arrive in the GUI thread through the Task's signals. Worker code never
touches widgets.

`Latest` keeps at most one request running and one waiting: rapid requests (slider
moves, selections) coalesce so only the newest matters.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Any, Protocol, TypeAlias

from PySide6.QtCore import (
    QCoreApplication,
    QEvent,
    QObject,
    QRunnable,
    Qt,
    QThreadPool,
    Signal,
    Slot,
)

from esgui.app.stores import mask_text
from esgui.errors import EsguiError

log = logging.getLogger("esgui.ui")
PROGRESS_INTERVAL_S = 0.05
Work: TypeAlias = "Callable[[CancelToken], Any]"


def plain_message(error: BaseException) -> str:
    """One line for a person: esgui's own message, or a short unexpected-error note."""
    if isinstance(error, EsguiError):
        text = error.message
    else:
        text = f"Unexpected error ({type(error).__name__}: {error})"
    first = text.strip().splitlines()[0] if text.strip() else type(error).__name__
    return mask_text(first)


class CancelToken:
    """Shared between the GUI and one piece of work."""

    def __init__(self, task: Task) -> None:
        self._event = threading.Event()
        self._task = task
        self._last_progress = 0.0

    def cancel(self) -> None:
        self._event.set()

    def stopped(self) -> bool:
        return self._event.is_set()

    def progress(self, done: int, total: int) -> None:
        now = time.monotonic()
        if now - self._last_progress >= PROGRESS_INTERVAL_S or done >= total:
            self._last_progress = now
            self._task._progress_posted.emit(int(done), int(total))


class Task(QObject):
    """A submitted piece of work; lives in the GUI thread, signals arrive there."""

    finished = Signal(object)  # the result
    failed = Signal(str)  # a plain one-line message
    cancelled = Signal()
    progressed = Signal(int, int)
    ended = Signal()  # after any of finished / failed / cancelled

    _result_posted = Signal(object, object)  # (result, error)
    _progress_posted = Signal(int, int)

    def __init__(self, label: str = "", parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.label = label
        self.token = CancelToken(self)
        self.done = False
        # work that cannot be interrupted (connecting to a server): Cancel ends the task
        # at once, and the late result is dropped (the work cleans up after itself)
        self.abandon_on_cancel = False
        self.running = True  # the worker has not posted its result yet
        self.delete_when_run = False
        self._result_posted.connect(self._on_result_posted, Qt.ConnectionType.QueuedConnection)
        self._progress_posted.connect(self._on_progress_posted, Qt.ConnectionType.QueuedConnection)

    def cancel(self) -> None:
        self.token.cancel()
        if self.abandon_on_cancel and not self.done:
            self.done = True
            self.cancelled.emit()
            self.ended.emit()

    @Slot(int, int)
    def _on_progress_posted(self, done: int, total: int) -> None:
        if not self.done:
            self.progressed.emit(done, total)

    @Slot(object, object)
    def _on_result_posted(self, result: Any, error: Any) -> None:
        self.running = False
        if self.done:  # abandoned: nobody waits for this any more
            if self.delete_when_run:
                self.deleteLater()
            return
        self.done = True
        if error is not None:
            if (
                self.token.stopped()
                and isinstance(error, EsguiError)
                and (type(error).__name__ in {"Cancelled", "Stopped"})
            ):
                self.cancelled.emit()
            else:
                self.failed.emit(plain_message(error))
        elif self.token.stopped():
            self.cancelled.emit()
        else:
            self.finished.emit(result)
        self.ended.emit()


class _Runnable(QRunnable):
    def __init__(self, task: Task, fn: Callable[[CancelToken], Any]) -> None:
        super().__init__()
        self.setAutoDelete(True)
        self._task = task
        self._fn = fn

    def run(self) -> None:
        try:
            result = self._fn(self._task.token)
        except Exception as error:  # noqa: BLE001 - delivered to the GUI as one line
            if not isinstance(error, EsguiError):
                log.warning("background task failed", exc_info=True)
            self._task._result_posted.emit(None, error)
            return
        self._task._result_posted.emit(result, None)


class TaskRunner(QObject):
    """A thread pool of its own, so closing a store can wait for exactly its work."""

    task_started = Signal(object)  # Task

    def __init__(self, max_threads: int = 3, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(max_threads)
        self._tasks: set[Task] = set()
        self._closed = False

    def submit(
        self,
        fn: Callable[[CancelToken], Any],
        *,
        label: str = "",
        on_done: Callable[[Any], None] | None = None,
        on_error: Callable[[str], None] | None = None,
    ) -> Task:
        task = Task(label, self)
        if on_done is not None:
            task.finished.connect(on_done)
        if on_error is not None:
            task.failed.connect(on_error)
        if self._closed:
            # The store is closing (a callback delivered during shutdown asked for more):
            # nothing runs any more; the task stays done and silent.
            task.token.cancel()
            task.done = True
            return task
        task.ended.connect(lambda: self._forget(task))
        self._tasks.add(task)
        self.task_started.emit(task)
        self._pool.start(_Runnable(task, fn))
        return task

    def _forget(self, task: Task) -> None:
        self._tasks.discard(task)
        if task.running:  # abandoned while its worker still runs: delete after it posts
            task.delete_when_run = True
        else:
            task.deleteLater()

    def active(self) -> list[Task]:
        return [task for task in self._tasks if not task.done]

    def idle(self) -> bool:
        """No worker is running (abandoned work included)."""
        return bool(self._pool.waitForDone(0))

    def cancel_all(self) -> None:
        self._closed = True
        for task in list(self._tasks):
            task.cancel()

    def shutdown(self, timeout_ms: int = 10_000) -> bool:
        """Cancel everything, wait for the workers, then deliver what they posted and
        delete the finished tasks now, so nothing is left queued for a runner that is
        about to go away."""
        self.cancel_all()
        finished = self._pool.waitForDone(timeout_ms)
        for task in self.findChildren(Task):  # abandoned ones too
            QCoreApplication.sendPostedEvents(task, 0)
        QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
        return bool(finished)


class TaskTracker(Protocol):
    """Where long work shows its progress, with Cancel, and a one-line outcome: the
    window's status bar."""

    def track(
        self, task: Task, label: str, *, cancellable: bool = True, delay_ms: int = 0
    ) -> None: ...

    def showMessage(self, text: str, /, timeout: int = 0) -> None: ...  # noqa: N802


class Latest(QObject):
    """Runs requests one at a time, keeping only the newest waiting one."""

    def __init__(self, runner: TaskRunner, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._runner = runner
        self._running: Task | None = None
        self._waiting: tuple[Callable[[CancelToken], Any], Callable[[Any], None],
                             Callable[[str], None] | None] | None = None  # fmt: skip

    def request(
        self,
        fn: Callable[[CancelToken], Any],
        on_done: Callable[[Any], None],
        on_error: Callable[[str], None] | None = None,
    ) -> None:
        self._waiting = (fn, on_done, on_error)
        if self._running is None:
            self._start_next()

    def clear(self) -> None:
        self._waiting = None
        if self._running is not None:
            self._running.cancel()

    def _on_task_ended(self) -> None:
        self._start_next()

    def _start_next(self) -> None:
        if self._waiting is None:
            self._running = None
            return
        fn, on_done, on_error = self._waiting
        self._waiting = None
        task = self._runner.submit(fn)
        self._running = task

        def finished(result: Any) -> None:
            if self._waiting is None:  # a newer request supersedes this result
                on_done(result)

        def failed(message: str) -> None:
            if self._waiting is None and on_error is not None:
                on_error(message)

        task.finished.connect(finished)
        task.failed.connect(failed)
        task.ended.connect(self._on_task_ended)
