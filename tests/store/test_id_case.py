"""Account ids are unique ignoring case, enforced by the store under the append lock
(issue 11, "CLI consistency"): `a1` cannot be opened while `A1` exists, whichever
writer comes first, on both engines; the stored spelling is kept."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

import esgui
from esgui.cli import main
from esgui.errors import UnknownAccount
from esgui.store import NewEvent
from esgui.store.id_case import MAX_SPELLED_LETTERS, spellings


def _opened(account_id: str) -> NewEvent:
    return NewEvent("AccountOpened", {"account_id": account_id, "owner": "X",
                                      "initial": "0.00"}, {"user": "alice"})  # fmt: skip


def test_spellings() -> None:
    assert sorted(spellings("a1")) == ["A1", "a1"]
    assert len(set(spellings("ACC-000001"))) == 8
    assert list(spellings("123-4")) == ["123-4"]


TWINS = [("A1", "a1"), ("acc-9", "ACC-9"), ("Savings.Account:Alice-01", "savings.account:alice-01")]


@pytest.mark.parametrize("first, second", TWINS)
def test_a_case_twin_cannot_be_opened(accounts, store, first, second) -> None:
    if first.startswith("Savings"):
        assert sum(ch.isalpha() for ch in first) > MAX_SPELLED_LETTERS  # the scan path
    accounts.open(first, owner="Alice", initial="5.00")
    with pytest.raises(esgui.RuleViolation, match="only in case"):
        accounts.open(second, owner="Mallory")
    assert store.current_version(second) == 0
    assert accounts.state(first).owner == "Alice"  # the stored spelling is kept
    accounts.deposit(first, "1.00")
    accounts.open("B2", owner="Bob")  # other ids are unaffected


def test_twins_in_one_batch_are_refused(store) -> None:
    with pytest.raises(esgui.RuleViolation, match="same write"):
        store.append_many([("Z9", 0, [_opened("Z9")]), ("z9", 0, [_opened("z9")])])
    assert store.head()[0] == 0
    store.append_many([("Z9", 0, [_opened("Z9")]), ("Y8", 0, [_opened("Y8")])])
    with pytest.raises(esgui.RuleViolation):
        store.append_many([("X7", 0, [_opened("X7")]), ("y8", 0, [_opened("y8")])])
    assert store.current_version("X7") == 0, "all or nothing"


def test_concurrent_writers_cannot_race_past_it(store_url) -> None:
    stores = [esgui.open_store(store_url) for _ in range(4)]
    names = ["race", "RACE", "Race", "rAcE"]
    results: list[str] = []
    barrier = threading.Barrier(len(stores))

    def open_one(store, name) -> None:
        barrier.wait()
        try:
            esgui.Accounts(store, user="w").open(name, owner="W")
            results.append("ok")
        except esgui.RuleViolation:
            results.append("refused")

    pairs = zip(stores, names, strict=True)
    threads = [threading.Thread(target=open_one, args=pair) for pair in pairs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    try:
        assert sorted(results) == ["ok", "refused", "refused", "refused"]
        opened = [n for n in names if stores[0].current_version(n)]
        assert len(opened) == 1
    finally:
        for store in stores:
            store.close()


def test_import_of_a_twin_is_refused(accounts, store, store_url, tmp_path: Path) -> None:
    other = f"sqlite:///{tmp_path / 'other.db'}"
    with esgui.open_store(other) as source:
        esgui.Accounts(source, user="alice").open("a1", owner="Other")
    out = tmp_path / "a1.jsonl"
    assert main(["--db", other, "export", "--format", "jsonl", "--output", str(out)]) == 0
    accounts.open("A1", owner="Alice")
    assert main(["--db", store_url, "import", str(out)]) == 1
    assert store.current_version("a1") == 0


def test_cli_says_which_spelling_exists(store_url, capsys) -> None:
    assert main(["--db", store_url, "--user", "x", "open", "A1", "--owner", "A"]) == 0
    assert main(["--db", store_url, "--user", "x", "open", "a1", "--owner", "B"]) == 1
    err = capsys.readouterr().err
    assert "'a1' differs from 'A1'" in err and "use 'A1'" in err


def test_unknown_spelling_names_the_stored_one(accounts, store) -> None:
    accounts.open("Acc-1", owner="Alice")
    for call in (lambda: accounts.deposit("ACC-1", "1.00"), lambda: accounts.state("acc-1")):
        with pytest.raises(UnknownAccount, match="did you mean 'Acc-1'"):
            call()
    assert store.case_twin("acc-1") == "Acc-1" and store.case_twin("Acc-1") is None
    long_id = "Savings.Account:Alice-02"
    accounts.open(long_id, owner="Alice")
    assert store.case_twin(long_id.upper()) == long_id
    with pytest.raises(UnknownAccount) as info:
        accounts.state("nobody")
    assert "did you mean" not in str(info.value)
