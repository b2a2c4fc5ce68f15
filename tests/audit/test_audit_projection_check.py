"""Projection check: the read model against the log replayed up to its checkpoint."""

from __future__ import annotations

import json

import pytest

from esgui.audit.projection_check import check_projection
from esgui.projections import AccountProjector, Cancelled
from esgui.projections.projector import NAME
from tests.audit.audit_helpers import ev


def test_a_caught_up_projection_is_consistent(history) -> None:
    AccountProjector(history).catch_up()
    report = check_projection(history)
    assert report.consistent
    assert (report.checkpoint, report.head, report.lag, report.rows, report.accounts) == (
        9,
        9,
        0,
        3,
        3,
    )


def test_lag_is_not_drift(history) -> None:
    AccountProjector(history).catch_up()
    history.append("A1", 4, [ev("MoneyDeposited", amount="1.00")])
    report = check_projection(history)
    assert report.consistent and report.lag == 1


def test_an_empty_read_model(history) -> None:
    report = check_projection(history)
    assert report.consistent and report.checkpoint == 0 and report.lag == 9


def test_drift_missing_and_extra_rows_are_reported(history, location) -> None:
    AccountProjector(history).catch_up()
    location.sql("UPDATE account_summary SET balance = '999.00', owner = 'Eve' "
                 "WHERE account_id = 'A1'")  # fmt: skip
    location.sql("DELETE FROM account_summary WHERE account_id = 'C1'")
    location.sql(
        "INSERT INTO account_summary (account_id, owner, balance, status, version, "
        "event_count, last_position) VALUES ('X1', 'Ghost', '1.00', 'open', 1, 1, 3)"
    )
    report = check_projection(history)
    assert not report.consistent
    assert {(d.account_id, d.field, d.projected, d.replayed) for d in report.drift} == {
        ("A1", "balance", "999.00", "125.25"),
        ("A1", "owner", "Eve", "Alice Andersen"),
    }
    assert report.missing == ("C1",) and report.extra == ("X1",)


def test_a_version_gap_in_the_log_is_reported(history, attacker) -> None:
    AccountProjector(history).catch_up()
    attacker()("DELETE FROM events WHERE position = 4")  # B1 version 2
    report = check_projection(history)
    assert [(g.account_id, g.expected_version, g.found_version, g.position)
            for g in report.gaps] == [("B1", 2, 3, 7)]  # fmt: skip
    assert not report.consistent


def test_a_checkpoint_beyond_the_log(history, location) -> None:
    AccountProjector(history).catch_up()
    location.sql("UPDATE projection_checkpoints SET position = 20 WHERE name = ?", (NAME,))
    report = check_projection(history)
    assert report.ahead_of_log and report.lag == -11 and not report.consistent


def test_progress_and_cancel(history, monkeypatch) -> None:
    import esgui.audit.projection_check as module

    AccountProjector(history).catch_up()
    seen: list[tuple[int, int]] = []
    monkeypatch.setattr(module, "PAGE_SIZE", 4)
    check_projection(history, progress=lambda d, t: seen.append((d, t)))
    assert seen == [(4, 9), (8, 9), (9, 9)]
    with pytest.raises(Cancelled):
        check_projection(history, should_stop=lambda: True)


def test_cli_projections_check(history, cli, location) -> None:
    AccountProjector(history).catch_up()
    code, out, err = cli("projections", "check")
    assert code == 0 and "consistent" in out and "lag 0" in out
    location.sql("UPDATE account_summary SET status = 'closed' WHERE account_id = 'C1'")
    code, out, err = cli("projections", "check")
    assert code == 1
    assert "drift    C1" in out and "status" in out
    assert err.startswith("esgui: the read model does not match the log")
    code, out, _ = cli("projections", "check", "--json")
    shown = json.loads(out)
    assert code == 1 and shown["drift"] == [
        {"account_id": "C1", "field": "status", "projected": "closed", "replayed": "open"}
    ]


def test_an_unreadable_account_is_expected_unreadable(history) -> None:
    from esgui.store import NewEvent

    history.append("A1", 4, [NewEvent("Frobnicated", {"x": 1}, {"user": "future"})])
    history.append("A1", 5, [ev("MoneyDeposited", amount="1.00")])
    projector = AccountProjector(history)
    projector.catch_up()
    assert projector.summary("A1").status == "unreadable"
    assert check_projection(history).consistent
