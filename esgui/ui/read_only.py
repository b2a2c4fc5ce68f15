"""The window's read-only mode: every command refused, everything else working.

Two ways in:

- **Locked** (`--read-only`, `ESGUI_READ_ONLY=1`, `create_main_window(read_only=True)`):
  every store this window opens is opened read-only (nothing created or upgraded), and
  the Audit ▸ Read-only mode toggle stays on and disabled — the person who started the
  app decided.
- **Toggled** (Audit ▸ Read-only mode): switches the open store in place, at once. The
  store object itself refuses writes from then on (`EventStore.read_only`: commands
  raise NotPermitted before they append), so the disabled buttons are not the only
  guard. Stores opened while the toggle is on are opened read-only too. Turning it off
  makes the store writable again in place (a store opened read-only is always at the
  current schema, so nothing needs upgrading).

In read-only mode the commands, demo data, New store and the projection actions are
disabled and a banner says so; browsing, replay, verify, diff, projection check,
export, reports and review notes keep working. A command already under way when the
toggle is switched on finishes; demo data and rebuilds under way are cancelled.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal

if TYPE_CHECKING:
    from esgui.ui.main_window import MainWindow

LOCKED_TIP = ("The explorer was started read-only (--read-only or ESGUI_READ_ONLY=1); "
              "start it without that to make changes")  # fmt: skip


class ReadOnlyMode(QObject):
    changed = Signal(bool)  # the mode now in force

    def __init__(self, window: MainWindow, *, locked: bool) -> None:
        super().__init__(window)
        self.w = window
        self.locked = locked
        self.on = locked
        window.read_only_banner.action_clicked.connect(self._on_banner_action)

    def set(self, on: bool) -> None:
        """Switch the window (and its open store) to read-only or writable."""
        on = on or self.locked
        if on != self.on:
            self.on = on
            self.apply()
            self.changed.emit(on)
        self._sync_action()

    def toggle(self) -> None:
        self.set(not self.on)

    def apply(self) -> None:
        """Bring the open store, the panels, the actions and the banner to the mode."""
        w, on = self.w, self.on
        session = w.session
        if session is not None and session.ready and session.store is not None:
            store = session.store
            if store.read_only != on:
                if on:
                    for task in list(w.write_tasks):
                        task.cancel()
                store.read_only = on
                session.read_only = on
                if session.follower is not None:
                    session.follower.mode_changed()
            w.commands.set_read_only(on)
            w.status.show_read_only(on)
        acts = w.menu_actions
        for action in [*acts.commands, acts.demo, acts.new_store, acts.rebuild, acts.catch_up,
                       acts.pause]:  # fmt: skip
            action.setEnabled(not on)
        self._show_banner(session is not None)
        w.update_title()
        self._sync_action()

    def _show_banner(self, has_store: bool) -> None:
        banner = self.w.read_only_banner
        if not self.on or not has_store:
            banner.hide()
            return
        what = ("Browsing, replay, verify, diff, export, reports and review notes work; "
                "commands are disabled.")  # fmt: skip
        if self.locked:
            banner.show_message(f"Read-only (started with --read-only): {what}", "warning")
        else:
            banner.show_message(f"Read-only mode: {what}", "warning",
                                (("writable", "Make writable"),))  # fmt: skip

    def _sync_action(self) -> None:
        action = self.w.menu_actions.read_only
        action.blockSignals(True)
        action.setChecked(self.on)
        action.blockSignals(False)
        action.setEnabled(not self.locked)
        action.setToolTip(LOCKED_TIP if self.locked else
                          "Refuse every command; browsing and auditing keep working")  # fmt: skip
        action.setStatusTip(action.toolTip())

    def _on_banner_action(self, key: str) -> None:
        if key == "writable":
            self.set(False)
