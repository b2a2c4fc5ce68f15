"""The same work done with the peer library, `eventsourcing` 9.5, as its documentation
shows: a BankAccount aggregate with @event methods, an Application, repository.get +
save, snapshots every 100 versions, and its own SQLite / PostgreSQL persistence
(environment variables PERSISTENCE_MODULE, SQLITE_DBNAME / POSTGRES_*)."""

from __future__ import annotations

import time
from decimal import Decimal
from typing import Any
from uuid import UUID

from eventsourcing.application import Application
from eventsourcing.domain import Aggregate, event

from bench.common import (
    BATCH,
    OPENING,
    OWNERS,
    PAGE,
    PEER_PG_BATCH,
    bulk_plan,
    cents_text,
    command_plan,
    pg_params,
)
from bench.timing import Clock


class InsufficientFunds(Exception):
    pass


class BankAccount(Aggregate):
    @event("AccountOpened")
    def __init__(self, owner: str, initial: Decimal) -> None:
        self.owner = owner
        self.balance = initial
        self.status = "open"

    @event("MoneyDeposited")
    def deposit(self, amount: Decimal) -> None:
        self.balance += amount

    def withdraw(self, amount: Decimal) -> None:
        if amount > self.balance:
            raise InsufficientFunds(f"balance {self.balance}, requested {amount}")
        self._withdrawn(amount)

    @event("MoneyWithdrawn")
    def _withdrawn(self, amount: Decimal) -> None:
        self.balance -= amount


class Bank(Application[UUID]):
    name = "Bank"


class SnapshottingBank(Bank):
    name = "Bank"
    snapshotting_intervals = {BankAccount: 100}  # noqa: RUF012


def _env(loc: dict[str, Any], snapshots: bool) -> dict[str, str]:
    env = {"IS_SNAPSHOTTING_ENABLED": "y" if snapshots else "n"}
    if loc["engine"] == "sqlite":
        env.update(PERSISTENCE_MODULE="eventsourcing.sqlite", SQLITE_DBNAME=loc["path"])
    else:
        params = pg_params()
        env.update(
            PERSISTENCE_MODULE="eventsourcing.postgres",
            POSTGRES_DBNAME=params["dbname"],
            POSTGRES_HOST=params["host"],
            POSTGRES_PORT=str(params["port"]),
            POSTGRES_USER=params["user"],
            POSTGRES_PASSWORD=params["password"],
            POSTGRES_SCHEMA=loc["schema"],
        )
    return env


def _app(loc: dict[str, Any], snapshots: bool = True) -> Bank:
    cls = SnapshottingBank if snapshots else Bank
    return cls(env=_env(loc, snapshots))


def _batch(loc: dict[str, Any]) -> int:
    return PEER_PG_BATCH if loc["engine"] == "postgresql" else BATCH


def commands(loc: dict[str, Any], accounts: int, commands: int, clock: Clock) -> dict[str, Any]:
    app = _app(loc)
    opened = [BankAccount(OWNERS[i % len(OWNERS)], Decimal(OPENING)) for i in range(accounts)]
    app.save(*opened)
    ids = [account.id for account in opened]
    plan = [(ids[i], kind, amount) for i, kind, amount in command_plan(accounts, commands)]
    with clock.region():
        for account_id, kind, amount in plan:
            account: BankAccount = app.repository.get(account_id)
            if kind == "deposit":
                account.deposit(Decimal(amount))
            else:
                account.withdraw(Decimal(amount))
            app.save(account)
    last: BankAccount = app.repository.get(ids[-1])
    balance = last.balance
    app.close()
    return {"count": commands, "check": str(balance)}


def _load_history(app: Bank, accounts: int, events: int, batch: int) -> list[BankAccount]:
    """Run `bulk_plan` through aggregates, saving every `batch` events."""
    aggregates: list[BankAccount | None] = [None] * accounts
    touched: dict[int, BankAccount] = {}
    pending = 0
    for index, event_type, cents in bulk_plan(accounts, events):
        amount = Decimal(cents_text(cents))
        account = aggregates[index]
        if account is None:
            account = aggregates[index] = BankAccount(OWNERS[index % len(OWNERS)], amount)
        elif event_type == "MoneyDeposited":
            account.deposit(amount)
        else:
            account.withdraw(amount)
        touched[index] = account
        pending += 1
        if pending == batch:
            app.save(*touched.values())
            touched.clear()
            pending = 0
    if touched:
        app.save(*touched.values())
    return [a for a in aggregates if a is not None]


