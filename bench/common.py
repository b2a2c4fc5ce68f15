"""What the three implementations share: where a store lives, and the work to do.

A *location* is a plain dict (it crosses the process boundary as JSON):
``{"engine": "sqlite", "path": "/tmp/…/x.db"}`` or
``{"engine": "postgresql", "schema": "bench_…"}``. The runner creates and drops
locations; workers only use them.
"""

from __future__ import annotations

import os
import random
import shutil
import uuid
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

PG_URL = os.environ.get("BENCH_PG_URL", "postgresql://postgres@127.0.0.1:5432/test")
ENGINES = ("sqlite", "postgresql")
IMPLS = ("esgui", "peer", "ceiling")

# The peer's PostgreSQL recorder hangs on one save of more than about 2,600 events
# (psycopg pipeline mode); its bulk saves stay below that.
PEER_PG_BATCH = 2_000
BATCH = 20_000  # esgui's seed batch; the peer on SQLite and the ceiling use the same
PAGE = 1_000  # page size of every global read (esgui's read_all default)


# -- locations ---------------------------------------------------------------------------


def pg_params() -> dict[str, Any]:
    parts = urlsplit(PG_URL)
    return {
        "host": parts.hostname or "127.0.0.1",
        "port": parts.port or 5432,
        "user": parts.username or "postgres",
        "password": parts.password or "",
        "dbname": (parts.path or "/test").lstrip("/") or "test",
    }


def pg_connect(schema: str | None = None, **kwargs: Any) -> Any:
    import psycopg

    params = pg_params()
    if not params["password"]:
        params.pop("password")
    conn = psycopg.connect(**params, **kwargs)
    if schema:
        conn.execute(f'SET search_path TO "{schema}"')
        if not conn.autocommit:
            conn.commit()
    return conn


def new_location(engine: str, tmpdir: str, tag: str) -> dict[str, Any]:
    name = f"{tag}_{uuid.uuid4().hex[:10]}"
    if engine == "sqlite":
        return {"engine": "sqlite", "path": str(Path(tmpdir) / f"{name}.db")}
    schema = f"bench_{name}"
    with pg_connect(autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    return {"engine": "postgresql", "schema": schema}


def drop_location(loc: dict[str, Any]) -> None:
    if loc["engine"] == "sqlite":
        for suffix in ("", "-wal", "-shm", "-journal"):
            path = Path(loc["path"] + suffix)
            if path.exists():
                path.unlink()
        return
    schema = loc["schema"]
    assert schema.startswith("bench_"), schema  # only ever drop what we created
    with pg_connect(autocommit=True) as conn:
        conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


def analyze(loc: dict[str, Any]) -> None:
    """Planner statistics for every table of the location, as autovacuum (PostgreSQL)
    would have gathered a minute after a bulk load; SQLite gets ANALYZE too."""
    if loc["engine"] == "sqlite":
        import sqlite3

        conn = sqlite3.connect(loc["path"], isolation_level=None, timeout=30)
        try:
            conn.execute("ANALYZE")
        finally:
            conn.close()
        return
    with pg_connect(autocommit=True) as conn:
        tables = [row[0] for row in conn.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = %s", (loc["schema"],))]  # fmt: skip
        for table in tables:
            conn.execute(f'ANALYZE "{loc["schema"]}"."{table}"')


def remove_tree(path: str) -> None:
    shutil.rmtree(path, ignore_errors=True)


def esgui_url(loc: dict[str, Any]) -> str:
    if loc["engine"] == "sqlite":
        return f"sqlite:///{loc['path']}"
    base = PG_URL.replace("postgresql://", "postgresql+psycopg://", 1)
    sep = "&" if "?" in base else "?"
    return f"{base}{sep}options=-csearch_path%3D{loc['schema']}"


# -- the work ----------------------------------------------------------------------------

OWNERS = ("Alice Andersen", "Bob Bauer", "Chloé Costa", "Dmitri Dubois", "Emeka Eriksen")
OPENING = "1000.00"


def account_names(count: int) -> list[str]:
    return [f"ACC-{i + 1:06d}" for i in range(count)]


def command_plan(accounts: int, commands: int, seed: int = 7) -> list[tuple[int, str, str]]:
    """(account index, "deposit"|"withdraw", amount) round-robin over the accounts; every
    third command withdraws a small amount (never more than the balance, which starts
    at 1000.00 and only grows by more than the withdrawals take)."""
    rng = random.Random(seed)
    plan = []
    for n in range(commands):
        cents = rng.randint(100, 5_000)
        kind = "withdraw" if n % 3 == 2 else "deposit"
        plan.append((n % accounts, kind, f"{cents // 100}.{cents % 100:02d}"))
    return plan


def bulk_plan(accounts: int, events: int, seed: int = 11) -> Iterator[tuple[int, str, int]]:
    """(account index, event type, cents) for `events` events over `accounts` accounts,
    interleaved at random, each account opening first and never overdrawn: the same
    kind of history as esgui's seed (which the esgui side runs itself)."""
    rng = random.Random(seed)
    per = [events // accounts + (1 if i < events % accounts else 0) for i in range(accounts)]
    order = [i for i, count in enumerate(per) for _ in range(count)]
    rng.shuffle(order)
    balances = [-1] * accounts
    for index in order:
        if balances[index] < 0:
            cents = rng.randint(1_000, 400_000)
            balances[index] = cents
            yield index, "AccountOpened", cents
        elif balances[index] >= 2 and rng.random() < 0.45:
            cents = max(1, min(balances[index] - 1, int(balances[index] * rng.random() * 0.4)))
            balances[index] -= cents
            yield index, "MoneyWithdrawn", cents
        else:
            cents = rng.randint(500, 250_000)
            balances[index] += cents
            yield index, "MoneyDeposited", cents


def cents_text(cents: int) -> str:
    return f"{cents // 100}.{cents % 100:02d}"


def replay_versions(events: int, count: int, seed: int = 3) -> list[int]:
    """`count` distinct random versions of a stream of `events` events."""
    rng = random.Random(seed)
    return rng.sample(range(1, events + 1), min(count, events))


def fold_amount(total: Decimal, event_type: str, data: dict[str, Any]) -> Decimal:
    """The Decimal fold of the global reads: money in minus money out."""
    if event_type == "MoneyDeposited":
        return total + Decimal(data["amount"])
    if event_type == "MoneyWithdrawn":
        return total - Decimal(data["amount"])
    if event_type == "AccountOpened":
        return total + Decimal(data["initial"])
    return total
