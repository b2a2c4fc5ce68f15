"""Import goes through the domain rules and the store's field checks, whole file first
(issue 10, High 2, Medium 3, Medium 6 and the import items of Low): a file with an
internally valid chain that breaks a rule is refused, naming the line and the rule,
and changes nothing; duplicate ids are an error naming both lines; data one engine
cannot store is refused on both; an import holds the append lock for its whole run, so
a concurrent writer waits instead of breaking it."""

from __future__ import annotations

import multiprocessing as mp
from decimal import Decimal

import pytest

import esgui
from esgui.audit.importer import import_file
from esgui.audit.verify import verify_store
from esgui.errors import InvalidInput
from esgui.store import NewEvent
from tests.audit.import_files import event, honest, write_export

OPEN = "AccountOpened"
DEP = "MoneyDeposited"
WDR = "MoneyWithdrawn"
CLOSE = "AccountClosed"


def _opened(account: str = "A1", initial: str = "10.00", owner: str = "Alice"):
    return event(account, 1, OPEN, {"owner": owner, "initial": initial})


RULE_BREAKS = {
    "open twice": ([_opened(), event("A1", 2, OPEN, {"owner": "Mallory", "initial": "0.00"})],
                   3, "open an account once"),
    "deposit into a closed account": (
        [_opened(initial="0.00"), event("A1", 2, CLOSE, {}),
         event("A1", 3, DEP, {"amount": "5.00"})],
        4, "into an open account"),
    "initial above the maximum": ([_opened(initial="1000000000000.01")], 2, "largest amount"),
    "amount far above the maximum": (
        [_opened(), event("A1", 2, DEP, {"amount": "99999999999999999999999999999.00"})],
        3, "largest amount"),
    "sql-like id": ([_opened(account="bad id'; drop")], 2, "account id"),
    "overdraft": ([_opened(), event("A1", 2, WDR, {"amount": "10.01"})], 3, "Insufficient funds"),
    "close with money in it": ([_opened(), event("A1", 2, CLOSE, {})], 3, "zero balance"),
    "deposit before the open": ([event("A1", 1, DEP, {"amount": "1.00"})], 2, "open it first"),
    "bad owner": ([_opened(owner="   ")], 2, "owner"),
    "unknown event type": ([_opened(), event("A1", 2, "MoneyPrinted", {"amount": "1.00"})],
                           3, "Unknown event type"),
    "foreign aggregate type": ([{**_opened(), "aggregate_type": "Rocket"}], 2, "aggregate type"),
}  # fmt: skip


@pytest.mark.parametrize("case", sorted(RULE_BREAKS))
def test_a_rule_breaking_history_is_refused_and_changes_nothing(store, tmp_path, cli, case):
    events, line, rule = RULE_BREAKS[case]
    path = write_export(tmp_path / "bad.jsonl", honest() + events)
    line += len(honest())
    with pytest.raises(InvalidInput) as caught:
        import_file(store, path)
    message = str(caught.value)
    assert f"line {line}:" in message and rule in message and "nothing was imported" in message
    assert store.head()[0] == 0
    code, _out, err = cli("import", str(path))
    assert code == 2 and f"line {line}" in err and "Traceback" not in err
    assert store.head()[0] == 0


def test_an_honest_hand_made_history_imports(store, tmp_path) -> None:
    path = write_export(tmp_path / "ok.jsonl", honest())
    summary = import_file(store, path)
    assert summary.events_added == len(honest()) and summary.identical_chain
    assert verify_store(store).intact


def test_a_file_continuing_a_stored_history_follows_its_rules(store, tmp_path) -> None:
    accounts = esgui.Accounts(store, user="alice")
    accounts.open("ACC-000", owner="Owner", initial="0.00")
    accounts.close("ACC-000")
    stored = [(e.event_id, e.version) for e in store.read_stream("ACC-000")]
    # a slice that repeats the stored events, then deposits into the closed account
    records = [event("ACC-000", v, t, d, event_id=i) for (i, v), (t, d) in
               zip(stored, [(OPEN, {"owner": "Owner", "initial": "0.00"}), (CLOSE, {})],
                   strict=True)]  # fmt: skip
    records.append(event("ACC-000", 3, DEP, {"amount": "1.00"}))
    path = write_export(tmp_path / "more.jsonl", records)
    text = path.read_text().replace('"complete": true', '"complete": false')
    path.write_text(text)
    with pytest.raises(InvalidInput, match="into an open account"):
        import_file(store, path)
    assert store.current_version("ACC-000") == 2


def test_duplicate_event_ids_name_both_lines(store, tmp_path) -> None:
    events = honest(accounts=1)
    events[2] = {**events[2], "event_id": events[1]["event_id"]}  # same account
    with pytest.raises(InvalidInput, match=r"line 4: event id .* appears twice .*lines 3 and 4"):
        import_file(store, write_export(tmp_path / "dup.jsonl", events))
    events = honest(accounts=2)
    events[5] = {**events[5], "event_id": events[1]["event_id"]}  # another account
    with pytest.raises(InvalidInput, match=r"appears twice .*lines 3 and 7"):
        import_file(store, write_export(tmp_path / "dup2.jsonl", events))
    assert store.head()[0] == 0


