"""The account report's look: colours, fonts, paragraph and table styles, number and
time formats, and the balance chart (`esgui.audit.report_pdf` lays the pages out)."""

from __future__ import annotations

import os
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from reportlab.graphics.charts.lineplots import LinePlot
from reportlab.graphics.shapes import Drawing, String
from reportlab.lib import colors
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import TableStyle

from esgui.audit.report_model import AccountReport

INK = colors.HexColor("#1f2933")
MUTED = colors.HexColor("#616e7c")
RULE = colors.HexColor("#cbd2d9")
STRIPE = colors.HexColor("#f5f7fa")
ACCENT = colors.HexColor("#1c6e8c")
GOOD_HEX, BAD_HEX, WARN_HEX = "#1e7b34", "#b42318", "#b54708"
BAD = colors.HexColor(BAD_HEX)
MARGIN = 18 * mm
FRAME_WIDTH = A4[0] - 2 * MARGIN - 12  # the frame's text width (6 pt padding each side)
FONT_DIRS = ("/usr/share/fonts/truetype/dejavu", "/usr/share/fonts/dejavu",
              "/usr/local/share/fonts", "/Library/Fonts", "C:/Windows/Fonts")  # fmt: skip


def register_fonts() -> tuple[str, str, str]:
    """(regular, bold, mono): DejaVu when the system has it (covers most scripts),
    else the Vera fonts that ship with reportlab."""
    names = ("esgui-sans", "esgui-sans-bold", "esgui-mono")
    if names[0] in pdfmetrics.getRegisteredFontNames():
        return names
    wanted = ("DejaVuSans.ttf", "DejaVuSans-Bold.ttf", "DejaVuSansMono.ttf")
    for folder in FONT_DIRS:
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


def styles(sans: str, bold: str, mono: str) -> dict[str, ParagraphStyle]:
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


def when(value: datetime | None) -> str:
    return value.strftime("%Y-%m-%d %H:%M:%S") if value is not None else "–"


def money(value: Decimal | None, signed: bool = False) -> str:
    if value is None:
        return "–"
    text = f"{value:,.2f}"
    return f"+{text}" if signed and value > 0 else text


def period(report: AccountReport) -> str:
    if report.period_from is None and report.period_to is None:
        return "whole history"
    start = when(report.period_from) if report.period_from else "opening"
    end = when(report.period_to) if report.period_to else "now"
    return f"{start} – {end} (UTC)"


def columns(*widths_mm: float) -> list[float]:
    """Column widths in proportion, filling the frame's width exactly."""
    total = sum(widths_mm)
    return [FRAME_WIDTH * w / total for w in widths_mm]


def table_style(header_font: str, zebra_rows: int) -> TableStyle:
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


def steps(chart: tuple[tuple[datetime, Decimal], ...]) -> list[tuple[float, float]]:
    """A balance holds until the next event: draw it as steps, not slopes."""
    points: list[tuple[float, float]] = []
    for when, balance in chart:
        if points:
            points.append((when.timestamp(), points[-1][1]))
        points.append((when.timestamp(), float(balance)))
    return points


def balance_chart(report: AccountReport, sans: str) -> Drawing | None:
    points = steps(report.chart)
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
