"""Small questions the window asks: the withdrawal amount above which commands ask
first (Account ▸ Confirm withdrawals over…, kept in the settings), and About."""

from __future__ import annotations

from PySide6.QtWidgets import QInputDialog, QMessageBox, QWidget

from esgui.domain.money import parse_amount
from esgui.errors import InvalidInput
from esgui.ui.commands.panel import CommandPanel
from esgui.ui.common.formatting import money
from esgui.ui.window.settings import Settings
from esgui.ui.window.status_bar import StatusBar


def ask_confirm_threshold(
    parent: QWidget, settings: Settings, commands: CommandPanel, status: StatusBar
) -> None:
    current = settings.confirm_withdrawals_over
    text, ok = QInputDialog.getText(
        parent, "Confirm withdrawals over",
        "Withdrawals above this amount ask for a confirmation first\n"
        "(0.01 asks for every withdrawal):", text=f"{current:.2f}",
    )  # fmt: skip
    if not ok:
        return
    try:
        amount = parse_amount(text.strip())
    except InvalidInput as error:
        status.showMessage(f"Not changed: {error.message}", 8000)
        return
    settings.confirm_withdrawals_over = amount
    commands.confirm_withdrawals_over = amount
    status.showMessage(f"Withdrawals over {money(amount)} now ask first", 6000)


def show_about(parent: QWidget) -> None:
    from esgui._version import __version__

    QMessageBox.about(parent, "About esgui",
                      f"<b>esgui {__version__}</b><br>An event explorer for "
                      "event-sourced bank accounts.")  # fmt: skip
