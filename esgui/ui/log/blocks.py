"""Blocks of an unfiltered log, fetched off the GUI thread around what the view shows.

An unfiltered log (one account, or the whole store) needs no scan to know its size
or where its n-th row is: its keys run 1 … bound without gaps (`esgui.app.log_seek`).
So the model shows every row at once and asks here only for the keys on screen:
`open` learns the bound (and the first block), `fetch` a key range (one at a time;
a newer request replaces a waiting one), `refresh` the keys above the bound after the
head moved. Results of an older query (`reset`) are dropped when they arrive.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QObject, Signal

from esgui.app.log_seek import key_count, unfiltered
from esgui.app.queries import EventQuery, LogRow, fetch_page
from esgui.ui.common.session import Session
from esgui.ui.common.tasks import CancelToken, Task
from esgui.ui.log.columns import Texts, texts_of

BLOCK = 200  # keys per fetch around the viewport
NEWER_LIMIT = 2000  # new keys fetched at once after the head moved (more: fetched on demand)
Rows = tuple[list[LogRow], list[Texts]]


def _fetch(session: Session, query: EventQuery, low: int, high: int) -> Rows:
    store = session.store
    assert store is not None
    if high < low:
        return [], []
    page = fetch_page(store, unfiltered(query), low - 1, high - low + 1)
    return page.rows, [texts_of(row) for row in page.rows]


class BlockFetcher(QObject):
    opened = Signal(int, object, object)  # bound, rows, texts (the first block)
    fetched = Signal(object, object)  # rows, texts: a key range, ascending
    grew = Signal(int, object, object)  # new bound, rows, texts (the newest keys)
    failed = Signal(str)

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._session: Session | None = None
        self.query = EventQuery()
        self._generation = 0
        self._fetch: Task | None = None
        self._wanted: tuple[int, int] | None = None
        self._refresh: Task | None = None
        self._refresh_again = False
        self.bound = 0
        self.ready = False  # the bound is known

    def set_session(self, session: Session | None) -> None:
        self._session = session

    def reset(self, query: EventQuery) -> None:
        self._generation += 1
        for task in (self._fetch, self._refresh):
            if task is not None:
                task.cancel()
        self._fetch = self._refresh = None
        self._wanted = None
        self._refresh_again = False
        self.query = query
        self.bound = 0
        self.ready = False

    @property
    def busy(self) -> bool:
        return self._fetch is not None

    def _submit(self, work: Any, on_done: Any) -> Task | None:
        session = self._session
        if session is None or not session.ready:
            return None
        generation = self._generation
        task = session.submit(work, label="Loading the event log")
        task.finished.connect(lambda result: on_done(generation, result))
        task.failed.connect(lambda message: self._on_failed(generation, message))
        return task

    def open(self) -> None:
        """Learn the bound and fetch the block the log starts with."""
        session, query = self._session, self.query
        if session is None:
            return

        def work(_token: CancelToken) -> tuple[int, Rows]:
            assert session.store is not None
            bound = key_count(session.store, query)
            low, high = (max(bound - BLOCK + 1, 1), bound) if query.newest_first else \
                (1, min(BLOCK, bound))  # fmt: skip
            return bound, _fetch(session, query, low, high)

        self._watch_fetch(self._submit(work, self._on_opened))

    def _on_opened(self, generation: int, result: tuple[int, Rows]) -> None:
        if generation != self._generation:
            return
        bound, (rows, texts) = result
        self.bound, self.ready = bound, True
        self.opened.emit(bound, rows, texts)

    def fetch(self, low: int, high: int) -> None:
        """Fetch keys `low`…`high` (after the fetch under way, if any)."""
        if not self.ready or high < low:
            return
        if self._fetch is not None:
            self._wanted = (low, high)
            return
        session, query = self._session, self.query
        if session is None:
            return
        self._watch_fetch(self._submit(lambda _t: _fetch(session, query, low, high),
                                       self._on_fetched))  # fmt: skip

    def _on_fetched(self, generation: int, result: Rows) -> None:
        if generation == self._generation:
            self.fetched.emit(*result)

    def _watch_fetch(self, task: Task | None) -> None:
        self._fetch = task
        if task is not None:
            task.ended.connect(lambda t=task: self._on_fetch_ended(t))

    def _on_fetch_ended(self, task: Task) -> None:
        if task is not self._fetch:
            return
        self._fetch = None
        wanted, self._wanted = self._wanted, None
        if wanted is not None:
            self.fetch(*wanted)

    def refresh(self) -> None:
        """The head moved: learn the new bound and fetch the newest keys."""
        if not self.ready:
            return
        if self._refresh is not None:
            self._refresh_again = True
            return
        session, query, old = self._session, self.query, self.bound

        def work(_token: CancelToken) -> tuple[int, Rows]:
            assert session is not None and session.store is not None
            bound = key_count(session.store, query)
            low = max(old + 1, bound - NEWER_LIMIT + 1)
            return bound, _fetch(session, query, low, bound)

        self._refresh_again = False
        task = self._submit(work, self._on_grew)
        self._refresh = task
        if task is not None:
            task.ended.connect(lambda t=task: self._on_refresh_ended(t))

    def _on_grew(self, generation: int, result: tuple[int, Rows]) -> None:
        if generation != self._generation:
            return
        bound, (rows, texts) = result
        if bound > self.bound:
            self.bound = bound
            self.grew.emit(bound, rows, texts)

    def _on_refresh_ended(self, task: Task) -> None:
        if task is not self._refresh:
            return
        self._refresh = None
        if self._refresh_again:
            self.refresh()

    def _on_failed(self, generation: int, message: str) -> None:
        if generation == self._generation:
            self.failed.emit(message)
