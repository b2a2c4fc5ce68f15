"""Failover on real servers: writer processes and a GUI window on a multi-host URL; the
primary is stopped with `-m immediate` and the standby promoted; the writers continue on
the new primary, and afterwards every confirmed command is stored exactly once.

Runs last (marker `failover`): it leaves the old primary stopped and the standby
promoted; the next `tools/pg_replicas.sh up` rebuilds the pair.
"""

from __future__ import annotations

import subprocess
import sys
import time
from collections import Counter
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("PySide6.QtWidgets")

from PySide6.QtCore import QSettings  # noqa: E402
from PySide6.QtWidgets import QAbstractButton, QLabel, QLineEdit  # noqa: E402

import esgui  # noqa: E402
from esgui.audit.projection_check import check_projection  # noqa: E402
from esgui.audit.verify import verify_store  # noqa: E402
from esgui.projections import AccountProjector  # noqa: E402
from tests.replication.conftest import ROOT, Replicated  # noqa: E402
from tests.ui.gui_helpers import child, shown_balance, wait_live  # noqa: E402

WRITERS = 3
VERSION = sorted(p.name for p in Path("/usr/lib/postgresql").iterdir())[-1] if Path(
    "/usr/lib/postgresql"
).is_dir() else "15"  # fmt: skip


def _outcomes(path: Path) -> list[tuple[str, int, str]]:
    if not path.exists():
        return []
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        amount, code, _took, message = (line.split("\t") + [""])[:4]
        rows.append((amount, int(code), message))
    return rows


def _confirmed(path: Path) -> int:
    return sum(1 for _a, code, _m in _outcomes(path) if code == 0)


def _wait(predicate: Any, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.1)


def _ctl(cluster: str, *args: str) -> None:
    subprocess.run(["pg_ctlcluster", "--skip-systemctl-redirect", VERSION, cluster, *args],
                   check=True, capture_output=True, timeout=120)  # fmt: skip


@pytest.mark.failover
def test_writers_and_a_window_survive_a_failover(
    qtbot: Any, replicated: Replicated, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = replicated.multi_host
    pair = replicated.pair
    accounts_ids = [f"W{n}" for n in range(WRITERS)]
    with esgui.open_store(url) as store:
        assert store.server == f"127.0.0.1:{pair.primary_port}" and store.failover
        accounts = esgui.Accounts(store, user="setup")
        for account_id in accounts_ids:
            accounts.open(account_id, owner=f"Writer {account_id}")
    pair.wait_replayed()

    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(tmp_path))
    settings = QSettings(str(tmp_path / "esgui.ini"), QSettings.Format.IniFormat)
    window = esgui.create_main_window(url, user="gui", demo="never", settings=settings)
    window.show()
    try:
        wait_live(qtbot, window)
        label = child(window, "replicationStatus", QLabel)
        qtbot.waitUntil(lambda: f"primary 127.0.0.1:{pair.primary_port}" in label.text(),
                        timeout=5000)  # fmt: skip

        stop = tmp_path / "stop"
        outs = [tmp_path / f"{a}.tsv" for a in accounts_ids]
        env_path = str(ROOT)
        writers = [
            subprocess.Popen([sys.executable, str(ROOT / "tests/replication/writers.py"), url,
                              account_id, str(out), str(stop)],
                             env={"PYTHONPATH": env_path, "PATH": "/usr/bin:/bin",
                                  "ESGUI_FAILOVER_TIMEOUT": "60"})  # fmt: skip
            for account_id, out in zip(accounts_ids, outs, strict=True)
        ]
        command_status = child(window, "commandStatus", QLabel)
        deposit = child(window, "depositButton", QAbstractButton)
        for name, value in (("accountIdEdit", "W1"), ("amountEdit", "0.02")):
            child(window, name, QLineEdit).setText(value)
        try:
            _wait(lambda: all(_confirmed(o) >= 5 for o in outs), 120, "writers to start")
            _ctl("esgui_primary", "stop", "-m", "immediate")
            before = [_confirmed(o) for o in outs]
            # the GUI's command panel sends a deposit while there is no primary at all
            qtbot.waitUntil(deposit.isEnabled, timeout=5000)
            command_status.setText("")
            deposit.click()
            time.sleep(1.0)  # the writers (and the window) find no primary meanwhile
            _ctl("esgui_standby", "promote")
            qtbot.waitUntil(lambda: "0.02" in command_status.text(), timeout=60_000)
            assert "Deposited" in command_status.text(), command_status.text()
            _wait(lambda: all(_confirmed(o) >= b + 5 for o, b in zip(outs, before, strict=True)),
                  120, "writers to continue on the new primary")  # fmt: skip
        finally:
            stop.touch()
            for writer in writers:
                writer.wait(timeout=120)
        assert all(writer.returncode == 0 for writer in writers)

        # The window followed: the switch is shown, and its live view is on the new primary.
        new_primary = f"127.0.0.1:{pair.standby_port}"
        qtbot.waitUntil(lambda: f"primary changed to {new_primary}" in label.text(),
                        timeout=15_000)  # fmt: skip
        with esgui.open_store(url) as store:
            assert store.server == new_primary and not store.standby
            latest = esgui.Accounts(store, user="check").deposit("W0", "0.01")
        qtbot.waitUntil(lambda: shown_balance(window, "W0") == latest.balance, timeout=15_000)
    finally:
        window.close()
        window.deleteLater()

    # Every confirmed command is stored exactly once; nothing unconfirmed twice.
    with esgui.open_store(url) as store:
        for account_id, out in zip(accounts_ids, outs, strict=True):
            events = list(store.read_stream(account_id))
            assert [e.version for e in events] == list(range(1, len(events) + 1))
            stored = Counter(e.data["amount"] for e in events if e.event_type == "MoneyDeposited")
            outcomes = _outcomes(out)
            attempted = {amount for amount, _c, _m in outcomes}
            for amount, code, message in outcomes:
                if code == 0:
                    assert stored[amount] == 1, (account_id, amount, stored[amount])
                else:
                    assert code in (4, 6), (account_id, amount, code, message)
                    assert stored[amount] <= 1, (account_id, amount)
            assert set(stored) - {"0.01", "0.02"} <= attempted, account_id
            assert stored["0.02"] == (1 if account_id == "W1" else 0)  # the GUI's, once
            total = sum((Decimal(a) * n for a, n in stored.items()), Decimal("0"))
            assert esgui.Accounts(store, user="check").state(account_id).balance == total
        assert verify_store(store).intact
        AccountProjector(store).catch_up()
        assert check_projection(store).consistent
    done = replicated.cli(url, "verify")
    assert done.returncode == 0, done.stderr
