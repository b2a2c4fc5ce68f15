"""The account-summary read model: one row per account, folded from the event log."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from esgui.domain.account import AccountState, BankAccount
from esgui.domain.codec import apply_recorded
from esgui.domain.money import format_money, money_from_text
from esgui.errors import UnreadableEvent
from esgui.store import RecordedEvent, SummaryRow

UNREADABLE = "unreadable"


@dataclass(frozen=True, slots=True)
class AccountSummary:
    account_id: str
    owner: str
    balance: Decimal
    status: str  # open | closed | unreadable
    version: int
    event_count: int
    opened_at: datetime | None
    last_activity: datetime | None
    last_position: int
    error: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "account_id": self.account_id,
            "owner": self.owner,
            "balance": format_money(self.balance),
            "status": self.status,
            "version": self.version,
            "event_count": self.event_count,
            "opened_at": self.opened_at.isoformat() if self.opened_at else None,
            "last_activity": self.last_activity.isoformat() if self.last_activity else None,
            "last_position": self.last_position,
            "error": self.error,
        }

    def stored(self) -> SummaryRow:
        """The row the store keeps (balance as exact decimal text)."""
        return SummaryRow(self.account_id, self.owner, format_money(self.balance), self.status,
                          self.version, self.event_count, self.opened_at, self.last_activity,
                          self.last_position, self.error)  # fmt: skip

    @classmethod
    def from_row(cls, row: SummaryRow | Any) -> AccountSummary:
        return cls(
            row.account_id,
            row.owner,
            money_from_text(row.balance),
            row.status,
            row.version,
            row.event_count,
            row.opened_at,
            row.last_activity,
            row.last_position,
            row.error,
        )


class SummaryFold:
    """A mutable account summary that events are folded into (one per account in a
    batch, turned back into an AccountSummary once at the end). An event that cannot be
    decoded marks the account unreadable, with the reason, instead of stopping."""

    __slots__ = ("account", "count", "last_activity", "last_position", "error", "had_row")

    def __init__(self, account_id: str, summary: AccountSummary | None = None) -> None:
        self.account = BankAccount(account_id)
        self.count = 0
        self.last_activity: datetime | None = None
        self.last_position = 0
        self.error: str | None = None
        self.had_row = summary is not None  # stored already: an update, not an insert
        if summary is not None:
            self.account = BankAccount.from_state(AccountState(
                summary.account_id, summary.owner, summary.balance,
                summary.status if summary.status != UNREADABLE else "open",
                summary.version, summary.opened_at, summary.last_activity))  # fmt: skip
            self.count = summary.event_count
            self.last_activity = summary.last_activity
            self.last_position = summary.last_position
            self.error = summary.error if summary.status == UNREADABLE else None

    def apply(self, event: RecordedEvent) -> None:
        self.count += 1
        self.last_activity = event.recorded_at
        self.last_position = event.position
        if self.error is None:
            try:
                apply_recorded(self.account, event)
                return
            except UnreadableEvent as error:
                self.error = str(error)
        self.account.version = event.version  # keep counting past the unreadable event

    def summary(self) -> AccountSummary:
        account = self.account
        status = UNREADABLE if self.error is not None else account.status
        return AccountSummary(
            account.account_id,
            account.owner,
            account.balance,
            status,
            account.version,
            self.count,
            account.opened_at,
            self.last_activity,
            self.last_position,
            self.error,
        )


def apply_to_summary(summary: AccountSummary | None, event: RecordedEvent) -> AccountSummary:
    """Fold one event into an account's summary (see SummaryFold)."""
    fold = SummaryFold(event.aggregate_id, summary)
    fold.apply(event)
    return fold.summary()
