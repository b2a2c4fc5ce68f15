"""A real PostgreSQL primary and synchronous hot standby for the replication tests.

The session fixture runs `tools/pg_replicas.sh up` once (idempotent: a pair already up is
used as it is, a broken one rebuilt). Without pg_createcluster (or root) the tests are
skipped, with the reason; ESGUI_REQUIRE_REPLICAS=1 (CI) makes that a failure instead.
The failover test breaks the pair, so it runs last (`pytest_collection_modifyitems`);
the next `up` rebuilds it.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "tools" / "pg_replicas.sh"
PRIMARY_PORT = int(os.environ.get("ESGUI_PRIMARY_PORT", "5440"))
STANDBY_PORT = int(os.environ.get("ESGUI_STANDBY_PORT", "5441"))
REQUIRE = os.environ.get("ESGUI_REQUIRE_REPLICAS", "").strip() == "1"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Failover tests last: they leave the standby promoted and the primary stopped."""
    items.sort(key=lambda item: item.get_closest_marker("failover") is not None)


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "failover: breaks the replica pair (runs last)")


def _admin(port: int):
    import psycopg

    return psycopg.connect(host="127.0.0.1", port=port, user="postgres", dbname="test",
                           autocommit=True, connect_timeout=5)  # fmt: skip


def _pair_problem() -> str | None:
    if shutil.which("pg_createcluster") is None:
        return "pg_createcluster is not available (Debian's postgresql-common)"
    if os.geteuid() != 0:
        status = subprocess.run(["bash", str(SCRIPT), "status"], capture_output=True, text=True)
        return None if status.returncode == 0 else "the replica pair is not up and needs root"
    up = subprocess.run(["bash", str(SCRIPT), "up"], capture_output=True, text=True, timeout=300)
    if up.returncode != 0:
        return f"tools/pg_replicas.sh up failed: {(up.stderr or up.stdout).strip()[-300:]}"
    return None


@dataclass
class Pair:
    """The two servers; URLs are per schema (each test has its own)."""

    primary_port: int = PRIMARY_PORT
    standby_port: int = STANDBY_PORT

    def url(self, schema: str, port: int) -> str:
        return (f"postgresql+psycopg://postgres@127.0.0.1:{port}/test"
                f"?options=-csearch_path%3D{schema}")  # fmt: skip

    def multi_host_url(self, schema: str) -> str:
        return (f"postgresql+psycopg://postgres@/test?host=127.0.0.1:{self.primary_port}"
                f"&host=127.0.0.1:{self.standby_port}&target_session_attrs=read-write"
                f"&options=-csearch_path%3D{schema}")  # fmt: skip

    def wait_replayed(self, timeout: float = 10.0) -> None:
        """Until the standby has replayed everything the primary wrote so far."""
        with _admin(self.primary_port) as conn:
            target = conn.execute("SELECT pg_current_wal_lsn()").fetchone()[0]
        deadline = time.monotonic() + timeout
        with _admin(self.standby_port) as conn:
            while True:
                done = conn.execute("SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn",
                                    (target,)).fetchone()[0]  # fmt: skip
                if done:
                    return
                if time.monotonic() > deadline:
                    raise AssertionError(f"standby did not replay up to {target}")
                time.sleep(0.05)


@pytest.fixture(scope="session")
def pair() -> Pair:
    problem = _pair_problem()
    if problem is not None:
        if REQUIRE:
            pytest.fail(f"{problem}, and ESGUI_REQUIRE_REPLICAS=1 requires the replica pair")
        pytest.skip(problem)
    return Pair()


@dataclass
class Replicated:
    """One test's schema on the pair, with its URLs."""

    pair: Pair
    schema: str

    @property
    def primary(self) -> str:
        return self.pair.url(self.schema, self.pair.primary_port)

    @property
    def standby(self) -> str:
        return self.pair.url(self.schema, self.pair.standby_port)

    @property
    def multi_host(self) -> str:
        return self.pair.multi_host_url(self.schema)

    def cli(self, url: str, *args: str, timeout: float = 120) -> subprocess.CompletedProcess:
        """`esgui --db URL ARGS…` in a process of its own."""
        env = {**os.environ, "PYTHONPATH": str(ROOT), "ESGUI_USER": "tester"}
        return subprocess.run([sys.executable, "-m", "esgui", "--db", url, *args],
                              capture_output=True, text=True, env=env, timeout=timeout)  # fmt: skip

    def main(self, url: str, *args: str) -> subprocess.CompletedProcess:
        """The same through the CLI's entry point in this process (quicker)."""
        import contextlib
        import io

        from esgui.cli import main

        out, err = io.StringIO(), io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = main(["--db", url, "--user", "tester", *args])
        return subprocess.CompletedProcess(["esgui", *args], code, out.getvalue(), err.getvalue())


@pytest.fixture
def replicated(pair: Pair) -> Iterator[Replicated]:
    schema = f"r_{uuid.uuid4().hex[:12]}"
    with _admin(pair.primary_port) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    yield Replicated(pair, schema)
    try:
        with _admin(pair.primary_port) as conn:
            conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
    except Exception:  # noqa: BLE001 - after a failover the old primary is gone
        pass
