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

from collections.abc import Callable, Sequence

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QAction

from esgui.ui.commands.panel import CommandPanel
from esgui.ui.common.widgets import Banner
from esgui.ui.window.session import StoreSession
from esgui.ui.window.status_bar import StatusBar

LOCKED_TIP = ("The explorer was started read-only (--read-only or ESGUI_READ_ONLY=1); "
              "start it without that to make changes")  # fmt: skip


class ReadOnlyMode(QObject):
    changed = Signal(bool)  # the mode now in force

    def __init__(
        self,
        parent: QObject,
        *,
        locked: bool,
        session: Callable[[], StoreSession | None],
        commands: CommandPanel,
        status: StatusBar,
        banner: Banner,
        toggle: QAction,
        writes: Sequence[QAction],
        cancel_writes: Callable[[], None],
        retitle: Callable[[], None],
    ) -> None:
        """`session()`: the window's session now; `toggle`: Audit ▸ Read-only mode;
        `writes`: the actions disabled in read-only mode; `cancel_writes` cancels the
        writing work under way; `retitle` updates the window title."""
        super().__init__(parent)
        self.locked = locked
        self.on = locked
        self._session = session
        self._commands = commands
        self._status = status
        self._banner = banner
        self._toggle = toggle
        self._writes = list(writes)
        self._cancel_writes = cancel_writes
        self._retitle = retitle
        toggle.toggled.connect(self.set)
        banner.action_clicked.connect(self._on_banner_action)

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
        on = self.on
        session = self._session()
        standby = False
        if session is not None and session.ready and session.store is not None:
            store = session.store
            standby = store.standby
            on = on or standby  # a hot standby is read-only whatever the toggle says
            if store.read_only != on:
                if on:
                    self._cancel_writes()
                store.read_only = on
                session.read_only = on
                if session.follower is not None:
                    session.follower.mode_changed()
            self._commands.set_read_only(on)
            self._status.show_read_only(on)
        for action in self._writes:
            action.setEnabled(not on)
        self._show_banner(session is not None, standby)
        self._retitle()
        self._sync_action()

    def _show_banner(self, has_store: bool, standby: bool = False) -> None:
        banner = self._banner
        if not (self.on or standby) or not has_store:
            banner.hide()
            return
        what = ("Browsing, replay, verify, diff, export, reports and review notes work; "
                "commands are disabled.")  # fmt: skip
        if standby:
            text = ("This server is a read-only standby; write to the primary. Browsing, "
                    "replay, verify, export and reports work; the view follows the primary's "
                    "writes as they are replayed.")  # fmt: skip
            banner.show_message(text, "warning")
        elif self.locked:
            banner.show_message(f"Read-only (started with --read-only): {what}", "warning")
        else:
            banner.show_message(f"Read-only mode: {what}", "warning",
                                (("writable", "Make writable"),))  # fmt: skip

    def _sync_action(self) -> None:
        action = self._toggle
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
