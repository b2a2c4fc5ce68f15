"""The Audit menu's work for one window: verify, version diff, projection check,
export of the log's filter, account reports and review notes.

Everything that reads or writes the store runs on the session's pool (`TaskRunner`),
long work with progress and Cancel in the status bar; results come back by signal.
What the audit finds is wired into the explorer: bad events are marked in the event
log and the inspector, the verdict sits in the status bar, notes mark their events.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QUrl, Signal
from PySide6.QtGui import QDesktopServices

from esgui.app.stores import RecordedEvent
from esgui.audit.export import ExportFilters, ExportSummary, export_events
from esgui.audit.notes import ReviewNote, add_note
from esgui.audit.report import build_report, write_report
from esgui.audit.verify import Problem, VerifyResult
from esgui.ui.common.formatting import count, local_time, money
from esgui.ui.common.session import Session
from esgui.ui.common.tasks import CancelToken, Task
from esgui.ui.diff_dialog import DiffDialog
from esgui.ui.export_dialog import ExportDialog
from esgui.ui.note_dialog import NoteDialog
from esgui.ui.projection_view import ProjectionDialog
from esgui.ui.report_dialog import ReportDialog
from esgui.ui.verify_view import VerifyDialog, problem_text, short_problem_text

if TYPE_CHECKING:
    from esgui.ui.main_window import MainWindow


class AuditActions(QObject):
    verified = Signal(object)  # VerifyResult
    exported = Signal(object)  # ExportSummary
    report_written = Signal(object)  # Path
    note_added = Signal(object)  # ReviewNote
    failed = Signal(str)  # an export, report or note failed (also in the status bar)

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.w = window
        self.session: Session | None = None
        self.result: VerifyResult | None = None  # the last verification of this store
        self._problems: dict[int, Problem] = {}  # its problems by position
        self.folder = Path.home()
        self.export_task: Task | None = None
        self.report_task: Task | None = None
        self.note_dialog: NoteDialog | None = None
        self._mark: tuple[str, int] | None = None  # (account, version) to compare from
        self._opened: Path | None = None  # what the banner's buttons open
        self.verify_dialog = VerifyDialog(window, window.status)
        self.diff_dialog = DiffDialog(window, window.status)
        self.projection_dialog = ProjectionDialog(window, window.status)

        self.verify_dialog.verified.connect(self._on_verified)
        self.verify_dialog.problem_activated.connect(self._on_problem_activated)
        self.diff_dialog.version_activated.connect(self._show_version)
        self.projection_dialog.rebuild_requested.connect(lambda: window.rebuild_projection())
        self.projection_dialog.account_activated.connect(lambda a: self.show_event(a, 0))
        window.status.integrity_clicked.connect(self.show_verify)
        window.audit_banner.action_clicked.connect(self._on_banner_action)
        window.timeline.compare_from_requested.connect(self.compare_from_here)
        window.timeline.compare_to_requested.connect(self.compare_to_here)
        window.timeline.version_changed.connect(self._on_version_changed)
        window.accounts.account_selected.connect(self._on_account_selected)
        window.notes.add_requested.connect(self.add_note)
        window.notes.note_activated.connect(self.show_event)
        window.notes.notes_loaded.connect(self._on_notes_loaded)
        window.inspector.annotate = self.annotations

    def set_session(self, session: Session | None) -> None:
        self.session = session
        self.result = None
        self._problems = {}
        self._mark = None
        self.w.timeline.set_compare_mark(None)
        self.export_task = self.report_task = None
        for dialog in (self.verify_dialog, self.diff_dialog, self.projection_dialog):
            dialog.set_session(session)
        if self.note_dialog is not None:
            self.note_dialog.reject()
        self.w.audit_banner.hide()
        self.w.status.set_integrity("")

    def _ready(self) -> bool:
        session = self.session
        if session is None or not session.ready or session.store is None:
            self.w.status.showMessage("No store is open", 5000)
            return False
        return True

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
        self.w.log.model.set_problems({p.position: problem_text(p) for p in result.problems})
        if result.intact:
            self.w.status.set_integrity(
                "✔ Intact", "intact",
                f"Verified {count(result.events)} events; head hash {result.head_hash}",
            )  # fmt: skip
        else:
            first = result.first_problem
            assert first is not None
            self.w.status.set_integrity(
                f"✖ TAMPERED at {first.position}", "tampered",
                f"{count(result.problem_count)} problems; first at position "
                f"{first.position}: {first.message}",
            )  # fmt: skip
        self.w.inspector.refresh_annotations()
        self.verified.emit(result)

    def _on_problem_activated(self, problem: Problem) -> None:
        if problem.account_id:
            self.show_event(problem.account_id, problem.version or 0)

    # -- showing an event -------------------------------------------------------------------

    def show_event(self, account_id: str, version: int) -> None:
        """Select the account and move the timeline to `version` (0: leave it)."""
        accounts = self.w.accounts
        if accounts.selected_id() != account_id and not accounts.select(account_id):
            accounts.filter_edit.clear()
            accounts.status_filter.setCurrentIndex(0)
            if not accounts.select(account_id):
                self.w.status.showMessage(f"{account_id} is not in the accounts view", 5000)
                return
        if version > 0:
            self._show_version(version)

    def _show_version(self, version: int) -> None:
        slider = self.w.timeline.slider
        if version > slider.maximum():
            slider.setMaximum(version)
        slider.setValue(version)

    # -- version diff ----------------------------------------------------------------------

    def compare_from_here(self) -> None:
        timeline = self.w.timeline
        if not timeline.account_id:
            return
        self._mark = (timeline.account_id, timeline.slider.value())
        timeline.set_compare_mark(self._mark[1])
        self.w.status.showMessage(f"Comparing from version {self._mark[1]}: move the slider, "
                                  "then Compare to here", 6000)  # fmt: skip

    def compare_to_here(self) -> None:
        timeline = self.w.timeline
        account_id = timeline.account_id
        if not account_id or not self._ready():
            return
        first = self._mark[1] if self._mark and self._mark[0] == account_id else 0
        self.compare(account_id, first, timeline.slider.value())

    def compare(self, account_id: str, first: int, second: int) -> None:
        slider = self.w.timeline.slider
        self.diff_dialog.follow_slider(slider.value(), slider.maximum())
        self.diff_dialog.compare_versions(account_id, first, second, slider.maximum())
        self.diff_dialog.show()
        self.diff_dialog.raise_()

    def _on_version_changed(self, version: int, _position: int) -> None:
        self.diff_dialog.follow_slider(version, self.w.timeline.slider.maximum())

    def _on_account_selected(self, account_id: str) -> None:
        if self._mark is not None and self._mark[0] != account_id:
            self._mark = None
            self.w.timeline.set_compare_mark(None)
        self.w.notes.set_selected_account(account_id)

    # -- projection check -------------------------------------------------------------------

    def check_projection(self) -> None:
        if not self._ready():
            return
        dialog = self.projection_dialog
        dialog.set_read_only(self.w.read_only_mode.on)
        dialog.show()
        dialog.raise_()
        if not dialog.busy:
            dialog.start()

    # -- export ------------------------------------------------------------------------------

    def export_current_filter(self) -> None:
        if not self._ready():
            return
        dialog = ExportDialog(self.w, self.w.log.model.query, self.folder)
        if dialog.exec() == ExportDialog.DialogCode.Accepted:
            self.export(dialog.fmt, dialog.output(), dialog.filters)
        dialog.deleteLater()

    def export(self, fmt: str, output: Path, filters: ExportFilters) -> Task | None:
        """Export with progress and Cancel in the status bar; the outcome in the banner."""
        session = self.session
        if not self._ready() or session is None or session.store is None:
            return None
        store = session.store
        self.folder = output.parent

        def work(token: CancelToken) -> ExportSummary:
            return export_events(store, fmt, output, filters, progress=token.progress,
                                 should_stop=token.stopped)  # fmt: skip

        task = session.submit(work, label=f"Exporting to {output.name}",
                              on_done=self._on_exported, on_error=self._on_failed)  # fmt: skip
        task.cancelled.connect(lambda: self.w.status.showMessage(
            f"Export cancelled: {output.name} was not written", 8000))  # fmt: skip
        self.w.status.track(task, f"Exporting to {output.name}")
        self.export_task = task
        return task

    def _on_exported(self, summary: ExportSummary) -> None:
        sidecar = f" (notes in {summary.notes_output.name})" if summary.notes_output else ""
        assert summary.output is not None
        self._announce(f"Exported {count(summary.events)} events and {count(summary.notes)} "
                       f"review notes to {summary.output}{sidecar}.", summary.output)  # fmt: skip
        self.exported.emit(summary)

    def _on_failed(self, message: str) -> None:
        self.w.status.showMessage(message, 10000)
        self.w.audit_banner.show_message(message, "warning", (("dismiss", "Dismiss"),))
        self.failed.emit(message)

    def _announce(self, text: str, path: Path, *, open_file: bool = False) -> None:
        self._opened = path
        actions = [("open-folder", "Open folder")]
        if open_file:
            actions.append(("open-file", "Open report"))
        actions.append(("dismiss", "Dismiss"))
        self.w.audit_banner.show_message(text, "info", tuple(actions))
        self.w.status.showMessage(text, 8000)

    def _on_banner_action(self, key: str) -> None:
        path = self._opened
        if key == "open-folder" and path is not None:
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(path.parent)))
        elif key == "open-file" and path is not None:
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(path)))
        else:
            self.w.audit_banner.hide()

    # -- report ------------------------------------------------------------------------------

    def account_report(self) -> None:
        if not self._ready():
            return
        dialog = ReportDialog(self.w, self.w.accounts.selected_id(), self.folder)
        if dialog.exec() == ReportDialog.DialogCode.Accepted:
            since, until = dialog.period()
            self.report(dialog.account_id(), dialog.output(), since, until)
        dialog.deleteLater()

    def report(
        self,
        account_id: str,
        output: Path,
        since: datetime | None = None,
        until: datetime | None = None,
    ) -> Task | None:
        """Verify the store, gather the report and render the PDF off the GUI thread."""
        session = self.session
        if not self._ready() or session is None or session.store is None:
            return None
        store, user = session.store, self.author()
        self.folder = output.parent

        def work(token: CancelToken) -> tuple[Path, str]:
            report = build_report(store, account_id, period_from=since, period_to=until,
                                  user=user, progress=token.progress,
                                  should_stop=token.stopped)  # fmt: skip
            path = write_report(report, output)
            verdict = "intact" if report.integrity.intact else "TAMPERED (see page 1)"
            return path, (f"Wrote the report on {account_id} to {path}: "
                          f"{count(len(report.lines))} events, closing balance "
                          f"{money(report.closing_balance)}; integrity {verdict}.")  # fmt: skip

        label = f"Writing the report on {account_id}"
        task = session.submit(work, label=label, on_done=self._on_report,
                              on_error=self._on_failed)  # fmt: skip
        task.cancelled.connect(lambda: self.w.status.showMessage("Report cancelled", 8000))
        self.w.status.track(task, label)
        self.report_task = task
        return task

    def _on_report(self, result: tuple[Path, str]) -> None:
        path, text = result
        self._announce(text, path, open_file=True)
        self.report_written.emit(path)

    # -- review notes ----------------------------------------------------------------------

    def author(self) -> str:
        session = self.session
        if session is not None and session.accounts is not None:
            return session.accounts.user
        return self.w.user or "unknown"

    def add_note(self) -> None:
        """Audit ▸ Add review note: about the event in the inspector, or the account."""
        if not self._ready():
            return
        if self.note_dialog is not None:
            self.note_dialog.raise_()
            return
        event = self.w.inspector.current_event
        dialog = NoteDialog(self.w, event=event, account_id=self.w.accounts.selected_id(),
                            author=self.author())  # fmt: skip
        dialog.submitted.connect(self._on_note_submitted)
        dialog.finished.connect(lambda _r: self._on_note_dialog_closed(dialog))
        self.note_dialog = dialog
        dialog.show()

    def _on_note_dialog_closed(self, dialog: NoteDialog) -> None:
        if self.note_dialog is dialog:
            self.note_dialog = None
        dialog.deleteLater()

    def _on_note_submitted(self, event_id: str | None, account_id: str, text: str) -> None:
        session, dialog = self.session, self.note_dialog
        if session is None or session.store is None or dialog is None:
            return
        store, author = session.store, self.author()

        def work(_token: CancelToken) -> ReviewNote:
            if event_id is not None:
                return add_note(store, text, author=author, event_id=event_id)
            return add_note(store, text, author=author, account_id=account_id)

        def done(note: ReviewNote) -> None:
            if self.note_dialog is dialog:
                dialog.accept()
            about = f"event {note.event_id}" if note.event_id else f"account {note.account_id}"
            self.w.status.showMessage(f"Noted {about} ({local_time(note.created_at)})", 6000)
            self.w.notes.reload()
            self.note_added.emit(note)

        def failed(message: str) -> None:
            if self.note_dialog is dialog:
                dialog.failed(message)
            self.failed.emit(message)

        session.submit(work, label="Saving the review note", on_done=done, on_error=failed)

    def _on_notes_loaded(self) -> None:
        self.w.log.model.set_notes(self.w.notes.event_marks())
        self.w.inspector.refresh_annotations()

    def annotations(self, event: RecordedEvent) -> tuple[str | None, list[str]]:
        """The inspector's integrity problem and review notes for `event` (from memory)."""
        found = self._problems.get(event.position)
        problem = short_problem_text(found) if found is not None else None
        notes = [f"{n.author}: {n.text}" for n in self.w.notes.by_event.get(event.event_id, [])]
        return problem, notes
