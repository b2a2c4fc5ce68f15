"""The balance chart: an account's balance over its versions, the slider's version marked.

Longer than 400 lines because one widget's scales, painting and pointer handling share
its state.

A plain painted widget: each state (series, range, size, theme) is drawn whole into a
picture, and every paint copies what it covers from that picture and draws the marker,
so nothing from an earlier state (old marker dashes, grid stubs, axis labels) is ever
left behind, and a marker step costs a copy of two strips. Each pixel column shows the
range of balances of the versions in it (a band from the lowest to the highest) and
the balance after its last version (the line), so 66,000 versions read as a shape, not
a solid block. Hover for the version,
time and balance; the wheel zooms around the pointer, dragging pans, a double-click
shows every version again; a click moves the timeline to that version.

Money stays exact: ticks and labels are integer cents and Decimal text
(`chart_axes`); floats only place pixels.
"""

from __future__ import annotations

from PySide6.QtCore import QPoint, QPointF, QRect, QSize, Qt, Signal
from PySide6.QtGui import (
    QColor,
    QMouseEvent,
    QPainter,
    QPainterPath,
    QPaintEvent,
    QPen,
    QPixmap,
    QPolygonF,
    QResizeEvent,
    QWheelEvent,
)
from PySide6.QtWidgets import QSizePolicy, QToolTip, QWidget

from esgui.app.timeline import BalanceSeries
from esgui.ui.common.formatting import local_time, money
from esgui.ui.common.widgets import named
from esgui.ui.timeline.chart_axes import (
    Column,
    decimate,
    envelope,
    money_label,
    nice_step,
    ticks,
    unit_of,
)

__all__ = ["BalanceChart", "decimate"]
MIN_SPAN = 10  # versions shown at the closest zoom
DRAG_PIXELS = 4  # a press that moves less than this is a click
_LIGHT = {"bg": "#ffffff", "grid": "#e3e7eb", "axis": "#9aa3ad", "text": "#4a5561",
          "line": "#1f6fd1", "band": "#1f6fd1", "marker": "#e0701b"}  # fmt: skip
_DARK = {"bg": "#1f2327", "grid": "#30363c", "axis": "#5d6670", "text": "#b9c1c9",
         "line": "#5aa9ff", "band": "#5aa9ff", "marker": "#ff9f43"}  # fmt: skip


class _Drawn:
    """What the chart draws (for tests and automation): `count()` points or columns."""

    def __init__(self) -> None:
        self.columns: list[Column] = []

    def count(self) -> int:
        return len(self.columns)


