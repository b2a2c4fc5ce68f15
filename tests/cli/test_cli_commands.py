"""Every subcommand is registered, has a working `--help`, dispatches to its handler and
is (or is not) refused in read-only mode as docs/audit.md says."""

from __future__ import annotations

import contextlib
import io
import re
import sys
import types
from pathlib import Path

import pytest

import esgui
from esgui.cli import main

# Top-level commands, in the order `esgui --help` lists them.
COMMANDS = (
    "open", "deposit", "withdraw", "transfer", "close", "state", "events", "accounts",
    "projections", "seed", "verify", "diff", "export", "import", "report", "statement",
    "notes", "query", "queries", "stats", "gui",
)  # fmt: skip
# Every parser of its own (`projections` takes its action as an argument).
PATHS = [(name,) for name in COMMANDS] + [("notes", "add"), ("notes", "list"),
    ("queries", "save"), ("queries", "list"), ("queries", "run")]  # fmt: skip
# Refused with --read-only before the store is opened (docs/audit.md, "Read-only mode").
WRITING = [
    ("open", "N1", "--owner", "Nina"),
    ("deposit", "A1", "1.00"),
    ("withdraw", "A1", "1.00"),
    ("transfer", "A1", "B1", "1.00"),
    ("close", "B1"),
    ("seed", "--accounts", "1", "--events", "1"),
    ("import", "{tmp}/in.jsonl"),
    ("projections", "update"),
    ("projections", "rebuild"),
]


@pytest.fixture
def cli(capsys, monkeypatch):
    monkeypatch.delenv("ESGUI_READ_ONLY", raising=False)
    monkeypatch.setenv("ESGUI_USER", "carol")

    def run(*args: str) -> tuple[int, str, str]:
        code = main(list(args))
        out, err = capsys.readouterr()
        return code, out, err

    return run


@pytest.fixture
def ledger(cli, store_url: str, tmp_path: Path) -> str:
    """A store with A1 (12.50, two events), B1 (empty), a review note and an export of
    it all in {tmp}/in.jsonl."""
    with esgui.open_store(store_url) as store:
        accounts = esgui.Accounts(store, user="alice")
        accounts.open("A1", owner="Alice", initial="10.00")
        accounts.deposit("A1", "2.50")
        accounts.open("B1", owner="Bob")
    assert cli("--db", store_url, "notes", "add", "--account", "A1", "seen by carol")[0] == 0
    assert cli("--db", store_url, "export", "--format", "jsonl", "--output",
               str(tmp_path / "in.jsonl"))[0] == 0  # fmt: skip
    return store_url


def _argv(args: tuple[str, ...], tmp_path: Path) -> list[str]:
    return [arg.replace("{tmp}", str(tmp_path)) for arg in args]


def _help(*path: str) -> str:
    """The output of `esgui PATH… --help`, which exits 0 from inside argparse."""
    out = io.StringIO()
    with contextlib.redirect_stdout(out), pytest.raises(SystemExit) as done:
        main([*path, "--help"])
    assert done.value.code == 0
    return out.getvalue()


def test_top_level_help_lists_every_command_in_order() -> None:
    assert tuple(re.findall(r"^    (\S+)", _help(), re.M)) == COMMANDS


@pytest.mark.parametrize("path", PATHS, ids=" ".join)
def test_every_command_has_help(path: tuple[str, ...]) -> None:
    text = _help(*path)
    assert text.startswith(f"usage: esgui {' '.join(path)}")
    assert "Traceback" not in text


