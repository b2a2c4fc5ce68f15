"""The Audit menu's work for one window: verify, version diff, projection check,
export of the log's filter, account reports and review notes.

Everything that reads or writes the store runs on the session's pool (`TaskRunner`),
long work with progress and Cancel in the status bar; results come back by signal.
What the audit finds is wired into the explorer: bad events are marked in the event
log and the inspector, the verdict sits in the status bar, notes mark their events.
Files are `AuditFiles`' (files.py), notes `NoteActions`' (review.py); the collaborators
are handed in, never the window.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Protocol

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QWidget

from esgui.app.stores import RecordedEvent
from esgui.app.verify_memory import VerifyMemory
from esgui.audit.export import ExportFilters
from esgui.audit.verify import Problem, VerifyResult
from esgui.audit.verify_recording import KnownVerification, last_verification
from esgui.ui.accounts.panel import AccountsPanel
from esgui.ui.audit.diff_dialog import DiffDialog
from esgui.ui.audit.files import AuditFiles
from esgui.ui.audit.note_dialog import NoteDialog
from esgui.ui.audit.notes_panel import NotesPanel
from esgui.ui.audit.projection_dialog import ProjectionDialog
from esgui.ui.audit.review import NoteActions
from esgui.ui.audit.verify_dialog import VerifyDialog, problem_text, short_problem_text
from esgui.ui.common.formatting import plural
from esgui.ui.common.session import Session
from esgui.ui.common.tasks import Task, TaskTracker
from esgui.ui.common.widgets import Banner
from esgui.ui.inspector.panel import EventInspector
from esgui.ui.log.model import EventLogModel
from esgui.ui.timeline.panel import TimelinePanel


class AuditStatus(TaskTracker, Protocol):
    """The status bar, which also keeps the last verification's verdict."""

    def set_integrity(self, text: str, state: str = "", tip: str = "") -> None: ...


