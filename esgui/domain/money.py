"""Money: exact `Decimal` with two fractional digits, parsed strictly from text."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from esgui.errors import InvalidInput

CENT = Decimal("0.01")
ZERO = Decimal("0.00")
MAX_AMOUNT = Decimal("1000000000000.00")

# ASCII digits only (``\d`` would admit other scripts' digits), an optional point with
# one or two digits after it; nothing else: no sign, exponent, separator or blank.
_AMOUNT_RE = re.compile(r"[0-9]+(?:\.[0-9]{1,2})?")

Amount = str | Decimal | int


def parse_amount(value: Amount, *, allow_zero: bool = False, what: str = "amount") -> Decimal:
    """Return `value` as a two-place Decimal, or raise InvalidInput saying why.

    Text must be plain decimal (``12``, ``12.5``, ``12.50``); a Decimal or int must be a
    finite value with at most two fractional digits. Floats are refused: they cannot
    hold cents exactly.
    """
    if isinstance(value, (bool, float)):
        raise InvalidInput(f"Invalid {what} {value!r}: give money as text or Decimal, not a float")
    if isinstance(value, str):
        if not _AMOUNT_RE.fullmatch(value):
            shown = value if len(value) <= 40 else value[:40] + "…"
            raise InvalidInput(
                f"Invalid {what} {shown!r}: use plain decimal text such as 12.50 "
                "(digits, at most two after the point)"
            )
        amount = Decimal(value)
    elif isinstance(value, Decimal):
        if not value.is_finite():
            raise InvalidInput(f"Invalid {what} {value}: not a finite number")
        amount = value
    elif isinstance(value, int):
        amount = Decimal(value)
    else:
        raise InvalidInput(f"Invalid {what} of type {type(value).__name__}")
    try:
        quantized = amount.quantize(CENT)
    except InvalidOperation:
        raise InvalidInput(f"Invalid {what} {value}: too large") from None
    if quantized != amount:
        raise InvalidInput(f"Invalid {what} {value}: at most two digits after the point")
    if quantized < 0 or (quantized == 0 and not allow_zero):
        bound = "zero or more" if allow_zero else "greater than zero"
        raise InvalidInput(f"Invalid {what} {value}: must be {bound}")
    if quantized > MAX_AMOUNT:
        raise InvalidInput(f"Invalid {what} {value}: the largest amount is {MAX_AMOUNT}")
    return quantized


STORED_MONEY = re.compile(r"[0-9]+\.[0-9]{2}")  # how money is stored: "0.30"


def money_from_text(text: object) -> Decimal:
    """Decode a stored money value, exactly as esgui writes it ("0.30"). Anything else
    (a number, "1e3", "0.305") is a ValueError: a stored amount is never guessed at."""
    if not isinstance(text, str) or not STORED_MONEY.fullmatch(text):
        raise ValueError(f"stored money must be decimal text with two places, not {text!r}")
    return Decimal(text)


def format_money(amount: Decimal) -> str:
    """Exact text with two places: Decimal("0.3") -> "0.30"."""
    return str(amount.quantize(CENT))
