"""The account report's data: what `esgui.audit.report.build_report` gathers and
`esgui.audit.report_pdf` renders (plain dataclasses, no reportlab)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from esgui.audit.verify import Problem, VerifyResult
from esgui.store import ReviewNote


@dataclass(frozen=True, slots=True)
class ReportLine:
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
    lines: tuple[ReportLine, ...]
    chart: tuple[tuple[datetime, Decimal], ...]  # balance over the period, thinned
    notes: tuple[ReviewNote, ...]
    integrity: VerifyResult
    account_problems: tuple[Problem, ...]
    unreadable: str | None  # why the history could not be replayed to the end
    generated_at: datetime
    generated_by: str
    store: str
