"""Hypothesis on the import file reader: a damaged export (lines cut, dropped, doubled,
swapped, bytes changed) or plain garbage is either imported whole or refused with an
esgui error, and a refused import leaves the target store exactly as it was."""

from __future__ import annotations

import contextlib
import itertools
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

import esgui
from esgui.audit.export import export_events
from esgui.audit.importer import import_file
from esgui.audit.notes import add_note
from esgui.errors import EsguiError
from tests.conftest import fuzz_examples

pytestmark = pytest.mark.fuzz
_names = itertools.count()


@pytest.fixture
def export_lines(store, tmp_path) -> dict[str, bytes]:
    accounts = esgui.Accounts(store, user="alice")
    accounts.open("A1", owner="Alice", initial="10.00")
    accounts.deposit("A1", "2.50")
    accounts.open("B1", owner="Bob")
    accounts.withdraw("A1", "1.00")
    add_note(store, account_id="A1", text="looked at", author="auditor")
    files = {}
    for fmt in ("jsonl", "csv"):
        out = tmp_path / f"source.{fmt}"
        export_events(store, fmt, out)
        files[fmt] = out.read_bytes()
    return files


mutations = st.lists(
    st.tuples(st.sampled_from(["drop", "double", "swap", "cut", "byte", "insert"]),
              st.integers(0, 10_000), st.integers(0, 255)),
    min_size=1, max_size=3,
)  # fmt: skip


def mutate(content: bytes, steps: list[tuple[str, int, int]]) -> bytes:
    lines = content.split(b"\n")
    for kind, where, value in steps:
        i = where % max(len(lines), 1)
        if kind == "drop" and lines:
            del lines[i]
        elif kind == "double" and lines:
            lines.insert(i, lines[i])
        elif kind == "swap" and len(lines) > 1:
            j = (i + 1) % len(lines)
            lines[i], lines[j] = lines[j], lines[i]
        elif kind == "cut":
            flat = b"\n".join(lines)
            lines = flat[: where % (len(flat) + 1)].split(b"\n")
        elif kind == "byte" and lines and lines[i]:
            k = value % len(lines[i])
            lines[i] = lines[i][:k] + bytes([value]) + lines[i][k + 1 :]
        elif kind == "insert":
            lines.insert(i, bytes([value]) * (where % 7))
    return b"\n".join(lines)


