"""The bank-account events, their stored form and its schema versions.

Each event class knows its stored name and current schema version, and converts to
and from the JSON-ready ``data`` dict kept in the store. Older stored schemas are
brought up to date by `esgui.domain.upcasting` before `from_data` sees them.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any, ClassVar

from esgui.domain.money import format_money, money_from_text

AGGREGATE_TYPE = "BankAccount"


@dataclass(frozen=True, slots=True)
class AccountOpened:
    owner: str
    initial: Decimal

    event_type: ClassVar[str] = "AccountOpened"
    schema_version: ClassVar[int] = 1

    def to_data(self) -> dict[str, Any]:
        return {"owner": self.owner, "initial": format_money(self.initial)}

    @classmethod
    def from_data(cls, data: dict[str, Any]) -> AccountOpened:
        owner = data["owner"]
        if not isinstance(owner, str):
            raise TypeError(f"owner must be text, not {owner!r}")
        return cls(owner=owner, initial=money_from_text(data["initial"]))


@dataclass(frozen=True, slots=True)
class MoneyDeposited:
    amount: Decimal

    event_type: ClassVar[str] = "MoneyDeposited"
    schema_version: ClassVar[int] = 2  # v1 stored integer cents: {"amount_cents": 1050}

    def to_data(self) -> dict[str, Any]:
        return {"amount": format_money(self.amount)}

    @classmethod
    def from_data(cls, data: dict[str, Any]) -> MoneyDeposited:
        return cls(amount=money_from_text(data["amount"]))


@dataclass(frozen=True, slots=True)
class MoneyWithdrawn:
    amount: Decimal

    event_type: ClassVar[str] = "MoneyWithdrawn"
    schema_version: ClassVar[int] = 2  # v1 stored integer cents: {"amount_cents": 1050}

    def to_data(self) -> dict[str, Any]:
        return {"amount": format_money(self.amount)}

    @classmethod
    def from_data(cls, data: dict[str, Any]) -> MoneyWithdrawn:
        return cls(amount=money_from_text(data["amount"]))


@dataclass(frozen=True, slots=True)
class AccountClosed:
    event_type: ClassVar[str] = "AccountClosed"
    schema_version: ClassVar[int] = 1

    def to_data(self) -> dict[str, Any]:
        return {}

    @classmethod
    def from_data(cls, data: dict[str, Any]) -> AccountClosed:
        return cls()


def _transfer_fields(data: dict[str, Any]) -> tuple[Decimal, str, str | None]:
    counterparty = data["counterparty"]
    if not isinstance(counterparty, str) or not counterparty:
        raise TypeError(f"counterparty must be an account id, not {counterparty!r}")
    reference = data.get("reference")
    if reference is not None and not isinstance(reference, str):
        raise TypeError(f"reference must be text, not {reference!r}")
    return money_from_text(data["amount"]), counterparty, reference


@dataclass(frozen=True, slots=True)
class TransferSent:
    """Money left this account for `counterparty` (the other leg is TransferReceived)."""

    amount: Decimal
    counterparty: str
    reference: str | None = None

    event_type: ClassVar[str] = "TransferSent"
    schema_version: ClassVar[int] = 1

    def to_data(self) -> dict[str, Any]:
        return {"amount": format_money(self.amount), "counterparty": self.counterparty,
                "reference": self.reference}  # fmt: skip

    @classmethod
    def from_data(cls, data: dict[str, Any]) -> TransferSent:
        return cls(*_transfer_fields(data))


@dataclass(frozen=True, slots=True)
class TransferReceived:
    """Money arrived in this account from `counterparty` (the other leg is TransferSent)."""

    amount: Decimal
    counterparty: str
    reference: str | None = None

    event_type: ClassVar[str] = "TransferReceived"
    schema_version: ClassVar[int] = 1

    def to_data(self) -> dict[str, Any]:
        return {"amount": format_money(self.amount), "counterparty": self.counterparty,
                "reference": self.reference}  # fmt: skip

    @classmethod
    def from_data(cls, data: dict[str, Any]) -> TransferReceived:
        return cls(*_transfer_fields(data))


DomainEvent = (
    AccountOpened | MoneyDeposited | MoneyWithdrawn | AccountClosed | TransferSent
    | TransferReceived
)  # fmt: skip

EVENT_CLASSES: dict[str, type[DomainEvent]] = {
    cls.event_type: cls
    for cls in (AccountOpened, MoneyDeposited, MoneyWithdrawn, AccountClosed, TransferSent,
                TransferReceived)  # fmt: skip
}
EVENT_TYPES: tuple[str, ...] = tuple(EVENT_CLASSES)

#: How each event type moves the balance: +1 adds its amount, -1 takes it away.
BALANCE_SIGNS: dict[str, int] = {
    "AccountOpened": 1,
    "MoneyDeposited": 1,
    "MoneyWithdrawn": -1,
    "TransferReceived": 1,
    "TransferSent": -1,
}
TRANSFER_TYPES = (TransferSent.event_type, TransferReceived.event_type)


# Events whose money leaves the account: the statistics' net counts them negative.
DEBIT_EVENT_TYPES: tuple[str, ...] = ("MoneyWithdrawn",)


def event_amount(event_type: str, data: dict[str, Any]) -> str | None:
    """The money moved by an event, as stored text, for listings; None if it moves none."""
    if not isinstance(data, dict):
        return None
    if event_type == "AccountOpened":
        return data.get("initial")
    if event_type in BALANCE_SIGNS:
        return data.get("amount")
    return None


def balance_sign(event_type: str) -> int:
    """+1 if the event adds its amount to the balance, -1 if it takes it, 0 otherwise."""
    return BALANCE_SIGNS.get(event_type, 0)


def event_counterparty(event_type: str, data: Any) -> str | None:
    """The other account of a transfer leg (None for every other event)."""
    if event_type in TRANSFER_TYPES and isinstance(data, dict):
        value = data.get("counterparty")
        return value if isinstance(value, str) else None
    return None


def describe_counterparty(event_type: str, data: Any) -> str:
    """"to B1" / "from A1" for a transfer leg, "" for anything else (listings)."""
    other = event_counterparty(event_type, data)
    if other is None:
        return ""
    return f"to {other}" if event_type == TransferSent.event_type else f"from {other}"
