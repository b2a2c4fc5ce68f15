"""The event log as a lazy keyset model: rows arrive in batches fetched off the GUI thread.

`rowCount` is what has been fetched. `canFetchMore`/`fetchMore` ask the paging worker
(`LogFetcher`) for the next batch after the last key and insert it when it arrives;
`data()` and `flags()` only read fetched rows. A new query resets the model. New events
are merged in live: newest-first logs prepend them, oldest-first logs that reached the
end fetch on. `request_key` asks for a given event (the timeline's) and fetches on
until it is there. Integrity problems and review notes mark rows (`LogMarks`).
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Mapping
from typing import Any

from PySide6.QtCore import QModelIndex, Qt, Signal

from esgui.app.queries import EventQuery, LogRow
from esgui.ui.common.formatting import plural, utc_iso
from esgui.ui.common.session import Session
from esgui.ui.common.table_model import Index, Role, TableModel
from esgui.ui.log.columns import HEADERS, IN_BRUSH, NUMERIC, OUT_BRUSH, SIGNS, LogColumn, Texts
from esgui.ui.log.fetcher import BATCH, LogFetcher
from esgui.ui.log.marks import LogMarks

SEEK_BATCH = 5000  # larger batches while fetching on towards a requested event
MAX_SEEK_ROWS = 150_000  # fetching on towards an event stops here (memory stays bounded)
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
        self._texts: list[Texts] = []  # what data() shows, per row
        self._keys: list[int] = []  # ascending in display order (negated when newest first)
        self._target: int | None = None
        self._marks = LogMarks()
        self._fetcher = LogFetcher(self)
        fetcher = self._fetcher
        fetcher.started.connect(self.fetch_started)
        fetcher.progressed.connect(self.fetch_progressed)
        fetcher.page_fetched.connect(self._on_page_fetched)
        fetcher.newer_fetched.connect(self._on_newer_fetched)
        fetcher.overflowed.connect(self.reload)
        fetcher.failed.connect(self.fetch_failed)
        fetcher.stopped.connect(self.fetch_stopped)

    # -- configuration -----------------------------------------------------------------

    @property
    def query(self) -> EventQuery:
        return self._fetcher.query

    @property
    def status(self) -> str:
        """Loaded / all loaded / paused / failed, for the panel's footer."""
        return self._fetcher.status

    @property
    def scan_window(self) -> int:
        """Keys per query of a filtered scan."""
        return self._fetcher.scan_window

    @scan_window.setter
    def scan_window(self, keys: int) -> None:
        self._fetcher.scan_window = keys

    def set_session(self, session: Session | None) -> None:
        self._fetcher.set_session(session)
        self._marks.clear()
        self.set_query(self.query)

    def set_problems(self, problems: Mapping[int, str]) -> None:
        """Mark these positions as failing verification (an empty map clears the marks)."""
        self._marks.set_problems(problems)
        self._marks_changed()

    def set_notes(self, notes: Mapping[int, str]) -> None:
        """Mark these positions as having review notes (position -> what they say)."""
        self._marks.set_notes(notes)
        self._marks_changed()

    def problem_at(self, position: int) -> str | None:
        return self._marks.problems.get(position)

    def note_at(self, position: int) -> str | None:
        return self._marks.notes.get(position)

    def _marks_changed(self) -> None:
        if self._rows:
            last = self.index(len(self._rows) - 1, len(HEADERS) - 1)
            self.dataChanged.emit(self.index(0, 0), last,
                                  [_BACKGROUND, _DECORATION, _TOOLTIP])  # fmt: skip

    def set_query(self, query: EventQuery) -> None:
        """Show another selection of events: reset, then fetch the first batch."""
        self.beginResetModel()
        self._fetcher.reset(query)
        self._rows, self._texts, self._keys = [], [], []
        self._target = None
        self.endResetModel()
        if not self._fetcher.exhausted:
            self._fetcher.fetch(BATCH)

    def reload(self) -> None:
        self.set_query(self.query)

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
            sign = SIGNS.get(self._rows[row][_TYPE_FIELD])
            return (IN_BRUSH if sign == "+" else OUT_BRUSH) if sign else None
        marks = self._marks
        if role == _BACKGROUND:
            return marks.background(self._rows[row][0]) if marks.problems else None
        if role == _DECORATION:
            if index.column() != 0 or not (marks.problems or marks.notes):
                return None
            return marks.icon(self._rows[row][0])
        if role == _TOOLTIP:
            marked = marks.tooltip(self._rows[row][0])
            if marked:
                return marked
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
            return marks.problems.get(self._rows[row][0])
        if role == Role.NOTE:
            return marks.notes.get(self._rows[row][0])
        return None

    def canFetchMore(self, parent: Index) -> bool:  # noqa: N802
        return not parent.isValid() and self._fetcher.can_fetch_more

    def fetchMore(self, parent: Index) -> None:  # noqa: N802
        if not parent.isValid():
            self._fetcher.fetch_more()

    # -- fetched rows ------------------------------------------------------------------

    def cancel_fetch(self) -> None:
        """Stop a long filtered scan; what it found so far stays, and it can go on."""
        self._fetcher.cancel()

    def resume(self) -> None:
        self._fetcher.resume()

    def refresh_newer(self) -> None:
        """Merge events that arrived since the log was read (the follower saw the head move)."""
        self._fetcher.refresh_newer()

    def _on_page_fetched(self, rows: list[LogRow], texts: list[Texts]) -> None:
        if rows:
            key_name = self.query.key_name
            sign = -1 if self.query.newest_first else 1
            start = len(self._rows)
            self.beginInsertRows(QModelIndex(), start, start + len(rows) - 1)
            self._rows.extend(tuple(row) for row in rows)
            self._texts.extend(texts)
            self._keys.extend(sign * row.key(key_name) for row in rows)
            self.endInsertRows()
        self.rows_fetched.emit(len(rows))
        if self._target is not None:
            self._seek()

    def _on_newer_fetched(self, rows: list[LogRow], texts: list[Texts]) -> None:
        key_name = self.query.key_name
        self.beginInsertRows(QModelIndex(), 0, len(rows) - 1)
        self._rows[0:0] = [tuple(row) for row in rows]
        self._texts[0:0] = texts
        self._keys[0:0] = [-row.key(key_name) for row in rows]
        self.endInsertRows()
        self.rows_fetched.emit(len(rows))

    # -- finding an event --------------------------------------------------------------

    def row_of_key(self, key: int) -> int:
        """The row showing the event with this key (version or position), or -1."""
        wanted = -key if self.query.newest_first else key
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
        wanted = -key if self.query.newest_first else key
        beyond = not self._keys or wanted > self._keys[-1]
        if beyond and self._fetcher.can_fetch_more and len(self._rows) < MAX_SEEK_ROWS:
            self._fetcher.fetch(SEEK_BATCH)
        else:
            self._target = None  # filtered out, or newer than the log: nothing to show

    def row(self, row: int) -> LogRow | None:
        return LogRow._make(self._rows[row]) if 0 <= row < len(self._rows) else None

    def loaded_count(self) -> int:
        return len(self._rows)

    def summary(self) -> str:
        more = "" if self._fetcher.exhausted else "+"
        return plural(len(self._rows), "event").replace(" ", f"{more} ", 1)
