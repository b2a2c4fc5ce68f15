"""What the store accepts: limits of ids, counts, times and payloads, and the checks and
canonical serialisation of an event before it is appended."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from esgui.errors import InvalidInput
from esgui.store.hashing import canonical_json
from esgui.store.records import NewEvent

MAX_AGGREGATE_ID = 255
MAX_VERSION = 2**31 - 1  # versions are 32-bit integers in the table
MAX_POSITION = 2**63 - 1
MAX_EVENT_JSON = 1_000_000  # characters of data or metadata JSON per event

# event id, event, data JSON, metadata JSON, operator, recorded time (UTC) if given
Prepared = tuple[str, NewEvent, str, str, str, datetime | None]


def check_aggregate_id(aggregate_id: object) -> str:
    if not isinstance(aggregate_id, str) or not aggregate_id:
        raise InvalidInput(f"Invalid aggregate id {aggregate_id!r}")
    if len(aggregate_id) > MAX_AGGREGATE_ID or "\x00" in aggregate_id:
        raise InvalidInput("Invalid aggregate id: too long or contains NUL")
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
    operator = str(metadata.get("user", ""))[:200]
    if "\x00" in operator or "\x00" in event.aggregate_type:
        raise InvalidInput("Operator and aggregate type cannot contain NUL")
    return event_id, event, data_json, metadata_json, operator, recorded_at  # type: ignore[return-value]
