"""Audit ▸ Export current filter: the file equals `esgui export` with the same filter;
progress and Cancel — on every backend."""

from __future__ import annotations

import json
import threading
from datetime import timedelta
from pathlib import Path

from PySide6.QtCore import QDateTime, QTimer
from PySide6.QtWidgets import QAbstractButton, QLabel

import esgui
from esgui.audit.export import ExportFilters
from esgui.audit.notes import add_note
from esgui.cli import main as cli_main
from esgui.projections import Cancelled
from esgui.ui.audit.export_dialog import ExportDialog
from tests.audit.audit_helpers import START, make_history
from tests.ui.gui_helpers import READY_TIMEOUT_MS, child, select_account, wait_live


def _setup(url: str) -> None:
    with esgui.open_store(url) as store:
        make_history(store)
        third = next(iter(store.read_all(after=2, limit=1)))
        add_note(store, "Checked the deposit slip.", author="kim", event_id=third.event_id)
        add_note(store, "B1 closed on request.", author="kim", account_id="B1")


def _local(edit, when) -> None:
    edit.setDateTime(QDateTime.fromSecsSinceEpoch(int(when.timestamp())))


def _cli_export(url: str, fmt: str, output: Path, filters, capsys) -> None:
    args = ["--db", url, "export", "--format", fmt, "--output", str(output)]
    if filters.account_id:
        args.append(filters.account_id)
    for name in filters.event_types or ():
        args += ["--type", name]
    if filters.operator:
        args += ["--operator", filters.operator]
    if filters.since:
        args += ["--since", filters.since.isoformat()]
    if filters.until:
        args += ["--until", filters.until.isoformat()]
    assert cli_main(args) == 0
    capsys.readouterr()


def _jsonl(path: Path) -> list[dict]:
    records = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    records[0].pop("exported_at")
    return records


def _export(qtbot, window, dialog: ExportDialog, path: Path):
    dialog.format.setCurrentIndex(0 if path.suffix == ".jsonl" else 1)
    dialog.path.setText(str(path))
    with qtbot.waitSignal(window.audit.exported, timeout=READY_TIMEOUT_MS) as blocker:
        window.audit.export(dialog.fmt, dialog.output(), dialog.filters)
    return blocker.args[0]


def test_the_file_equals_esgui_export_with_the_same_filter(qtbot, make_window, store_url,
                                                           tmp_path, capsys):  # fmt: skip
    _setup(store_url)
    window = make_window(store_url)
    wait_live(qtbot, window)
    log = window.log
    # type and time range over the whole store (the picker shows minutes in local time)
    log.scope.setCurrentIndex(1)
    log.type_filter.setCurrentIndex(log.type_filter.findData("MoneyDeposited"))
    log.since_check.setChecked(True)
    _local(log.since_edit, START + timedelta(hours=2))
    log.until_check.setChecked(True)
    _local(log.until_edit, START + timedelta(hours=7))
    log.apply_filters()
    qtbot.waitUntil(lambda: log.model.rowCount() == 2, timeout=READY_TIMEOUT_MS)

    dialog = ExportDialog(window, log.model.query, tmp_path)
    scope = child(dialog, "exportScope", QLabel).text()
    assert scope.startswith("Events of all accounts · type MoneyDeposited · from ")
    assert not child(dialog, "exportTextNote").isVisibleTo(dialog)
    for fmt in ("jsonl", "csv"):
        summary = _export(qtbot, window, dialog, tmp_path / f"gui.{fmt}")
        assert (summary.events, summary.notes) == (2, 2)  # the event note, B1's note
        _cli_export(store_url, fmt, tmp_path / f"cli.{fmt}", dialog.filters, capsys)
    gui, cli = _jsonl(tmp_path / "gui.jsonl"), _jsonl(tmp_path / "cli.jsonl")
    assert gui == cli
    assert [r["position"] for r in gui if r["kind"] == "event"] == [3, 4]
    assert (tmp_path / "gui.csv").read_bytes() == (tmp_path / "cli.csv").read_bytes()
    assert (tmp_path / "gui.notes.csv").read_bytes() == (tmp_path / "cli.notes.csv").read_bytes()
    assert "Exported 2 events and 2 review notes" in child(window, "auditBanner").text()

    # one account, one operator, and a text filter the export cannot apply
    log.type_filter.setCurrentIndex(0)
    log.since_check.setChecked(False)
    log.until_check.setChecked(False)
    log.scope.setCurrentIndex(0)
    select_account(qtbot, window, "A1")
    log.operator_filter.setText("alice")
    log.text_filter.setText("5.25")
    log.apply_filters()
    qtbot.waitUntil(lambda: log.model.rowCount() == 1, timeout=READY_TIMEOUT_MS)
    dialog = ExportDialog(window, log.model.query, tmp_path)
    assert dialog.scope.text().startswith("Events of account A1 · operator alice")
    note = child(dialog, "exportTextNote", QLabel)
    assert note.isVisibleTo(dialog) and "“5.25” is not applied" in note.text()
    summary = _export(qtbot, window, dialog, tmp_path / "a1.jsonl")
    assert summary.events == 3  # positions 1, 3 and 9: every alice event of A1
    _cli_export(store_url, "jsonl", tmp_path / "a1-cli.jsonl", dialog.filters, capsys)
    assert _jsonl(tmp_path / "a1.jsonl") == _jsonl(tmp_path / "a1-cli.jsonl")


