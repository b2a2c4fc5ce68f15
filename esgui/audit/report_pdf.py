"""Render an AccountReport as an A4 PDF with reportlab: a header and "page X of Y" on
every page, the balances, the integrity verdict and the verification it relies on, a
balance chart, money moved per month, the flagged events, the review notes and (unless
summary only) every event, drawn page by page from the store
(`esgui.audit.report_listing`).

"Of Y" is a form XObject drawn on every page and defined once the page count is known,
so no page is kept back to be numbered at the end. The file appears only when complete:
it is written to a hidden part file that an error, Cancel or Ctrl+C removes."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from reportlab import rl_config
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    KeepTogether,
    LongTable,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from esgui._version import __version__
from esgui.app.wording import noun, plural
from esgui.audit.output import check_output, is_stdout, output_binary
from esgui.audit.report_listing import Listing, Style
from esgui.audit.report_model import AccountReport
from esgui.audit.report_style import (
    ACCENT,
    BAD,
    BAD_HEX,
    FRAME_WIDTH,
    GOOD_HEX,
    INK,
    MARGIN,
    MUTED,
    RULE,
    STRIPE,
    WARN_HEX,
    balance_chart,
    columns,
    money,
    period,
    register_fonts,
    styles,
    table_style,
    when,
)  # fmt: skip
from esgui.errors import InvalidInput


class _NumberedCanvas(Canvas):
    """Draws the running header and "Page X of Y" on each page as it ends; "Y" is the
    form `_TOTAL`, defined in `save` when the count is known."""

    report: AccountReport
    fonts: tuple[str, str, str]

    def showPage(self) -> None:  # noqa: N802 - reportlab's name
        self._decorate()
        super().showPage()

    def save(self) -> None:
        self.beginForm(_TOTAL)
        self.setFont(self.fonts[0], 8)
        self.setFillColor(MUTED)
        self.drawString(0, 0, str(self.getPageNumber() - 1))
        self.endForm()
        super().save()

    def _decorate(self) -> None:
        sans, bold, _mono = self.fonts
        width, height = A4
        left, right = MARGIN + 6, width - MARGIN - 6  # the frame's text edges
        top = height - MARGIN + 6 * mm
        self.saveState()
        self.setStrokeColor(RULE)
        self.setLineWidth(0.6)
        self.line(left, top - 2.5 * mm, right, top - 2.5 * mm)
        self.line(left, MARGIN - 6 * mm, right, MARGIN - 6 * mm)
        self.setFillColor(MUTED)
        self.setFont(bold, 8)
        self.drawString(left, top, "esgui · account audit report")
        self.setFont(sans, 8)
        self.drawRightString(
            right, top, f"Account {self.report.account_id} · {period(self.report)}"
        )
        bottom = MARGIN - 10 * mm
        self.drawString(
            left,
            bottom,
            f"Generated {when(self.report.generated_at)} UTC"
            + (f" by {self.report.generated_by}" if self.report.generated_by else "")
            + f" · esgui {__version__}",
        )
        label = f"Page {self.getPageNumber()} of "
        self.drawString(right - _TOTAL_ROOM - self.stringWidth(label, sans, 8), bottom, label)
        self.translate(right - _TOTAL_ROOM, bottom)
        self.doForm(_TOTAL)
        self.restoreState()


_TOTAL = "esguiPageTotal"
_TOTAL_ROOM = 24.0  # points kept for the page count at the right edge


def _summary(report: AccountReport, s: dict[str, ParagraphStyle], bold: str) -> Table:
    net = report.closing_balance - report.opening_balance
    rows = [
        ("Account", report.account_id, "Opening balance", money(report.opening_balance)),
        ("Owner", report.owner or "–", "Closing balance", money(report.closing_balance)),
        ("Status at end", report.status or "not yet opened", "Money in", money(report.money_in)),
        ("Period", period(report), "Money out", money(report.money_out)),
        ("Events in period", f"{report.event_count:,}", "Net change", money(net, signed=True)),
    ]
    data = [[Paragraph(escape(a), s["small"]), Paragraph(escape(b), s["base"]),
             Paragraph(escape(c), s["small"]), Paragraph(escape(d), s["num"])]
            for a, b, c, d in rows]  # fmt: skip
    table = Table(data, colWidths=columns(28, 70, 30, 46))
    table.setStyle(TableStyle([
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("LINEBELOW", (0, 0), (-1, -1), 0.25, RULE),
        ("BOX", (0, 0), (-1, -1), 0.6, RULE),
        ("BACKGROUND", (0, 0), (0, -1), STRIPE),
        ("BACKGROUND", (2, 0), (2, -1), STRIPE),
    ]))  # fmt: skip
    return table


def _integrity(report: AccountReport, s: dict[str, ParagraphStyle]) -> list[Any]:
    known = report.integrity
    if known.verdict == "unverified":
        verdict = f'<font color="{WARN_HEX}"><b>NOT VERIFIED</b></font>'
    elif known.intact and known.witnessed:
        verdict = f'<font color="{GOOD_HEX}"><b>INTACT</b></font> — the hash chain verifies.'
    elif known.intact:
        verdict = (f'<font color="{WARN_HEX}"><b>INTACT (unconfirmed)</b></font> — the hash '
                   "chain verifies as far as checked for this report; the earlier part "
                   "rests on a verification not run on this machine.")  # fmt: skip
    else:
        first = known.first_problem
        verdict = (f'<font color="{BAD_HEX}"><b>TAMPERED</b></font> — '
                   f"{plural(known.problem_count, 'problem')}")  # fmt: skip
        if first is not None:
            verdict += f"; the first at position {first.position}: {escape(first.message)}."
        else:
            verdict += "."
        if report.account_problems:
            shown = ", ".join(str(p.position) for p in report.account_problems[:20])
            count = len(report.account_problems)
            verdict += f" This account is affected at {noun(count, 'position')} {shown}."
        elif known.positions_known:
            verdict += " None of the problems found is attributed to this account."
    parts: list[Any] = [Paragraph(verdict, s["base"]), Spacer(1, 3)]
    parts.append(Paragraph(f"<b>Relies on:</b> {escape(known.statement)}", s["small"]))
    parts.append(Spacer(1, 2))
    parts.append(Paragraph(f"Head of the log: position {known.head_position:,}, hash", s["small"]))
    parts.append(Paragraph(known.head_hash, s["mono"]))
    if known.verdict == "tampered":  # the head of a tampered log proves nothing
        parts.append(Paragraph("This is the head of a tampered log: it is no proof of "
                               "anything; do not keep it as an anchor.", s["small"]))  # fmt: skip
    elif known.intact:
        parts.append(Paragraph("Keep this hash: <i>esgui verify --anchor HASH</i> later "
                               "proves the log still contains everything up to this point.",
                               s["small"]))  # fmt: skip
    if report.unreadable:
        parts.append(Spacer(1, 3))
        parts.append(
            Paragraph(f"<b>History not fully readable:</b> {escape(report.unreadable)}", s["base"])
        )
    return parts  # fmt: skip


def _monthly(report: AccountReport, s: dict[str, ParagraphStyle], bold: str) -> LongTable:
    rows: list[list[Any]] = [["Month", "Events", "Money in", "Money out", "Net", "Balance at end"]]
    for month in report.monthly:
        rows.append([month.month, f"{month.events:,}", money(month.money_in),
                     money(month.money_out), money(month.money_in - month.money_out, True),
                     money(month.closing_balance)])  # fmt: skip
    table = LongTable(rows, colWidths=columns(24, 18, 30, 30, 30, 34), repeatRows=1)
    style = table_style(bold, len(rows) - 1)
    style.add("ALIGN", (1, 0), (-1, -1), "RIGHT")
    table.setStyle(style)
    return table


def _flagged(report: AccountReport, s: dict[str, ParagraphStyle], bold: str) -> LongTable:
    header = ["Pos.", "Ver.", "Recorded (UTC)", "Event", "Amount", "Balance", "Operator"]
    rows: list[list[Any]] = [header]
    for line in report.flagged:
        rows.append([str(line.position), str(line.version), when(line.recorded_at),
                     " ".join(filter(None, (line.event_type, line.counterparty))),
                     money(line.amount, signed=True), money(line.balance),
                     Paragraph(escape(line.operator), s["cell"])])  # fmt: skip
    table = LongTable(rows, colWidths=columns(17, 11, 32, 30, 27, 27, 30), repeatRows=1)
    style = table_style(bold, len(rows) - 1)
    style.add("ALIGN", (0, 0), (1, -1), "RIGHT")
    style.add("ALIGN", (4, 0), (5, -1), "RIGHT")
    style.add("TEXTCOLOR", (0, 1), (-1, -1), BAD)
    table.setStyle(style)
    return table


def _notes(report: AccountReport, s: dict[str, ParagraphStyle], bold: str) -> LongTable:
    rows: list[list[Any]] = [["Written (UTC)", "Author", "About", "Note"]]
    for note in report.notes:
        target = report.note_targets.get(note.event_id or "")
        if note.event_id is None:
            about = "the account"
        elif target is not None:
            about = f"event at position {target[0]} (v{target[1]})"
        else:
            about = f"event {note.event_id[:8]}…"
        rows.append([when(note.created_at), Paragraph(escape(note.author), s["cell"]),
                     Paragraph(escape(about), s["cell"]),
                     Paragraph(escape(note.text).replace("\n", "<br/>"), s["cell"])])  # fmt: skip
    table = LongTable(rows, colWidths=columns(32, 24, 30, 88), repeatRows=1)
    table.setStyle(table_style(bold, len(rows) - 1))
    return table


@contextmanager
def _binary_streams() -> Iterator[None]:
    """Compressed page streams written as binary, not ASCII85 text (a fifth smaller,
    and no encoding pass over every page)."""
    saved = rl_config.useA85
    rl_config.useA85 = 0
    try:
        yield
    finally:
        rl_config.useA85 = saved


def render_pdf(report: AccountReport, output: Path) -> Path:
    """Write the report to `output` (a .pdf file, or ``-``, a FIFO or a device written
    through: esgui.audit.output); returns it."""
    replaced = not is_stdout(output) and check_output(output) == "replace"
    if replaced and output.suffix.lower() != ".pdf":
        raise InvalidInput(f"The report is a PDF: give an output file ending in .pdf, not {output}")
    sans, bold, mono = register_fonts()
    s = styles(sans, bold, mono)
    story: list[Any] = [
        Paragraph(f"Account {escape(report.account_id)}", s["title"]),
        Paragraph(escape(f"{report.owner or 'unknown owner'} · {period(report)} · "
                         f"store {report.store}"), s["subtitle"]),
        Spacer(1, 8),
        _summary(report, s, bold),
        Paragraph("Integrity", s["h2"]),
        *_integrity(report, s),
    ]  # fmt: skip
    drawing = balance_chart(report, sans)
    if drawing is not None:
        story += [KeepTogether([Paragraph("Balance over the period", s["h2"]), drawing])]
    story.append(Paragraph("Money moved per month (UTC)", s["h2"]))
    if report.monthly:
        story.append(_monthly(report, s, bold))
    else:
        story.append(Paragraph("No events in this period.", s["base"]))
    story.append(Paragraph(f"Flagged events ({report.flagged_count:,})", s["h2"]))
    if report.flagged:
        story.append(_flagged(report, s, bold))
        if report.flagged_count > len(report.flagged):
            story.append(Paragraph(f"The first {len(report.flagged):,} are listed.", s["small"]))
    elif report.integrity.positions_known:
        story.append(Paragraph("No event of this account in the period was flagged by the "
                               "verification this report relies on.", s["base"]))  # fmt: skip
    else:
        story.append(Paragraph("Not known: the verification this report relies on does not "
                               "name positions.", s["base"]))  # fmt: skip
    story.append(Paragraph(f"Review notes ({len(report.notes):,})", s["h2"]))
    if report.notes:
        story.append(_notes(report, s, bold))
    else:
        story.append(Paragraph("No review notes about this account.", s["base"]))
    if report.summary_only:
        story.append(Paragraph(f"Events ({report.event_count:,})", s["h2"]))
        story.append(Paragraph("Summary report: the events are not listed (write the full "
                               "report to list them).", s["base"]))  # fmt: skip
    elif report.event_count:
        story.append(Paragraph(f"Events ({report.event_count:,})", s["h2"]))
        story.append(Paragraph("! verification found a problem at this position · "
                               "* a review note is about this event", s["small"]))  # fmt: skip
        story.append(Spacer(1, 3))
        listing_style = Style(mono=mono, ink=INK, accent=ACCENT, stripe=STRIPE, rule=RULE,
                              bad=BAD)  # fmt: skip
        story.append(Listing(report.lines(), FRAME_WIDTH, listing_style))
    else:
        story.append(Paragraph("Events (0)", s["h2"]))
        story.append(Paragraph("No events in this period.", s["base"]))

    class Canvas_(_NumberedCanvas):
        pass

    Canvas_.report, Canvas_.fonts = report, (sans, bold, mono)
    with output_binary(output) as handle, _binary_streams():
        doc = SimpleDocTemplate(handle, pagesize=A4, pageCompression=1,
                                leftMargin=MARGIN, rightMargin=MARGIN,
                                topMargin=MARGIN + 4 * mm, bottomMargin=MARGIN,
                                title=f"Account {report.account_id} — audit report",
                                author=report.generated_by or "esgui",
                                subject="esgui account report",
                                creator=f"esgui {__version__}")  # fmt: skip
        doc.build(story, canvasmaker=Canvas_)
    return output