@pytest.mark.parametrize(("args", "fragment"), [
    (("open", "C1", "--owner", "Carol"), "Opened C1 for Carol with 0.00 (version 1)"),
    (("deposit", "A1", "1.00"), "Deposited 1.00 into A1: balance 13.50 (version 3)"),
    (("withdraw", "A1", "2.50"), "Withdrew 2.50 from A1: balance 10.00 (version 3)"),
    (("close", "B1"), "Closed B1 (version 2)"),
    (("state", "A1"), "balance  12.50"),
    (("events", "A1"), "MoneyDeposited"),
    (("accounts",), "Alice"),
    (("projections", "update"), "Caught up the account projection: 3 events applied"),
    (("projections", "rebuild"), "Rebuilt the account projection: 3 events applied"),
    (("projections", "check"), "consistent: no drift"),
    (("seed", "--accounts", "2", "--events", "4"), "Seeded 4 events over 2 accounts"),
    (("verify",), "intact: 3 events"),
    (("diff", "A1", "1", "2"), "A1: version 1 → 2"),
    (("export", "--format", "csv", "--output", "{tmp}/out.csv"),
     "Exported 3 events and 1 review note"),
    (("import", "{tmp}/in.jsonl"), "Imported 0 events (3 already present)"),
    (("report", "A1", "--output", "{tmp}/a1.pdf"), "Wrote "),
    (("notes", "add", "--event", "{event}", "odd amount"), "Noted "),
    (("notes", "list"), "seen by carol"),
    (("query", "SELECT account, amount FROM event_log"), "A1\t2.50"),
    (("queries", "save", "mine", "SELECT 1 AS one"), "Saved query 'mine' by carol"),
    (("queries", "list"), "No saved queries yet"),
    (("stats", "--by", "type"), "MoneyDeposited"),
])  # fmt: skip
def test_every_command_dispatches(cli, ledger, tmp_path, args, fragment) -> None:
    with esgui.open_store(ledger) as store:
        event = next(store.read_stream("A1")).event_id
    argv = [arg.replace("{event}", str(event)) for arg in _argv(args, tmp_path)]
    code, out, err = cli("--db", ledger, *argv)
    assert (code, err) == (0, "")
    assert fragment in out


def test_gui_starts_the_desktop_app_with_the_global_options(cli, monkeypatch) -> None:
    calls: list[tuple[str | None, str | None, bool]] = []

    def run_gui(db_url: str | None, *, user: str | None = None, read_only: bool = False) -> int:
        calls.append((db_url, user, read_only))
        return 0

    # A stand-in for esgui.ui: the CLI only needs its run_gui, and Qt stays unloaded.
    monkeypatch.setitem(sys.modules, "esgui.ui", types.SimpleNamespace(run_gui=run_gui))
    assert cli("--db", "sqlite:///x.db", "--user", "dora", "gui")[0] == 0
    monkeypatch.setenv("ESGUI_READ_ONLY", "1")
    assert cli("gui")[0] == 0
    assert calls == [("sqlite:///x.db", "dora", False), (None, None, True)]


@pytest.mark.parametrize("args", WRITING, ids=" ".join)
def test_read_only_refuses_writing_commands_before_opening_the_store(
    cli, ledger, tmp_path, args
) -> None:
    with esgui.open_store(ledger) as store:
        before = store.head()
    code, out, err = cli("--db", ledger, "--read-only", *_argv(args, tmp_path))
    assert code == 5 and out == "" and "read-only mode" in err
    with esgui.open_store(ledger) as store:
        assert store.head() == before
    missing = tmp_path / "missing.db"
    code, _, err = cli("--db", f"sqlite:///{missing}", "--read-only", *_argv(args, tmp_path))
    assert code == 5 and not missing.exists()


@pytest.mark.parametrize("args", [
    ("state", "A1"), ("events",), ("accounts",), ("verify",), ("diff", "A1", "1", "2"),
    ("projections", "check"), ("export", "--format", "jsonl"),
    ("report", "A1", "--output", "{tmp}/a1.pdf"), ("notes", "list"),
    # Adding a review note is allowed in read-only mode (docs/audit.md).
    ("notes", "add", "--account", "A1", "read-only review"),
    ("query", "SELECT count(*) FROM event_log"), ("stats",), ("queries", "list"),
    # Saving a query is allowed too, like a note (docs/query.md).
    ("queries", "save", "q1", "SELECT 1 AS one"),
], ids=" ".join)  # fmt: skip
def test_read_only_runs_reading_commands(cli, ledger, tmp_path, args) -> None:
    with esgui.open_store(ledger) as store:
        before = store.head()
    code, _, err = cli("--db", ledger, "--read-only", *_argv(args, tmp_path))
    assert (code, err) == (0, "")
    with esgui.open_store(ledger) as store:
        assert store.head() == before
