"""Statistics computed by the database: events and money moved per day, week, month,
event type or operator, and the busiest accounts, over any `EventFilter`.

One GROUP BY per view over `event_facts` (one slim row per event with its money in
cents, kept by a trigger on `events`; never a read of every event into Python, never
the JSON of a million events parsed); the bucketing of times is the backend's
(`sqlite.py`, `postgresql.py`). Money is summed as exact cents; `moved` adds the
absolute amounts, `net` counts debits (`DEBIT_EVENT_TYPES`) negative.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC
from decimal import Decimal
from typing import Any

from sqlalchemy import and_, case, desc, func, select

from esgui.domain.events import DEBIT_EVENT_TYPES
from esgui.errors import InvalidInput
from esgui.store.connections import Connections
from esgui.store.filters import EventFilter, event_conditions
from esgui.store.schema import event_facts as facts
from esgui.store.validation import check_count

GROUPINGS = ("day", "week", "month", "type", "operator")
_CENT = Decimal("0.01")


@dataclass(frozen=True, slots=True)
class StatRow:
    """One group: its key (a day, week's Monday, month, type, operator or account),
    how many events, the money they moved (absolute) and the net change."""

    key: str
    events: int
    moved: Decimal
    net: Decimal

    def as_json(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "events": self.events,
            "moved": f"{self.moved:.2f}",
            "net": f"{self.net:.2f}",
        }


def _money(cents: Any) -> Decimal:
    if cents is None:
        return Decimal("0.00")
    return (Decimal(cents) / 100).quantize(_CENT)


class Statistics:
    """Two steps, both in the database: the events are counted and their cents summed
    per (first key, event type) in the order of a covering index on `event_facts`
    (day, operator or account first: no sort of a million rows), then those few groups
    are rolled up into the view's keys (weeks and months from days, net from types)."""

    def __init__(self, conns: Connections) -> None:
        self._conns = conns

    def _groups(self, first: Any, where: EventFilter | None) -> Any:
        conditions = event_conditions(where, self._conns.backend, facts) if where else []
        if where is not None:  # the same time range in whole days: the day index finds it
            if where.since is not None:
                conditions.append(facts.c.day >= where.since.astimezone(UTC).date().isoformat())
            if where.until is not None:
                conditions.append(facts.c.day <= where.until.astimezone(UTC).date().isoformat())
        query = select(first.label("k"), facts.c.event_type, func.count().label("n"),
                       func.sum(facts.c.amount_cents).label("cents"))  # fmt: skip
        if conditions:
            query = query.where(and_(*conditions))
        return query.group_by(first, facts.c.event_type).subquery()

    @staticmethod
    def _measures(groups: Any) -> tuple[Any, Any, Any]:
        signed = case((groups.c.event_type.in_(DEBIT_EVENT_TYPES), -groups.c.cents),
                      else_=groups.c.cents)  # fmt: skip
        return func.sum(groups.c.n).label("events"), func.sum(groups.c.cents), func.sum(signed)

    def _rows(self, query: Any) -> list[StatRow]:
        with self._conns.read() as conn:
            return [StatRow(str(key), int(count), _money(moved), _money(net))
                    for key, count, moved, net in conn.execute(query)]  # fmt: skip

    def grouped(self, by: str, where: EventFilter | None = None) -> list[StatRow]:
        """One row per group, in key order (times ascending)."""
        if by not in GROUPINGS:
            raise InvalidInput(f"Invalid grouping {by!r}: one of {', '.join(GROUPINGS)}")
        groups = self._groups(facts.c.operator if by == "operator" else facts.c.day, where)
        if by == "type":
            key: Any = groups.c.event_type
        elif by == "operator":
            key = groups.c.k
        else:
            key = self._conns.backend.day_bucket(groups.c.k, by)
        key = key.label("key")
        return self._rows(select(key, *self._measures(groups)).group_by(key).order_by(key))

    def busiest(self, where: EventFilter | None = None, limit: int = 10) -> list[StatRow]:
        """The accounts with the most events (ties by account id)."""
        check_count(limit, "limit", 1)
        groups = self._groups(facts.c.aggregate_id, where)
        count, moved, net = self._measures(groups)
        query = (select(groups.c.k, count, moved, net).group_by(groups.c.k)
                 .order_by(desc("events"), groups.c.k).limit(limit))  # fmt: skip
        return self._rows(query)

    def totals(self, where: EventFilter | None = None) -> StatRow:
        """Everything `where` matches, as one row keyed "all"."""
        groups = self._groups(facts.c.day, where)
        with self._conns.read() as conn:
            count, moved, net = conn.execute(select(*self._measures(groups))).one()
        return StatRow("all", int(count or 0), _money(moved), _money(net))
