"""The "Balances as of T" statement: PDF and CSV, with the head hash and the verdict of a
verification made with it; `esgui statement`."""

from __future__ import annotations

import csv
from datetime import timedelta
from pathlib import Path

from pypdf import PdfReader

from esgui.audit.statement import build_statement, write_statement
from esgui.audit.verify import verify_store
from tests.audit.audit_helpers import START


def _pdf_text(path: Path) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(str(path)).pages)


def test_statement_as_of_a_time(history, tmp_path) -> None:
    # after position 6 (C1 opened): A1 120.00, B1 20.00, C1 10.00
    when = START + timedelta(hours=5, minutes=30)
    statement = build_statement(history, when, user="auditor")
    b = statement.balances
    assert [(a.account_id, str(a.balance), a.status) for a in b.accounts] == [
        ("A1", "120.00", "open"),
        ("B1", "20.00", "open"),
        ("C1", "10.00", "open"),
    ]
    assert str(b.total) == "150.00"
    assert statement.integrity.intact and statement.integrity.head_position == 9
    path = write_statement(statement, tmp_path / "st.csv", "csv")
    rows = list(csv.reader(path.read_text(encoding="utf-8").splitlines()))
    assert rows[0][:4] == ["account_id", "owner", "status", "balance"]
    assert rows[1][:4] == ["A1", "Alice Andersen", "open", "120.00"]
    assert rows[3][:4] == ["C1", "Chloé Costa", "open", "10.00"]
    text = path.read_text(encoding="utf-8")
    assert "# total balance 150.00" in text and history.head()[1] in text
    assert "verification when made: intact" in text
    pdf = _pdf_text(write_statement(statement, tmp_path / "st.pdf"))
    assert "Balances as of" in pdf and "INTACT" in pdf and "150.00" in pdf
    assert history.head()[1] in pdf.replace("\n", "")
    assert "Chloé Costa" in pdf


def test_a_tampered_store_says_so_and_a_stale_verification_is_redone(
    history, attacker, tmp_path
) -> None:
    stale = verify_store(history)
    attacker()('UPDATE events SET data = \'{"amount": "60.00"}\' WHERE position = 3')
    statement = build_statement(history, START + timedelta(days=1), integrity=stale)
    assert statement.integrity is stale  # same head: reused as the latest verification
    fresh = build_statement(history, START + timedelta(days=1))
    assert not fresh.integrity.intact and "TAMPERED" in fresh.verdict
    assert "TAMPERED" in _pdf_text(write_statement(fresh, tmp_path / "t.pdf"))
    history.append(
        "C1", 1, [__import__("esgui").NewEvent("MoneyDeposited", {"amount": "1.00"}, {"user": "x"})]
    )
    redone = build_statement(history, START + timedelta(days=1), integrity=stale)
    assert redone.integrity is not stale  # the head moved: verified again


def test_cli_statement(cli, history, tmp_path) -> None:
    code, out, _ = cli("statement", "--at", (START + timedelta(hours=2)).isoformat(),
                       "--output", str(tmp_path / "s.pdf"))  # fmt: skip
    assert code == 0 and "2 accounts" in out and "integrity intact" in out
    code, out, _ = cli("statement", "--at", "2999-01-01", "--csv",
                       "--output", str(tmp_path / "s.csv"))  # fmt: skip
    assert code == 0 and (tmp_path / "s.csv").exists() and "total balance 135.25" in out
    code, out, err = cli("statement", "--at", "2999-01-01", "--output", str(tmp_path / "s.txt"))
    assert code == 2 and ".pdf" in err and not (tmp_path / "s.txt").exists()
    assert cli("statement", "--at", "no", "--output", str(tmp_path / "x.pdf"))[0] == 2


def test_the_account_report_shows_transfer_legs_with_their_counterparty(store, tmp_path) -> None:
    import esgui
    from esgui.audit.report import build_report, write_report

    accounts = esgui.Accounts(store, user="alice")
    accounts.open("A1", owner="Ann", initial="100.00")
    accounts.open("B1", owner="Bob")
    accounts.transfer("A1", "B1", "40.00", reference="rent")
    report = build_report(store, "A1")
    (line,) = [line for line in report.lines() if line.event_type == "TransferSent"]
    assert (line.counterparty, str(line.amount)) == ("to B1", "-40.00")
    assert (str(report.money_out), str(report.closing_balance)) == ("40.00", "60.00")
    pdf = _pdf_text(write_report(report, tmp_path / "r.pdf"))
    assert "TransferSent to B1" in pdf.replace("\n", " ")
