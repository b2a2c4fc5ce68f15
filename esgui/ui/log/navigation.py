"""Moving about a long event log at once: Go to position (`goToPositionEdit`), Go to
time, Home (the newest event, or the oldest when the log is oldest first) and End.

Where a position or time is in the log is found off the GUI thread (`esgui.app.
log_seek`: a binary search of point reads, no scan). An unfiltered log then just
selects that row (every row is there); a filtered one starts again at that position
(its newest match at or before it) and says so in the footer, Home going back to the
top. End on a filtered log finds the matches to the end first (with progress and Stop).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from PySide6.QtCore import QObject, Signal

from esgui.app.log_seek import key_at_position, key_at_time
from esgui.app.queries import EventQuery
from esgui.app.stores import EventStore
from esgui.ui.common.tasks import CancelToken
from esgui.ui.log.model import EventLogModel


class LogNavigator(QObject):
    arrived = Signal(int)  # the row to select (and show centred)
    failed = Signal(str)  # why it could not go there, in words

    def __init__(self, model: EventLogModel, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._model = model
        self._generation = 0
        self._wanted_row: int | None = None  # row 0 of a restarted filtered log
        self.anchor_text = ""  # "from position 1,234" while a filtered log starts there
        self.steering = False  # the log is being reset to go somewhere the user asked
        model.modelReset.connect(self._on_reset)
        model.rows_fetched.connect(self._on_rows_fetched)
        model.end_reached.connect(self._on_end_reached)

    def go_to_position(self, position: int) -> None:
        self._locate(lambda store, query: key_at_position(store, query, position),
                     f"position {position:,}")  # fmt: skip

    def go_to_time(self, when: datetime) -> None:
        stamp = when.astimezone().strftime("%Y-%m-%d %H:%M:%S")
        self._locate(lambda store, query: key_at_time(store, query, when), stamp)

    def home(self) -> None:
        """The top of the log (a filtered log that started at a position starts over)."""
        if self._model.anchored:
            self._wanted_row = 0
            self._restart(None)
            return
        if self._model.rowCount():
            self.arrived.emit(0)

    def end(self) -> None:
        """The bottom of the log: at once when unfiltered, after finding every match
        (up to a bound) when filtered."""
        if self._model.direct:
            if self._model.rowCount():
                self.arrived.emit(self._model.rowCount() - 1)
        else:
            self._model.fetch_to_end()

    def _locate(self, find: Callable[[EventStore, EventQuery], int], what: str) -> None:
        session = self._model.session
        if session is None or not session.ready or session.store is None:
            self.failed.emit("No store is open")
            return
        store, query = session.store, self._model.query
        self._generation += 1
        generation = self._generation

        def work(_token: CancelToken) -> int:
            return int(find(store, query))

        task = session.submit(work, label=f"Finding {what} in the event log")
        task.finished.connect(lambda key: self._on_found(generation, query, key, what))
        task.failed.connect(self.failed)

    def _on_found(self, generation: int, query: EventQuery, key: int, what: str) -> None:
        model = self._model
        if generation != self._generation or query != model.query:
            return  # the log changed meanwhile
        if key <= 0:
            self.failed.emit(f"No event of this log at or before {what}")
            return
        if model.direct:
            self.arrived.emit(model.row_of_key(key))
            return
        self._wanted_row = 0
        self._restart(key)
        self.anchor_text = f"from {what}"  # the reset cleared it

    def _restart(self, key: int | None) -> None:
        self.steering = True
        try:
            self._model.set_query(self._model.query, start_at=key)
        finally:
            self.steering = False

    def _on_reset(self) -> None:
        self.anchor_text = ""

    def _on_rows_fetched(self, _count: int) -> None:
        if self._wanted_row is not None and self._model.rowCount() > self._wanted_row:
            row, self._wanted_row = self._wanted_row, None
            self.arrived.emit(row)
        elif self._wanted_row is not None and not self._model.canFetchMore(
            self._model.index(0, 0).parent()
        ):
            self._wanted_row = None
            self.failed.emit("No matching event at or before that point")

    def _on_end_reached(self, row: int) -> None:
        if row >= 0:
            self.arrived.emit(row)
