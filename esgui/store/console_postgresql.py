"""The query console on PostgreSQL: a READ ONLY transaction under a read-only role, on a
connection of its own that is closed afterwards.

- The transaction is READ ONLY: every write, DDL, ``nextval``, ``NOTIFY``… is refused
  by the server. It always ends in a rollback.
- Inside it, ``SET LOCAL ROLE esgui_query`` (migration 0005): a NOLOGIN role with
  SELECT on the documented views only, and no superuser rights, so ``COPY … TO
  PROGRAM``, server files, dblink without a password, signalling other backends… are
  refused too.
- The SQL is first parsed by the server on its own with the extended protocol (one
  statement only: several are refused by the protocol) and described: a statement that
  returns no rows (DDL, COPY, SET, a write without RETURNING) is refused unrun. Rows then
  come through a server-side cursor (``DECLARE … CURSOR``, ``FETCH``), a page at a time.
- After each step esgui asks the server whether the session is still as it set it up
  (role, read-only, time limit, no advisory locks): functions such as
  ``pg_advisory_lock`` and ``set_config`` cannot be revoked from one role alone, so a
  query that used them is refused and its connection closed (which releases them).
- ``statement_timeout`` bounds each step; `cancel` sends the server a cancel request.
"""

from __future__ import annotations

import contextlib
from collections.abc import Sequence
from typing import Any

from esgui.errors import InvalidInput, NotPermitted, QueryStopped, StoreUnavailable
from esgui.store.urls import mask_text
from esgui.store.views import QUERY_ROLE

REFUSED = "the query console only reads (SELECT over the documented views); nothing was changed"
_CURSOR = "esgui_console"
_IDLE_LIMIT_MS = 15 * 60 * 1000  # an abandoned console transaction ends by itself


def _first_line(error: BaseException) -> str:
    text = str(error).strip()
    return mask_text(text.splitlines()[0]) if text else type(error).__name__


class PostgreSQLConsoleCursor:
    def __init__(
        self,
        args: Sequence[Any],
        kwargs: dict[str, Any],
        sql: str,
        time_limit_s: float,
        cancellation: Any,
    ) -> None:
        import psycopg  # only the console needs the driver itself here

        self._psycopg = psycopg
        self._time_limit_s = time_limit_s
        self._cancellation = cancellation
        self._timeout_ms = max(1, int(time_limit_s * 1000))
        kwargs = {**kwargs, "application_name": "esgui-query"}
        try:
            self._conn = psycopg.connect(*args, **kwargs, autocommit=False)
        except psycopg.Error as error:
            raise StoreUnavailable(f"Cannot connect for the query: {_first_line(error)}") from None
        cancellation.on_cancel(self._interrupt)
        try:
            self._prepare_session()
            self._check_statement(sql)
            self._cursor = self._conn.cursor(name=_CURSOR, scrollable=False)
            self._step(lambda: self._cursor.execute(sql), declaring=True)
            description = self._cursor.description or ()
            self.columns = tuple(column.name for column in description)
        except BaseException:
            self.close()
            raise

    # -- set-up ------------------------------------------------------------------------

    def _prepare_session(self) -> None:
        conn = self._conn
        try:
            conn.execute("SET TRANSACTION READ ONLY")
            conn.execute(f"SET LOCAL statement_timeout = {self._timeout_ms}")
            conn.execute(f"SET LOCAL idle_in_transaction_session_timeout = {_IDLE_LIMIT_MS}")
            row = conn.execute(
                "SELECT pg_has_role(current_user, oid, 'MEMBER') FROM pg_roles WHERE rolname = %s",
                (QUERY_ROLE,),
            ).fetchone()
            self._role = bool(row and row[0])
            if self._role:
                conn.execute(f"SET LOCAL ROLE {QUERY_ROLE}")
            self._expected = self._session_state()
        except self._psycopg.Error as error:
            raise StoreUnavailable(f"Cannot start the query: {_first_line(error)}") from None

    def _session_state(self) -> tuple[Any, ...]:
        row = self._conn.execute(
            "SELECT current_user, current_setting('transaction_read_only'), "
            "current_setting('statement_timeout'), current_setting('search_path'), "
            "(SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' "
            "AND pid = pg_backend_pid())"
        ).fetchone()
        return tuple(row or ())

    def _check_statement(self, sql: str) -> None:
        """Parse and describe `sql` on the server (extended protocol, nothing runs)."""
        pq = self._psycopg.pq
        pgconn = self._conn.pgconn
        result = pgconn.prepare(b"", sql.encode("utf-8"))
        if result.status != pq.ExecStatus.COMMAND_OK:
            message = (
                (
                    result.error_field(pq.DiagnosticField.MESSAGE_PRIMARY)
                    or result.error_message
                    or b""
                )
                .decode("utf-8", "replace")
                .strip()
            )
            state = (result.error_field(pq.DiagnosticField.SQLSTATE) or b"").decode()
            raise self._explain_state(state, message, declaring=False)
        described = pgconn.describe_prepared(b"")
        if described.status != pq.ExecStatus.COMMAND_OK:
            message = (described.error_message or b"").decode("utf-8", "replace").strip()
            raise InvalidInput(f"Invalid query: {mask_text(message.splitlines()[0])}")
        if described.nfields == 0:
            raise NotPermitted(f"Not a query: this statement returns no rows; {REFUSED}")

    # -- running -----------------------------------------------------------------------

    def _step(self, work: Any, *, declaring: bool = False) -> Any:
        try:
            value = work()
        except self._psycopg.Error as error:
            state = getattr(error, "sqlstate", None) or ""
            raise self._explain_state(state, _first_line(error), declaring=declaring) from None
        self._check_session()
        return value

    def _check_session(self) -> None:
        try:
            state = self._session_state()
        except self._psycopg.Error as error:
            raise StoreUnavailable(f"The query failed: {_first_line(error)}") from None
        if state != self._expected:
            raise NotPermitted(
                "Refused: the query changed the session (a lock, a setting or the role, "
                f"e.g. with pg_advisory_lock or set_config); {REFUSED}"
            )

    def _explain_state(self, state: str, message: str, *, declaring: bool) -> Exception:
        first = mask_text(message.splitlines()[0]) if message else "failed"
        if state == "57014":
            if self._cancellation.cancelled:
                return QueryStopped("The query was cancelled")
            return QueryStopped(
                f"The query ran longer than its time limit ({self._time_limit_s:g} s) "
                "and was stopped"
            )
        if state in ("25006", "42501", "0A000", "25001", "2F003", "38002", "38003"):
            return NotPermitted(f"Refused ({first}): {REFUSED}")
        if state == "42601" and ("multiple commands" in message or declaring):
            what = "several statements" if "multiple commands" in message else "not a query"
            return NotPermitted(f"Refused ({what}): {REFUSED}")
        if state.startswith(("42", "22", "21", "0A", "2B", "44", "P0")):
            return InvalidInput(f"Invalid query: {first}")
        if state.startswith("08") or not state:
            return StoreUnavailable(f"The query failed: {first}")
        return InvalidInput(f"The query failed: {first}")

    def fetch(self, count: int) -> list[tuple[Any, ...]]:
        if self._cancellation.cancelled:
            raise QueryStopped("The query was cancelled")
        rows: list[tuple[Any, ...]] = self._step(lambda: self._cursor.fetchmany(count))
        return rows

    def _interrupt(self) -> None:
        with contextlib.suppress(Exception):  # already closed, or nothing running
            self._conn.cancel_safe(timeout=5)

    def close(self) -> None:
        with contextlib.suppress(Exception):  # already closed, or nothing running
            self._conn.close()