def bulk(loc: dict[str, Any], accounts: int, events: int, clock: Clock) -> dict[str, Any]:
    # No snapshots while loading: the peer takes each by re-reading the aggregate from
    # the store, which is not what a bulk load is about (esgui's seed writes its
    # snapshots from the state it already has, in the same transactions).
    app = _app(loc, snapshots=False)
    with clock.region():
        _load_history(app, accounts, events, _batch(loc))
    count = app.recorder.max_notification_id()
    app.close()
    assert count == events, (count, events)
    return {"count": events, "batch": _batch(loc)}


def prepare_replay(loc: dict[str, Any], events: int) -> dict[str, Any]:
    app = _app(loc, snapshots=True)  # a snapshot every 100 versions, as the peer takes them
    (account,) = _load_history(app, 1, events, _batch(loc))
    app.close()
    return {"account": str(account.id)}


def replay_full(loc: dict[str, Any], account: str, events: int, clock: Clock) -> dict[str, Any]:
    app = _app(loc, snapshots=False)
    with clock.region():
        aggregate: BankAccount = app.repository.get(UUID(account))
    app.close()
    assert aggregate.version == events, (aggregate.version, events)
    return {"count": events, "check": str(aggregate.balance)}


def replay_versions(
    loc: dict[str, Any], account: str, versions: list[int], clock: Clock, repeat: int = 1
) -> dict[str, Any]:
    """Time of each version: the best of `repeat` calls (scheduler noise removed)."""
    app = _app(loc, snapshots=True)
    account_id = UUID(account)
    app.repository.get(account_id, version=1)  # warm-up
    times = []
    with clock.region():
        for version in versions:
            best = float("inf")
            for _ in range(repeat):
                start = time.perf_counter()
                aggregate: BankAccount = app.repository.get(account_id, version=version)
                best = min(best, time.perf_counter() - start)
            times.append(best)
            assert aggregate.version == version
    app.close()
    return {"times": times}


def read_all(loc: dict[str, Any], events: int, clock: Clock) -> dict[str, Any]:
    app = _app(loc, snapshots=False)
    select = app.recorder.select_notifications
    decode = app.mapper.to_domain_event
    deposited, withdrawn, opened = (
        BankAccount.MoneyDeposited,  # type: ignore[attr-defined]
        BankAccount.MoneyWithdrawn,  # type: ignore[attr-defined]
        BankAccount.AccountOpened,  # type: ignore[attr-defined]
    )
    total = Decimal(0)
    count = 0
    with clock.region():
        start = 1
        while True:
            page = select(start, PAGE)
            for notification in page:
                domain_event: Any = decode(notification)
                kind = type(domain_event)
                if kind is deposited:
                    total += domain_event.amount
                elif kind is withdrawn:
                    total -= domain_event.amount
                elif kind is opened:
                    total += domain_event.initial
                count += 1
            if len(page) < PAGE:
                break
            start = page[-1].id + 1
    app.close()
    assert count == events, (count, events)
    return {"count": count, "check": str(total)}


PROJECTION_NOT_COMPARABLE = (
    "eventsourcing 9.5's projection machinery (ProjectionRunner over "
    "ApplicationSubscription) needs recorder.subscribe(), which its SQLite recorder "
    "does not implement; on PostgreSQL it hands events to Projection.process_event one "
    "at a time, and the documented pattern records each event's effect with its tracking "
    "row in one transaction of the view, so a catch-up of 1,000,000 events is about "
    "1,000,000 commits: not a fair equivalent of a batched catch-up. The ceiling column "
    "gives the batched raw number instead."
)


def project(loc: dict[str, Any], events: int, clock: Clock) -> dict[str, Any]:
    return {"skipped": PROJECTION_NOT_COMPARABLE}
