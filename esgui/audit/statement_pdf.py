"""Render a "Balances as of T" statement as an A4 PDF (reportlab): the totals, the
verification verdict with the head hash, and every account in a table that splits
across pages with its header repeated. Shares the account report's fonts and styles."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from reportlab.lib.pagesizes import A4
from reportlab.platypus import LongTable, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from esgui._version import __version__
from esgui.audit.output import output_binary
from esgui.audit.report_style import (
    BAD,
    BAD_HEX,
    GOOD_HEX,
    MARGIN,
    MUTED,
    RULE,
    STRIPE,
)
from esgui.audit.report_style import columns as _columns
from esgui.audit.report_style import money as _money
from esgui.audit.report_style import register_fonts as _register_fonts
from esgui.audit.report_style import styles as _styles
from esgui.audit.report_style import table_style as _table_style
from esgui.audit.report_style import when as _when
from esgui.audit.statement_model import Statement, check_statement_output


def _totals(statement: Statement, s: dict[str, Any]) -> Table:
    b = statement.balances
    rows = [
        ("As of (UTC)", _when(b.at), "Accounts", str(b.count)),
        ("Store", statement.store, "Open / closed", f"{b.open_count} / {b.closed_count}"),
        ("Made (UTC)", _when(statement.generated_at) + (f" by {statement.generated_by}"
                                                        if statement.generated_by else ""),
         "Total balance", _money(b.total)),
    ]  # fmt: skip
    if b.unreadable_count:
        rows.append(("", "", "Unreadable", str(b.unreadable_count)))
    data = [[Paragraph(escape(a), s["small"]), Paragraph(escape(v), s["base"]),
             Paragraph(escape(c), s["small"]), Paragraph(escape(d), s["num"])]
            for a, v, c, d in rows]  # fmt: skip
    table = Table(data, colWidths=_columns(24, 80, 28, 42))
    table.setStyle(TableStyle([
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("LINEBELOW", (0, 0), (-1, -1), 0.25, RULE),
        ("BOX", (0, 0), (-1, -1), 0.6, RULE),
        ("BACKGROUND", (0, 0), (0, -1), STRIPE),
        ("BACKGROUND", (2, 0), (2, -1), STRIPE),
    ]))  # fmt: skip
    return table


def _integrity(statement: Statement, s: dict[str, Any]) -> list[Any]:
    result = statement.integrity
    colour, word = (GOOD_HEX, "INTACT") if result.intact else (BAD_HEX, "TAMPERED")
    rest = statement.verdict.split(":", 1)[1].strip()
    return [
        Paragraph(f'<font color="{colour}"><b>{word}</b></font> — {escape(rest)} '
                  "(verified when this statement was made).", s["base"]),
        Spacer(1, 3),
        Paragraph(f"Head of the log then: position {result.head_position:,}, hash", s["small"]),
        Paragraph(result.head_hash, s["mono"]),
        Paragraph("<i>esgui verify --anchor HASH</i> later proves the log still holds "
                  "everything these balances were computed from.", s["small"]),
    ]  # fmt: skip


def _accounts(statement: Statement, s: dict[str, Any], bold: str) -> LongTable:
    rows: list[list[Any]] = [["Account", "Owner", "Status", "Version", "Last activity (UTC)",
                              "Balance"]]  # fmt: skip
    accounts = statement.balances.accounts
    for row in accounts:
        rows.append([Paragraph(escape(row.account_id), s["cell"]),
                     Paragraph(escape(row.owner), s["cell"]), row.status, str(row.version),
                     _when(row.last_activity),
                     _money(row.balance) if row.status != "unreadable" else "–"])  # fmt: skip
    rows.append(["", "", "", "", "Total", _money(statement.balances.total)])
    table = LongTable(rows, colWidths=_columns(30, 46, 18, 16, 34, 30), repeatRows=1)
    style = _table_style(bold, len(rows) - 2)
    style.add("ALIGN", (3, 0), (3, -1), "RIGHT")
    style.add("ALIGN", (5, 0), (5, -1), "RIGHT")
    style.add("FONTNAME", (0, len(rows) - 1), (-1, len(rows) - 1), bold)
    style.add("LINEABOVE", (0, len(rows) - 1), (-1, len(rows) - 1), 0.8, MUTED)
    for index, row in enumerate(accounts, start=1):
        if row.status == "unreadable":
            style.add("TEXTCOLOR", (0, index), (-1, index), BAD)
    table.setStyle(style)
    return table


def render_statement(statement: Statement, output: Path) -> Path:
    """Write the statement to `output` (a .pdf path); returns it."""
    check_statement_output(output, ".pdf", "PDF statement")
    sans, bold, mono = _register_fonts()
    s = _styles(sans, bold, mono)
    b = statement.balances
    story: list[Any] = [
        Paragraph(f"Balances as of {escape(_when(b.at))} UTC", s["title"]),
        Paragraph(escape(f"Trial balance of {statement.store}"), s["subtitle"]),
        Spacer(1, 8),
        _totals(statement, s),
        Paragraph("Integrity", s["h2"]),
        *_integrity(statement, s),
        Paragraph(f"Accounts ({b.count:,})", s["h2"]),
    ]
    if b.accounts:
        story.append(_accounts(statement, s, bold))
    else:
        story.append(Paragraph("No account existed at that time.", s["base"]))
    for row in b.accounts:
        if row.error:
            story.append(Paragraph(f"<b>{escape(row.account_id)}</b> cannot be replayed: "
                                   f"{escape(row.error)}", s["small"]))  # fmt: skip
    title = f"Balances as of {_when(b.at)} UTC"

    def decorate(canvas: Any, doc: Any) -> None:
        canvas.saveState()
        canvas.setFont(sans, 8)
        canvas.setFillColor(MUTED)
        width, _height = A4
        canvas.drawString(MARGIN + 6, MARGIN - 10 * 2.83, f"esgui {__version__} · {title}")
        canvas.drawRightString(width - MARGIN - 6, MARGIN - 10 * 2.83, f"Page {doc.page}")
        canvas.restoreState()

    with output_binary(output) as handle:
        doc = SimpleDocTemplate(handle, pagesize=A4, leftMargin=MARGIN, rightMargin=MARGIN,
                                topMargin=MARGIN, bottomMargin=MARGIN, title=title,
                                author=statement.generated_by or "esgui",
                                subject="esgui balances statement",
                                creator=f"esgui {__version__}")  # fmt: skip
        doc.build(story, onFirstPage=decorate, onLaterPages=decorate)
    return output
