"""Future-dated events (issue 10 item 9): appends and imports refuse events more than
the allowed skew (ESGUI_MAX_CLOCK_SKEW, default 300 s) ahead of the clock, and a
far-future head already stored never freezes time: new events get the real time,
time travel keeps working. Both engines."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

import esgui
from esgui.audit.export import export_events
from esgui.cli import main
from esgui.store import NewEvent
from esgui.store import appends as store_appends


def _event(when: datetime, **data) -> NewEvent:
    return NewEvent("MoneyDeposited", {"amount": "1.00", **data}, {"user": "alice"},
                    schema_version=2, recorded_at=when)  # fmt: skip


@pytest.fixture
def opened(store):
    esgui.Accounts(store, user="alice").open("A1", owner="Alice", initial="10.00")
    return store


def test_far_future_appends_are_refused(opened, monkeypatch) -> None:
    monkeypatch.delenv("ESGUI_MAX_CLOCK_SKEW", raising=False)
    for when in (datetime(9999, 12, 31, tzinfo=UTC), datetime.now(UTC) + timedelta(minutes=6)):
        with pytest.raises(esgui.InvalidInput, match="ahead of this machine's clock"):
            opened.append("A1", 1, [_event(when)])
    assert opened.current_version("A1") == 1
    # within the skew: accepted (a client clock a little fast)
    opened.append("A1", 1, [_event(datetime.now(UTC) + timedelta(minutes=4))])
    assert opened.current_version("A1") == 2


def test_the_skew_is_configurable(opened, monkeypatch) -> None:
    monkeypatch.setenv("ESGUI_MAX_CLOCK_SKEW", "0")
    with pytest.raises(esgui.InvalidInput, match="0 s ahead"):
        opened.append("A1", 1, [_event(datetime.now(UTC) + timedelta(seconds=30))])
    monkeypatch.setenv("ESGUI_MAX_CLOCK_SKEW", "3600")
    opened.append("A1", 1, [_event(datetime.now(UTC) + timedelta(minutes=30))])
    for bad in ("abc", "-1", "nan", "100000"):
        monkeypatch.setenv("ESGUI_MAX_CLOCK_SKEW", bad)
        with pytest.raises(esgui.InvalidInput, match="ESGUI_MAX_CLOCK_SKEW"):
            esgui.Accounts(opened, user="alice").deposit("A1", "1.00")
    assert opened.current_version("A1") == 2


def test_a_far_future_head_does_not_freeze_time(opened, monkeypatch) -> None:
    """A head written before the rule (or behind esgui's back) is not followed."""
    monkeypatch.setattr(store_appends, "check_not_future", lambda *_a: None)  # old esgui
    opened.append("A1", 1, [_event(datetime(9999, 12, 31, tzinfo=UTC))])
    monkeypatch.undo()
    accounts = esgui.Accounts(opened, user="alice")
    before = datetime.now(UTC)
    accounts.deposit("A1", "2.00")
    after = datetime.now(UTC)
    last = list(opened.read_stream("A1"))[-1]
    assert before - timedelta(seconds=1) <= last.recorded_at <= after + timedelta(seconds=1)
    assert last.version == 3 and last.position > 2  # position order stays the truth
    # time travel: "now" gives the latest version recorded by now (the far-future
    # event's effect included, as the log's order says)
    assert accounts.state("A1", at_time=datetime.now(UTC)).version == 3
    opened_at = next(opened.read_stream("A1")).recorded_at
    assert accounts.state("A1", at_time=opened_at).version == 1


def test_a_head_slightly_ahead_keeps_times_monotonic(opened) -> None:
    ahead = datetime.now(UTC) + timedelta(seconds=60)
    opened.append("A1", 1, [_event(ahead)])
    esgui.Accounts(opened, user="alice").deposit("A1", "1.00")
    times = [e.recorded_at for e in opened.read_stream("A1")]
    assert times == sorted(times) and times[-1] == ahead


def test_import_refuses_a_future_dated_file_whole(opened, tmp_path: Path, monkeypatch) -> None:
    accounts = esgui.Accounts(opened, user="alice")
    accounts.deposit("A1", "1.00")
    monkeypatch.setattr(store_appends, "check_not_future", lambda *_a: None)  # old esgui
    opened.append("A1", 2, [_event(datetime(9999, 12, 31, tzinfo=UTC))])
    monkeypatch.undo()
    out = tmp_path / "future.jsonl"
    export_events(opened, "jsonl", out)
    copy = f"sqlite:///{tmp_path / 'copy.db'}"
    assert main(["--db", copy, "import", str(out)]) == 2
    with esgui.open_store(copy) as target:
        assert target.head()[0] == 0, "nothing was imported"
    lines = out.read_text().splitlines()
    assert json.loads(lines[3])["recorded_at"].startswith("9999-12-31")
