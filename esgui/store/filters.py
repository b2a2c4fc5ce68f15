"""Filters of events and review notes, and their one translation into SQL.

`EventFilter` is what `esgui events`, the explorer's log, exports and the notes about
exported events all filter by; `event_conditions` is the only place it becomes SQL.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Table, or_, select

from esgui.errors import InvalidInput
from esgui.store.backend import Backend
from esgui.store.schema import events, review_notes
from esgui.store.validation import check_time

NOTE_TARGETS = ("event", "account")


@dataclass(frozen=True, slots=True)
class EventFilter:
    """Which events: all of one stream, of some types, by one operator, in a time range
    (inclusive), containing a text, and of one correlation. Unset fields filter nothing;
    `event_types=()` matches no event. `text` is a case-insensitive substring of the
    account id, event type, operator, or the JSON text of the data or metadata;
    `correlation_id` is the metadata's `correlation_id` exactly (both legs of a
    transfer, one seed run, one import)."""

    aggregate_id: str | None = None
    event_types: tuple[str, ...] | None = None
    operator: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    text: str = ""
    correlation_id: str | None = None

    def __post_init__(self) -> None:
        if self.correlation_id is not None:
            correlation = self.correlation_id.strip() if isinstance(
                self.correlation_id, str) else self.correlation_id  # fmt: skip
            if not isinstance(correlation, str) or not correlation or len(correlation) > 200:
                raise InvalidInput(
                    f"Invalid correlation id {self.correlation_id!r}: 1 to 200 characters"
                )
            object.__setattr__(self, "correlation_id", correlation)
        types = self.event_types
        if types is not None and not isinstance(types, tuple):
            types = (types,) if isinstance(types, str) else tuple(types)
            object.__setattr__(self, "event_types", types)
        for bound in (self.since, self.until):
            if bound is not None:
                check_time(bound)

    @classmethod
    def of(
        cls,
        event_types: Iterable[str] | None = None,
        aggregate_id: str | None = None,
        operator: str | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
    ) -> EventFilter:
        """From the keyword arguments of `read_all` and `count`."""
        return cls(aggregate_id, event_types, operator, since, until)  # type: ignore[arg-type]

    @property
    def empty(self) -> bool:
        """Filters nothing: every event matches."""
        return self == _NO_FILTER


_NO_FILTER = EventFilter()


def like_pattern(text: str) -> str:
    """A LIKE pattern matching `text` anywhere, its wildcards escaped (escape char \\)."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def event_conditions(where: EventFilter, backend: Backend, table: Table = events) -> list[Any]:
    """The SQL conditions on `events` (or on `table`, a table with the same position,
    type, account, operator and time columns, such as `event_facts`) that select what
    `where` describes."""
    t = table.c
    conditions: list[Any] = []
    if where.event_types is not None:
        conditions.append(t.event_type.in_(where.event_types))
    if where.aggregate_id is not None:
        conditions.append(t.aggregate_id == where.aggregate_id)
    if where.operator is not None:
        conditions.append(t.operator == where.operator)
    if where.since is not None:
        conditions.append(t.created_at >= where.since)
    if where.until is not None:
        conditions.append(t.created_at <= where.until)
    if where.correlation_id is not None:
        correlated = backend.correlation_of(events.c.metadata) == where.correlation_id
        if table is events:
            conditions.append(correlated)
        else:  # the correlation is in the events' metadata: look it up there
            conditions.append(t.position.in_(select(events.c.position).where(correlated)))
    text = where.text.strip()
    if text and table is not events:  # the text is in the events' JSON: look it up there
        found = select(events.c.position).where(*event_conditions(EventFilter(text=text),
                                                                  backend))  # fmt: skip
        conditions.append(t.position.in_(found))
    elif text:
        pattern = like_pattern(text)
        searched = (
            events.c.aggregate_id, events.c.event_type, events.c.operator,
            backend.json_text(events.c.data), backend.json_text(events.c.metadata),
        )  # fmt: skip
        conditions.append(or_(*(column.ilike(pattern, escape="\\") for column in searched)))
    return conditions


@dataclass(frozen=True, slots=True)
class NoteFilter:
    """Which review notes: about one account (its own and its events' notes), one
    event, by one author, written in a time range (inclusive), of one target kind."""

    account_id: str | None = None
    event_id: str | None = None
    author: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    target_kind: str | None = None

    def __post_init__(self) -> None:
        for bound in (self.since, self.until):
            if bound is not None:
                check_time(bound)
        if self.target_kind is not None and self.target_kind not in NOTE_TARGETS:
            raise InvalidInput(f"Invalid note target {self.target_kind!r}: event or account")


def note_conditions(where: NoteFilter) -> list[Any]:
    """The SQL conditions on `review_notes` that select what `where` describes."""
    conditions: list[Any] = []
    if where.account_id is not None:
        conditions.append(review_notes.c.account_id == where.account_id)
    if where.event_id is not None:
        conditions.append(review_notes.c.event_id == where.event_id)
    if where.author is not None:
        conditions.append(review_notes.c.author == where.author)
    if where.since is not None:
        conditions.append(review_notes.c.created_at >= where.since)
    if where.until is not None:
        conditions.append(review_notes.c.created_at <= where.until)
    if where.target_kind is not None:
        conditions.append(review_notes.c.target_kind == where.target_kind)
    return conditions
