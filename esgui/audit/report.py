"""Gathering the account report: balances over a period, money moved per month, the
flagged events, the account's review notes and what the store's integrity is known to
be (the data is in `esgui.audit.report_model`, the rendering in `esgui.audit.report_pdf`;
a GUI can show the data without reportlab).

Bounded by the account, never by the store: the account's history is read once for the
totals (and once more, lazily, for the full listing while the PDF is written), and the
integrity comes from `esgui.audit.report_integrity` — a recorded verification and an
incremental check of what was appended since, never a whole-store verify unless asked.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from esgui.app.verify_memory import VerifyMemory
from esgui.audit.common import Progress, ShouldStop, check_stop
from esgui.audit.diff import event_money
from esgui.audit.notes import list_notes
from esgui.audit.report_integrity import AUTO, report_integrity
from esgui.audit.report_model import AccountReport, MonthLine, ReportIntegrity, ReportLine
from esgui.audit.verify import VerifyResult
from esgui.domain.account import BankAccount
from esgui.domain.codec import apply_recorded
from esgui.domain.events import BALANCE_SIGNS, balance_sign, describe_counterparty
from esgui.domain.ids import validate_account_id
from esgui.domain.money import ZERO
from esgui.errors import InvalidInput, UnknownAccount, UnreadableEvent
from esgui.store import EventStore

MAX_CHART_POINTS = 800
MAX_FLAGGED = 500  # flagged lines kept for the summary (all are counted)
STOP_EVERY = 2000  # events between checks for Cancel and progress reports
_MOVES = frozenset({"AccountOpened", *BALANCE_SIGNS})

__all__ = ["AccountReport", "ReportLine", "build_report", "summary_json", "write_report"]


class _Fold:
    """One pass over the account's history, keeping the totals up to date: `lines()`
    yields the period's events as report lines (the full listing), `moves()` only
    (stored row, balance after, signed amount) of the narrow replay rows (the summary)."""

    def __init__(
        self,
        store: EventStore,
        account_id: str,
        period_from: datetime | None,
        period_to: datetime | None,
        bad: frozenset[int],
        noted: frozenset[str],
    ) -> None:
        self.store, self.account_id = store, account_id
        self.period_from, self.period_to = period_from, period_to
        self.bad, self.noted = bad, noted
        self.account = BankAccount(account_id)
        self.unreadable: str | None = None
        self.opening = self.closing = ZERO
        self.owner = self.status = ""
        self.money_in = self.money_out = ZERO
        self.read = 0  # events read so far (of the whole history)

    def lines(self) -> Iterator[ReportLine]:
        events = self.store.read_stream(self.account_id, page_size=5000)
        for event, balance, amount in self._fold(events):
            if amount is None and balance is None and event.event_type in _MOVES:
                value = event_money(event)  # unreadable history: what the payload says
                if value is not None:
                    amount = -value if balance_sign(event.event_type) < 0 else value
            yield ReportLine(event.position, event.version, event.recorded_at,
                             event.event_type, amount, balance, event.operator,
                             event.event_id, event.event_id in self.noted,
                             event.position in self.bad,
                             describe_counterparty(event.event_type, event.data))  # fmt: skip

    def moves(self) -> Iterator[tuple[Any, Decimal | None, Decimal | None]]:
        return self._fold(self.store.replay_rows(self.account_id))

    def _fold(self, events: Iterable[Any]) -> Iterator[tuple[Any, Decimal | None, Decimal | None]]:
        account, period_from, period_to = self.account, self.period_from, self.period_to
        for event in events:
            self.read += 1
            before = account.balance
            if self.unreadable is None:
                try:
                    apply_recorded(account, event)
                except UnreadableEvent as error:
                    self.unreadable = str(error)
            balance = account.balance if self.unreadable is None else None
            when = event.recorded_at
            if period_from is not None and when < period_from:
                if balance is not None:
                    self.opening = self.closing = balance
                    self.owner, self.status = account.owner, account.status
                continue
            if period_to is not None and when > period_to:
                continue
            amount: Decimal | None = None
            if balance is not None:
                self.closing = balance
                self.owner, self.status = account.owner, account.status
                if event.event_type in _MOVES:
                    amount = balance - before
                    if amount >= 0:
                        self.money_in += amount
                    else:
                        self.money_out -= amount
            yield event, balance, amount


def _chart_step(versions: int) -> int:
    return max(1, -(-versions // MAX_CHART_POINTS))


def build_report(
    store: EventStore,
    account_id: str,
    *,
    period_from: datetime | None = None,
    period_to: datetime | None = None,
    user: str = "",
    integrity: VerifyResult | None = None,
    verification: str = AUTO,
    memory: VerifyMemory | None = None,
    summary_only: bool = False,
    progress: Progress | None = None,
    should_stop: ShouldStop | None = None,
) -> AccountReport:
    """Gather the report. `integrity` reuses a verification already run (the GUI's);
    otherwise `verification` says how the integrity is known: "auto" (the recorded
    verification, checked incrementally from its head), "full" (verify the whole store
    now) or "recorded" (the recorded verdict only). `summary_only`: no full listing."""
    validate_account_id(account_id)
    for bound in (period_from, period_to):
        if bound is not None and bound.tzinfo is None:
            raise InvalidInput(f"Invalid time {bound!r}: needs a timezone")
    if period_from and period_to and period_from > period_to:
        raise InvalidInput("The period starts after it ends: --from must not be after --to")
    versions = store.current_version(account_id)
    if versions == 0:
        raise UnknownAccount(f"Unknown account {account_id!r}")
    known: ReportIntegrity = report_integrity(
        store, account_id, given=integrity, mode=verification, user=user,
        memory=memory if memory is not None else VerifyMemory(), should_stop=should_stop,
    )  # fmt: skip
    bad = frozenset(p.position for p in known.account_problems)
    notes = tuple(list_notes(store, account_id=account_id))
    noted = frozenset(n.event_id for n in notes if n.event_id)
    targets = {
        event_id: (location.position, location.version)
        for event_id, location in store.scans.locate(noted).items()
    }
    # the listing is read a second time while the PDF is written: count both passes
    total = versions if summary_only else 2 * versions

    fold = _Fold(store, account_id, period_from, period_to, bad, noted)
    months: dict[tuple[int, int], list[Any]] = {}
    points: list[tuple[datetime, Decimal]] = []
    flagged_rows: list[tuple[Any, Decimal | None, Decimal | None]] = []
    flagged_count = count = 0
    step = _chart_step(versions)
    check_stop(should_stop, "The report")
    for row, balance, amount in fold.moves():
        count += 1
        when = row.recorded_at
        month = months.get(key := (when.year, when.month))
        if month is None:
            month = months[key] = [0, ZERO, ZERO, None]
        month[0] += 1
        if amount is not None:
            if amount >= 0:
                month[1] += amount
            else:
                month[2] -= amount
        month[3] = balance
        if balance is not None and (row.version % step == 0 or row.version == versions):
            if not points and period_from is not None:
                points.append((period_from, fold.opening))
            points.append((when, balance))
        if row.position in bad:
            flagged_count += 1
            if len(flagged_rows) < MAX_FLAGGED:
                flagged_rows.append((row, balance, amount))
        if fold.read % STOP_EVERY == 0:
            _tick(progress, should_stop, fold.read, total)
    _tick(progress, should_stop, versions, total)
    if period_to is not None and points and fold.unreadable is None:
        points.append((min(period_to, datetime.now(UTC)), fold.closing))
    flagged = _flagged_lines(store, account_id, flagged_rows, noted)

    def listing() -> Iterator[ReportLine]:
        again = _Fold(store, account_id, period_from, period_to, bad, noted)
        for line in again.lines():
            if again.read % STOP_EVERY == 0:
                _tick(progress, should_stop, versions + again.read, total)
            yield line
        _tick(progress, should_stop, total, total)

    return AccountReport(
        account_id=account_id,
        owner=fold.owner or fold.account.owner,
        status=fold.status,
        period_from=period_from,
        period_to=period_to,
        opening_balance=fold.opening,
        closing_balance=fold.closing,
        money_in=fold.money_in,
        money_out=fold.money_out,
        event_count=count,
        monthly=tuple(MonthLine(f"{y:04d}-{m:02d}", v[0], v[1], v[2], v[3])
                      for (y, m), v in months.items()),  # fmt: skip
        chart=tuple(points),
        flagged=tuple(flagged),
        flagged_count=flagged_count,
        notes=notes,
        note_targets=targets,
        integrity=known,
        unreadable=fold.unreadable,
        generated_at=datetime.now(UTC),
        generated_by=user,
        store=store.description,
        summary_only=summary_only,
        listing=None if summary_only else listing,
    )


def _flagged_lines(
    store: EventStore,
    account_id: str,
    rows: list[tuple[Any, Decimal | None, Decimal | None]],
    noted: frozenset[str],
) -> tuple[ReportLine, ...]:
    """The flagged events as report lines (their operator and id read one by one: a
    handful, unlike the listing)."""
    lines = []
    for row, balance, amount in rows:
        for event in store.read_stream(account_id, row.version, row.version):
            lines.append(ReportLine(event.position, event.version, event.recorded_at,
                                    event.event_type, amount, balance, event.operator,
                                    event.event_id, event.event_id in noted, True))  # fmt: skip
    return tuple(lines)


def _tick(progress: Progress | None, should_stop: ShouldStop | None, done: int, total: int) -> None:
    if progress is not None:
        progress(min(done, total), total)
    check_stop(should_stop, "The report")


def write_report(report: AccountReport, output: Path | str) -> Path:
    """Render the report as a PDF (imports reportlab only now). The file appears only
    once complete: an error or Cancel (Ctrl+C) leaves no partial file."""
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
        "events": report.event_count,
        "notes": len(report.notes),
        "flagged": report.flagged_count,
        "intact": report.integrity.intact,
        "verdict": report.integrity.verdict,
        "verification": report.integrity.statement,
        "head_hash": report.integrity.head_hash,
    }
