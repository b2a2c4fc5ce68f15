"""Event-log queries for browsing: filtered, keyset-paged, cancellable (no Qt).

The explorer's log shows one account (keyed by version) or the whole store (keyed by
position), newest or oldest first, filtered by type, operator, time range and text.
Selective filters (text, time range) can make one page expensive, so a filtered page
is gathered window by window over the key range (positions are gapless, versions too):
each window is one bounded query, and between windows the caller may stop the scan or
hear how far it got.

The text filter is a case-insensitive substring match, done by the database, over the
account id, event type, operator and the JSON text of the data and metadata.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy import Text, cast, or_, select, type_coerce

from esgui.domain.events import EVENT_CLASSES
from esgui.domain.upcasting import upcast
from esgui.errors import EsguiError, InvalidInput, UnreadableEvent
from esgui.projections import AccountProjector, AccountSummary
from esgui.store import EventStore, RecordedEvent
from esgui.store.engine import translated
from esgui.store.schema import events

SCAN_WINDOW = 50_000
Progress = Callable[[int, int], None]


class Stopped(EsguiError):
    """A scan was stopped on request; rows found so far come with it."""

    exit_code = 1

    def __init__(self, page: Page) -> None:
        super().__init__("Stopped on request")
        self.page = page


@dataclass(frozen=True, slots=True)
class EventQuery:
    """What the log shows: one account or all, filters, and the order."""

    aggregate_id: str | None = None
    event_types: tuple[str, ...] = ()
    operator: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    text: str = ""
    newest_first: bool = True

    @property
    def key_name(self) -> str:
        """Versions key one account's log (index on aggregate, version); positions the rest."""
        return "version" if self.aggregate_id is not None else "position"

    @property
    def filtered(self) -> bool:
        return bool(
            self.event_types or self.operator or self.since or self.until or self.text.strip()
        )


class LogRow(NamedTuple):
    """The columns the log shows; the rest of an event is loaded when inspected.

    A tuple of plain values: a log holding 100,000 of them adds nothing to the work
    of Python's cycle collector (which would otherwise pause the GUI now and then)."""

    position: int
    aggregate_id: str
    version: int
    event_type: str
    amount: str
    operator: str
    recorded_at: datetime
    upcast: bool = False
    unreadable: bool = False

    @classmethod
    def from_row(cls, row: Any) -> LogRow:
        """From a row of `_COLUMNS`, upcasting older payloads as every reader does."""
        position, aggregate_id, version, event_type, schema, data, operator, recorded_at = row
        if isinstance(data, str):
            data = json.loads(data)
        cls_ = EVENT_CLASSES.get(event_type)
        upcasted = unreadable = False
        if cls_ is None or not isinstance(data, dict):
            unreadable = True
        elif schema != cls_.schema_version:
            upcasted = True
            try:
                data = upcast(event_type, schema, data)
            except UnreadableEvent:
                unreadable = True
        amount = data.get("amount", data.get("initial", "")) if isinstance(data, dict) else ""
        return cls(
            position, aggregate_id, version, event_type,
            amount if isinstance(amount, str) else str(amount),
            operator, recorded_at, upcasted, unreadable,
        )  # fmt: skip

    def key(self, key_name: str) -> int:
        return self.version if key_name == "version" else self.position


@dataclass(slots=True)
class Page:
    rows: list[LogRow] = field(default_factory=list)
    cursor: int | None = None  # the last key examined: the next page continues after it
    exhausted: bool = False  # nothing beyond the cursor (as of this read)
    top: int = 0  # newest first, first page: the largest key the scan started from


_COLUMNS = (
    events.c.position,
    events.c.aggregate_id,
    events.c.version,
    events.c.event_type,
    events.c.schema_version,
    events.c.data,
    events.c.operator,
    events.c.created_at,
)


