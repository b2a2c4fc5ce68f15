"""The event log as a lazy keyset model: rows arrive in batches fetched off the GUI thread.

`rowCount` is what has been fetched. `canFetchMore`/`fetchMore` ask a worker for the
next batch after the last key and insert it when it arrives; `data()` and `flags()`
only read fetched rows. A new query resets the model. New events are merged in live:
newest-first logs prepend them, oldest-first logs that reached the end fetch on.
`request_key` asks for a given event (the timeline's) and fetches on until it is there.

Integrity problems (a verification's bad positions) and review notes mark rows: the
model is handed position -> message maps once, and `data()` looks rows up in them.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Mapping
from enum import IntEnum
from typing import Any

from PySide6.QtCore import QModelIndex, Qt, Signal
from PySide6.QtGui import QBrush, QColor

from esgui.app.queries import SCAN_WINDOW, EventQuery, LogRow, Page, fetch_newer, fetch_page
from esgui.ui.common.formatting import count, local_time, money, utc_iso
from esgui.ui.common.icons import mark_icon
from esgui.ui.common.table_model import Index, Role, TableModel
from esgui.ui.common.tasks import CancelToken, Task
from esgui.ui.session import StoreSession

BATCH = 200
SEEK_BATCH = 5000  # larger batches while fetching on towards a requested event
NEWER_LIMIT = 2000  # more new events than this at once: reload instead of merging
MAX_SEEK_ROWS = 150_000  # fetching on towards an event stops here (memory stays bounded)


class LogColumn(IntEnum):
    POSITION = 0
    ACCOUNT = 1
    VERSION = 2
    TYPE = 3
    AMOUNT = 4
    OPERATOR = 5
    RECORDED = 6


HEADERS = ("Position", "Account", "Version", "Type", "Amount", "Operator", "Recorded")
NUMERIC = (LogColumn.POSITION, LogColumn.VERSION, LogColumn.AMOUNT)
# data() runs for every painted cell: compare roles as plain ints
_DISPLAY = int(Qt.ItemDataRole.DisplayRole)
_ALIGNMENT = int(Qt.ItemDataRole.TextAlignmentRole)
_FOREGROUND = int(Qt.ItemDataRole.ForegroundRole)
_TOOLTIP = int(Qt.ItemDataRole.ToolTipRole)
_BACKGROUND = int(Qt.ItemDataRole.BackgroundRole)
_DECORATION = int(Qt.ItemDataRole.DecorationRole)
_AMOUNT = int(LogColumn.AMOUNT)
_TYPE_FIELD = LogRow._fields.index("event_type")
_RECORDED = int(LogColumn.RECORDED)
_IN_BRUSH = QBrush(QColor(30, 140, 70))
_OUT_BRUSH = QBrush(QColor(200, 60, 50))
_BAD_BRUSH = QBrush(QColor(220, 40, 35, 70))  # translucent: reads on both themes
_SIGNS = {"MoneyDeposited": "+", "MoneyWithdrawn": "-"}
Texts = tuple[str, str, str, str, str, str, str]


def texts_of(row: LogRow) -> Texts:
    """What each column shows; computed with the batch, off the GUI thread."""
    try:
        amount = money(row.amount)
    except ArithmeticError:
        amount = row.amount
    if amount:
        amount = _SIGNS.get(row.event_type, "") + amount
    return (str(row.position), row.aggregate_id, str(row.version),
            row.event_type + (" ⚠" if row.unreadable else ""), amount, row.operator,
            local_time(row.recorded_at))  # fmt: skip


class EventLogModel(TableModel[tuple[Any, ...]]):
    fetch_started = Signal()
    fetch_progressed = Signal(int, int)  # keys scanned, keys in range (filtered scans)
    rows_fetched = Signal(int)  # how many rows the last batch added
    fetch_failed = Signal(str)
    fetch_stopped = Signal()  # a filtered scan was cancelled: rows so far stay
    key_found = Signal(int)  # the row of the key asked for with request_key

    def __init__(self, parent: Any = None) -> None:
        # rows: plain tuples (LogRow's fields): exact tuples of plain values are left
        # alone by Python's cycle collector, so a long log never makes it pause the GUI
        super().__init__(HEADERS, NUMERIC, parent)
        self._session: StoreSession | None = None
        self._query = EventQuery()
        self._texts: list[Texts] = []  # what data() shows, per row
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
        self._problems: dict[int, str] = {}  # position -> integrity problem (verify)
        self._notes: dict[int, str] = {}  # position -> review notes on that event
        self._icons = {"problem": mark_icon("problem"), "note": mark_icon("note")}
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
        self._problems, self._notes = {}, {}
        self.set_query(self._query)

    def set_problems(self, problems: Mapping[int, str]) -> None:
        """Mark these positions as failing verification (an empty map clears the marks)."""
        self._problems = dict(problems)
        self._marks_changed()

    def set_notes(self, notes: Mapping[int, str]) -> None:
        """Mark these positions as having review notes (position -> what they say)."""
        self._notes = dict(notes)
        self._marks_changed()

    def problem_at(self, position: int) -> str | None:
        return self._problems.get(position)

    def note_at(self, position: int) -> str | None:
        return self._notes.get(position)

    def _marks_changed(self) -> None:
        if self._rows:
            last = self.index(len(self._rows) - 1, len(HEADERS) - 1)
            self.dataChanged.emit(self.index(0, 0), last,
                                  [_BACKGROUND, _DECORATION, _TOOLTIP])  # fmt: skip

    def set_query(self, query: EventQuery) -> None:
        """Show another selection of events: reset, then fetch the first batch."""
        self._generation += 1
        for task in (self._fetch, self._newer):
            if task is not None:
                task.cancel()
        self._fetch = self._newer = None
        self.beginResetModel()
        self._query = query
        self._rows, self._texts, self._keys = [], [], []
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

    def data(self, index: Index, role: int = _DISPLAY) -> Any:
        row = index.row()
        if not 0 <= row < len(self._texts):
            return None
        if role == _DISPLAY:
            return self._texts[row][index.column()]
        if role == _ALIGNMENT:
            return self._align[index.column()]
        if role == _FOREGROUND:
            if index.column() != _AMOUNT:
                return None
            sign = _SIGNS.get(self._rows[row][_TYPE_FIELD])
            return (_IN_BRUSH if sign == "+" else _OUT_BRUSH) if sign else None
        if role == _BACKGROUND:
            if self._problems and self._rows[row][0] in self._problems:
                return _BAD_BRUSH
            return None
        if role == _DECORATION:
            if index.column() != 0 or not (self._problems or self._notes):
                return None
            position = self._rows[row][0]
            if position in self._problems:
                return self._icons["problem"]
            return self._icons["note"] if position in self._notes else None
        if role == _TOOLTIP:
            position = self._rows[row][0]
            marks = [text for text in (self._problems.get(position), self._notes.get(position))
                     if text]  # fmt: skip
            if marks:
                return "\n".join(marks)
            event = LogRow._make(self._rows[row])
            if event.unreadable:
                return "This event cannot be decoded; the inspector shows it as stored"
            if event.upcast:
                return "Stored in an older schema; shown upcast to the current one"
            return utc_iso(event.recorded_at) if index.column() == _RECORDED else None
        if role == Role.POSITION:
            return self._rows[row][0]
        if role == Role.VERSION:
            return self._rows[row][2]
        if role == Role.ACCOUNT_ID:
            return self._rows[row][1]
        if role == Role.PAYLOAD:
            return LogRow._make(self._rows[row])
        if role == Role.PROBLEM:
            return self._problems.get(self._rows[row][0])
        if role == Role.NOTE:
            return self._notes.get(self._rows[row][0])
        return None

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

        def work(token: CancelToken) -> tuple[Page, list[Texts]]:
            page = fetch_page(store, query, cursor, limit, should_stop=token.stopped,
                              progress=token.progress, window=window)  # fmt: skip
            return page, [texts_of(row) for row in page.rows]

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

    def _on_page(self, generation: int, result: tuple[Page, list[Texts]]) -> None:
        if generation != self._generation:
            return
        page, texts = result
        self._fetch = None
        first = not self._loaded
        self._loaded = True
        if first:
            self._top = page.top
        # State first: inserting rows lets views ask for more at once, from the new cursor.
        self._cursor = page.cursor
        self._exhausted = page.exhausted
        self._status = "All loaded" if page.exhausted else "Scroll for more"
        self._append(page.rows, texts)
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

    def _append(self, rows: list[LogRow], texts: list[Texts]) -> None:
        if not rows:
            return
        key_name = self._query.key_name
        sign = -1 if self._query.newest_first else 1
        start = len(self._rows)
        self.beginInsertRows(QModelIndex(), start, start + len(rows) - 1)
        self._rows.extend(tuple(row) for row in rows)
        self._texts.extend(texts)
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

        def work(_token: CancelToken) -> tuple[list[LogRow], int, bool, list[Texts]]:
            rows, new_top, overflow = fetch_newer(store, query, top, NEWER_LIMIT)
            return rows, new_top, overflow, [texts_of(row) for row in rows]

        task = session.submit(work)
        task.finished.connect(lambda result: self._on_newer(generation, result))
        task.ended.connect(lambda: self._on_newer_ended(generation))
        self._newer = task

    def _on_newer(
        self, generation: int, result: tuple[list[LogRow], int, bool, list[Texts]]
    ) -> None:
        if generation != self._generation:
            return
        rows, top, overflow, texts = result
        if overflow:
            self.reload()
            return
        self._top = max(self._top, top)
        if rows:
            key_name = self._query.key_name
            rows.reverse()  # newest first
            texts.reverse()
            self.beginInsertRows(QModelIndex(), 0, len(rows) - 1)
            self._rows[0:0] = [tuple(row) for row in rows]
            self._texts[0:0] = texts
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
        if (
            beyond
            and not self._exhausted
            and not self._paused
            and (len(self._rows) < MAX_SEEK_ROWS)
        ):
            self._start_fetch(SEEK_BATCH)
        else:
            self._target = None  # filtered out, or newer than the log: nothing to show

    def row(self, row: int) -> LogRow | None:
        return LogRow._make(self._rows[row]) if 0 <= row < len(self._rows) else None

    def loaded_count(self) -> int:
        return len(self._rows)

    def summary(self) -> str:
        more = "" if self._exhausted else "+"
        return f"{count(len(self._rows))}{more} events"
