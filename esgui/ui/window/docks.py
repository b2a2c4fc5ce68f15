"""The main window's docks and their default arrangement: Accounts over Commands on
the left, Timeline over Balance beside the inspector, the notes, the query console and
the statistics (tabbed) below."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDockWidget, QMainWindow, QWidget

DEFAULT_SIZE = (1400, 900)
MINIMUM_SIZE = (1280, 720)  # everything still fits: every accounts and log column, 8 log rows
_FEATURES = (QDockWidget.DockWidgetFeature.DockWidgetMovable
             | QDockWidget.DockWidgetFeature.DockWidgetFloatable
             | QDockWidget.DockWidgetFeature.DockWidgetClosable)  # fmt: skip


def make_dock(parent: QMainWindow, title: str, name: str, widget: QWidget) -> QDockWidget:
    dock = QDockWidget(title, parent)
    dock.setObjectName(name)
    dock.setWidget(widget)
    dock.setFeatures(_FEATURES)
    return dock


@dataclass(frozen=True)
class Docks:
    accounts: QDockWidget
    commands: QDockWidget
    timeline: QDockWidget
    chart: QDockWidget
    inspector: QDockWidget
    notes: QDockWidget
    query: QDockWidget
    statistics: QDockWidget

    def all(self) -> list[QDockWidget]:
        """In the View menu's order (Ctrl+1…8)."""
        return [self.accounts, self.commands, self.timeline, self.chart, self.inspector,
                self.notes, self.query, self.statistics]  # fmt: skip


def arrange(window: QMainWindow, docks: Docks) -> None:
    """Every dock shown, docked and sized as the explorer starts the first time."""
    for dock in docks.all():
        dock.setFloating(False)
        dock.show()
    window.setCorner(Qt.Corner.BottomLeftCorner, Qt.DockWidgetArea.LeftDockWidgetArea)
    window.setCorner(Qt.Corner.TopLeftCorner, Qt.DockWidgetArea.LeftDockWidgetArea)
    window.addDockWidget(Qt.DockWidgetArea.LeftDockWidgetArea, docks.accounts)
    window.splitDockWidget(docks.accounts, docks.commands, Qt.Orientation.Vertical)
    window.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, docks.timeline)
    window.splitDockWidget(docks.timeline, docks.chart, Qt.Orientation.Vertical)
    window.splitDockWidget(docks.chart, docks.inspector, Qt.Orientation.Horizontal)
    window.tabifyDockWidget(docks.inspector, docks.notes)
    window.tabifyDockWidget(docks.notes, docks.query)
    window.tabifyDockWidget(docks.query, docks.statistics)
    docks.inspector.raise_()
    window.resizeDocks([docks.accounts], [590], Qt.Orientation.Horizontal)
    window.resizeDocks([docks.accounts, docks.commands], [620, 200], Qt.Orientation.Vertical)
    window.resizeDocks([docks.chart, docks.inspector], [400, 420], Qt.Orientation.Horizontal)
    window.resizeDocks([docks.timeline, docks.chart], [120, 370], Qt.Orientation.Vertical)
