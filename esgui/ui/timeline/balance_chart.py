"""The balance chart: an account's balance over its versions, the slider's version marked.

Long histories are decimated to the chart's width: each pixel column keeps the lowest
and the highest balance in its range of versions (in the order they occur), so spikes
stay visible and 100,000 versions draw as fast as 2,000.
"""

from __future__ import annotations

import math

from PySide6.QtCharts import QChart, QChartView, QLineSeries, QValueAxis
from PySide6.QtCore import QMargins, QPointF, QRect, QRectF, Qt, Signal
from PySide6.QtGui import QColor, QMouseEvent, QPainter, QPen, QResizeEvent
from PySide6.QtWidgets import QWidget

from esgui.app.timeline import BalanceSeries
from esgui.ui.common.widgets import named

# (show in this unit from this many, the unit, its name): 12,345.00 -> 12.3 thousands
_UNITS = ((10**10, 10**9, "billions"), (10**7, 10**6, "millions"), (10**4, 10**3, "thousands"))


def nice_step(span: float, ticks: int = 4) -> float:
    """A round tick interval (1, 2, 2.5 or 5 times a power of ten) giving about `ticks`."""
    if span <= 0:
        return 1.0
    raw = span / ticks
    power = 10 ** math.floor(math.log10(raw))
    for factor in (1, 2, 2.5, 5, 10):
        if raw <= factor * power:
            return factor * power
    return 10 * power


def _nice_axis(
    axis: QValueAxis, low: float, high: float, *, whole: bool = False
) -> tuple[float, float]:
    """Round ticks anchored at zero; the range rounded out to them unless `whole` (the
    version axis ends at the newest version). Returns the range."""
    step = nice_step(high - low)
    if whole:
        step = max(1.0, round(step))
    else:
        low = math.floor(low / step) * step
        high = math.ceil(high / step) * step
    axis.setRange(low, high)
    axis.setTickType(QValueAxis.TickType.TicksDynamic)
    axis.setTickAnchor(0)
    axis.setTickInterval(step)
    return low, high


def decimate(cents: list[int], buckets: int) -> list[tuple[int, int]]:
    """(version, cents) points: every point, or min and max per bucket of versions."""
    n = len(cents)
    if n <= 2 * buckets:
        return [(i + 1, value) for i, value in enumerate(cents)]
    points: list[tuple[int, int]] = []
    step = n / buckets
    start = 0
    for b in range(buckets):
        end = min(n, int((b + 1) * step))
        if end <= start:
            continue
        chunk = cents[start:end]
        low = chunk.index(min(chunk))
        high = chunk.index(max(chunk))
        for i in sorted({low, high}):
            points.append((start + i + 1, chunk[i]))
        start = end
    return points


