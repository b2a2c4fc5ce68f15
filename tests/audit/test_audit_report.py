"""The account report: rendered to PDF and checked for its content with pypdf."""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from pypdf import PdfReader

from esgui.app.verify_memory import VerifyMemory
from esgui.audit.notes import add_note
from esgui.audit.report import build_report, summary_json, write_report
from esgui.audit.verify_recording import run_verification
from esgui.errors import InvalidInput, UnknownAccount
from tests.audit.audit_helpers import START, ev


def _text(path: Path) -> tuple[int, str]:
    reader = PdfReader(str(path))
    text = "\n".join(page.extract_text() for page in reader.pages)
    # "Page X of " and the page count (a form drawn once) come out on two lines
    return len(reader.pages), re.sub(r"(Page \d+ of)\s+(\d+)", r"\1 \2", text)


def _verified(store) -> None:
    """A full verify run on this machine, recorded (what a report relies on)."""
    run_verification(store, user="auditor", memory=VerifyMemory())


def test_whole_history_report(history, tmp_path: Path) -> None:
    event_id = next(history.read_all(after=4, limit=1)).event_id
    add_note(history, "Withdrawal entered by bob", author="kim", event_id=event_id)
    add_note(history, "Reviewed for Q1", author="lee", account_id="A1")
    add_note(history, "Not about A1", author="lee", account_id="B1")
    _verified(history)
    report = build_report(history, "A1", user="kim")
    assert (report.opening_balance, report.closing_balance) == (Decimal("0.00"), Decimal("125.25"))
    assert (report.money_in, report.money_out) == (Decimal("155.25"), Decimal("30.00"))
    path = write_report(report, tmp_path / "a1.pdf")
    pages, text = _text(path)
    assert pages <= 2
    for expected in (
        "Account A1",
        "Alice Andersen",
        "Opening balance",
        "0.00",
        "Closing balance",
        "125.25",
        "whole history",
        "INTACT",
        history.head()[1],
        "Withdrawal entered by bob",
        "Reviewed for Q1",
        "2026-03-01 09:00:00",
        "2026-03-01 13:00:00",
        "MoneyWithdrawn",
        "-30.00",
        "+50.00",
        f"Page 1 of {pages}",
        "Relies on: an incremental verify",
        "Money moved per month",
        "Generated",
        "by kim",
    ):
        assert expected in text, expected
    assert "Not about A1" not in text
    assert text.count("alice") == 3 and text.count("bob") >= 1  # operator column
    meta = PdfReader(str(path)).metadata
    assert meta.title == "Account A1 — audit report"


def test_period_report_has_opening_and_closing_balances(history, tmp_path: Path) -> None:
    report = build_report(history, "A1", period_from=START + timedelta(hours=1),
                          period_to=START + timedelta(hours=5))  # fmt: skip
    assert [line.version for line in report.lines()] == [2, 3]
    assert report.opening_balance == Decimal("100.00")
    assert report.closing_balance == Decimal("120.00")
    assert [line.balance for line in report.lines()] == [Decimal("150.00"), Decimal("120.00")]
    _pages, text = _text(write_report(report, tmp_path / "p.pdf"))
    assert "2026-03-01 10:00:00 – 2026-03-01 14:00:00 (UTC)" in text
    assert "100.00" in text and "120.00" in text
    assert "2026-03-01 17:00:00" not in text  # version 4 is after the period
    assert summary_json(report)["closing_balance"] == "120.00"


def test_long_history_splits_with_repeated_header(store, tmp_path: Path) -> None:
    store.append("L1", 0, [ev("AccountOpened", owner="Long History", initial="0.00")])
    store.append("L1", 1, [ev("MoneyDeposited", amount=f"{i}.00") for i in range(1, 150)])
    path = write_report(build_report(store, "L1"), tmp_path / "long.pdf")
    reader = PdfReader(str(path))
    assert len(reader.pages) >= 4
    for number, page in enumerate(reader.pages, start=1):
        text = re.sub(r"(Page \d+ of)\s+(\d+)", r"\1 \2", page.extract_text())
        assert f"Page {number} of {len(reader.pages)}" in text
        assert "esgui · account audit report" in text
        if number > 1 and "Review notes" not in text.split("Pos.")[0]:
            assert "Recorded (UTC)" in text  # the table header is repeated
    assert "11,175.00" in "".join(p.extract_text() for p in reader.pages)  # 1+…+149


