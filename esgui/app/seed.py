"""Synthetic but rule-abiding account histories, for demos, tests and benchmarks.

`seed(store, accounts=N, events=M, seed=S)` writes exactly M events over N new
accounts: each opens first, then deposits and withdrawals (never overdrawn), and some
accounts withdraw everything and close. The same S gives the same history (ids of
accounts, owners, amounts, order); event ids and the store positions differ.

The history is backdated: its recorded times spread evenly over the `days` before now,
so the timeline and time-travel views have something to show. Every seeded event's
metadata says ``"source": "seed"``.
"""

from __future__ import annotations

import random
import re
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from esgui.domain.account import SNAPSHOT_SCHEMA_VERSION
from esgui.domain.events import AccountClosed, AccountOpened, MoneyDeposited, MoneyWithdrawn
from esgui.errors import InvalidInput
from esgui.projections import Cancelled
from esgui.store import EventStore, NewEvent

BATCH_EVENTS = 20_000
CLOSING_SHARE = 0.12
_ID_RE = re.compile(r"ACC-(\d{6,})")

FIRST = (
    "Alice",
    "Bob",
    "Chloé",
    "Dmitri",
    "Emeka",
    "Fatima",
    "Greta",
    "Hiro",
    "Ines",
    "Jonas",
    "Kavya",
    "Liam",
    "Mei",
    "Nadia",
    "Oskar",
    "Priya",
    "Quentin",
    "Rosa",
    "Sven",
    "Tariq",
    "Uma",
    "Viktor",
    "Wen",
    "Ximena",
    "Yusuf",
    "Zoë",
)
LAST = (
    "Andersen",
    "Bauer",
    "Costa",
    "Dubois",
    "Eriksen",
    "Fischer",
    "García",
    "Haddad",
    "Ivanova",
    "Jensen",
    "Kowalski",
    "Lindqvist",
    "Moreau",
    "Nakamura",
    "Okafor",
    "Petrov",
    "Quinn",
    "Rossi",
    "Schmidt",
    "Tanaka",
    "Urban",
    "Varga",
    "Weber",
    "Xu",
    "Yilmaz",
    "Zhang",
)


@dataclass(frozen=True)
class SeedResult:
    account_ids: list[str]
    events: int
    first_position: int
    last_position: int


def _cents(value: int) -> str:
    return f"{value // 100}.{value % 100:02d}"


def _history(rng: random.Random, count: int, closing: bool) -> Iterator[tuple[str, int]]:
    """(event type, cents) for one account: `count` events that obey every rule."""
    initial = rng.choice((0, 0, rng.randint(1_000, 50_000), rng.randint(100_000, 400_000)))
    if closing and initial == 0:
        initial = rng.randint(1_000, 20_000)  # a closing account needs money to withdraw
    yield AccountOpened.event_type, initial
    balance = initial
    ops = count - 1 - (2 if closing else 0)
    draw = rng.random  # plain uniform draws shaped by arithmetic: a million of them is quick
    for _ in range(ops):
        if balance >= 2 and draw() < 0.45:
            # a fraction of the balance, mostly small (u³ has mean 1/4); never all of it
            # here: a closing account's last withdrawal does that
            amount = max(1, min(balance - 1, int(balance * draw() ** 3 * 0.8)))
            balance -= amount
            yield MoneyWithdrawn.event_type, amount
        else:
            kind = draw()
            if kind < 0.7:  # everyday: 5.00 … 250.00
                amount = 500 + int(draw() * 24_500)
            elif kind < 0.97:  # salaries: 1,500.00 … 4,500.00
                amount = 150_000 + int(draw() * 300_000)
            else:  # rare large transfers: 10,000.00 … 50,000.00
                amount = 1_000_000 + int(draw() * 4_000_000)
            balance += amount
            yield MoneyDeposited.event_type, amount
    if closing:
        yield MoneyWithdrawn.event_type, balance
        yield AccountClosed.event_type, 0


def _split(rng: random.Random, total: int, parts: int) -> list[int]:
    """`total` events over `parts` accounts, each at least one, unevenly like real life."""
    weights = [rng.paretovariate(1.6) for _ in range(parts)]
    scale = (total - parts) / sum(weights)
    shares = [w * scale for w in weights]
    counts = [1 + int(s) for s in shares]
    missing = total - sum(counts)
    by_fraction = sorted(range(parts), key=lambda i: shares[i] - int(shares[i]), reverse=True)
    for i in by_fraction[:missing]:
        counts[i] += 1
    return counts


def _next_account_number(store: EventStore) -> int:
    numbers = [int(m.group(1)) for a in store.aggregate_ids() if (m := _ID_RE.fullmatch(a))]
    return max(numbers, default=0) + 1


#: Upper bounds of one seed run: the history is planned in memory first (about 150
#: bytes an event), so a typo like `--events 1000000000` is refused at once instead of
#: growing to gigabytes. Run seed again to add more (account numbers continue).
MAX_SEED_ACCOUNTS = 1_000_000
MAX_SEED_EVENTS = 10_000_000


