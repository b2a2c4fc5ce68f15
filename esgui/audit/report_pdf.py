"""Render an AccountReport as an A4 PDF with reportlab: a header and "page X of Y" on
every page, the balances, the integrity verdict with the head hash, a balance chart,
every event in a table that splits across pages with its header repeated, and the
review notes."""

from __future__ import annotations

import os
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from reportlab.graphics.charts.lineplots import LinePlot
from reportlab.graphics.shapes import Drawing, String
from reportlab.lib import colors
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
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
from esgui.audit.output import check_output, is_stdout, output_binary
from esgui.audit.report_model import AccountReport
from esgui.errors import InvalidInput

INK = colors.HexColor("#1f2933")
MUTED = colors.HexColor("#616e7c")
RULE = colors.HexColor("#cbd2d9")
STRIPE = colors.HexColor("#f5f7fa")
ACCENT = colors.HexColor("#1c6e8c")
GOOD_HEX, BAD_HEX = "#1e7b34", "#b42318"
BAD = colors.HexColor(BAD_HEX)
MARGIN = 18 * mm
FRAME_WIDTH = A4[0] - 2 * MARGIN - 12  # the frame's text width (6 pt padding each side)
_FONT_DIRS = ("/usr/share/fonts/truetype/dejavu", "/usr/share/fonts/dejavu",
              "/usr/local/share/fonts", "/Library/Fonts", "C:/Windows/Fonts")  # fmt: skip


def _register_fonts() -> tuple[str, str, str]:
    """(regular, bold, mono): DejaVu when the system has it (covers most scripts),
    else the Vera fonts that ship with reportlab."""
    names = ("esgui-sans", "esgui-sans-bold", "esgui-mono")
    if names[0] in pdfmetrics.getRegisteredFontNames():
        return names
    wanted = ("DejaVuSans.ttf", "DejaVuSans-Bold.ttf", "DejaVuSansMono.ttf")
    for folder in _FONT_DIRS:
        paths = [os.path.join(folder, name) for name in wanted]
        if all(os.path.isfile(p) for p in paths):
            break
    else:
        import reportlab

        folder = os.path.join(os.path.dirname(reportlab.__file__), "fonts")
        paths = [os.path.join(folder, n) for n in ("Vera.ttf", "VeraBd.ttf", "Vera.ttf")]
    for name, path in zip(names, paths, strict=True):
        pdfmetrics.registerFont(TTFont(name, path))
    # so that <b> in a paragraph picks the bold face
    pdfmetrics.registerFontFamily(
        names[0], normal=names[0], bold=names[1], italic=names[0], boldItalic=names[1]
    )
    return names


def _styles(sans: str, bold: str, mono: str) -> dict[str, ParagraphStyle]:
    base = ParagraphStyle("base", fontName=sans, fontSize=9, leading=12, textColor=INK)
    return {
        "base": base,
        "title": ParagraphStyle("title", base, fontName=bold, fontSize=17, leading=22),
        "subtitle": ParagraphStyle("subtitle", base, fontSize=10, textColor=MUTED),
        "h2": ParagraphStyle("h2", base, fontName=bold, fontSize=12, leading=16,
                             spaceBefore=10, spaceAfter=5, textColor=ACCENT),
        "small": ParagraphStyle("small", base, fontSize=7.5, leading=9.5, textColor=MUTED),
        "cell": ParagraphStyle("cell", base, fontSize=8, leading=10),
        "num": ParagraphStyle("num", base, fontSize=8, leading=10, alignment=TA_RIGHT),
        "mono": ParagraphStyle("mono", base, fontName=mono, fontSize=7.5, leading=10),
    }  # fmt: skip


def _when(value: datetime | None) -> str:
    return value.strftime("%Y-%m-%d %H:%M:%S") if value is not None else "–"


def _money(value: Decimal | None, signed: bool = False) -> str:
    if value is None:
        return "–"
    text = f"{value:,.2f}"
    return f"+{text}" if signed and value > 0 else text


def _period(report: AccountReport) -> str:
    if report.period_from is None and report.period_to is None:
        return "whole history"
    start = _when(report.period_from) if report.period_from else "opening"
    end = _when(report.period_to) if report.period_to else "now"
    return f"{start} – {end} (UTC)"


