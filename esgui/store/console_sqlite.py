"""The query console on SQLite: a read-only connection the database itself polices.

Three locks, each enough on its own against writes: the file is opened ``mode=ro`` (the
library refuses every write to it), an authorizer allows only SELECT, reading the
documented views (and what those views read) and calling functions other than
`load_extension` — ATTACH, PRAGMA, DDL, transactions, VACUUM and every write are denied
when the statement is prepared — and ``SQLITE_LIMIT_ATTACHED`` is 0. sqlite3 prepares
one statement per call, so several statements in one are refused too. A progress
handler enforces the time limit and cancellation.
"""

from __future__ import annotations

import contextlib
import sqlite3
import time
import urllib.parse
from pathlib import Path
from typing import Any

from esgui.errors import InvalidInput, NotPermitted, QueryStopped, StoreUnavailable
from esgui.store.views import READABLE

_ALLOWED_ACTIONS = frozenset(
    {
        sqlite3.SQLITE_SELECT,
        sqlite3.SQLITE_READ,
        sqlite3.SQLITE_FUNCTION,
        getattr(sqlite3, "SQLITE_RECURSIVE", 33),
    }
)
_DENIED_FUNCTIONS = frozenset({"load_extension"})
_READABLE = frozenset(READABLE)
_PROGRESS_STEPS = 20_000  # VM instructions between two looks at the clock
REFUSED = "the query console only reads (SELECT over the documented views); nothing was changed"


def _authorize(
    action: int, arg1: str | None, arg2: str | None, _db: str | None, inner: str | None
) -> int:
    if action not in _ALLOWED_ACTIONS:
        return sqlite3.SQLITE_DENY
    if action == sqlite3.SQLITE_READ:
        # A documented view itself, or a table read on behalf of one of them. An empty
        # column name reads no value (SQLite counting rows for count(*)).
        allowed = (
            (arg1 or "").lower() in _READABLE or (inner or "").lower() in _READABLE or arg2 == ""
        )
        return sqlite3.SQLITE_OK if allowed else sqlite3.SQLITE_DENY
    if action == sqlite3.SQLITE_FUNCTION and (arg2 or "").lower() in _DENIED_FUNCTIONS:
        return sqlite3.SQLITE_DENY
    return sqlite3.SQLITE_OK


class SQLiteConsoleCursor:
    def __init__(
        self, path: Path, sql: str, time_limit_s: float, busy_timeout_s: float, cancellation: Any
    ) -> None:
        self._time_limit_s = time_limit_s
        self._deadline = time.monotonic() + time_limit_s
        self._cancellation = cancellation
        self._stopped_by: str | None = None
        uri = f"file:{urllib.parse.quote(str(path.resolve()))}?mode=ro"
        try:
            self._conn = sqlite3.connect(
                uri, uri=True, timeout=busy_timeout_s, check_same_thread=False, isolation_level=None
            )
        except sqlite3.Error as error:
            raise StoreUnavailable(f"Cannot open {path} for reading: {error}") from None
        cancellation.on_cancel(self._interrupt)
        try:
            self._conn.setlimit(sqlite3.SQLITE_LIMIT_ATTACHED, 0)
            self._conn.set_authorizer(_authorize)
            self._conn.set_progress_handler(self._progress, _PROGRESS_STEPS)
            self._cursor = self._run(lambda: self._conn.execute(sql))
            if self._cursor.description is None:
                raise NotPermitted(f"Not a query: this statement returns no rows; {REFUSED}")
            self.columns = tuple(str(d[0]) for d in self._cursor.description)
        except BaseException:
            self.close()
            raise

    def _progress(self) -> int:
        if self._cancellation.cancelled:
            self._stopped_by = "cancelled"
            return 1
        if time.monotonic() > self._deadline:
            self._stopped_by = "time limit"
            return 1
        return 0

    def _run(self, step: Any) -> Any:
        self._deadline = time.monotonic() + self._time_limit_s
        try:
            return step()
        except sqlite3.Error as error:
            raise self._explain(error) from None

    def _explain(self, error: sqlite3.Error) -> Exception:
        message = str(error).strip() or type(error).__name__
        lowered = message.lower()
        if "interrupt" in lowered:
            if self._stopped_by == "time limit":
                return QueryStopped(
                    f"The query ran longer than its time limit ({self._time_limit_s:g} s) "
                    "and was stopped"
                )
            return QueryStopped("The query was cancelled")
        if (
            "not authorized" in lowered
            or "authorization denied" in lowered
            or "readonly database" in lowered
            or "one statement at a time" in lowered
            or "too many attached" in lowered
            or "prohibited" in lowered
        ):
            what = "several statements" if "one statement" in lowered else message
            return NotPermitted(f"Refused ({what}): {REFUSED}")
        if isinstance(
            error,
            (
                sqlite3.OperationalError,
                sqlite3.ProgrammingError,
                sqlite3.IntegrityError,
                sqlite3.DataError,
            ),
        ):
            return InvalidInput(f"Invalid query: {message}")
        return StoreUnavailable(f"The query failed: {message}")

    def fetch(self, count: int) -> list[tuple[Any, ...]]:
        if self._cancellation.cancelled:
            raise QueryStopped("The query was cancelled")
        rows: list[tuple[Any, ...]] = self._run(lambda: self._cursor.fetchmany(count))
        return rows

    def _interrupt(self) -> None:
        with contextlib.suppress(sqlite3.Error):  # already closed, or nothing running
            self._conn.interrupt()

    def close(self) -> None:
        with contextlib.suppress(sqlite3.Error):  # already closed, or nothing running
            self._conn.close()
