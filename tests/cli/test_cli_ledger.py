"""`transfer`, `accounts --at` and `events --correlation`: shapes, exit codes, and
nothing appended on a refusal."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

import esgui
from esgui.cli import main


@pytest.fixture
def cli(store_url, capsys, monkeypatch):
    monkeypatch.delenv("ESGUI_READ_ONLY", raising=False)
    monkeypatch.setenv("ESGUI_USER", "carol")

    def run(*args: str) -> tuple[int, str, str]:
        code = main(["--db", store_url, *args])
        out, err = capsys.readouterr()
        return code, out, err

    return run


@pytest.fixture
def two(cli) -> None:
    assert cli("open", "A1", "--owner", "Alice", "--initial", "100.00")[0] == 0
    assert cli("open", "B1", "--owner", "Bob")[0] == 0


def _head(url: str) -> tuple[int, str]:
    with esgui.open_store(url) as store:
        return store.head()


def test_transfer_and_its_correlation(cli, two) -> None:
    code, out, _ = cli("transfer", "A1", "B1", "12.50", "--reference", "invoice 7")
    assert code == 0 and "A1" in out and "87.50" in out and "12.50" in out
    lines = cli("events", "--json")[1].splitlines()
    sent, received = (json.loads(line) for line in lines[-2:])
    assert sent["data"] == {"amount": "12.50", "counterparty": "B1", "reference": "invoice 7"}
    correlation = sent["metadata"]["correlation_id"]
    assert received["metadata"]["correlation_id"] == correlation
    code, out, _ = cli("events", "--correlation", correlation, "--json")
    assert [json.loads(line)["position"] for line in out.splitlines()] == [3, 4]
    text = cli("events", "--correlation", correlation)[1]
    assert "to B1" in text and "from A1" in text
    assert cli("events", "B1", "--correlation", correlation, "--json")[1].count("\n") == 1
    assert cli("events", "--correlation", "nothing-like-it")[1] == ""


@pytest.mark.parametrize(
    ("args", "code", "words"),
    [
        (("A1", "B1", "100.01"), 1, "Insufficient funds"),
        (("A1", "A1", "1.00"), 2, "two different accounts"),
        (("A1", "ZZ", "1.00"), 1, "Unknown account 'ZZ'"),
        (("A1", "B1", "-1"), 2, "Invalid amount"),
        (("A1", "B1", "1.00", "--reference", "x" * 300), 2, "reference"),
    ],
)
def test_transfer_refusals(cli, two, store_url, args, code, words) -> None:
    before = _head(store_url)
    result, out, err = cli("transfer", *args)
    assert (result, out) == (code, "")
    assert words in err and "Traceback" not in err and len(err.splitlines()) == 1
    assert _head(store_url) == before


def test_accounts_at_has_the_shape_of_accounts(cli, two, store_url) -> None:
    middle = datetime.now(UTC).isoformat()
    assert cli("transfer", "A1", "B1", "30.00")[0] == 0
    now = json.loads(cli("accounts", "--json")[1])
    at_now = json.loads(cli("accounts", "--at", datetime.now(UTC).isoformat(), "--json")[1])
    assert at_now == now  # same keys, same values
    then = json.loads(cli("accounts", "--at", middle, "--json")[1])
    assert [(a["account_id"], a["balance"], a["version"]) for a in then] == [
        ("A1", "100.00", 1),
        ("B1", "0.00", 1),
    ]
    code, out, _ = cli("accounts", "--at", middle)
    assert code == 0 and "2 accounts (2 open, 0 closed) · total balance 100.00" in out
    assert json.loads(cli("accounts", "--at", "2001-01-01", "--json")[1]) == []
    code, _out, err = cli("accounts", "--at", "yesterday")
    assert code == 2 and "Invalid time" in err


def test_export_by_correlation(cli, two, tmp_path) -> None:
    assert cli("transfer", "A1", "B1", "5.00")[0] == 0
    correlation = json.loads(cli("events", "--json")[1].splitlines()[-1])["metadata"][
        "correlation_id"
    ]
    out = tmp_path / "legs.jsonl"
    assert cli("export", "--format", "jsonl", "--correlation", correlation,
               "--output", str(out))[0] == 0  # fmt: skip
    lines = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    legs = [line for line in lines if line.get("event_type", "").startswith("Transfer")]
    assert {leg["aggregate_id"] for leg in legs} == {"A1", "B1"}
    assert not [line for line in lines if line.get("event_type") == "AccountOpened"]
