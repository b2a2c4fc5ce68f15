"""The explorer's main window: panels in docks, one open store at a time.

The window is usable before, during and after opening a store: opening runs in the
background, and a store that cannot be opened is one clear message in a banner.
Panels talk to the window by signals; the window wires the selected account, the
timeline's version, the event log and the inspector together.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QSettings, Qt, QTimer, Signal
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import (
    QApplication,
    QDockWidget,
    QMainWindow,
    QMessageBox,
    QVBoxLayout,
    QWidget,
)

from esgui.projections import AccountSummary
from esgui.ui import operations
from esgui.ui.accounts.panel import AccountsPanel
from esgui.ui.audit.actions import AuditActions
from esgui.ui.audit.notes_panel import NotesPanel
from esgui.ui.commands.panel import CommandPanel
from esgui.ui.common.tasks import Task
from esgui.ui.common.theme import app_icon, apply_theme
from esgui.ui.common.widgets import Banner
from esgui.ui.dialogs import ConnectDialog, StoreExists, ask_new_store, ask_open_store
from esgui.ui.inspector.panel import EventInspector
from esgui.ui.log.panel import EventLogPanel
from esgui.ui.menus import Actions, build_menus, shortcut_table
from esgui.ui.read_only import ReadOnlyMode
from esgui.ui.selection import Selection
from esgui.ui.session import StoreSession
from esgui.ui.settings import Settings
from esgui.ui.status_bar import StatusBar
from esgui.ui.timeline.balance_chart import BalanceChart
from esgui.ui.timeline.panel import TimelinePanel

DEFAULT_SIZE = (1400, 900)


class MainWindow(QMainWindow):
    store_opened = Signal()
    store_failed = Signal(str)

    def __init__(
        self,
        url: str | None,
        *,
        user: str | None = None,
        read_only: bool = False,
        settings: QSettings | None = None,
        demo: str = "offer",
        create: bool = True,
    ) -> None:
        super().__init__()
        self.setObjectName("mainWindow")
        self.setWindowIcon(app_icon())
        self.settings = Settings(settings)
        self.user = user
        self.demo = demo  # offer | auto | never: what to do with an empty store
        self.session: StoreSession | None = None
        self._url: str | None = None
        self._last_head = -1
        self._select_when_seen = ""
        self.write_tasks: set[Task] = set()  # demo data, rebuilds: cancelled by read-only
        self._build()
        self.audit = AuditActions(
            self, status=self.status, banner=self.audit_banner, accounts=self.accounts,
            timeline=self.timeline, log=self.log.model, inspector=self.inspector,
            notes=self.notes, show_event=self.selection.show_event,
            rebuild=self.rebuild_projection, user=self.user,
        )  # fmt: skip
        self.status.integrity_clicked.connect(self.audit.show_verify)
        self.menu_actions: Actions = build_menus(self)
        self.read_only_mode = ReadOnlyMode(self, locked=read_only)
        self.read_only_mode.changed.connect(self.audit.set_read_only)
        self.audit.set_read_only(self.read_only_mode.on)
        self.theme = apply_theme(QApplication.instance(), self.settings.theme)  # type: ignore[arg-type]
        self.chart.set_dark(self.theme == "dark")
        self.timeline.refresh_icons()
        self.menu_actions.themes[self.theme].setChecked(True)
        self._restore_layout()
        self.read_only_mode.apply()
        self.update_title()
        if url:
            self.open_url(url, create=create)

    # -- building ------------------------------------------------------------------------------

    def _dock(self, title: str, name: str, widget: QWidget) -> QDockWidget:
        dock = QDockWidget(title, self)
        dock.setObjectName(name)
        dock.setWidget(widget)
        dock.setFeatures(QDockWidget.DockWidgetFeature.DockWidgetMovable
                         | QDockWidget.DockWidgetFeature.DockWidgetFloatable
                         | QDockWidget.DockWidgetFeature.DockWidgetClosable)  # fmt: skip
        return dock

    def _build(self) -> None:
        self.accounts = AccountsPanel()
        self.commands = CommandPanel()
        self.log = EventLogPanel()
        self.chart = BalanceChart()
        self.timeline = TimelinePanel(self.chart)
        self.inspector = EventInspector()
        self.notes = NotesPanel()
        self.read_only_banner = Banner("readOnlyBanner")
        self.error_banner = Banner("errorBanner")
        self.demo_banner = Banner("demoBanner")
        self.audit_banner = Banner("auditBanner")
        central = QWidget()
        layout = QVBoxLayout(central)
        layout.setContentsMargins(4, 4, 4, 0)
        layout.setSpacing(4)
        for banner in (self.read_only_banner, self.error_banner, self.demo_banner,
                       self.audit_banner):  # fmt: skip
            layout.addWidget(banner)
        layout.addWidget(self.log, 1)
        self.setCentralWidget(central)

        self.accounts_dock = self._dock("Accounts", "accountsDock", self.accounts)
        self.commands_dock = self._dock("Commands", "commandsDock", self.commands)
        self.timeline_dock = self._dock("Timeline", "timelineDock", self.timeline)
        self.chart_dock = self._dock("Balance", "chartDock", self.chart)
        self.inspector_dock = self._dock("Event inspector", "inspectorDock", self.inspector)
        self.notes_dock = self._dock("Review notes", "notesDock", self.notes)
        self.docks = [self.accounts_dock, self.commands_dock, self.timeline_dock,
                      self.chart_dock, self.inspector_dock, self.notes_dock]  # fmt: skip
        self._default_layout()

        self.status = StatusBar()
        self.setStatusBar(self.status)
        self.selection = Selection(self)
        self._retired: list[StoreSession] = []  # failed or cancelled opens, still winding down
        self._reaper = QTimer(self)
        self._reaper.setInterval(300)
        self._reaper.timeout.connect(self._reap)

        self.commands.command_succeeded.connect(self._on_command_succeeded)
        self.timeline.history_load_started.connect(
            lambda task: self.status.track(task, task.label, delay_ms=300)
        )
        self.error_banner.action_clicked.connect(self._on_banner_action)
        self.demo_banner.action_clicked.connect(self._on_banner_action)
        self.status.catch_up_cancel_requested.connect(self.pause_catch_up)

    def _default_layout(self) -> None:
        for dock in self.docks:
            dock.setFloating(False)
            dock.show()
        self.setCorner(Qt.Corner.BottomLeftCorner, Qt.DockWidgetArea.LeftDockWidgetArea)
        self.setCorner(Qt.Corner.TopLeftCorner, Qt.DockWidgetArea.LeftDockWidgetArea)
        self.addDockWidget(Qt.DockWidgetArea.LeftDockWidgetArea, self.accounts_dock)
        self.splitDockWidget(self.accounts_dock, self.commands_dock, Qt.Orientation.Vertical)
        self.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, self.timeline_dock)
        self.splitDockWidget(self.timeline_dock, self.chart_dock, Qt.Orientation.Vertical)
        self.splitDockWidget(self.chart_dock, self.inspector_dock, Qt.Orientation.Horizontal)
        self.tabifyDockWidget(self.inspector_dock, self.notes_dock)
        self.inspector_dock.raise_()
        self.resizeDocks([self.accounts_dock], [590], Qt.Orientation.Horizontal)
        self.resizeDocks([self.accounts_dock, self.commands_dock], [620, 200],
                         Qt.Orientation.Vertical)  # fmt: skip
        self.resizeDocks([self.chart_dock, self.inspector_dock], [400, 420],
                         Qt.Orientation.Horizontal)  # fmt: skip
        self.resizeDocks([self.timeline_dock, self.chart_dock], [120, 370],
                         Qt.Orientation.Vertical)  # fmt: skip

    def _restore_layout(self) -> None:
        geometry, state = self.settings.window_state()
        self.resize(*DEFAULT_SIZE)
        if geometry is not None:
            self.restoreGeometry(geometry)
        if state is not None:
            self.restoreState(state)

    def reset_layout(self) -> None:
        self._default_layout()
        self.resize(*DEFAULT_SIZE)

    def update_title(self) -> None:
        if self.session is None:
            self.setWindowTitle("esgui — event explorer")
            return
        suffix = " (read-only)" if self.read_only_now else ""
        self.setWindowTitle(f"esgui — {self.session.description}{suffix}")

    @property
    def read_only(self) -> bool:
        """Whether the window is in read-only mode (started so, or toggled)."""
        return self.read_only_mode.on

    def set_read_only(self, on: bool) -> None:
        """Audit ▸ Read-only mode (see esgui.ui.read_only)."""
        self.read_only_mode.set(on)

    @property
    def read_only_now(self) -> bool:
        session = self.session
        return bool(session is not None and session.store is not None and session.store.read_only)

    # -- opening stores -------------------------------------------------------------------------

    def open_url(self, url: str, *, create: bool = True) -> None:
        """Open another store in the background (the current one is closed first)."""
        self._close_session()
        self._url = url
        session = StoreSession(url, user=self.user, read_only=self.read_only, create=create,
                               parent=self)  # fmt: skip
        self.session = session
        session.opened.connect(self._on_session_opened)
        session.failed.connect(self._on_session_failed)
        self.error_banner.hide()
        self.demo_banner.hide()
        self.status.set_store(f"Opening {session.description}…", False)
        task = session.start()
        self.status.track(task, f"Opening {session.description}")
        self.update_title()

    def _close_session(self) -> None:
        session, self.session = self.session, None
        if session is None:
            return
        self.accounts.clear()
        for panel in (self.log.model, self.timeline):
            panel.set_session(None)
        self.commands.set_session(None)
        self.inspector.show_event(None)
        self.selection.set_session(None)
        self.notes.set_session(None)
        self.audit.set_session(None)
        if session.ready:
            session.close()  # its tasks are cancelled and finish promptly
            session.deleteLater()
        else:
            self._retire(session)  # still opening: do not wait for a hanging connect
        self._last_head = -1
        self.status.set_store("No store open", False)
        self.read_only_mode.apply()

    def _on_session_opened(self) -> None:
        session = self.session
        if session is None or session.store is None or session.follower is None:
            return
        store = session.store
        if self._url:
            self.settings.add_recent(self._url)
        self.status.set_store(store.description, store.read_only)
        self.update_title()
        if store.read_only != self.read_only:
            # the mode was switched while the store opened (a read-only open implies the
            # current schema, so it can be made writable in place)
            store.read_only = session.read_only = self.read_only
        self.commands.set_session(session, read_only=store.read_only)
        self.log.model.set_session(session)
        self.timeline.set_session(session)
        self.selection.set_session(session)
        self.audit.set_session(session)
        self.notes.set_session(session)
        self.read_only_mode.apply()
        follower = session.follower
        follower.accounts_loaded.connect(self._on_accounts_loaded)
        follower.accounts_changed.connect(self._on_accounts_changed)
        follower.head_moved.connect(self._on_head_moved)
        follower.state_changed.connect(self.status.set_live_state)
        follower.catch_up_progressed.connect(self.status.show_catch_up)
        follower.catch_up_ended.connect(self.status.end_catch_up)
        follower.start()
        if store.upgraded_from:
            self.status.showMessage(f"Upgraded the store schema from {store.upgraded_from}", 8000)
        self.store_opened.emit()

    def _on_session_failed(self, message: str) -> None:
        session, self.session = self.session, None
        if session is not None:
            self._retire(session)  # a cancelled open may still be connecting
        self.status.set_store("No store open", False)
        self.update_title()
        self.error_banner.show_message(
            f"Could not open the store. {message}", "error",
            (("open", "Open store…"), ("connect", "Connect to PostgreSQL…"), ("retry", "Retry")),
        )  # fmt: skip
        self.store_failed.emit(message)

    def _retire(self, session: StoreSession) -> None:
        session.retire()
        self._retired.append(session)
        self._reaper.start()

    def _reap(self) -> None:
        """Close retired sessions whose work has finished."""
        for session in list(self._retired):
            if session.runner.idle():
                self._retired.remove(session)
                session.close()
                session.deleteLater()
        if not self._retired:
            self._reaper.stop()

    def _on_banner_action(self, key: str) -> None:
        if key == "open":
            self.open_store_file()
        elif key == "connect":
            self.connect_postgresql()
        elif key == "retry" and self._url:
            self.open_url(self._url)
        elif key == "demo":
            self.load_demo_data()
        elif key == "dismiss":
            self.demo_banner.hide()

    def new_store(self) -> None:
        try:
            url = ask_new_store(self)
        except StoreExists as exists:
            self.error_banner.show_message(str(exists), "info", (("open", "Open store…"),))
            return
        if url:
            self.open_url(url, create=True)

    def open_store_file(self) -> None:
        url = ask_open_store(self)
        if url:
            self.open_url(url, create=False)

    def connect_postgresql(self, url: str | None = None) -> None:
        dialog = ConnectDialog(self, url)
        if dialog.exec() == ConnectDialog.DialogCode.Accepted:
            self.open_url(dialog.url())

    def fill_recent_menu(self) -> None:
        menu = self.menu_actions.recent
        menu.clear()
        items = self.settings.recent()
        for item in items:
            action = menu.addAction(item.label + ("  (asks for the password)"
                                                  if item.needs_password else ""))  # fmt: skip
            if item.needs_password:
                action.triggered.connect(lambda _c=False, u=item.url: self.connect_postgresql(u))
            else:
                action.triggered.connect(lambda _c=False, u=item.url: self.open_url(u))
        if not items:
            menu.addAction("No recent stores").setEnabled(False)
        else:
            menu.addSeparator()
            menu.addAction("Clear the list", self.settings.clear_recent)

    # -- live updates -------------------------------------------------------------------------

    def _on_accounts_loaded(self, rows: list[AccountSummary]) -> None:
        self.accounts.load(rows)
        self._after_rows(rows)

    def _on_accounts_changed(self, rows: list[AccountSummary]) -> None:
        self.accounts.apply_changes(rows)
        self._after_rows(rows)

    def _after_rows(self, rows: list[AccountSummary]) -> None:
        selected = self.timeline.account_id
        for row in rows:
            if row.account_id == selected:
                self.timeline.account_grew(row.version)
        wanted = self._select_when_seen
        if wanted and any(row.account_id == wanted for row in rows):
            self._select_when_seen = ""
            self.accounts.select(wanted)

    def _on_head_moved(self, head: int, checkpoint: int) -> None:
        self.status.set_head(head, checkpoint, self.read_only_now)
        self.notes.poll()
        first = self._last_head < 0
        if head != self._last_head and not first:
            self.log.model.refresh_newer()
        self._last_head = head
        if first and head == 0 and not self.read_only_now:
            operations.offer_demo(self)

    # -- commands --------------------------------------------------------------------------

    def _on_command_succeeded(self, account_id: str) -> None:
        if self.session is not None and self.session.follower is not None:
            self.session.follower.poke()
        if account_id != self.accounts.selected_id() and not self.accounts.select(account_id):
            self._select_when_seen = account_id

    # -- menu actions ------------------------------------------------------------------------

    def load_demo_data(self) -> None:
        operations.load_demo_data(self)

    def catch_up(self) -> None:
        if self.session is not None and self.session.follower is not None:
            self.session.follower.resume_catch_up()

    def pause_catch_up(self) -> None:
        if self.session is not None and self.session.follower is not None:
            self.session.follower.pause_catch_up()

    def rebuild_projection(self, confirm: bool = True) -> None:
        operations.rebuild_projection(self, confirm=confirm)

    def focus_account_filter(self) -> None:
        self.accounts_dock.show()
        self.accounts.filter_edit.setFocus()
        self.accounts.filter_edit.selectAll()

    def focus_log_search(self) -> None:
        self.log.text_filter.setFocus()
        self.log.text_filter.selectAll()

    def toggle_log_scope(self) -> None:
        self.log.scope.setCurrentIndex(1 - self.log.scope.currentIndex())

    def focus_amount(self) -> None:
        self.commands_dock.show()
        self.commands.amount_edit.setFocus()
        self.commands.amount_edit.selectAll()

    def focus_time(self) -> None:
        self.timeline_dock.show()
        self.timeline.time_edit.setFocus()

    def focus_slider(self) -> None:
        self.timeline_dock.show()
        self.timeline.slider.setFocus()

    def set_theme(self, name: str) -> None:
        self.theme = apply_theme(QApplication.instance(), name)  # type: ignore[arg-type]
        self.settings.theme = self.theme
        self.chart.set_dark(self.theme == "dark")
        self.timeline.refresh_icons()
        self.inspector.refresh_annotations()
        self.menu_actions.themes[self.theme].setChecked(True)

    def toggle_theme(self) -> None:
        self.set_theme("light" if self.theme == "dark" else "dark")

    def show_shortcuts(self) -> None:
        rows = "".join(f"<tr><td>{path}</td><td><b>{keys}</b></td></tr>"
                       for path, keys in shortcut_table(self))  # fmt: skip
        QMessageBox.information(self, "Keyboard shortcuts", f"<table>{rows}</table>")

    def show_about(self) -> None:
        import esgui

        QMessageBox.about(self, "About esgui",
                          f"<b>esgui {esgui.__version__}</b><br>An event explorer for "
                          "event-sourced bank accounts.")  # fmt: skip

    # -- closing ------------------------------------------------------------------------------

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802
        self.timeline.stop_play()
        self.settings.save_window_state(self.saveGeometry(), self.saveState())
        self.settings.sync()
        self._close_session()
        self._reaper.stop()
        for session in self._retired:
            session.close()  # waits for a connect still under way (its timeout at most)
        self._retired.clear()
        super().closeEvent(event)


def create_main_window(url: str | None = None, **options: Any) -> MainWindow:
    """The main window over the store at `url`, not yet shown (CONTRACTS §4).

    Options: `user`, `read_only`, `settings` (a QSettings), `demo` ("offer", "auto"
    or "never": what to do with an empty store), `create`."""
    from esgui.ui.app import ensure_app

    ensure_app()
    return MainWindow(url, **options)
