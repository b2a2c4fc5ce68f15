"""The main window's menus and shortcuts: every action the explorer has is here."""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, TypeAlias

from PySide6.QtGui import QAction, QActionGroup, QKeySequence
from PySide6.QtWidgets import QMenu

if TYPE_CHECKING:
    from esgui.ui.main_window import MainWindow

StandardKey = QKeySequence.StandardKey


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


def build_menus(w: MainWindow) -> Actions:
    bar = w.menuBar()

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
    for number, dock in enumerate(w.docks, start=1):
        toggle = dock.toggleViewAction()
        toggle.setShortcut(QKeySequence(f"Ctrl+{number}"))
        view.addAction(toggle)
    view.addSeparator()
    _action(view, "Find &account", w.focus_account_filter, StandardKey.Find)
    _action(view, "Search the &log", w.focus_log_search, "Ctrl+Shift+F")
    _action(view, "Log: &whole store / selected account", w.toggle_log_scope, "Ctrl+L")
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
    panel = w.commands
    commands = [
        _action(account, "&Open account", panel.open_account, "Ctrl+Shift+N"),
        _action(account, "&Deposit", panel.deposit, "Ctrl+D"),
        _action(account, "&Withdraw", panel.withdraw, "Ctrl+Shift+D"),
        _action(account, "&Close account", panel.close_account, "Ctrl+Shift+K"),
    ]
    account.addSeparator()
    _action(account, "Edit &amount", w.focus_amount, "Ctrl+M")

    timeline = bar.addMenu("&Timeline")
    t = w.timeline
    _action(timeline, "&Play / pause", t.toggle_play, "Ctrl+Space")
    _action(timeline, "Step &back", t.step_back, "Alt+Left")
    _action(timeline, "Step &forward", t.step_forward, "Alt+Right")
    _action(timeline, "&First version", lambda: t.slider.setValue(0), "Alt+Home")
    _action(timeline, "&Newest version", lambda: t.slider.setValue(t.slider.maximum()), "Alt+End")
    _action(timeline, "Go to &time…", w.focus_time, "Ctrl+J")
    _action(timeline, "Focus the &slider", w.focus_slider, "Ctrl+T")
    timeline.addSeparator()
    compare_from = _action(timeline, "Compare &from this version", w.audit.compare_from_here,
                           "Ctrl+Shift+B", "Mark the slider's version to compare from")  # fmt: skip
    compare_to = _action(timeline, "&Compare to this version…", w.audit.compare_to_here,
                         "Ctrl+Shift+C", "What changed between the marked version (or the "
                         "opening) and the slider's")  # fmt: skip

    projection = bar.addMenu("&Projection")
    catch_up = _action(projection, "&Catch up now", w.catch_up, "F5",
                       "Apply every new event to the account projection")  # fmt: skip
    pause = _action(projection, "&Pause catching up", w.pause_catch_up, "Shift+F5")
    rebuild = _action(projection, "&Rebuild from the log…", w.rebuild_projection, "Ctrl+Shift+R",
                      "Forget the account projection and replay the whole log into it")  # fmt: skip

    audit = bar.addMenu("A&udit")
    verify = _action(audit, "&Verify integrity…", w.audit.verify, "Ctrl+Shift+I",
                     "Check the hash chain of the whole store; bad events are marked")  # fmt: skip
    check = _action(audit, "Check &projection…", w.audit.check_projection, "Ctrl+Shift+P",
                    "Compare the account read model with the log")  # fmt: skip
    audit.addSeparator()
    export = _action(audit, "&Export current filter…", w.audit.export_current_filter, "Ctrl+E",
                     "Write the events the log's filter selects to JSON Lines or CSV")  # fmt: skip
    report = _action(audit, "Account &report…", w.audit.account_report, "Ctrl+P",
                     "A PDF report of the selected account")  # fmt: skip
    audit.addSeparator()
    add_note = _action(audit, "Add review &note…", w.audit.add_note, "Ctrl+Shift+M",
                       "Flag the selected event or account with a note")  # fmt: skip
    audit.addSeparator()
    read_only = QAction("Read-&only mode", audit)
    read_only.setCheckable(True)
    read_only.setShortcut(QKeySequence("Ctrl+Shift+Y"))
    read_only.toggled.connect(w.set_read_only)
    audit.addAction(read_only)

    help_menu = bar.addMenu("&Help")
    _action(help_menu, "&Keyboard shortcuts", w.show_shortcuts, StandardKey.HelpContents)
    _action(help_menu, "&About esgui", w.show_about)

    return Actions(new_store, open_store, connect_pg, recent, demo, quit_action, commands,
                   catch_up, pause, rebuild, themes, verify, check, export, report, add_note,
                   read_only, compare_from, compare_to)  # fmt: skip


def shortcut_table(w: MainWindow) -> list[tuple[str, str]]:
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

    for action in w.menuBar().actions():
        sub = action.menu()
        if isinstance(sub, QMenu):
            walk(sub, action.text().replace("&", ""))
    return rows
