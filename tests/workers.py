"""Functions run in child processes by the multi-process tests (spawned, importable)."""

from __future__ import annotations

import multiprocessing as mp
from typing import Any


def deposit_many(url: str, account_id: str, amount: str, count: int, user: str,
                 start: Any = None) -> int:
    """Deposit `amount` `count` times; returns how many were confirmed."""
    import esgui

    if start is not None:
        start.wait()
    with esgui.open_store(url) as store:
        accounts = esgui.Accounts(store, user=user, max_retries=200)
        done = 0
        for _ in range(count):
            accounts.deposit(account_id, amount)
            done += 1
    return done


def open_and_churn(url: str, account_id: str, count: int, user: str, start: Any = None) -> int:
    """Open an account, then alternate deposits and withdrawals on it."""
    import esgui

    if start is not None:
        start.wait()
    with esgui.open_store(url) as store:
        accounts = esgui.Accounts(store, user=user, max_retries=200)
        accounts.open(account_id, owner=user, initial="10.00")
        for i in range(count):
            if i % 2:
                accounts.withdraw(account_id, "1.00")
            else:
                accounts.deposit(account_id, "1.01")
    return count + 1


def transfer_randomly(url: str, account_ids: list[str], count: int, user: str, seed: int,
                      start: Any = None) -> tuple[int, int]:
    """`count` transfers between random pairs of `account_ids`; returns (done, refused
    for insufficient funds)."""
    import random

    import esgui
    from esgui.errors import InsufficientFunds

    rng = random.Random(seed)
    if start is not None:
        start.wait()
    done = refused = 0
    with esgui.open_store(url) as store:
        accounts = esgui.Accounts(store, user=user, max_retries=200)
        for _ in range(count):
            source, target = rng.sample(account_ids, 2)
            amount = f"{rng.randint(1, 4000) / 100:.2f}"
            try:
                accounts.transfer(source, target, amount, reference=f"{user}")
                done += 1
            except InsufficientFunds:
                refused += 1
    return done, refused


def open_store_once(url: str, start: Any = None) -> str:
    import esgui

    if start is not None:
        start.wait()
    with esgui.open_store(url) as store:
        return store.description


def run_parallel(target: Any, arg_lists: list[tuple]) -> list[Any]:
    """Start one spawned process per argument tuple, released together by a barrier."""
    ctx = mp.get_context("spawn")
    with ctx.Manager() as manager:
        barrier = manager.Barrier(len(arg_lists))
        with ctx.Pool(len(arg_lists)) as pool:
            pending = [pool.apply_async(target, (*args, barrier)) for args in arg_lists]
            return [p.get(timeout=240) for p in pending]