@settings(max_examples=fuzz_examples(60), deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(fmt=st.sampled_from(["jsonl", "csv"]), steps=mutations)
@example(fmt="jsonl", steps=[("cut", 10, 0)])
@example(fmt="jsonl", steps=[("drop", 1, 0)])
@example(fmt="csv", steps=[("byte", 1, 0)])
def test_damaged_exports_are_imported_whole_or_refused_untouched(
        tmp_path_factory, export_lines, fmt: str, steps) -> None:
    folder: Path = tmp_path_factory.mktemp("fuzz")
    target_url = f"sqlite:///{folder / f'target{next(_names)}.db'}"
    damaged = folder / f"damaged.{fmt}"
    damaged.write_bytes(mutate(export_lines[fmt], steps))
    with esgui.open_store(target_url) as target:
        try:
            import_file(target, damaged)
        except EsguiError as error:
            assert "\n" not in str(error)
            assert target.head()[0] == 0  # refused: nothing imported
        else:
            assert target.head()[0] > 0 or b'"kind":"event"' not in damaged.read_bytes()


@settings(max_examples=fuzz_examples(40), deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(content=st.binary(max_size=400))
def test_garbage_files_are_refused(store, tmp_path_factory, content: bytes) -> None:
    path = tmp_path_factory.mktemp("garbage") / "garbage.jsonl"
    path.write_bytes(content)
    before = store.head()
    with contextlib.suppress(EsguiError):
        import_file(store, path)
    assert store.head() == before


# -- rule-breaking histories (issue 10) ---------------------------------------------------
# Hand-made files with an internally valid hash chain, so only the domain rules and the
# field checks can refuse them. A reference model of the rules decides what must happen:
# a history the rules accept imports whole; any other is refused with a line number, and
# the store is left exactly as it was.

from decimal import Decimal  # noqa: E402

from esgui.audit.verify import verify_store  # noqa: E402
from esgui.domain.money import MAX_AMOUNT  # noqa: E402
from tests.audit.import_files import event, write_export  # noqa: E402

_amounts = st.one_of(
    st.sampled_from(["0.00", "0.01", "5.00", "10.00", "1000000000000.00", "1000000000000.01",
                     "99999999999999999999999999999.00", "1e3", "-1.00", "1.234", " 1.00"]),
    st.decimals(min_value=0, max_value=10**6, places=2).map(str),
)  # fmt: skip
_steps = st.lists(
    st.tuples(st.sampled_from(["open", "deposit", "withdraw", "close"]),
              st.sampled_from(["A1", "B1", "bad id'; drop", ""]), _amounts,
              st.sampled_from(["Alice", "", "  ", "Bob"])),
    min_size=1, max_size=8,
)  # fmt: skip
_metadata_extras = st.one_of(
    st.just({}),
    st.sampled_from([{"x": "\u0000"}, {"x": 1e20}, {"x": -0.0}, {"x": 1.5}, {"x": "\ud800"},
                     {"x": [1, 2]}, {"x": "ok"}]),
)  # fmt: skip


def _model(steps) -> tuple[list[dict], bool]:
    """The events of `steps` and whether the rules accept the whole history."""
    state: dict[str, tuple[str, Decimal]] = {}
    versions: dict[str, int] = {}
    records, ok = [], True
    for kind, account, amount, owner in steps:
        v = versions.get(account, 0) + 1
        versions[account] = v
        status, balance = state.get(account, ("", Decimal(0)))
        valid_id = account in ("A1", "B1")
        try:
            value = Decimal(amount)
            plain = amount == amount.strip() and "e" not in amount and "-" not in amount
            valid_amount = plain and value == value.quantize(Decimal("0.01")) and \
                len(amount.split(".")[-1]) == 2 and value <= MAX_AMOUNT
        except ArithmeticError:
            value, valid_amount = Decimal(0), False
        if kind == "open":
            records.append(event(account, v, "AccountOpened", {"owner": owner, "initial": amount}))
            ok &= valid_id and valid_amount and status == "" and bool(owner.strip())
            state[account] = ("open", value)
        elif kind == "deposit":
            records.append(event(account, v, "MoneyDeposited", {"amount": amount}))
            ok &= valid_id and valid_amount and value > 0 and status == "open"
            state[account] = (status, balance + value)
        elif kind == "withdraw":
            records.append(event(account, v, "MoneyWithdrawn", {"amount": amount}))
            ok &= valid_id and valid_amount and value > 0 and status == "open" and value <= balance
            state[account] = (status, balance - value)
        else:
            records.append(event(account, v, "AccountClosed", {}))
            ok &= valid_id and status == "open" and balance == 0
            state[account] = ("closed", balance)
    return records, bool(ok)


@settings(max_examples=fuzz_examples(80), deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(steps=_steps, extra=_metadata_extras)
@example(steps=[("open", "A1", "10.00", "Alice"), ("open", "A1", "0.00", "Bob")], extra={})
@example(steps=[("open", "A1", "0.00", "Alice"), ("close", "A1", "0.00", ""),
                ("deposit", "A1", "5.00", "")], extra={})  # fmt: skip
@example(steps=[("open", "bad id'; drop", "1.00", "Alice")], extra={})
@example(steps=[("open", "A1", "99999999999999999999999999999.00", "Alice")], extra={})
@example(steps=[("open", "A1", "1.00", "Alice")], extra={"x": 1e20})
def test_rule_breaking_histories_are_refused_whole(tmp_path_factory, steps, extra):
    records, ok = _model(steps)
    if extra:
        records[-1] = {**records[-1], "metadata": {**records[-1]["metadata"], **extra}}
        ok &= extra.get("x") in ("ok", 1.5, (1, 2)) or extra.get("x") == [1, 2]
    folder = tmp_path_factory.mktemp("rules")
    path = write_export(folder / "f.jsonl", records)
    with esgui.open_store(f"sqlite:///{folder / 'target.db'}") as store:
        try:
            summary = import_file(store, path)
        except EsguiError as error:
            assert not ok, f"an honest history was refused: {error}"
            assert "\n" not in str(error) and "line " in str(error)
            assert store.head()[0] == 0
        else:
            assert ok, "a history that breaks the rules was imported"
            assert summary.events_added == len(records)
            assert verify_store(store).intact
            assert import_file(store, path).events_added == 0  # idempotent


# -- damaged rows on every read path (issue 10) ------------------------------------------

_damage = st.sampled_from([
    ("version", "'abc'"), ("version", "-7"), ("schema_version", "'x'"),
    ("aggregate_id", "CAST('A1' AS BLOB)"), ("data", "'[1,2]'"), ("data", "'{\"amount\":3}'"),
    ("data", "'" + '{"a":' * 3000 + "1" + "}" * 3000 + "'"), ("data", "'not json'"),
    ("created_at", "'garbage'"), ("created_at", "replace(created_at, ' ', 'T')"),
    ("created_at", "created_at || '+00:00'"), ("metadata", "'[]'"), ("event_type", "x'00ff'"),
    ("data", "'{\"amount\":\"99999999999999999999999999999.00\"}'"),
])  # fmt: skip


@settings(max_examples=fuzz_examples(30), deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(damage=st.lists(_damage, min_size=1, max_size=3), position=st.integers(1, 6))
def test_damaged_rows_never_break_whole_store_reads(tmp_path_factory, damage, position) -> None:
    """SQLite keeps any value in any column: the widest damage there is. Every read path
    goes on, and the accounts not touched keep their state."""
    import sqlite3

    from esgui.app.queries import LogRow
    from esgui.audit.export import export_events
    from esgui.projections import AccountProjector
    from esgui.store import EventFilter

    folder = tmp_path_factory.mktemp("damage")
    url = f"sqlite:///{folder / 'store.db'}"
    with esgui.open_store(url) as store:
        accounts = esgui.Accounts(store, user="alice")
        accounts.open("A1", owner="Alice", initial="10.00")
        accounts.deposit("A1", "2.50")
        accounts.open("B1", owner="Bob")
        accounts.withdraw("A1", "1.00")
        accounts.deposit("B1", "3.00")
        accounts.open("C1", owner="Chloé", initial="7.00")
    conn = sqlite3.connect(folder / "store.db")
    for op in ("update", "delete"):
        conn.execute(f"DROP TRIGGER IF EXISTS esgui_events_no_{op}")
    for column, value in damage:
        conn.execute(f"UPDATE events SET {column} = {value} WHERE position = ?", (position,))
    conn.commit()
    conn.close()
    damaged = {"A1": {1, 2, 4}, "B1": {3, 5}, "C1": {6}}
    untouched = [a for a, positions in damaged.items() if position not in positions]
    with esgui.open_store(url) as store:
        assert len(list(store.read_all())) == 6
        for record in store.read_all():
            record.as_json()
            record.metadata  # noqa: B018 - must not raise
        [LogRow.from_row(e) for e in store.log.window(EventFilter(), limit=100)]
        result = verify_store(store)
        assert not result.intact
        projector = AccountProjector(store)
        projector.rebuild()
        rows = {row.account_id: row for row in projector.current()}
        for account in untouched:
            assert rows[account].status != "unreadable"
            esgui.Accounts(store, user="x").state(account)
        export_events(store, "jsonl", folder / "out.jsonl")
