"""The report's full listing as a platypus flowable that is filled lazily: each page
takes the next rows from an iterator over the store and draws them straight onto the
canvas, so a listing of any length keeps one page of rows in memory.

A row is one run of text in the monospaced face, its columns padded to fixed widths
(a ledger printout): one text operator per row instead of a table layout and one per
cell, which is what makes 66,000 rows take seconds (reportlab's TrueType encoding costs
per text run).
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

ROW_HEIGHT = 11.0
HEADER_HEIGHT = 14.0
FONT_SIZE = 7.2
PAD = 3.0
# (title, width in characters, right-aligned); the operator takes what is left
COLUMNS = (("Pos.", 8, True), ("Ver.", 6, True), ("Recorded (UTC)", 19, False),
           ("Event", 22, False), ("Amount", 18, True), ("Balance", 18, True),
           ("", 2, False))  # fmt: skip
OPERATOR = "Operator"


def _money(value: Decimal | None, signed: bool = False) -> str:
    if value is None:
        return "–"
    text = f"{value:,.2f}"
    return f"+{text}" if signed and value > 0 else text


def _when(value: datetime) -> str:
    return value.isoformat(sep=" ", timespec="seconds")[:19]  # strftime is 5× slower


def _fit(text: str, width: int, right: bool) -> str:
    if len(text) > width:
        text = text[: width - 1] + "…"
    return text.rjust(width) if right else text.ljust(width)


def row_text(cells: tuple[str, ...], operator: str, operator_width: int) -> str:
    """One row as fixed-width text: the columns, then the operator."""
    parts = [
        _fit(cell, width, right) for cell, (_t, width, right) in zip(cells, COLUMNS, strict=True)
    ]
    return " ".join(parts) + " " + _fit(operator, operator_width, False).rstrip()


def _cells(line: ReportLine) -> tuple[str, ...]:
    mark = ("!" if line.flagged else "") + ("*" if line.noted else "")
    return (str(line.position), str(line.version), _when(line.recorded_at),
            " ".join(filter(None, (line.event_type, line.counterparty))),
            _money(line.amount, signed=True), _money(line.balance), mark)  # fmt: skip


class Style:
    """What the listing needs of the report's look."""

    def __init__(self, *, mono: str, ink: Any, accent: Any, stripe: Any, rule: Any,
                 bad: Any) -> None:  # fmt: skip
        self.mono = mono
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
        per_char = stringWidth("0", style.mono, FONT_SIZE)
        chars = int((width - 2 * PAD) // per_char)
        used = sum(w for _t, w, _r in COLUMNS) + len(COLUMNS)
        self._operator_width = max(chars - used, 8)

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
        parts: list[Flowable] = (
            [_Page(rows, self._width, self._operator_width, self._style)] if rows else []
        )
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

    def __init__(
        self, rows: list[ReportLine], width: float, operator_width: int, style: Style
    ) -> None:
        super().__init__()
        self._rows = rows
        self._operator_width = operator_width
        self._style = style
        self.width = width
        self.height = HEADER_HEIGHT + ROW_HEIGHT * len(rows)

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        return (self.width, self.height)

    def draw(self) -> None:
        canvas, style = self.canv, self._style
        top = self.height
        canvas.setFillColor(style.accent)
        canvas.rect(0, top - HEADER_HEIGHT, self.width, HEADER_HEIGHT, stroke=0, fill=1)
        y = top - HEADER_HEIGHT
        canvas.setFillColor(style.stripe)
        for number in range(1, len(self._rows), 2):  # zebra stripes first, text on top
            canvas.rect(0, y - ROW_HEIGHT * (number + 1), self.width, ROW_HEIGHT, stroke=0,
                        fill=1)  # fmt: skip
        canvas.setStrokeColor(style.rule)
        canvas.setLineWidth(0.25)
        canvas.lines([(0, y - ROW_HEIGHT * n, self.width, y - ROW_HEIGHT * n)
                      for n in range(1, len(self._rows) + 1)])  # fmt: skip
        text = canvas.beginText()
        text.setFont(style.mono, FONT_SIZE)
        text.setFillColor(colors.white)
        titles = tuple(title for title, _w, _r in COLUMNS)
        text.setTextOrigin(PAD, top - HEADER_HEIGHT + 4.4)
        text.textOut(row_text(titles, OPERATOR, self._operator_width))
        colour = style.ink
        text.setFillColor(colour)
        for line in self._rows:
            y -= ROW_HEIGHT
            wanted = style.bad if line.flagged else style.ink
            if wanted is not colour:
                colour = wanted
                text.setFillColor(colour)
            text.setTextOrigin(PAD, y + 3.4)
            text.textOut(row_text(_cells(line), line.operator, self._operator_width))
        canvas.drawText(text)
