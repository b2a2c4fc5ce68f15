"""Event-log browsing queries: windows of filtered rows keyed by position (the whole
store) or by version (one account), and the operators seen.

A window is one bounded query over a key range, so a selective filter (text, time range)
never makes one statement scan the whole table; `esgui.app.queries` strings windows
together into pages and may stop between them.
"""

from __future__ import annotations

from sqlalchemy import select

from esgui.store.connections import Connections
from esgui.store.decoding import columns_for, log_entry_from_row
from esgui.store.filters import EventFilter, event_conditions
from esgui.store.paging import KeysetPager
from esgui.store.records import LogEntry
from esgui.store.schema import events

KEYS = ("position", "version")


class EventLog:
    def __init__(self, conns: Connections) -> None:
        self._conns = conns
        self._columns = columns_for(conns.backend).log

    def window(
        self,
        where: EventFilter,
        *,
        key: str = "position",
        after: int | None = None,
        until: int | None = None,
        limit: int | None = None,
        newest_first: bool = False,
    ) -> list[LogEntry]:
        """Rows matching `where` with keys beyond `after` (None: from the first in this
        order) up to `until` inclusive, at most `limit`, in key order. Versions key one
        account's log (`where.aggregate_id`), positions the whole store's."""
        if key not in KEYS:
            raise ValueError(f"an event log is keyed by position or version, not {key!r}")
        column = events.c.version if key == "version" else events.c.position
        pager = KeysetPager(self._columns, [column], descending=newest_first,
                            where=event_conditions(where, self._conns.backend))  # fmt: skip
        with self._conns.read() as conn:
            rows = pager.fetch(conn, after, limit=limit, until=until)
        to_time = self._conns.backend.time_from_db
        return [log_entry_from_row(row, to_time) for row in rows]

    def operators(self, limit: int = 200) -> list[str]:
        """Operator names seen in the store (for filter suggestions), sorted."""
        statement = select(events.c.operator).group_by(events.c.operator).limit(limit)
        with self._conns.read() as conn:
            return sorted(str(row[0]) for row in conn.execute(statement))