def _like(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _conditions(store: EventStore, query: EventQuery) -> list[Any]:
    conditions: list[Any] = []
    if query.event_types:
        conditions.append(events.c.event_type.in_(query.event_types))
    if query.aggregate_id is not None:
        conditions.append(events.c.aggregate_id == query.aggregate_id)
    if query.operator:
        conditions.append(events.c.operator == query.operator)
    for bound in (query.since, query.until):
        if bound is not None and bound.tzinfo is None:
            raise InvalidInput(f"Invalid time {bound!r}: needs a timezone")
    if query.since is not None:
        conditions.append(events.c.created_at >= query.since)
    if query.until is not None:
        conditions.append(events.c.created_at <= query.until)
    text = query.text.strip()
    if text:
        pattern = _like(text)
        data: Any
        meta: Any
        if store.backend == "postgresql":
            data, meta = cast(events.c.data, Text), cast(events.c.metadata, Text)
        else:
            data, meta = type_coerce(events.c.data, Text), type_coerce(events.c.metadata, Text)
        conditions.append(
            or_(*(column.ilike(pattern, escape="\\") for column in (
                events.c.aggregate_id, events.c.event_type, events.c.operator, data, meta)))
        )  # fmt: skip
    return conditions


def key_bound(store: EventStore, query: EventQuery) -> int:
    """The largest key there is now: the account's version, or the head position."""
    if query.aggregate_id is not None:
        return store.current_version(query.aggregate_id)
    return store.head()[0]


def fetch_page(
    store: EventStore,
    query: EventQuery,
    cursor: int | None,
    limit: int,
    *,
    should_stop: Callable[[], bool] | None = None,
    progress: Progress | None = None,
    window: int = SCAN_WINDOW,
) -> Page:
    """Up to `limit` rows after `cursor` in the query's order (None: from the start).

    Unfiltered pages are one keyset query. Filtered pages are gathered window by window;
    `should_stop` is asked between windows and raises `Stopped` carrying what was found.
    """
    key = events.c.version if query.key_name == "version" else events.c.position
    conditions = _conditions(store, query)
    order = key.desc() if query.newest_first else key
    page = Page(cursor=cursor)
    if not query.filtered:
        keyset = [] if cursor is None else [key < cursor if query.newest_first else key > cursor]
        statement = select(*_COLUMNS).where(*conditions, *keyset).order_by(order)
        with translated(store.description), store.engine.connect() as conn:
            rows = conn.execute(statement.limit(limit)).all()
        page.rows = [LogRow.from_row(row) for row in rows]
        if page.rows:
            page.cursor = page.rows[-1].key(query.key_name)
            page.top = page.rows[0].key(query.key_name) if query.newest_first else 0
        page.exhausted = len(page.rows) < limit
        return page
    bound = key_bound(store, query)
    if cursor is None:
        cursor = bound + 1 if query.newest_first else 0
        page.top = bound if query.newest_first else 0
    with translated(store.description), store.engine.connect() as conn:
        while len(page.rows) < limit:
            if query.newest_first:
                low, high = max(cursor - window, 0), cursor
                if high <= 1:
                    page.exhausted = True
                    break
                keyset = [key < high, key >= low]
                done = bound + 1 - low
            else:
                low, high = cursor, min(cursor + window, bound)
                if low >= bound:
                    page.exhausted = True
                    break
                keyset = [key > low, key <= high]
                done = high
            statement = select(*_COLUMNS).where(*conditions, *keyset).order_by(order)
            rows = conn.execute(statement.limit(limit - len(page.rows))).all()
            page.rows.extend(LogRow.from_row(row) for row in rows)
            if len(page.rows) >= limit:
                page.cursor = page.rows[-1].key(query.key_name)
                break
            cursor = low if query.newest_first else high
            page.cursor = cursor
            if progress is not None:
                progress(done, max(bound, 1))
            if should_stop is not None and should_stop():
                raise Stopped(page)
    return page


def fetch_newer(
    store: EventStore, query: EventQuery, after_key: int, limit: int
) -> tuple[list[LogRow], int, bool]:
    """Rows with a key above `after_key`, oldest first: what arrived since the log was
    read. Returns them, the key the log now covers up to, and whether there were more
    than `limit` (the caller reloads instead)."""
    key = events.c.version if query.key_name == "version" else events.c.position
    bound = key_bound(store, query)
    if bound <= after_key:
        return [], after_key, False
    statement = (
        select(*_COLUMNS)
        .where(*_conditions(store, query), key > after_key, key <= bound)
        .order_by(key)
        .limit(limit + 1)
    )
    with translated(store.description), store.engine.connect() as conn:
        rows = conn.execute(statement).all()
    found = [LogRow.from_row(row) for row in rows[:limit]]
    return found, bound, len(rows) > limit


def load_event(store: EventStore, position: int) -> RecordedEvent | None:
    """One event in full (data, stored form, metadata), for the inspector."""
    found = next(iter(store.read_all(after=max(position - 1, 0), limit=1)), None)
    return found if found is not None and found.position == position else None


def event_positions(store: EventStore, event_ids: Iterable[str]) -> dict[str, tuple[int, int]]:
    """(position, version) of each stored event id, e.g. the events review notes are about."""
    ids = sorted(set(event_ids))
    found: dict[str, tuple[int, int]] = {}
    with translated(store.description), store.engine.connect() as conn:
        for start in range(0, len(ids), 500):
            statement = select(events.c.id, events.c.position, events.c.version).where(
                events.c.id.in_(ids[start : start + 500])
            )
            found.update({row[0]: (int(row[1]), int(row[2])) for row in conn.execute(statement)})
    return found


def summaries_changed_since(store: EventStore, position: int) -> list[AccountSummary]:
    """Read-model rows touched by events after `position` (the live follower's delta)."""
    return [row for row in AccountProjector(store).summaries() if row.last_position > position]


def operators(store: EventStore, limit: int = 200) -> list[str]:
    """Operator names seen in the store (for the log's filter suggestions)."""
    statement = select(events.c.operator).group_by(events.c.operator).limit(limit)
    with translated(store.description), store.engine.connect() as conn:
        return sorted(str(row[0]) for row in conn.execute(statement))