def test_a_tampered_store_says_so_in_the_report(history, attacker, tmp_path: Path) -> None:
    attacker()('UPDATE events SET data = \'{"amount": "1.00"}\' WHERE position = 5')
    report = build_report(history, "A1", verification="full")
    assert not report.integrity.intact
    assert [p.position for p in report.account_problems] == [5]
    assert [line.flagged for line in report.lines()] == [False, False, True, False]
    assert [line.position for line in report.flagged] == [5] and report.flagged_count == 1
    _pages, text = _text(write_report(report, tmp_path / "t.pdf"))
    assert "TAMPERED" in text and "position 5" in text
    # plurals agree: one problem at one position
    assert "1 problem;" in text and "at position 5." in text and "(s)" not in text


@pytest.mark.parametrize(("kwargs", "error"), [
    ({"account_id": "NOPE"}, UnknownAccount),
    ({"account_id": "bad id"}, InvalidInput),
    ({"period_from": START + timedelta(days=2), "period_to": START}, InvalidInput),
])  # fmt: skip
def test_bad_report_requests(history, kwargs, error) -> None:
    arguments = {"account_id": "A1", **kwargs}
    with pytest.raises(error):
        build_report(history, arguments.pop("account_id"), **arguments)


def test_cli_report(history, cli, tmp_path: Path) -> None:
    assert cli("verify")[0] == 0
    path = tmp_path / "b1.pdf"
    code, out, err = cli("report", "B1", "--output", str(path), "--from", "2026-03-01T10:00",
                         "--to", "2026-03-01T23:00")  # fmt: skip
    assert code == 0, err
    assert f"Wrote {path} (report): 4 events" in out and "integrity intact" in out
    assert "verification: an incremental verify: nothing appended since position 9" in out
    _pages, text = _text(path)
    assert "Bob Bauer" in text and "closed" in text and "by auditor" in text
    code, _out, err = cli("report", "B1", "--output", str(tmp_path / "b1.txt"))
    assert code == 2 and "ending in .pdf" in err
    code, _out, err = cli("report", "NOPE", "--output", str(tmp_path / "x.pdf"))
    assert code == 1 and "Unknown account" in err
    code, _out, err = cli("report", "B1", "--output", str(tmp_path / "x.pdf"), "--from", "soon")
    assert code == 2 and "Invalid time" in err
    code, _out, err = cli("report", "B1")
    assert code == 2 and "--output" in err