class BalanceChart(QChartView):
    """Shows a BalanceSeries; `version_clicked` when the user clicks into the plot."""

    version_clicked = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        chart = QChart()
        super().__init__(chart, parent)
        named(self, "balanceChart", "Balance chart")
        self.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.setMinimumHeight(160)
        chart.legend().hide()
        chart.setMargins(QMargins(4, 4, 8, 4))
        chart.setBackgroundRoundness(0)
        self._chart = chart
        self.line = QLineSeries()
        self.line.setName("Balance")
        chart.addSeries(self.line)
        self.x_axis = QValueAxis()
        self.x_axis.setLabelFormat("%d")
        self.x_axis.setTitleText("Version")
        self.y_axis = QValueAxis()
        self.y_axis.setTitleText("Balance")
        chart.addAxis(self.x_axis, Qt.AlignmentFlag.AlignBottom)
        chart.addAxis(self.y_axis, Qt.AlignmentFlag.AlignLeft)
        self.line.attachAxis(self.x_axis)
        self.line.attachAxis(self.y_axis)
        self._series: BalanceSeries | None = None
        self.empty_text = "Select an account to see its balance over time"
        self._scale = 0.01
        self._low = 0.0
        self._high = 1.0
        self._drawn_for = (0, 0)  # (versions, width) the line was decimated for
        self._marker = 0
        self.set_dark(False)

    def set_dark(self, dark: bool) -> None:
        self._chart.setTheme(QChart.ChartTheme.ChartThemeDark if dark
                             else QChart.ChartTheme.ChartThemeLight)  # fmt: skip
        self._chart.setBackgroundBrush(QColor("#1f2327") if dark else QColor("#ffffff"))
        self._chart.legend().hide()
        accent = QColor("#5aa9ff") if dark else QColor("#1f6fd1")
        pen = QPen(accent)
        pen.setWidthF(1.6)
        self.line.setPen(pen)
        cursor_pen = QPen(QColor("#ff9f43") if dark else QColor("#e0701b"))
        cursor_pen.setWidthF(1.4)
        cursor_pen.setStyle(Qt.PenStyle.DashLine)
        self._marker_pen = cursor_pen

    def show_empty(self, text: str) -> None:
        """No series: say why (nothing selected, loading, not loaded)."""
        self.empty_text = text
        self.set_series(None)

    def set_series(self, series: BalanceSeries | None) -> None:
        self._series = series
        self._drawn_for = (0, 0)
        self._redraw()
        self.set_marker(self._marker)

    def refresh(self) -> None:
        """The series grew: redraw the line."""
        self._redraw()
        self.set_marker(self._marker)

    def _redraw(self) -> None:
        series = self._series
        width = max(50, self.viewport().width() - 80)
        if series is None or len(series) == 0:
            self.line.clear()
            for axis in (self.x_axis, self.y_axis):
                axis.setVisible(False)
            self._chart.setTitle(self.empty_text)
            self._drawn_for = (0, 0)
            return
        for axis in (self.x_axis, self.y_axis):
            axis.setVisible(True)
        self._chart.setTitle("")
        if self._drawn_for == (len(series), width):
            return
        self._drawn_for = (len(series), width)
        points = decimate(series.cents, width)
        low = min(0, min(value for _v, value in points))
        high = max(1, max(value for _v, value in points))
        divisor, unit = 100, ""
        for threshold, size, name in _UNITS:
            if high >= threshold * 100:
                divisor, unit = size * 100, name
                break
        self._scale = 1 / divisor
        self.y_axis.setTitleText(f"Balance ({unit})" if unit else "Balance")
        self.line.replace([QPointF(v, value * self._scale) for v, value in points])
        self._low, self._high = _nice_axis(
            self.y_axis, low * self._scale, high * self._scale * 1.02
        )
        step = self.y_axis.tickInterval()
        self.y_axis.setLabelFormat("%.0f" if step >= 1 and step == int(step) else
                                   "%.1f" if step * 10 == int(step * 10) else "%.2f")  # fmt: skip
        _nice_axis(self.x_axis, 0, max(len(series), 1), whole=True)

    def set_marker(self, version: int) -> None:
        """Mark `version` (0: nothing to mark, before the opening).

        The marker is drawn over the chart (drawForeground) and only the strips it
        leaves and enters are repainted: moving it never re-renders the whole chart."""
        old = self._marker_rect()
        self._marker = version
        new = self._marker_rect()
        for rect in (old, new):
            if rect is not None:
                self.viewport().update(rect)

    @property
    def marker_version(self) -> int:
        series = self._series
        return self._marker if series is not None and 1 <= self._marker <= len(series) else 0

    def marker_point(self) -> QPointF | None:
        """The marked (version, balance) in scene coordinates, or None."""
        version = self.marker_version
        if not version or self._series is None:
            return None
        value = QPointF(version, self._series.cents[version - 1] * self._scale)
        return self._chart.mapToScene(self._chart.mapToPosition(value, self.line))

    def _marker_rect(self) -> QRect | None:
        point = self.marker_point()
        if point is None:
            return None
        area = self._chart.mapRectToScene(self._chart.plotArea())
        strip = QRectF(point.x() - 8, area.top() - 8, 16, area.height() + 16)
        return self.mapFromScene(strip).boundingRect().adjusted(-2, -2, 2, 2)

    def drawForeground(self, painter: QPainter, rect: QRectF | QRect) -> None:  # noqa: N802
        super().drawForeground(painter, rect)
        point = self.marker_point()
        if point is None:
            return
        area = self._chart.mapRectToScene(self._chart.plotArea())
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(self._marker_pen)
        painter.drawLine(QPointF(point.x(), area.top()), QPointF(point.x(), area.bottom()))
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(self._marker_pen.color())
        painter.drawEllipse(point, 4.5, 4.5)
        painter.restore()

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802
        super().resizeEvent(event)
        if self._series is not None:
            self._redraw()

    def mousePressEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        series = self._series
        if series is not None and len(series) and event.button() == Qt.MouseButton.LeftButton:
            value = self._chart.mapToValue(self._chart.mapFromScene(self.mapToScene(
                event.position().toPoint())), self.line)  # fmt: skip
            self.version_clicked.emit(max(1, min(len(series), round(value.x()))))
        super().mousePressEvent(event)
