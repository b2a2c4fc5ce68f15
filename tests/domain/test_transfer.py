"""The transfer rule and the transfer legs' stored form (pure domain, no store)."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from esgui.domain.account import BankAccount, transfer
from esgui.domain.codec import apply_recorded, decode_event
from esgui.domain.events import (
    TransferReceived,
    TransferSent,
    balance_sign,
    describe_counterparty,
    event_amount,
    event_counterparty,
)
from esgui.errors import (
    InsufficientFunds,
    InvalidInput,
    RuleViolation,
    UnknownAccount,
    UnreadableEvent,
)


def _open(account_id: str, initial: str) -> BankAccount:
    account = BankAccount(account_id)
    account.open("Owner", initial)
    account.pending.clear()
    return account


def test_transfer_decides_both_legs() -> None:
    a, b = _open("A", "10.00"), _open("B", "0")
    transfer(a, b, "2.50", " rent ")
    assert a.pending == [TransferSent(Decimal("2.50"), "B", "rent")]
    assert b.pending == [TransferReceived(Decimal("2.50"), "A", "rent")]
    assert (a.balance, b.balance, a.version, b.version) == (Decimal("7.50"), Decimal("2.50"), 2, 2)


@pytest.mark.parametrize(
    ("amount", "error"),
    [
        ("10.01", InsufficientFunds),
        ("0", InvalidInput),
        ("-1", InvalidInput),
        (1.5, InvalidInput),
        ("1,00", InvalidInput),
    ],
)
def test_refusals_leave_nothing_pending(amount, error) -> None:
    a, b = _open("A", "10.00"), _open("B", "0")
    with pytest.raises(error):
        transfer(a, b, amount)
    assert a.pending == [] and b.pending == []


def test_unknown_closed_and_same_account() -> None:
    a = _open("A", "10.00")
    with pytest.raises(UnknownAccount, match="receiver"):
        transfer(a, BankAccount("X"), "1")
    closed = _open("C", "0")
    closed.close()
    with pytest.raises(RuleViolation, match="closed"):
        transfer(a, closed, "1")
    with pytest.raises(InvalidInput, match="two different accounts"):
        transfer(a, _open("A", "1"), "1")


def test_legs_round_trip_and_are_described() -> None:
    sent = TransferSent(Decimal("1.00"), "B", None)
    assert decode_event("TransferSent", 1, sent.to_data()) == sent
    assert event_amount("TransferReceived", {"amount": "1.00"}) == "1.00"
    assert (balance_sign("TransferSent"), balance_sign("TransferReceived")) == (-1, 1)
    assert balance_sign("AccountClosed") == 0
    assert event_counterparty("TransferSent", sent.to_data()) == "B"
    assert event_counterparty("MoneyDeposited", {"amount": "1.00"}) is None
    assert describe_counterparty("TransferReceived", {"counterparty": "A"}) == "from A"
    assert describe_counterparty("TransferSent", {"counterparty": "B"}) == "to B"


@pytest.mark.parametrize(
    ("event_type", "schema", "data"),
    [
        ("TransferSent", 1, {"amount": "1.00"}),  # no counterparty
        ("TransferSent", 1, {"amount": "1.00", "counterparty": 7}),
        ("TransferReceived", 1, {"amount": 1, "counterparty": "A"}),
        ("TransferReceived", 2, {"amount": "1.00", "counterparty": "A"}),  # newer schema
    ],
)
def test_malformed_or_newer_legs_are_unreadable(event_type, schema, data) -> None:
    with pytest.raises(UnreadableEvent):
        decode_event(event_type, schema, data)


class _Row:
    def __init__(self, version: int, event_type: str, data: dict) -> None:
        self.aggregate_id, self.position, self.version = "A", version, version
        self.event_type, self.stored_schema_version, self.stored_data = event_type, 1, data
        self.recorded_at = datetime.now(UTC)


def test_a_stored_sent_leg_larger_than_the_balance_is_unreadable() -> None:
    account = _open("A", "1.00")
    with pytest.raises(UnreadableEvent, match="breaks the rules"):
        apply_recorded(
            account,
            _Row(2, "TransferSent", {"amount": "2.00", "counterparty": "B", "reference": None}),
        )
