"""Reading the log: streams, the global order, counts, the head, versions."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import replace
from datetime import datetime
from typing import Any

from sqlalchemy import (
    Connection,
    String,
    and_,
    bindparam,
    column,
    false,
    func,
    literal_column,
    or_,
    select,
    values,
)

from esgui.store.connections import Connections
from esgui.store.decoding import (
    DAMAGE_ERRORS,
    UNREADABLE_TIME,
    columns_for,
    record_from_row,
)
from esgui.store.filters import EventFilter, event_conditions
from esgui.store.hashing import GENESIS_HASH, decode_json
from esgui.store.paging import KeysetPager
from esgui.store.records import RecordedEvent, StreamRow
from esgui.store.schema import events, time_regressions
from esgui.store.time_order import position_ranges, version_at
from esgui.store.validation import MAX_VERSION, check_aggregate_id, check_count, check_time

DEFAULT_PAGE = 1000
IN_LIST = 500  # values per IN (...) list

# The version of a stream at a time: its newest event recorded at or before it, one
# backward seek in ix_events_aggregate_time (recorded time never goes back within a
# stream: it follows position). Ties (one batch, one time) go to the higher version.
_at = events.alias("at_time")
_opened = events.alias("opened")


def _newest_at(column: Any) -> Any:
    return (
        select(column)
        .where(_at.c.aggregate_id == _opened.c.aggregate_id, _at.c.created_at <= bindparam("when"))
        .order_by(_at.c.created_at.desc(), _at.c.version.desc())
        .limit(1)
        .correlate(_opened)
        .scalar_subquery()
    )


_VERSIONS_AT = select(
    _opened.c.aggregate_id,
    _newest_at(_at.c.version).label("version_at"),
    _newest_at(_at.c.position).label("position_at"),
).where(
    # A literal 1, not a parameter: only then can the planner use the partial index.
    _opened.c.version == literal_column("1"), _opened.c.created_at <= bindparam("when"),
)


def _version_at(conn: Connection, aggregate_id: str, when: datetime) -> int:
    try:  # a binary search over the account's versions (esgui.store.time_order)
        found = version_at(conn, aggregate_id, when)
    except (ValueError, TypeError):  # an unreadable stored time: ask the database
        found = None
    if found is not None:
        return found
    query = select(func.max(events.c.version)).where(
        events.c.aggregate_id == aggregate_id, events.c.created_at <= when
    )
    return int(conn.execute(query).scalar() or 0)


def current_version(conn: Connection, aggregate_id: str) -> int:
    query = select(func.max(events.c.version)).where(events.c.aggregate_id == aggregate_id)
    return int(conn.execute(query).scalar() or 0)


def current_versions(conn: Connection, aggregate_ids: list[str]) -> dict[str, int]:
    """The version of each of these streams that has events (the others are left out).
    One index probe per id (``ORDER BY version DESC LIMIT 1`` per row of a VALUES
    list): ``max(version) … IN (…) GROUP BY`` read every index entry of those streams,
    1.1 s per 500 long accounts at 10M events, which made bulk appends slow down as the
    store grew (issue 13)."""
    found: dict[str, int] = {}
    for start in range(0, len(aggregate_ids), IN_LIST):
        chunk = aggregate_ids[start : start + IN_LIST]
        ids = values(column("id", String), name="ids").data([(i,) for i in chunk]).cte("ids")
        newest = (
            select(events.c.version)
            .where(events.c.aggregate_id == ids.c.id)
            .order_by(events.c.version.desc())
            .limit(1)
            .scalar_subquery()
        )
        found.update({row[0]: int(row[1]) for row in conn.execute(select(ids.c.id, newest))
                      if row[1] is not None})  # fmt: skip
    return found


def _filter(
    where: EventFilter | None,
    event_types: Iterable[str] | None,
    aggregate_id: str | None,
    operator: str | None,
    since: datetime | None,
    until: datetime | None,
) -> EventFilter | None:
    """The filter given as keywords, or as an EventFilter (not both)."""
    given = EventFilter.of(event_types, aggregate_id, operator, since, until)
    if where is None:
        return None if given.empty else given
    if not given.empty:
        raise TypeError("give the filters as keywords or as `where`, not both")
    return where


class EventReads:
    def __init__(self, conns: Connections) -> None:
        self._conns = conns
        self._backend = conns.backend
        self._columns = columns_for(conns.backend)
        self.time_from_db = conns.backend.time_from_db

    # -- one stream --------------------------------------------------------------------

    def current_version(self, aggregate_id: str) -> int:
        check_aggregate_id(aggregate_id)
        with self._conns.read() as conn:
            return current_version(conn, aggregate_id)

    def current_versions(self, aggregate_ids: Iterable[str]) -> dict[str, int]:
        """Each stream's version, for those that have events."""
        with self._conns.read() as conn:
            return current_versions(conn, sorted(set(aggregate_ids)))

    def read_stream(
        self, aggregate_id: str, from_version: int = 1, to_version: int | None = None,
        *, page_size: int = 2000,
    ) -> Iterator[RecordedEvent]:  # fmt: skip
        to_time = self.time_from_db
        for rows in self._stream_pages(self._columns.event, aggregate_id, from_version,
                                       to_version, page_size):  # fmt: skip
            for row in rows:
                yield record_from_row(row, to_time)

    def replay_rows(
        self, aggregate_id: str, from_version: int = 1, to_version: int | None = None,
        *, page_size: int = 5000,
    ) -> Iterator[StreamRow]:  # fmt: skip
        to_time = self.time_from_db
        new_row = StreamRow.__new__
        for rows in self._stream_pages(self._columns.replay, aggregate_id, from_version,
                                       to_version, page_size):  # fmt: skip
            for position, version, event_type, schema_version, data, recorded_at in rows:
                try:
                    decoded = decode_json(data) if isinstance(data, str) else data
                    when = to_time(recorded_at)
                    if type(schema_version) is not int:
                        raise TypeError(f"the stored schema version {schema_version!r:.40} "
                                        "is not a whole number")  # fmt: skip
                except DAMAGE_ERRORS as error:
                    # replaying it fails for this account only, saying why
                    why = ("the stored data is nested too deeply to read"
                           if isinstance(error, RecursionError) else str(error))  # fmt: skip
                    decoded = {"_unreadable_data": str(data)[:1000], "_why": why}
                    when = UNREADABLE_TIME
                yield new_row(StreamRow, aggregate_id, position, version, event_type,
                              schema_version, decoded, when)  # fmt: skip

    def _stream_pages(
        self, columns: tuple[Any, ...], aggregate_id: str, from_version: int,
        to_version: int | None, page_size: int,
    ) -> Iterator[list[tuple[Any, ...]]]:  # fmt: skip
        """One aggregate's rows in version order, a page at a time (driver tuples).
        Versions have no gaps, so a page is a closed version range: the index answers
        it directly, whatever the planner knows of the table."""
        check_aggregate_id(aggregate_id)
        check_count(from_version, "from_version", maximum=MAX_VERSION)
        if to_version is not None:
            check_count(to_version, "to_version", maximum=MAX_VERSION)
        pager = KeysetPager(columns, [events.c.version],
                            where=[events.c.aggregate_id == aggregate_id])  # fmt: skip
        yield from pager.ranges(self._conns.read, max(from_version, 1) - 1,
                                page_size=page_size, last=to_version)  # fmt: skip

    def version_at(self, aggregate_id: str, when: datetime) -> int:
        """The highest version of the stream recorded at or before `when` (0: none)."""
        check_aggregate_id(aggregate_id)
        check_time(when)
        with self._conns.read() as conn:
            return _version_at(conn, aggregate_id, when)

    def versions_at(self, when: datetime) -> dict[str, tuple[int, int]]:
        """Every stream begun at or before `when` → (its version then, that event's
        position), as `version_at` gives it: one statement of seeks in the indexes of
        migration 0007, exact where a stream's times never go back; the few streams
        whose times do (imported history: `esgui_time_regressions`) are searched
        one by one."""
        check_time(when)
        with self._conns.read() as conn:
            rows = conn.execute(_VERSIONS_AT, {"when": when}).all()
            found = {row[0]: (int(row[1]), int(row[2])) for row in rows if row[1]}
            regressed = conn.execute(
                select(events.c.aggregate_id).distinct()
                .join(time_regressions, time_regressions.c.position == events.c.position)
            ).scalars().all()  # fmt: skip
            for aggregate_id in regressed:
                if aggregate_id not in found:
                    continue
                version = _version_at(conn, aggregate_id, when)
                position = conn.execute(
                    select(events.c.position).where(events.c.aggregate_id == aggregate_id,
                                                    events.c.version == version)
                ).scalar()  # fmt: skip
                found[aggregate_id] = (version, int(position or 0))
        return found

    def _time_ranges(self, where: EventFilter | None) -> list[tuple[int, int]] | None:
        """A time-bounded filter as the position ranges holding exactly its events
        (esgui.store.time_order), so that a read starts where the bounds start instead
        of scanning up to them: None when the filter has no time bound (or a stored
        time is unreadable: then the time conditions alone filter)."""
        if where is None or (where.since is None and where.until is None):
            return None
        with self._conns.read() as conn:
            try:
                ranges = position_ranges(conn, where.since, where.until)
            except (ValueError, TypeError):
                return None
        return ranges

    # -- the whole log -----------------------------------------------------------------

    def read_all(
        self,
        after: int = 0,
        limit: int | None = None,
        event_types: Iterable[str] | None = None,
        *,
        aggregate_id: str | None = None,
        operator: str | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
        where: EventFilter | None = None,
        descending: bool = False,
        page_size: int = DEFAULT_PAGE,
    ) -> Iterator[RecordedEvent]:
        """See `EventStore.read_all` (checked lazily, on the first event asked for)."""
        check_count(after, "position")
        if limit is not None:
            check_count(limit, "limit")
        where = _filter(where, event_types, aggregate_id, operator, since, until)
        ranges = self._time_ranges(where)
        if ranges is not None and where is not None:
            # The ranges hold exactly the events in the time bounds (time_order): the
            # time conditions go, and each range is read on its own, bounded in SQL on
            # the side it starts from only and stopped here at its other end. (A
            # two-sided range, or an OR of ranges, let PostgreSQL misjudge how many rows
            # match and read and sort a whole range instead of walking the index.)
            where = replace(where, since=None, until=None)
        conditions = event_conditions(where, self._backend) if where is not None else []
        by_version = where is not None and where.aggregate_id is not None
        if by_version and after:
            # One account: page by version (its positions grow with its versions), which
            # the unique (aggregate_id, version) index returns in order. Paged by
            # position, SQLite sorted the account's remaining rows for every page
            # (25 s for a 555k-event account).
            conditions.append(events.c.position < after if descending
                              else events.c.position > after)  # fmt: skip
        if ranges is None:
            parts: list[tuple[int, int] | None] = [None]
        else:
            parts = list(reversed(ranges)) if descending else list(ranges)
        to_time = self.time_from_db
        remaining = limit
        for part in parts:
            bound = list(conditions)
            cursor: int | None = after
            if by_version:
                cursor = None
                if part is not None:
                    bound.append(events.c.position <= part[1] if descending
                                 else events.c.position >= part[0])  # fmt: skip
            elif part is not None:
                if descending:
                    cursor = part[1] + 1 if not after else min(after, part[1] + 1)
                else:
                    cursor = max(after, part[0] - 1)
            elif descending and not after:
                cursor = None  # from the newest; positions below 1 are never events
                bound.append(events.c.position > 0)
            pager = KeysetPager(self._columns.event,
                                [events.c.version if by_version else events.c.position],
                                where=bound, descending=descending)  # fmt: skip
            for rows in pager.pages(self._conns.read, cursor, page_size=page_size,
                                    limit=remaining):  # fmt: skip
                for row in rows:
                    event = record_from_row(row, to_time)
                    if part is not None and not part[0] <= event.position <= part[1]:
                        break  # past this range's other end
                    yield event
                    if remaining is not None:
                        remaining -= 1
                else:
                    continue
                break
            if remaining is not None and remaining <= 0:
                return

    def count(
        self,
        event_types: Iterable[str] | None = None,
        *,
        aggregate_id: str | None = None,
        operator: str | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
        where: EventFilter | None = None,
    ) -> int:
        where = _filter(where, event_types, aggregate_id, operator, since, until)
        query = select(func.count()).select_from(events)
        conditions = event_conditions(where, self._backend) if where is not None else []
        ranges = self._time_ranges(where)
        if ranges is not None:
            conditions.append(or_(false(), *(events.c.position.between(low, high)
                                             for low, high in ranges)))  # fmt: skip
        if conditions:
            query = query.where(and_(*conditions))
        with self._conns.read() as conn:
            return int(conn.execute(query).scalar() or 0)

    def head(self) -> tuple[int, str]:
        query = select(events.c.position, events.c.hash).order_by(events.c.position.desc())
        with self._conns.read() as conn:
            row = conn.execute(query.limit(1)).first()
        return (int(row[0]), str(row[1])) if row else (0, GENESIS_HASH)

    def aggregate_ids(self) -> list[str]:
        query = select(events.c.aggregate_id).where(events.c.version == 1)
        with self._conns.read() as conn:
            return sorted(row[0] for row in conn.execute(query))
