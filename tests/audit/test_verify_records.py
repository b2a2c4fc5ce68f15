"""Verification records and incremental verify, on SQLite and PostgreSQL in one run.

An attacker with SQL access (triggers dropped) edits events and forges records; a
recorded or incremental verification must never make a tampered store look intact.
"""

from __future__ import annotations

import dataclasses
import json
from datetime import UTC, datetime

import pytest
from sqlalchemy import insert

import esgui
from esgui.app.verify_memory import VerifyMemory
from esgui.audit.verify_recording import run_verification
from esgui.audit.verify_records import FULL, INCREMENTAL, check_records, verify_incremental
from esgui.cli import main
from esgui.errors import NotPermitted
from esgui.store import VerifyRun, record_hash
from esgui.store.schema import verify_runs
from tests.audit.audit_helpers import Attacker, ev, make_history
from tests.store import conftest as engines

# both engines in every run (the store contract suite's fixtures)
backend, location = engines.backend, engines.location


@pytest.fixture
def memory(tmp_path) -> VerifyMemory:
    return VerifyMemory(tmp_path / "memory.json")


def _append(store, count: int, account: str = "A1") -> None:
    for _ in range(count):
        version = store.current_version(account)
        store.append(account, version, [ev("MoneyDeposited", amount="1.00")])


def _verify(store, memory, *, incremental: bool = False):
    return run_verification(store, user="auditor", memory=memory, incremental=incremental)


def test_a_full_verify_is_recorded_chained_and_remembered(location, memory) -> None:
    with esgui.open_store(location.url) as store:
        make_history(store)
        outcome, recorded = _verify(store, memory)
        assert outcome.kind == FULL and outcome.intact and recorded.recorded
        run = recorded.run
        assert (run.run_id, run.kind, run.verdict, run.head_position) == (1, "full", "intact", 9)
        assert run.head_hash == store.head()[1] and run.operator == "auditor"
        _append(store, 2)
        _outcome, second = _verify(store, memory)
        assert second.run.run_id == 2
        assert second.run.record_hash == record_hash(run.record_hash, second.run)
        assert [r.run_id for r in store.verify_runs.all()] == [1, 2]
        assert check_records(store) == []
    last = memory.last(store.description)
    assert last is not None and (last.verdict, last.run_id, last.head_position) == ("intact", 2, 11)
    assert memory.witnessed(store.description) == {run.record_hash, second.run.record_hash}


def test_records_are_append_only(location, memory) -> None:
    with esgui.open_store(location.url) as store:
        make_history(store)
        _verify(store, memory)
    for statement in ("UPDATE verify_runs SET verdict = 'intact'", "DELETE FROM verify_runs"):
        with pytest.raises(Exception, match="append-only"):
            location.sql(statement)


def test_incremental_checks_only_what_was_appended(location, memory) -> None:
    with esgui.open_store(location.url) as store:
        make_history(store)
        _verify(store, memory)
        _append(store, 3, "C1")
        outcome, recorded = _verify(store, memory, incremental=True)
        assert outcome.kind == INCREMENTAL and outcome.intact
        assert (outcome.checked_from, outcome.result.events) == (9, 3)
        assert outcome.base is not None and outcome.base.run_id == 1 and outcome.base_witnessed
        assert recorded.run.kind == "incremental" and recorded.run.based_on == 1
        assert "positions 10–12" in outcome.describe()
        # nothing new: nothing to check, still intact
        again, _ = _verify(store, memory, incremental=True)
        assert again.intact and again.result.events == 0 and again.result.head_position == 12


def test_incremental_catches_tampering_after_the_checkpoint(location, memory) -> None:
    with esgui.open_store(location.url) as store:
        make_history(store)
        _verify(store, memory)
        _append(store, 3)
        Attacker(location)("UPDATE events SET data = ? WHERE position = 11",
                           (json.dumps({"amount": "900.00"}),))  # fmt: skip
        outcome, recorded = _verify(store, memory, incremental=True)
        assert outcome.kind == INCREMENTAL and not outcome.intact
        assert {p.position for p in outcome.result.problems} == {11}
        assert recorded.run.verdict == "tampered"


