"""How long a writer waits for the append lock before it gives up.

One setting for both engines: ``ESGUI_LOCK_TIMEOUT`` (seconds, default 10). PostgreSQL
sessions get it as ``lock_timeout`` (every lock wait: the append lock, the projection
checkpoint, schema upgrades); SQLite connections as their busy timeout (the wait for the
database's one write lock). A writer that waited that long fails with
`AppendLockTimeout` (exit 4) and has appended nothing; see docs/reliability.md, "The
append lock: who can take it, timeouts".
"""

from __future__ import annotations

import math
import os

from esgui.config import ENV_LOCK_TIMEOUT
from esgui.errors import InvalidInput

DEFAULT_LOCK_TIMEOUT_S = 10.0
MAX_LOCK_TIMEOUT_S = 3600.0


def lock_timeout_s(value: str | float | None = None) -> float:
    """The lock timeout in seconds: `value` if given, else ESGUI_LOCK_TIMEOUT, else 10.
    A value that is not a number of seconds in (0, 3600] is invalid input (exit 2)."""
    raw: str | float | None = value if value is not None else os.environ.get(ENV_LOCK_TIMEOUT)
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return DEFAULT_LOCK_TIMEOUT_S
    try:
        seconds = float(raw)
    except (TypeError, ValueError):
        seconds = math.nan
    if not (0 < seconds <= MAX_LOCK_TIMEOUT_S):  # also refuses NaN
        raise InvalidInput(
            f"Invalid lock timeout {raw!r} ({ENV_LOCK_TIMEOUT}): give seconds, more than 0 "
            f"and at most {MAX_LOCK_TIMEOUT_S:.0f}"
        )
    return seconds


def describe_seconds(seconds: float) -> str:
    return f"{seconds:g} s"
