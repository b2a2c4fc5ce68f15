"""The event log as a lazy keyset model: rows arrive in batches fetched off the GUI thread.

`rowCount` is what has been fetched. `canFetchMore`/`fetchMore` ask a worker for the
next batch after the last key and insert it when it arrives; `data()` and `flags()`
only read fetched rows. A new query resets the model. New events are merged in live:
newest-first logs prepend them, oldest-first logs that reached the end fetch on.
`request_key` asks for a given event (the timeline's) and fetches on until it is there.
"""

from __future__ import annotations

from bisect import bisect_left
from enum import IntEnum
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QBrush, QColor

from esgui.app.queries import SCAN_WINDOW, EventQuery, LogRow, Page, fetch_newer, fetch_page
from esgui.ui.formatting import count, local_time, money, utc_iso
from esgui.ui.session import StoreSession
from esgui.ui.tasks import CancelToken, Task

Index = QModelIndex | QPersistentModelIndex
BATCH = 200
SEEK_BATCH = 5000  # larger batches while fetching on towards a requested event
NEWER_LIMIT = 2000  # more new events than this at once: reload instead of merging


class LogRole(IntEnum):
    POSITION = Qt.ItemDataRole.UserRole + 1
    VERSION = Qt.ItemDataRole.UserRole + 2
    ACCOUNT_ID = Qt.ItemDataRole.UserRole + 3
    ROW = Qt.ItemDataRole.UserRole + 4


class LogColumn(IntEnum):
    POSITION = 0
    ACCOUNT = 1
    VERSION = 2
    TYPE = 3
    AMOUNT = 4
    OPERATOR = 5
    RECORDED = 6


HEADERS = ("Position", "Account", "Version", "Type", "Amount", "Operator", "Recorded")
_RIGHT = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
_LEFT = int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
_NUMERIC = (LogColumn.POSITION, LogColumn.VERSION, LogColumn.AMOUNT)
_IN = QColor(30, 140, 70)
_OUT = QColor(200, 60, 50)
_SIGNS = {"MoneyDeposited": "+", "MoneyWithdrawn": "-"}


