"""An event in its context: the balance and status of its account just before it and
just after it, as a time-travel debugger shows the state around a step, and the other
events of its correlation (both legs of a transfer, one seed run, one import), with
what caused what (no Qt, no SQL).

The states come from the account's loaded `BalanceSeries` when there is one (an index
into it), else are replayed from the nearest snapshot (`Replayer.state_at`); the
correlation is one indexed query (`EventFilter.correlation_id`). Both off the GUI thread.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from esgui.app.replay import Replayer
from esgui.app.timeline import BalanceSeries
from esgui.domain.events import describe_counterparty, event_amount
from esgui.errors import EsguiError
from esgui.store import EventFilter, EventStore, RecordedEvent

CORRELATED_SHOWN = 20


@dataclass(frozen=True, slots=True)
class Side:
    balance: Decimal
    status: str


@dataclass(frozen=True, slots=True)
class StateChange:
    """The account around one of its versions; `before` is None before the opening."""

    account_id: str
    version: int
    before: Side | None
    after: Side

    @property
    def change(self) -> Decimal:
        """How the balance moved (exact)."""
        return self.after.balance - (self.before.balance if self.before else Decimal("0.00"))


def from_series(series: BalanceSeries, version: int) -> StateChange | None:
    """The change at `version` from a loaded series (None if it does not hold it)."""
    if not 1 <= version <= len(series):
        return None
    before = None if version == 1 else Side(series.balance_at(version - 1),
                                             series.status_at(version - 1))  # fmt: skip
    after = Side(series.balance_at(version), series.status_at(version))
    return StateChange(series.account_id, version, before, after)


def replayed(replayer: Replayer, account_id: str, version: int) -> StateChange | None:
    """The change at `version`, replayed (None when the history cannot be replayed
    that far, e.g. an unreadable event)."""
    if version < 1:
        return None
    try:
        after = replayer.state_at(account_id, version=version)
        before = replayer.state_at(account_id, version=version - 1) if version > 1 else None
    except EsguiError:
        return None
    return StateChange(
        account_id, version, Side(before.balance, before.status) if before else None,
        Side(after.balance, after.status),
    )  # fmt: skip


@dataclass(frozen=True, slots=True)
class Related:
    """One event of a correlation, as the inspector lists it."""

    position: int
    account_id: str
    version: int
    event_type: str
    amount: str  # "" when it moves no money
    counterparty: str  # "to B1" / "from A1" for a transfer leg
    caused_by_shown: bool  # its causation is the event being inspected

    def describe(self) -> str:
        parts = [f"{self.position}", f"{self.account_id} v{self.version}", self.event_type]
        parts += [text for text in (self.amount, self.counterparty) if text]
        return " · ".join(parts)


@dataclass(frozen=True, slots=True)
class Correlation:
    """The events that share `event`'s correlation id around it, in log order (at most
    `shown`, the inspected one among them; `more` when there are others)."""

    correlation_id: str
    position: int  # the inspected event's
    events: tuple[Related, ...]
    more: bool


def correlation_of(event: RecordedEvent) -> str | None:
    value = event.metadata.get("correlation_id") if isinstance(event.metadata, dict) else None
    return value if isinstance(value, str) and value.strip() else None


def correlated(store: EventStore, event: RecordedEvent, shown: int = CORRELATED_SHOWN
               ) -> Correlation | None:  # fmt: skip
    """The events of `event`'s correlation (None when it has no correlation id)."""
    correlation = correlation_of(event)
    if correlation is None:
        return None
    where = EventFilter(correlation_id=correlation)
    half = shown // 2
    before = list(store.read_all(after=event.position, where=where, descending=True,
                                 limit=half + 1))  # fmt: skip
    room = shown - min(len(before), half)
    after = list(store.read_all(after=event.position - 1, where=where, limit=room + 1))
    more = len(before) > half or len(after) > room
    found = [*reversed(before[:half]), *after[:room]]
    listed = tuple(
        Related(other.position, other.aggregate_id, other.version, other.event_type,
                event_amount(other.event_type, other.data) or "",
                describe_counterparty(other.event_type, other.data),
                isinstance(other.metadata, dict)
                and other.metadata.get("causation_id") == event.event_id)
        for other in found
    )  # fmt: skip
    return Correlation(correlation, event.position, listed, more)