class _NumberedCanvas(Canvas):
    """Draws the running header and "Page X of Y" once the page count is known."""

    report: AccountReport
    fonts: tuple[str, str, str]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._pages: list[dict[str, Any]] = []

    def showPage(self) -> None:  # noqa: N802 - reportlab's name
        self._pages.append(dict(self.__dict__))
        self._startPage()

    def save(self) -> None:
        total = len(self._pages)
        for state in self._pages:
            self.__dict__.update(state)
            self._decorate(total)
            super().showPage()
        super().save()

    def _decorate(self, total: int) -> None:
        sans, bold, _mono = self.fonts
        width, height = A4
        left, right = MARGIN + 6, width - MARGIN - 6  # the frame's text edges
        top = height - MARGIN + 6 * mm
        self.setStrokeColor(RULE)
        self.setLineWidth(0.6)
        self.line(left, top - 2.5 * mm, right, top - 2.5 * mm)
        self.line(left, MARGIN - 6 * mm, right, MARGIN - 6 * mm)
        self.setFillColor(MUTED)
        self.setFont(bold, 8)
        self.drawString(left, top, "esgui · account audit report")
        self.setFont(sans, 8)
        self.drawRightString(
            right, top, f"Account {self.report.account_id} · {_period(self.report)}"
        )
        bottom = MARGIN - 10 * mm
        self.drawString(
            left,
            bottom,
            f"Generated {_when(self.report.generated_at)} UTC"
            + (f" by {self.report.generated_by}" if self.report.generated_by else "")
            + f" · esgui {__version__}",
        )
        self.drawRightString(right, bottom, f"Page {self._pageNumber} of {total}")


def _columns(*widths_mm: float) -> list[float]:
    """Column widths in proportion, filling the frame's width exactly."""
    total = sum(widths_mm)
    return [FRAME_WIDTH * w / total for w in widths_mm]


def _table_style(header_font: str, zebra_rows: int) -> TableStyle:
    commands: list[Any] = [
        ("FONTNAME", (0, 0), (-1, 0), header_font),
        ("FONTSIZE", (0, 0), (-1, -1), 8),
        ("TEXTCOLOR", (0, 0), (-1, 0), colors.white),
        ("BACKGROUND", (0, 0), (-1, 0), ACCENT),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LINEBELOW", (0, 0), (-1, -1), 0.25, RULE),
        ("TOPPADDING", (0, 0), (-1, -1), 2.5),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2.5),
    ]
    commands += [("BACKGROUND", (0, row), (-1, row), STRIPE)
                 for row in range(2, zebra_rows + 1, 2)]  # fmt: skip
    return TableStyle(commands)


def _summary(report: AccountReport, s: dict[str, ParagraphStyle], bold: str) -> Table:
    net = report.closing_balance - report.opening_balance
    rows = [
        ("Account", report.account_id, "Opening balance", _money(report.opening_balance)),
        ("Owner", report.owner or "–", "Closing balance", _money(report.closing_balance)),
        ("Status at end", report.status or "not yet opened", "Money in", _money(report.money_in)),
        ("Period", _period(report), "Money out", _money(report.money_out)),
        ("Events in period", str(len(report.lines)), "Net change", _money(net, signed=True)),
    ]
    data = [[Paragraph(escape(a), s["small"]), Paragraph(escape(b), s["base"]),
             Paragraph(escape(c), s["small"]), Paragraph(escape(d), s["num"])]
            for a, b, c, d in rows]  # fmt: skip
    table = Table(data, colWidths=_columns(28, 70, 30, 46))
    table.setStyle(TableStyle([
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("LINEBELOW", (0, 0), (-1, -1), 0.25, RULE),
        ("BOX", (0, 0), (-1, -1), 0.6, RULE),
        ("BACKGROUND", (0, 0), (0, -1), STRIPE),
        ("BACKGROUND", (2, 0), (2, -1), STRIPE),
    ]))  # fmt: skip
    return table


