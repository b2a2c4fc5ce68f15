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
