"""The read-only query console, saved queries and statistics, as the CLI and the GUI
use them (no SQL here: the store runs it; see docs/query.md).

`run_query` starts a query on the store's sandboxed connection and returns its
`QueryResult` (columns, rows page by page, cancel); `plain_value` turns what a driver
returns into JSON-ready values (exact decimals and times as text). Saved queries are
validated here and stored append-only; statistics come from the database's GROUP BY.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from esgui.app.accounts import check_user
from esgui.errors import InvalidInput
from esgui.store import EventFilter, EventStore
from esgui.store.console import DEFAULT_TIME_LIMIT_S, Cancellation, QueryLimits, QueryResult
from esgui.store.saved_queries import SavedQuery
from esgui.store.schema import QUERY_VIEWS
from esgui.store.stats import GROUPINGS, StatRow

MAX_NAME_LENGTH = 200
MAX_SQL_LENGTH = 100_000
BUSIEST = 10

__all__ = [
    "BUSIEST",
    "Cancellation",
    "DEFAULT_TIME_LIMIT_S",
    "GROUPINGS",
    "QUERY_VIEWS",
    "QueryResult",
    "SavedQuery",
    "StatRow",
    "cell_text",
    "Statistics",
    "list_queries",
    "plain_row",
    "plain_value",
    "run_query",
    "run_saved",
    "save_query",
    "statistics",
]


def run_query(
    store: EventStore,
    sql: str,
    *,
    time_limit_s: float = DEFAULT_TIME_LIMIT_S,
    cancellation: Cancellation | None = None,
) -> QueryResult:
    """Start `sql` (the engine's own dialect) over the documented views. Raises
    NotPermitted (exit 5) for anything that is not a query, InvalidInput (2) for a
    malformed one, QueryStopped past the time limit."""
    return store.console.run(sql, QueryLimits(time_limit_s), cancellation)


def plain_value(value: Any) -> Any:
    """A value as JSON shows it: exact decimals and times as text, JSON as itself."""
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, float):
        return (
            value if value == value and value not in (float("inf"), float("-inf")) else str(value)
        )
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat() if value.tzinfo else value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, (bytes, bytearray, memoryview)):
        return bytes(value).hex()
    if isinstance(value, (dict, list)):
        return value
    return str(value)


def plain_row(columns: Iterable[str], row: Iterable[Any]) -> dict[str, Any]:
    return {name: plain_value(value) for name, value in zip(columns, row, strict=False)}


def cell_text(value: Any) -> str:
    """A value as one cell of text (a grid, CSV): JSON documents as compact JSON."""
    value = plain_value(value)
    if value is None:
        return ""
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return str(value)


# -- saved queries -------------------------------------------------------------------------


def check_query_name(name: object) -> str:
    if not isinstance(name, str) or not name.strip():
        raise InvalidInput("A saved query needs a name")
    name = name.strip()
    if len(name) > MAX_NAME_LENGTH:
        raise InvalidInput(f"A query name holds at most {MAX_NAME_LENGTH} characters")
    if any(ord(ch) < 32 or ord(ch) == 127 for ch in name):
        raise InvalidInput("Invalid query name: contains control characters")
    return name


def check_sql(sql: object) -> str:
    if not isinstance(sql, str) or not sql.strip():
        raise InvalidInput("Empty query: type a SELECT over the documented views")
    if len(sql) > MAX_SQL_LENGTH:
        raise InvalidInput(f"Query too long: at most {MAX_SQL_LENGTH} characters")
    if "\x00" in sql:
        raise InvalidInput("Invalid query: it contains a NUL character")
    return sql.strip()


def save_query(store: EventStore, name: str, sql: str, *, author: str) -> SavedQuery:
    """Save `sql` under `name` (a newer version when the name exists; every version
    stays). Allowed on a store opened read-only, like review notes."""
    query = SavedQuery(
        str(uuid.uuid4()),
        check_query_name(name),
        check_sql(sql),
        check_user(author),
        datetime.now(UTC),
    )
    store.saved_queries.add(query)
    return query


def list_queries(store: EventStore) -> list[SavedQuery]:
    """The newest version of every saved query, by name."""
    return store.saved_queries.newest()


def saved_query(store: EventStore, name: str) -> SavedQuery:
    found = store.saved_queries.get(check_query_name(name))
    if found is None:
        raise InvalidInput(f"No saved query named {name!r} (see `esgui queries list`)")
    return found


def run_saved(
    store: EventStore, name: str, *, time_limit_s: float = DEFAULT_TIME_LIMIT_S
) -> QueryResult:
    return run_query(store, saved_query(store, name).sql, time_limit_s=time_limit_s)


# -- statistics ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Statistics:
    """What the statistics panel shows: the groups, the totals and the busiest accounts
    of the events that `where` selects."""

    by: str
    groups: list[StatRow]
    totals: StatRow
    busiest: list[StatRow]


def statistics(
    store: EventStore,
    by: str = "day",
    *,
    since: datetime | None = None,
    until: datetime | None = None,
    where: EventFilter | None = None,
    busiest: int = BUSIEST,
) -> Statistics:
    """Counts and money moved, grouped by `by`, computed by the database. `since` and
    `until` narrow `where` (inclusive)."""
    if by not in GROUPINGS:
        raise InvalidInput(f"Invalid grouping {by!r}: one of {', '.join(GROUPINGS)}")
    where = where or EventFilter()
    if since is not None or until is not None:
        if since is not None and until is not None and since > until:
            raise InvalidInput("--since is after --until: no event can match")
        where = EventFilter(
            where.aggregate_id,
            where.event_types,
            where.operator,
            since if since is not None else where.since,
            until if until is not None else where.until,
            where.text,
        )
    with store.reading():
        groups = store.stats.grouped(by, where)
        top = store.stats.busiest(where, busiest) if busiest else []
    totals = StatRow("all", sum(g.events for g in groups),
                     sum((g.moved for g in groups), Decimal("0.00")),
                     sum((g.net for g in groups), Decimal("0.00")))  # fmt: skip
    return Statistics(by, groups, totals, top)
