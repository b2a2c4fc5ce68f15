"""The "Balances as of T" statement's data: what `esgui.audit.statement` gathers and
writes as CSV, and `esgui.audit.statement_pdf` renders (plain dataclasses, no reportlab)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from esgui.app.as_of import TrialBalance
from esgui.audit.output import check_output, is_stdout
from esgui.audit.verify import VerifyResult
from esgui.domain.money import format_money
from esgui.errors import InvalidInput


@dataclass(frozen=True, slots=True)
class Statement:
    balances: TrialBalance
    integrity: VerifyResult  # of the whole store, when the statement was made
    generated_at: datetime
    generated_by: str
    store: str

    @property
    def verdict(self) -> str:
        result = self.integrity
        if result.intact:
            return f"intact: the hash chain of all {result.events} events verifies"
        first = result.first_problem
        where = f"; the first at position {first.position}: {first.message}" if first else ""
        return f"TAMPERED: {result.problem_count} problem(s){where}"


def check_statement_output(output: Path, suffix: str, what: str) -> None:
    """Refuse an output the statement cannot go to, before any work: a path of another
    kind than `suffix` (when it is a file to be replaced), or what `esgui.audit.output`
    refuses (a symlink, a missing folder)."""
    if is_stdout(output):
        return
    if check_output(output) == "replace" and output.suffix.lower() != suffix:
        raise InvalidInput(f"The {what} needs an output file ending in {suffix}, not {output}")


def provenance_lines(statement: Statement) -> list[str]:
    """The totals and where the figures come from, as plain lines."""
    b = statement.balances
    unreadable = f", {b.unreadable_count} unreadable" if b.unreadable_count else ""
    return [
        f"Balances as of {b.at.isoformat()}",
        f"accounts {b.count} ({b.open_count} open, {b.closed_count} closed{unreadable})",
        f"total balance {format_money(b.total)}",
        f"store {statement.store}",
        f"head of the log: position {statement.integrity.head_position}, "
        f"hash {statement.integrity.head_hash}",
        f"verification when made: {statement.verdict}",
        f"generated {statement.generated_at.isoformat()}"
        + (f" by {statement.generated_by}" if statement.generated_by else ""),
    ]
