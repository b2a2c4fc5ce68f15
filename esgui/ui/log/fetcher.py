"""The event log's paging worker: keyset pages of the current query, fetched off the
GUI thread on the session's pool, and the events newer than the log's top.

It owns where paging stands (the cursor after the last key examined, the top key of a
newest-first log, whether the selection is exhausted, or paused by a failure or a
Stop) and hands each page to the model by signal. A new query (`reset`) starts a new
generation: results of the old one are dropped when they arrive.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QObject, Signal

from esgui.app.queries import SCAN_WINDOW, EventQuery, LogRow, Page, fetch_newer, fetch_page
from esgui.ui.common.session import Session
from esgui.ui.common.tasks import CancelToken, Task
from esgui.ui.log.columns import Texts, texts_of

BATCH = 200
NEWER_LIMIT = 2000  # more new events than this at once: reload instead of merging


class LogFetcher(QObject):
    started = Signal()
    progressed = Signal(int, int)  # keys scanned, keys in range (filtered scans)
    page_fetched = Signal(object, object)  # list[LogRow], list[Texts]: after the cursor
    newer_fetched = Signal(object, object)  # list[LogRow], list[Texts]: newest first
    overflowed = Signal()  # too many new events to merge: the log is to be reloaded
    failed = Signal(str)
    stopped = Signal()  # a filtered scan was cancelled: what it found so far stays

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._session: Session | None = None
        self.query = EventQuery()
        self.scan_window = SCAN_WINDOW  # keys per query of a filtered scan
        self.status = ""  # Loading… / All loaded / Scroll for more / Stopped / failed
        self._cursor: int | None = None
        self._top = 0
        self._exhausted = True
        self._paused = False
        self._loaded = False
        self._generation = 0
        self._fetch: Task | None = None
        self._newer: Task | None = None
        self._newer_again = False
        self.anchored = False  # started at a position: newer events are not merged

    def set_session(self, session: Session | None) -> None:
        self._session = session

    def reset(self, query: EventQuery, cursor: int | None = None) -> None:
        """Page `query` from its start (or after `cursor`: a log started at a given
        position); work under way for the old one is cancelled."""
        self._generation += 1
        for task in (self._fetch, self._newer):
            if task is not None:
                task.cancel()
        self._fetch = self._newer = None
        self.query = query
        self._cursor, self._top = cursor, 0
        self.anchored = cursor is not None
        self._exhausted = (self._session is None or not self._session.ready
                           or query.aggregate_id == "")  # fmt: skip
        self._paused = False
        self._loaded = False
        self._newer_again = False

    @property
    def exhausted(self) -> bool:
        return self._exhausted

    @property
    def can_fetch_more(self) -> bool:
        return not self._exhausted and not self._paused

    @property
    def busy(self) -> bool:
        return self._fetch is not None

    # -- pages after the cursor --------------------------------------------------------

    def fetch(self, limit: int) -> None:
        """Fetch the next `limit` rows after the cursor (nothing when a fetch runs)."""
        session = self._session
        if session is None or not session.ready or self._fetch is not None:
            return
        store, query, cursor = session.store, self.query, self._cursor
        generation, window = self._generation, self.scan_window
        assert store is not None

        def work(token: CancelToken) -> tuple[Page, list[Texts]]:
            page = fetch_page(store, query, cursor, limit, should_stop=token.stopped,
                              progress=token.progress, window=window)  # fmt: skip
            return page, [texts_of(row) for row in page.rows]

        task = session.submit(work, label="Filtering the event log")
        task.finished.connect(lambda page: self._on_page(generation, page))
        task.failed.connect(lambda message: self._on_failed(generation, message))
        task.cancelled.connect(lambda: self._on_cancelled(generation))
        task.progressed.connect(self.progressed)
        self._fetch = task
        self.status = "Loading…"
        self.started.emit()

    def fetch_more(self) -> None:
        if self.can_fetch_more and self._fetch is None:
            self.fetch(BATCH)

    def cancel(self) -> None:
        """Stop a long filtered scan; what it found so far stays, and it can go on."""
        if self._fetch is not None:
            self._fetch.cancel()

    def resume(self) -> None:
        self._paused = False
        self.fetch_more()

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
        self.status = "All loaded" if page.exhausted else "Scroll for more"
        self.page_fetched.emit(page.rows, texts)
        if first and self._newer_again:
            self.refresh_newer()

    def _on_failed(self, generation: int, message: str) -> None:
        if generation != self._generation:
            return
        self._fetch = None
        self._paused = True
        self.status = f"Could not load events: {message}"
        self.failed.emit(message)

    def _on_cancelled(self, generation: int) -> None:
        if generation != self._generation:
            return
        self._fetch = None
        self._paused = True
        self._loaded = True
        self.status = "Stopped"
        self.stopped.emit()

    # -- events newer than the log -----------------------------------------------------

    def refresh_newer(self) -> None:
        """Fetch events that arrived since the log was read (the head moved)."""
        session = self._session
        if session is None or not session.ready or self.anchored:
            return
        if not self._loaded or self._newer is not None:
            self._newer_again = True
            return
        self._newer_again = False
        if not self.query.newest_first:
            if self._exhausted and not self._paused:
                self._exhausted = False
                self.fetch_more()
            return
        store, query, top, generation = session.store, self.query, self._top, self._generation
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
            self.overflowed.emit()
            return
        self._top = max(self._top, top)
        if rows:
            rows.reverse()  # newest first
            texts.reverse()
            self.newer_fetched.emit(rows, texts)

    def _on_newer_ended(self, generation: int) -> None:
        if generation != self._generation:
            return
        self._newer = None
        if self._newer_again:
            self.refresh_newer()
