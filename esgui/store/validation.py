"""What the store accepts: limits of ids, counts, times and payloads, and the checks and
canonical serialisation of an event before it is appended."""

from __future__ import annotations

import math
import re
import uuid
from datetime import UTC, datetime
from typing import Any

from esgui.errors import InvalidInput
from esgui.store.hashing import canonical_json
from esgui.store.records import NewEvent

MAX_AGGREGATE_ID = 255
MAX_VERSION = 2**31 - 1  # versions are 32-bit integers in the table
MAX_POSITION = 2**63 - 1
MAX_EVENT_JSON = 1_000_000  # characters of data or metadata JSON per event

# What one of the engines cannot store, or gives back otherwise than it was hashed:
# NUL (PostgreSQL text and jsonb refuse it), lone surrogates (not UTF-8: neither
# engine), and numbers jsonb rewrites (1e20 comes back as 100000000000000000000, -0.0
# as 0). Canonical JSON writes numbers right after ':', ',' or '['; these patterns find
# the candidates quickly, and `_refuse_unstorable` then looks at the values themselves.
_SUSPECT = re.compile(r"\\u0000|[\ud800-\udfff]|[:,\[]-?(?:NaN|Infinity|[0-9.]+[eE]|0\.0+[,}\]])")
_PLAIN_FLOAT = re.compile(r"-?(?:0|[1-9][0-9]*)\.[0-9]+")


def _unstorable_text(text: str) -> str | None:
    if "\x00" in text:
        return "contains a NUL character (\\u0000), which PostgreSQL cannot store"
    for char in text:
        if "\ud800" <= char <= "\udfff":
            return f"contains a lone surrogate (\\u{ord(char):04x}), which is not Unicode text"
    return None


def check_text(value: str, what: str) -> str:
    """Text both engines store and give back exactly (no NUL, no lone surrogates)."""
    problem = _unstorable_text(value)
    if problem is not None:
        raise InvalidInput(f"Invalid {what}: it {problem}")
    return value


def _refuse_unstorable(value: Any, what: str) -> None:
    if isinstance(value, str):
        check_text(value, f"event {what}")
    elif isinstance(value, dict):
        for key, item in value.items():
            check_text(key, f"event {what} key")
            _refuse_unstorable(item, what)
    elif isinstance(value, list):
        for item in value:
            _refuse_unstorable(item, what)
    elif isinstance(value, float):
        if not math.isfinite(value):
            raise InvalidInput(f"Event {what} holds {value}, which JSON cannot store")
        if not _PLAIN_FLOAT.fullmatch(repr(value)) or (value == 0 and repr(value)[0] == "-"):
            raise InvalidInput(
                f"Event {what} holds the number {value!r}, which PostgreSQL would give back "
                "in another form (and the event would then fail its hash check); store it "
                "as text or as a plain decimal"
            )


def check_storable(value: Any, text: str, what: str) -> None:
    """Refuse data that one engine cannot store or would give back in another form, on
    both engines alike (`text` is `value`'s canonical JSON)."""
    if _SUSPECT.search(text):
        try:
            _refuse_unstorable(value, what)
        except RecursionError:
            raise InvalidInput(f"Event {what} is nested too deeply") from None


# event id, event, data JSON, metadata JSON, operator, recorded time (UTC) if given
Prepared = tuple[str, NewEvent, str, str, str, datetime | None]


def check_aggregate_id(aggregate_id: object) -> str:
    if not isinstance(aggregate_id, str) or not aggregate_id:
        raise InvalidInput(f"Invalid aggregate id {aggregate_id!r}")
    if len(aggregate_id) > MAX_AGGREGATE_ID or "\x00" in aggregate_id:
        raise InvalidInput("Invalid aggregate id: too long or contains NUL")
    check_text(aggregate_id, "aggregate id")
    return aggregate_id


def check_count(value: object, what: str, minimum: int = 0, maximum: int = MAX_POSITION) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise InvalidInput(f"Invalid {what} {value!r}: must be a whole number ≥ {minimum}")
    if value > maximum:
        raise InvalidInput(f"Invalid {what} {value!r}: must be at most {maximum}")
    return value


def check_time(when: object) -> datetime:
    """An aware datetime (the store compares times in UTC, never in local time)."""
    if not isinstance(when, datetime) or when.tzinfo is None:
        raise InvalidInput(f"Invalid time {when!r}: needs a timezone")
    return when


def prepare(event: NewEvent, event_id: str | None, metadata_cache: dict[int, str]) -> Prepared:
    """Validate one event and serialise its data and metadata canonically. `event_id` is
    a fresh id to use when the event brings none."""
    if type(event) is not NewEvent:
        raise InvalidInput(f"Cannot append {type(event).__name__}: expected NewEvent")
    event_type = event.event_type
    if not isinstance(event_type, str) or not 0 < len(event_type) <= 100 or "\x00" in event_type:
        raise InvalidInput(f"Invalid event type {event_type!r}")
    if event.event_id is not None:
        try:
            event_id = str(uuid.UUID(event.event_id))
        except (ValueError, AttributeError, TypeError):
            raise InvalidInput(f"Invalid event id {event.event_id!r}: not a UUID") from None
    data, metadata, recorded_at = event.data, event.metadata, event.recorded_at
    if type(data) is not dict or type(metadata) is not dict:
        raise InvalidInput("Event data and metadata must be JSON objects")
    if recorded_at is not None:
        if recorded_at.tzinfo is None:
            raise InvalidInput("Event recorded_at needs a timezone")
        recorded_at = recorded_at.astimezone(UTC)
    try:
        data_json = canonical_json(data)
        metadata_json = metadata_cache.get(id(metadata))
        fresh_metadata = metadata_json is None
        if metadata_json is None:
            metadata_json = metadata_cache[id(metadata)] = canonical_json(metadata)
    except (TypeError, ValueError) as error:
        raise InvalidInput(f"Event data is not JSON: {error}") from None
    except RecursionError:
        raise InvalidInput("Event data is nested too deeply") from None
    if len(data_json) > MAX_EVENT_JSON or len(metadata_json) > MAX_EVENT_JSON:
        raise InvalidInput(
            f"Event data too large ({max(len(data_json), len(metadata_json))} characters; "
            f"the limit is {MAX_EVENT_JSON})"
        )
    check_storable(data, data_json, "data")
    if fresh_metadata:  # (a shared metadata dict is checked once per append)
        check_storable(metadata, metadata_json, "metadata")
    operator = str(metadata.get("user", ""))[:200]
    if "\x00" in operator or "\x00" in event.aggregate_type:
        raise InvalidInput("Operator and aggregate type cannot contain NUL")
    check_text(event_type, "event type")
    check_text(event.aggregate_type, "aggregate type")
    return event_id, event, data_json, metadata_json, operator, recorded_at  # type: ignore[return-value]
