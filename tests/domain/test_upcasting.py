from __future__ import annotations

from decimal import Decimal

import pytest

from esgui.domain.codec import decode_event
from esgui.domain.events import MoneyDeposited, MoneyWithdrawn
from esgui.domain.upcasting import upcast
from esgui.errors import UnreadableEvent


def test_v1_cents_deposit_is_upcast_to_decimal_text() -> None:
    assert upcast("MoneyDeposited", 1, {"amount_cents": 1050}) == {"amount": "10.50"}
    assert decode_event("MoneyDeposited", 1, {"amount_cents": 5}) == MoneyDeposited(
        Decimal("0.05"))
    assert decode_event("MoneyWithdrawn", 1, {"amount_cents": 100}) == MoneyWithdrawn(
        Decimal("1.00"))


def test_current_schema_is_untouched() -> None:
    data = {"amount": "1.00"}
    assert upcast("MoneyDeposited", 2, data) is data


@pytest.mark.parametrize(("event_type", "schema", "data"), [
    ("MoneyFrozen", 1, {}),
    ("MoneyDeposited", 3, {"amount": "1.00"}),
    ("MoneyDeposited", 1, {"amount_cents": 1.5}),
    ("MoneyDeposited", 1, {"amount_cents": "100"}),
    ("MoneyDeposited", 1, {}),
    ("MoneyDeposited", 2, {"amount": "abc"}),
    ("MoneyDeposited", 2, {"amount": "-1.00"}),
    ("MoneyDeposited", 2, {"amount": "NaN"}),
    ("MoneyDeposited", 2, []),
    ("AccountOpened", 1, {"owner": "x"}),
])  # fmt: skip
def test_undecodable_events_raise_unreadable_event(event_type: str, schema: int,
                                                   data: object) -> None:
    with pytest.raises(UnreadableEvent):
        decode_event(event_type, schema, data)
