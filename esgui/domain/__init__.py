"""Pure domain: bank-account events, rules, money. Imports neither Qt nor SQLAlchemy."""

from esgui.domain.account import CLOSED, OPEN, AccountState, BankAccount
from esgui.domain.codec import decode_event
from esgui.domain.events import (
    AGGREGATE_TYPE,
    EVENT_TYPES,
    AccountClosed,
    AccountOpened,
    DomainEvent,
    MoneyDeposited,
    MoneyWithdrawn,
    TransferReceived,
    TransferSent,
)
from esgui.domain.ids import validate_account_id, validate_owner
from esgui.domain.money import MAX_AMOUNT, format_money, parse_amount

__all__ = [
    "AGGREGATE_TYPE",
    "CLOSED",
    "EVENT_TYPES",
    "MAX_AMOUNT",
    "OPEN",
    "AccountClosed",
    "AccountOpened",
    "AccountState",
    "BankAccount",
    "DomainEvent",
    "MoneyDeposited",
    "MoneyWithdrawn",
    "TransferReceived",
    "TransferSent",
    "decode_event",
    "format_money",
    "parse_amount",
    "validate_account_id",
    "validate_owner",
]
