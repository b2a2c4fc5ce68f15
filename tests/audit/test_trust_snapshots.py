"""Forged snapshots (issue 10, High 1): a snapshot can never change what esgui shows or
decides. One INSERT of a snapshot with a forged balance (needing no DDL rights, the
triggers still in place) is never used by `state`, never lets a withdrawal through,
is logged, and `verify` names it (exit 1). Snapshots are append-only, bound to the
chain, and a read-only auditor role cannot write them."""

from __future__ import annotations

import logging
import uuid
from datetime import UTC, datetime
from decimal import Decimal

import pytest

import esgui
from esgui.app.replay import Replayer, SnapshotTrust
from esgui.audit.verify import verify_store
from esgui.domain.account import AccountState, state_to_snapshot
from esgui.errors import InsufficientFunds, NotPermitted
from esgui.store.hashing import canonical_json
from esgui.store.records import snapshot_checksum

FORGED_BALANCE = Decimal("1000000.00")


def _account_of(accounts, n: int) -> None:
    accounts.open("A1", owner="Alice", initial="10.00")
    for _ in range(n - 1):
        accounts.deposit("A1", "1.00")


def forge(location, store, version: int, balance: Decimal = FORGED_BALANCE,
          event_hash: str | None = "copy") -> None:  # fmt: skip
    """What an attacker with INSERT on `snapshots` does: a well-formed snapshot with a
    correct checksum, bound to the real event's hash (which anyone can read)."""
    state = state_to_snapshot(
        AccountState("A1", "Alice", balance, "open", version,
                     datetime(2026, 1, 1, tzinfo=UTC), datetime(2026, 1, 2, tzinfo=UTC))
    )  # fmt: skip
    if event_hash == "copy":
        event_hash = location.sql(
            "SELECT hash FROM events WHERE aggregate_id = 'A1' AND version = ?", (version,)
        )[0][0]
    when = "2026-12-01 10:00:00.000000" if location.backend == "sqlite" else "2026-12-01 10:00Z"
    location.sql(
        "INSERT INTO snapshots (aggregate_id, version, schema_version, state, checksum, "
        "created_at, event_hash) VALUES ('A1', ?, 1, ?, ?, ?, ?)",
        (version, canonical_json(state), snapshot_checksum(state), when, event_hash),
    )


@pytest.fixture
def long_account(store):
    accounts = esgui.Accounts(store, user="alice")
    _account_of(accounts, 70)  # balance 79.00, snapshot at 100 not yet: none at 60
    return store


def test_a_forged_snapshot_never_changes_the_state_shown(long_account, location) -> None:
    forge(location, long_account, 60)
    fresh = Replayer(long_account, SnapshotTrust())  # a new process: nothing trusted yet
    assert fresh.state_at("A1", version=60).balance == Decimal("69.00")
    assert fresh.state_at("A1").balance == Decimal("79.00")
    # asked again, it is still not used (the verdict is remembered)
    assert fresh.state_at("A1", version=65).balance == Decimal("74.00")


def test_a_forged_snapshot_never_lets_a_withdrawal_through(long_account, location) -> None:
    forge(location, long_account, 60)
    accounts = esgui.Accounts(long_account, user="mallory")
    accounts.replayer.trust = SnapshotTrust()
    with pytest.raises(InsufficientFunds):
        accounts.withdraw("A1", "900000.00")
    assert long_account.current_version("A1") == 70


def test_cli_state_withdraw_and_verify_see_through_a_forged_snapshot(
    long_account, location, cli
) -> None:
    forge(location, long_account, 60)
    code, out, _err = cli("state", "A1", "--json")
    assert code == 0 and '"balance": "79.00"' in out
    code, _out, err = cli("withdraw", "A1", "900000.00")
    assert code == 1 and "Insufficient funds" in err
    code, out, _err = cli("verify")
    assert code == 1
    assert "snapshot" in out and "A1" in out and "version 60" in out


def test_verify_names_every_bad_snapshot(long_account, location) -> None:
    assert verify_store(long_account).intact
    forge(location, long_account, 60)
    forge(location, long_account, 30, balance=Decimal("39.00"), event_hash="f" * 64)
    forge(location, long_account, 50, balance=Decimal("59.00"), event_hash=None)
    result = verify_store(long_account)
    assert not result.intact
    found = {(p.kind, p.account_id, p.version) for p in result.problems}
    assert found == {("snapshot", "A1", 30), ("snapshot", "A1", 50), ("snapshot", "A1", 60)}
    by_version = {p.version: p for p in result.problems}
    assert "differs from the state its events give" in by_version[60].message
    assert "not bound" in by_version[30].message
    assert (
        by_version[60].position
        == location.sql("SELECT position FROM events WHERE aggregate_id = 'A1' AND version = 60")[
            0
        ][0]
    )