def test_no_filter_is_a_complete_export(qtbot, make_window, store_url, tmp_path, capsys):
    _setup(store_url)
    window = make_window(store_url)
    wait_live(qtbot, window)
    window.log.scope.setCurrentIndex(1)
    dialog = ExportDialog(window, window.log.model.query, tmp_path)
    assert dialog.filters.complete and dialog.scope.text().startswith("The whole store")
    summary = _export(qtbot, window, dialog, tmp_path / "all.jsonl")
    assert (summary.events, summary.notes) == (9, 2)
    _cli_export(store_url, "jsonl", tmp_path / "all-cli.jsonl", dialog.filters, capsys)
    assert _jsonl(tmp_path / "all.jsonl") == _jsonl(tmp_path / "all-cli.jsonl")
    assert _jsonl(tmp_path / "all.jsonl")[0]["complete"] is True


def test_export_progress_and_cancel(qtbot, make_window, store_url, tmp_path, monkeypatch):
    _setup(store_url)
    started = threading.Event()

    def slow_export(store, fmt, output, filters, *, progress=None, should_stop=None, **_kw):
        progress(2000, 9000)
        started.set()
        while not should_stop():
            threading.Event().wait(0.01)
        raise Cancelled("Export cancelled")

    monkeypatch.setattr("esgui.ui.audit.files.export_events", slow_export)
    window = make_window(store_url)
    wait_live(qtbot, window)
    target = tmp_path / "never.jsonl"
    task = window.audit.export("jsonl", target, ExportFilters())
    assert task is not None
    qtbot.waitUntil(started.is_set, timeout=READY_TIMEOUT_MS)
    progress = child(window, "taskProgress")
    qtbot.waitUntil(lambda: progress.isVisible() and progress.bar.maximum() > 0)
    assert progress.label.text() == "Exporting to never.jsonl"
    with qtbot.waitSignal(task.ended, timeout=READY_TIMEOUT_MS):
        child(window, "taskCancel", QAbstractButton).click()
    assert "Export cancelled" in window.status.currentMessage()
    assert not target.exists()


def _accept_modal(fill) -> None:
    """Fill in the modal dialog the menu action opens, then press its OK button."""
    from PySide6.QtWidgets import QApplication, QDialogButtonBox

    def act() -> None:
        dialog = QApplication.activeModalWidget()
        assert dialog is not None
        fill(dialog)
        ok = dialog.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Ok)
        ok.click()

    QTimer.singleShot(0, act)


def test_export_and_report_from_the_audit_menu(qtbot, make_window, store_url, tmp_path):
    _setup(store_url)
    window = make_window(store_url)
    wait_live(qtbot, window)
    select_account(qtbot, window, "B1")
    qtbot.waitUntil(lambda: window.log.model.rowCount() == 4, timeout=READY_TIMEOUT_MS)

    def export_csv(dialog) -> None:
        assert dialog.objectName() == "exportDialog"
        assert dialog.scope.text().startswith("Events of account B1")
        dialog.format.setCurrentIndex(1)
        dialog.path.setText(str(tmp_path / "b1.csv"))

    _accept_modal(export_csv)
    with qtbot.waitSignal(window.audit.exported, timeout=READY_TIMEOUT_MS) as exported:
        window.menu_actions.export.trigger()
    assert exported.args[0].events == 4 and exported.args[0].notes == 1  # B1's note
    rows = (tmp_path / "b1.csv").read_text(encoding="utf-8").splitlines()
    assert len(rows) == 5 and rows[0].startswith("position,event_id,aggregate_id")
    assert (tmp_path / "b1.notes.csv").exists()

    def report(dialog) -> None:
        assert dialog.objectName() == "reportDialog" and dialog.account_id() == "B1"
        dialog.path.setText(str(tmp_path / "b1.pdf"))

    _accept_modal(report)
    with qtbot.waitSignal(window.audit.report_written, timeout=60_000) as written:
        window.menu_actions.report.trigger()
    assert written.args[0] == tmp_path / "b1.pdf" and written.args[0].stat().st_size > 1000