def test_importing_the_audit_package_needs_neither_qt_nor_reportlab() -> None:
    import subprocess
    import sys

    code = (
        "import sys, esgui.audit, esgui.cli.audit; "
        "print(sorted({m.split('.')[0] for m in sys.modules} & {'PySide6', 'reportlab'}))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout  # fmt: skip
    assert out.strip() == "[]"


def test_an_unreadable_history_is_reported_not_crashed(history, tmp_path: Path) -> None:
    from esgui.store import NewEvent

    history.append("A1", 4, [NewEvent("Frobnicated", {"x": 1}, {"user": "future"})])
    report = build_report(history, "A1")
    assert report.unreadable and "Frobnicated" in report.unreadable
    assert list(report.lines())[-1].balance is None
    assert report.closing_balance == Decimal("125.25")
    _pages, text = _text(write_report(report, tmp_path / "u.pdf"))
    assert "History not fully readable" in text and "Frobnicated" in text


# -- issue 11/13: bounded reports ---------------------------------------------------------------


def _long(store, events: int) -> None:
    store.append("L1", 0, [ev("AccountOpened", owner="Long History", initial="0.00")])
    store.append("L1", 1, [ev("MoneyDeposited", amount="1.00") for _ in range(events)])


def test_a_report_never_verifies_the_whole_store(history, tmp_path: Path, monkeypatch) -> None:
    """It relies on the recorded verification and checks incrementally what came since."""
    _verified(history)
    history.append("C1", 1, [ev("MoneyDeposited", amount="3.00")])

    def whole_store(*_args, **_kwargs):
        raise AssertionError("a report verified the whole store")

    monkeypatch.setattr("esgui.audit.verify_records.verify_store", whole_store)
    report = build_report(history, "A1")
    assert report.integrity.intact and report.integrity.witnessed
    assert "incremental verify of positions 10–10 (1 event)" in report.integrity.statement
    assert history.verify_runs.latest().kind == "incremental"


def test_a_never_verified_store_is_reported_as_not_verified(history, tmp_path: Path) -> None:
    report = build_report(history, "A1")
    assert report.integrity.verdict == "unverified" and not report.integrity.intact
    _pages, text = _text(write_report(report, tmp_path / "n.pdf"))
    assert "NOT VERIFIED" in text and "run `esgui verify` first" in text


def test_a_recorded_tampered_verdict_is_carried_without_a_new_verify(
    history, attacker, tmp_path: Path
) -> None:
    attacker()("UPDATE events SET operator = 'mallory' WHERE position = 5")
    _verified(history)  # finds it
    report = build_report(history, "A1")
    assert report.integrity.verdict == "tampered" and not report.integrity.positions_known
    _pages, text = _text(write_report(report, tmp_path / "t.pdf"))
    assert "TAMPERED" in text and "1 problem." in text and "not repeated here" in text


def test_summary_report_has_totals_months_and_flags_but_no_listing(
    store, attacker, tmp_path: Path
) -> None:
    _long(store, 120)
    attacker()("UPDATE events SET operator = 'mallory' WHERE position = 7")
    report = build_report(store, "L1", summary_only=True, verification="full")
    assert report.summary_only and report.event_count == 121 and list(report.lines()) == []
    assert [(m.events, m.money_in) for m in report.monthly] == [(121, Decimal("120.00"))]
    assert [line.position for line in report.flagged] == [7] and report.flagged_count == 1
    assert report.flagged[0].operator == "mallory"
    pages, text = _text(write_report(report, tmp_path / "s.pdf"))
    assert pages == 1 and "Summary report: the events are not listed" in text
    assert "Flagged events (1)" in text and "mallory" in text and "MoneyDeposited" in text


def test_cancel_during_the_listing_leaves_no_file(store, tmp_path: Path) -> None:
    from esgui.projections import Cancelled

    _long(store, 5000)
    stopping = {"now": False}
    report = build_report(store, "L1", should_stop=lambda: stopping["now"],
                          verification="recorded")  # fmt: skip
    stopping["now"] = True  # Cancel while the listing is written
    with pytest.raises(Cancelled):
        write_report(report, tmp_path / "c.pdf")
    assert [p.name for p in tmp_path.iterdir() if p.suffix == ".pdf" or ".part" in p.name] == []


def test_cli_ctrl_c_leaves_no_partial_file(store, cli, tmp_path: Path, monkeypatch) -> None:
    import esgui.audit.report as report_module

    _long(store, 5000)
    original = report_module._tick

    def interrupt(progress, should_stop, done, total):
        original(progress, should_stop, done, total)
        if done > total // 2:  # inside the listing: the PDF is half written
            raise KeyboardInterrupt

    monkeypatch.setattr(report_module, "_tick", interrupt)
    code, _out, _err = cli("report", "L1", "--output", str(tmp_path / "x.pdf"))
    assert code == 130
    assert [p.name for p in tmp_path.iterdir() if p.suffix == ".pdf" or ".part" in p.name] == []


def test_cli_summary_progress_and_full_verify(history, cli, tmp_path: Path) -> None:
    code, out, err = cli("report", "A1", "--summary", "--full-verify", "--progress",
                         "--output", str(tmp_path / "s.pdf"))  # fmt: skip
    assert code == 0, err
    assert "(summary): 4 events" in out and "integrity intact" in out
    assert "verification: a full verify of all 9 events" in out
    assert "report" in err  # the bar, although stderr is no terminal