def test_a_snapshot_with_the_right_balance_but_other_fields_is_found(long_account, location):
    forge(location, long_account, 60, balance=Decimal("69.00"))  # its times are made up
    result = verify_store(long_account)
    assert [(p.kind, p.version) for p in result.problems] == [("snapshot", 60)]


def test_a_disagreeing_snapshot_is_logged_once(long_account, location, caplog) -> None:
    forge(location, long_account, 60)
    replayer = Replayer(long_account, SnapshotTrust())
    with caplog.at_level(logging.WARNING, logger="esgui.snapshots"):
        replayer.state_at("A1", version=61)
        replayer.state_at("A1", version=62)
    warnings = [r for r in caplog.records if "disagrees with its events" in r.getMessage()]
    assert len(warnings) == 1 and "version 60" in warnings[0].getMessage()


def test_a_snapshot_whose_event_changed_is_not_used(store, location, attacker) -> None:
    with esgui.open_store(store.url.render_as_string(hide_password=False),
                          snapshot_every=10) as small:  # fmt: skip
        accounts = esgui.Accounts(small, user="alice")
        _account_of(accounts, 25)
        trust = SnapshotTrust()
        assert Replayer(small, trust).state_at("A1", version=20).balance == Decimal("29.00")
        # someone rewrites the hash of the event at version 20: the snapshot there is no
        # longer bound to the stored history and is not used, although trusted before
        attacker()("UPDATE events SET hash = ? WHERE aggregate_id = 'A1' AND version = 20",
                   ("e" * 64,))  # fmt: skip
        snap = small.snapshots_at_or_below("A1", 20, limit=1)[0]
        assert not snap.bound
        assert Replayer(small, trust).state_at("A1", version=20).balance == Decimal("29.00")


def test_validation_is_once_per_snapshot_per_process(store) -> None:
    """The first load in a process replays to check the snapshot; later loads start
    from it (the ≤ 2 ms state-at-version of long accounts)."""
    from tests.app.test_replay import CountingStore

    with esgui.open_store(store.url.render_as_string(hide_password=False),
                          snapshot_every=10) as small:  # fmt: skip
        accounts = esgui.Accounts(small, user="alice")
        _account_of(accounts, 95)
        counting = CountingStore(small)
        replayer = Replayer(counting, SnapshotTrust())  # type: ignore[arg-type]
        counting.read = 0
        assert replayer.state_at("A1", version=95).version == 95
        assert counting.read == 95  # checked on the way: the whole stream once
        for version in (95, 90, 57, 9):
            counting.read = 0
            assert replayer.state_at("A1", version=version).version == version
            assert counting.read <= 9


def test_the_auditor_role_cannot_write_snapshots(store, location) -> None:
    if location.backend != "postgresql":
        pytest.skip("database roles are a PostgreSQL feature")
    accounts = esgui.Accounts(store, user="alice")
    _account_of(accounts, 5)
    role = f"esgui_auditor_{uuid.uuid4().hex[:10]}"
    location.sql(f'CREATE ROLE "{role}" LOGIN')
    try:
        location.sql(f'GRANT USAGE ON SCHEMA "{location.schema}" TO "{role}"')
        location.sql(f'GRANT SELECT ON ALL TABLES IN SCHEMA "{location.schema}" TO "{role}"')
        from sqlalchemy.engine import make_url

        url = make_url(location.url).set(username=role).render_as_string(hide_password=False)
        with esgui.open_store(url) as auditor:
            with pytest.raises(NotPermitted, match="permission denied"):
                auditor.save_snapshots("A1", [(5, 1, {"forged": True})])
            # and reading through replay still works (filling snapshots is best effort)
            assert esgui.Accounts(auditor, user="kim").state("A1").version == 5
    finally:
        location.sql(f'DROP OWNED BY "{role}"')
        location.sql(f'DROP ROLE "{role}"')
    assert location.sql("SELECT count(*) FROM snapshots") == [(0,)]
