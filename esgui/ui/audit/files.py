"""Files the Audit menu writes: an export of the event log's filter and an account's
PDF report, each run on the session's pool with progress and Cancel in the status bar;
the outcome is a banner with Open folder (and Open report)."""

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
from esgui.audit.trust import export_warning
from esgui.audit.verify import VerifyResult, verify_store
from esgui.ui.audit.export_dialog import ExportDialog
from esgui.ui.audit.report_dialog import ReportDialog
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
        integrity: Callable[[], VerifyResult | None] = lambda: None,
    ) -> None:
        """`integrity()`: the window's last verification of this store, if any (an
        export of a store found tampered says so in its header)."""
        super().__init__(parent)
        self._integrity = integrity
        self._exported_integrity: VerifyResult | None = None  # of the last export
        self._parent = parent  # the dialogs' parent
        self._status = status
        self._banner = banner
        self._author = author
        self.session: Session | None = None
        self.folder = Path.home()  # where the last file went: the next one goes there too
        self.export_task: Task | None = None
        self.report_task: Task | None = None
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
        """Ask for the account (`account_id` first), period and file, then write it."""
        dialog = ReportDialog(self._parent, account_id, self.folder)
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
        if session is None or session.store is None:
            return None
        store, user = session.store, self._author()
        self.folder = output.parent

        def work(token: CancelToken) -> tuple[Path, str]:
            report = build_report(store, account_id, period_from=since, period_to=until,
                                  user=user, progress=token.progress,
                                  should_stop=token.stopped)  # fmt: skip
            path = write_report(report, output)
            verdict = "intact" if report.integrity.intact else "TAMPERED (see page 1)"
            return path, (f"Wrote the report on {account_id} to {path}: "
                          f"{plural(len(report.lines), 'event')}, closing balance "
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