def _integrity(report: AccountReport, s: dict[str, ParagraphStyle]) -> list[Any]:
    result = report.integrity
    if result.intact:
        verdict = (f'<font color="{GOOD_HEX}"><b>INTACT</b></font> — the hash chain '
                   f"of all {result.events:,} events in the store verifies.")  # fmt: skip
    elif not result.tampered:
        verdict = (f'<font color="{BAD_HEX}"><b>PROTECTION MISSING</b></font> — the hash '
                   f"chain of all {result.events:,} events verifies, but "
                   + escape("; ".join(p.message for p in result.protection_problems))
                   + ".")  # fmt: skip
    else:
        first = result.first_problem
        assert first is not None
        verdict = (f'<font color="{BAD_HEX}"><b>TAMPERED</b></font> — '
                   f"{result.problem_count} problem(s); the first at position "
                   f"{first.position}: {escape(first.message)}.")  # fmt: skip
        if report.account_problems:
            shown = ", ".join(str(p.position) for p in report.account_problems[:20])
            verdict += f" This account is affected at position(s) {shown}."
        else:
            verdict += " None of the problems found is attributed to this account."
    parts: list[Any] = [Paragraph(verdict, s["base"]), Spacer(1, 3)]
    parts.append(Paragraph(f"Head of the log: position {result.head_position:,}, hash", s["small"]))
    parts.append(Paragraph(result.head_hash, s["mono"]))
    if result.tampered:  # the head of a tampered log proves nothing
        advice = ("This is the head of a tampered log: it is no proof of anything; do not "
                  "keep it as an anchor.")  # fmt: skip
    else:
        advice = ("Keep this hash: <i>esgui verify --anchor HASH</i> later proves the "
                  "log still contains everything up to this point.")  # fmt: skip
    parts.append(Paragraph(advice, s["small"]))
    if report.unreadable:
        parts.append(Spacer(1, 3))
        parts.append(
            Paragraph(f"<b>History not fully readable:</b> {escape(report.unreadable)}", s["base"])
        )
    return parts  # fmt: skip


def _steps(chart: tuple[tuple[datetime, Decimal], ...]) -> list[tuple[float, float]]:
    """A balance holds until the next event: draw it as steps, not slopes."""
    points: list[tuple[float, float]] = []
    for when, balance in chart:
        if points:
            points.append((when.timestamp(), points[-1][1]))
        points.append((when.timestamp(), float(balance)))
    return points


def _chart(report: AccountReport, sans: str) -> Drawing | None:
    points = _steps(report.chart)
    if len(points) < 2 or points[0][0] == points[-1][0]:
        return None
    width = FRAME_WIDTH
    drawing = Drawing(width, 62 * mm)
    plot = LinePlot()
    plot.x, plot.y = 16 * mm, 9 * mm
    plot.width, plot.height = width - 20 * mm, 48 * mm
    plot.data = [points]
    plot.joinedLines = 1
    plot.lines[0].strokeColor = ACCENT
    plot.lines[0].strokeWidth = 1.3
    values = [v for _t, v in points]
    plot.yValueAxis.valueMin = min(0.0, min(values))
    plot.yValueAxis.valueMax = max(values) * 1.08 if max(values) > 0 else 1.0
    plot.yValueAxis.labelTextFormat = lambda v: f"{v:,.0f}"
    plot.yValueAxis.labels.fontName = sans
    plot.yValueAxis.labels.fontSize = 7
    plot.yValueAxis.visibleGrid = 1
    plot.yValueAxis.gridStrokeColor = RULE
    plot.yValueAxis.gridStrokeWidth = 0.3
    plot.xValueAxis.valueMin, plot.xValueAxis.valueMax = points[0][0], points[-1][0]
    span = points[-1][0] - points[0][0]
    fmt = "%Y-%m-%d" if span > 3 * 86400 else "%m-%d %H:%M"
    plot.xValueAxis.labelTextFormat = lambda t: datetime.fromtimestamp(t, UTC).strftime(fmt)
    plot.xValueAxis.valueSteps = [points[0][0] + span * i / 5 for i in range(6)]
    plot.xValueAxis.labels.fontName = sans
    plot.xValueAxis.labels.fontSize = 7
    drawing.add(plot)
    drawing.add(String(0, 58 * mm, "Balance", fontName=sans, fontSize=7, fillColor=MUTED))
    return drawing


