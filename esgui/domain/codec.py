"""Decode stored (type, schema version, data) into domain events, strictly."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any, Protocol

from esgui.domain.events import (
    EVENT_CLASSES,
    DomainEvent,
    MoneyDeposited,
    MoneyWithdrawn,
    TransferSent,
)
from esgui.domain.money import MAX_AMOUNT, STORED_MONEY
from esgui.domain.upcasting import upcast
from esgui.errors import UnreadableEvent

if TYPE_CHECKING:
    from esgui.domain.account import BankAccount


class StoredEvent(Protocol):
    """What the domain needs of a stored event (the store's RecordedEvent fits)."""

    @property
    def aggregate_id(self) -> str: ...
    @property
    def position(self) -> int: ...
    @property
    def version(self) -> int: ...
    @property
    def event_type(self) -> str: ...
    @property
    def stored_schema_version(self) -> int: ...
    @property
    def stored_data(self) -> Any: ...
    @property
    def recorded_at(self) -> datetime: ...


def decode_event(event_type: str, schema_version: int, data: Any) -> DomainEvent:
    """Upcast and build the domain event; any malformed payload is an UnreadableEvent."""
    cls = EVENT_CLASSES.get(event_type)
    if cls is None:
        raise UnreadableEvent(
            f"Unknown event type {event_type!r} (written by a newer or foreign program?)"
        )
    if not isinstance(data, dict) or "_unreadable_data" in data:
        why = data.get("_why") if isinstance(data, dict) else None
        raise UnreadableEvent(str(why) if why else f"{event_type} data is not a JSON object")
    current = upcast(event_type, schema_version, data)
    try:
        event = cls.from_data(current)
    except (KeyError, TypeError, ValueError, InvalidOperation) as exc:
        raise UnreadableEvent(f"Malformed {event_type} data: {exc!r}") from None
    amount: Decimal | None = getattr(event, "amount", None)
    if amount is None:
        amount = getattr(event, "initial", None)
    if amount is not None and (not amount.is_finite() or amount < 0):
        raise UnreadableEvent(f"Malformed {event_type} data: amount {amount}")
    if amount is not None and amount > MAX_AMOUNT:
        # No command writes more: a row changed outside esgui. Bounded here, so one such
        # row makes only its own account unreadable (never a balance that cannot be
        # stored or shown, for the whole store).
        shown = str(amount) if len(str(amount)) <= 40 else str(amount)[:40] + "…"
        raise UnreadableEvent(
            f"Malformed {event_type} data: amount {shown} is above the largest amount "
            f"({MAX_AMOUNT})"
        )
    return event


# Deposits and withdrawals in the current schema are almost every event of a long
# history; they are folded straight from their stored text (validated exactly as
# money_from_text does) without building an event object. Everything else takes the
# general path: decode (and upcast), then BankAccount.apply.
_MONEY_SIGN = {
    MoneyDeposited.event_type: (MoneyDeposited.schema_version, 1),
    MoneyWithdrawn.event_type: (MoneyWithdrawn.schema_version, -1),
}
# Transfer legs also name their counterparty: the general path checks it is there.


_MAX_MONEY_TEXT = len("999999999999.99")  # money text this short is below the maximum


def apply_recorded(account: BankAccount, event: StoredEvent) -> None:
    """Apply one stored event to `account`; explain clearly when it cannot be."""
    if event.version != account.version + 1:
        raise UnreadableEvent(
            f"Account {event.aggregate_id!r} skips from version {account.version} to "
            f"{event.version}",
            aggregate_id=event.aggregate_id,
            version=event.version,
        )
    fast = _MONEY_SIGN.get(event.event_type)
    if fast is not None and event.stored_schema_version == fast[0]:
        data = event.stored_data
        amount = data.get("amount") if type(data) is dict else None
        if (type(amount) is str and len(amount) <= _MAX_MONEY_TEXT
                and STORED_MONEY.fullmatch(amount)):  # fmt: skip
            value = Decimal(amount)
            if fast[1] > 0:
                account.balance += value
            else:
                _check_cover(account, value, event)
                account.balance -= value
            account.version += 1
            account.updated_at = event.recorded_at
            return
    try:
        domain_event = decode_event(
            event.event_type, event.stored_schema_version, event.stored_data
        )
    except UnreadableEvent as error:
        raise UnreadableEvent(
            f"Account {event.aggregate_id!r} cannot be replayed past version "
            f"{event.version - 1}: event {event.version} ({event.event_type}, position "
            f"{event.position}): {error}",
            aggregate_id=event.aggregate_id,
            version=event.version,
        ) from None
    if isinstance(domain_event, (MoneyWithdrawn, TransferSent)):
        _check_cover(account, domain_event.amount, event)
    account.apply(domain_event, event.recorded_at)


def _check_cover(account: BankAccount, amount: Decimal, event: StoredEvent) -> None:
    """A stored withdrawal larger than the balance cannot have been decided by esgui:
    the history was changed outside it. Replaying on would show a wrong state."""
    if amount > account.balance:
        raise UnreadableEvent(
            f"Account {event.aggregate_id!r} cannot be replayed past version "
            f"{event.version - 1}: event {event.version} (position {event.position}) "
            f"withdraws {amount} from a balance of {account.balance}; the stored history "
            "breaks the rules (changed outside esgui?)",
            aggregate_id=event.aggregate_id,
            version=event.version,
        )
