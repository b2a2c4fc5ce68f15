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


DomainEvent = AccountOpened | MoneyDeposited | MoneyWithdrawn | AccountClosed

EVENT_CLASSES: dict[str, type[DomainEvent]] = {
    cls.event_type: cls for cls in (AccountOpened, MoneyDeposited, MoneyWithdrawn, AccountClosed)
}
EVENT_TYPES: tuple[str, ...] = tuple(EVENT_CLASSES)


# Events whose money leaves the account: the statistics' net counts them negative.
DEBIT_EVENT_TYPES: tuple[str, ...] = ("MoneyWithdrawn",)


def event_amount(event_type: str, data: dict[str, Any]) -> str | None:
    """The money moved by an event, as stored text, for listings; None if it moves none."""
    if event_type == "AccountOpened":
        return data.get("initial")
    if event_type in ("MoneyDeposited", "MoneyWithdrawn"):
        return data.get("amount")
    return None
