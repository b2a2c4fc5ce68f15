"""Upcasters: bring an event's stored data from an old schema version to the current one.

History: esgui 0.0 stored deposits and withdrawals as integer cents
(``{"amount_cents": 1050}``, schema 1). Since schema 2 they hold exact decimal text
(``{"amount": "10.50"}``). Old rows are never rewritten; they are upcast on every read.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from esgui.domain.events import EVENT_CLASSES
from esgui.domain.money import format_money
from esgui.errors import UnreadableEvent

Data = dict[str, Any]
Upcaster = Callable[[Data], Data]


def _cents_to_amount(data: Data) -> Data:
    cents = data["amount_cents"]
    if isinstance(cents, bool) or not isinstance(cents, int):
        raise ValueError(f"amount_cents must be an integer, not {cents!r}")
    rest = {k: v for k, v in data.items() if k != "amount_cents"}
    return {**rest, "amount": format_money(Decimal(cents).scaleb(-2))}


# (event_type, from_version) -> function producing data of from_version + 1
UPCASTERS: dict[tuple[str, int], Upcaster] = {
    ("MoneyDeposited", 1): _cents_to_amount,
    ("MoneyWithdrawn", 1): _cents_to_amount,
}


def current_schema_version(event_type: str) -> int:
    cls = EVENT_CLASSES.get(event_type)
    if cls is None:
        raise UnreadableEvent(f"Unknown event type {event_type!r}")
    return cls.schema_version


def upcast(event_type: str, schema_version: int, data: Data) -> Data:
    """Return `data` at the current schema version of `event_type` (unchanged if current).

    Raises UnreadableEvent for unknown types, schemas newer than this esgui, or a missing
    upcaster step.
    """
    current = current_schema_version(event_type)
    if schema_version == current:
        return data
    if schema_version > current:
        raise UnreadableEvent(
            f"{event_type} schema {schema_version} is newer than this esgui understands "
            f"(up to {current}); upgrade esgui to read it"
        )
    version = schema_version
    while version < current:
        step = UPCASTERS.get((event_type, version))
        if step is None:
            raise UnreadableEvent(f"No upcaster for {event_type} schema {version}")
        try:
            data = step(data)
        except (KeyError, TypeError, ValueError, ArithmeticError) as exc:
            raise UnreadableEvent(f"Cannot upcast {event_type} schema {version}: {exc}") from None
        version += 1
    return data
