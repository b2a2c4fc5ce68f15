"""Audit ▸ Verify integrity: check the hash chain of the whole store off the GUI thread.

The dialog shows the verdict — intact with the head hash to keep as an anchor (copy
button), or TAMPERED with every problem found — and an optional anchor to verify
against. `verified` hands the result to the window, which marks the bad events in the
event log and shows the verdict in the status bar.
"""

from __future__ import annotations

import time

from PySide6.QtCore import QModelIndex, Signal
from PySide6.QtGui import QFontDatabase, QGuiApplication
from PySide6.QtWidgets import (
    QCheckBox,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from esgui.app.verify_memory import VerifyMemory
from esgui.audit.verify import Problem, VerifyResult, normalise_anchor
from esgui.audit.verify_recording import RecordOutcome, run_verification
from esgui.audit.verify_records import VerifyOutcome
from esgui.errors import InvalidInput
from esgui.ui.audit.base_dialog import AuditDialog, results_table
from esgui.ui.common.formatting import count, plural
from esgui.ui.common.table_model import Row, RowsModel
from esgui.ui.common.tasks import CancelToken, TaskTracker
from esgui.ui.common.widgets import named, set_state

KIND_TITLES = {
    "altered": "Altered", "missing": "Missing", "unexpected": "Inserted",
    "version": "Version", "unreadable": "Unreadable", "truncated": "Truncated",
    "anchor": "Anchor", "protection": "Protection",
}  # fmt: skip
ANCHOR_HINT = ("Record this head hash somewhere esgui does not control (the audit file, a "
               "ticket). Verifying later with it as the anchor proves that nothing up to "
               "it was rewritten or cut off.")  # fmt: skip
#: Shown instead of ANCHOR_HINT when the log is tampered: its head hash proves nothing.
TAMPERED_HINT = ("This head hash is of a tampered log: it proves nothing, so do not record "
                 "it as an anchor. Keep the last anchor recorded while the store verified "
                 "intact.")  # fmt: skip
PROTECTION_HINT = ("The append-only protection is missing or altered: the database no longer "
                   "refuses edits on its own. Until it is restored, a clean verification "
                   "only proves the chain as it is now.")  # fmt: skip


def problem_rows(result: VerifyResult) -> list[Row]:
    return [
        Row(
            (
                str(p.position),
                KIND_TITLES.get(p.kind, p.kind),
                p.account_id or "?",
                "" if p.version is None else str(p.version),
                p.message,
            ),
            payload=p,
            tooltip=p.message,
            tone="bad",
            sort_keys=(p.position,),
        )  # fmt: skip
        for p in result.problems
    ]


def problem_text(problem: Problem) -> str:
    """What the event log's tooltip says about a bad event."""
    return f"Integrity: {KIND_TITLES.get(problem.kind, problem.kind).lower()} — {problem.message}"


SHORT = {
    "altered": "content or position altered", "missing": "events deleted",
    "unexpected": "inserted", "version": "versions skip or repeat",
    "unreadable": "a stored field cannot be decoded", "truncated": "the log was cut off",
    "anchor": "the anchor is gone",
}  # fmt: skip


def short_problem_text(problem: Problem) -> str:
    """A few words for the inspector, where room is short (the log's tooltip and the
    Verify dialog say it all)."""
    return f"TAMPERED: {SHORT.get(problem.kind, problem.kind)}"


class VerifyDialog(AuditDialog):
    verified = Signal(object)  # VerifyResult
    problem_activated = Signal(object)  # Problem: show it in the log

    def __init__(self, parent: QWidget, status: TaskTracker) -> None:
        super().__init__(parent, status, "verifyDialog", "Verify integrity")
        self.outcome: VerifyResult | None = None
        self.record_message = ""  # what the last run covered and whether it was recorded
        self.anchor = named(QLineEdit(), "verifyAnchor", "Anchor: a head hash recorded earlier")
        self.anchor.setPlaceholderText("Optional anchor: a head hash recorded earlier "
                                       "(64 hexadecimal digits)")  # fmt: skip
        self.anchor.setClearButtonEnabled(True)
        self.incremental = named(
            QCheckBox("Only what was &appended since the last verify on this machine "
                      "(incremental)"),
            "verifyIncremental", "Incremental verify",
        )  # fmt: skip
        self.incremental.setToolTip(
            "Starts from the last clean verify run on this machine: re-checks its "
            "checkpoint event, then only the events appended since. A full verify checks "
            "every event."
        )
        self.verify_button = named(QPushButton("&Verify"), "verifyButton", "Verify now")
        self.verify_button.setDefault(True)
        self.verdict = named(QLabel("Not verified yet"), "verifyVerdict", "Verdict")
        self.verdict.setProperty("role", "verdict")
        self.summary = named(QLabel(""), "verifySummary", "What was checked")
        self.summary.setWordWrap(True)
        self.head_hash = named(QLineEdit(), "headHash", "Head hash")
        self.head_hash.setReadOnly(True)
        self.head_hash.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.copy_button = named(QPushButton("&Copy"), "copyHeadHash", "Copy the head hash")
        self.hint = QLabel(ANCHOR_HINT)
        self.hint.setWordWrap(True)
        self.hint.setProperty("role", "caption")
        self.model = RowsModel(("Position", "Problem", "Account", "Version", "What was found"),
                                numeric=(0, 3))  # fmt: skip
        self.table = results_table("verifyProblems", "Problems found", self.model,
                                   (76, 84, 110, 68))  # fmt: skip
        self.table.setToolTip("Double-click a problem to show its event in the log")

        anchor_row = QHBoxLayout()
        anchor_row.addWidget(self.anchor, 1)
        anchor_row.addWidget(self.verify_button)
        hash_row = QHBoxLayout()
        caption = QLabel("Head hash")
        caption.setProperty("role", "section")
        hash_row.addWidget(caption)
        hash_row.addWidget(self.head_hash, 1)
        hash_row.addWidget(self.copy_button)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(anchor_row)
        layout.addWidget(self.incremental)
        layout.addWidget(self.progress)
        layout.addWidget(self.verdict)
        layout.addWidget(self.summary)
        layout.addLayout(hash_row)
        layout.addWidget(self.hint)
        layout.addWidget(self.table, 1)
        layout.addWidget(buttons)
        self.resize(820, 460)

        self.verify_button.clicked.connect(self.start)
        self.anchor.returnPressed.connect(self.start)
        self.copy_button.clicked.connect(self.copy_head_hash)
        self.table.doubleClicked.connect(self._on_double_clicked)
        self.reset()

    def reset(self) -> None:
        self.outcome = None
        self.hint.setText(ANCHOR_HINT)
        self._show_verdict("Not verified yet", "info")
        self.summary.setText(
            "Checks every event's hash against its content and the event "
            "before it, positions without gaps and each account's versions."
        )
        self.head_hash.clear()
        self.copy_button.setEnabled(False)
        self.model.set_rows([])
        self.table.hide()

    def _show_verdict(self, text: str, state: str) -> None:
        self.verdict.setText(text)
        self.verdict.setAccessibleDescription(text)
        set_state(self.verdict, "state", state)

    def busy_changed(self, busy: bool) -> None:
        self.verify_button.setEnabled(not busy)
        self.incremental.setEnabled(not busy)
        self.anchor.setReadOnly(busy)

    # -- running ---------------------------------------------------------------------------

    def start(self) -> None:
        """Verify the whole store (against the anchor, if one is given)."""
        if self.busy:
            return
        text = self.anchor.text().strip()
        try:
            anchor = normalise_anchor(text) if text else None
        except InvalidInput as error:
            self._show_verdict("Invalid anchor", "tampered")
            self.summary.setText(error.message)
            return
        if anchor is not None and self.incremental.isChecked():
            self._show_verdict("An anchor needs a full verify", "info")
            self.summary.setText("Clear the anchor or the incremental option.")
            return
        session = self.session
        store = session.store if session is not None else None
        user = session.accounts.user if session is not None and session.accounts else "unknown"
        incremental = self.incremental.isChecked()

        def work(token: CancelToken) -> tuple[VerifyOutcome, RecordOutcome]:
            assert store is not None
            return run_verification(store, user=user, memory=VerifyMemory(),
                                    incremental=incremental, anchor=anchor,
                                    progress=token.progress,
                                    should_stop=token.stopped)  # fmt: skip

        self._show_verdict("Verifying…", "busy")
        self.run(work, "Verifying the hash chain", self._on_verified, self._on_failed)

    def _on_failed(self, message: str) -> None:
        self._show_verdict("Could not verify", "tampered")
        self.summary.setText(message)

    def cancelled(self) -> None:
        self._show_verdict("Verification cancelled", "info")
        self.summary.setText("Nothing was concluded: verify again to check the whole store.")

    def _on_verified(self, done: tuple[VerifyOutcome, RecordOutcome]) -> None:
        verification, recorded = done
        result = verification.result
        self.outcome = result
        self.record_message = f"Checked: {verification.describe()}; {recorded.message}." + (
            f" ({verification.note})" if verification.note else ""
        )
        when = time.strftime("%H:%M:%S")
        self.head_hash.setText(result.head_hash)
        self.head_hash.setCursorPosition(0)
        self.copy_button.setEnabled(True)
        anchor = ""
        if result.anchor is not None and result.anchor_position is not None:
            anchor = f" The anchor is in the chain at position {result.anchor_position}."
        self.hint.setText(TAMPERED_HINT if result.tampered else ANCHOR_HINT)
        if result.intact:
            self._show_verdict("✔ Intact: the hash chain verifies", "intact")
            self.summary.setText(
                f"{plural(result.events, 'event')} checked at {when}; the chain holds up "
                f"to position {result.head_position}.{anchor} {self.record_message}"
            )
        elif not result.tampered:
            self._show_verdict("⚠ Protection missing: the chain verifies", "tampered")
            self.hint.setText(PROTECTION_HINT)
            self.summary.setText(
                f"{plural(result.events, 'event')} checked at {when}; the chain holds from "
                f"position 1 to {result.head_position}, but "
                f"{'; '.join(p.message for p in result.protection_problems)}.{anchor}"
            )
        else:
            first = result.first_problem
            assert first is not None
            problems = plural(result.problem_count, "problem")
            self._show_verdict(f"✖ TAMPERED: {problems}", "tampered")
            shown = "" if len(result.problems) == result.problem_count else \
                f" (the first {count(len(result.problems))} are listed)"  # fmt: skip
            self.summary.setText(
                f"First bad position {first.position} (account "
                f"{first.account_id or 'unknown'}): {first.message}. {count(result.events)} "
                f"events checked at {when}{shown}. Bad events are marked in the event "
                f"log.{anchor} {self.record_message}"
            )
        self.model.set_rows(problem_rows(result))
        self.table.setVisible(not result.intact)
        self.verified.emit(result)

    def copy_head_hash(self) -> None:
        if self.head_hash.text():
            QGuiApplication.clipboard().setText(self.head_hash.text())
            self.status.showMessage("Copied the head hash", 4000)

    def _on_double_clicked(self, index: QModelIndex) -> None:
        problem = self.model.payload(index.row())
        if isinstance(problem, Problem):
            self.problem_activated.emit(problem)
