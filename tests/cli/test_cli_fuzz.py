"""Hypothesis over the command line: any arguments give an exit code from the contract,
at most one line on stderr, never a traceback, and a failed command appends nothing."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

import esgui
from esgui.cli import main
from tests.conftest import fuzz_examples

pytestmark = pytest.mark.fuzz

words = st.text(st.characters(blacklist_categories=("Cs",)), max_size=20)
numbers = st.one_of(
    st.integers(-(10**20), 10**20).map(str),
    st.decimals(allow_nan=True).map(str),
    st.floats().map(str),
    words,
)
account = st.one_of(st.sampled_from(["A1", "B1", "ZZ"]), words)

argv = st.one_of(
    st.tuples(st.just("open"), account, st.just("--owner"), words, st.just("--initial"), numbers),
    st.tuples(st.sampled_from(["deposit", "withdraw"]), account, numbers),
    st.tuples(st.just("close"), account),
    st.tuples(
        st.just("state"),
        account,
        st.sampled_from(["--at-version", "--at"]),
        st.one_of(numbers, words),
    ),
    st.tuples(
        st.just("events"),
        st.sampled_from(["--after", "--limit", "--type", "--since", "--operator"]),
        st.one_of(numbers, words),
    ),
    st.lists(
        st.one_of(
            words,
            st.sampled_from(
                ["open", "state", "--json", "--db", "-x", "--read-only", "events", "accounts"]
            ),
        ),
        max_size=5,
    ).map(tuple),
).map(list)


@pytest.fixture
def fuzz_url(store_url):
    with esgui.open_store(store_url) as store:
        accounts = esgui.Accounts(store, user="fuzz")
        accounts.open("A1", owner="Alice", initial="10.00")
    return store_url


@settings(
    max_examples=fuzz_examples(150),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(args=argv)
@example(args=["deposit", "A1", "1e5"])
@example(args=["--db", "postgresql://u:pw@127.0.0.1:1/x", "state", "A1"])
@example(args=["state", "A1", "--at-version", "99999999999999999999999"])
@example(args=["events", "--after", "99999999999999999999999"])
def test_any_arguments_give_a_contract_exit_code(fuzz_url, capsys, monkeypatch, args) -> None:
    monkeypatch.setenv("ESGUI_USER", "fuzz")
    monkeypatch.delenv("ESGUI_READ_ONLY", raising=False)
    if "gui" in args or "seed" in args or "--db" in args[:-1] and args[0] != "--db":
        return
    full = args if args[:1] == ["--db"] else ["--db", fuzz_url, *args]
    with esgui.open_store(fuzz_url) as store:
        before = store.head()
    code = main(full)
    _out, err = capsys.readouterr()
    assert code in {0, 1, 2, 3, 4, 5}, (full, code, err)
    assert "Traceback" not in err and err.count("\n") <= 1, err
    if code != 0:
        with esgui.open_store(fuzz_url) as store:
            assert store.head() == before
