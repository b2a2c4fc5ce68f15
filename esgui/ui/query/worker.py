"""The query console's database work, on a QThread of its own: start a query, fetch the
next page, close it. The GUI thread never waits for it; results come back by queued
signal. Cancel goes straight to the query's `Cancellation` (thread-safe), since the
worker's thread is busy inside the database when it matters.

Rows leave the worker already turned into display texts, with the position and the
account of each row when the result has such columns, so the model's `data()` does
no work per cell.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QObject, QThread, Signal, Slot

from esgui.app.console import Cancellation, QueryResult, cell_text, run_query
from esgui.app.stores import EventStore
from esgui.errors import EsguiError, NotPermitted
from esgui.ui.common.tasks import plain_message

PAGE = 500
POSITION_COLUMNS = ("position", "last_position")
ACCOUNT_COLUMNS = ("account", "account_id", "aggregate_id")


@dataclass(frozen=True, slots=True)
class ResultRow:
    texts: tuple[str, ...]
    position: int  # 0: the row names no event
    account: str  # "": the row names no account


def _column(columns: tuple[str, ...], names: tuple[str, ...]) -> int:
    lowered = [c.lower() for c in columns]
    for name in names:
        if name in lowered:
            return lowered.index(name)
    return -1


class _Shape:
    """Where the position and the account are in a result's columns."""

    def __init__(self, columns: tuple[str, ...]) -> None:
        self.position = _column(columns, POSITION_COLUMNS)
        self.account = _column(columns, ACCOUNT_COLUMNS)

    def row(self, values: tuple[Any, ...]) -> ResultRow:
        position = values[self.position] if self.position >= 0 else 0
        account = values[self.account] if self.account >= 0 else ""
        return ResultRow(
            tuple(cell_text(value) for value in values),
            position if isinstance(position, int) and not isinstance(position, bool) else 0,
            account if isinstance(account, str) else "",
        )


class QueryWorker(QObject):
    """Lives in its own thread (see `QueryThread`); one query open at a time."""

    started = Signal(int, object, object, bool)  # generation, columns, rows, exhausted
    fetched = Signal(int, object, bool)  # generation, rows, exhausted
    failed = Signal(int, str, bool)  # generation, message, refused (a write: exit 5)

    def __init__(self) -> None:
        super().__init__()
        self._result: QueryResult | None = None
        self._shape: _Shape | None = None
        self._generation = 0

    @Slot(int, object, str, float, object)
    def start(
        self, generation: int, store: EventStore, sql: str, limit: float, cancel: Cancellation
    ) -> None:
        self._close()
        self._generation = generation
        try:
            result = run_query(store, sql, time_limit_s=limit, cancellation=cancel)
            self._result, self._shape = result, _Shape(result.columns)
            rows = [self._shape.row(values) for values in result.fetch(PAGE)]
        except Exception as error:  # noqa: BLE001 - one line for the panel
            self._fail(generation, error)
            return
        self.started.emit(generation, result.columns, rows, result.exhausted)

    @Slot(int)
    def fetch(self, generation: int) -> None:
        result, shape = self._result, self._shape
        if generation != self._generation or result is None or shape is None:
            return
        try:
            rows = [shape.row(values) for values in result.fetch(PAGE)]
        except Exception as error:  # noqa: BLE001
            self._fail(generation, error)
            return
        self.fetched.emit(generation, rows, result.exhausted)

    @Slot()
    def close(self) -> None:
        self._close()

    def _close(self) -> None:
        result, self._result, self._shape = self._result, None, None
        if result is not None:
            result.close()

    def _fail(self, generation: int, error: BaseException) -> None:
        self._close()
        refused = isinstance(error, NotPermitted)
        message = plain_message(error) if isinstance(error, EsguiError) else plain_message(error)
        self.failed.emit(generation, message, refused)


class QueryThread(QObject):
    """Owns the worker's thread; the panel talks to it through these signals."""

    start_requested = Signal(int, object, str, float, object)
    fetch_requested = Signal(int)
    close_requested = Signal()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.qthread = QThread()
        self.qthread.setObjectName("esguiQueryThread")
        self.worker = QueryWorker()
        self.worker.moveToThread(self.qthread)
        self.start_requested.connect(self.worker.start)
        self.fetch_requested.connect(self.worker.fetch)
        self.close_requested.connect(self.worker.close)
        self.qthread.start()

    def stop(self, timeout_ms: int = 10_000) -> None:
        """Close the open query and end the thread (call cancel first if one runs)."""
        if not self.qthread.isRunning():
            return
        self.close_requested.emit()
        self.qthread.quit()
        self.qthread.wait(timeout_ms)