class BalanceChart(QWidget):
    """Shows a BalanceSeries; `version_clicked` when the user clicks into the plot."""

    version_clicked = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        named(self, "balanceChart", "Balance chart")
        self.setMinimumSize(220, 160)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setMouseTracking(True)
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent)
        self.empty_text = "Select an account to see its balance over time"
        self.line = _Drawn()
        self._series: BalanceSeries | None = None
        self._view: tuple[float, float] | None = None  # zoomed versions; None: all
        self._marker = 0
        self._press: QPoint | None = None
        self._press_view: tuple[float, float] | None = None
        self._dragged = False
        self._colors = _LIGHT
        self._cache_key: tuple[int, int, int, int] | None = None
        self._y: tuple[int, int] = (0, 1)  # cents at the plot's bottom and top
        self._static: QPixmap | None = None  # the chart without its marker
        self._static_key: object = None

    def sizeHint(self) -> QSize:  # noqa: N802
        return QSize(420, 260)

    # -- what to show ------------------------------------------------------------------

    def set_dark(self, dark: bool) -> None:
        self._colors = _DARK if dark else _LIGHT
        self._static = None
        self.update()

    def show_empty(self, text: str) -> None:
        """No series: say why (nothing selected, loading, not loaded)."""
        self.empty_text = text
        self.set_series(None)

    def set_series(self, series: BalanceSeries | None) -> None:
        self._series = series
        self._view = None
        self._cache_key = None
        self.update()

    def refresh(self) -> None:
        """The series grew: draw it again (a zoomed view keeps its range)."""
        self._cache_key = None
        self.update()

    def set_marker(self, version: int) -> None:
        """Mark `version` (0: nothing to mark, before the opening). Only the strips
        the marker leaves and enters are repainted, each drawn whole."""
        if version == self._marker:
            return
        old = self._marker_strip()
        self._marker = version
        for strip in (old, self._marker_strip()):
            if strip is not None:
                self.update(strip)

    @property
    def marker_version(self) -> int:
        series = self._series
        return self._marker if series is not None and 1 <= self._marker <= len(series) else 0

    def marker_point(self) -> QPointF | None:
        """Where the marked (version, balance) is drawn, or None."""
        version = self.marker_version
        if not version or self._series is None or not self._in_view(version):
            return None
        self._columns()  # the vertical scale is the drawn columns'
        return QPointF(self._x_of(version), self._y_of(self._series.cents[version - 1]))

    @property
    def view_range(self) -> tuple[int, int]:
        """The versions shown (first, last)."""
        first, last = self._range()
        return int(first), int(last)

    # -- geometry ----------------------------------------------------------------------

    def _plot(self) -> QRect:
        metrics = self.fontMetrics()
        left = max(metrics.horizontalAdvance("-9,999.99k") + 14, 56)
        return self.rect().adjusted(left, 10, -12, -(metrics.height() * 2 + 8))

    def _range(self) -> tuple[float, float]:
        series = self._series
        total = len(series) if series is not None else 0
        if self._view is None or total <= 1:
            return 1.0, float(max(total, 1))
        return self._view

    def _in_view(self, version: int) -> bool:
        first, last = self._range()
        return first <= version <= last

    def _x_of(self, version: float) -> float:
        plot = self._plot()
        first, last = self._range()
        if last <= first:
            return plot.left() + plot.width() / 2
        return plot.left() + (version - first) / (last - first) * plot.width()

    def _version_at(self, x: float) -> int:
        plot = self._plot()
        first, last = self._range()
        if plot.width() <= 0:
            return int(first)
        fraction = min(max((x - plot.left()) / plot.width(), 0.0), 1.0)
        return round(first + fraction * (last - first))

    def _y_of(self, cents: int) -> float:
        plot = self._plot()
        low, high = self._y
        return plot.bottom() - (cents - low) / max(high - low, 1) * plot.height()

    def _marker_strip(self) -> QRect | None:
        point = self.marker_point()
        if point is None:
            return None
        plot = self._plot()
        return QRect(int(point.x()) - 8, plot.top() - 8, 17, plot.height() + 16)

    # -- drawing -----------------------------------------------------------------------

    def _columns(self) -> list[Column]:
        series = self._series
        if series is None or not len(series):
            return []
        first, last = self._range()
        plot = self._plot()
        key = (len(series), int(first), int(last), plot.width())
        if key != self._cache_key:
            lo, hi = max(1, int(first)), min(len(series), int(last) + 1)
            self.line.columns = envelope(series.cents, lo, hi, max(plot.width(), 1))
            low = min([0, *(c.low for c in self.line.columns)])
            high = max([1, *(c.high for c in self.line.columns)])
            pad = max((high - low) // 20, 1)
            self._y = (low - (pad if low < 0 else 0), high + pad)
            self._cache_key = key
        return self.line.columns

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802
        painter = QPainter(self)
        painter.drawPixmap(event.rect(), self._picture(), self._device_rect(event.rect()))
        if self.line.columns:
            self._draw_marker(painter, self._plot())
        painter.end()

    def _device_rect(self, rect: QRect) -> QRect:
        ratio = self.devicePixelRatioF()
        return QRect(round(rect.x() * ratio), round(rect.y() * ratio),
                     round(rect.width() * ratio), round(rect.height() * ratio))  # fmt: skip

    def _picture(self) -> QPixmap:
        """Everything but the marker, drawn whole once per state (series, range, size,
        theme); a marker step only copies the strips it touches back from it."""
        columns = self._columns()
        key = (self._cache_key, id(self._colors), self.empty_text, self.size().toTuple())
        if self._static is not None and self._static_key == key:
            return self._static
        ratio = self.devicePixelRatioF()
        picture = QPixmap(round(self.width() * ratio), round(self.height() * ratio))
        picture.setDevicePixelRatio(ratio)
        colors = self._colors
        picture.fill(QColor(colors["bg"]))
        painter = QPainter(picture)
        painter.setPen(QColor(colors["text"]))
        if not columns:
            painter.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter, self.empty_text)
        else:
            plot = self._plot()
            self._draw_axes(painter, plot)
            painter.setClipRect(plot.adjusted(-1, -1, 2, 2))
            self._draw_series(painter, columns)
        painter.end()
        self._static, self._static_key = picture, key
        return picture

    def _draw_axes(self, painter: QPainter, plot: QRect) -> None:
        colors = self._colors
        metrics = painter.fontMetrics()
        low, high = self._y
        step, values = ticks(low, high, max(2, plot.height() // 40))
        unit, suffix = unit_of(max(abs(low), abs(high)))
        grid = QPen(QColor(colors["grid"]))
        grid.setCosmetic(True)
        for cents in values:
            y = round(self._y_of(cents))
            painter.setPen(grid)
            painter.drawLine(plot.left(), y, plot.right(), y)
            painter.setPen(QColor(colors["text"]))
            label = money_label(cents, step, unit, suffix)
            box = QRect(0, y - metrics.height() // 2, plot.left() - 6, metrics.height())
            painter.drawText(box, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
                             label)  # fmt: skip
        first, last = self._range()
        span = max(int(last - first), 1)
        vstep = nice_step(span, max(2, plot.width() // 70))
        version = -(-int(first) // vstep) * vstep
        painter.setPen(QColor(colors["axis"]))
        painter.drawLine(plot.bottomLeft(), plot.bottomRight())
        while version <= last:
            if version >= first:
                x = round(self._x_of(version))
                painter.setPen(QColor(colors["axis"]))
                painter.drawLine(x, plot.bottom(), x, plot.bottom() + 4)
                painter.setPen(QColor(colors["text"]))
                box = QRect(x - 40, plot.bottom() + 5, 80, metrics.height())
                painter.drawText(box, Qt.AlignmentFlag.AlignHCenter, f"{version:,}")
            version += vstep
        caption = "Version" if self._view is None else (
            f"Versions {int(first):,}–{int(last):,} · double-click: all")  # fmt: skip
        box = QRect(plot.left(), plot.bottom() + 5 + metrics.height(), plot.width(),
                    metrics.height())  # fmt: skip
        painter.drawText(box, Qt.AlignmentFlag.AlignHCenter, caption)

    def _draw_series(self, painter: QPainter, columns: list[Column]) -> None:
        colors = self._colors
        plot = self._plot()
        dense = len(columns) >= plot.width() * 0.5 and any(c.last > c.first for c in columns)
        if dense:
            band = QPainterPath()
            top = [QPointF(self._x_of(c.first), self._y_of(c.high)) for c in columns]
            bottom = [QPointF(self._x_of(c.first), self._y_of(c.low)) for c in columns]
            band.addPolygon(QPolygonF([*top, *reversed(bottom)]))
            band.closeSubpath()
            fill = QColor(colors["band"])
            fill.setAlpha(70)
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(fill)
            painter.drawPath(band)
            # each column's own extent, so a single spike is never thinner than a pixel
            edge = QColor(colors["band"])
            edge.setAlpha(120)
            pen = QPen(edge)
            pen.setCosmetic(True)
            painter.setPen(pen)
            for c, t, b in zip(columns, top, bottom, strict=True):
                if c.high != c.low:
                    painter.drawLine(t, b)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        pen = QPen(QColor(colors["line"]))
        pen.setWidthF(1.4)
        pen.setCosmetic(True)
        painter.setPen(pen)
        painter.setBrush(Qt.BrushStyle.NoBrush)
        x_of = self._x_of
        points = [QPointF(x_of(c.last), self._y_of(c.close)) for c in columns]
        painter.drawPolyline(QPolygonF(points))
        if not dense and len(columns) <= plot.width() / 8:
            painter.setBrush(QColor(colors["line"]))
            for point in points:
                painter.drawEllipse(point, 2.2, 2.2)

    def _draw_marker(self, painter: QPainter, plot: QRect) -> None:
        point = self.marker_point()
        if point is None:
            return
        pen = QPen(QColor(self._colors["marker"]))
        pen.setWidthF(1.4)
        pen.setStyle(Qt.PenStyle.DashLine)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(pen)
        painter.drawLine(QPointF(point.x(), plot.top()), QPointF(point.x(), plot.bottom()))
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QColor(self._colors["marker"]))
        painter.drawEllipse(point, 4.5, 4.5)

    # -- the pointer -------------------------------------------------------------------

    def describe(self, version: int) -> str:
        """Version, time and exact balance, as the tooltip says them."""
        series = self._series
        if series is None or not 1 <= version <= len(series):
            return ""
        point = series.at(version)
        assert point is not None
        other = f" {point.counterparty}" if point.counterparty else ""
        return (f"Version {version:,} · {local_time(point.recorded_at)}\n"
                f"Balance {money(point.balance)} · {point.event_type}{other}")  # fmt: skip

    def zoom(self, factor: float, around: float | None = None) -> None:
        """Zoom in (factor < 1) or out around version `around` (the middle if None)."""
        series = self._series
        if series is None or len(series) <= MIN_SPAN:
            return
        first, last = self._range()
        centre = (first + last) / 2 if around is None else around
        span = min(max((last - first) * factor, MIN_SPAN), len(series) - 1)
        first = max(1.0, centre - (centre - first) * span / max(last - first, 1e-9))
        last = min(float(len(series)), first + span)
        first = max(1.0, last - span)
        self._view = None if span >= len(series) - 1 else (first, last)
        self._cache_key = None
        self.update()

    def reset_zoom(self) -> None:
        self._view = None
        self._cache_key = None
        self.update()

    def wheelEvent(self, event: QWheelEvent) -> None:  # noqa: N802
        if self._series is None or not len(self._series):
            return
        steps = event.angleDelta().y() / 120
        if steps:
            self.zoom(0.8**steps, self._version_at(event.position().x()))
        event.accept()

    def mousePressEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        if event.button() == Qt.MouseButton.LeftButton:
            self._press = event.position().toPoint()
            self._press_view = self._range()
            self._dragged = False
        super().mousePressEvent(event)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        series, position = self._series, event.position()
        if self._press is not None and self._press_view is not None and series is not None:
            dx = position.x() - self._press.x()
            if abs(dx) >= DRAG_PIXELS and self._view is not None:
                self._dragged = True
                first, last = self._press_view
                shift = -dx / max(self._plot().width(), 1) * (last - first)
                shift = min(max(shift, 1 - first), len(series) - last)
                self._view = (first + shift, last + shift)
                self._cache_key = None
                self.update()
            return
        if series is not None and len(series) and self._plot().contains(position.toPoint()):
            text = self.describe(self._version_at(position.x()))
            QToolTip.showText(event.globalPosition().toPoint(), text, self)
        else:
            QToolTip.hideText()

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        series = self._series
        clicked = self._press is not None and not self._dragged
        self._press = self._press_view = None
        left = event.button() == Qt.MouseButton.LeftButton
        if clicked and left and series is not None and len(series):
            version = self._version_at(event.position().x())
            self.version_clicked.emit(max(1, min(len(series), version)))
        super().mouseReleaseEvent(event)

    def mouseDoubleClickEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        self.reset_zoom()
        super().mouseDoubleClickEvent(event)

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802
        self._cache_key = None
        super().resizeEvent(event)
