"""The Statistics dock (`statisticsView`): events and money moved per day, week, month,
event type or operator, as a bar chart (QtCharts) and a table, with the totals and the
busiest accounts; over the whole store or the event log's current filter.

The numbers come from the database's GROUP BY (`esgui.app.console.statistics`), on the
session's pool: the GUI thread never waits for them.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCharts import QBarCategoryAxis, QBarSeries, QBarSet, QChart, QChartView, QValueAxis
from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QPainter
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from esgui.app.console import GROUPINGS, Statistics, statistics
from esgui.app.stores import EventFilter
from esgui.ui.common.formatting import money, plural
from esgui.ui.common.session import Session
from esgui.ui.common.table_model import Row, RowsModel
from esgui.ui.common.tasks import Latest
from esgui.ui.common.widgets import named

HEADERS = ("Key", "Events", "Money moved", "Net")
MAX_BARS = 60  # the chart shows the last 60 groups; the table lists them all
LABELS = {"day": "Day", "week": "Week (from Monday)", "month": "Month", "type": "Event type",
          "operator": "Operator"}  # fmt: skip


def _rows(stats: list) -> list[Row]:
    return [Row((r.key, f"{r.events:,}", money(r.moved), money(r.net)), payload=r,
                sort_keys=(r.key, r.events, r.moved, r.net)) for r in stats]  # fmt: skip


class StatisticsPanel(QWidget):
    computed = Signal()  # new numbers are shown
    account_requested = Signal(str)  # a busiest account was double-clicked

    def __init__(self, log_filter: Callable[[], EventFilter] | None = None,
                 parent: QWidget | None = None) -> None:  # fmt: skip
        super().__init__(parent)
        named(self, "statisticsView", "Statistics")
        self._session: Session | None = None
        self._loader: Latest | None = None
        self._log_filter = log_filter
        self.stats: Statistics | None = None
        self._build()

    def _build(self) -> None:
        self.grouping = named(QComboBox(), "statsGrouping", "Group by")
        for key in GROUPINGS:
            self.grouping.addItem(LABELS[key], key)
        self.grouping.currentIndexChanged.connect(lambda _i: self.refresh())
        self.use_log_filter = named(QCheckBox("Log's filter"), "statsUseLogFilter",
                                    "Count only what the event log's filter shows")  # fmt: skip
        self.use_log_filter.setToolTip("Count only the events the event log's filter shows")
        self.use_log_filter.toggled.connect(lambda _on: self.refresh())
        self.refresh_button = named(QPushButton("Refresh"), "statsRefreshButton",
                                    "Compute the statistics again")  # fmt: skip
        self.refresh_button.clicked.connect(self.refresh)
        self.totals = named(QLabel(""), "statsTotals", "Totals")
        self.totals.setWordWrap(True)
        self.chart = QChart()
        self.chart.legend().setVisible(False)
        self.chart.setMargins(self.chart.margins() * 0)
        self.chart_view = named(QChartView(self.chart), "statsChart", "Events per group")
        self.chart_view.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.chart_view.setMinimumHeight(160)
        self.model = RowsModel(HEADERS, numeric=(1, 2, 3), parent=self)
        self.table = named(QTableView(), "statsTable", "Statistics per group")
        self.table.setModel(self.model)
        self.table.verticalHeader().setDefaultSectionSize(22)
        self.busiest_model = RowsModel(("Account", "Events", "Money moved", "Net"),
                                       numeric=(1, 2, 3), parent=self)  # fmt: skip
        self.busiest = named(QTableView(), "statsBusiest", "Busiest accounts")
        self.busiest.setModel(self.busiest_model)
        self.busiest.verticalHeader().setDefaultSectionSize(22)
        self.busiest.doubleClicked.connect(self._on_busiest_activated)

        controls = QHBoxLayout()
        controls.addWidget(QLabel("By"))
        controls.addWidget(self.grouping)
        controls.addWidget(self.use_log_filter)
        controls.addStretch(1)
        controls.addWidget(self.refresh_button)
        tables = QSplitter(Qt.Orientation.Horizontal)
        tables.addWidget(self.table)
        tables.addWidget(self.busiest)
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(self.chart_view)
        split.addWidget(tables)
        split.setStretchFactor(0, 1)
        split.setStretchFactor(1, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(controls)
        layout.addWidget(self.totals)
        layout.addWidget(split, 1)

    def set_session(self, session: Session | None) -> None:
        if self._loader is not None:
            self._loader.clear()
        self._session = session
        self._loader = session.latest() if session is not None else None
        self.stats = None
        self.model.set_rows([])
        self.busiest_model.set_rows([])
        self.chart.removeAllSeries()
        for axis in self.chart.axes():
            self.chart.removeAxis(axis)
        self.totals.setText("")
        if session is not None:
            self.refresh()

    @property
    def by(self) -> str:
        return str(self.grouping.currentData())

    def refresh(self) -> None:
        """Compute again (off the GUI thread) with the current grouping and filter."""
        session, loader = self._session, self._loader
        if session is None or session.store is None or loader is None:
            return
        store, by = session.store, self.by
        where = (self._log_filter() if self._log_filter is not None
                 and self.use_log_filter.isChecked() else None)  # fmt: skip
        self.totals.setText("Counting…")
        loader.request(lambda _token: statistics(store, by, where=where), self._on_computed,
                       self.totals.setText)  # fmt: skip

    def _on_computed(self, stats: Statistics) -> None:
        self.stats = stats
        self.model.set_headers((LABELS[stats.by], *HEADERS[1:]))
        self.model.set_rows(_rows(stats.groups))
        self.busiest_model.set_rows(_rows(stats.busiest))
        self.table.resizeColumnsToContents()
        self.busiest.resizeColumnsToContents()
        total = stats.totals
        self.totals.setText(
            f"{plural(total.events, 'event')}, {money(total.moved)} moved, net "
            f"{money(total.net)} in {plural(len(stats.groups), 'group')}"
        )
        self._draw(stats)
        self.computed.emit()

    def _draw(self, stats: Statistics) -> None:
        self.chart.removeAllSeries()
        for axis in self.chart.axes():
            self.chart.removeAxis(axis)
        groups = stats.groups[-MAX_BARS:]
        bars = QBarSet("Events")
        bars.append([float(row.events) for row in groups])
        series = QBarSeries()
        series.append(bars)
        self.chart.addSeries(series)
        categories = QBarCategoryAxis()
        categories.append([row.key for row in groups])
        if len(groups) > 12:  # many days or weeks: the title names the range instead
            categories.setLabelsVisible(False)
        values = QValueAxis()
        values.setRange(0, max([row.events for row in groups], default=1) or 1)
        values.setLabelFormat("%d")
        values.setTickCount(5)
        self.chart.addAxis(categories, Qt.AlignmentFlag.AlignBottom)
        self.chart.addAxis(values, Qt.AlignmentFlag.AlignLeft)
        series.attachAxis(categories)
        series.attachAxis(values)
        span = f" ({groups[0].key} … {groups[-1].key})" if len(groups) > 12 else ""
        self.chart.setTitle(f"Events per {LABELS[stats.by].lower()}{span}")

    def _on_busiest_activated(self, index: object) -> None:
        row = self.busiest_model.payload(index.row())  # type: ignore[attr-defined]
        if row is not None:
            self.account_requested.emit(row.key)
