"""The read-only query console: SQL typed by a user, run so that it cannot change anything.

The guarantee comes from the database, not from reading the SQL (docs/query.md):
SQLite runs it on a connection of its own opened read-only (``mode=ro``) with an
authorizer that allows only reading the documented views (`console_sqlite`);
PostgreSQL runs it in a READ ONLY transaction, on a connection of its own that is
closed afterwards, under a role that may only SELECT the views (`console_postgresql`).
Results come in pages (`fetch`), never all at once; every step is bounded by a time
limit and can be cancelled from another thread.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, Protocol

from esgui.errors import InvalidInput, QueryStopped
from esgui.store.connections import Connections
from esgui.store.engine import translated

DEFAULT_TIME_LIMIT_S = 30.0
MAX_TIME_LIMIT_S = 3600.0
DEFAULT_PAGE = 500
MAX_SQL_CHARS = 100_000


class Cancellation:
    """Cancels a query from any thread, also before it has returned its first rows: the
    backend's cursor registers how to interrupt its connection as soon as it has one."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._hooks: list[Callable[[], None]] = []
        self._set = False

    @property
    def cancelled(self) -> bool:
        return self._set

    def cancel(self) -> None:
        with self._lock:
            self._set = True
            hooks = list(self._hooks)
        for hook in hooks:
            hook()

    def on_cancel(self, hook: Callable[[], None]) -> None:
        """Call `hook` on cancel (at once if cancelled already)."""
        with self._lock:
            self._hooks.append(hook)
            now = self._set
        if now:
            hook()


class ConsoleCursor(Protocol):
    """One running query on a backend's sandboxed connection."""

    columns: tuple[str, ...]

    def fetch(self, count: int) -> list[tuple[Any, ...]]:
        """The next `count` rows at most ([] when there are no more)."""
        ...

    def close(self) -> None: ...


@dataclass(frozen=True, slots=True)
class QueryLimits:
    """How long one step of a query (running it, one page of rows) may take."""

    time_limit_s: float = DEFAULT_TIME_LIMIT_S

    def __post_init__(self) -> None:
        if not 0 < self.time_limit_s <= MAX_TIME_LIMIT_S:
            raise InvalidInput(
                f"Invalid time limit {self.time_limit_s!r}: more than 0, at most "
                f"{MAX_TIME_LIMIT_S:.0f} seconds"
            )


class QueryResult:
    """A query's columns and its rows, fetched page by page. Close it (or use it as a
    context manager); `cancel()` may be called from any thread."""

    def __init__(self, cursor: ConsoleCursor, description: str, cancellation: Cancellation) -> None:
        self._cursor = cursor
        self._description = description
        self._lock = threading.Lock()
        self._cancellation = cancellation
        self._done = False
        self.columns = cursor.columns
        self.fetched = 0

    @property
    def exhausted(self) -> bool:
        return self._done

    def fetch(self, count: int = DEFAULT_PAGE) -> list[tuple[Any, ...]]:
        """The next page of rows ([] at the end)."""
        if self._done:
            return []
        if self._cancellation.cancelled:
            raise QueryStopped("The query was cancelled")
        try:
            with translated(self._description):
                rows = self._cursor.fetch(count)
        except BaseException:
            self.close()
            raise
        if len(rows) < count:
            self.close()
        self.fetched += len(rows)
        return rows

    def rows(self, page_size: int = DEFAULT_PAGE) -> Iterator[tuple[Any, ...]]:
        """Every remaining row, read page by page."""
        while True:
            page = self.fetch(page_size)
            yield from page
            if len(page) < page_size:
                return

    def cancel(self) -> None:
        """Interrupt the running step (from any thread)."""
        self._cancellation.cancel()

    def close(self) -> None:
        with self._lock:
            if self._done:
                return
            self._done = True
        self._cursor.close()

    def __enter__(self) -> QueryResult:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()


class QueryConsole:
    """Runs console queries on a store (see the module docstring)."""

    def __init__(self, conns: Connections, url: Any) -> None:
        self._conns = conns
        self._url = url

    def run(
        self,
        sql: str,
        limits: QueryLimits | None = None,
        cancellation: Cancellation | None = None,
    ) -> QueryResult:
        """Start `sql`; its first page is ready to fetch. Raises NotPermitted for
        anything but a query (a write, DDL, several statements, a side effect),
        InvalidInput for a malformed query, QueryStopped past the time limit."""
        if not isinstance(sql, str) or not sql.strip():
            raise InvalidInput("Empty query: type a SELECT over the documented views")
        if len(sql) > MAX_SQL_CHARS:
            raise InvalidInput(f"Query too long: at most {MAX_SQL_CHARS} characters")
        if "\x00" in sql:
            raise InvalidInput("Invalid query: it contains a NUL character")
        limits = limits or QueryLimits()
        cancellation = cancellation or Cancellation()
        if cancellation.cancelled:
            raise QueryStopped("The query was cancelled")
        with translated(self._conns.description):
            cursor = self._conns.backend.open_console(
                self._conns.engine, self._url, sql, limits.time_limit_s, cancellation
            )
        return QueryResult(cursor, self._conns.description, cancellation)
