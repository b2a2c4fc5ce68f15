"""What the audit dialogs share: non-modal, one per window, following the open store,
their work on the session's pool with progress and Cancel in the dialog and in the
status bar, and results tables that read well.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QAbstractItemModel, Qt
from PySide6.QtWidgets import QAbstractItemView, QDialog, QHeaderView, QTableView, QWidget

from esgui.ui.common.session import Session
from esgui.ui.common.tasks import CancelToken, Task, TaskTracker
from esgui.ui.common.widgets import TaskProgress, named


def results_table(name: str, description: str, model: QAbstractItemModel,
                  widths: tuple[int, ...] = ()) -> QTableView:  # fmt: skip
    view = named(QTableView(), name, description)
    view.setModel(model)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    view.setAlternatingRowColors(True)
    view.setWordWrap(False)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.verticalHeader().hide()
    view.verticalHeader().setDefaultSectionSize(22)
    view.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
    header = view.horizontalHeader()
    header.setHighlightSections(False)
    header.setStretchLastSection(True)
    for column, width in enumerate(widths):
        header.resizeSection(column, width)
    return view


class AuditDialog(QDialog):
    """A dialog whose long work runs off the GUI thread; `run` starts it."""

    def __init__(self, parent: QWidget, status: TaskTracker, name: str, title: str) -> None:
        super().__init__(parent)
        self.setObjectName(name)
        self.setWindowTitle(title)
        self.setModal(False)
        self.setWindowFlag(Qt.WindowType.WindowContextHelpButtonHint, False)
        self.status = status
        self.session: Session | None = None
        self.task: Task | None = None
        self.progress = TaskProgress(name=name)
        self.progress.cancel_clicked.connect(self.cancel)

    def set_session(self, session: Session | None) -> None:
        """Another store (or none): drop what the dialog showed about the old one."""
        self.cancel()
        self.task = None
        self.progress.hide()
        self.session = session
        self.reset()

    def reset(self) -> None:
        """Forget the results shown (subclasses)."""

    @property
    def busy(self) -> bool:
        return self.task is not None

    def run(
        self,
        work: Callable[[CancelToken], Any],
        label: str,
        on_done: Callable[[Any], None],
        on_failed: Callable[[str], None],
        *,
        cancellable: bool = True,
        delay_ms: int = 0,
    ) -> Task | None:
        """Run `work` on the session's pool; progress and Cancel here and in the status
        bar. Returns the task (None without an open store)."""
        session = self.session
        if session is None or not session.ready:
            on_failed("No store is open")
            return None
        self.cancel()
        task = session.submit(work, label=label)
        task.progressed.connect(self.progress.set_progress)
        task.finished.connect(on_done)
        task.failed.connect(on_failed)
        task.cancelled.connect(self._on_cancelled)
        task.ended.connect(self._on_ended)
        self.task = task
        self.progress.show_task(label, cancellable)
        self.status.track(task, label, cancellable=cancellable, delay_ms=delay_ms)
        self.busy_changed(True)
        return task

    def cancel(self) -> None:
        if self.task is not None:
            self.progress.label.setText("Cancelling…")
            self.task.cancel()

    def _on_cancelled(self) -> None:
        if self.sender() is self.task:
            self.cancelled()

    def cancelled(self) -> None:
        """The work was cancelled (subclasses say so)."""

    def _on_ended(self) -> None:
        if self.sender() is self.task:
            self.task = None
            self.progress.hide()
            self.busy_changed(False)

    def busy_changed(self, busy: bool) -> None:
        """Enable or disable controls while work runs (subclasses)."""
