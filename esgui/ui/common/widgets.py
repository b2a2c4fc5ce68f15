"""Small widgets shared by the panels: naming for automation, banners, progress."""

from __future__ import annotations

from typing import TypeVar

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QSizePolicy,
    QToolButton,
    QWidget,
)

W = TypeVar("W", bound=QWidget)


def named(widget: W, object_name: str, description: str = "") -> W:
    """Give a widget its automation name, the same accessible name (CONTRACTS §4:
    automation through the accessibility tree finds it by that name), and a
    description in words for screen readers."""
    widget.setObjectName(object_name)
    widget.setAccessibleName(object_name)
    if description:
        widget.setAccessibleDescription(description)
    return widget


def restyle(widget: QWidget) -> None:
    """Re-apply the style sheet after a dynamic property changed."""
    style = widget.style()
    style.unpolish(widget)
    style.polish(widget)
    widget.update()


def set_state(widget: QWidget, name: str, value: str) -> None:
    """Set a dynamic property the style sheet keys on (e.g. outcome="refused")."""
    if widget.property(name) != value:
        widget.setProperty(name, value)
        restyle(widget)


class ElidedLabel(QLabel):
    """One line that never widens its window: text too long for the space it has is
    cut with "…", the whole text is its tooltip (and accessible description)."""

    def __init__(
        self,
        text: str = "",
        parent: QWidget | None = None,
        *,
        mode: Qt.TextElideMode = Qt.TextElideMode.ElideMiddle,
    ) -> None:
        super().__init__(parent)
        self._full = ""
        self._mode = mode
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.setMinimumWidth(40)
        self.set_full_text(text)

    def set_full_text(self, text: str) -> None:
        self._full = text
        self.setToolTip(text if text else "")
        self.setAccessibleDescription(text)
        self._elide()

    def full_text(self) -> str:
        return self._full

    def minimumSizeHint(self) -> QSize:  # noqa: N802
        return QSize(40, super().minimumSizeHint().height())

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802
        super().resizeEvent(event)
        self._elide()

    def _elide(self) -> None:
        width = max(self.contentsRect().width(), 10)
        shown = self.fontMetrics().elidedText(self._full, self._mode, width)
        if shown != self.text():
            self.setText(shown)


class Banner(QFrame):
    """A one-line message across a panel (read-only notice, errors, offers)."""

    action_clicked = Signal(str)  # the action's key

    def __init__(self, object_name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        named(self, object_name, "Notice")
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.label = QLabel()
        self.label.setWordWrap(True)
        self.label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self._layout = QHBoxLayout(self)
        self._layout.setContentsMargins(10, 6, 10, 6)
        self._layout.addWidget(self.label, 1)
        self._buttons: list[QPushButton] = []
        self.hide()

    def show_message(
        self, text: str, kind: str = "info", actions: tuple[tuple[str, str], ...] = ()
    ) -> None:
        """`kind`: info | warning | error; `actions`: (key, button text) pairs."""
        for button in self._buttons:
            button.deleteLater()
        self._buttons = []
        for key, title in actions:
            button = QPushButton(title)
            button.clicked.connect(lambda _checked=False, k=key: self.action_clicked.emit(k))
            self._layout.addWidget(button)
            self._buttons.append(button)
        self.label.setText(text)
        self.setAccessibleDescription(text)
        set_state(self, "kind", kind)
        self.show()

    def text(self) -> str:
        return self.label.text() if self.isVisible() else ""


class TaskProgress(QWidget):
    """A label, a progress bar and a Cancel button for the current long task."""

    cancel_clicked = Signal()

    def __init__(self, parent: QWidget | None = None, *, name: str = "task") -> None:
        super().__init__(parent)
        named(self, f"{name}Progress", "Background task")
        self.label = QLabel()
        self.bar = QProgressBar()
        self.bar.setMaximumWidth(160)
        self.bar.setMaximumHeight(14)
        self.bar.setTextVisible(False)
        self.cancel = QToolButton()
        self.cancel.setText("Cancel")
        named(self.cancel, f"{name}Cancel", "Cancel background task")
        self.cancel.clicked.connect(self.cancel_clicked)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.label)
        layout.addWidget(self.bar)
        layout.addWidget(self.cancel)
        self.hide()

    def show_task(self, label: str, cancellable: bool = True) -> None:
        self.label.setText(label)
        self.bar.setRange(0, 0)  # busy until the first progress report
        self.cancel.setVisible(cancellable)
        self.show()

    def set_progress(self, done: int, total: int) -> None:
        if total <= 0:
            self.bar.setRange(0, 0)
            return
        scale = max(1, total // 1_000_000)  # QProgressBar holds ints
        self.bar.setRange(0, total // scale)
        self.bar.setValue(min(done, total) // scale)
        self.bar.setToolTip(f"{done:,} of {total:,}")
