"""An event in its account's history: the balance and status just before it and just
after it, as a time-travel debugger shows the state around a step (no Qt, no SQL).

From the account's loaded `BalanceSeries` when there is one (an index into it), else
replayed from the nearest snapshot (`Replayer.state_at`), off the GUI thread.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from esgui.app.replay import Replayer
from esgui.app.timeline import BalanceSeries
from esgui.errors import EsguiError


@dataclass(frozen=True, slots=True)
class Side:
    balance: Decimal
    status: str


@dataclass(frozen=True, slots=True)
class StateChange:
    """The account around one of its versions; `before` is None before the opening."""

    account_id: str
    version: int
    before: Side | None
    after: Side

    @property
    def change(self) -> Decimal:
        """How the balance moved (exact)."""
        return self.after.balance - (self.before.balance if self.before else Decimal("0.00"))


def from_series(series: BalanceSeries, version: int) -> StateChange | None:
    """The change at `version` from a loaded series (None if it does not hold it)."""
    if not 1 <= version <= len(series):
        return None
    before = None if version == 1 else Side(series.balance_at(version - 1),
                                             series.status_at(version - 1))  # fmt: skip
    after = Side(series.balance_at(version), series.status_at(version))
    return StateChange(series.account_id, version, before, after)


def replayed(replayer: Replayer, account_id: str, version: int) -> StateChange | None:
    """The change at `version`, replayed (None when the history cannot be replayed
    that far, e.g. an unreadable event)."""
    if version < 1:
        return None
    try:
        after = replayer.state_at(account_id, version=version)
        before = replayer.state_at(account_id, version=version - 1) if version > 1 else None
    except EsguiError:
        return None
    return StateChange(
        account_id, version, Side(before.balance, before.status) if before else None,
        Side(after.balance, after.status),
    )  # fmt: skip