def test_incremental_rechecks_the_checkpoint_row(location, memory) -> None:
    """An old row is tampered with after the verify: the checkpoint row is caught, a row
    before it is not (documented: only a full verify re-reads those)."""
    with esgui.open_store(location.url) as store:
        make_history(store)
        _verify(store, memory)
        _append(store, 2)
        attack = Attacker(location)
        attack("UPDATE events SET operator = 'mallory' WHERE position = 3")
        blind, _ = _verify(store, memory, incremental=True)
        assert blind.intact  # position 3 lies before the checkpoint (9)
        # the blind run's checkpoint is the head, 11: edit that row
        attack("UPDATE events SET operator = 'mallory' WHERE position = 11")
        caught, _ = _verify(store, memory, incremental=True)
        assert not caught.intact and caught.checked_from == 11
        assert any(p.position == 11 and "checkpoint" in p.message
                   for p in caught.result.problems)  # fmt: skip
        full, _ = _verify(store, memory)
        assert {3, 11} <= {p.position for p in full.result.problems}


def test_incremental_catches_a_deleted_checkpoint_and_truncation(location, memory) -> None:
    with esgui.open_store(location.url) as store:
        make_history(store)
        _verify(store, memory)
        Attacker(location)("DELETE FROM events WHERE position >= 8")
        outcome, _ = _verify(store, memory, incremental=True)
        assert not outcome.intact
        # the record names a head the log no longer has: truncation, found by the records
        assert any(p.kind == "record" and "no event there" in p.message
                   for p in outcome.result.problems)  # fmt: skip


def test_a_forged_intact_record_never_becomes_a_starting_point(location, memory) -> None:
    """The attacker edits an event appended after the last real verify, then appends a
    record that chains correctly and names the real head hash: it is not witnessed on
    this machine, so the incremental verify starts before it and finds the edit."""
    with esgui.open_store(location.url) as store:
        make_history(store)
        _verify(store, memory)
        _append(store, 3)
        Attacker(location)("UPDATE events SET data = ? WHERE position = 11",
                           (json.dumps({"amount": "900.00"}),))  # fmt: skip
        _forge_record(location, store, verdict="intact")
        # on a machine that never verified this store: a full verify instead
        elsewhere = verify_incremental(store, witnessed=frozenset())
        assert elsewhere.kind == FULL and not elsewhere.intact
        assert "witnessed" in elsewhere.note
        outcome, _ = _verify(store, memory, incremental=True)
        assert not outcome.intact and {p.position for p in outcome.result.problems} == {11}
        assert outcome.base is not None and outcome.base.run_id == 1


def test_a_forged_record_after_a_tampered_verdict_is_no_way_out(location, memory) -> None:
    with esgui.open_store(location.url) as store:
        make_history(store)
        Attacker(location)("UPDATE events SET operator = 'mallory' WHERE position = 4")
        first, _ = _verify(store, memory)
        assert not first.intact
        forged = _forge_record(location, store, verdict="intact")
        assert forged.record_hash not in memory.witnessed(store.description)
        outcome, _ = _verify(store, memory, incremental=True)
        assert outcome.kind == FULL and not outcome.intact


def test_an_altered_record_is_a_finding(location, memory) -> None:
    with esgui.open_store(location.url) as store:
        make_history(store)
        Attacker(location)("UPDATE events SET operator = 'mallory' WHERE position = 4")
        _verify(store, memory)  # tampered
        location.drop_append_only()  # the attacker has DDL rights
        location.sql("UPDATE verify_runs SET verdict = 'intact', problem_count = 0")
        problems = check_records(store)
        assert problems and problems[0].kind == "record"
        outcome, _ = _verify(store, memory, incremental=True)
        assert not outcome.intact and outcome.kind == FULL


def test_a_record_naming_another_head_hash_is_a_finding(location, memory) -> None:
    with esgui.open_store(location.url) as store:
        make_history(store)
        _forge_record(location, store, verdict="intact", head_hash="ab" * 32)
        problems = check_records(store)
        assert [p.kind for p in problems] == ["record"] and "head hash" in problems[0].message


def test_read_only_store_skips_the_record_and_says_so(location, memory) -> None:
    with esgui.open_store(location.url) as store:
        make_history(store)
    with esgui.open_store(location.url, read_only=True) as store:
        with pytest.raises(NotPermitted):
            store.verify_runs.add(_run(store))
        outcome, recorded = _verify(store, memory)
        assert outcome.intact and not recorded.recorded
        assert "read-only" in recorded.message
        assert store.verify_runs.count() == 0
        last = memory.last(store.description)
        assert last is not None and last.verdict == "intact" and last.run_id == 0


