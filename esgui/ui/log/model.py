"""The event log as a table model whose rows are fetched off the GUI thread.

Longer than 400 lines because one Qt model serves two paging modes that share data()
and the row/key map.

Two ways to page, chosen by the query:

- **Unfiltered** (one account, or the whole store): every row is there at once — the
  count is the largest key (positions and versions are gapless: a head lookup, no
  COUNT), row n is key n from the top — so the scroll bar spans the whole log, Home
  and End reach the newest and oldest event at once, and a position is a row. Only
  the rows around the viewport are held (`ensure_rows`, blocks of `BlockFetcher`);
  rows far from it are evicted, so memory stays bounded however long the log is.
- **Filtered** (type, operator, time, text): keyset pages of matches (`LogFetcher`),
  `rowCount` is what has been found so far ("1,200+ events"), `canFetchMore` /
  `fetchMore` find more; a long scan shows progress and can be stopped. Such a log
  can start at a position instead of its newest event (`start_at`).

`data()` and `flags()` read memory only. New events are merged live. `request_key`
finds a given event (the timeline's); integrity problems and review notes mark rows
(`LogMarks`).
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Mapping
from typing import Any

from PySide6.QtCore import QModelIndex, Qt, Signal

from esgui.app.log_seek import anchored
from esgui.app.queries import EventQuery, LogRow
from esgui.ui.common.formatting import count, plural, utc_iso
from esgui.ui.common.session import Session
from esgui.ui.common.table_model import Index, Role, TableModel
from esgui.ui.log.blocks import BlockFetcher
from esgui.ui.log.columns import HEADERS, IN_BRUSH, NUMERIC, OUT_BRUSH, SIGNS, LogColumn, Texts
from esgui.ui.log.fetcher import BATCH, LogFetcher
from esgui.ui.log.held import HeldRows
from esgui.ui.log.marks import LogMarks

SEEK_BATCH = 5000  # larger batches while fetching on towards a requested event
MAX_SEEK_ROWS = 150_000  # fetching on towards an event stops here (memory stays bounded)
MAX_HELD = 6000  # rows an unfiltered log holds around the viewport at most
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
_EMPTY: Texts = ("", "", "", "", "", "", "")


class EventLogModel(TableModel[tuple[Any, ...]]):
    fetch_started = Signal()
    fetch_progressed = Signal(int, int)  # keys scanned, keys in range (filtered scans)
    rows_fetched = Signal(int)  # how many rows the last batch added (or loaded)
    fetch_failed = Signal(str)
    fetch_stopped = Signal()  # a filtered scan was cancelled: rows so far stay
    key_found = Signal(int)  # the row of the key asked for with request_key
    end_reached = Signal(int)  # a filtered log fetched to its end (`fetch_to_end`): last row

    def __init__(self, parent: Any = None) -> None:
        # rows: plain tuples (LogRow's fields): exact tuples of plain values are left
        # alone by Python's cycle collector, so a long log never makes it pause the GUI
        super().__init__(HEADERS, NUMERIC, parent)
        self._texts: list[Texts] = []  # what data() shows, per row (filtered logs)
        self._keys: list[int] = []  # ascending in display order (negated when newest first)
        self._direct = False  # unfiltered: rows are keys, held around the viewport
        self._held = HeldRows()  # an unfiltered log's rows near the viewport
        self._session: Session | None = None
        self._target: int | None = None
        self._to_end = False
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
        self._blocks = BlockFetcher(self)
        self._blocks.opened.connect(self._on_opened)
        self._blocks.fetched.connect(self._on_block)
        self._blocks.grew.connect(self._on_grew)
        self._blocks.failed.connect(self.fetch_failed)

    # -- configuration -----------------------------------------------------------------

    @property
    def query(self) -> EventQuery:
        return self._blocks.query if self._direct else self._fetcher.query

    @property
    def direct(self) -> bool:
        """Whether every row is there at once (an unfiltered log)."""
        return self._direct

    @property
    def status(self) -> str:
        """Loaded / all loaded / paused / failed, for the panel's footer."""
        if self._direct:
            return "Loading…" if self._blocks.busy and not self._blocks.ready else ""
        return self._fetcher.status

    @property
    def anchored(self) -> bool:
        """A filtered log that starts at a position, not at its newest event."""
        return not self._direct and self._fetcher.anchored

    @property
    def scan_window(self) -> int:
        """Keys per query of a filtered scan."""
        return self._fetcher.scan_window

    @scan_window.setter
    def scan_window(self, keys: int) -> None:
        self._fetcher.scan_window = keys

    @property
    def session(self) -> Session | None:
        return self._session

    def set_session(self, session: Session | None) -> None:
        self._session = session
        self._fetcher.set_session(session)
        self._blocks.set_session(session)
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
        rows = self.rowCount()
        if rows:
            last = self.index(rows - 1, len(HEADERS) - 1)
            self.dataChanged.emit(self.index(0, 0), last,
                                  [_BACKGROUND, _DECORATION, _TOOLTIP])  # fmt: skip

    def set_query(self, query: EventQuery, *, start_at: int | None = None) -> None:
        """Show another selection of events: reset, then fetch its first rows. A
        filtered log can start at key `start_at` (its newest match at or before it,
        in newest-first order) instead of its newest event."""
        self.beginResetModel()
        self._fetcher.reset(query if query.filtered else EventQuery(), None)
        self._blocks.reset(query)
        self._direct = not query.filtered
        if not self._direct:
            cursor = anchored(query, start_at) if start_at is not None else None
            self._fetcher.reset(query, cursor)
        self._rows, self._texts, self._keys = [], [], []
        self._held.reset(query.newest_first)
        self._target, self._to_end = None, False
        self.endResetModel()
        if self._direct:
            self._blocks.open()
        elif not self._fetcher.exhausted:
            self._fetcher.fetch(BATCH)

    def reload(self) -> None:
        self.set_query(self.query)

    # -- Qt ------------------------------------------------------------------------------

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008, N802
        if parent.isValid():
            return 0
        return self._held.total if self._direct else len(self._rows)

    def _entry(self, row: int) -> tuple[tuple[Any, ...], Texts] | None:
        if self._direct:
            return self._held.get(row)
        if not 0 <= row < len(self._texts):
            return None
        return self._rows[row], self._texts[row]

    def data(self, index: Index, role: int = _DISPLAY) -> Any:
        found = self._entry(index.row())
        if found is None:
            return self._placeholder(index, role)
        fields, texts = found
        if role == _DISPLAY:
            return texts[index.column()]
        if role == _ALIGNMENT:
            return self._align[index.column()]
        if role == _FOREGROUND:
            if index.column() != _AMOUNT:
                return None
            sign = SIGNS.get(fields[_TYPE_FIELD])
            return (IN_BRUSH if sign == "+" else OUT_BRUSH) if sign else None
        marks = self._marks
        if role == _BACKGROUND:
            return marks.background(fields[0]) if marks.problems else None
        if role == _DECORATION:
            if index.column() != 0 or not (marks.problems or marks.notes):
                return None
            return marks.icon(fields[0])
        if role == _TOOLTIP:
            marked = marks.tooltip(fields[0])
            if marked:
                return marked
            event = LogRow._make(fields)
            if event.unreadable:
                return "This event cannot be decoded; the inspector shows it as stored"
            if event.upcast:
                return "Stored in an older schema; shown upcast to the current one"
            return utc_iso(event.recorded_at) if index.column() == _RECORDED else None
        if role == Role.POSITION:
            return fields[0]
        if role == Role.VERSION:
            return fields[2]
        if role == Role.ACCOUNT_ID:
            return fields[1]
        if role == Role.PAYLOAD:
            return LogRow._make(fields)
        if role == Role.PROBLEM:
            return marks.problems.get(fields[0])
        if role == Role.NOTE:
            return marks.notes.get(fields[0])
        return None

    def _placeholder(self, index: Index, role: int) -> Any:
        """A row of an unfiltered log not fetched yet: its key, and "…"."""
        row = index.row()
        if not self._direct or not 0 <= row < self._held.total:
            return None
        if role == _ALIGNMENT:
            return self._align[index.column()]
        if role != _DISPLAY:
            return None
        key_column = LogColumn.VERSION if self.query.key_name == "version" else LogColumn.POSITION
        column = index.column()
        if column == key_column:
            return str(self.key_of_row(row))
        return "…" if column == LogColumn.TYPE else ""

    def canFetchMore(self, parent: Index) -> bool:  # noqa: N802
        return not parent.isValid() and not self._direct and self._fetcher.can_fetch_more

    def fetchMore(self, parent: Index) -> None:  # noqa: N802
        if not parent.isValid() and not self._direct:
            self._fetcher.fetch_more()

    # -- unfiltered logs: rows around the viewport ---------------------------------------

    def key_of_row(self, row: int) -> int:
        """The key (version or position) of the event shown in `row` (0: none)."""
        if self._direct:
            return self._held.key_of_row(row)
        return abs(self._keys[row]) if 0 <= row < len(self._keys) else 0

    def ensure_rows(self, first: int, last: int) -> None:
        """Rows `first`…`last` are on screen: fetch what of them (and a block either
        side) is not held yet. Memory stays bounded: far rows are dropped later."""
        if not self._direct or not self._blocks.ready:
            return
        wanted = self._held.wanted(first, last)
        if wanted is not None:
            self._blocks.fetch(*wanted)

    def _hold(self, rows: list[LogRow], texts: list[Texts]) -> tuple[int, int]:
        return self._held.hold(rows, texts, self.query.key_name, MAX_HELD)

    def held_count(self) -> int:
        """Rows held in memory (an unfiltered log holds those near the viewport)."""
        return len(self._held.rows) if self._direct else len(self._rows)

    def _on_opened(self, bound: int, rows: list[LogRow], texts: list[Texts]) -> None:
        self._hold(rows, texts)
        if bound:
            self.beginInsertRows(QModelIndex(), 0, bound - 1)
            self._held.total = bound
            self.endInsertRows()
        self.rows_fetched.emit(len(rows))
        if self._target is not None:
            self._seek()

    def _on_block(self, rows: list[LogRow], texts: list[Texts]) -> None:
        first, last = self._hold(rows, texts)
        if first >= 0:
            self.dataChanged.emit(self.index(first, 0), self.index(last, len(HEADERS) - 1))
        self.rows_fetched.emit(len(rows))

    def _on_grew(self, bound: int, rows: list[LogRow], texts: list[Texts]) -> None:
        added = bound - self._held.total
        if added <= 0:
            return
        start = 0 if self.query.newest_first else self._held.total
        self.beginInsertRows(QModelIndex(), start, start + added - 1)
        self._held.total = bound
        self.endInsertRows()
        self._hold(rows, texts)
        self.rows_fetched.emit(added)
        if self._target is not None:
            self._seek()

    # -- filtered logs: keyset pages -----------------------------------------------------

    def cancel_fetch(self) -> None:
        """Stop a long filtered scan; what it found so far stays, and it can go on."""
        self._to_end = False
        self._fetcher.cancel()

    def resume(self) -> None:
        self._fetcher.resume()

    def refresh_newer(self) -> None:
        """Merge events that arrived since the log was read (the follower saw the head move)."""
        if self._direct:
            self._blocks.refresh()
        else:
            self._fetcher.refresh_newer()

    def fetch_to_end(self) -> None:
        """A filtered log: find every match (up to MAX_SEEK_ROWS); `end_reached` then."""
        if self._direct:
            self.end_reached.emit(self._held.total - 1)
            return
        self._to_end = True
        self._continue_to_end()

    def _continue_to_end(self) -> None:
        if not self._fetcher.can_fetch_more or len(self._rows) >= MAX_SEEK_ROWS:
            self._to_end = False
            self.end_reached.emit(len(self._rows) - 1)
        elif not self._fetcher.busy:
            self._fetcher.fetch(SEEK_BATCH)

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
        if self._to_end:
            self._continue_to_end()
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
        if self._direct:
            return self._held.row_of_key(key) if 1 <= key <= self._held.total else -1
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
        if self._direct:
            if not self._blocks.ready:
                return  # the log is opening: looked for again when it has
            if key > self._held.total:
                self._blocks.refresh()  # newer than the log: it appears when the log grows
            else:
                self._target = None
            return
        wanted = -key if self.query.newest_first else key
        beyond = not self._keys or wanted > self._keys[-1]
        if beyond and self._fetcher.can_fetch_more and len(self._rows) < MAX_SEEK_ROWS:
            self._fetcher.fetch(SEEK_BATCH)
        else:
            self._target = None  # filtered out, or newer than the log: nothing to show

    def row(self, row: int) -> LogRow | None:
        """The event shown in `row`, or None (none there, or not fetched yet)."""
        found = self._entry(row)
        return LogRow._make(found[0]) if found is not None else None

    def loaded_count(self) -> int:
        return self.rowCount()

    def summary(self) -> str:
        if self._direct:
            return plural(self._held.total, "event")
        if self._fetcher.exhausted:
            return plural(len(self._rows), "event")
        return f"{count(len(self._rows))}+ events"  # found so far; more may follow
