"""Statistics computed by the database: events and money moved per day, week, month,
event type or operator, and the busiest accounts, over any `EventFilter`.

One GROUP BY per view over `events` (never a read of every event into Python); the
bucketing of times and the reading of amounts out of the JSON are the backend's
(`sqlite.py`, `postgresql.py`). Money is summed as exact cents; `moved` adds the
absolute amounts, `net` counts debits (`DEBIT_EVENT_TYPES`) negative.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import and_, case, desc, func, select

from esgui.domain.events import DEBIT_EVENT_TYPES
from esgui.errors import InvalidInput
from esgui.store.connections import Connections
from esgui.store.filters import EventFilter, event_conditions
from esgui.store.schema import events
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
    def __init__(self, conns: Connections) -> None:
        self._conns = conns

    def _measures(self) -> tuple[Any, Any, Any]:
        cents = self._conns.backend.amount_cents(events.c.data)
        signed = case((events.c.event_type.in_(DEBIT_EVENT_TYPES), -cents), else_=cents)
        return func.count(), func.sum(cents), func.sum(signed)

    def _where(self, where: EventFilter | None) -> Any:
        conditions = event_conditions(where, self._conns.backend) if where else []
        return and_(*conditions) if conditions else None

    def _rows(self, query: Any) -> list[StatRow]:
        with self._conns.read() as conn:
            return [
                StatRow(str(key), int(count), _money(moved), _money(net))
                for key, count, moved, net in conn.execute(query)
            ]

    def grouped(self, by: str, where: EventFilter | None = None) -> list[StatRow]:
        """One row per group, in key order (times ascending)."""
        if by not in GROUPINGS:
            raise InvalidInput(f"Invalid grouping {by!r}: one of {', '.join(GROUPINGS)}")
        if by == "type":
            key: Any = events.c.event_type
        elif by == "operator":
            key = events.c.operator
        else:
            key = self._conns.backend.time_bucket(events.c.created_at, by)
        key = key.label("key")
        query = select(key, *self._measures())
        condition = self._where(where)
        if condition is not None:
            query = query.where(condition)
        return self._rows(query.group_by(key).order_by(key))

    def busiest(self, where: EventFilter | None = None, limit: int = 10) -> list[StatRow]:
        """The accounts with the most events (ties by account id)."""
        check_count(limit, "limit", 1)
        count, moved, net = self._measures()
        query = select(events.c.aggregate_id, count.label("n"), moved, net)
        condition = self._where(where)
        if condition is not None:
            query = query.where(condition)
        query = query.group_by(events.c.aggregate_id)
        return self._rows(query.order_by(desc("n"), events.c.aggregate_id).limit(limit))

    def totals(self, where: EventFilter | None = None) -> StatRow:
        """Everything `where` matches, as one row keyed "all"."""
        query = select(func.count(), *self._measures()[1:]).select_from(events)
        condition = self._where(where)
        if condition is not None:
            query = query.where(condition)
        with self._conns.read() as conn:
            count, moved, net = conn.execute(query).one()
        return StatRow("all", int(count), _money(moved), _money(net))