@pytest.mark.parametrize("damage, expected", [
    ({"note": "nul \u0000 here"}, "NUL"),
    ({"note": "x" * 1_000_001}, "too large"),
    ({"big": 1e20}, r"1e\+20"),
    ({"zero": -0.0}, "-0.0"),
])  # fmt: skip
def test_unstorable_data_late_in_a_file_is_refused_before_the_first_commit(
    store, tmp_path, damage, expected
) -> None:
    events = honest(accounts=30, deposits=69)  # 2,100 events: past the first batch
    late = events[2051]
    events[2051] = {**late, "metadata": {**late["metadata"], **damage}}
    path = write_export(tmp_path / "late.jsonl", events)
    with pytest.raises(InvalidInput, match=expected) as caught:
        import_file(store, path, batch_size=500)
    assert "line 2053" in str(caught.value)
    assert store.head()[0] == 0


def test_a_lone_surrogate_and_a_non_ascii_position_are_clear_errors(store, tmp_path, cli):
    events = honest(accounts=1)
    surrogate = tmp_path / "s.jsonl"
    surrogate.write_text(write_export(tmp_path / "x.jsonl", events).read_text().replace(
        '{"amount": "1.00"}', '{"amount": "1.00", "x": "\\ud800"}', 1))  # fmt: skip
    code, _out, err = cli("import", str(surrogate))
    assert code == 2 and "surrogate" in err and "Traceback" not in err
    position = tmp_path / "p.jsonl"
    position.write_text(write_export(tmp_path / "y.jsonl", events).read_text()
                        .replace('"position": 2', '"position": "\u00b2"'))  # fmt: skip
    code, _out, err = cli("import", str(position))
    assert code == 2 and "position must be a whole number" in err and "Traceback" not in err
    assert store.head()[0] == 0


def test_import_of_dev_null_says_what_is_wrong(cli) -> None:
    code, _out, err = cli("import", "/dev/null")
    assert code == 2 and "not a regular file" in err and "does not exist" not in err


@pytest.mark.parametrize("number", [1e20, -0.0, float("inf")])
def test_numbers_jsonb_would_rewrite_are_refused_on_append(store, number) -> None:
    with pytest.raises(InvalidInput, match="number|JSON cannot"):
        store.append("A1", 0, [NewEvent(OPEN, {"owner": "A", "initial": "1.00"},
                                        {"user": "alice", "ratio": number})])  # fmt: skip
    assert store.head()[0] == 0


def test_numbers_that_round_trip_are_kept_and_verify_stays_intact(store) -> None:
    metadata = {"user": "alice", "values": [0.0, 1.5, 12345678.25, -0.5, 10**30, 0.1]}
    store.append("A1", 0, [NewEvent(OPEN, {"owner": "A", "initial": "1.00"}, metadata)])
    assert next(store.read_all()).metadata == metadata
    assert verify_store(store).intact


def _import_in_child(url: str, path: str, started) -> str:
    import esgui
    from esgui.audit.importer import import_file

    with esgui.open_store(url) as store:
        started.set()
        return str(import_file(store, path, batch_size=200).events_added)


def test_a_concurrent_writer_never_breaks_an_import(store, tmp_path, location) -> None:
    """Another process appends all through the import: it waits for the import's lock
    (or goes first); the import completes in one go, and both histories are whole."""
    from tests.workers import deposit_many

    esgui.Accounts(store, user="w").open("W1", owner="Writer", initial="0.00")
    path = write_export(tmp_path / "big.jsonl", honest(accounts=20, deposits=99))
    url = store.url.render_as_string(hide_password=False)
    ctx = mp.get_context("spawn")
    with ctx.Manager() as manager:
        started = manager.Event()
        with ctx.Pool(2) as pool:
            importing = pool.apply_async(_import_in_child, (url, str(path), started))
            started.wait(60)
            writing = pool.apply_async(deposit_many, (url, "W1", "1.00", 30, "w"))
            assert importing.get(300) == "2000"
            assert writing.get(300) == 30
    assert verify_store(store).intact
    assert esgui.Accounts(store, user="x").state("W1").balance == Decimal("30.00")
    assert {store.current_version(f"ACC-{n:03d}") for n in range(20)} == {100}
    # the import's events are one unbroken run: no writer slipped in between them
    positions = [e.position for e in store.read_all() if e.aggregate_id.startswith("ACC-")]
    assert positions == list(range(positions[0], positions[0] + 2000))


def test_importing_the_same_file_again_after_a_refusal_works(store, tmp_path) -> None:
    path = write_export(tmp_path / "ok.jsonl", honest())
    import_file(store, path)
    again = import_file(store, path)
    assert again.events_added == 0 and again.events_skipped == len(honest())
