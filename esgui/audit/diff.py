"""What changed in an account between two of its versions: the state fields that
differ and the events that made the difference (no Qt; the GUI's timeline and the
`esgui diff` command both use it)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from esgui.app.replay import Replayer
from esgui.domain.account import AccountState
from esgui.domain.events import balance_sign, describe_counterparty, event_amount
from esgui.domain.ids import validate_account_id
from esgui.domain.money import ZERO, format_money, money_from_text
from esgui.errors import InvalidInput, UnknownAccount, UnreadableEvent
from esgui.store import EventStore, RecordedEvent

FIELDS = ("owner", "balance", "status", "version", "opened_at", "updated_at")
MAX_EVENTS = 1000


@dataclass(frozen=True, slots=True)
class FieldChange:
    name: str
    before: str | None
    after: str | None

    def as_json(self) -> dict[str, Any]:
        return {"field": self.name, "before": self.before, "after": self.after}


@dataclass(frozen=True, slots=True)
class VersionDiff:
    account_id: str
    from_version: int  # the older of the two
    to_version: int
    before: AccountState | None  # None at version 0 (before the account was opened)
    after: AccountState | None
    changes: tuple[FieldChange, ...]
    events: tuple[RecordedEvent, ...]  # the first `MAX_EVENTS` events after from_version
    event_count: int  # all events between the two versions
    counts: dict[str, int]  # events per type
    money_in: Decimal  # opening amounts, deposits and transfers in between the versions
    money_out: Decimal  # withdrawals and transfers out between the versions

    @property
    def truncated(self) -> bool:
        return self.event_count > len(self.events)

    def as_json(self) -> dict[str, Any]:
        return {
            "account_id": self.account_id,
            "from_version": self.from_version,
            "to_version": self.to_version,
            "before": self.before.as_dict() if self.before else None,
            "after": self.after.as_dict() if self.after else None,
            "changes": [change.as_json() for change in self.changes],
            "event_count": self.event_count,
            "events_shown": len(self.events),
            "counts": dict(self.counts),
            "money_in": format_money(self.money_in),
            "money_out": format_money(self.money_out),
            "events": [_event_json(event) for event in self.events],
        }


def _event_json(event: RecordedEvent) -> dict[str, Any]:
    shown = event.as_json()
    shown["operator"] = event.operator
    other = describe_counterparty(event.event_type, event.data)
    if other:
        shown["counterparty"] = other
    return shown


def event_money(event: RecordedEvent) -> Decimal | None:
    """The money an event moves, or None (none, or an unreadable payload)."""
    if event.upcast_error is not None:
        return None
    try:
        amount = event_amount(event.event_type, event.data)
        return money_from_text(amount) if amount is not None else None
    except (ArithmeticError, ValueError, TypeError):
        return None


def field_values(state: AccountState | None) -> dict[str, str | None]:
    """The compared fields of a state as text (None for a state that does not exist)."""
    if state is None:
        return dict.fromkeys(FIELDS)
    shown = state.as_dict()
    return {name: None if shown[name] is None else str(shown[name]) for name in FIELDS}


def _check_version(value: object, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise InvalidInput(f"Invalid {what} {value!r}: must be a whole number ≥ 0")
    return value


def diff_versions(
    store: EventStore, account_id: str, first: int, second: int, *, max_events: int = MAX_EVENTS
) -> VersionDiff:
    """Compare `account_id` at two versions (in either order; 0 is "before opening")."""
    validate_account_id(account_id)
    low, high = sorted((_check_version(first, "version"), _check_version(second, "version")))
    current = store.current_version(account_id)
    if current == 0:
        raise UnknownAccount(f"Unknown account {account_id!r}")
    if current < 0:
        raise UnreadableEvent(
            f"Account {account_id!r} has no readable versions: its highest stored version "
            f"is {current}, which esgui never writes (the store was altered; run `esgui verify`)"
        )
    if high > current:
        raise InvalidInput(
            f"Account {account_id!r} has {current} versions; there is no version {high}"
        )
    replayer = Replayer(store)
    before = replayer.state_at(account_id, version=low) if low else None
    after = replayer.state_at(account_id, version=high) if high else None
    old, new = field_values(before), field_values(after)
    changes = tuple(
        FieldChange(name, old[name], new[name]) for name in FIELDS if old[name] != new[name]
    )
    shown: list[RecordedEvent] = []
    counts: Counter[str] = Counter()
    money_in = money_out = ZERO
    if high > low:
        for event in store.read_stream(account_id, low + 1, high):
            counts[event.event_type] += 1
            value = event_money(event)
            if value is not None:
                if balance_sign(event.event_type) > 0:
                    money_in += value
                else:
                    money_out += value
            if len(shown) < max_events:
                shown.append(event)
    return VersionDiff(
        account_id,
        low,
        high,
        before,
        after,
        changes,
        tuple(shown),
        sum(counts.values()),
        dict(counts),
        money_in,
        money_out,
    )
