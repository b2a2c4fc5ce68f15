"""The esgui command line: CONTRACTS §3 shapes, exit codes and error rules."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import datetime

import pytest

import esgui
from esgui.cli import main


@pytest.fixture
def cli(store_url, capsys, monkeypatch):
    monkeypatch.delenv("ESGUI_READ_ONLY", raising=False)
    monkeypatch.setenv("ESGUI_USER", "carol")

    def run(*args: str, db: str | None = store_url) -> tuple[int, str, str]:
        argv = (["--db", db] if db else []) + list(args)
        code = main(argv)
        out, err = capsys.readouterr()
        return code, out, err

    return run


def head(url: str) -> tuple[int, str]:
    with esgui.open_store(url) as store:
        return store.head()


def test_session_of_commands(cli) -> None:
    assert cli("open", "A1", "--owner", "Alice", "--initial", "100.00")[0] == 0
    assert cli("deposit", "A1", "0.10")[0] == 0
    code, out, _ = cli("withdraw", "A1", "5.00")
    assert code == 0 and "95.10" in out
    code, out, _ = cli("state", "A1", "--json")
    state = json.loads(out)
    assert {k: state[k] for k in ("account_id", "owner", "balance", "status", "version")} == {
        "account_id": "A1",
        "owner": "Alice",
        "balance": "95.10",
        "status": "open",
        "version": 3,
    }
    assert json.loads(cli("state", "A1", "--json", "--at-version", "2")[1])["balance"] == "100.10"


def test_state_at_time_and_naive_time_is_utc(cli, store_url) -> None:
    cli("open", "A1", "--owner", "Alice", "--initial", "1.00")
    cli("deposit", "A1", "1.00")
    with esgui.open_store(store_url) as store:
        first = next(store.read_stream("A1")).recorded_at
    naive = first.replace(tzinfo=None).isoformat()
    code, out, _ = cli("state", "A1", "--at", naive, "--json")
    assert code == 0 and json.loads(out)["version"] == 1
    code, out, _ = cli("state", "A1", "--at", first.astimezone().isoformat(), "--json")
    assert json.loads(out)["version"] == 1


def test_events_json_lines_shape(cli) -> None:
    cli("open", "A1", "--owner", "Alice", "--initial", "1.00")
    cli("open", "B1", "--owner", "Bob")
    cli("deposit", "A1", "2.00")
    code, out, _ = cli("events", "--json")
    rows = [json.loads(line) for line in out.splitlines()]
    assert code == 0 and [r["position"] for r in rows] == [1, 2, 3]
    first = rows[0]
    for key in (
        "position",
        "event_id",
        "aggregate_id",
        "aggregate_type",
        "event_type",
        "version",
        "data",
        "metadata",
        "recorded_at",
    ):
        assert key in first
    assert first["metadata"]["user"] == "carol"
    when = datetime.fromisoformat(first["recorded_at"])
    assert first["recorded_at"].endswith("+00:00") and when.utcoffset().total_seconds() == 0
    assert [
        json.loads(x)["position"] for x in cli("events", "--after", "1", "--json")[1].splitlines()
    ] == [2, 3]
    assert len(cli("events", "--limit", "1", "--json")[1].splitlines()) == 1
    only = cli("events", "A1", "--type", "MoneyDeposited", "--json")[1].splitlines()
    assert [json.loads(x)["position"] for x in only] == [3]
    assert cli("events", "--operator", "nobody")[1] == ""


def test_accounts_catch_up_first(cli) -> None:
    cli("open", "A1", "--owner", "Alice", "--initial", "3.00")
    cli("deposit", "A1", "0.30")
    code, out, _ = cli("accounts", "--json")
    rows = json.loads(out)
    assert code == 0 and len(rows) == 1
    assert {k: rows[0][k] for k in ("account_id", "owner", "balance", "status", "version")} == {
        "account_id": "A1",
        "owner": "Alice",
        "balance": "3.30",
        "status": "open",
        "version": 2,
    }
    code, out, _ = cli("accounts")
    assert "Alice" in out and "3.30" in out


def test_projections_update_and_rebuild(cli) -> None:
    cli("open", "A1", "--owner", "Alice")
    code, out, _ = cli("projections", "update")
    assert code == 0 and "1 event applied" in out
    code, out, _ = cli("projections", "rebuild")
    assert code == 0 and "checkpoint 1" in out


@pytest.mark.parametrize(("args", "code", "fragment"), [
    (("withdraw", "A1", "1000000.00"), 1,
     "Insufficient funds: balance 10.00, requested 1000000.00"),
    (("open", "A1", "--owner", "Again"), 1, "already open"),
    (("close", "A1"), 1, "withdraw it first"),
    (("deposit", "NOPE", "1.00"), 1, "Unknown account"),
    (("deposit", "A1", "1e5"), 2, "Invalid amount"),
    (("deposit", "A1", "-5"), 2, "Invalid amount"),
    (("deposit", "A1", "NaN"), 2, "Invalid amount"),
    (("deposit", "A1", "1,000"), 2, "Invalid amount"),
    (("deposit", "A1", "１"), 2, "Invalid amount"),
    (("deposit", "A1", ""), 2, "Invalid amount"),
    (("deposit", "A1", "0.001"), 2, "Invalid amount"),
    (("deposit", "A1", "1000000000000.01"), 2, "largest amount"),
    (("deposit", "bad id!", "1.00"), 2, "Invalid account id"),
    (("deposit", "x" * 10_000, "1.00"), 2, "longer than 64"),
    (("open", "B1", "--owner", "", "--initial", "1"), 2, "Invalid owner"),
    (("deposit", "A1"), 2, "required"),
    (("frobnicate",), 2, "invalid choice"),
    (("state", "A1", "--at-version", "x"), 2, "not a whole number"),
    (("state", "A1", "--at", "yesterday"), 2, "Invalid time"),
    (("state", "A1", "--at-version", "99"), 2, "no version 99"),
    (("state", "NOPE"), 1, "Unknown account"),
    (("events", "--limit", "-1"), 2, "must be 0 or more"),
    (("seed", "--accounts", "5", "--events", "2"), 2, "at least the number of accounts"),
])  # fmt: skip
def test_failures_are_one_line_with_the_right_code_and_append_nothing(
    cli, store_url, args, code, fragment
) -> None:
    cli("open", "A1", "--owner", "Alice", "--initial", "10.00")
    before = head(store_url)
    got, out, err = cli(*args)
    assert got == code
    assert fragment in err
    assert err.count("\n") == 1 and "Traceback" not in err
    assert head(store_url) == before


def test_read_only_refuses_commands_with_exit_5(cli, store_url, monkeypatch) -> None:
    cli("open", "A1", "--owner", "Alice", "--initial", "1.00")
    before = head(store_url)
    assert cli("--read-only", "deposit", "A1", "1.00")[0] == 5
    monkeypatch.setenv("ESGUI_READ_ONLY", "1")
    code, _, err = cli("deposit", "A1", "1.00")
    assert code == 5 and "read-only" in err
    assert cli("state", "A1")[0] == 0
    assert cli("events")[0] == 0
    assert cli("accounts", "--json")[0] == 0
    assert head(store_url) == before


def test_store_errors_exit_4_and_hide_passwords(cli, tmp_path) -> None:
    code, _, err = cli("state", "A1", db="postgresql://bob:hunter2@127.0.0.1:1/db")
    assert code == 4 and "hunter2" not in err and "***" in err
    garbage = tmp_path / "garbage.db"
    garbage.write_bytes(b"not a database at all" * 100)
    code, _, err = cli("accounts", db=f"sqlite:///{garbage}")
    assert code == 4 and "not a readable esgui store" in err
    code, _, err = cli("accounts", db=f"sqlite:///{tmp_path}/missing/x.db")
    assert code == 4 and "does not exist" in err


def test_seed_is_deterministic_and_obeys_rules(tmp_path, capsys) -> None:
    urls = [f"sqlite:///{tmp_path / name}.db" for name in ("one", "two")]
    for url in urls:
        assert main(["--db", url, "seed", "--accounts", "6", "--events", "300", "--seed", "9"]) == 0
    capsys.readouterr()
    histories = []
    for url in urls:
        with esgui.open_store(url) as store:
            histories.append(
                [
                    (e.aggregate_id, e.version, e.event_type, e.data, e.recorded_at.date())
                    for e in store.read_all()
                ]
            )
    assert histories[0] == histories[1]
    assert len(histories[0]) == 300


def test_python_dash_m_and_console_script_have_no_traceback(store_url, tmp_path) -> None:
    env = {**os.environ, "ESGUI_DB": store_url, "ESGUI_USER": "dora"}
    ok = subprocess.run(
        [sys.executable, "-m", "esgui", "open", "Z1", "--owner", "Zed"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert ok.returncode == 0, ok.stderr
    bad = subprocess.run(
        [sys.executable, "-m", "esgui", "withdraw", "Z1", "5.00"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert bad.returncode == 1
    assert bad.stderr.strip() == "esgui: Insufficient funds: balance 0.00, requested 5.00"
    piped = subprocess.run(
        f'"{sys.executable}" -m esgui events | head -c 10',
        shell=True,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert "Traceback" not in piped.stderr
