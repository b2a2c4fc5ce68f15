from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from esgui.domain.money import MAX_AMOUNT, format_money, parse_amount
from esgui.errors import InvalidInput
from tests.conftest import fuzz_examples

VALID = {
    "1": "1.00", "0.01": "0.01", "12.5": "12.50", "12.50": "12.50", "100": "100.00",
    "007": "7.00", "1000000000000": "1000000000000.00",
    "1000000000000.00": "1000000000000.00", "999999999999.99": "999999999999.99",
}  # fmt: skip

# Every kind CONTRACTS §3 names: exponents, NaN, Infinity, signs, separators,
# non-ASCII digits, blanks; plus zero, too many places, too large, empty, junk.
INVALID = [
    "1e5", "1E5", "1e-2", "2E+3",
    "NaN", "nan", "sNaN", "Infinity", "-Infinity", "inf", "+inf",
    "+5", "-5", "-0.01", "+0.50", "--5", "5-",
    "1,000", "1,000.00", "1_000", "1 000", "1'000", "1.000,00", "1,5",
    "١٢٣", "１２", "５", "𝟓", "१२३", "½", "²",
    "", " ", " 5", "5 ", "\t5", "5\n", "\u00a05", "5\u2009",
    "0", "0.0", "0.00", "000",
    "1.234", "0.001", "1.", ".5", ".", "1..0", "1.2.3",
    "1000000000000.01", "1000000000001", "99999999999999999999",
    "abc", "12a", "0x10", "1/2", "$5", "5€", "five", "5;DROP TABLE events",
]  # fmt: skip


@pytest.mark.parametrize(("text", "expected"), sorted(VALID.items()))
def test_valid_amounts_parse_to_two_places(text: str, expected: str) -> None:
    amount = parse_amount(text)
    assert isinstance(amount, Decimal)
    assert format_money(amount) == expected


@pytest.mark.parametrize("text", INVALID)
def test_invalid_amounts_are_refused_with_one_clear_message(text: str) -> None:
    with pytest.raises(InvalidInput) as info:
        parse_amount(text)
    message = str(info.value)
    assert message.startswith("Invalid amount")
    assert "\n" not in message


@pytest.mark.parametrize("value", [0.1, 1.0, float("nan"), True, None, [1], b"1"])
def test_floats_and_other_types_are_refused(value: object) -> None:
    with pytest.raises(InvalidInput):
        parse_amount(value)  # type: ignore[arg-type]


@pytest.mark.parametrize("value", [Decimal("NaN"), Decimal("Infinity"), Decimal("0.001"),
                                   Decimal("-1"), Decimal("0"), MAX_AMOUNT + Decimal("0.01")])
def test_bad_decimals_are_refused(value: Decimal) -> None:
    with pytest.raises(InvalidInput):
        parse_amount(value)


def test_decimal_and_int_values_are_accepted() -> None:
    assert parse_amount(Decimal("0.3")) == Decimal("0.30")
    assert parse_amount(Decimal("1E+2")) == Decimal("100.00")
    assert parse_amount(5) == Decimal("5.00")


def test_zero_is_allowed_only_where_asked() -> None:
    assert parse_amount("0", allow_zero=True) == Decimal("0.00")
    with pytest.raises(InvalidInput):
        parse_amount("0")


def test_sum_of_tenths_is_exact() -> None:
    total = sum((parse_amount("0.10") for _ in range(3)), Decimal("0"))
    assert format_money(total) == "0.30"


@given(st.integers(min_value=1, max_value=100_000_000_000_000))
def test_every_cent_value_round_trips(cents: int) -> None:
    text = f"{cents // 100}.{cents % 100:02d}"
    assert format_money(parse_amount(text)) == text


@pytest.mark.fuzz
@settings(max_examples=fuzz_examples(500), deadline=None)
@given(st.text(max_size=30))
def test_parser_either_accepts_plain_decimal_or_raises_invalid_input(text: str) -> None:
    try:
        amount = parse_amount(text)
    except InvalidInput:
        return
    assert text.isascii() and text.replace(".", "", 1).isdigit()
    assert Decimal("0") < amount <= MAX_AMOUNT
    assert amount == Decimal(text)
