from __future__ import annotations

from decimal import Decimal

import pytest

from esgui.domain import BankAccount
from esgui.domain.events import AccountClosed, AccountOpened, MoneyDeposited, MoneyWithdrawn
from esgui.domain.ids import validate_account_id, validate_owner
from esgui.errors import InsufficientFunds, InvalidInput, RuleViolation, UnknownAccount


def opened(initial: str = "100.00") -> BankAccount:
    account = BankAccount("A1")
    account.open("Alice", initial)
    return account


def test_open_records_account_opened() -> None:
    account = opened()
    assert account.pending == [AccountOpened("Alice", Decimal("100.00"))]
    assert account.state().balance == Decimal("100.00")
    assert account.state().status == "open"
    assert account.version == 1


def test_open_allows_zero_initial_deposit_but_not_negative() -> None:
    assert opened("0").balance == Decimal("0.00")
    with pytest.raises(InvalidInput):
        BankAccount("A1").open("Alice", "-1")


def test_no_double_open() -> None:
    account = opened()
    with pytest.raises(RuleViolation, match="already open"):
        account.open("Alice", "1")


def test_closed_account_cannot_be_reopened_or_used() -> None:
    account = opened("0")
    account.close()
    for command in (lambda: account.open("Bob", "0"), lambda: account.deposit("1"),
                    lambda: account.withdraw("1"), account.close):
        with pytest.raises(RuleViolation):
            command()
    assert account.pending[-1] == AccountClosed()


def test_nothing_on_an_unknown_account() -> None:
    for command in ("deposit", "withdraw"):
        with pytest.raises(UnknownAccount):
            getattr(BankAccount("ZZ"), command)("1")
    with pytest.raises(UnknownAccount):
        BankAccount("ZZ").close()


def test_deposit_and_withdraw_move_exact_money() -> None:
    account = opened("0.10")
    account.deposit("0.20")
    account.withdraw("0.30")
    assert account.balance == Decimal("0.00")
    assert account.pending[1:] == [MoneyDeposited(Decimal("0.20")),
                                   MoneyWithdrawn(Decimal("0.30"))]


def test_no_overdraft_and_message_names_balance_and_request() -> None:
    account = opened("120.00")
    with pytest.raises(InsufficientFunds) as info:
        account.withdraw("1000000.00")
    assert str(info.value) == "Insufficient funds: balance 120.00, requested 1000000.00"
    assert len(account.pending) == 1


def test_close_only_at_zero_balance() -> None:
    account = opened("5.00")
    with pytest.raises(RuleViolation, match="balance is 5.00"):
        account.close()
    account.withdraw("5.00")
    account.close()
    assert account.state().status == "closed"


def test_amounts_are_validated_before_rules() -> None:
    with pytest.raises(InvalidInput):
        BankAccount("unknown").deposit("abc")


@pytest.mark.parametrize("bad", ["", " ", "a" * 65, "x" * 10_000, "a b", "A1\n", "A1\x00",
                                 "-A1", "A1;DROP TABLE events", "Ä1", "'; --", "a/b"])
def test_absurd_account_ids_are_invalid(bad: str) -> None:
    with pytest.raises(InvalidInput):
        validate_account_id(bad)


@pytest.mark.parametrize("good", ["A1", "ACC-000001", "a", "x" * 64, "team:42_b.c"])
def test_reasonable_account_ids_are_valid(good: str) -> None:
    assert validate_account_id(good) == good


@pytest.mark.parametrize("bad", ["", "   ", "a\x00b", "a\nb", "x" * 201, "\u202ename"])
def test_bad_owners_are_invalid(bad: str) -> None:
    with pytest.raises(InvalidInput):
        validate_owner(bad)


def test_owner_is_trimmed_and_any_script_allowed() -> None:
    assert validate_owner("  Zoë Ørsted 王 ") == "Zoë Ørsted 王"
