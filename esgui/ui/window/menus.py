"""The main window's menus and shortcuts: every action the explorer has is here.

The actions of a feature go straight to it (the command panel, the timeline, the audit
actions); what belongs to the window as a whole (stores, theme, layout, projection,
help) to a `MenuTarget`, which the main window is.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol, TypeAlias

from PySide6.QtGui import QAction, QActionGroup, QKeySequence
from PySide6.QtWidgets import QDockWidget, QMainWindow, QMenu, QMenuBar

from esgui.app.store_names import readable
from esgui.ui.accounts.panel import AccountsPanel
from esgui.ui.audit.actions import AuditActions
from esgui.ui.commands.panel import CommandPanel
from esgui.ui.log.panel import EventLogPanel
from esgui.ui.timeline.panel import TimelinePanel
from esgui.ui.window.docks import Docks
from esgui.ui.window.settings import RecentStore

StandardKey = QKeySequence.StandardKey


class MenuTarget(Protocol):
    """What the menus ask of the window itself."""

    def new_store(self) -> None: ...
    def open_store_file(self) -> None: ...
    def connect_postgresql(self, url: str | None = None) -> None: ...
    def fill_recent_menu(self) -> None: ...
    def load_demo_data(self) -> None: ...
    def ask_confirm_threshold(self) -> None: ...
    def close(self) -> bool: ...
    def set_theme(self, name: str) -> None: ...
    def toggle_theme(self) -> None: ...
    def reset_layout(self) -> None: ...
    def catch_up(self) -> None: ...
    def pause_catch_up(self) -> None: ...
    def rebuild_projection(self, confirm: bool = True) -> None: ...
    def show_shortcuts(self) -> None: ...
    def show_about(self) -> None: ...


@dataclass
class Actions:
    new_store: QAction
    open_store: QAction
    connect_pg: QAction
    recent: QMenu
    demo: QAction
    quit: QAction
    commands: list[QAction]
    catch_up: QAction
    pause: QAction
    rebuild: QAction
    themes: dict[str, QAction]
    verify: QAction
    check_projection: QAction
    export: QAction
    report: QAction
    add_note: QAction
    read_only: QAction
    compare_from: QAction
    compare_to: QAction


Shortcut: TypeAlias = str | QKeySequence.StandardKey | None


def _action(
    menu: QMenu, text: str, slot: Callable[[], object], shortcut: Shortcut = None, tip: str = ""
) -> QAction:
    action = QAction(text, menu)
    if shortcut is not None:
        action.setShortcut(QKeySequence(shortcut))
    if tip:
        action.setStatusTip(tip)
        action.setToolTip(tip)
    action.triggered.connect(lambda _checked=False: slot())
    menu.addAction(action)
    return action


def _focusing(dock: QDockWidget, focus: Callable[[], object]) -> Callable[[], None]:
    """Show `dock`, then focus what `focus` focuses in it."""

    def run() -> None:
        dock.show()
        focus()

    return run


def _behind_another_tab(dock: QDockWidget) -> bool:
    window = dock.parentWidget()
    tabbed = isinstance(window, QMainWindow) and bool(window.tabifiedDockWidgets(dock))
    return tabbed and not dock.isFloating() and dock.visibleRegion().isEmpty()


def dock_action(menu: QMenu, dock: QDockWidget, shortcut: str) -> QAction:
    """View ▸ <dock>: shows a hidden dock, raises one that is a background tab (so
    Ctrl+6 brings Review notes to the front rather than hiding it), hides one in view."""
    action = QAction(dock.windowTitle(), menu)
    action.setObjectName(f"{dock.objectName()}Action")
    action.setCheckable(True)
    action.setChecked(not dock.isHidden())
    action.setShortcut(QKeySequence(shortcut))
    action.setToolTip(f"Show, bring to the front or hide {dock.windowTitle()}")

    def triggered(_checked: bool = False) -> None:
        if dock.isHidden():
            dock.show()
            dock.raise_()
        elif _behind_another_tab(dock):
            dock.raise_()
        else:
            dock.hide()
        action.setChecked(not dock.isHidden())

    action.triggered.connect(triggered)
    dock.visibilityChanged.connect(lambda _visible: action.setChecked(not dock.isHidden()))
    return action


def build_menus(
    bar: QMenuBar,
    w: MenuTarget,
    docks: Docks,
    *,
    accounts: AccountsPanel,
    commands: CommandPanel,
    log: EventLogPanel,
    timeline: TimelinePanel,
    audit: AuditActions,
) -> Actions:
    file = bar.addMenu("&File")
    new_store = _action(file, "&New store…", w.new_store, StandardKey.New,
                        "Create an empty store file and open it")  # fmt: skip
    open_store = _action(file, "&Open store…", w.open_store_file, StandardKey.Open,
                         "Open a store file")  # fmt: skip
    connect_pg = _action(file, "&Connect to PostgreSQL…", w.connect_postgresql, "Ctrl+Shift+O",
                         "Open a store on a PostgreSQL server")  # fmt: skip
    recent = file.addMenu("&Recent stores")
    recent.setObjectName("recentMenu")
    recent.aboutToShow.connect(w.fill_recent_menu)
    file.addSeparator()
    demo = _action(file, "Load &demo data", w.load_demo_data, "Ctrl+Shift+L",
                   "Add 20 demo accounts with 5,000 events of history")  # fmt: skip
    file.addSeparator()
    quit_action = _action(file, "&Quit", w.close, StandardKey.Quit)

    view = bar.addMenu("&View")
    for number, dock in enumerate(docks.all(), start=1):
        view.addAction(dock_action(view, dock, f"Ctrl+{number}"))
    view.addSeparator()
    _action(view, "Find &account", _focusing(docks.accounts, accounts.focus_filter),
            StandardKey.Find)  # fmt: skip
    _action(view, "Search the &log", log.focus_search, "Ctrl+Shift+F")
    _action(view, "Log: &whole store / selected account", log.toggle_scope, "Ctrl+L")
    view.addSeparator()
    theme_menu = view.addMenu("&Theme")
    group = QActionGroup(theme_menu)
    themes: dict[str, QAction] = {}
    for name, title in (("light", "&Light"), ("dark", "&Dark")):
        action = _action(theme_menu, title, functools.partial(w.set_theme, name))
        action.setCheckable(True)
        group.addAction(action)
        themes[name] = action
    _action(view, "Toggle light/dark", w.toggle_theme, "Ctrl+Shift+T")
    _action(view, "&Reset layout", w.reset_layout)

    account = bar.addMenu("&Account")
    command_actions = [
        _action(
            account,
            "&Open account…",
            _focusing(docks.commands, commands.focus_open_form),
            "Ctrl+Shift+N",
            "A blank form for a new account (Open then opens it)",
        ),
        _action(account, "&Deposit", commands.deposit, "Ctrl+D"),
        _action(account, "&Withdraw", commands.withdraw, "Ctrl+Shift+D"),
        _action(account, "&Transfer", commands.transfer, "Ctrl+Shift+X",
                "Move the amount to the To account, both legs at once"),  # fmt: skip
        _action(account, "&Close account", commands.close_account, "Ctrl+Shift+K"),
    ]
    account.addSeparator()
    _action(account, "Edit &amount", _focusing(docks.commands, commands.focus_amount), "Ctrl+M")
    _action(
        account,
        "Confirm &withdrawals over…",
        w.ask_confirm_threshold,
        None,
        "Withdrawals above this amount ask for a confirmation",
    )

    menu = bar.addMenu("&Timeline")
    t = timeline
    _action(menu, "&Play / pause", t.toggle_play, "Ctrl+Space")
    _action(menu, "Step &back", t.playback.step_back, "Alt+Left",
            "Back by the versions per step chosen beside the slider")  # fmt: skip
    _action(menu, "Step &forward", t.playback.step_forward, "Alt+Right",
            "Forward by the versions per step chosen beside the slider")  # fmt: skip
    _action(menu, "&First version", t.playback.to_first, "Alt+Home")
    _action(menu, "&Newest version", t.playback.to_newest, "Alt+End")
    _action(menu, "Go to &time…", _focusing(docks.timeline, t.focus_time), "Ctrl+J")
    _action(menu, "Focus the &slider", _focusing(docks.timeline, t.focus_slider), "Ctrl+T")
    menu.addSeparator()
    compare_from = _action(menu, "Compare &from this version", audit.compare_from_here,
                           "Ctrl+Shift+B", "Mark the slider's version to compare from")  # fmt: skip
    compare_to = _action(menu, "&Compare to this version…", audit.compare_to_here,
                         "Ctrl+Shift+C", "What changed between the marked version (or the "
                         "opening) and the slider's")  # fmt: skip

    projection = bar.addMenu("&Projection")
    catch_up = _action(projection, "&Catch up now", w.catch_up, "F5",
                       "Apply every new event to the account projection")  # fmt: skip
    pause = _action(projection, "&Pause catching up", w.pause_catch_up, "Shift+F5")
    rebuild = _action(projection, "&Rebuild from the log…", w.rebuild_projection, "Ctrl+Shift+R",
                      "Forget the account projection and replay the whole log into it")  # fmt: skip

    menu = bar.addMenu("A&udit")
    verify = _action(menu, "&Verify integrity…", audit.verify, "Ctrl+Shift+I",
                     "Check the hash chain of the whole store; bad events are marked")  # fmt: skip
    check = _action(menu, "Check &projection…", audit.check_projection, "Ctrl+Shift+P",
                    "Compare the account read model with the log")  # fmt: skip
    menu.addSeparator()
    export = _action(menu, "&Export current filter…", audit.export_current_filter, "Ctrl+E",
                     "Write the events the log's filter selects to JSON Lines or CSV")  # fmt: skip
    report = _action(menu, "Account &report…", audit.account_report, "Ctrl+P",
                     "A PDF report of the selected account")  # fmt: skip
    _action(menu, "&Balances as of… (statement)", audit.balances_statement, None,
            "Every account's balance at a time, as PDF or CSV, with the head hash and "
            "the verification verdict")  # fmt: skip
    menu.addSeparator()
    add_note = _action(menu, "Add review &note…", audit.add_note, "Ctrl+Shift+M",
                       "Flag the selected event or account with a note")  # fmt: skip
    menu.addSeparator()
    read_only = QAction("Read-&only mode", menu)  # ReadOnlyMode follows its toggles
    read_only.setCheckable(True)
    read_only.setShortcut(QKeySequence("Ctrl+Shift+Y"))
    menu.addAction(read_only)

    help_menu = bar.addMenu("&Help")
    _action(help_menu, "&Keyboard shortcuts", w.show_shortcuts, StandardKey.HelpContents)
    _action(help_menu, "&About esgui", w.show_about)

    return Actions(new_store, open_store, connect_pg, recent, demo, quit_action, command_actions,
                   catch_up, pause, rebuild, themes, verify, check, export, report, add_note,
                   read_only, compare_from, compare_to)  # fmt: skip


def fill_recent_menu(
    menu: QMenu,
    items: list[RecentStore],
    *,
    open_url: Callable[[str], object],
    connect: Callable[[str], object],
    clear: Callable[[], object],
) -> None:
    """File ▸ Recent stores, as it is about to show: a store that needs a password
    opens the Connect dialog (`connect`), any other opens at once (`open_url`)."""
    menu.clear()
    for item in items:
        action = menu.addAction(readable(item.label) + ("  (asks for the password)"
                                              if item.needs_password else ""))  # fmt: skip
        if item.needs_password:
            action.triggered.connect(lambda _c=False, u=item.url: connect(u))
        else:
            action.triggered.connect(lambda _c=False, u=item.url: open_url(u))
    if not items:
        menu.addAction("No recent stores").setEnabled(False)
    else:
        menu.addSeparator()
        menu.addAction("Clear the list", clear)


def shortcut_table(bar: QMenuBar) -> list[tuple[str, str]]:
    """(menu path, shortcut) of every action with a shortcut, for Help ▸ Keyboard shortcuts."""
    rows: list[tuple[str, str]] = []

    def walk(menu: QMenu, path: str) -> None:
        for action in menu.actions():
            sub = action.menu()
            if isinstance(sub, QMenu):
                walk(sub, f"{path} ▸ {action.text().replace('&', '')}")
            elif not action.isSeparator() and not action.shortcut().isEmpty():
                keys = action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
                rows.append((f"{path} ▸ {action.text().replace('&', '')}", keys))

    for action in bar.actions():
        sub = action.menu()
        if isinstance(sub, QMenu):
            walk(sub, action.text().replace("&", ""))
    return rows
