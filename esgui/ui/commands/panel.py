"""The command panel: open, deposit, withdraw, transfer, close, run off the GUI thread.

One line (`commandTarget`) always says which account a command will act on — the id in
`accountIdEdit`, with that account's owner, balance and status, or that it does not
exist yet — so a selection, a filter or a typed id can never leave the panel aiming at
one customer while describing another. Closing an account, and withdrawing more than
`confirm_withdrawals_over`, ask first (`confirm.ask`); Enter in the amount field asks
which command to run (Deposit or Withdraw, Open for a new id), so no money moves on a
key press without a confirmation.

The amount is checked as it is typed (the domain's own parser); the hint below it has
its room kept, so the buttons never move. A command runs on the session's pool; its
outcome, a business rule's refusal or a conflict is shown in plain words in
`commandStatus`. A refused or invalid command appends nothing.

A transfer moves the amount from the account in `accountIdEdit` to the one in
`toAccountEdit` (with an optional reference), both legs in one transaction; above
`confirm_withdrawals_over` it asks first, as a withdrawal does. While the accounts view
shows the store as of another time (`set_as_of`), every command is disabled.

Longer than 400 lines because the target line, the inputs, the confirmations and the
five commands share one form's state.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from PySide6.QtCore import Qt, Signal
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
from esgui.errors import InvalidInput
from esgui.projections import AccountSummary
from esgui.ui.commands import confirm
from esgui.ui.commands.outcomes import capture, explain, outcome
from esgui.ui.common.formatting import money
from esgui.ui.common.session import Session
from esgui.ui.common.tasks import CancelToken, Task
from esgui.ui.common.widgets import ElidedLabel, named, set_state

Command = Callable[[Accounts], Any]  # an AccountState, or a Transfer
Describe = Callable[[Any], str]
DEFAULT_CONFIRM_OVER = Decimal("1000.00")


class CommandPanel(QWidget):
    command_succeeded = Signal(str)  # account id
    command_finished = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        named(self, "commandPanel", "Commands")
        self._session: Session | None = None
        self._running: Task | None = None
        self._asking = False
        self._read_only = False
        self._as_of: str | None = None  # why commands are off: the view shows another time
        # the accounts the panel knows of (the Accounts panel's rows, from memory)
        self.describe: Callable[[str], AccountSummary | None] = lambda _account_id: None
        self.confirm_withdrawals_over = DEFAULT_CONFIRM_OVER
        self.account_edit = named(QLineEdit(), "accountIdEdit", "Account id")
        self.account_edit.setPlaceholderText("Select an account, or type a new id")
        self.target = named(ElidedLabel(), "commandTarget", "The account a command acts on")
        self.target.setProperty("role", "target")
        self.owner_edit = named(QLineEdit(), "ownerEdit", "Owner")
        self.owner_edit.setPlaceholderText("Owner's name (to open a new account)")
        self.amount_edit = named(QLineEdit(), "amountEdit", "Amount")
        self.amount_edit.setPlaceholderText("0.00 — Enter asks: deposit or withdraw")
        self.amount_hint = named(ElidedLabel(mode=Qt.TextElideMode.ElideRight), "amountHint",
                                 "Amount check")  # fmt: skip
        # always there (blank when the amount is fine): an error never pushes the buttons down
        self.amount_hint.setFixedHeight(self.amount_hint.fontMetrics().height() + 2)
        self.open_button = named(QPushButton("&Open"), "openButton", "Open account")
        self.open_button.setToolTip("Open the account for the owner, with the amount as "
                                    "its initial balance (blank: 0.00)")  # fmt: skip
        self.deposit_button = named(QPushButton("&Deposit"), "depositButton", "Deposit")
        self.withdraw_button = named(QPushButton("&Withdraw"), "withdrawButton", "Withdraw")
        self.to_edit = named(QLineEdit(), "toAccountEdit", "Transfer to account")
        self.to_edit.setPlaceholderText("Transfer to this account id")
        self.reference_edit = named(QLineEdit(), "transferReferenceEdit", "Transfer reference")
        self.reference_edit.setPlaceholderText("Reference of a transfer (optional)")
        self.transfer_button = named(QPushButton("&Transfer"), "transferButton", "Transfer")
        self.transfer_button.setToolTip("Move the amount from the account above to the "
                                        "To account, atomically")  # fmt: skip
        self.close_button = named(QPushButton("C&lose"), "closeButton", "Close account")
        self.close_button.setToolTip("Close the account (its balance must be zero); asks first")
        self.status = named(QLabel("No store open."), "commandStatus", "Command status")
        self.status.setWordWrap(True)
        self.status.setMinimumHeight(36)

        form = QFormLayout()
        form.setContentsMargins(0, 0, 0, 0)
        form.setVerticalSpacing(4)
        form.addRow("Account", self.account_edit)
        form.addRow("", self.target)
        form.addRow("Owner", self.owner_edit)
        form.addRow("Amount", self.amount_edit)
        form.addRow("", self.amount_hint)
        form.addRow("To", self.to_edit)
        form.addRow("Reference", self.reference_edit)
        buttons = QHBoxLayout()
        for button in self.buttons():
            buttons.addWidget(button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 6, 8, 6)
        layout.addLayout(form)
        layout.addLayout(buttons)
        layout.addWidget(self.status)
        layout.addStretch(1)

        self.account_edit.textChanged.connect(self.refresh_target)
        self.account_edit.returnPressed.connect(self._on_account_return)
        self.owner_edit.returnPressed.connect(self.focus_amount)
        self.amount_edit.textChanged.connect(self._on_amount_edited)
        self.amount_edit.returnPressed.connect(self._on_amount_return)
        self.open_button.clicked.connect(self.open_account)
        self.deposit_button.clicked.connect(self.deposit)
        self.withdraw_button.clicked.connect(self.withdraw)
        self.close_button.clicked.connect(self.close_account)
        self.transfer_button.clicked.connect(self.transfer)
        self.to_edit.returnPressed.connect(self.reference_edit.setFocus)
        self._update_enabled()
        self.refresh_target()
        set_state(self.status, "outcome", "info")

    def buttons(self) -> tuple[QPushButton, ...]:
        return (self.open_button, self.deposit_button, self.withdraw_button,
                self.transfer_button, self.close_button)  # fmt: skip

    def edits(self) -> tuple[QLineEdit, ...]:
        return (self.account_edit, self.owner_edit, self.amount_edit, self.to_edit,
                self.reference_edit)  # fmt: skip

    # -- state -------------------------------------------------------------------------------

    def set_session(self, session: Session | None, read_only: bool = False) -> None:
        self._session = session
        self._read_only = read_only
        self._running = None
        self._update_enabled()
        self.refresh_target()
        if session is None:
            self._show("No store open.", "info")
        elif read_only:
            self._show("This store is open read-only: commands are disabled.", "info")
        else:
            self._show("Ready.", "info")

    def reset(self) -> None:
        """Another store: nothing typed for the old one is kept."""
        for edit in self.edits():
            edit.clear()
        self.refresh_target()

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

    def set_as_of(self, reason: str | None) -> None:
        """The accounts view shows the store as of another time (`reason` says so) and
        commands are off; None: back to now."""
        if reason == self._as_of:
            return
        self._as_of = reason
        self._update_enabled()
        if self._session is None:
            return
        if reason is not None:
            self._show(reason, "info")
        else:
            self._show("Read-only mode: commands are disabled." if self._read_only
                       else "Back to now: commands are enabled.", "info")  # fmt: skip

    def _update_enabled(self) -> None:
        ready = self._session is not None and self._session.ready
        locked = self._read_only or self._as_of is not None
        enabled = ready and not locked and self._running is None and not self._asking
        for button in self.buttons():
            button.setEnabled(enabled)
        for edit in self.edits():
            edit.setReadOnly(locked)

    def set_account(self, account_id: str) -> None:
        """The user selected `account_id`: commands now act on it. What was typed for
        the previous one (an owner, an old outcome) goes."""
        self.account_edit.setText(account_id)
        self.owner_edit.clear()
        if self._running is None and self._session is not None and self._session.ready:
            self._show("Ready." if not self._read_only else
                       "Read-only mode: commands are disabled.", "info")  # fmt: skip
        self.refresh_target()

    def refresh_target(self) -> None:
        """Say which account a command would act on now (after typing, selecting, or
        when the account's row changed)."""
        account_id = self.account_edit.text().strip()
        state = "none"
        if self._session is None:
            text = "No store open"
        elif not account_id:
            text = "No account selected (or type a new id)"
        else:
            summary = self.describe(account_id)
            if summary is None:
                text = f"→ {account_id}: no such account yet (Open creates it)"
                state = "new"
            else:
                text = (f"→ {summary.account_id} · {summary.owner} · balance "
                        f"{money(summary.balance)} · {summary.status}")  # fmt: skip
                state = summary.status
        self.target.set_full_text(text)
        set_state(self.target, "state", state)

    def target_text(self) -> str:
        return self.target.full_text()

    def focus_amount(self) -> None:
        self.amount_edit.setFocus()
        self.amount_edit.selectAll()

    def focus_open_form(self) -> None:
        """Account ▸ Open account: a blank form for a new account, the id focused."""
        self.account_edit.clear()
        self.owner_edit.clear()
        self.amount_edit.clear()
        self.account_edit.setFocus()
        self._show("New account: type its id, the owner and an initial amount (optional), "
                   "then press Open.", "info")  # fmt: skip

    def _show(self, text: str, outcome: str) -> None:
        """`outcome`: done | refused | conflict | invalid | error | busy | info."""
        self.status.setText(text)
        self.status.setAccessibleDescription(text)
        set_state(self.status, "outcome", outcome)

    def _on_amount_edited(self, text: str) -> None:
        if not text:
            set_state(self.amount_edit, "invalid", "false")
            self.amount_hint.set_full_text("")
            return
        try:
            parse_amount(text)
        except InvalidInput as error:
            set_state(self.amount_edit, "invalid", "true")
            self.amount_hint.set_full_text(error.message)
            self.amount_edit.setToolTip(error.message)
            return
        set_state(self.amount_edit, "invalid", "false")
        self.amount_edit.setToolTip("")
        self.amount_hint.set_full_text("")

    def _on_account_return(self) -> None:
        if self.describe(self.account_edit.text().strip()) is None:
            self.owner_edit.setFocus()
        else:
            self.focus_amount()

    def _valid_amount(self) -> Decimal | None:
        try:
            return parse_amount(self.amount_edit.text())
        except InvalidInput:
            return None

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

    def withdraw(self, *, confirmed: bool = False) -> None:
        """Withdraw; more than `confirm_withdrawals_over` asks first."""
        account_id, amount = self.account_edit.text().strip(), self.amount_edit.text()
        value = self._valid_amount()
        summary = self.describe(account_id)
        if (not confirmed and self._can_run() and value is not None and summary is not None
                and value > self.confirm_withdrawals_over):  # fmt: skip
            self._ask(
                "Confirm withdrawal",
                f"Withdraw {money(value)} from {account_id} ({summary.owner})?",
                f"The balance is {money(summary.balance)}. Withdrawals over "
                f"{money(self.confirm_withdrawals_over)} are confirmed (Account ▸ Confirm "
                "withdrawals over…).",
                [("withdraw", "Withdraw")],
                lambda _key: self.withdraw(confirmed=True),
            )  # fmt: skip
            return
        self._run(
            lambda a: a.withdraw(account_id, amount),
            lambda s: (
                f"Withdrew {money(parse_amount(amount))} from {s.account_id}: "
                f"balance {money(s.balance)} (version {s.version})."
            ),
        )

    def transfer(self, *, confirmed: bool = False) -> None:
        """Transfer to the To account; more than `confirm_withdrawals_over` asks first."""
        source, target = self.account_edit.text().strip(), self.to_edit.text().strip()
        amount, reference = self.amount_edit.text(), self.reference_edit.text() or None
        value = self._valid_amount()
        summary = self.describe(source)
        if (not confirmed and self._can_run() and value is not None and summary is not None
                and value > self.confirm_withdrawals_over):  # fmt: skip
            other = self.describe(target)
            self._ask(
                "Confirm transfer",
                f"Transfer {money(value)} from {source} ({summary.owner}) to {target}"
                + (f" ({other.owner})?" if other is not None else "?"),
                f"The balance of {source} is {money(summary.balance)}. Transfers over "
                f"{money(self.confirm_withdrawals_over)} are confirmed (Account ▸ Confirm "
                "withdrawals over…).",
                [("transfer", "Transfer")],
                lambda _key: self.transfer(confirmed=True),
            )  # fmt: skip
            return
        self._run(
            lambda a: a.transfer(source, target, amount, reference=reference),
            lambda t: (
                f"Transferred {money(parse_amount(amount))} from {t.sender.account_id} "
                f"(balance {money(t.sender.balance)}) to {t.receiver.account_id} (balance "
                f"{money(t.receiver.balance)})."
            ),
        )

    def close_account(self, *, confirmed: bool = False) -> None:
        """Close the account; asks first when it is one the panel knows."""
        account_id = self.account_edit.text().strip()
        summary = self.describe(account_id)
        if not confirmed and self._can_run() and summary is not None:
            self._ask(
                "Confirm closing",
                f"Close {account_id} ({summary.owner})?",
                f"Balance {money(summary.balance)}. A closed account takes no more "
                "deposits or withdrawals; its history stays.",
                [("close", "Close account")],
                lambda _key: self.close_account(confirmed=True),
            )  # fmt: skip
            return
        self._run(
            lambda a: a.close(account_id),
            lambda s: f"Closed {s.account_id} (version {s.version}).",
        )

    def _on_amount_return(self) -> None:
        """Enter in the amount field: ask what to do with it (nothing moves unasked)."""
        if not self._can_run():
            return
        value = self._valid_amount()
        account_id = self.account_edit.text().strip()
        if value is None or not account_id:
            self._show("Type an account and a valid amount, then Enter (or press a button).",
                       "info")  # fmt: skip
            return
        summary = self.describe(account_id)
        if summary is None:
            owner = self.owner_edit.text().strip()
            if not owner:
                self._show(f"{account_id} is not an account yet: type its owner to open it.",
                           "info")  # fmt: skip
                self.owner_edit.setFocus()
                return
            self._ask("Open account", f"Open {account_id} for {owner} with {money(value)}?",
                      "", [("open", "Open")], lambda _key: self.open_account())  # fmt: skip
            return
        self._ask(
            "Deposit or withdraw",
            f"{money(value)} on {account_id} ({summary.owner}):",
            f"The balance is {money(summary.balance)}.",
            [("deposit", "Deposit"), ("withdraw", "Withdraw")],
            lambda key: self.deposit() if key == "deposit" else self.withdraw(confirmed=True),
        )  # fmt: skip

    def _ask(self, title: str, text: str, detail: str, choices: list[tuple[str, str]],
             then: Callable[[str], None]) -> None:  # fmt: skip
        """Ask a question; `then(key)` runs only when a choice (not Cancel) was made."""
        self._asking = True
        self._update_enabled()
        self._show(f"Waiting for confirmation: {text}", "busy")

        def answered(key: str) -> None:
            self._asking = False
            self._update_enabled()
            if key:
                then(key)
            else:
                self._show("Cancelled: nothing was done.", "info")

        confirm.ask(self, title, text, choices, answered, detail=detail)

    def _can_run(self) -> bool:
        session = self._session
        return (session is not None and session.ready and self._running is None
                and not self._asking and not self._read_only
                and self._as_of is None)  # fmt: skip

    def _run(self, command: Command, describe: Describe) -> None:
        session = self._session
        if session is None or not session.ready or self._running is not None:
            return
        if self._read_only:
            self._show("This store is open read-only: nothing was done.", "refused")
            return
        if self._as_of is not None:
            self._show(f"{self._as_of} Nothing was done (Back to now first).", "refused")
            return
        accounts = session.accounts
        assert accounts is not None

        def work(_token: CancelToken) -> Any:
            return command(accounts)

        def failed(error: BaseException) -> None:
            self._show(explain(error), outcome(error))

        task = session.submit(lambda token: capture(work, token))
        task.finished.connect(lambda result: self._on_result(result, describe, failed))
        task.failed.connect(lambda message: self._show(message, "error"))
        task.ended.connect(self._on_ended)
        self._running = task
        self._show("Working…", "busy")
        self._update_enabled()

    def _on_result(
        self,
        result: tuple[Any, BaseException | None],
        describe: Describe,
        failed: Callable[[BaseException], None],
    ) -> None:
        state, error = result
        if error is not None:
            failed(error)
            return
        assert state is not None
        self._show(describe(state), "done")
        self.amount_edit.clear()
        self.owner_edit.clear()  # it named the owner of an account now open
        self.reference_edit.clear()
        acted_on = state if isinstance(state, AccountState) else state.sender
        self.command_succeeded.emit(acted_on.account_id)

    def _on_ended(self) -> None:
        self._running = None
        self._update_enabled()
        self.refresh_target()
        self.command_finished.emit()
