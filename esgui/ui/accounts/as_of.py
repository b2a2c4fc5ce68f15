"""The Accounts panel's **As of** control: `asOfToggle` (checkable) and `asOfEdit` (the
time: the QLineEdit of a `TimeEdit`, whose calendar button is beside it). Turning it
on, or finishing an edit while it is on, asks for the whole store as of that time; the
panel shows it until the toggle is turned off ("Back to now" is the same one click).
The computation runs off the GUI thread (`esgui.app.as_of`); only the newest request's
answer is shown.
"""

from __future__ import annotations

from datetime import datetime

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QHBoxLayout, QPushButton, QWidget

from esgui.app.as_of import TrialBalance, trial_balance
from esgui.ui.common.session import Session
from esgui.ui.common.tasks import CancelToken, Task
from esgui.ui.common.time_edit import TimeEdit
from esgui.ui.common.widgets import named


class AsOfBar(QWidget):
    balance_ready = Signal(object)  # TrialBalance
    failed = Signal(str)
    turned_off = Signal()
    busy = Signal(str)  # "Computing the store as of …" while it runs

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        named(self, "asOfBar", "As of")
        self.toggle = named(QPushButton("As of"), "asOfToggle",
                            "Show the store as of a time")  # fmt: skip
        self.toggle.setCheckable(True)
        self.toggle.setToolTip("Show every account as it was at the time on the right "
                               "(a trial balance); commands are disabled meanwhile")  # fmt: skip
        self.edit = TimeEdit("asOfTime", "As of time (blank: now)", blank_is_now=True)
        named(self.edit.line, "asOfEdit", "As of time (ISO-8601, local time; blank: now)")
        self.now_button = named(QPushButton("Back to now"), "asOfNowButton", "Back to now")
        self.now_button.setToolTip("Show the live accounts again")
        self.now_button.hide()
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        layout.addWidget(self.toggle)
        layout.addWidget(self.edit, 1)
        layout.addWidget(self.now_button)
        self._session: Session | None = None
        self._task: Task | None = None
        self._asked = 0  # which request the newest answer must be for
        self.toggle.toggled.connect(self._on_toggled)
        self.edit.editingFinished.connect(self._on_time_edited)
        self.edit.returnPressed.connect(self._on_return)
        self.now_button.clicked.connect(lambda: self.toggle.setChecked(False))
        self.set_session(None)

    @property
    def active(self) -> bool:
        return self.toggle.isChecked()

    def set_session(self, session: Session | None) -> None:
        self._session = session
        if session is None and self.active:
            self.toggle.setChecked(False)
        self.toggle.setEnabled(session is not None)

    def show_as_of(self, when: datetime) -> None:
        """Turn the view to `when` (from code: the same as typing it and switching on)."""
        self.edit.set_value(when)
        if self.active:
            self._request()
        else:
            self.toggle.setChecked(True)

    def back_to_now(self) -> None:
        self.toggle.setChecked(False)

    # -- requests ----------------------------------------------------------------------

    def _on_toggled(self, on: bool) -> None:
        self.now_button.setVisible(on)
        if on:
            self._request()
        else:
            self._asked += 1  # an answer still under way is dropped
            self.turned_off.emit()

    def _on_time_edited(self) -> None:
        if self.active:
            self._request()

    def _on_return(self) -> None:
        if self.active:
            self._request()
        else:
            self.toggle.setChecked(True)

    def _request(self) -> None:
        session = self._session
        # the end of what the text names: "2026-06-30" is that whole day (a period end),
        # a time to the second that whole second
        when = self.edit.span_end()
        if when is None:
            self.failed.emit("Not a time: type one like 2026-06-15 14:30:00")
            return
        if session is None or not session.ready or session.store is None:
            return
        store = session.store
        self._asked += 1
        asked = self._asked

        def work(_token: CancelToken) -> TrialBalance:
            return trial_balance(store, when)

        def done(balance: TrialBalance) -> None:
            if asked == self._asked and self.active:
                self.balance_ready.emit(balance)

        def failed(message: str) -> None:
            if asked == self._asked and self.active:
                self.failed.emit(message)

        self.busy.emit(f"Computing the store as of {when.astimezone():%Y-%m-%d %H:%M:%S}…")
        self._task = session.submit(work, label="As of", on_done=done, on_error=failed)
