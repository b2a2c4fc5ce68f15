"""The BankAccount aggregate: rules that decide events, and the fold that applies them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from esgui.domain.events import (
    AccountClosed,
    AccountOpened,
    DomainEvent,
    MoneyDeposited,
    MoneyWithdrawn,
    TransferReceived,
    TransferSent,
)
from esgui.domain.ids import validate_account_id, validate_owner, validate_reference
from esgui.domain.money import ZERO, Amount, format_money, money_from_text, parse_amount
from esgui.errors import InsufficientFunds, InvalidInput, RuleViolation, UnknownAccount

OPEN = "open"
CLOSED = "closed"
SNAPSHOT_SCHEMA_VERSION = 1


@dataclass(frozen=True, slots=True)
class AccountState:
    """An account as of one version; `updated_at` is when that version was recorded."""

    account_id: str
    owner: str
    balance: Decimal
    status: str
    version: int
    opened_at: datetime | None = None
    updated_at: datetime | None = None

    def as_dict(self) -> dict[str, Any]:
        """The CONTRACTS JSON shape (plus the times, ISO-8601 UTC)."""
        return {
            "account_id": self.account_id,
            "owner": self.owner,
            "balance": format_money(self.balance),
            "status": self.status,
            "version": self.version,
            "opened_at": self.opened_at.isoformat() if self.opened_at else None,
            "updated_at": self.updated_at.isoformat() if self.updated_at else None,
        }


class BankAccount:
    """Mutable aggregate: load by `apply`, decide with a command, collect `pending`."""

    __slots__ = (
        "account_id",
        "owner",
        "balance",
        "status",
        "version",
        "opened_at",
        "updated_at",
        "pending",
    )

    def __init__(self, account_id: str) -> None:
        self.account_id = account_id
        self.owner = ""
        self.balance = ZERO
        self.status = ""  # "" until opened
        self.version = 0
        self.opened_at: datetime | None = None
        self.updated_at: datetime | None = None
        self.pending: list[DomainEvent] = []

    # -- loading ---------------------------------------------------------------------

    @classmethod
    def from_state(cls, state: AccountState) -> BankAccount:
        account = cls(state.account_id)
        account.owner = state.owner
        account.balance = state.balance
        account.status = state.status
        account.version = state.version
        account.opened_at = state.opened_at
        account.updated_at = state.updated_at
        return account

    def clone(self) -> BankAccount:
        """A copy to decide on, leaving this one as loaded (pending events not copied)."""
        other = BankAccount(self.account_id)
        other.owner, other.balance, other.status = self.owner, self.balance, self.status
        other.version, other.opened_at, other.updated_at = (
            self.version,
            self.opened_at,
            self.updated_at,
        )
        return other

    def apply(self, event: DomainEvent, recorded_at: datetime | None = None) -> None:
        """Fold one stored event in; its version is the next one."""
        if isinstance(event, (MoneyDeposited, TransferReceived)):
            self.balance += event.amount
        elif isinstance(event, (MoneyWithdrawn, TransferSent)):
            self.balance -= event.amount
        elif isinstance(event, AccountOpened):
            self.owner = event.owner
            self.balance = event.initial
            self.status = OPEN
            self.opened_at = recorded_at
        elif isinstance(event, AccountClosed):
            self.status = CLOSED
        self.version += 1
        self.updated_at = recorded_at

    def state(self) -> AccountState:
        if not self.status:
            raise UnknownAccount(f"Unknown account {self.account_id!r}")
        return AccountState(
            self.account_id,
            self.owner,
            self.balance,
            self.status,
            self.version,
            self.opened_at,
            self.updated_at,
        )

    # -- commands ----------------------------------------------------------------------

    def _record(self, event: DomainEvent) -> None:
        self.apply(event)
        self.pending.append(event)

    def _require_open(self) -> None:
        if not self.status:
            raise UnknownAccount(f"Unknown account {self.account_id!r}: open it first")
        if self.status == CLOSED:
            raise RuleViolation(f"Account {self.account_id!r} is closed")

    def open(self, owner: str, initial: Amount = ZERO) -> None:
        validate_account_id(self.account_id)
        owner = validate_owner(owner)
        amount = parse_amount(initial, allow_zero=True, what="initial deposit")
        if self.status == OPEN:
            raise RuleViolation(f"Account {self.account_id!r} is already open")
        if self.status == CLOSED:
            raise RuleViolation(f"Account {self.account_id!r} was closed; ids are not reused")
        self._record(AccountOpened(owner=owner, initial=amount))

    def deposit(self, amount: Amount) -> None:
        value = parse_amount(amount)
        self._require_open()
        self._record(MoneyDeposited(amount=value))

    def withdraw(self, amount: Amount) -> None:
        value = parse_amount(amount)
        self._require_open()
        if value > self.balance:
            raise InsufficientFunds(
                f"Insufficient funds: balance {format_money(self.balance)}, "
                f"requested {format_money(value)}"
            )
        self._record(MoneyWithdrawn(amount=value))

    def _require_open_as(self, role: str) -> None:
        if not self.status:
            raise UnknownAccount(f"Unknown account {self.account_id!r} ({role} of the transfer)")
        if self.status == CLOSED:
            raise RuleViolation(f"Account {self.account_id!r} ({role} of the transfer) is closed")

    def close(self) -> None:
        self._require_open()
        if self.balance != ZERO:
            raise RuleViolation(
                f"Cannot close account {self.account_id!r}: balance is "
                f"{format_money(self.balance)}; withdraw it first"
            )
        self._record(AccountClosed())


def transfer(
    sender: BankAccount, receiver: BankAccount, amount: Amount, reference: str | None = None
) -> None:
    """Decide a transfer: a TransferSent pending on `sender` and a TransferReceived on
    `receiver`, or a refusal in plain words and nothing pending on either."""
    if sender.account_id == receiver.account_id:
        raise InvalidInput(
            f"A transfer needs two different accounts; {sender.account_id!r} was given twice"
        )
    value = parse_amount(amount)
    note = validate_reference(reference)
    sender._require_open_as("sender")
    receiver._require_open_as("receiver")
    if value > sender.balance:
        raise InsufficientFunds(
            f"Insufficient funds in {sender.account_id!r}: balance "
            f"{format_money(sender.balance)}, transfer of {format_money(value)} requested"
        )
    sender._record(TransferSent(amount=value, counterparty=receiver.account_id, reference=note))
    receiver._record(
        TransferReceived(amount=value, counterparty=sender.account_id, reference=note)
    )


# -- snapshots ---------------------------------------------------------------------------


def state_to_snapshot(state: AccountState) -> dict[str, Any]:
    return {
        "account_id": state.account_id,
        "owner": state.owner,
        "balance": format_money(state.balance),
        "status": state.status,
        "version": state.version,
        "opened_at": state.opened_at.isoformat() if state.opened_at else None,
        "updated_at": state.updated_at.isoformat() if state.updated_at else None,
    }


def state_from_snapshot(data: dict[str, Any]) -> AccountState:
    """Raises KeyError/ValueError/TypeError on a malformed snapshot; callers ignore it then."""
    status = data["status"]
    if status not in (OPEN, CLOSED):
        raise ValueError(f"bad status {status!r}")
    version = data["version"]
    if not isinstance(version, int) or version < 1:
        raise ValueError(f"bad version {version!r}")

    def when(value: Any) -> datetime | None:
        return datetime.fromisoformat(value) if value else None

    return AccountState(
        account_id=str(data["account_id"]),
        owner=str(data["owner"]),
        balance=money_from_text(data["balance"]),
        status=status,
        version=version,
        opened_at=when(data.get("opened_at")),
        updated_at=when(data.get("updated_at")),
    )
