"""CLI consistency rules (issue 11) and the low-severity input cases of issue 10:
one rule for versions out of range, unknown event types, ESGUI_READ_ONLY failing closed,
times out of range. Every case is one line on stderr with its exit code, never a
traceback, and changes nothing."""

from __future__ import annotations

import pytest

import esgui
from esgui.cli import main
from esgui.config import READ_ONLY_FALSE, READ_ONLY_TRUE
from esgui.domain.events import EVENT_TYPES


@pytest.fixture
def cli(store_url, capsys, monkeypatch):
    monkeypatch.delenv("ESGUI_READ_ONLY", raising=False)
    monkeypatch.setenv("ESGUI_USER", "carol")

    def run(*args: str) -> tuple[int, str, str]:
        code = main(["--db", store_url, *args])
        out, err = capsys.readouterr()
        assert "Traceback" not in err
        return code, out, err

    return run


@pytest.mark.parametrize("version", ["0", "3", "99", "99999999999999999999"])
def test_versions_outside_one_to_current_are_one_rule(cli, version) -> None:
    assert cli("open", "A1", "--owner", "Alice")[0] == 0
    assert cli("deposit", "A1", "1.00")[0] == 0
    code, _, err = cli("state", "A1", "--at-version", version)
    assert code == 2, err
    assert f"'A1' has versions 1..2; there is no version {version}" in err


@pytest.mark.parametrize("version", ["0", "1", "99"])
def test_an_unknown_account_is_exit_1_at_any_version(cli, version) -> None:
    cli("open", "A1", "--owner", "Alice")
    code, _, err = cli("state", "NOPE", "--at-version", version)
    assert code == 1 and "Unknown account 'NOPE'" in err


@pytest.mark.parametrize("command", ["events", "export"])
def test_unknown_event_type_lists_the_known_ones(cli, command) -> None:
    cli("open", "A1", "--owner", "Alice")
    args = ["--format", "jsonl"] if command == "export" else []
    code, out, err = cli(command, *args, "--type", "Bogus")
    assert code == 2 and out == ""
    assert "unknown event type 'Bogus'" in err
    assert all(name in err for name in EVENT_TYPES)
    code, out, _ = cli(command, *args, "--type", "AccountOpened")
    assert code == 0 and "A1" in out


@pytest.mark.parametrize("flag", ["--since", "--until"])
@pytest.mark.parametrize("when", ["0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-05:00"])
def test_times_out_of_range_in_utc_are_invalid_input(cli, flag, when) -> None:
    cli("open", "A1", "--owner", "Alice")
    code, _, err = cli("events", flag, when)
    assert code == 2 and "out of range" in err
    code, _, err = cli("state", "A1", "--at", when)
    assert code == 2 and "out of range" in err


@pytest.mark.parametrize("value", ["y", "Y", "enabled", "readonly", "read-only", "TRUE", " 1 "])
def test_recognised_read_only_values_mean_read_only(cli, monkeypatch, store_url, value) -> None:
    cli("open", "A1", "--owner", "Alice")
    monkeypatch.setenv("ESGUI_READ_ONLY", value)
    code = main(["--db", store_url, "deposit", "A1", "1.00"])
    assert code == 5
    with esgui.open_store(store_url) as store:
        assert store.current_version("A1") == 1


@pytest.mark.parametrize("value", ["2", "maybe", "tru", "-1", "yes please"])
def test_unrecognised_read_only_values_fail_closed(cli, monkeypatch, capsys, store_url, value):
    cli("open", "A1", "--owner", "Alice")
    monkeypatch.setenv("ESGUI_READ_ONLY", value)
    for args in (["deposit", "A1", "1.00"], ["accounts"], ["--read-only", "accounts"]):
        argv = ["--db", store_url, *args] if args[0] != "--read-only" else [
            "--read-only", "--db", store_url, *args[1:]]  # fmt: skip
        assert main(argv) == 2
        assert "ESGUI_READ_ONLY" in capsys.readouterr().err
    with esgui.open_store(store_url) as store:
        assert store.current_version("A1") == 1


def test_read_write_values(cli, monkeypatch, store_url) -> None:
    cli("open", "A1", "--owner", "Alice")
    for value in ("0", "false", "no", "off", ""):
        monkeypatch.setenv("ESGUI_READ_ONLY", value)
        assert main(["--db", store_url, "deposit", "A1", "1.00"]) == 0
    assert not READ_ONLY_TRUE & READ_ONLY_FALSE


def test_notes_add_takes_a_position(cli, store_url) -> None:
    cli("open", "A1", "--owner", "Alice")
    cli("deposit", "A1", "1.00")
    code, out, _ = cli("notes", "add", "--position", "2", "check the slip")
    assert code == 0 and "of account A1" in out
    with esgui.open_store(store_url) as store:
        (note,) = store.notes.find()
        second = list(store.read_stream("A1"))[1]
        assert note.event_id == second.event_id
    code, _, err = cli("notes", "add", "--position", "3", "x")
    assert code == 1 and "No event at position 3: the log holds positions 1..2" in err
    code, _, err = cli("notes", "add", "--position", "2", "--account", "A1", "x")
    assert code == 2 and "not allowed with" in err


@pytest.mark.parametrize(
    "accounts, events", [("1000000000", "1000000000"), ("10", "1000000000"), ("2000000", "3000000")]
)
def test_seed_is_bounded(cli, tmp_path, accounts, events, capsys) -> None:
    fresh = tmp_path / "seed.db"
    code = main(["--db", f"sqlite:///{fresh}", "seed", "--accounts", accounts,
                 "--events", events])  # fmt: skip
    assert code == 2 and "A seed run writes at most" in capsys.readouterr().err
    assert not fresh.exists(), "nothing was created"
