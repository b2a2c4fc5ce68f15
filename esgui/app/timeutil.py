"""Parsing and normalising user-given times: ISO-8601, naive means UTC."""

from __future__ import annotations

from datetime import UTC, datetime

from esgui.errors import InvalidInput


def as_utc(when: datetime) -> datetime:
    if not isinstance(when, datetime):
        raise InvalidInput(f"Invalid time {when!r}")
    try:
        return when.replace(tzinfo=UTC) if when.tzinfo is None else when.astimezone(UTC)
    except OverflowError:
        # e.g. 0001-01-01T00:00:00+14:00 is before year 1 in UTC
        raise InvalidInput(
            f"Time {when.isoformat()} is out of range in UTC (years 1 to 9999)"
        ) from None


def parse_time(text: str) -> datetime:
    """ISO-8601 date or date-time; without an offset it is UTC."""
    try:
        when = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except (ValueError, AttributeError):
        raise InvalidInput(
            f"Invalid time {text!r}: use ISO-8601, e.g. 2026-11-27T10:15:00+00:00"
        ) from None
    return as_utc(when)
