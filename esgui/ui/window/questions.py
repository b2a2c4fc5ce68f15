"""The window's question panels, the Query console and Statistics, in their docks: their
session, and the rows they name (an event, an account) opened in the rest of the
window."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QFrame, QMainWindow, QScrollArea, QWidget

from esgui.app.queries import EventQuery, load_event
from esgui.app.stores import RecordedEvent
from esgui.ui.common.session import Session
from esgui.ui.query.panel import QueryPanel
from esgui.ui.stats.panel import StatisticsPanel
from esgui.ui.window.docks import make_dock
from esgui.ui.window.selection import Selection


def scrolled(panel: QWidget) -> QScrollArea:
    """`panel` in a scroll area: tabbed beside the inspector, it never makes the dock
    area (and so the window's minimum size) wider; a dock smaller than the panel
    scrolls instead of cutting it off."""
    area = QScrollArea()
    area.setObjectName(f"{panel.objectName()}Scroll")
    area.setWidgetResizable(True)
    area.setFrameShape(QFrame.Shape.NoFrame)
    area.setWidget(panel)
    return area


class Questions:
    def __init__(
        self,
        window: QMainWindow,
        log_query: Callable[[], EventQuery],
        selection: Callable[[], Selection],
    ) -> None:
        """`log_query`: the event log's current filter (the statistics may use it);
        `selection`: the window's selection, which opens what a row names."""
        self._window = window
        self._selection = selection
        self.query = QueryPanel()
        self.statistics = StatisticsPanel(lambda: log_query().event_filter())
        self.query_dock = make_dock(window, "Query", "queryDock", scrolled(self.query))
        self.statistics_dock = make_dock(window, "Statistics", "statisticsDock",
                                         scrolled(self.statistics))  # fmt: skip
        self.docks = (self.query_dock, self.statistics_dock)
        self._session: Session | None = None
        self.query.position_requested.connect(self.open_position)
        self.query.account_requested.connect(self.open_account)
        self.statistics.account_requested.connect(self.open_account)

    def set_session(self, session: Session | None) -> None:
        """Another store (or none: the query console's thread ends too)."""
        self._session = session
        self.query.set_session(session)
        self.statistics.set_session(session)

    def _message(self, text: str) -> None:
        self._window.statusBar().showMessage(text, 6000)

    def open_account(self, account_id: str) -> None:
        self._selection().show_event(account_id, 0)

    def open_position(self, position: int) -> None:
        """A result's event: select its account and move the timeline to it (the log
        and the inspector follow), after loading it off the GUI thread."""
        session = self._session
        if session is None or session.store is None:
            return
        store = session.store

        def opened(event: RecordedEvent | None) -> None:
            if event is None:
                self._message(f"No event at position {position}")
            else:
                self._selection().show_event(event.aggregate_id, event.version)

        session.submit(lambda _token: load_event(store, position), on_done=opened,
                       on_error=self._message)  # fmt: skip
