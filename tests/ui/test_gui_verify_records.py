"""Opening a store shows its last verification (verdict and when), a verify in the
window is recorded, and incremental verify from the dialog — on both engines."""

from __future__ import annotations

from PySide6.QtWidgets import QAbstractButton, QCheckBox

import esgui
from esgui.app.verify_memory import VerifyMemory
from esgui.audit.verify_recording import run_verification
from tests.audit.audit_helpers import Attacker, ev, make_history
from tests.store import conftest as engines
from tests.ui.gui_helpers import READY_TIMEOUT_MS, child, wait_live

# both engines in every run (the store contract suite's fixtures)
backend, location = engines.backend, engines.location


def _integrity(window):
    return child(window, "integrityStatus", QAbstractButton)


def _shows(qtbot, window, text: str) -> None:
    button = _integrity(window)
    qtbot.waitUntil(lambda: button.isVisible() and text in button.text(),
                    timeout=READY_TIMEOUT_MS)  # fmt: skip


def test_opening_shows_the_last_recorded_verdict_and_when(qtbot, make_window, location):
    with esgui.open_store(location.url) as store:
        make_history(store)
        _outcome, recorded = run_verification(store, user="carol", memory=VerifyMemory())
    window = make_window(location.url)
    wait_live(qtbot, window)
    when = f"{recorded.run.finished_at:%Y-%m-%d %H:%M}"
    _shows(qtbot, window, f"Last verify: ✔ intact · {when}")
    button = _integrity(window)
    assert button.property("state") == "intact"
    assert "by carol" in button.toolTip() and "verify run #1" in button.toolTip()
    assert "up to position 9" in button.toolTip()


def test_opening_a_tampered_store_shows_tampered(qtbot, make_window, location):
    with esgui.open_store(location.url) as store:
        make_history(store)
        Attacker(location)("UPDATE events SET operator = 'mallory' WHERE position = 2")
        run_verification(store, user="carol", memory=VerifyMemory())
    window = make_window(location.url)
    wait_live(qtbot, window)
    _shows(qtbot, window, "Last verify: ✖ TAMPERED")
    assert _integrity(window).property("state") == "tampered"


def test_a_never_verified_store_says_so(qtbot, make_window, location):
    with esgui.open_store(location.url) as store:
        make_history(store)
    window = make_window(location.url)
    wait_live(qtbot, window)
    _shows(qtbot, window, "Never verified")


def test_a_verify_in_the_window_is_recorded_and_incremental_works(qtbot, make_window,
                                                                  location):  # fmt: skip
    with esgui.open_store(location.url) as store:
        make_history(store)
    window = make_window(location.url)
    wait_live(qtbot, window)
    with qtbot.waitSignal(window.audit.verified, timeout=READY_TIMEOUT_MS):
        window.menu_actions.verify.trigger()
    dialog = window.audit.verify_dialog
    assert "recorded as verify run #1" in dialog.summary.text()
    with esgui.open_store(location.url) as store:
        run = store.verify_runs.latest()
        assert run is not None and run.operator == "tester" and run.kind == "full"
        store.append("C1", 1, [ev("MoneyDeposited", amount="2.00")])
    child(dialog, "verifyIncremental", QCheckBox).setChecked(True)
    with qtbot.waitSignal(window.audit.verified, timeout=READY_TIMEOUT_MS) as blocker:
        child(dialog, "verifyButton", QAbstractButton).click()
    assert blocker.args[0].intact and blocker.args[0].events == 1
    assert "incremental verify of positions 10–10" in dialog.summary.text()
    assert "recorded as verify run #2" in dialog.summary.text()


def test_a_read_only_store_remembers_the_verdict_on_this_machine(qtbot, make_window,
                                                                 location):  # fmt: skip
    with esgui.open_store(location.url) as store:
        make_history(store)
    with esgui.open_store(location.url, read_only=True) as store:
        _outcome, recorded = run_verification(store, user="carol", memory=VerifyMemory())
        assert not recorded.recorded
    window = make_window(location.url, read_only=True)
    wait_live(qtbot, window)
    _shows(qtbot, window, "Last verify: ✔ intact")
    assert "remembered on this machine" in _integrity(window).toolTip()


def test_a_record_not_made_here_is_not_shown_as_verified(qtbot, make_window, location,
                                                         tmp_path):  # fmt: skip
    with esgui.open_store(location.url) as store:
        make_history(store)
        elsewhere = VerifyMemory(tmp_path / "another-machine.json")
        run_verification(store, user="bob", memory=elsewhere)
    window = make_window(location.url)
    wait_live(qtbot, window)
    _shows(qtbot, window, "Last verify: intact (not confirmed here)")
    assert _integrity(window).property("state") == "unconfirmed"
    assert "recorded in the store" in _integrity(window).toolTip()


def test_a_forged_intact_record_does_not_hide_a_tampered_verdict(qtbot, make_window, location):
    """This machine found tampering; someone then inserts a record saying intact."""
    import dataclasses
    from datetime import UTC, datetime

    from sqlalchemy import insert

    from esgui.store import VerifyRun, record_hash
    from esgui.store.schema import verify_runs

    with esgui.open_store(location.url) as store:
        make_history(store)
        Attacker(location)("UPDATE events SET operator = 'mallory' WHERE position = 2")
        _outcome, first = run_verification(store, user="carol", memory=VerifyMemory())
        position, head = store.head()
        now = datetime.now(UTC)
        forged = VerifyRun("full", "intact", 0, position, head, position, 0, now, now,
                           "mallory", "0.2", run_id=2)  # fmt: skip
        forged = dataclasses.replace(forged, record_hash=record_hash(first.run.record_hash, forged))
        row = {c.name: getattr(forged, c.name) for c in verify_runs.columns}
        with store.engine.begin() as conn:
            conn.execute(insert(verify_runs), [row])
    window = make_window(location.url)
    wait_live(qtbot, window)
    _shows(qtbot, window, "Last verify: ✖ TAMPERED")
    assert "verify run #2 by mallory" in _integrity(window).toolTip()
