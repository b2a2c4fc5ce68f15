"""SIGKILL in the middle of writing: the store stays consistent, nothing half-written."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest

import esgui
from esgui.app.seed import seed
from esgui.audit.export import export_events
from esgui.audit.importer import import_file
from esgui.audit.verify import verify_store
from esgui.projections import AccountProjector

pytestmark = pytest.mark.slow

COMMAND_LOOP = """
import sys, esgui
store = esgui.open_store(sys.argv[1])
accounts = esgui.Accounts(store, user="victim")
accounts.open("K1", owner="Killed", initial="0.00")
print("ready", flush=True)
i = 0
while True:
    i += 1
    accounts.deposit("K1", "1.00")
    if i % 3 == 0:
        accounts.withdraw("K1", "1.00")
"""


def assert_consistent(url: str) -> None:
    with esgui.open_store(url) as store:
        assert verify_store(store).intact
        positions = [e.position for e in store.read_all()]
        assert positions == list(range(1, len(positions) + 1))
        replayer = esgui.app.Replayer(store)
        for account_id in store.aggregate_ids():
            versions = [e.version for e in store.read_stream(account_id)]
            assert versions == list(range(1, len(versions) + 1))
            replayer.state_at(account_id, use_snapshots=False)  # every history replays
        projector = AccountProjector(store)
        projector.catch_up()
        for row in projector.summaries():
            state = replayer.state_at(row.account_id)
            assert (row.balance, row.version, row.status) == (state.balance, state.version,
                                                               state.status)


def _kill_after(process: subprocess.Popen, seconds: float) -> None:
    time.sleep(seconds)  # let it get well into its work; the point is a random moment
    os.kill(process.pid, signal.SIGKILL)
    process.wait(timeout=30)


@pytest.mark.parametrize("delay", [0.3, 0.9])
def test_killed_during_commands(store_url, delay: float) -> None:
    esgui.open_store(store_url).close()
    process = subprocess.Popen([sys.executable, "-c", COMMAND_LOOP, store_url],
                               stdout=subprocess.PIPE, text=True)
    assert process.stdout.readline().strip() == "ready"
    _kill_after(process, delay)
    assert_consistent(store_url)
    with esgui.open_store(store_url) as store:
        assert store.current_version("K1") > 1
        esgui.Accounts(store, user="after").deposit("K1", "1.00")  # still usable


def test_killed_during_seed(store_url) -> None:
    esgui.open_store(store_url).close()
    process = subprocess.Popen([sys.executable, "-m", "esgui", "--db", store_url, "seed",
                                "--accounts", "20", "--events", "400000"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:  # wait for the first committed batches
        with esgui.open_store(store_url) as store:
            if store.head()[0] >= 20_000:
                break
        time.sleep(0.2)
    os.kill(process.pid, signal.SIGKILL)
    process.wait(timeout=30)
    assert_consistent(store_url)
    with esgui.open_store(store_url) as store:
        count = store.count()
        assert 0 < count < 400_000
        assert count % 20_000 == 0  # whole batches only


def test_killed_during_import_then_import_again(store_url, tmp_path) -> None:
    source = f"sqlite:///{tmp_path / 'source.db'}"
    with esgui.open_store(source) as store:
        seed(store, accounts=30, events=30_000, seed=5)
    export = tmp_path / "all.jsonl"
    with esgui.open_store(source) as store:
        export_events(store, "jsonl", export)
    esgui.open_store(store_url).close()
    process = subprocess.Popen([sys.executable, "-m", "esgui", "--db", store_url, "import",
                                str(export)], stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)  # fmt: skip
    time.sleep(3)  # well into the import (it takes longer than this)
    os.kill(process.pid, signal.SIGKILL)
    process.wait(timeout=30)
    assert_consistent(store_url)
    with esgui.open_store(store_url) as store:
        partial = store.count()
        assert partial in (0, 30_000)  # all or nothing: one transaction (issue 10)
        import_file(store, export)  # running it again completes the copy
        assert store.count() == 30_000
    assert_consistent(store_url)
    with esgui.open_store(source) as original, esgui.open_store(store_url) as copy:
        a, b = esgui.Accounts(original, user="x"), esgui.Accounts(copy, user="x")
        for account_id in original.aggregate_ids():
            assert a.state(account_id) == b.state(account_id)
