"""The workloads through esgui's public API (esgui.Accounts, seed, Replayer, read_all,
AccountProjector): exactly what an application on esgui would call."""

from __future__ import annotations

import time
from decimal import Decimal
from typing import Any

from bench.common import OPENING, OWNERS, account_names, command_plan, esgui_url, fold_amount
from bench.timing import Clock


def _open(loc: dict[str, Any]) -> Any:
    import esgui

    return esgui.open_store(esgui_url(loc))


def commands(loc: dict[str, Any], accounts: int, commands: int, clock: Clock) -> dict[str, Any]:
    import esgui

    store = _open(loc)
    bank = esgui.Accounts(store, user="bench")
    names = account_names(accounts)
    for i, name in enumerate(names):
        bank.open(name, owner=OWNERS[i % len(OWNERS)], initial=OPENING)
    plan = [(names[i], kind, amount) for i, kind, amount in command_plan(accounts, commands)]
    with clock.region():
        for name, kind, amount in plan:
            if kind == "deposit":
                bank.deposit(name, amount)
            else:
                bank.withdraw(name, amount)
    last = bank.state(names[-1])
    store.close()
    return {"count": commands, "check": str(last.balance)}


def bulk(loc: dict[str, Any], accounts: int, events: int, clock: Clock) -> dict[str, Any]:
    from esgui.app.seed import seed

    store = _open(loc)
    with clock.region():
        result = seed(store, accounts=accounts, events=events)
    count = store.count()
    store.close()
    assert count == events, (count, events)
    return {"count": events, "accounts": result.account_ids[:1]}


def prepare_replay(loc: dict[str, Any], events: int) -> dict[str, Any]:
    """One account with `events` events (seed writes a snapshot every 100 versions)."""
    from esgui.app.seed import seed

    store = _open(loc)
    result = seed(store, accounts=1, events=events)
    store.close()
    return {"account": result.account_ids[0]}


def replay_full(loc: dict[str, Any], account: str, events: int, clock: Clock) -> dict[str, Any]:
    from esgui.app.replay import Replayer

    store = _open(loc)
    replayer = Replayer(store)
    with clock.region():
        state = replayer.state_at(account, use_snapshots=False)
    store.close()
    assert state.version == events, (state.version, events)
    return {"count": events, "check": str(state.balance)}


def replay_versions(
    loc: dict[str, Any], account: str, versions: list[int], clock: Clock, repeat: int = 1
) -> dict[str, Any]:
    """Time of each version: the best of `repeat` calls (scheduler noise removed)."""
    from esgui.app.replay import Replayer

    store = _open(loc)
    replayer = Replayer(store)
    replayer.state_at(account, version=1)  # warm-up: connection and statement caches
    times = []
    with clock.region():
        for version in versions:
            best = float("inf")
            for _ in range(repeat):
                start = time.perf_counter()
                state = replayer.state_at(account, version=version)
                best = min(best, time.perf_counter() - start)
            times.append(best)
            assert state.version == version
    store.close()
    return {"times": times}


def read_all(loc: dict[str, Any], events: int, clock: Clock) -> dict[str, Any]:
    store = _open(loc)
    total = Decimal(0)
    count = 0
    with clock.region():
        for event in store.read_all():
            total = fold_amount(total, event.event_type, event.data)
            count += 1
    store.close()
    assert count == events, (count, events)
    return {"count": count, "check": str(total)}


def project(loc: dict[str, Any], events: int, clock: Clock) -> dict[str, Any]:
    from esgui.projections.projector import AccountProjector

    store = _open(loc)
    projector = AccountProjector(store)
    with clock.region():
        applied = projector.rebuild()
    rows = projector.row_count()
    store.close()
    assert applied == events, (applied, events)
    return {"count": applied, "rows": rows}


CONSOLE_QUERIES = (
    "SELECT * FROM event_log ORDER BY position",
    "SELECT * FROM event_log ORDER BY position DESC",
    "SELECT * FROM event_log WHERE account = 'ACC-000001' ORDER BY position",
    "SELECT count(*) AS events FROM event_log",
    "SELECT * FROM account_states ORDER BY balance DESC",
    "SELECT count(*) AS events FROM event_log WHERE recorded_at >= '2000-01-01'",
)


def console(loc: dict[str, Any], events: int, clock: Clock) -> dict[str, Any]:
    """Query console: each documented view's typical question, its first page (500 rows)
    in the grid's way (a sandboxed connection, read-only checks included)."""
    from esgui.app.console import run_query
    from esgui.projections.projector import AccountProjector

    store = _open(loc)
    AccountProjector(store).catch_up()  # account_states as the app shows it
    times = []
    with clock.region():
        for sql in CONSOLE_QUERIES:
            start = time.perf_counter()
            with run_query(store, sql) as result:
                rows = result.fetch(500)
            times.append(time.perf_counter() - start)
            assert rows, sql
    store.close()
    return {"times": times, "views": list(CONSOLE_QUERIES)}


def stats(loc: dict[str, Any], events: int, clock: Clock) -> dict[str, Any]:
    """Statistics: each grouping, the busiest accounts, and one account's days (the
    log's filter), each one database round of GROUP BY."""
    from esgui.app.stores import EventFilter

    store = _open(loc)
    views: list[tuple[str, Any]] = [
        (by, lambda by=by: store.stats.grouped(by))
        for by in ("day", "week", "month", "type", "operator")
    ]
    views.append(("busiest", lambda: store.stats.busiest()))
    one = EventFilter(aggregate_id="ACC-000001")
    views.append(("day, one account", lambda: store.stats.grouped("day", one)))
    times = []
    with clock.region():
        for _name, view in views:
            start = time.perf_counter()
            rows = view()
            times.append(time.perf_counter() - start)
            assert rows
    total = sum(row.events for row in store.stats.grouped("type"))
    store.close()
    assert total == events, (total, events)
    return {"times": times, "views": [name for name, _ in views]}


def prepare_as_of(loc: dict[str, Any], accounts: int, events: int) -> dict[str, Any]:
    """A seeded store (its history spread over 30 days, a snapshot every 100 versions);
    returns the first and last recorded times (POSIX seconds)."""
    from esgui.app.seed import seed

    store = _open(loc)
    seed(store, accounts=accounts, events=events)
    first = next(iter(store.read_all(limit=1))).recorded_at
    last = next(iter(store.read_all(descending=True, limit=1))).recorded_at
    store.close()
    return {"first": first.timestamp(), "last": last.timestamp()}


def as_of(loc: dict[str, Any], times: list[float], clock: Clock, repeat: int = 1
          ) -> dict[str, Any]:  # fmt: skip
    """Time of the whole store as of each time (`esgui.app.as_of.trial_balance`, as
    `accounts --at` and the GUI's As of call it): the best of `repeat` calls."""
    from datetime import UTC, datetime

    from esgui.app.as_of import trial_balance

    store = _open(loc)
    trial_balance(store, datetime.fromtimestamp(times[0], UTC))  # warm-up: connections
    measured = []
    accounts = 0
    with clock.region():
        for when in times:
            best = float("inf")
            for _ in range(repeat):
                start = time.perf_counter()
                view = trial_balance(store, datetime.fromtimestamp(when, UTC))
                best = min(best, time.perf_counter() - start)
            measured.append(best)
            accounts = max(accounts, view.count)
    store.close()
    return {"times": measured, "accounts": accounts}
