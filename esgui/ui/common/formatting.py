"""How values look in the explorer: money with two places, times in local time."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from esgui.app import wording
from esgui.domain.money import CENT

TIME_FORMAT = "%Y-%m-%d %H:%M:%S"


def money(amount: Decimal | str | None) -> str:
    """Exact amount, two places, thousands grouped: Decimal("1234.5") -> "1,234.50"."""
    if amount is None or amount == "":
        return ""
    value = amount if isinstance(amount, Decimal) else Decimal(amount)
    return f"{value.quantize(CENT):,}"


def cents_of(amount: Decimal) -> int:
    """An exact integer sort key for money (cents)."""
    return int(amount.quantize(CENT).scaleb(2))


def local_time(when: datetime | None, *, seconds: bool = True) -> str:
    if when is None:
        return ""
    fmt = TIME_FORMAT if seconds else "%Y-%m-%d %H:%M"
    return when.astimezone().strftime(fmt)


def utc_iso(when: datetime | None) -> str:
    return when.isoformat() if when is not None else ""


def count(value: int) -> str:
    return f"{value:,}"


# One home for plurals, shared with the CLI and the report (esgui.app.wording)
plural = wording.plural


def event_label(event_type: str) -> str:
    """MoneyDeposited -> Money deposited (for people, not for filters)."""
    words: list[str] = []
    for ch in event_type:
        if ch.isupper() and words:
            words.append(" ")
            words.append(ch.lower())
        else:
            words.append(ch)
    return "".join(words)
