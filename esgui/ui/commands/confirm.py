"""Asking before a command that is hard to undo (closing an account, a large
withdrawal, a command started with Enter): a window-modal question that does not
block the event loop; the chosen key comes back to a callback ("" for Cancel).

Automation names: the dialog is `confirmCommandDialog`, each choice's button
`confirm<Key>Button` (e.g. `confirmWithdrawButton`), Cancel `confirmCancelButton`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractButton, QMessageBox, QWidget

from esgui.ui.common.widgets import named

DIALOG_NAME = "confirmCommandDialog"


def ask(
    parent: QWidget,
    title: str,
    text: str,
    choices: Sequence[tuple[str, str]],
    on_choice: Callable[[str], None],
    *,
    detail: str = "",
) -> QMessageBox:
    """Ask `text`; `choices` are (key, button text), the first is the default button.
    `on_choice(key)` is called once, with "" when the question was cancelled."""
    box = named(QMessageBox(parent), DIALOG_NAME, title)
    box.setIcon(QMessageBox.Icon.Question)
    box.setWindowTitle(title)
    box.setText(text)
    if detail:
        box.setInformativeText(detail)
    box.setWindowModality(Qt.WindowModality.WindowModal)
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    keys: dict[QAbstractButton, str] = {}
    for i, (key, label) in enumerate(choices):
        button = box.addButton(label, QMessageBox.ButtonRole.AcceptRole)
        named(button, f"confirm{key[:1].upper()}{key[1:]}Button", label)
        keys[button] = key
        if i == 0:
            box.setDefaultButton(button)  # type: ignore[arg-type]
    cancel = box.addButton(QMessageBox.StandardButton.Cancel)
    named(cancel, "confirmCancelButton", "Cancel")
    box.setEscapeButton(cancel)
    answered = False

    def finished(_result: int) -> None:
        nonlocal answered
        if not answered:
            answered = True
            on_choice(keys.get(box.clickedButton(), ""))  # type: ignore[arg-type]

    box.finished.connect(finished)
    box.open()
    return box
