"""Recorded times and the clock: no event may be dated in the future, and a head that
is (docs/reliability.md, "Future-dated events").

- An event that brings its own time (an import, `NewEvent.recorded_at`) may lie at
  most the allowed skew ahead of this machine's clock (ESGUI_MAX_CLOCK_SKEW seconds,
  default 300); further ahead it is refused and nothing is appended.
- A new event is recorded at the current time, or at the head's time when the head
  is a little ahead (another writer's clock running fast, within the skew), so times
  stay monotonic among honest clocks. A head further in the future than the skew
  (written before this rule, or behind esgui's back) is not followed: new events get
  the real time. The position order stays the truth; time queries ("state at T") give
  the latest version recorded at or before T.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from esgui.config import env_max_clock_skew
from esgui.errors import InvalidInput


def max_future_skew() -> timedelta:
    """The allowed skew (ESGUI_MAX_CLOCK_SKEW); an unusable setting is invalid input."""
    try:
        return timedelta(seconds=env_max_clock_skew())
    except ValueError as error:
        raise InvalidInput(str(error)) from None


def check_not_future(when: datetime, what: str, now: datetime | None = None) -> None:
    """Refuse `when` when it is more than the allowed skew ahead of the clock."""
    now = now or datetime.now(UTC)
    skew = max_future_skew()
    if when > now + skew:
        raise InvalidInput(
            f"{what} is dated {when.isoformat()}, more than {_seconds(skew)} ahead of this "
            f"machine's clock ({now.isoformat(timespec='seconds')}); future-dated events "
            f"are refused (ESGUI_MAX_CLOCK_SKEW); nothing was appended"
        )


def append_time(head_time: datetime | None, now: datetime | None = None) -> datetime:
    """The time new events are recorded at, given the head's recorded time."""
    now = now or datetime.now(UTC)
    skew = max_future_skew()  # a bad setting fails every append, not only some
    if head_time is not None and now < head_time <= now + skew:
        return head_time  # a clock a little behind the store's: keep times monotonic
    return now


def _seconds(skew: timedelta) -> str:
    total = skew.total_seconds()
    return f"{total:g} s"
