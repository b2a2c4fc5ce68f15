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

Each search is one recursive statement (one round trip) whose steps are primary-key
(or unique-index) lookups: about 24 of them for 10 million events, whether the pages
are cached or not.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, Connection, String, bindparam, func, select, text

from esgui.store.schema import events, time_regressions
from esgui.store.types import UTCDateTime

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


def _search(key: str, match: str, compare: str) -> Any:
    """One statement that binary-searches keys lo…hi for the first row whose time
    `compare`s to :t (``>=`` or ``>``): a recursive query whose every step is one
    point lookup, so the whole search is one round trip. Returns hi + 1 for none."""
    sql = f"""
        WITH RECURSIVE s(lo, hi) AS (
            SELECT CAST(:lo AS BIGINT), CAST(:hi AS BIGINT)
            UNION ALL
            SELECT CASE WHEN e.created_at {compare} :t THEN s.lo ELSE (s.lo + s.hi) / 2 + 1 END,
                   CASE WHEN e.created_at {compare} :t THEN (s.lo + s.hi) / 2 - 1 ELSE s.hi END
            FROM s JOIN events e ON {match} AND e.{key} = (s.lo + s.hi) / 2
            WHERE s.lo <= s.hi)
        SELECT lo FROM s WHERE lo > hi"""
    params = [bindparam("lo", type_=BigInteger), bindparam("hi", type_=BigInteger),
              bindparam("t", type_=UTCDateTime)]  # fmt: skip
    if ":a" in match:
        params.append(bindparam("a", type_=String))
    return text(sql).bindparams(*params)


_FIRST_POSITION = {op: _search("position", "1 = 1", op) for op in (">=", ">")}
_FIRST_VERSION_AFTER = _search("version", "e.aggregate_id = :a", ">")


def _first(conn: Connection, lo: int, hi: int, when: datetime, *, strictly: bool) -> int:
    """The first position in lo…hi recorded at or after `when` (after it, `strictly`),
    or hi + 1: the times of lo…hi never decrease."""
    statement = _FIRST_POSITION[">" if strictly else ">="]
    return int(conn.execute(statement, {"lo": lo, "hi": hi, "t": when}).scalar_one())


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
    ranges: list[tuple[int, int]] = []
    for start, end in runs(conn):
        low = start if since is None else _first(conn, start, end, since, strictly=False)
        high = end if until is None else _first(conn, start, end, until, strictly=True) - 1
        if low <= high:
            ranges.append((low, high))
    return ranges


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

    first_after = conn.execute(
        _FIRST_VERSION_AFTER, {"lo": 1, "hi": int(newest), "t": when, "a": aggregate_id}
    ).scalar_one()
    return int(first_after) - 1