def check_seed_size(accounts: object, events: object) -> None:
    """InvalidInput unless 1 ≤ accounts ≤ events and both are within the bounds."""
    if isinstance(accounts, bool) or not isinstance(accounts, int) or accounts < 1:
        raise InvalidInput(f"Invalid account count {accounts!r}: must be at least 1")
    if isinstance(events, bool) or not isinstance(events, int) or events < accounts:
        raise InvalidInput(
            f"Invalid event count {events!r}: must be at least the number of accounts "
            f"({accounts}), since every account starts with its opening event"
        )
    if accounts > MAX_SEED_ACCOUNTS or events > MAX_SEED_EVENTS:
        raise InvalidInput(
            f"A seed run writes at most {MAX_SEED_ACCOUNTS:,} accounts and "
            f"{MAX_SEED_EVENTS:,} events (asked: {accounts:,} and {events:,}); run seed "
            "several times for more"
        )


def seed(
    store: EventStore,
    *,
    accounts: int,
    events: int,
    seed: int = 0,
    user: str = "seed",
    days: int = 365,
    progress: Callable[[int, int], None] | None = None,
    should_stop: Callable[[], bool] | None = None,
) -> SeedResult:
    """Write the history in batches of whole transactions; every prefix obeys the rules,
    so a cancelled or killed seed leaves a consistent store."""
    check_seed_size(accounts, events)
    store.writer()  # refuse a read-only store before any work
    rng = random.Random(seed)
    first_number = _next_account_number(store)
    ids = [f"ACC-{first_number + i:06d}" for i in range(accounts)]
    counts = _split(rng, events, accounts)
    closing = [c >= 3 and rng.random() < CLOSING_SHARE for c in counts]
    owners = [f"{rng.choice(FIRST)} {rng.choice(LAST)}" for _ in range(accounts)]
    histories = [
        _history(random.Random(rng.getrandbits(64)), counts[i], closing[i]) for i in range(accounts)
    ]
    order = [i for i, c in enumerate(counts) for _ in range(c)]
    rng.shuffle(order)
    # an account's first slot in the order must be its opening: histories are consumed
    # in order, so that holds by construction.

    run_id = str(uuid.uuid4())
    # One metadata object for the whole run: who ran it and when (the recorded times
    # are the synthetic, backdated ones).
    metadata = {
        "user": user, "timestamp": datetime.now(UTC).isoformat(), "source": "seed",
        "seed": seed, "command": "seed", "correlation_id": run_id, "causation_id": run_id,
    }  # fmt: skip
    end = datetime.now(UTC).replace(microsecond=0)
    start = end - timedelta(days=days)
    step = (end - start) / max(events, 1)
    every = store.snapshot_every
    versions = [0] * accounts
    balances = [0] * accounts
    opened_at: list[datetime | None] = [None] * accounts
    first_position = last_position = 0
    done = 0
    while done < events:
        if should_stop is not None and should_stop():
            raise Cancelled(f"Seeding cancelled after {done} of {events} events")
        batch: list[tuple[str, int, list[NewEvent]]] = []
        snaps: list[tuple[str, int, int, Any]] = []
        for index in order[done : done + BATCH_EVENTS]:
            event_type, cents = next(histories[index])
            recorded_at = start + step * (done + len(batch))
            if event_type == "AccountOpened":
                data = {"owner": owners[index], "initial": _cents(cents)}
                balances[index] = cents
                opened_at[index] = recorded_at
            elif event_type == "MoneyDeposited":
                data = {"amount": _cents(cents)}
                balances[index] += cents
            elif event_type == "MoneyWithdrawn":
                data = {"amount": _cents(cents)}
                balances[index] -= cents
            else:
                data = {}
            schema = (MoneyDeposited.schema_version if event_type.startswith("Money")
                      else 1)  # fmt: skip
            batch.append(
                (
                    ids[index],
                    versions[index],
                    [NewEvent(event_type, data, metadata, schema, recorded_at=recorded_at)],
                )
            )
            versions[index] += 1
            if versions[index] % every == 0:
                snaps.append((ids[index], versions[index], SNAPSHOT_SCHEMA_VERSION, {
                    "account_id": ids[index], "owner": owners[index],
                    "balance": _cents(balances[index]),
                    "status": "closed" if event_type == "AccountClosed" else "open",
                    "version": versions[index],
                    "opened_at": when.isoformat() if (when := opened_at[index]) else None,
                    "updated_at": recorded_at.isoformat(),
                }))  # fmt: skip
        recorded = store.append_many(batch, snapshots_to_save=snaps, return_records=False)
        del recorded
        done += len(batch)
        if progress is not None:
            progress(done, events)
    head = store.head()[0]
    last_position = head
    first_position = head - events + 1
    return SeedResult(ids, events, first_position, last_position)
