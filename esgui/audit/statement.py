"""The "Balances as of T" statement: the trial balance an auditor files at a period
end, with the head of the log and the verification verdict at the time it was made.

`build_statement` gathers it (the whole store as of T from `esgui.app.as_of`, plus a
verification: the caller's, e.g. the GUI's latest, or one run now); `write_csv` writes
it as CSV here, `esgui.audit.statement_pdf` as PDF (reportlab only then).
"""

from __future__ import annotations

import csv
from datetime import UTC, datetime
from pathlib import Path

from esgui.app.as_of import trial_balance
from esgui.audit.common import Progress, ShouldStop
from esgui.audit.csv_cells import neutralise
from esgui.audit.output import output_text
from esgui.audit.statement_model import Statement, check_statement_output, provenance_lines
from esgui.audit.verify import VerifyResult, verify_store
from esgui.domain.money import format_money
from esgui.errors import InvalidInput
from esgui.store import EventStore

FORMATS = ("pdf", "csv")
CSV_COLUMNS = ("account_id", "owner", "status", "balance", "version", "opened_at",
               "last_activity")  # fmt: skip


def build_statement(
    store: EventStore,
    when: datetime,
    *,
    user: str = "",
    integrity: VerifyResult | None = None,
    progress: Progress | None = None,
    should_stop: ShouldStop | None = None,
) -> Statement:
    """The statement as of `when`; `integrity` reuses a verification already run (it must
    be of the store's current head, else a new one runs)."""
    balances = trial_balance(store, when)
    if integrity is None or (integrity.head_position, integrity.head_hash) != (
        balances.head_position, balances.head_hash):  # fmt: skip
        integrity = verify_store(store, progress=progress, should_stop=should_stop)
    return Statement(balances, integrity, datetime.now(UTC), user, store.description)


def write_csv(statement: Statement, output: Path | str) -> Path:
    """One row per account, then the totals and the provenance as `#` comment lines
    after a blank line (spreadsheets and `csv` readers stop at the table)."""
    output = Path(output)
    check_statement_output(output, ".csv", "CSV statement")
    balances = statement.balances
    with output_text(output) as handle:
        writer = csv.writer(handle)
        writer.writerow(CSV_COLUMNS)
        for row in balances.accounts:
            writer.writerow([neutralise(cell) for cell in (
                row.account_id, row.owner, row.status, format_money(row.balance),
                row.version, row.opened_at.isoformat() if row.opened_at else "",
                row.last_activity.isoformat() if row.last_activity else "",
            )])  # fmt: skip
        handle.write("\n")
        for line in provenance_lines(statement):
            handle.write(f"# {line}\n")
    return output


def write_statement(statement: Statement, output: Path | str, fmt: str = "pdf") -> Path:
    if fmt not in FORMATS:
        raise InvalidInput(f"Unknown statement format {fmt!r}: pdf or csv")
    if fmt == "csv":
        return write_csv(statement, output)
    from esgui.audit.statement_pdf import render_statement

    return render_statement(statement, Path(output))