def _events(report: AccountReport, s: dict[str, ParagraphStyle], bold: str) -> LongTable:
    header = ["Pos.", "Ver.", "Recorded (UTC)", "Event", "Amount", "Balance", "Operator", ""]
    rows: list[list[Any]] = [header]
    for line in report.lines:
        mark = ("!" if line.flagged else "") + ("*" if line.noted else "")
        rows.append([str(line.position), str(line.version), _when(line.recorded_at),
                     line.event_type, _money(line.amount, signed=True), _money(line.balance),
                     Paragraph(escape(line.operator), s["cell"]), mark])  # fmt: skip
    widths = _columns(17, 11, 32, 30, 27, 27, 24, 6)
    table = LongTable(rows, colWidths=widths, repeatRows=1)
    style = _table_style(bold, len(rows) - 1)
    style.add("ALIGN", (0, 0), (1, -1), "RIGHT")
    style.add("ALIGN", (4, 0), (5, -1), "RIGHT")
    for index, line in enumerate(report.lines, start=1):
        if line.flagged:
            style.add("TEXTCOLOR", (0, index), (-1, index), BAD)
    table.setStyle(style)
    return table


def _notes(report: AccountReport, s: dict[str, ParagraphStyle], bold: str) -> LongTable:
    positions = {line.event_id: line for line in report.lines}
    rows: list[list[Any]] = [["Written (UTC)", "Author", "About", "Note"]]
    for note in report.notes:
        if note.event_id is None:
            about = "the account"
        elif note.event_id in positions:
            line = positions[note.event_id]
            about = f"event at position {line.position} (v{line.version})"
        else:
            about = f"event {note.event_id[:8]}… (outside the period)"
        rows.append([_when(note.created_at), Paragraph(escape(note.author), s["cell"]),
                     Paragraph(escape(about), s["cell"]),
                     Paragraph(escape(note.text).replace("\n", "<br/>"), s["cell"])])  # fmt: skip
    table = LongTable(rows, colWidths=_columns(32, 24, 30, 88), repeatRows=1)
    table.setStyle(_table_style(bold, len(rows) - 1))
    return table


def render_pdf(report: AccountReport, output: Path) -> Path:
    """Write the report to `output` (a .pdf file, or ``-``, a FIFO or a device written
    through: esgui.audit.output); returns it."""
    replaced = not is_stdout(output) and check_output(output) == "replace"
    if replaced and output.suffix.lower() != ".pdf":
        raise InvalidInput(f"The report is a PDF: give an output file ending in .pdf, not {output}")
    sans, bold, mono = _register_fonts()
    s = _styles(sans, bold, mono)
    story: list[Any] = [
        Paragraph(f"Account {escape(report.account_id)}", s["title"]),
        Paragraph(escape(f"{report.owner or 'unknown owner'} · {_period(report)} · "
                         f"store {report.store}"), s["subtitle"]),
        Spacer(1, 8),
        _summary(report, s, bold),
        Paragraph("Integrity", s["h2"]),
        *_integrity(report, s),
    ]  # fmt: skip
    chart = _chart(report, sans)
    if chart is not None:
        story += [KeepTogether([Paragraph("Balance over the period", s["h2"]), chart])]
    story.append(Paragraph(f"Events ({len(report.lines):,})", s["h2"]))
    if report.lines:
        story.append(_events(report, s, bold))
        story.append(Paragraph("! verification found a problem at this position · "
                               "* a review note is about this event", s["small"]))  # fmt: skip
    else:
        story.append(Paragraph("No events in this period.", s["base"]))
    story.append(Paragraph(f"Review notes ({len(report.notes)})", s["h2"]))
    if report.notes:
        story.append(_notes(report, s, bold))
    else:
        story.append(Paragraph("No review notes about this account.", s["base"]))

    class Canvas_(_NumberedCanvas):
        pass

    Canvas_.report, Canvas_.fonts = report, (sans, bold, mono)
    with output_binary(output) as handle:
        doc = SimpleDocTemplate(handle, pagesize=A4, leftMargin=MARGIN, rightMargin=MARGIN,
                                topMargin=MARGIN + 4 * mm, bottomMargin=MARGIN,
                                title=f"Account {report.account_id} — audit report",
                                author=report.generated_by or "esgui",
                                subject="esgui account report",
                                creator=f"esgui {__version__}")  # fmt: skip
        doc.build(story, canvasmaker=Canvas_)
    return output