class AuditActions(QObject):
    verified = Signal(object)  # VerifyResult
    exported = Signal(object)  # ExportSummary
    report_written = Signal(object)  # Path
    note_added = Signal(object)  # ReviewNote
    failed = Signal(str)  # an export, report or note failed (also in the status bar)

    def __init__(
        self,
        parent: QWidget,
        *,
        status: AuditStatus,
        banner: Banner,
        accounts: AccountsPanel,
        timeline: TimelinePanel,
        log: EventLogModel,
        inspector: EventInspector,
        notes: NotesPanel,
        show_event: Callable[[str, int], None],
        rebuild: Callable[[], None],
        user: str | None,
        protection_banner: Banner | None = None,
    ) -> None:
        """`show_event(account, version)` selects the account and moves the timeline
        to the version (0: leave it); `rebuild` asks to rebuild the projection;
        `protection_banner` warns when the store's append-only protection is missing."""
        super().__init__(parent)
        self._protection_banner = protection_banner
        self._status = status
        self._accounts = accounts
        self._timeline = timeline
        self._log = log
        self._inspector = inspector
        self._notes = notes
        self._show_event = show_event
        self._user = user
        self.session: Session | None = None
        self.result: VerifyResult | None = None  # the last verification of this store
        self.known: KnownVerification | None = None  # the last one recorded, on opening
        self._problems: dict[int, Problem] = {}  # its problems by position
        self._mark: tuple[str, int] | None = None  # (account, version) to compare from
        self._read_only = False
        self.verify_dialog = VerifyDialog(parent, status)
        self.diff_dialog = DiffDialog(parent, status)
        self.projection_dialog = ProjectionDialog(parent, status)
        self.files = AuditFiles(parent, status=status, banner=banner, author=self.author,
                                verified=lambda: self.result)  # fmt: skip
        self.review = NoteActions(parent, status=status, notes=notes, log=log,
                                  inspector=inspector, author=self.author)  # fmt: skip

        if protection_banner is not None:
            protection_banner.action_clicked.connect(lambda _key: self.verify())
        self.verify_dialog.verified.connect(self._on_verified)
        self.verify_dialog.problem_activated.connect(self._on_problem_activated)
        self.diff_dialog.version_activated.connect(timeline.go_to)
        self.projection_dialog.rebuild_requested.connect(lambda: rebuild())
        self.projection_dialog.account_activated.connect(lambda a: show_event(a, 0))
        for forwarded in (self.files, self.review):
            forwarded.failed.connect(self.failed)
        self.files.exported.connect(self.exported)
        self.files.report_written.connect(self.report_written)
        self.review.note_added.connect(self.note_added)
        timeline.compare_from_requested.connect(self.compare_from_here)
        timeline.compare_to_requested.connect(self.compare_to_here)
        timeline.version_changed.connect(self._on_version_changed)
        accounts.account_selected.connect(self._on_account_selected)
        notes.add_requested.connect(self.add_note)
        notes.note_activated.connect(show_event)
        inspector.annotate = self.annotations

    def set_session(self, session: Session | None) -> None:
        self.session = session
        self.result = None
        self._problems = {}
        self._mark = None
        self._timeline.set_compare_mark(None)
        for dialog in (self.verify_dialog, self.diff_dialog, self.projection_dialog):
            dialog.set_session(session)
        self.review.set_session(session)
        self.files.set_session(session)
        self._status.set_integrity("")
        self._show_protection(session)
        self.known = None
        if session is not None and session.ready and session.store is not None:
            store = session.store

            def done(known: KnownVerification | None, opened: Session = session) -> None:
                self._on_known(opened, known)

            session.submit(lambda _token: last_verification(store, VerifyMemory()),
                           label="Reading the last verification", on_done=done)  # fmt: skip

    def _on_known(self, session: Session, known: KnownVerification | None) -> None:
        """The store's last recorded verification, shown until this window verifies."""
        if session is not self.session or self.result is not None:
            return
        self.known = known
        if known is None:
            self._status.set_integrity(
                "Never verified", "info",
                "No verification of this store is recorded: Audit ▸ Verify integrity",
            )  # fmt: skip
            return
        when = f"{known.finished_at:%Y-%m-%d %H:%M} UTC"
        tip = (f"Last verify: {known.kind}, {known.verdict}, up to position "
               f"{known.head_position:,}, by {known.operator} at {when} "
               f"({known.source()}). Click to verify again.")  # fmt: skip
        if known.intact and not known.witnessed:
            # the store's own record, not run here: shown, but not as verified
            self._status.set_integrity(
                f"Last verify: intact (not confirmed here) · {when}", "unconfirmed",
                f"{tip} Its verdict is the store's own record: verify to confirm it.",
            )  # fmt: skip
        elif known.intact:
            self._status.set_integrity(f"Last verify: ✔ intact · {when}", "intact", tip)
        else:
            if known.overruled:
                tip += f" A newer record ({known.overruled}) is not believed."
            self._status.set_integrity(
                f"Last verify: ✖ TAMPERED · {when}", "tampered",
                f"{plural(known.problem_count, 'problem')}. {tip}",
            )  # fmt: skip

    def _show_protection(self, session: Session | None) -> None:
        """The protection banner: shown while the open store's append-only protection
        (triggers, role rules) is missing or altered (store.protection)."""
        banner = self._protection_banner
        if banner is None:
            return
        unprotected = list(getattr(session, "unprotected", []) or [])
        if not unprotected:
            banner.hide()
            return
        more = f" (and {len(unprotected) - 1} more)" if len(unprotected) > 1 else ""
        banner.show_message(
            f"⚠ This store's append-only protection is missing or altered: {unprotected[0]}"
            f"{more}. The database no longer refuses edits on its own; only the hash chain "
            "can still tell. Verify integrity lists it.",
            "warning",
            (("verify", "Verify integrity…"),),
        )

    def set_read_only(self, on: bool) -> None:
        """The window's read-only mode changed: no rebuild from the projection check."""
        self._read_only = on
        self.projection_dialog.set_read_only(on)

    def _ready(self) -> bool:
        session = self.session
        if session is None or not session.ready or session.store is None:
            self._status.showMessage("No store is open", 5000)
            return False
        return True

    def author(self) -> str:
        session = self.session
        if session is not None and session.accounts is not None:
            return session.accounts.user
        return self._user or "unknown"

    # -- verify ------------------------------------------------------------------------------

    def verify(self) -> None:
        """Audit ▸ Verify integrity: show the dialog; verify now unless already done."""
        if not self._ready():
            return
        self.show_verify()
        if self.result is None and not self.verify_dialog.busy:
            self.verify_dialog.start()

    def show_verify(self) -> None:
        self.verify_dialog.show()
        self.verify_dialog.raise_()
        self.verify_dialog.activateWindow()

    def _on_verified(self, result: VerifyResult) -> None:
        self.result = result
        self._problems = {p.position: p for p in result.problems}
        self._log.set_problems({p.position: problem_text(p) for p in result.problems})
        if result.intact:
            self._status.set_integrity(
                "✔ Intact", "intact",
                f"Verified {plural(result.events, 'event')}; head hash {result.head_hash}",
            )  # fmt: skip
        else:
            first = result.first_problem
            assert first is not None
            self._status.set_integrity(
                f"✖ TAMPERED at {first.position}", "tampered",
                f"{plural(result.problem_count, 'problem')}; first at position "
                f"{first.position}: {first.message}",
            )  # fmt: skip
        self._inspector.refresh_annotations()
        self.verified.emit(result)

    def _on_problem_activated(self, problem: Problem) -> None:
        if problem.account_id:
            self._show_event(problem.account_id, problem.version or 0)

    def annotations(self, event: RecordedEvent) -> tuple[str | None, list[str]]:
        """The inspector's integrity problem and review notes for `event` (from memory)."""
        found = self._problems.get(event.position)
        problem = short_problem_text(found) if found is not None else None
        return problem, self.review.notes_on(event)

    # -- version diff ----------------------------------------------------------------------

    def compare_from_here(self) -> None:
        timeline = self._timeline
        if not timeline.account_id:
            return
        self._mark = (timeline.account_id, timeline.version)
        timeline.set_compare_mark(self._mark[1])
        self._status.showMessage(f"Comparing from version {self._mark[1]}: move the slider, "
                                 "then Compare to here", 6000)  # fmt: skip

    def compare_to_here(self) -> None:
        timeline = self._timeline
        account_id = timeline.account_id
        if not account_id or not self._ready():
            return
        first = self._mark[1] if self._mark and self._mark[0] == account_id else 0
        self.compare(account_id, first, timeline.version)

    def compare(self, account_id: str, first: int, second: int) -> None:
        timeline = self._timeline
        self.diff_dialog.follow_slider(timeline.version, timeline.newest)
        self.diff_dialog.compare_versions(account_id, first, second, timeline.newest)
        self.diff_dialog.show()
        self.diff_dialog.raise_()

    def _on_version_changed(self, version: int, _position: int) -> None:
        self.diff_dialog.follow_slider(version, self._timeline.newest)

    def _on_account_selected(self, account_id: str) -> None:
        if self._mark is not None and self._mark[0] != account_id:
            self._mark = None
            self._timeline.set_compare_mark(None)
        self._notes.set_selected_account(account_id)

    # -- projection check -------------------------------------------------------------------

    def check_projection(self) -> None:
        if not self._ready():
            return
        dialog = self.projection_dialog
        dialog.set_read_only(self._read_only)
        dialog.show()
        dialog.raise_()
        if not dialog.busy:
            dialog.start()

    # -- files ------------------------------------------------------------------------------

    def export_current_filter(self) -> None:
        if self._ready():
            self.files.export_current_filter(self._log.query)

    def export(self, fmt: str, output: Path, filters: ExportFilters) -> Task | None:
        """Export with progress and Cancel in the status bar; the outcome in the banner."""
        return self.files.export(fmt, output, filters) if self._ready() else None

    def account_report(self) -> None:
        if self._ready():
            self.files.account_report(self._accounts.selected_id())

    def balances_statement(self) -> None:
        """Audit ▸ Balances as of… (statement): as of the accounts view's time when it
        shows one; the latest verification is reused when it is of the current head."""
        if self._ready():
            balance = self._accounts.as_of_balance
            self.files.balances_statement(balance.at if balance is not None else None,
                                          self.result)  # fmt: skip

    def report(
        self,
        account_id: str,
        output: Path,
        since: datetime | None = None,
        until: datetime | None = None,
    ) -> Task | None:
        """Gather the report and render the PDF off the GUI thread (relying on this
        window's verification, or on the recorded one checked incrementally)."""
        if not self._ready():
            return None
        return self.files.report(account_id, output, since, until)

    # -- review notes ----------------------------------------------------------------------

    @property
    def note_dialog(self) -> NoteDialog | None:
        return self.review.dialog

    def add_note(self) -> None:
        """Audit ▸ Add review note: about the event in the inspector, or the account."""
        if self._ready():
            self.review.add_note(self._accounts.selected_id())
