"""The report's full listing as a platypus flowable that is filled lazily: each page
takes the next rows from an iterator over the store and draws them straight onto the
canvas (fixed row height, one text run per cell), so a listing of any length keeps one
page of rows in memory and costs a few drawString calls per cell — no table layout.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from decimal import Decimal
from typing import Any

from reportlab.lib import colors
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import Flowable

from esgui.audit.report_model import ReportLine

ROW_HEIGHT = 11.5
HEADER_HEIGHT = 14.0
FONT_SIZE = 7.6
PAD = 3.0
HEADERS = ("Pos.", "Ver.", "Recorded (UTC)", "Event", "Amount", "Balance", "Operator", "")
RIGHT = frozenset({0, 1, 4, 5})  # right-aligned columns
WEIGHTS = (17, 11, 32, 30, 27, 27, 24, 6)


def _money(value: Decimal | None, signed: bool = False) -> str:
    if value is None:
        return "–"
    text = f"{value:,.2f}"
    return f"+{text}" if signed and value > 0 else text


def _when(value: datetime) -> str:
    return value.strftime("%Y-%m-%d %H:%M:%S")


def _cells(line: ReportLine) -> tuple[str, ...]:
    mark = ("!" if line.flagged else "") + ("*" if line.noted else "")
    return (str(line.position), str(line.version), _when(line.recorded_at),
            " ".join(filter(None, (line.event_type, line.counterparty))),
            _money(line.amount, signed=True), _money(line.balance), line.operator, mark)  # fmt: skip


class Style:
    """What the listing needs of the report's look."""

    def __init__(self, *, sans: str, bold: str, ink: Any, accent: Any, stripe: Any,
                 rule: Any, bad: Any) -> None:  # fmt: skip
        self.sans, self.bold = sans, bold
        self.ink, self.accent, self.stripe, self.rule, self.bad = ink, accent, stripe, rule, bad


class Listing(Flowable):
    """The rows still to draw; `split` takes as many as fit into a `_Page` and hands
    back itself for the rest."""

    def __init__(self, rows: Iterator[ReportLine], width: float, style: Style) -> None:
        super().__init__()
        self._rows = rows
        self._width = width
        self._style = style
        self._ahead: ReportLine | None = None  # one row read ahead: is there more?
        self._done = False
        self._split: tuple[float, list[Flowable]] | None = None
        total = sum(WEIGHTS)
        self._widths = [width * w / total for w in WEIGHTS]

    def _next(self) -> ReportLine | None:
        if self._ahead is not None:
            row, self._ahead = self._ahead, None
            return row
        if self._done:
            return None
        found = next(self._rows, None)
        if found is None:
            self._done = True
        return found

    def _more(self) -> bool:
        if self._ahead is None and not self._done:
            self._ahead = next(self._rows, None)
            self._done = self._ahead is None
        return self._ahead is not None

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        # always taller than the frame while rows remain, so platypus splits it
        return (self._width, avail_height + 1 if self._more() else 0)

    def split(self, avail_width: float, avail_height: float) -> list[Flowable]:
        if self._split is not None and self._split[0] == avail_height:
            return self._split[1]  # asked again for the same space: the same answer
        fits = int((avail_height - HEADER_HEIGHT) // ROW_HEIGHT)
        if fits < 3:  # not worth a header: start on the next page
            return []
        rows: list[ReportLine] = []
        while len(rows) < fits and (row := self._next()) is not None:
            rows.append(row)
        parts: list[Flowable] = [_Page(rows, self._widths, self._style)] if rows else []
        if self._more():
            rest = Listing(self._rows, self._width, self._style)
            rest._ahead, self._ahead = self._ahead, None
            parts.append(rest)
        self._split = (avail_height, parts)
        return parts

    def draw(self) -> None:  # nothing left to draw (wrap said 0 high)
        return


class _Page(Flowable):
    """One page's rows, drawn with the table's header."""

    def __init__(self, rows: list[ReportLine], widths: list[float], style: Style) -> None:
        super().__init__()
        self._rows = rows
        self._widths = widths
        self._style = style
        self.width = sum(widths)
        self.height = HEADER_HEIGHT + ROW_HEIGHT * len(rows)

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        return (self.width, self.height)

    def draw(self) -> None:
        canvas, style, widths = self.canv, self._style, self._widths
        lefts = [sum(widths[:i]) for i in range(len(widths))]
        top = self.height
        canvas.setFillColor(style.accent)
        canvas.rect(0, top - HEADER_HEIGHT, self.width, HEADER_HEIGHT, stroke=0, fill=1)
        canvas.setFillColor(colors.white)
        canvas.setFont(style.bold, FONT_SIZE)
        baseline = top - HEADER_HEIGHT + 4.2
        for index, title in enumerate(HEADERS):
            self._cell(title, index, lefts, baseline, style.bold)
        y = top - HEADER_HEIGHT
        canvas.setStrokeColor(style.rule)
        canvas.setLineWidth(0.25)
        for number, line in enumerate(self._rows):
            y -= ROW_HEIGHT
            if number % 2 == 1:
                canvas.setFillColor(style.stripe)
                canvas.rect(0, y, self.width, ROW_HEIGHT, stroke=0, fill=1)
            canvas.line(0, y, self.width, y)
            canvas.setFillColor(style.bad if line.flagged else style.ink)
            canvas.setFont(style.sans, FONT_SIZE)
            for index, text in enumerate(_cells(line)):
                self._cell(text, index, lefts, y + 3.4, style.sans)

    def _cell(self, text: str, index: int, lefts: list[float], y: float, font: str) -> None:
        room = self._widths[index] - 2 * PAD
        # a cheap estimate first: most cells are far narrower than their column
        if len(text) * FONT_SIZE * 0.45 > room and stringWidth(text, font, FONT_SIZE) > room:
            while text and stringWidth(text + "…", font, FONT_SIZE) > room:
                text = text[:-1]
            text += "…"
        if index in RIGHT:
            self.canv.drawRightString(lefts[index] + self._widths[index] - PAD, y, text)
        else:
            self.canv.drawString(lefts[index] + PAD, y, text)
