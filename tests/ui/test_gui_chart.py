"""The balance chart: drawn whole wherever it repaints (no debris), a min/max band per
pixel column for long histories, exact labels, hover, zoom, pan and click-to-seek."""

from __future__ import annotations

from decimal import Decimal

from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QPainter, QRegion

import esgui
from esgui.app.seed import seed
from esgui.app.timeline import BalanceSeries
from esgui.ui.timeline.balance_chart import BalanceChart
from esgui.ui.timeline.chart_axes import envelope, money_label, nice_step, ticks
from tests.ui.gui_helpers import LIVE_TIMEOUT_MS, child, select_account, slider, wait_live


def test_the_envelope_keeps_every_extreme_and_never_breaks():
    cents = [(i * 7919) % 10007 for i in range(66_000)]
    cents[40_000] = 10**9
    cents[123] = -500
    columns = envelope(cents, 1, len(cents), 400)
    assert len(columns) == 400
    assert max(c.high for c in columns) == 10**9 and min(c.low for c in columns) == -500
    assert columns[0].first == 1 and columns[-1].last == 66_000
    assert all(b.first == a.last + 1 for a, b in zip(columns, columns[1:], strict=False))
    for a, b in zip(columns, columns[1:], strict=False):  # each reaches the last close
        assert b.low <= a.close <= b.high
    assert len(envelope([5, 6, 7], 1, 3, 400)) == 3


def test_ticks_and_labels_are_exact():
    assert [nice_step(s) for s in (10, 100, 1000, 9)] == [5, 25, 250, 5]
    step, values = ticks(-150, 1_000_000, 5)
    assert step == 250_000 and values == [0, 250_000, 500_000, 750_000, 1_000_000]
    assert money_label(123_456_789, 100) == "1,234,568"
    assert money_label(1_234_567_891, 1_000, 100_000, "k") == "12,345.68k"
    assert money_label(10, 10) == "0.10" and money_label(0, 5) == "0"


def _series(url: str, account: str) -> BalanceSeries:
    with esgui.open_store(url) as store:
        return BalanceSeries.load(store, account)


def _fill(url: str, versions: int = 300) -> str:
    with esgui.open_store(url) as store:
        seed(store, accounts=1, events=versions, seed=11, user="bulk")
        return store.aggregate_ids()[0]


def test_repaints_leave_no_debris(qtbot, store_url):
    """Only the strips the marker leaves and enters repaint; each is drawn whole, so the
    picture equals a chart drawn afresh in the new state."""
    account = _fill(store_url)
    series = _series(store_url, account)
    chart = BalanceChart()
    chart.resize(500, 300)
    chart.set_series(series)
    chart.set_marker(40)
    screen = chart.grab()  # what is on screen
    regions: list = []
    chart.update = lambda *rect: regions.append(rect[0] if rect else chart.rect())  # type: ignore[method-assign]
    chart.set_marker(200)
    painter = QPainter(screen)
    for rect in regions:
        chart.render(painter, rect.topLeft(), QRegion(rect))
    painter.end()
    fresh = BalanceChart()
    fresh.resize(500, 300)
    fresh.set_series(series)
    fresh.set_marker(200)
    assert len(regions) == 2
    assert screen.toImage() == fresh.grab().toImage()


def test_hover_zoom_pan_and_click_to_seek(qtbot, make_window, store_url):
    account = _fill(store_url, 300)
    window = make_window(store_url)
    wait_live(qtbot, window)
    select_account(qtbot, window, account)
    qtbot.waitUntil(lambda: window.timeline.series is not None, timeout=LIVE_TIMEOUT_MS)
    chart = child(window, "balanceChart")
    series = window.timeline.series
    text = chart.describe(120)
    assert text.startswith("Version 120 · ") and f"Balance {series.balance_at(120):,}" in text
    assert isinstance(series.balance_at(120), Decimal)

    assert chart.view_range == (1, 300)
    chart.zoom(0.1, 150)
    first, last = chart.view_range
    assert last - first <= 31 and first <= 150 <= last
    plot = chart._plot()
    y = plot.center().y()
    start = QPoint(plot.center().x(), y)
    qtbot.mousePress(chart, Qt.MouseButton.LeftButton, pos=start)
    qtbot.mouseMove(chart, QPoint(start.x() + plot.width() // 2, y))
    qtbot.mouseRelease(
        chart, Qt.MouseButton.LeftButton, pos=QPoint(start.x() + plot.width() // 2, y)
    )
    moved = chart.view_range
    assert moved[0] < first and slider(window).value() == 300  # a drag pans, it does not seek
    chart.reset_zoom()
    assert chart.view_range == (1, 300)

    x = round(chart._x_of(75))
    qtbot.mouseClick(chart, Qt.MouseButton.LeftButton, pos=QPoint(x, y))
    assert slider(window).value() == 75
    assert chart.marker_version == 75
