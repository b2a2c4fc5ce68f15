"""Hypothesis on the event decoder and upcasters: any stored payload either decodes to a
valid domain event or raises UnreadableEvent — never another exception, never a wrong
amount."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from esgui.domain.codec import decode_event
from esgui.domain.events import EVENT_TYPES, DomainEvent
from esgui.errors import UnreadableEvent
from tests.conftest import fuzz_examples

pytestmark = pytest.mark.fuzz

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=12),
    lambda children: st.lists(children, max_size=4)
    | st.dictionaries(st.text(max_size=8), children, max_size=4),
    max_leaves=12,
)
payloads = st.one_of(
    json_values,
    st.fixed_dictionaries({"amount": st.one_of(st.text(max_size=12), json_values)}),
    st.fixed_dictionaries({"amount_cents": json_values}),
    st.fixed_dictionaries({"owner": json_values, "initial": json_values}),
)


@settings(max_examples=fuzz_examples(300), deadline=None)
@given(event_type=st.one_of(st.sampled_from(EVENT_TYPES), st.text(max_size=15)),
       schema=st.integers(-3, 5), data=payloads)
@example(event_type="MoneyDeposited", schema=1, data={"amount_cents": True})
@example(event_type="MoneyDeposited", schema=1, data={"amount_cents": 10**30})
@example(event_type="MoneyDeposited", schema=2, data={"amount": "1e400"})
@example(event_type="MoneyDeposited", schema=2, data={"amount": "Infinity"})
@example(event_type="MoneyWithdrawn", schema=0, data={"amount": "1.00"})
@example(event_type="AccountOpened", schema=1, data={"owner": None, "initial": "1"})
@example(event_type="AccountClosed", schema=1, data={"amount": ""})  # found by the fuzzer
@example(event_type="MoneyDeposited", schema=2, data={"amount": "12.345"})
@example(event_type="MoneyDeposited", schema=2, data={"amount": 12})
def test_decoder_never_fails_unexpectedly(event_type: str, schema: int, data: object) -> None:
    try:
        event: DomainEvent = decode_event(event_type, schema, data)
    except UnreadableEvent:
        return
    field = "amount" if hasattr(event, "amount") else "initial" if hasattr(event, "initial") \
        else None
    amount = getattr(event, field) if field else Decimal(0)
    stored = data.get(field) if field and isinstance(data, dict) else None
    if isinstance(stored, str):
        assert Decimal(stored) == amount  # never rounded or guessed
    assert amount.is_finite() and amount >= 0
    assert amount == amount.quantize(Decimal("0.01"))