class EventLogModel(QAbstractTableModel):
    fetch_started = Signal()
    fetch_progressed = Signal(int, int)  # keys scanned, keys in range (filtered scans)
    rows_fetched = Signal(int)  # how many rows the last batch added
    fetch_failed = Signal(str)
    fetch_stopped = Signal()  # a filtered scan was cancelled: rows so far stay
    key_found = Signal(int)  # the row of the key asked for with request_key

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._session: StoreSession | None = None
        self._query = EventQuery()
        self._rows: list[LogRow] = []
        self._keys: list[int] = []  # ascending in display order (negated when newest first)
        self._cursor: int | None = None
        self._top = 0
        self._exhausted = True
        self._paused = False
        self._generation = 0
        self._fetch: Task | None = None
        self._newer: Task | None = None
        self._newer_again = False
        self._loaded = False
        self._target: int | None = None
        self._status = ""
        self.scan_window = SCAN_WINDOW  # keys per query of a filtered scan

    # -- configuration -----------------------------------------------------------------

    @property
    def query(self) -> EventQuery:
        return self._query

    @property
    def status(self) -> str:
        """Loaded / all loaded / paused / failed, for the panel's footer."""
        return self._status

    def set_session(self, session: StoreSession | None) -> None:
        self._session = session
        self.set_query(self._query)

    def set_query(self, query: EventQuery) -> None:
        """Show another selection of events: reset, then fetch the first batch."""
        self._generation += 1
        for task in (self._fetch, self._newer):
            if task is not None:
                task.cancel()
        self._fetch = self._newer = None
        self.beginResetModel()
        self._query = query
        self._rows, self._keys = [], []
        self._cursor, self._top = None, 0
        self._exhausted = (self._session is None or not self._session.ready
                           or query.aggregate_id == "")  # fmt: skip
        self._paused = False
        self._loaded = False
        self._newer_again = False
        self._target = None
        self.endResetModel()
        if not self._exhausted:
            self._start_fetch(BATCH)

    def reload(self) -> None:
        self.set_query(self._query)

    # -- Qt ------------------------------------------------------------------------------

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(HEADERS)

    def headerData(  # noqa: N802
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < len(HEADERS):
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return HEADERS[section]
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return _RIGHT if section in _NUMERIC else _LEFT
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        row = self._rows[index.row()]
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return self._display(row, column)
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return _RIGHT if column in _NUMERIC else _LEFT
        if role == Qt.ItemDataRole.ForegroundRole and column == LogColumn.AMOUNT:
            sign = _SIGNS.get(row.event_type)
            return QBrush(_IN if sign == "+" else _OUT) if sign else None
        if role == Qt.ItemDataRole.ToolTipRole:
            if row.unreadable:
                return "This event cannot be decoded; the inspector shows it as stored"
            if row.upcast:
                return "Stored in an older schema; shown upcast to the current one"
            if column == LogColumn.RECORDED:
                return utc_iso(row.recorded_at)
            return None
        if role == LogRole.POSITION:
            return row.position
        if role == LogRole.VERSION:
            return row.version
        if role == LogRole.ACCOUNT_ID:
            return row.aggregate_id
        if role == LogRole.ROW:
            return row
        return None

    @staticmethod
    def _display(row: LogRow, column: int) -> str:
        if column == LogColumn.POSITION:
            return str(row.position)
        if column == LogColumn.ACCOUNT:
            return row.aggregate_id
        if column == LogColumn.VERSION:
            return str(row.version)
        if column == LogColumn.TYPE:
            return row.event_type + (" ⚠" if row.unreadable else "")
        if column == LogColumn.AMOUNT:
            try:
                shown = money(row.amount)
            except ArithmeticError:
                return row.amount
            return _SIGNS.get(row.event_type, "") + shown if shown else ""
        if column == LogColumn.OPERATOR:
            return row.operator
        return local_time(row.recorded_at)

    def canFetchMore(self, parent: Index) -> bool:  # noqa: N802
        return not parent.isValid() and not self._exhausted and not self._paused

    def fetchMore(self, parent: Index) -> None:  # noqa: N802
        if self.canFetchMore(parent) and self._fetch is None:
            self._start_fetch(BATCH)

    # -- fetching ------------------------------------------------------------------------

    def _start_fetch(self, limit: int) -> None:
        session = self._session
        if session is None or not session.ready or self._fetch is not None:
            return
        store, query, cursor = session.store, self._query, self._cursor
        generation, window = self._generation, self.scan_window
        assert store is not None

        def work(token: CancelToken) -> Page:
            return fetch_page(store, query, cursor, limit, should_stop=token.stopped,
                              progress=token.progress, window=window)  # fmt: skip

        task = session.submit(work, label="Filtering the event log")
        task.finished.connect(lambda page: self._on_page(generation, page))
        task.failed.connect(lambda message: self._on_fetch_failed(generation, message))
        task.cancelled.connect(lambda: self._on_fetch_cancelled(generation))
        task.progressed.connect(self.fetch_progressed)
        self._fetch = task
        self._status = "Loading…"
        self.fetch_started.emit()

    def cancel_fetch(self) -> None:
        """Stop a long filtered scan; what it found so far stays, and it can go on."""
        if self._fetch is not None:
            self._fetch.cancel()

    def resume(self) -> None:
        self._paused = False
        self.fetchMore(QModelIndex())

    def _on_page(self, generation: int, page: Page) -> None:
        if generation != self._generation:
            return
        self._fetch = None
        first = not self._loaded
        self._loaded = True
        if first:
            self._top = page.top
        # State first: inserting rows lets views ask for more at once, from the new cursor.
        self._cursor = page.cursor
        self._exhausted = page.exhausted
        self._status = "All loaded" if page.exhausted else "Scroll for more"
        self._append(page.rows)
        self.rows_fetched.emit(len(page.rows))
        if self._target is not None:
            self._seek()
        if first and self._newer_again:
            self.refresh_newer()

    def _on_fetch_failed(self, generation: int, message: str) -> None:
        if generation != self._generation:
            return
        self._fetch = None
        self._paused = True
        self._status = f"Could not load events: {message}"
        self.fetch_failed.emit(message)

    def _on_fetch_cancelled(self, generation: int) -> None:
        if generation != self._generation:
            return
        self._fetch = None
        self._paused = True
        self._loaded = True
        self._status = "Stopped"
        self.fetch_stopped.emit()

    def _append(self, rows: list[LogRow]) -> None:
        if not rows:
            return
        key_name = self._query.key_name
        sign = -1 if self._query.newest_first else 1
        start = len(self._rows)
        self.beginInsertRows(QModelIndex(), start, start + len(rows) - 1)
        self._rows.extend(rows)
        self._keys.extend(sign * row.key(key_name) for row in rows)
        self.endInsertRows()

    # -- live ------------------------------------------------------------------------------

    def refresh_newer(self) -> None:
        """Merge events that arrived since the log was read (the follower saw the head move)."""
        session = self._session
        if session is None or not session.ready:
            return
        if not self._loaded or self._newer is not None:
            self._newer_again = True
            return
        self._newer_again = False
        if not self._query.newest_first:
            if self._exhausted and not self._paused:
                self._exhausted = False
                self.fetchMore(QModelIndex())
            return
        store, query, top, generation = session.store, self._query, self._top, self._generation
        assert store is not None
        task = session.submit(lambda _token: fetch_newer(store, query, top, NEWER_LIMIT))
        task.finished.connect(lambda result: self._on_newer(generation, result))
        task.ended.connect(lambda: self._on_newer_ended(generation))
        self._newer = task

    def _on_newer(self, generation: int, result: tuple[list[LogRow], int, bool]) -> None:
        if generation != self._generation:
            return
        rows, top, overflow = result
        if overflow:
            self.reload()
            return
        self._top = max(self._top, top)
        if rows:
            key_name = self._query.key_name
            rows.reverse()  # newest first
            self.beginInsertRows(QModelIndex(), 0, len(rows) - 1)
            self._rows[0:0] = rows
            self._keys[0:0] = [-row.key(key_name) for row in rows]
            self.endInsertRows()
            self.rows_fetched.emit(len(rows))

    def _on_newer_ended(self, generation: int) -> None:
        if generation != self._generation:
            return
        self._newer = None
        if self._newer_again:
            self.refresh_newer()

    # -- finding an event --------------------------------------------------------------

    def row_of_key(self, key: int) -> int:
        """The row showing the event with this key (version or position), or -1."""
        wanted = -key if self._query.newest_first else key
        i = bisect_left(self._keys, wanted)
        return i if i < len(self._keys) and self._keys[i] == wanted else -1

    def request_key(self, key: int | None) -> None:
        """Make the row of `key` available (fetching on if needed); `key_found` tells."""
        self._target = key
        if key is not None:
            self._seek()

    def _seek(self) -> None:
        key = self._target
        if key is None:
            return
        row = self.row_of_key(key)
        if row >= 0:
            self._target = None
            self.key_found.emit(row)
            return
        wanted = -key if self._query.newest_first else key
        beyond = not self._keys or wanted > self._keys[-1]
        if beyond and not self._exhausted and not self._paused:
            self._start_fetch(SEEK_BATCH)
        else:
            self._target = None  # filtered out, or newer than the log: nothing to show

    def row(self, row: int) -> LogRow | None:
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def loaded_count(self) -> int:
        return len(self._rows)

    def summary(self) -> str:
        more = "" if self._exhausted else "+"
        return f"{count(len(self._rows))}{more} events"
