"""The explorer's main window: panels in docks, one open store at a time.

The window is usable before, during and after opening a store: opening runs in the
background, and a store that cannot be opened is one clear message in a banner. The
window builds the panels and hands each helper the collaborators it needs: the selection
(`Selection`), the live follower's updates (`LiveUpdates`), demo data and rebuilds
(`StoreOperations`), read-only mode (`ReadOnlyMode`), the store as of a time
(`AsOfMode`), the Audit menu's work (`AuditActions`) and the menus (`build_menus`).
Longer than 400 lines because it is the one place that wires every panel to every
helper (store switching touches them all); each behaviour lives in a helper above.
"""

from __future__ import annotations

from PySide6.QtCore import QSettings, Qt, Signal
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import QApplication, QMainWindow, QVBoxLayout, QWidget

from esgui.ui.accounts.panel import AccountsPanel
from esgui.ui.audit.actions import AuditActions
from esgui.ui.audit.notes_panel import NotesPanel
from esgui.ui.commands.panel import CommandPanel
from esgui.ui.common.theme import app_icon, apply_theme
from esgui.ui.common.widgets import Banner
from esgui.ui.inspector.panel import EventInspector
from esgui.ui.log.panel import EventLogPanel
from esgui.ui.timeline.balance_chart import BalanceChart
from esgui.ui.timeline.panel import TimelinePanel
from esgui.ui.window.as_of import AsOfMode
from esgui.ui.window.docks import DEFAULT_SIZE, MINIMUM_SIZE, Docks, arrange, make_dock
from esgui.ui.window.live import LiveUpdates
from esgui.ui.window.menus import Actions, build_menus, fill_recent_menu, shortcut_table
from esgui.ui.window.open_errors import SCHEMA_ACTIONS, SchemaActions, explain_open_failure
from esgui.ui.window.operations import StoreOperations
from esgui.ui.window.preferences import ask_confirm_threshold, show_about
from esgui.ui.window.questions import Questions
from esgui.ui.window.read_only import ReadOnlyMode
from esgui.ui.window.replication import ReplicationMonitor, title_suffix
from esgui.ui.window.selection import Selection
from esgui.ui.window.session import SessionReaper, StoreSession
from esgui.ui.window.settings import Settings
from esgui.ui.window.shortcuts_dialog import ShortcutsDialog
from esgui.ui.window.status_bar import StatusBar
from esgui.ui.window.store_dialog import ConnectDialog, StoreExists, ask_new_store, ask_open_store


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
        """`demo`: offer | auto | never, what to do with an empty store."""
        super().__init__()
        self.setObjectName("mainWindow")
        self.setWindowIcon(app_icon())
        self.settings = Settings(settings)
        self.user = user
        self.session: StoreSession | None = None
        self._pending: StoreSession | None = None  # opening; becomes `session` once open
        self._url: str | None = None
        self._failed_url = ""
        self._build()
        self._build_helpers(demo=demo, demo_url=url, read_only=read_only)
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

    def _build(self) -> None:
        self.accounts = AccountsPanel()
        self.commands = CommandPanel()
        self.log = EventLogPanel()
        self.chart = BalanceChart()
        self.timeline = TimelinePanel(self.chart)
        self.inspector = EventInspector()
        self.notes = NotesPanel()
        self.questions = Questions(self, self.log.build_query, lambda: self.selection)
        self.read_only_banner = Banner("readOnlyBanner")
        self.error_banner = Banner("errorBanner")
        self.demo_banner = Banner("demoBanner")
        self.audit_banner = Banner("auditBanner")
        self.as_of_banner = Banner("asOfBanner")
        self.protection_banner = Banner("protectionBanner")  # append-only protection missing
        central = QWidget()
        layout = QVBoxLayout(central)
        layout.setContentsMargins(4, 4, 4, 0)
        layout.setSpacing(4)
        for banner in (self.as_of_banner, self.read_only_banner, self.error_banner,
                       self.demo_banner, self.protection_banner, self.audit_banner):  # fmt: skip
            layout.addWidget(banner)
        layout.addWidget(self.log, 1)
        self.setCentralWidget(central)

        self.accounts_dock = make_dock(self, "Accounts", "accountsDock", self.accounts)
        self.commands_dock = make_dock(self, "Commands", "commandsDock", self.commands)
        self.timeline_dock = make_dock(self, "Timeline", "timelineDock", self.timeline)
        self.chart_dock = make_dock(self, "Balance", "chartDock", self.chart)
        self.inspector_dock = make_dock(self, "Event inspector", "inspectorDock", self.inspector)
        self.notes_dock = make_dock(self, "Review notes", "notesDock", self.notes)
        self.docks = Docks(self.accounts_dock, self.commands_dock, self.timeline_dock,
                           self.chart_dock, self.inspector_dock, self.notes_dock,
                           *self.questions.docks)  # fmt: skip
        arrange(self, self.docks)
        self.setMinimumSize(*MINIMUM_SIZE)

        self.status = StatusBar()
        self.setStatusBar(self.status)
        self.reaper = SessionReaper(self)  # failed or cancelled opens, still winding down
        self.timeline.history_load_started.connect(
            lambda task: self.status.track(task, task.label, delay_ms=300)
        )
        self.error_banner.action_clicked.connect(self._on_banner_action)
        self.schemas = SchemaActions(self, banner=self.error_banner, status=self.status,
                                     reopen=self.open_url)  # fmt: skip
        self.demo_banner.action_clicked.connect(self._on_banner_action)

    def _build_helpers(self, *, demo: str, demo_url: str | None, read_only: bool) -> None:
        self.selection = Selection(
            self, accounts=self.accounts, commands=self.commands, timeline=self.timeline,
            log=self.log, inspector=self.inspector, status=self.status,
        )  # fmt: skip
        self.operations = StoreOperations(self, session=lambda: self.session, status=self.status,
                                          demo_banner=self.demo_banner, demo=demo,
                                          demo_url=demo_url)  # fmt: skip
        self.live = LiveUpdates(
            self, accounts=self.accounts, commands=self.commands, timeline=self.timeline,
            log=self.log.model, notes=self.notes, status=self.status,
            first_look=self.operations.first_look,
            accounts_seen=self.operations.accounts_seen,
        )  # fmt: skip
        self.audit = AuditActions(
            self, status=self.status, banner=self.audit_banner, accounts=self.accounts,
            timeline=self.timeline, log=self.log.model, inspector=self.inspector,
            notes=self.notes, show_event=self.selection.show_event, user=self.user,
            rebuild=self.rebuild_projection, protection_banner=self.protection_banner,
        )  # fmt: skip
        self.status.integrity_clicked.connect(self.audit.show_verify)
        self.commands.describe = self.accounts.model.summary
        self.commands.confirm_withdrawals_over = self.settings.confirm_withdrawals_over
        model = self.accounts.model
        for signal in (model.modelReset, model.rowsInserted, model.dataChanged):
            signal.connect(self._on_account_rows_changed)
        self.menu_actions: Actions = build_menus(
            self.menuBar(), self, self.docks, accounts=self.accounts, commands=self.commands,
            log=self.log, timeline=self.timeline, audit=self.audit,
        )  # fmt: skip
        acts = self.menu_actions
        self.read_only_mode = ReadOnlyMode(
            self, locked=read_only, session=lambda: self.session, commands=self.commands,
            status=self.status, banner=self.read_only_banner, toggle=acts.read_only,
            writes=[*acts.commands, acts.demo, acts.new_store, acts.rebuild, acts.catch_up,
                    acts.pause],
            cancel_writes=self.operations.cancel_writes, retitle=self.update_title,
        )  # fmt: skip
        self.as_of_mode = AsOfMode(self, accounts=self.accounts, commands=self.commands,
                                   banner=self.as_of_banner, status=self.status,
                                   writes=acts.commands, restore=self.read_only_mode.apply)
        self.read_only_mode.changed.connect(self.audit.set_read_only)
        self.replication = ReplicationMonitor(
            self, session=lambda: self.session, status=self.status, opened=self.store_opened)
        self.audit.set_read_only(self.read_only_mode.on)

    def _restore_layout(self) -> None:
        geometry, state = self.settings.window_state()
        self.resize(*DEFAULT_SIZE)
        if geometry is not None:
            self.restoreGeometry(geometry)
        if state is not None:
            self.restoreState(state)

    def reset_layout(self) -> None:
        arrange(self, self.docks)
        self.resize(*DEFAULT_SIZE)

    def update_title(self) -> None:
        """The store (and read-only); the window system adds " — esgui" itself (the
        application's display name), so it is not repeated here."""
        if self.session is None:
            self.setWindowTitle("Event explorer — no store open")
            return
        suffix = title_suffix(self.session, self.read_only_now)
        self.setWindowTitle(f"{self.session.description}{suffix}")

    @property
    def opening(self) -> bool:
        """Whether a store is being opened (the current one stays until it has)."""
        return self._pending is not None

    @property
    def read_only(self) -> bool:
        """Whether the window is in read-only mode (started so, or toggled)."""
        return self.read_only_mode.on

    def set_read_only(self, on: bool) -> None:
        """Audit ▸ Read-only mode (see esgui.ui.window.read_only)."""
        self.read_only_mode.set(on)

    @property
    def read_only_now(self) -> bool:
        session = self.session
        return bool(session is not None and session.store is not None and session.store.read_only)

    # -- opening stores -------------------------------------------------------------------------

    def open_url(self, url: str, *, create: bool = True) -> None:
        """Open another store in the background. The current one stays open (and
        usable) until the new one has opened; if it cannot be opened, it stays."""
        self._drop_pending()
        session = StoreSession(url, user=self.user, read_only=self.read_only, create=create,
                               parent=self)  # fmt: skip
        self._pending = session
        self._failed_url = ""
        session.opened.connect(self._on_session_opened)
        session.failed.connect(self._on_session_failed)
        self.error_banner.hide()
        if self.session is None:
            self.status.set_store(f"Opening {session.description}…", False)
        task = session.start()
        self.status.track(task, f"Opening {session.description}")
        self.update_title()

    def _drop_pending(self) -> None:
        pending, self._pending = self._pending, None
        if pending is not None:
            self.reaper.retire(pending)  # it may still be connecting: never wait for it

    def _close_session(self) -> None:
        """Close the open store and bring every panel back to "no store"."""
        session, self.session = self.session, None
        if session is None:
            return
        self.live.stop()  # before anything else: what its follower queued is dropped
        self.accounts.clear()  # back to now, and no session for the As of control
        self.accounts.clear_filters()
        for panel in (self.log.model, self.timeline, self.questions):
            panel.set_session(None)
        self.log.reset()
        self.commands.set_session(None)
        self.commands.reset()
        self.inspector.show_event(None)
        self.selection.set_session(None)
        self.notes.set_session(None)
        self.audit.set_session(None)
        self.audit_banner.hide()
        self.demo_banner.hide()
        session.close()  # its tasks are cancelled and finish promptly
        session.deleteLater()
        self.status.set_store("No store open", False)
        self.read_only_mode.apply()

    def _on_session_opened(self) -> None:
        session = self.sender()
        if session is not self._pending or not isinstance(session, StoreSession):
            return
        if session.store is None or session.follower is None:
            return
        self._pending = None
        self._close_session()
        self.session = session
        self._url = session.url
        store = session.store
        self.settings.add_recent(session.url)
        self.status.set_store(session.description, store.read_only)
        self.error_banner.hide()
        if store.read_only != self.read_only:
            # the mode was switched while the store opened (a read-only open implies the
            # current schema, so it can be made writable in place)
            store.read_only = session.read_only = self.read_only
        self.commands.set_session(session, read_only=store.read_only)
        self.accounts.as_of.set_session(session)
        for part in (self.log.model, self.timeline, self.selection, self.audit, self.notes,
                     self.questions):  # fmt: skip
            part.set_session(session)
        self.read_only_mode.apply()
        self.update_title()
        self.live.follow(session)
        if store.upgraded_from:
            self.status.showMessage(f"Upgraded the store schema from {store.upgraded_from}", 8000)
        self.store_opened.emit()

    def _on_session_failed(self, message: str) -> None:
        session = self.sender()
        if session is not self._pending or not isinstance(session, StoreSession):
            return
        self._pending = None
        self.reaper.retire(session)  # a cancelled open may still be connecting
        self._failed_url = session.url
        current = self.session
        if current is None:
            self.status.set_store("No store open", False)
        else:
            self.status.show_read_only(self.read_only_now)
        self.update_title()
        text, actions = explain_open_failure(session.url, message)
        if current is not None:
            text += f" Still working on {current.description}."
        self.error_banner.show_message(text, "error", actions)
        self.store_failed.emit(message)

    def _on_banner_action(self, key: str) -> None:
        if key == "open":
            self.open_store_file()
        elif key == "connect":
            self.connect_postgresql()
        elif key == "retry" and (self._failed_url or self._url):
            self.open_url(self._failed_url or self._url or "")
        elif key == "connect_again":
            self.connect_postgresql(self._failed_url or None)
        elif key in SCHEMA_ACTIONS:
            self.schemas.on_action(key, self._failed_url)
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
        fill_recent_menu(
            self.menu_actions.recent, self.settings.recent(), open_url=self.open_url,
            connect=self.connect_postgresql, clear=self.settings.clear_recent,
        )  # fmt: skip

    # -- menu actions ------------------------------------------------------------------------

    def _on_account_rows_changed(self, *_args: object) -> None:
        self.commands.refresh_target()

    def ask_confirm_threshold(self) -> None:
        """Account ▸ Confirm withdrawals over…: the amount above which to ask."""
        ask_confirm_threshold(self, self.settings, self.commands, self.status)

    def load_demo_data(self) -> None:
        self.operations.load_demo_data()

    def catch_up(self) -> None:
        self.live.catch_up()

    def pause_catch_up(self) -> None:
        self.live.pause_catch_up()

    def rebuild_projection(self, confirm: bool = True) -> None:
        self.operations.rebuild_projection(confirm=confirm, integrity=self.audit.result)

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
        """Help ▸ Keyboard shortcuts (not modal: it can stay open beside the window)."""
        dialog = ShortcutsDialog(self, shortcut_table(self.menuBar()))
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.show()

    def show_about(self) -> None:
        show_about(self)

    # -- closing ------------------------------------------------------------------------------

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802
        self.timeline.stop_play()
        self.settings.save_window_state(self.saveGeometry(), self.saveState())
        self.settings.sync()
        self._drop_pending()
        self._close_session()
        self.reaper.close_all()  # waits for a connect still under way (its timeout at most)
        self.schemas.shutdown()
        super().closeEvent(event)
