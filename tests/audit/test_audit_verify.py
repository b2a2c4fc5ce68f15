"""Verify: an honest store is intact; every kind of tampering done with plain SQL is
found, at the right position and account."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from esgui.audit.verify import (
    ALTERED,
    ANCHOR,
    MISSING,
    TRUNCATED,
    UNEXPECTED,
    VERSION,
    verify_store,
)
from esgui.errors import InvalidInput
from esgui.projections import AccountProjector, Cancelled
from esgui.store.hashing import GENESIS_HASH, event_hash


def test_honest_store_is_intact(history) -> None:
    result = verify_store(history)
    assert result.intact and result.problems == () and result.first_problem is None
    assert result.events == 9
    assert (result.head_position, result.head_hash) == history.head()


def test_empty_store_is_intact_with_the_genesis_head(store) -> None:
    result = verify_store(store)
    assert result.intact and result.events == 0
    assert result.head_hash == GENESIS_HASH


def test_the_genesis_hash_is_no_anchor(history, cli) -> None:
    """Issue 10: `verify --anchor 000…0` passed on any store; it anchors nothing."""
    with pytest.raises(InvalidInput, match="anchors nothing"):
        verify_store(history, anchor=GENESIS_HASH)
    code, _out, err = cli("verify", "--anchor", GENESIS_HASH)
    assert code == 2 and "anchors nothing" in err


def test_an_unknown_anchor_says_no_event_has_that_hash(history, cli) -> None:
    unknown = "ab" * 32
    result = verify_store(history, anchor=unknown)
    assert [p.kind for p in result.problems] == [ANCHOR]
    assert "no event in this store has the hash" in result.problems[0].message
    code, out, _err = cli("verify", "--anchor", unknown)
    assert code == 1 and "no event in this store has the hash" in out
    assert "position 10" not in out and "account unknown" not in out


def test_progress_is_reported_in_pages_and_cancel_stops(history) -> None:
    calls: list[tuple[int, int]] = []
    verify_store(history, progress=lambda done, total: calls.append((done, total)), page_size=4)
    assert calls == [(4, 9), (8, 9), (9, 9)]
    with pytest.raises(Cancelled):
        verify_store(history, should_stop=lambda: True)


def test_reads_in_keyset_pages(history) -> None:
    from sqlalchemy import event as sa_event

    statements: list[str] = []

    def seen(conn, cursor, statement, *args) -> None:
        if "FROM events" in statement and "ORDER BY" in statement:
            statements.append(statement)

    sa_event.listen(history.engine, "before_cursor_execute", seen)
    try:
        assert verify_store(history, page_size=2).intact
    finally:
        sa_event.remove(history.engine, "before_cursor_execute", seen)
    assert len(statements) == 5  # 2+2+2+2+1
    assert all("LIMIT" in s.upper() for s in statements)
    assert all("position >" in s for s in statements[1:])


EDITS = {
    "data": 'UPDATE events SET data = \'{"amount": "5000.00"}\' WHERE position = 3',
    "metadata": 'UPDATE events SET metadata = \'{"user": "mallory"}\' WHERE position = 3',
    "created_at": "UPDATE events SET created_at = created_at - INTERVAL '1 day' WHERE position = 3",
    "operator": "UPDATE events SET operator = 'mallory' WHERE position = 3",
    "event_type": "UPDATE events SET event_type = 'MoneyWithdrawn' WHERE position = 3",
    "aggregate_type": "UPDATE events SET aggregate_type = 'Other' WHERE position = 3",
    "schema_version": "UPDATE events SET schema_version = 1 WHERE position = 3",
    "id": "UPDATE events SET id = '00000000-0000-4000-8000-000000000000' WHERE position = 3",
}


@pytest.mark.parametrize("column", sorted(EDITS))
def test_an_edit_of_any_column_is_found_at_its_position(history, attacker, location,
                                                        column: str) -> None:  # fmt: skip
    statement = EDITS[column]
    if location.backend == "sqlite" and column == "created_at":
        statement = ("UPDATE events SET created_at = '2026-03-01 00:00:00.000000' "
                     "WHERE position = 3")  # fmt: skip
    attacker()(statement)
    result = verify_store(history)
    assert not result.intact
    first = result.first_problem
    assert (first.position, first.kind, first.account_id, first.version) == (3, ALTERED, "A1", 2)
    assert result.problem_count == 1  # the link to position 4 still holds: localised
    assert result.head_hash == history.head()[1]


def test_moving_an_event_to_another_account_or_version_is_found(history, attacker) -> None:
    attacker()("UPDATE events SET aggregate_id = 'C1', version = 2 WHERE position = 9")
    result = verify_store(history)
    assert [(p.position, p.kind) for p in result.problems] == [(9, ALTERED)]


def test_a_forged_hash_is_found(history, attacker) -> None:
    attacker()("UPDATE events SET hash = ? WHERE position = 4", ("ab" * 32,))
    result = verify_store(history)
    # position 4 no longer matches its content, and 5 no longer chains to it
    assert [(p.position, p.kind) for p in result.problems] == [(4, ALTERED), (5, ALTERED)]
    assert result.first_problem.account_id == "B1"


def test_an_edit_with_a_recomputed_hash_breaks_the_next_link(history, attacker) -> None:
    """The attacker edits position 4 and recomputes its hash correctly: the event after
    it was chained to the old hash, so the chain breaks there."""
    evil = attacker()
    (row,) = evil("SELECT hash FROM events WHERE position = 3")
    event = next(history.read_all(after=3, limit=1))
    forged = event_hash(
        row[0],
        4,
        event.event_id,
        "B1",
        "BankAccount",
        "MoneyDeposited",
        2,
        2,
        event.recorded_at,
        "bob",
        '{"amount":"9999.00"}',
        '{"user":"bob"}',
    )
    evil("UPDATE events SET data = ?, hash = ? WHERE position = 4",
         ('{"amount":"9999.00"}', forged))  # fmt: skip
    result = verify_store(history)
    assert [(p.position, p.kind, p.account_id) for p in result.problems] == [(5, ALTERED, "A1")]


def test_a_deleted_event_is_found_and_attributed_to_its_account(history, attacker) -> None:
    attacker()("DELETE FROM events WHERE position = 4")  # B1 version 2
    result = verify_store(history)
    kinds = [(p.position, p.kind, p.account_id) for p in result.problems]
    assert kinds[0] == (4, MISSING, "B1")
    assert (7, VERSION, "B1") in kinds  # B1 jumps from version 1 to 3
    assert result.events == 8
    assert "deleted" in result.first_problem.message


def test_deleting_the_newest_events_needs_an_anchor(history, attacker) -> None:
    anchor = verify_store(history).head_hash
    attacker()("DELETE FROM events WHERE position >= 8")
    plain = verify_store(history)
    assert plain.intact  # a shorter, consistent chain: only the anchor can tell
    anchored = verify_store(history, anchor=anchor)
    assert not anchored.intact
    assert anchored.first_problem.kind == ANCHOR
    assert "no event in this store has the hash" in anchored.first_problem.message


def test_a_truncated_log_behind_the_projection_is_found(history, attacker) -> None:
    AccountProjector(history).catch_up()
    attacker()("DELETE FROM events WHERE position = 9")
    result = verify_store(history)
    assert [(p.position, p.kind) for p in result.problems] == [(9, TRUNCATED)]


def test_anchor_found_at_its_position(history) -> None:
    early = list(history.read_all(limit=5))[-1].hash
    result = verify_store(history, anchor=early.upper() + "  ")
    assert result.intact and result.anchor_position == 5 and result.anchor == early


@pytest.mark.parametrize("bad", ["", "xyz", "ab" * 31, "g" * 64])
def test_a_malformed_anchor_is_invalid_input(history, bad: str) -> None:
    with pytest.raises(InvalidInput):
        verify_store(history, anchor=bad)


def test_an_inserted_event_in_the_middle_is_found(history, attacker) -> None:
    """Shift positions 5… up by one and insert a row at 5, correctly chained to 4."""
    evil = attacker()
    for position in range(9, 4, -1):
        evil(f"UPDATE events SET position = {position + 1} WHERE position = {position}")
    (prev,) = evil("SELECT hash FROM events WHERE position = 4")
    evil_id = "11111111-1111-4111-8111-111111111111"
    when = datetime(2026, 3, 1, 13, 30, tzinfo=UTC)
    data, metadata = '{"initial":"1.00","owner":"Mallory"}', '{"user":"mallory"}'
    forged = event_hash(prev[0], 5, evil_id, "Z9", "BankAccount", "AccountOpened", 1, 1, when,
                        "mallory", data, metadata)  # fmt: skip
    created = "2026-03-01 13:30:00.000000" if evil.location.backend == "sqlite" else when
    evil("INSERT INTO events (position, id, aggregate_id, aggregate_type, event_type, "
         "schema_version, version, data, metadata, operator, created_at, hash) VALUES "
         "(5, ?, 'Z9', 'BankAccount', 'AccountOpened', 1, 1, ?, ?, 'mallory', ?, ?)",
         (evil_id, data, metadata, created, forged))  # fmt: skip
    result = verify_store(history)
    # the forged row itself chains; the honest event after it does not (positions are hashed)
    first = result.first_problem
    assert (first.position, first.kind, first.account_id) == (6, ALTERED, "A1")
    assert 5 not in result.bad_positions


def test_a_row_before_the_first_position_is_found(history, attacker) -> None:
    attacker()("INSERT INTO events (position, id, aggregate_id, aggregate_type, event_type, "
               "schema_version, version, data, metadata, operator, created_at, hash) "
               "SELECT 0, '22222222-2222-4222-8222-222222222222', 'Z9', aggregate_type, "
               "event_type, schema_version, 1, data, metadata, operator, created_at, hash "
               "FROM events WHERE position = 1")  # fmt: skip
    result = verify_store(history)
    assert (result.first_problem.position, result.first_problem.kind) == (0, UNEXPECTED)
    assert result.problem_count == 1


def test_a_forged_event_appended_at_the_end_with_a_bad_hash_is_found(history, attacker) -> None:
    attacker()("INSERT INTO events (position, id, aggregate_id, aggregate_type, event_type, "
               "schema_version, version, data, metadata, operator, created_at, hash) "
               "SELECT 10, '33333333-3333-4333-8333-333333333333', aggregate_id, "
               "aggregate_type, 'MoneyDeposited', 2, 5, '{\"amount\":\"1000.00\"}', metadata, "
               "operator, created_at, ? FROM events WHERE position = 9", ("cd" * 32,))  # fmt: skip
    result = verify_store(history)
    assert [(p.position, p.kind, p.account_id) for p in result.problems] == [(10, ALTERED, "A1")]


def test_reordered_events_are_found(history, attacker) -> None:
    evil = attacker()
    evil("UPDATE events SET position = -1 WHERE position = 3")
    evil("UPDATE events SET position = 3 WHERE position = 5")
    evil("UPDATE events SET position = 5 WHERE position = -1")
    result = verify_store(history)
    first = result.first_problem
    assert (first.position, first.kind, first.account_id) == (3, ALTERED, "A1")
    assert {(p.position, p.kind) for p in result.problems} >= {(3, ALTERED), (5, ALTERED),
                                                                (3, VERSION)}  # fmt: skip


def test_undecodable_data_is_a_finding_not_a_crash(history, attacker, location) -> None:
    if location.backend == "postgresql":
        pytest.skip("jsonb refuses text that is not JSON")
    attacker()("UPDATE events SET data = 'not json' WHERE position = 2")
    result = verify_store(history)
    assert (result.first_problem.position, result.first_problem.kind) == (2, "unreadable")


def test_cli_verify_intact_prints_the_head_hash(history, cli) -> None:
    code, out, err = cli("verify")
    assert code == 0 and err == ""
    assert f"head hash: {history.head()[1]}" in out
    assert "intact: 9 events" in out
    code, out, _ = cli("verify", "--anchor", history.head()[1])
    assert code == 0 and "found at position 9" in out


def test_cli_verify_names_the_first_bad_position_and_account(history, cli, attacker) -> None:
    attacker()('UPDATE events SET data = \'{"amount": "0.01"}\' WHERE position = 7')
    code, out, err = cli("verify")
    assert code == 1
    assert "first bad position 7 (account B1)" in out
    assert err.strip() == "esgui: tampering detected: first bad position 7 (account B1)"
    code, out, _ = cli("verify", "--json")
    import json

    shown = json.loads(out)
    assert code == 1 and shown["intact"] is False and shown["problems"][0]["position"] == 7
    assert shown["problems"][0]["account_id"] == "B1"


def test_cli_verify_bad_anchor_is_a_usage_error(history, cli) -> None:
    code, out, err = cli("verify", "--anchor", "nope")
    assert code == 2 and out == "" and "Invalid anchor" in err and "Traceback" not in err