def test_cli_verify_incremental_and_json(location, capsys, monkeypatch) -> None:
    monkeypatch.setenv("ESGUI_USER", "auditor")
    with esgui.open_store(location.url) as store:
        make_history(store)
    assert main(["--db", location.url, "verify"]) == 0
    out = capsys.readouterr().out
    assert "full verify of all 9 events" in out and "recorded as verify run #1" in out
    with esgui.open_store(location.url) as store:
        _append(store, 2)
    assert main(["--db", location.url, "verify", "--incremental", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["intact"] and data["verification"]["kind"] == "incremental"
    assert data["verification"]["checked_from"] == 9 and data["events"] == 2
    assert data["verification"]["run"]["run_id"] == 2
    assert main(["--db", location.url, "verify", "--incremental", "--anchor", "0" * 64]) == 2


def test_cli_progress_flag_draws_a_bar_without_a_terminal(location, capsys) -> None:
    with esgui.open_store(location.url) as store:
        make_history(store)
    assert main(["--db", location.url, "verify", "--progress"]) == 0
    assert "verifying" in capsys.readouterr().err


# -- helpers ---------------------------------------------------------------------------------


def _run(store, **changes) -> VerifyRun:
    position, head = store.head()
    now = datetime.now(UTC)
    run = VerifyRun("full", "intact", 0, position, head, position, 0, now, now, "mallory",
                    "0.2")  # fmt: skip
    return dataclasses.replace(run, **changes)


def _forge_record(location, store, *, verdict: str, head_hash: str | None = None) -> VerifyRun:
    """Insert, by SQL, a record that chains to the last one (the attacker can compute
    the chain: nothing in it is secret)."""
    last = store.verify_runs.latest()
    run = _run(store, verdict=verdict, run_id=(last.run_id if last else 0) + 1)
    if head_hash is not None:
        run = dataclasses.replace(run, head_hash=head_hash)
    run = dataclasses.replace(
        run, record_hash=record_hash(last.record_hash if last else "0" * 64, run)
    )
    with store.engine.begin() as conn:  # the attacker's own connection
        row = {c.name: getattr(run, c.name) for c in verify_runs.columns}
        conn.execute(insert(verify_runs), [row])
    return run


def test_concurrent_records_chain_one_after_the_other(location) -> None:
    import threading

    with esgui.open_store(location.url) as store:
        make_history(store)
        errors: list[BaseException] = []

        def record(count: int) -> None:
            try:
                for _ in range(count):
                    store.verify_runs.add(_run(store))
            except BaseException as error:  # noqa: BLE001 - reported below
                errors.append(error)

        threads = [threading.Thread(target=record, args=(5,)) for _ in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert errors == []
        assert [run.run_id for run in store.verify_runs.all()] == list(range(1, 21))
        assert check_records(store) == []


def test_a_role_without_insert_on_the_records_verifies_and_says_why(location, memory) -> None:
    if location.backend != "postgresql":
        pytest.skip("database roles are a PostgreSQL feature")
    import uuid

    from sqlalchemy.engine import make_url

    with esgui.open_store(location.url) as store:
        make_history(store)
    role = f"esgui_auditor_{uuid.uuid4().hex[:10]}"
    location.sql(f'CREATE ROLE "{role}" LOGIN')
    try:
        location.sql(f'GRANT USAGE ON SCHEMA "{location.schema}" TO "{role}"')
        location.sql(f'GRANT SELECT ON ALL TABLES IN SCHEMA "{location.schema}" TO "{role}"')
        url = make_url(location.url).set(username=role).render_as_string(hide_password=False)
        with esgui.open_store(url) as store:
            outcome, recorded = _verify(store, memory)
            assert outcome.intact and not recorded.recorded
            assert "permission denied" in recorded.message
        location.sql(f'GRANT INSERT ON verify_runs TO "{role}"')
        with esgui.open_store(url) as store:
            _outcome, recorded = _verify(store, memory)
            assert recorded.recorded and recorded.run.run_id == 1
    finally:
        location.sql(f'DROP OWNED BY "{role}"')
        location.sql(f'DROP ROLE "{role}"')
