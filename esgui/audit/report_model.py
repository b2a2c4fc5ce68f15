"""The account report's data: what `esgui.audit.report.build_report` gathers and
`esgui.audit.report_pdf` renders (plain dataclasses, no reportlab).

The report holds its totals, monthly movements, chart, flagged events and notes; the
full listing is not held at all: `lines()` reads it again from the store, lazily, so a
report of any length takes the same memory.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import NamedTuple

from esgui.audit.verify import Problem
from esgui.store import ReviewNote

INTACT, TAMPERED, UNVERIFIED = "intact", "tampered", "unverified"


class ReportLine(NamedTuple):
    """One event of the listing (a named tuple: a long report builds tens of thousands)."""

    position: int
    version: int
    recorded_at: datetime
    event_type: str
    amount: Decimal | None  # signed: withdrawals negative
    balance: Decimal | None  # after the event; None once the history is unreadable
    operator: str
    event_id: str
    noted: bool  # a review note is about this event
    flagged: bool  # verification found a problem at this position
    counterparty: str = ""  # "to B1" / "from A1" for a transfer leg


@dataclass(frozen=True, slots=True)
class MonthLine:
    """Money moved in one calendar month (UTC) of the period."""

    month: str  # "2026-03"
    events: int
    money_in: Decimal
    money_out: Decimal
    closing_balance: Decimal | None  # at the month's last event (None: unreadable)


@dataclass(frozen=True, slots=True)
class ReportIntegrity:
    """What the report says about the store's integrity, and what that relies on."""

    verdict: str  # intact | tampered | unverified
    statement: str  # which verification, when, by whom, and what it covered
    head_position: int
    head_hash: str
    problem_count: int  # in the whole store (as far as known)
    first_problem: Problem | None  # in the whole store (None when not known)
    account_problems: tuple[Problem, ...]  # this account's, where positions are known
    positions_known: bool  # False: a recorded verdict only, without its positions
    witnessed: bool  # the verification it relies on ran on this machine

    @property
    def intact(self) -> bool:
        return self.verdict == INTACT


@dataclass(frozen=True, slots=True)
class AccountReport:
    account_id: str
    owner: str
    status: str  # at the end of the period ("" before the account was opened)
    period_from: datetime | None
    period_to: datetime | None
    opening_balance: Decimal
    closing_balance: Decimal
    money_in: Decimal
    money_out: Decimal
    event_count: int  # events in the period
    monthly: tuple[MonthLine, ...]
    chart: tuple[tuple[datetime, Decimal], ...]  # balance over the period, thinned
    flagged: tuple[ReportLine, ...]  # lines with a verification problem (the first ones)
    flagged_count: int
    notes: tuple[ReviewNote, ...]
    note_targets: dict[str, tuple[int, int]]  # event id -> (position, version)
    integrity: ReportIntegrity
    unreadable: str | None  # why the history could not be replayed to the end
    generated_at: datetime
    generated_by: str
    store: str
    summary_only: bool = False
    # the listing, read again from the store when rendered (None: summary only)
    listing: Callable[[], Iterator[ReportLine]] | None = field(default=None, compare=False)

    @property
    def account_problems(self) -> tuple[Problem, ...]:
        return self.integrity.account_problems

    def lines(self) -> Iterator[ReportLine]:
        """Every line of the period, read lazily (empty for a summary-only report)."""
        if self.listing is None:
            return iter(())
        return self.listing()
