"""Version diff: the state fields that changed between two versions and the events in
between."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest

from esgui.audit.diff import diff_versions
from esgui.errors import InvalidInput, UnknownAccount


def test_fields_and_events_between_two_versions(history) -> None:
    diff = diff_versions(history, "A1", 1, 3)
    assert (diff.from_version, diff.to_version) == (1, 3)
    changes = {c.name: (c.before, c.after) for c in diff.changes}
    assert changes["balance"] == ("100.00", "120.00")
    assert changes["version"] == ("1", "3")
    assert changes["updated_at"] == ("2026-03-01T09:00:00+00:00", "2026-03-01T13:00:00+00:00")
    assert "owner" not in changes and "status" not in changes and "opened_at" not in changes
    assert [(e.version, e.event_type, e.operator) for e in diff.events] == [
        (2, "MoneyDeposited", "alice"),
        (3, "MoneyWithdrawn", "bob"),
    ]
    assert diff.counts == {"MoneyDeposited": 1, "MoneyWithdrawn": 1}
    assert (diff.money_in, diff.money_out) == (Decimal("50.00"), Decimal("30.00"))
    assert not diff.truncated


def test_order_does_not_matter_and_equal_versions_differ_in_nothing(history) -> None:
    assert (
        diff_versions(history, "A1", 3, 1).as_json() == diff_versions(history, "A1", 1, 3).as_json()
    )
    same = diff_versions(history, "A1", 2, 2)
    assert same.changes == () and same.events == () and same.event_count == 0


def test_version_zero_is_before_the_opening(history) -> None:
    diff = diff_versions(history, "B1", 0, 4)
    changes = {c.name: (c.before, c.after) for c in diff.changes}
    assert changes["owner"] == (None, "Bob Bauer")
    assert changes["status"] == (None, "closed")
    assert changes["balance"] == (None, "0.00")
    assert diff.event_count == 4 and diff.money_in == diff.money_out == Decimal("20.00")


def test_events_shown_are_capped_but_counted(history) -> None:
    diff = diff_versions(history, "A1", 0, 4, max_events=2)
    assert len(diff.events) == 2 and diff.event_count == 4 and diff.truncated


@pytest.mark.parametrize(("account", "v1", "v2", "error"), [
    ("A1", 1, 9, InvalidInput), ("A1", -1, 2, InvalidInput), ("ZZ", 0, 1, UnknownAccount),
    ("bad id!", 1, 2, InvalidInput),
])  # fmt: skip
def test_bad_requests_are_refused(history, account, v1, v2, error) -> None:
    with pytest.raises(error):
        diff_versions(history, account, v1, v2)


def test_cli_diff(history, cli) -> None:
    code, out, err = cli("diff", "A1", "1", "4")
    assert code == 0, err
    assert "A1: version 1 → 4 (3 events)" in out
    assert "balance     100.00" in out and "125.25" in out
    code, out, _ = cli("diff", "A1", "1", "4", "--json")
    shown = json.loads(out)
    assert shown["after"]["balance"] == "125.25" and shown["event_count"] == 3
    assert [e["operator"] for e in shown["events"]] == ["alice", "bob", "alice"]
    code, out, err = cli("diff", "A1", "1", "40")
    assert code == 2 and "there is no version 40" in err
    code, out, err = cli("diff", "NOPE", "1", "2")
    assert code == 1 and "Unknown account" in err
