"""Event-log queries for browsing: filtered, keyset-paged, cancellable (no Qt).

The explorer's log shows one account (keyed by version) or the whole store (keyed by
position), newest or oldest first, filtered by type, operator, time range and text.
Selective filters (text, time range) can make one page expensive, so a filtered page
is gathered window by window over the key range (positions are gapless, versions too):
each window is one bounded query, and between windows the caller may stop the scan or
hear how far it got. The store answers each window (`store.log`, esgui.store.log); this
module builds its filter from an `EventQuery` and strings windows into pages.

The text filter is a case-insensitive substring match, done by the database, over the
account id, event type, operator and the JSON text of the data and metadata.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, NamedTuple

from esgui.domain.events import EVENT_CLASSES, describe_counterparty
from esgui.domain.upcasting import upcast
from esgui.errors import EsguiError, UnreadableEvent
from esgui.projections import AccountProjector, AccountSummary
from esgui.store import EventFilter, EventStore, LogEntry, RecordedEvent

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
    correlation_id: str | None = None

    @property
    def key_name(self) -> str:
        """Versions key one account's log (index on aggregate, version); positions the rest."""
        return "version" if self.aggregate_id is not None else "position"

    @property
    def filtered(self) -> bool:
        return bool(
            self.event_types or self.operator or self.since or self.until or self.text.strip()
            or self.correlation_id
        )

    def event_filter(self) -> EventFilter:
        """The store's filter for this view (no types or operator given: any)."""
        return EventFilter(
            aggregate_id=self.aggregate_id,
            event_types=tuple(self.event_types) or None,
            operator=self.operator or None,
            since=self.since,
            until=self.until,
            text=self.text,
            correlation_id=self.correlation_id,
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
    counterparty: str = ""  # "to B1" / "from A1" for a transfer leg

    @classmethod
    def from_row(cls, row: LogEntry | Any) -> LogRow:
        """From the store's LogEntry, upcasting older payloads as every reader does."""
        position, aggregate_id, version, event_type, schema, data, operator, recorded_at = row
        if isinstance(data, str):
            data = json.loads(data)
        cls_ = EVENT_CLASSES.get(event_type)
        upcasted = unreadable = False
        if cls_ is None or not isinstance(data, dict) or "_unreadable_data" in data:
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
            describe_counterparty(event_type, data),
        )  # fmt: skip

    def key(self, key_name: str) -> int:
        return self.version if key_name == "version" else self.position


@dataclass(slots=True)
class Page:
    rows: list[LogRow] = field(default_factory=list)
    cursor: int | None = None  # the last key examined: the next page continues after it
    exhausted: bool = False  # nothing beyond the cursor (as of this read)
    top: int = 0  # newest first, first page: the largest key the scan started from


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
    key = query.key_name
    where = query.event_filter()
    newest_first = query.newest_first
    page = Page(cursor=cursor)
    if not query.filtered:
        entries = store.log.window(where, key=key, after=cursor, limit=limit,
                                   newest_first=newest_first)  # fmt: skip
        page.rows = [LogRow.from_row(entry) for entry in entries]
        if page.rows:
            page.cursor = page.rows[-1].key(key)
            page.top = page.rows[0].key(key) if newest_first else 0
        page.exhausted = len(page.rows) < limit
        return page
    bound = key_bound(store, query)
    if cursor is None:
        cursor = bound + 1 if newest_first else 0
        page.top = bound if newest_first else 0
    with store.reading():  # every window on one connection
        while len(page.rows) < limit:
            if newest_first:
                low, high = max(cursor - window, 0), cursor
                if high <= 1:
                    page.exhausted = True
                    break
                after, until = high, low
                done = bound + 1 - low
            else:
                low, high = cursor, min(cursor + window, bound)
                if low >= bound:
                    page.exhausted = True
                    break
                after, until = low, high
                done = high
            entries = store.log.window(
                where, key=key, after=after, until=until, limit=limit - len(page.rows),
                newest_first=newest_first,
            )  # fmt: skip
            page.rows.extend(LogRow.from_row(entry) for entry in entries)
            if len(page.rows) >= limit:
                page.cursor = page.rows[-1].key(key)
                break
            cursor = low if newest_first else high
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
    bound = key_bound(store, query)
    if bound <= after_key:
        return [], after_key, False
    entries = store.log.window(query.event_filter(), key=query.key_name, after=after_key,
                               until=bound, limit=limit + 1)  # fmt: skip
    found = [LogRow.from_row(entry) for entry in entries[:limit]]
    return found, bound, len(entries) > limit


def load_event(store: EventStore, position: int) -> RecordedEvent | None:
    """One event in full (data, stored form, metadata), for the inspector."""
    found = next(iter(store.read_all(after=max(position - 1, 0), limit=1)), None)
    return found if found is not None and found.position == position else None


def event_positions(store: EventStore, event_ids: Iterable[str]) -> dict[str, tuple[int, int]]:
    """(position, version) of each stored event id, e.g. the events review notes are about."""
    return {event_id: (where.position, where.version)
            for event_id, where in store.scans.locate(event_ids).items()}  # fmt: skip


def summaries_changed_since(store: EventStore, position: int) -> list[AccountSummary]:
    """Read-model rows touched by events after `position` (the live follower's delta)."""
    return AccountProjector(store).summaries(changed_after=position)


def operators(store: EventStore, limit: int = 200) -> list[str]:
    """Operator names seen in the store (for the log's filter suggestions)."""
    return store.log.operators(limit)
