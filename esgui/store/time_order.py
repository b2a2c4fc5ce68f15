"""Time queries without a time index and without scanning: binary searches of point reads.

Appends never record a time earlier than the head's (esgui.store.appends), so recorded
times only go back where an import wrote older events after newer ones; the append
that does so lists the position in `esgui_time_regressions` (migration 0008). Between
two listed positions the log is a *run* whose times never decrease, and in a run "the
first event at or after T" is a binary search over positions (gapless, the primary
key). So:

- `position_ranges(since, until)`: the position ranges holding every event recorded in
  [since, until], one range per run (usually one run: the whole log). `events --since
  T --limit 100` then reads 100 rows of its range instead of scanning from position 1.
- `version_at(account, T)`: the account's newest version recorded at or before T, a
  binary search over its versions when no regression lies inside the account's span of
  positions (else the exact aggregate over its rows, which reads the account).

Each probe is one primary-key (or unique-index) lookup: about 24 of them for 10 million
events, whether the pages are cached or not.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, bindparam, func, select

from esgui.store.schema import events, time_regressions

_TIME_AT_POSITION = select(events.c.created_at).where(events.c.position == bindparam("p"))
_TIME_AT_VERSION = select(events.c.created_at, events.c.position).where(
    events.c.aggregate_id == bindparam("a"), events.c.version == bindparam("v")
)
_HEAD = select(func.max(events.c.position))
_REGRESSIONS = select(time_regressions.c.position).order_by(time_regressions.c.position)
_NEWEST = (
    select(events.c.version)
    .where(events.c.aggregate_id == bindparam("a"))
    .order_by(events.c.version.desc())
    .limit(1)
)


def _first(lo: int, hi: int, at_or_after: Callable[[int], bool]) -> int:
    """The smallest key in lo…hi for which `at_or_after` holds (monotonic: false, then
    true), or hi + 1 when there is none."""
    while lo <= hi:
        middle = (lo + hi) // 2
        if at_or_after(middle):
            hi = middle - 1
        else:
            lo = middle + 1
    return lo


def runs(conn: Connection) -> list[tuple[int, int]]:
    """The log's runs of non-decreasing time, as (first position, last position)."""
    head = int(conn.execute(_HEAD).scalar() or 0)
    if head == 0:
        return []
    starts = [1, *(int(p) for (p,) in conn.execute(_REGRESSIONS) if 1 < int(p) <= head)]
    ends = [start - 1 for start in starts[1:]] + [head]
    return list(zip(starts, ends, strict=True))


def position_ranges(
    conn: Connection, since: datetime | None, until: datetime | None
) -> list[tuple[int, int]]:
    """Closed position ranges that together hold every event recorded in [since, until]
    (inclusive; either bound may be None) and nothing else, oldest first."""
    time_at = _reader(conn)
    ranges: list[tuple[int, int]] = []
    for start, end in runs(conn):
        low = start if since is None else _first(start, end, lambda p: time_at(p) >= since)
        high = end if until is None else _first(start, end, lambda p: time_at(p) > until) - 1
        if low <= high:
            ranges.append((low, high))
    return ranges


def _reader(conn: Connection) -> Callable[[int], datetime]:
    def time_at(position: int) -> datetime:
        value: Any = conn.execute(_TIME_AT_POSITION, {"p": position}).scalar_one()
        return value  # type: ignore[no-any-return]

    return time_at


def version_at(conn: Connection, aggregate_id: str, when: datetime) -> int | None:
    """The newest version of the account recorded at or before `when` (0: none), by
    binary search; None when the account's times may go back (a regression inside its
    span of positions): the caller then asks the database for the exact aggregate."""
    newest = conn.execute(_NEWEST, {"a": aggregate_id}).scalar()
    if not newest:
        return 0
    first_time, first_position = conn.execute(_TIME_AT_VERSION, {"a": aggregate_id, "v": 1}).one()
    last_time, last_position = conn.execute(
        _TIME_AT_VERSION, {"a": aggregate_id, "v": int(newest)}
    ).one()
    inside = select(time_regressions.c.position).where(
        time_regressions.c.position > first_position, time_regressions.c.position <= last_position
    )
    if conn.execute(inside.limit(1)).first() is not None:
        return None
    if first_time > when:
        return 0
    if last_time <= when:
        return int(newest)

    def after(version: int) -> bool:
        time, _position = conn.execute(_TIME_AT_VERSION, {"a": aggregate_id, "v": version}).one()
        return bool(time > when)

    return _first(1, int(newest), after) - 1
