"""The account-summary read model: one row per account, folded from the event log."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from decimal import Decimal
from typing import Any

from esgui.domain.account import AccountState, BankAccount
from esgui.domain.codec import apply_recorded
from esgui.domain.money import ZERO, format_money, money_from_text
from esgui.errors import UnreadableEvent
from esgui.store import RecordedEvent

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

    def as_row(self) -> dict[str, Any]:
        row = self.as_dict()
        row["opened_at"], row["last_activity"] = self.opened_at, self.last_activity
        return row

    @classmethod
    def from_row(cls, row: Any) -> AccountSummary:
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


def apply_to_summary(summary: AccountSummary | None, event: RecordedEvent) -> AccountSummary:
    """Fold one event into an account's summary. An event that cannot be decoded marks
    the account unreadable (with the reason) instead of stopping the projection."""
    if summary is not None and summary.status == UNREADABLE:
        return replace(
            summary,
            version=event.version,
            event_count=summary.event_count + 1,
            last_activity=event.recorded_at,
            last_position=event.position,
        )
    if summary is None:
        account = BankAccount(event.aggregate_id)
    else:
        account = BankAccount.from_state(
            AccountState(
                summary.account_id,
                summary.owner,
                summary.balance,
                summary.status,
                summary.version,
                summary.opened_at,
                summary.last_activity,
            )
        )
    count = (summary.event_count if summary else 0) + 1
    try:
        apply_recorded(account, event)
    except UnreadableEvent as error:
        return AccountSummary(
            event.aggregate_id,
            summary.owner if summary else "",
            summary.balance if summary else ZERO,
            UNREADABLE,
            event.version,
            count,
            summary.opened_at if summary else None,
            event.recorded_at,
            event.position,
            str(error),
        )
    return AccountSummary(
        account.account_id,
        account.owner,
        account.balance,
        account.status,
        account.version,
        count,
        account.opened_at,
        event.recorded_at,
        event.position,
    )
