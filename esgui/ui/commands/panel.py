"""The command panel: open, deposit, withdraw, close, run off the GUI thread.

The amount is checked as it is typed (the domain's own parser) and the field shows
when it is not valid. A command runs on the session's pool; its outcome, a business
rule's refusal or a conflict is shown in plain words in `commandStatus`. A refused or
invalid command appends nothing: the app layer decides before it appends.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from esgui.app import Accounts
from esgui.domain.account import AccountState
from esgui.domain.money import parse_amount
from esgui.errors import ConcurrencyError, EsguiError, InvalidInput, NotPermitted, RuleViolation
from esgui.ui.common.formatting import money
from esgui.ui.common.session import Session
from esgui.ui.common.tasks import CancelToken, Task
from esgui.ui.common.widgets import named, set_state

Command = Callable[[Accounts], AccountState]


class CommandPanel(QWidget):
    command_succeeded = Signal(str)  # account id
    command_finished = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        named(self, "commandPanel", "Commands")
        self._session: Session | None = None
        self._running: Task | None = None
        self._read_only = False
        self.account_edit = named(QLineEdit(), "accountIdEdit", "Account id")
        self.account_edit.setPlaceholderText("e.g. ACC-000001")
        self.owner_edit = named(QLineEdit(), "ownerEdit", "Owner")
        self.owner_edit.setPlaceholderText("Owner's name (to open)")
        self.amount_edit = named(QLineEdit(), "amountEdit", "Amount")
        self.amount_edit.setPlaceholderText("0.00")
        self.amount_hint = named(QLabel(), "amountHint", "Amount check")
        self.amount_hint.setWordWrap(True)
        self.amount_hint.hide()
        self.open_button = named(QPushButton("&Open"), "openButton", "Open account")
        self.open_button.setToolTip("Open the account for the owner, with the amount as "
                                    "its initial balance (blank: 0.00)")  # fmt: skip
        self.deposit_button = named(QPushButton("&Deposit"), "depositButton", "Deposit")
        self.withdraw_button = named(QPushButton("&Withdraw"), "withdrawButton", "Withdraw")
        self.close_button = named(QPushButton("C&lose"), "closeButton", "Close account")
        self.close_button.setToolTip("Close the account (its balance must be zero)")
        self.status = named(QLabel("No store open."), "commandStatus", "Command status")
        self.status.setWordWrap(True)
        self.status.setMinimumHeight(36)

        form = QFormLayout()
        form.setContentsMargins(0, 0, 0, 0)
        form.addRow("Account", self.account_edit)
        form.addRow("Owner", self.owner_edit)
        form.addRow("Amount", self.amount_edit)
        form.addRow("", self.amount_hint)
        buttons = QHBoxLayout()
        for button in self.buttons():
            buttons.addWidget(button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 6, 8, 6)
        layout.addLayout(form)
        layout.addLayout(buttons)
        layout.addWidget(self.status)
        layout.addStretch(1)

        self.amount_edit.textChanged.connect(self._on_amount_edited)
        self.open_button.clicked.connect(self.open_account)
        self.deposit_button.clicked.connect(self.deposit)
        self.withdraw_button.clicked.connect(self.withdraw)
        self.close_button.clicked.connect(self.close_account)
        self._update_enabled()
        set_state(self.status, "outcome", "info")

    def buttons(self) -> tuple[QPushButton, ...]:
        return (self.open_button, self.deposit_button, self.withdraw_button, self.close_button)

    # -- state -------------------------------------------------------------------------------

    def set_session(self, session: Session | None, read_only: bool = False) -> None:
        self._session = session
        self._read_only = read_only
        self._running = None
        self._update_enabled()
        if session is None:
            self._show("No store open.", "info")
        elif read_only:
            self._show("This store is open read-only: commands are disabled.", "info")
        else:
            self._show("Ready.", "info")

    def set_read_only(self, read_only: bool) -> None:
        """The window's read-only mode was switched (a command under way finishes)."""
        if read_only == self._read_only:
            return
        self._read_only = read_only
        self._update_enabled()
        if self._session is None:
            return
        if read_only:
            self._show("Read-only mode: commands are disabled.", "info")
        else:
            self._show("Writable again: commands are enabled.", "info")

    def _update_enabled(self) -> None:
        ready = self._session is not None and self._session.ready
        enabled = ready and not self._read_only and self._running is None
        for button in self.buttons():
            button.setEnabled(enabled)
        for edit in (self.account_edit, self.owner_edit, self.amount_edit):
            edit.setReadOnly(self._read_only)

    def set_account(self, account_id: str) -> None:
        self.account_edit.setText(account_id)

    def focus_amount(self) -> None:
        self.amount_edit.setFocus()
        self.amount_edit.selectAll()

    def _show(self, text: str, outcome: str) -> None:
        """`outcome`: done | refused | conflict | invalid | error | busy | info."""
        self.status.setText(text)
        self.status.setAccessibleDescription(text)
        set_state(self.status, "outcome", outcome)

    def _on_amount_edited(self, text: str) -> None:
        if not text:
            set_state(self.amount_edit, "invalid", "false")
            self.amount_hint.hide()
            return
        try:
            parse_amount(text)
        except InvalidInput as error:
            set_state(self.amount_edit, "invalid", "true")
            self.amount_hint.setText(error.message)
            self.amount_hint.show()
            self.amount_edit.setToolTip(error.message)
            return
        set_state(self.amount_edit, "invalid", "false")
        self.amount_edit.setToolTip("")
        self.amount_hint.hide()

    # -- commands ----------------------------------------------------------------------------

    def open_account(self) -> None:
        account_id, owner = self.account_edit.text().strip(), self.owner_edit.text()
        initial = self.amount_edit.text() or "0.00"
        self._run(
            lambda a: a.open(account_id, owner=owner, initial=initial),
            lambda s: (
                f"Opened {s.account_id} for {s.owner} with {money(s.balance)} "
                f"(version {s.version})."
            ),
        )

    def deposit(self) -> None:
        account_id, amount = self.account_edit.text().strip(), self.amount_edit.text()
        self._run(
            lambda a: a.deposit(account_id, amount),
            lambda s: (
                f"Deposited {money(parse_amount(amount))} into {s.account_id}: "
                f"balance {money(s.balance)} (version {s.version})."
            ),
        )

    def withdraw(self) -> None:
        account_id, amount = self.account_edit.text().strip(), self.amount_edit.text()
        self._run(
            lambda a: a.withdraw(account_id, amount),
            lambda s: (
                f"Withdrew {money(parse_amount(amount))} from {s.account_id}: "
                f"balance {money(s.balance)} (version {s.version})."
            ),
        )

    def close_account(self) -> None:
        account_id = self.account_edit.text().strip()
        self._run(
            lambda a: a.close(account_id),
            lambda s: f"Closed {s.account_id} (version {s.version}).",
        )

    def _run(self, command: Command, describe: Callable[[AccountState], str]) -> None:
        session = self._session
        if session is None or not session.ready or self._running is not None:
            return
        if self._read_only:
            self._show("This store is open read-only: nothing was done.", "refused")
            return
        accounts = session.accounts
        assert accounts is not None

        def work(_token: CancelToken) -> AccountState:
            return command(accounts)

        def failed(error: BaseException) -> None:
            self._show(self._explain(error), self._outcome(error))

        task = session.submit(lambda token: _capture(work, token))
        task.finished.connect(lambda result: self._on_result(result, describe, failed))
        task.failed.connect(lambda message: self._show(message, "error"))
        task.ended.connect(self._on_ended)
        self._running = task
        self._show("Working…", "busy")
        self._update_enabled()

    def _on_result(
        self,
        result: tuple[AccountState | None, BaseException | None],
        describe: Callable[[AccountState], str],
        failed: Callable[[BaseException], None],
    ) -> None:
        state, error = result
        if error is not None:
            failed(error)
            return
        assert state is not None
        self._show(describe(state), "done")
        self.amount_edit.clear()
        self.command_succeeded.emit(state.account_id)

    def _on_ended(self) -> None:
        self._running = None
        self._update_enabled()
        self.command_finished.emit()

    @staticmethod
    def _outcome(error: BaseException) -> str:
        if isinstance(error, RuleViolation):
            return "refused"
        if isinstance(error, ConcurrencyError):
            return "conflict"
        if isinstance(error, InvalidInput):
            return "invalid"
        if isinstance(error, NotPermitted):
            return "refused"
        return "error"

    @staticmethod
    def _explain(error: BaseException) -> str:
        if isinstance(error, ConcurrencyError):
            return (f"{error.message}. Someone else kept changing this account; nothing was "
                    "appended — try again.")  # fmt: skip
        if isinstance(error, EsguiError):
            return error.message if error.message.endswith(".") else error.message + "."
        return f"Unexpected error ({type(error).__name__}: {error}); nothing was appended."


def _capture(
    work: Callable[[CancelToken], AccountState], token: CancelToken
) -> tuple[AccountState | None, BaseException | None]:
    """Run a command, returning its error instead of raising it (its kind matters)."""
    try:
        return work(token), None
    except EsguiError as error:
        return None, error
