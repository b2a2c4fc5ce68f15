"""Gathering the account report: balances over a period, every event in it, the
integrity of the store and the account's review notes (the data is in
`esgui.audit.report_model`, the rendering in `esgui.audit.report_pdf`; a GUI can show
the data without reportlab).
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from esgui.audit.common import Progress, ShouldStop
from esgui.audit.diff import event_money
from esgui.audit.notes import list_notes
from esgui.audit.report_model import AccountReport, ReportLine
from esgui.audit.verify import VerifyResult, verify_store
from esgui.domain.account import BankAccount
from esgui.domain.codec import apply_recorded
from esgui.domain.events import balance_sign, describe_counterparty
from esgui.domain.ids import validate_account_id
from esgui.domain.money import ZERO
from esgui.errors import InvalidInput, UnknownAccount, UnreadableEvent
from esgui.store import EventStore

MAX_CHART_POINTS = 800

__all__ = ["AccountReport", "ReportLine", "build_report", "summary_json", "write_report"]


def _signed(event_type: str, value: Decimal | None) -> Decimal | None:
    if value is None:
        return None
    return -value if balance_sign(event_type) < 0 else value


def _thin(points: list[tuple[datetime, Decimal]]) -> tuple[tuple[datetime, Decimal], ...]:
    if len(points) <= MAX_CHART_POINTS:
        return tuple(points)
    step = len(points) / MAX_CHART_POINTS
    kept = [points[int(i * step)] for i in range(MAX_CHART_POINTS)]
    return tuple([*kept, points[-1]])


def build_report(
    store: EventStore,
    account_id: str,
    *,
    period_from: datetime | None = None,
    period_to: datetime | None = None,
    user: str = "",
    integrity: VerifyResult | None = None,
    progress: Progress | None = None,
    should_stop: ShouldStop | None = None,
) -> AccountReport:
    """Gather the report. `integrity` reuses a verification already run (the GUI's);
    otherwise the whole store is verified now, with `progress`/`should_stop`."""
    validate_account_id(account_id)
    for bound in (period_from, period_to):
        if bound is not None and bound.tzinfo is None:
            raise InvalidInput(f"Invalid time {bound!r}: needs a timezone")
    if period_from and period_to and period_from > period_to:
        raise InvalidInput("The period starts after it ends: --from must not be after --to")
    if store.current_version(account_id) == 0:
        raise UnknownAccount(f"Unknown account {account_id!r}")
    if integrity is None:
        integrity = verify_store(store, progress=progress, should_stop=should_stop)
    problems = tuple(p for p in integrity.problems if p.account_id == account_id)
    bad = {p.position for p in problems}
    notes = tuple(list_notes(store, account_id=account_id))
    noted = {n.event_id for n in notes if n.event_id}

    account = BankAccount(account_id)
    unreadable: str | None = None
    opening = closing = ZERO
    owner, status = "", ""
    money_in = money_out = ZERO
    lines: list[ReportLine] = []
    points: list[tuple[datetime, Decimal]] = []
    for event in store.read_stream(account_id):
        if unreadable is None:
            try:
                apply_recorded(account, event)
            except UnreadableEvent as error:
                unreadable = str(error)
        balance = account.balance if unreadable is None else None
        before = period_from is not None and event.recorded_at < period_from
        after = period_to is not None and event.recorded_at > period_to
        if before and balance is not None:
            opening = balance
        if not after and unreadable is None:
            closing, owner, status = account.balance, account.owner, account.status
        if before or after:
            continue
        amount = _signed(event.event_type, event_money(event))
        if amount is not None and unreadable is None:
            if amount >= 0:
                money_in += amount
            else:
                money_out -= amount
        if balance is not None:
            if not points and period_from is not None:
                points.append((period_from, opening))
            points.append((event.recorded_at, balance))
        lines.append(ReportLine(event.position, event.version, event.recorded_at,
                                event.event_type, amount, balance, event.operator,
                                event.event_id, event.event_id in noted,
                                event.position in bad,
                                describe_counterparty(event.event_type, event.data)))  # fmt: skip
    if period_to is not None and points and unreadable is None:
        points.append((min(period_to, datetime.now(UTC)), closing))
    return AccountReport(
        account_id=account_id,
        owner=owner or account.owner,
        status=status,
        period_from=period_from,
        period_to=period_to,
        opening_balance=opening,
        closing_balance=closing,
        money_in=money_in,
        money_out=money_out,
        lines=tuple(lines),
        chart=_thin(points),
        notes=notes,
        integrity=integrity,
        account_problems=problems,
        unreadable=unreadable,
        generated_at=datetime.now(UTC),
        generated_by=user,
        store=store.description,
    )


def write_report(report: AccountReport, output: Path | str) -> Path:
    """Render the report as a PDF (imports reportlab only now)."""
    from esgui.audit.report_pdf import render_pdf

    return render_pdf(report, Path(output))


def summary_json(report: AccountReport) -> dict[str, Any]:
    """The report's headline figures (for scripts and the GUI)."""
    from esgui.domain.money import format_money

    return {
        "account_id": report.account_id,
        "owner": report.owner,
        "status": report.status,
        "from": report.period_from.isoformat() if report.period_from else None,
        "to": report.period_to.isoformat() if report.period_to else None,
        "opening_balance": format_money(report.opening_balance),
        "closing_balance": format_money(report.closing_balance),
        "money_in": format_money(report.money_in),
        "money_out": format_money(report.money_out),
        "events": len(report.lines),
        "notes": len(report.notes),
        "intact": report.integrity.intact,
        "head_hash": report.integrity.head_hash,
    }
