"""Audit ▸ Account report: the dialog asks for account, period and file; the PDF is
written off the GUI thread and holds the account's figures, events, notes and the
integrity verdict — on every backend."""

from __future__ import annotations

from datetime import timedelta

import pytest
from PySide6.QtWidgets import QPushButton

import esgui
from esgui.audit.notes import add_note
from esgui.ui.audit.report_dialog import ReportDialog
from tests.audit.audit_helpers import START, make_history
from tests.ui.gui_helpers import READY_TIMEOUT_MS, child, select_account, wait_live

pypdf = pytest.importorskip("pypdf")


def _text(path) -> str:
    return "\n".join(page.extract_text() for page in pypdf.PdfReader(str(path)).pages)


def _verify(qtbot, window) -> None:
    """The window's own verification, which its reports rely on."""
    with qtbot.waitSignal(window.audit.verified, timeout=READY_TIMEOUT_MS):
        window.menu_actions.verify.trigger()
    window.audit.verify_dialog.hide()


def _write(qtbot, window, dialog: ReportDialog):
    since, until = dialog.period()
    with qtbot.waitSignal(window.audit.report_written, timeout=60_000) as blocker:
        window.audit.report(dialog.account_id(), dialog.output(), since, until)
    return blocker.args[0]


def test_the_report_of_the_selected_account(qtbot, make_window, store_url, tmp_path):
    with esgui.open_store(store_url) as store:
        make_history(store)
        add_note(store, "Reviewed for Q1; no findings.", author="kim", account_id="A1")
    window = make_window(store_url, user="auditor-kim")
    wait_live(qtbot, window)
    _verify(qtbot, window)
    select_account(qtbot, window, "A1")
    dialog = ReportDialog(window, window.accounts.selected_id(), tmp_path)
    assert child(dialog, "reportAccount").text() == "A1"
    assert dialog.output() == tmp_path / "report-A1.pdf"
    path = _write(qtbot, window, dialog)
    assert path == tmp_path / "report-A1.pdf" and path.exists()
    text = _text(path)
    head, head_hash = window.session.store.head()
    for expected in ("Alice Andersen", "Opening balance", "Closing balance", "125.25",
                     "whole history", "INTACT", head_hash, "Reviewed for Q1", "-30.00",
                     "+50.00", "by auditor-kim", "the verification this window ran"):  # fmt: skip
        assert expected in text, expected
    assert text.count("alice") == 3
    banner = child(window, "auditBanner")
    assert banner.isVisible() and "Wrote the report on A1" in banner.text()
    assert "integrity intact" in banner.text()
    assert {b.text() for b in banner.findChildren(QPushButton)} >= {"Open folder", "Open report"}

    # a period: only its events, the balance before it as the opening balance
    dialog.from_check.setChecked(True)
    dialog.from_edit.setDateTime(START + timedelta(hours=1))
    dialog.to_check.setChecked(True)
    dialog.to_edit.setDateTime(START + timedelta(hours=5))
    dialog.path.setText(str(tmp_path / "period.pdf"))
    text = _text(_write(qtbot, window, dialog))
    assert "MoneyWithdrawn" in text and "+5.25" not in text  # version 4 is after the period


