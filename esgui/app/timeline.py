"""An account's history as a series: balance, status and time after every version.

The timeline and the balance chart scrub through it: built once by folding the stream
(the domain's own fold, so upcasting and rules are the ones replay uses), extended as
new events arrive, and indexed in O(1) per slider step. Kept compact (plain lists of
ints, times and interned type names) so a 100,000-event account stays small.
"""

from __future__ import annotations

import sys
from bisect import bisect_right
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from esgui.app.timeutil import as_utc
from esgui.domain.account import CLOSED, OPEN, BankAccount
from esgui.domain.codec import apply_recorded
from esgui.domain.events import describe_counterparty
from esgui.errors import UnreadableEvent
from esgui.projections import Cancelled
from esgui.store import EventStore

Progress = Callable[[int, int], None]
_CLOSED_TYPE = "AccountClosed"


@dataclass(frozen=True, slots=True)
class TimelinePoint:
    """The account right after one of its events."""

    version: int
    position: int
    event_type: str
    balance: Decimal
    status: str
    recorded_at: datetime
    counterparty: str = ""  # "to B1" / "from A1" for a transfer leg


class BalanceSeries:
    """Balance, status and time after each version of one account (version 1 first)."""

    def __init__(self, account_id: str) -> None:
        self.account_id = account_id
        self.owner = ""
        self.positions: list[int] = []
        self.cents: list[int] = []
        self.times: list[datetime] = []
        self.types: list[str] = []
        self.counterparties: dict[int, str] = {}  # version → "to B1" (transfer legs only)
        self.closed_at = 0  # the version that closed the account, 0 while open
        self.error: str | None = None  # why replay stops before the stream's end
        self._account = BankAccount(account_id)

    @property
    def version(self) -> int:
        """The last version in the series."""
        return len(self.positions)

    def __len__(self) -> int:
        return len(self.positions)

    @classmethod
    def load(
        cls,
        store: EventStore,
        account_id: str,
        *,
        should_stop: Callable[[], bool] | None = None,
        progress: Progress | None = None,
    ) -> BalanceSeries:
        series = cls(account_id)
        series.extend(store, should_stop=should_stop, progress=progress)
        return series

    def extend(
        self,
        store: EventStore,
        *,
        should_stop: Callable[[], bool] | None = None,
        progress: Progress | None = None,
        page_size: int = 5000,
    ) -> int:
        """Fold the events after the series' last version in; returns how many."""
        if self.error is not None:
            return 0
        total = store.current_version(self.account_id)
        start = self.version
        account = self._account
        for event in store.read_stream(self.account_id, start + 1, page_size=page_size):
            try:
                apply_recorded(account, event)
            except UnreadableEvent as error:
                self.error = error.message
                break
            self.positions.append(event.position)
            self.cents.append(int(account.balance.scaleb(2)))
            self.times.append(event.recorded_at)
            self.types.append(sys.intern(event.event_type))
            other = describe_counterparty(event.event_type, event.data)
            if other:
                self.counterparties[account.version] = other
            if event.event_type == _CLOSED_TYPE:
                self.closed_at = account.version
            done = account.version - start
            if done % page_size == 0:
                if progress is not None:
                    progress(account.version, max(total, account.version))
                if should_stop is not None and should_stop():
                    raise Cancelled(f"Loading the history of {self.account_id} was cancelled")
        self.owner = account.owner
        return self.version - start

    # -- indexing ----------------------------------------------------------------------

    def balance_at(self, version: int) -> Decimal:
        if version <= 0:
            return Decimal("0.00")
        return Decimal(self.cents[version - 1]).scaleb(-2)

    def status_at(self, version: int) -> str:
        if version <= 0:
            return ""
        return CLOSED if self.closed_at and version >= self.closed_at else OPEN

    def at(self, version: int) -> TimelinePoint | None:
        """The account right after `version`; None for 0 (before it was opened)."""
        if not 1 <= version <= self.version:
            return None
        i = version - 1
        return TimelinePoint(
            version, self.positions[i], self.types[i], self.balance_at(version),
            self.status_at(version), self.times[i], self.counterparties.get(version, ""),
        )  # fmt: skip

    def version_at_time(self, when: datetime) -> int:
        """The version current at `when` (0 before the opening). Recorded times follow
        positions, so they are ordered within an account."""
        return bisect_right(self.times, as_utc(when))

    def version_of_position(self, position: int) -> int:
        """The version whose event sits at `position`, or 0 if it is not this account's."""
        i = bisect_right(self.positions, position) - 1
        return i + 1 if i >= 0 and self.positions[i] == position else 0
