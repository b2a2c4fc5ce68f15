"""esgui on a real hot standby: read-only by itself, everything that reads works and
equals the primary, every write is refused (exit 5) and changes nothing."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime
from pathlib import Path

import pytest

import esgui
from esgui.app.stores import describe_url
from esgui.errors import NotPermitted
from esgui.projections import AccountProjector
from esgui.store import ReviewNote
from tests.replication.conftest import Replicated

REFUSAL = "this server is a read-only standby; write to the primary"


@pytest.fixture
def history(replicated: Replicated) -> datetime:
    """A small history written on the primary and replayed by the standby; returns a
    time in its middle."""
    with esgui.open_store(replicated.primary) as store:
        accounts = esgui.Accounts(store, user="alice")
        accounts.open("A1", owner="Alice", initial="100.00")
        accounts.open("B2", owner="Bob", initial="5.00")
        accounts.deposit("A1", "0.10")
        middle = datetime.now(UTC)
        accounts.withdraw("A1", "30.00")
        accounts.withdraw("B2", "5.00")
        accounts.close("B2")
        AccountProjector(store).catch_up()
        accounts.deposit("A1", "1.01")  # after the checkpoint: folded in memory there
    replicated.pair.wait_replayed()
    return middle


def test_standby_is_detected_and_read_only(replicated: Replicated, history: datetime) -> None:
    with esgui.open_store(replicated.standby) as standby:
        assert standby.standby and standby.read_only
        standby.read_only = False  # the GUI's toggle cannot make a standby writable
        assert standby.read_only
        status = standby.replication_status()
        assert status.standby and status.server == f"127.0.0.1:{replicated.pair.standby_port}"
        assert "standby" in status.describe() and "read-only" in status.describe()
    with esgui.open_store(replicated.primary) as primary:
        assert not primary.standby and not primary.read_only
        assert primary.replication_status().describe().startswith("primary 127.0.0.1:")


def _answer(stdout: str) -> list[str]:
    """A command's figures, without what depends on where it ran: where a verification
    was recorded (a standby records nothing), and which recorded verification a report
    relies on (the primary's was witnessed under the primary's URL only)."""
    kept = []
    for line in stdout.splitlines():
        if line.startswith("verification:"):
            continue
        if line.startswith("checked:"):
            line = line.split("; ")[0]
        if line.startswith("Wrote "):
            line = line.split("; integrity")[0]
        kept.append(line)
    return kept


def test_reads_on_the_standby_equal_the_primary(
    replicated: Replicated, history: datetime, tmp_path: Path
) -> None:
    with esgui.open_store(replicated.primary) as p, esgui.open_store(replicated.standby) as s:
        pa, sa = esgui.Accounts(p, user="x"), esgui.Accounts(s, user="x")
        for account in ("A1", "B2"):
            assert sa.state(account) == pa.state(account)
            for version in range(1, p.current_version(account) + 1):
                assert sa.state(account, at_version=version) == pa.state(
                    account, at_version=version
                )
            assert sa.state(account, at_time=history) == pa.state(account, at_time=history)
        assert list(s.read_all()) == list(p.read_all())
        assert s.head() == p.head()
        assert AccountProjector(s).current() == AccountProjector(p).current()
    for args in (
        ("verify",),
        ("state", "A1", "--json"),
        ("state", "A1", "--at-version", "2"),
        ("accounts", "--json"),
        ("events", "--json"),
        ("export", "--format", "csv"),
        ("diff", "A1", "1", "3"),
        ("projections", "check"),
        ("report", "A1", "--output", str(tmp_path / "a1.pdf")),
    ):
        on_primary = replicated.main(replicated.primary, *args)
        on_standby = replicated.main(replicated.standby, *args)
        assert on_standby.returncode == 0, on_standby.stderr
        # the same answer; only where the run was recorded differs (a standby takes no
        # write: "not recorded in the store: it is open read-only")
        assert _answer(on_standby.stdout) == _answer(on_primary.stdout), args
    assert (
        json.loads(replicated.cli(replicated.standby, "state", "A1", "--json").stdout)["balance"]
        == "71.11"
    )


WRITES = [
    ("deposit", "A1", "1.00"), ("withdraw", "A1", "1.00"), ("open", "C3", "--owner", "Carol"),
    ("close", "A1"), ("projections", "update"), ("projections", "rebuild"),
    ("notes", "add", "--account", "A1", "looked at it"),
    ("seed", "--accounts", "2", "--events", "4"),
]  # fmt: skip


def _everything(url: str) -> tuple:
    with esgui.open_store(url) as store:
        return (list(store.read_all()), store.projection("account_summary").checkpoint(),
                store.notes.count())  # fmt: skip


def test_every_write_on_the_standby_exits_5_and_changes_nothing(
    replicated: Replicated, history: datetime
) -> None:
    before = _everything(replicated.primary)
    for n, args in enumerate(WRITES):
        run = replicated.cli if n == 0 else replicated.main  # one in a process of its own
        done = run(replicated.standby, *args)
        assert done.returncode == 5, (args, done.stderr)
        assert REFUSAL in done.stderr and "Traceback" not in done.stderr, args
    replicated.pair.wait_replayed()
    assert _everything(replicated.primary) == before
    assert _everything(replicated.standby) == before


def test_api_writes_on_the_standby_are_refused(replicated: Replicated, history: datetime) -> None:
    with esgui.open_store(replicated.standby) as standby:
        head = standby.head()
        accounts = esgui.Accounts(standby, user="x")
        with pytest.raises(NotPermitted, match=REFUSAL):
            accounts.deposit("A1", "1.00")
        with pytest.raises(NotPermitted, match=REFUSAL):
            standby.append("Z9", 0, [esgui.NewEvent("AccountOpened", {"owner": "Z"}, {})])
        with pytest.raises(NotPermitted, match=REFUSAL):
            AccountProjector(standby).catch_up()
        with pytest.raises(NotPermitted, match=REFUSAL):
            standby.writer()
        with pytest.raises(NotPermitted, match=REFUSAL), standby.exclusive():
            pass
        note = ReviewNote(str(uuid.uuid4()), "account", None, "A1", "seen", "x",
                          datetime.now(UTC))  # fmt: skip
        with pytest.raises(NotPermitted, match=REFUSAL):
            standby.notes.add(note)  # not even beside the ledger
        with pytest.raises(NotPermitted, match=REFUSAL):
            standby.notes.insert_missing([note])
        standby.save_snapshots("A1", [(4, 1, {"balance": "0.00"})])  # derived: skipped
        # derived data is skipped, not an error: replay works and saves no snapshot
        assert accounts.state("A1").version == 4
        assert standby.head() == head


def test_multi_host_urls_reach_the_primary_and_are_shown_masked(replicated: Replicated) -> None:
    pair = replicated.pair
    # standby listed first: target_session_attrs=read-write skips it
    url = (f"postgresql+psycopg://postgres:secret@/test?host=127.0.0.1:{pair.standby_port}"
           f"&host=127.0.0.1:{pair.primary_port}&target_session_attrs=read-write"
           f"&options=-csearch_path%3D{replicated.schema}")  # fmt: skip
    libpq = (f"postgresql://postgres:secret@127.0.0.1:{pair.standby_port},"
             f"127.0.0.1:{pair.primary_port}/test?target_session_attrs=read-write"
             f"&options=-csearch_path%3D{replicated.schema}")  # fmt: skip
    for form in (url, libpq):
        with esgui.open_store(form) as store:
            assert not store.standby
            assert store.server == f"127.0.0.1:{pair.primary_port}"
            esgui.Accounts(store, user="x").open(f"M{len(form)}", owner="Multi")
            shown = describe_url(form)
            assert "secret" not in shown and "***" in shown
            assert f"127.0.0.1:{pair.standby_port}" in shown
            assert f"127.0.0.1:{pair.primary_port}" in shown
    done = replicated.cli(libpq, "deposit", f"M{len(libpq)}", "2.00")
    assert done.returncode == 0, done.stderr