def test_the_dialog_checks_its_input_and_a_tampered_store_says_so(qtbot, make_window,
                                                                  store_url, tmp_path,
                                                                  location):  # fmt: skip
    with esgui.open_store(store_url) as store:
        make_history(store)
    location.drop_append_only()
    location.sql("UPDATE events SET operator = 'mallory' WHERE position = 5")
    window = make_window(store_url)
    wait_live(qtbot, window)
    _verify(qtbot, window)
    dialog = ReportDialog(window, "", tmp_path)
    dialog._on_accept()
    assert child(dialog, "reportError").text() == "Which account? Select one or type its id."
    dialog.account.setText("A1")
    dialog.path.setText(str(tmp_path / "report.txt"))
    dialog._on_accept()
    assert "must end in .pdf" in dialog.error.text()
    dialog.path.setText(str(tmp_path / "report.pdf"))
    dialog.from_check.setChecked(True)
    dialog.to_check.setChecked(True)
    dialog.from_edit.setDateTime(START + timedelta(days=2))
    dialog.to_edit.setDateTime(START)
    dialog._on_accept()
    assert dialog.error.text() == "The period starts after it ends."
    dialog.from_check.setChecked(False)

    path = _write(qtbot, window, dialog)
    text = _text(path)
    assert "TAMPERED" in text and "position 5" in text
    assert "TAMPERED (see page 1)" in child(window, "auditBanner").text()

    # an unknown account is refused in words, nothing written
    with qtbot.waitSignal(window.audit.failed, timeout=READY_TIMEOUT_MS) as failed:
        window.audit.report("NOPE", tmp_path / "nope.pdf")
    assert "Unknown account" in failed.args[0] and not (tmp_path / "nope.pdf").exists()


def _long_account(store_url: str, events: int) -> None:
    from tests.audit.audit_helpers import ev

    with esgui.open_store(store_url) as store:
        store.append("L1", 0, [ev("AccountOpened", owner="Long History", initial="0.00")])
        store.append("L1", 1, [ev("MoneyDeposited", amount="1.00") for _ in range(events)])


def test_the_dialog_shows_progress_and_cancel_leaves_no_file(qtbot, make_window, store_url,
                                                             tmp_path, monkeypatch):  # fmt: skip
    """Write report keeps the dialog open with its progress; Cancel stops the writing,
    says so and leaves no file; the dialog can then write a summary, and closes."""
    import threading

    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QAbstractButton, QCheckBox, QProgressBar

    import esgui.audit.report as report_module

    _long_account(store_url, 3000)
    window = make_window(store_url)
    wait_live(qtbot, window)
    gate = threading.Event()
    original = report_module._tick

    def slow_tick(progress, should_stop, done, total):  # the first tick waits for Cancel
        original(progress, None, done, total)
        while not gate.is_set() and not (should_stop and should_stop()):
            gate.wait(0.01)
        original(None, should_stop, done, total)

    monkeypatch.setattr(report_module, "_tick", slow_tick)
    seen: dict[str, object] = {}

    def drive() -> None:
        dialog = window.audit.files.report_dialog
        assert dialog is not None
        dialog.account.setText("L1")
        dialog.path.setText(str(tmp_path / "l1.pdf"))
        child(dialog, "reportWrite", QAbstractButton).click()
        bar = child(dialog, "reportProgress", QProgressBar)
        qtbot.waitUntil(lambda: bar.isVisible() and bar.maximum() > 0, timeout=READY_TIMEOUT_MS)
        seen["progress"] = (bar.value(), bar.maximum())
        assert not child(dialog, "reportWrite").isEnabled()
        child(dialog, "reportCancel", QAbstractButton).click()
        qtbot.waitUntil(lambda: "Cancelled" in dialog.error.text(), timeout=READY_TIMEOUT_MS)
        seen["cancelled_file"] = (tmp_path / "l1.pdf").exists()
        seen["leftovers"] = sorted(p.name for p in tmp_path.iterdir() if ".part" in p.name)
        gate.set()
        child(dialog, "reportSummaryOnly", QCheckBox).setChecked(True)
        with qtbot.waitSignal(window.audit.report_written, timeout=60_000):
            child(dialog, "reportWrite", QAbstractButton).click()
        seen["closed"] = True

    QTimer.singleShot(0, drive)
    window.audit.files.account_report("L1")  # the dialog's own event loop
    assert seen["closed"] and window.audit.files.report_dialog is None
    assert seen["progress"][1] == 2 * 3001  # two passes over 3,001 versions (totals, listing)
    assert seen["cancelled_file"] is False and seen["leftovers"] == []
    text = _text(tmp_path / "l1.pdf")
    assert "Summary report: the events are not listed" in text
    assert "Money moved per month" in text and "Wrote the summary on L1" in child(
        window, "auditBanner").text()
