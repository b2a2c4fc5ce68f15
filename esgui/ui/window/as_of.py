"""The window while the Accounts panel shows the store as of a time: a banner across the
window says so ("Showing the store as of … — commands are disabled", with Back to
now), the command panel and the command actions are disabled, and one click (the
banner's button, the panel's, or the toggle) brings everything back to now."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from PySide6.QtCore import QObject
from PySide6.QtGui import QAction

from esgui.app.as_of import TrialBalance
from esgui.ui.accounts.panel import AccountsPanel
from esgui.ui.commands.panel import CommandPanel
from esgui.ui.common.formatting import local_time, money, plural
from esgui.ui.common.widgets import Banner
from esgui.ui.window.status_bar import StatusBar


def banner_text(balance: TrialBalance) -> str:
    return (f"Showing the store as of {local_time(balance.at)} — commands are disabled. "
            f"{plural(balance.count, 'account')} then ({balance.open_count:,} open, "
            f"{balance.closed_count:,} closed), total balance {money(balance.total)}.")  # fmt: skip


class AsOfMode(QObject):
    def __init__(
        self,
        parent: QObject,
        *,
        accounts: AccountsPanel,
        commands: CommandPanel,
        banner: Banner,
        status: StatusBar,
        writes: Sequence[QAction],
        restore: Callable[[], None],
    ) -> None:
        """`writes`: the command actions disabled meanwhile; `restore()` puts them (and
        the rest of the read-only state) back as the window's mode says."""
        super().__init__(parent)
        self._accounts = accounts
        self._commands = commands
        self._banner = banner
        self._status = status
        self._writes = list(writes)
        self._restore = restore
        accounts.as_of_changed.connect(self._on_changed)
        accounts.as_of.failed.connect(lambda message: status.showMessage(message, 8000))
        accounts.as_of.busy.connect(lambda message: status.showMessage(message, 4000))
        banner.action_clicked.connect(self._on_banner_action)

    @property
    def on(self) -> bool:
        return self._accounts.as_of_balance is not None

    def _on_changed(self, balance: TrialBalance | None) -> None:
        if balance is None:
            self._banner.hide()
            self._commands.set_as_of(None)
            self._restore()
            self._status.showMessage("Back to now: the live accounts", 4000)
            return
        text = banner_text(balance)
        self._banner.show_message(text, "warning", (("now", "Back to now"),))
        self._commands.set_as_of(f"Showing the store as of {local_time(balance.at)}: "
                                 "commands are disabled.")  # fmt: skip
        for action in self._writes:
            action.setEnabled(False)
        self._status.clearMessage()

    def _on_banner_action(self, key: str) -> None:
        if key == "now":
            self._accounts.as_of.back_to_now()
