"""Files the Audit menu writes: an export of the event log's filter, an account's PDF
report and the balances-as-of statement (PDF or CSV), each run on the session's pool
with progress and Cancel in the status bar; the outcome is a banner with Open folder
(and Open report)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from PySide6.QtCore import QObject, QUrl, Signal
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QWidget

from esgui.app.queries import EventQuery
from esgui.audit.export import ExportFilters, ExportSummary, export_events
from esgui.audit.report import build_report, write_report
from esgui.audit.statement import build_statement, write_statement
from esgui.audit.trust import export_warning
from esgui.audit.verify import VerifyResult, verify_store
from esgui.ui.audit.export_dialog import ExportDialog
from esgui.ui.audit.report_dialog import ReportDialog
from esgui.ui.audit.statement_dialog import StatementDialog
from esgui.ui.common.formatting import money, plural
from esgui.ui.common.session import Session
from esgui.ui.common.tasks import CancelToken, Task, TaskTracker
from esgui.ui.common.widgets import Banner


class AuditFiles(QObject):
    exported = Signal(object)  # ExportSummary
    report_written = Signal(object)  # Path
    failed = Signal(str)  # an export or report failed (also in the status bar)

    def __init__(
        self,
        parent: QWidget,
        *,
        status: TaskTracker,
        banner: Banner,
        author: Callable[[], str],
        verified: Callable[[], VerifyResult | None] = lambda: None,
    ) -> None:
        """`verified()`: the verification this window ran on the store, if any (a report
        relies on it rather than verify again; an export of a store found tampered says
        so in its header)."""
        super().__init__(parent)
        self._verified = self._integrity = verified
        self._exported_integrity: VerifyResult | None = None  # of the last export
        self._parent = parent  # the dialogs' parent
        self._status = status
        self._banner = banner
        self._author = author
        self.session: Session | None = None
        self.folder = Path.home()  # where the last file went: the next one goes there too
        self.export_task: Task | None = None
        self.report_task: Task | None = None
        self.report_dialog: ReportDialog | None = None  # while Account report is open
        self.statement_task: Task | None = None
        self._opened: Path | None = None  # what the banner's buttons open
        banner.action_clicked.connect(self._on_banner_action)

    def set_session(self, session: Session | None) -> None:
        self.session = session
        self.export_task = self.report_task = None
        self._banner.hide()

    # -- export ------------------------------------------------------------------------------

    def export_current_filter(self, query: EventQuery) -> None:
        """Ask for the format and file, then export what `query` selects."""
        dialog = ExportDialog(self._parent, query, self.folder)
        if dialog.exec() == ExportDialog.DialogCode.Accepted:
            self.export(dialog.fmt, dialog.output(), dialog.filters)
        dialog.deleteLater()

    def export(self, fmt: str, output: Path, filters: ExportFilters) -> Task | None:
        """Export with progress and Cancel in the status bar; the outcome in the banner."""
        session = self.session
        if session is None or session.store is None:
            return None
        store = session.store
        self.folder = output.parent
        known = self._integrity()

        def work(token: CancelToken) -> ExportSummary:
            # like `esgui export`: verified first (unless a verification is at hand), so
            # the header says whether the store is tampered
            integrity = known or verify_store(store, progress=token.progress,
                                              should_stop=token.stopped)  # fmt: skip
            summary = export_events(store, fmt, output, filters, progress=token.progress,
                                    should_stop=token.stopped, integrity=integrity)  # fmt: skip
            self._exported_integrity = integrity
            return summary

        task = session.submit(work, label=f"Exporting to {output.name}",
                              on_done=self._on_exported, on_error=self._on_failed)  # fmt: skip
        task.cancelled.connect(lambda: self._status.showMessage(
            f"Export cancelled: {output.name} was not written", 8000))  # fmt: skip
        self._status.track(task, f"Exporting to {output.name}")
        self.export_task = task
        return task

    def _on_exported(self, summary: ExportSummary) -> None:
        sidecar = f" (notes in {summary.notes_output.name})" if summary.notes_output else ""
        assert summary.output is not None
        warning = export_warning(self._exported_integrity)
        self._announce(f"Exported {plural(summary.events, 'event')} and "
                       f"{plural(summary.notes, 'review note')} to {summary.output}{sidecar}."
                       + (f" ⚠ {warning}" if warning else ""),
                       summary.output)  # fmt: skip
        self.exported.emit(summary)

    # -- report ------------------------------------------------------------------------------

    def account_report(self, account_id: str) -> None:
        """Ask for the account (`account_id` first), period, kind and file, then write
        it with progress and Cancel in the dialog; it closes when the file is written."""
        dialog = ReportDialog(self._parent, account_id, self.folder)
        self.report_dialog = dialog

        def write() -> None:
            since, until = dialog.period()
            task = self.report(dialog.account_id(), dialog.output(), since, until,
                               summary_only=dialog.summary_only(),
                               full_verify=dialog.full_verify())  # fmt: skip
            if task is not None:
                dialog.track(task)

        dialog.write_requested.connect(write)
        dialog.exec()
        self.report_dialog = None
        dialog.deleteLater()

    def report(
        self,
        account_id: str,
        output: Path,
        since: datetime | None = None,
        until: datetime | None = None,
        *,
        summary_only: bool = False,
        full_verify: bool = False,
    ) -> Task | None:
        """Gather the report and render the PDF off the GUI thread. It relies on the
        window's own verification when there is one, else on the recorded one (checked
        incrementally), or verifies the whole store when `full_verify`."""
        session = self.session
        if session is None or session.store is None:
            return None
        store, user = session.store, self._author()
        given = None if full_verify else self._verified()
        self.folder = output.parent

        def work(token: CancelToken) -> tuple[Path, str]:
            report = build_report(store, account_id, period_from=since, period_to=until,
                                  user=user, integrity=given,
                                  verification="full" if full_verify else "auto",
                                  summary_only=summary_only, progress=token.progress,
                                  should_stop=token.stopped)  # fmt: skip
            path = write_report(report, output)
            verdict = {"intact": "intact", "tampered": "TAMPERED (see page 1)",
                       "unverified": "not verified"}[report.integrity.verdict]  # fmt: skip
            kind = "summary" if summary_only else "report"
            return path, (f"Wrote the {kind} on {account_id} to {path}: "
                          f"{plural(report.event_count, 'event')}, closing balance "
                          f"{money(report.closing_balance)}; integrity {verdict}.")  # fmt: skip

        label = f"Writing the report on {account_id}"
        task = session.submit(work, label=label, on_done=self._on_report,
                              on_error=self._on_failed)  # fmt: skip
        task.cancelled.connect(lambda: self._status.showMessage("Report cancelled", 8000))
        self._status.track(task, label)
        self.report_task = task
        return task

    def _on_report(self, result: tuple[Path, str]) -> None:
        path, text = result
        self._announce(text, path, open_file=True)
        self.report_written.emit(path)

    # -- balances statement ----------------------------------------------------------------

    def balances_statement(self, when: datetime | None, integrity: VerifyResult | None) -> None:
        """Ask for the time (`when` first: the as-of view's), format and file."""
        dialog = StatementDialog(self._parent, when, self.folder)
        if dialog.exec() == StatementDialog.DialogCode.Accepted:
            chosen = dialog.when()
            assert chosen is not None
            self.statement(chosen, dialog.output(), dialog.fmt, integrity)
        dialog.deleteLater()

    def statement(self, when: datetime, output: Path, fmt: str = "pdf",
                  integrity: VerifyResult | None = None) -> Task | None:  # fmt: skip
        """Gather the statement (verifying unless `integrity` is of the current head)
        and write it off the GUI thread."""
        session = self.session
        if session is None or session.store is None:
            return None
        store, user = session.store, self._author()
        self.folder = output.parent

        def work(token: CancelToken) -> tuple[Path, str]:
            statement = build_statement(store, when, user=user, integrity=integrity,
                                        progress=token.progress,
                                        should_stop=token.stopped)  # fmt: skip
            path = write_statement(statement, output, fmt)
            b = statement.balances
            verdict = "intact" if statement.integrity.intact else "TAMPERED"
            return path, (f"Wrote the balances as of {b.at.astimezone():%Y-%m-%d %H:%M:%S} to "
                          f"{path}: {plural(b.count, 'account')}, total "
                          f"{money(b.total)}; integrity {verdict}.")  # fmt: skip

        label = "Writing the balances statement"
        task = session.submit(work, label=label, on_done=self._on_report,
                              on_error=self._on_failed)  # fmt: skip
        task.cancelled.connect(lambda: self._status.showMessage("Statement cancelled", 8000))
        self._status.track(task, label)
        self.statement_task = task
        return task

    # -- the outcome -------------------------------------------------------------------------

    def _on_failed(self, message: str) -> None:
        self._status.showMessage(message, 10000)
        self._banner.show_message(message, "warning", (("dismiss", "Dismiss"),))
        self.failed.emit(message)

    def _announce(self, text: str, path: Path, *, open_file: bool = False) -> None:
        self._opened = path
        actions = [("open-folder", "Open folder")]
        if open_file:
            actions.append(("open-file", "Open report"))
        actions.append(("dismiss", "Dismiss"))
        self._banner.show_message(text, "info", tuple(actions))
        self._status.showMessage(text, 8000)

    def _on_banner_action(self, key: str) -> None:
        path = self._opened
        if key == "open-folder" and path is not None:
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(path.parent)))
        elif key == "open-file" and path is not None:
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(path)))
        else:
            self._banner.hide()
