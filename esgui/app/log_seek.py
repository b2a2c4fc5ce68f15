"""Finding places in the event log without scanning it (no Qt, no SQL of its own): the
log's key (a position for the whole store, a version for one account) at a position or
at a time, and how many events an unfiltered log holds.

Positions are gapless (1 … head, appends take a store-wide lock) and so are an
account's versions, so an unfiltered log's count is its largest key and its n-th row
is key n: no COUNT(*) over a million rows. Finding a key is a binary search of point
reads (`fetch_page` with a limit of one), a few dozen indexed lookups at most.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from esgui.app.queries import EventQuery, LogRow, fetch_page, key_bound
from esgui.app.stores import EventStore


def unfiltered(query: EventQuery) -> EventQuery:
    """The same account (or the whole store), without filters, oldest first."""
    return EventQuery(aggregate_id=query.aggregate_id, newest_first=False)


def row_at(store: EventStore, query: EventQuery, key: int) -> LogRow | None:
    """The event with this key in the query's account (or the store), unfiltered."""
    if key < 1:
        return None
    page = fetch_page(store, unfiltered(query), key - 1, 1)
    found = page.rows[0] if page.rows else None
    return found if found is not None and found.key(query.key_name) == key else None


def key_count(store: EventStore, query: EventQuery) -> int:
    """How many events the unfiltered log of the query's account (or store) holds."""
    return key_bound(store, query)


def key_at_position(store: EventStore, query: EventQuery, position: int) -> int:
    """The key of the newest event at or before `position` (0: none): the position
    itself for the whole store, else the account's version there."""
    bound = key_bound(store, query)
    if query.aggregate_id is None:
        return max(0, min(position, bound))
    return _last_key(store, query, bound, lambda row: row.position <= position)


def key_at_time(store: EventStore, query: EventQuery, when: datetime) -> int:
    """The key of the newest event recorded at or before `when` (0: none). Recorded
    times follow positions (appends are serialised), so a binary search finds it."""
    if query.aggregate_id is not None:
        return store.version_at(query.aggregate_id, when)
    bound = key_bound(store, query)
    return _last_key(store, query, bound, lambda row: row.recorded_at <= when)


def _last_key(
    store: EventStore, query: EventQuery, bound: int, at_or_before: Callable[[LogRow], bool]
) -> int:
    """The largest key in 1…bound whose row satisfies `at_or_before` (monotonic)."""
    low, high = 0, bound
    while low < high:
        middle = (low + high + 1) // 2
        row = row_at(store, query, middle)
        if row is not None and at_or_before(row):
            low = middle
        else:
            high = middle - 1
    return low


def anchored(query: EventQuery, key: int) -> int:
    """The paging cursor that makes a log start at `key` (inclusive) in its order."""
    return key + 1 if query.newest_first else max(key - 1, 0)


__all__ = ["anchored", "key_at_position", "key_at_time", "key_count", "row_at"]
