"""What the audit tasks share: progress and cancellation hooks for long work.

Every long task (verify, export, import, projection check, report) takes
``progress(done, total)`` and ``should_stop()`` so a GUI worker can show a bar and
offer Cancel; a cancelled task raises `Cancelled` and leaves committed work as it is.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from esgui.projections import Cancelled

Progress = Callable[[int, int], None]  # (done, total)
ShouldStop = Callable[[], bool]


def check_stop(should_stop: ShouldStop | None, what: str) -> None:
    """Raise Cancelled when the caller asked to stop."""
    if should_stop is not None and should_stop():
        raise Cancelled(f"{what} cancelled")


def iso(when: datetime | None) -> str | None:
    return when.isoformat() if when is not None else None


__all__ = ["Cancelled", "Progress", "ShouldStop", "check_stop", "iso"]
