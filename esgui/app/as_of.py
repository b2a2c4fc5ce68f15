"""The whole store as of a time (a trial balance): every account that existed then, with
its state then, and the totals.

Bounded by snapshots, not by history: the store gives, in two statements, each account's
version at T (index seeks), its newest snapshot at or below that version and the few
events after it (`EventStore.streams_at`); each account is that snapshot plus those
events folded. A snapshot that is unusable (corrupt, another schema) falls back to the
replayer for that account. An account whose history cannot be replayed up to T is
listed as "unreadable" with the reason, as the projection does, and counts in no total.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from esgui.app.replay import Replayer, usable_snapshot
from esgui.app.timeutil import as_utc
from esgui.domain.account import CLOSED, OPEN, BankAccount
from esgui.domain.codec import apply_recorded
from esgui.domain.money import ZERO, format_money
from esgui.errors import UnreadableEvent
from esgui.projections.account_summary import UNREADABLE, AccountSummary, SummaryFold
from esgui.store import EventStore, StreamAt


@dataclass(frozen=True, slots=True)
class TrialBalance:
    """Every account as of `at` (account order) and the head of the log when it was
    computed (the statement names it)."""

    at: datetime
    accounts: tuple[AccountSummary, ...]
    head_position: int
    head_hash: str

    @property
    def count(self) -> int:
        return len(self.accounts)

    @property
    def open_count(self) -> int:
        return sum(1 for a in self.accounts if a.status == OPEN)

    @property
    def closed_count(self) -> int:
        return sum(1 for a in self.accounts if a.status == CLOSED)

    @property
    def unreadable_count(self) -> int:
        return sum(1 for a in self.accounts if a.status == UNREADABLE)

    @property
    def total(self) -> Decimal:
        """Sum of the balances of the readable accounts (exact)."""
        return sum((a.balance for a in self.accounts if a.status != UNREADABLE), ZERO)

    def totals_dict(self) -> dict[str, Any]:
        return {
            "at": self.at.isoformat(),
            "accounts": self.count,
            "open": self.open_count,
            "closed": self.closed_count,
            "unreadable": self.unreadable_count,
            "total_balance": format_money(self.total),
            "head_position": self.head_position,
            "head_hash": self.head_hash,
        }


def trial_balance(store: EventStore, when: datetime, replayer: Replayer | None = None
                  ) -> TrialBalance:  # fmt: skip
    """The store as of `when` (naive means UTC)."""
    when = as_utc(when)
    replayer = replayer or Replayer(store)
    head_position, head_hash = store.head()
    accounts = tuple(_account_at(store, replayer, stream) for stream in store.streams_at(when))
    return TrialBalance(when, accounts, head_position, head_hash)


def _fold(stream: StreamAt) -> BankAccount | None:
    """The account from the stream's snapshot and rows; None when the snapshot is not
    usable (then the replayer rebuilds it)."""
    account = BankAccount(stream.aggregate_id)
    if stream.snapshot is not None:
        state = usable_snapshot(stream.snapshot, stream.aggregate_id)
        if state is None:
            return None
        account = BankAccount.from_state(state)
    for row in stream.rows:
        apply_recorded(account, row)
    return account


def _account_at(store: EventStore, replayer: Replayer, stream: StreamAt) -> AccountSummary:
    account_id, version, position = stream.aggregate_id, stream.version, stream.position
    try:
        account = _fold(stream) or replayer.load(account_id, version)
        if account.version != version:  # the log changed under a non-snapshot read
            account = replayer.load(account_id, version)
    except UnreadableEvent:
        # As the projection shows it: the state up to the unreadable event, and why.
        fold = SummaryFold(account_id)
        for event in store.read_stream(account_id, 1, version):
            fold.apply(event)
        return fold.summary()
    state = account.state()
    return AccountSummary(
        state.account_id, state.owner, state.balance, state.status, state.version,
        state.version, state.opened_at, state.updated_at, position,
    )  # fmt: skip
