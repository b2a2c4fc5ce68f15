"""Account ids are unique ignoring case (docs/cli.md, "Account ids"): ``a1`` cannot be
opened while ``A1`` exists. The stored spelling is kept; operators read ids aloud, and
two accounts that differ only in case would be confused.

Checked by the appender, under the append lock, whenever a stream gets its first
events, so two writers cannot race past it (on both engines). The lookup needs no
index of its own: it asks the unique (aggregate_id, version) index for version 1 of
every case spelling of the id (ids are ASCII, so an id with k letters has 2**k
spellings). An id with more than `MAX_SPELLED_LETTERS` letters falls back to a scan
comparing lower-cased ids. Stores written before this rule may already hold such
twins: they stay readable; only new ones are refused.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Iterator

from sqlalchemy import Connection, func, select

from esgui.errors import RuleViolation
from esgui.store.reads import IN_LIST
from esgui.store.schema import events

MAX_SPELLED_LETTERS = 10  # 1,024 spellings: point lookups; more letters: one scan


def spellings(account_id: str) -> Iterator[str]:
    """Every spelling of `account_id` that differs only in the case of its letters."""
    choices = [(ch.lower(), ch.upper()) if ch.isalpha() else (ch,) for ch in account_id]
    for combo in itertools.product(*choices):
        yield "".join(combo)


def refuse_case_twins(conn: Connection, new_ids: Iterable[str]) -> None:
    """RuleViolation when one of these new streams' ids equals, ignoring case, a stored
    stream's or another new one's. Call under the append lock."""
    new = list(dict.fromkeys(new_ids))
    seen: dict[str, str] = {}
    for account_id in new:
        other = seen.setdefault(account_id.lower(), account_id)
        if other != account_id:
            raise _clash(account_id, other, stored=False)
    spelled: list[str] = []
    scanned: list[str] = []
    for account_id in new:
        letters = sum(ch.isalpha() for ch in account_id)
        if letters > MAX_SPELLED_LETTERS:
            scanned.append(account_id)
        elif letters:
            spelled.extend(s for s in spellings(account_id) if s != account_id)
    for start in range(0, len(spelled), IN_LIST):
        query = select(events.c.aggregate_id).where(
            events.c.aggregate_id.in_(spelled[start : start + IN_LIST]), events.c.version == 1
        )
        row = conn.execute(query.limit(1)).first()
        if row is not None:
            raise _clash(seen[row[0].lower()], row[0], stored=True)
    for account_id in scanned:
        query = select(events.c.aggregate_id).where(
            func.lower(events.c.aggregate_id) == account_id.lower(),
            events.c.aggregate_id != account_id,
            events.c.version == 1,
        )
        row = conn.execute(query.limit(1)).first()
        if row is not None:
            raise _clash(account_id, row[0], stored=True)


def stored_twin(conn: Connection, account_id: str) -> str | None:
    """The stored id that equals `account_id` ignoring case but not exactly (a hint for
    "Unknown account 'a1'" when 'A1' exists), or None."""
    letters = sum(ch.isalpha() for ch in account_id)
    if not letters:
        return None
    if letters <= MAX_SPELLED_LETTERS:
        spelled = [s for s in spellings(account_id) if s != account_id]
        for start in range(0, len(spelled), IN_LIST):
            query = select(events.c.aggregate_id).where(
                events.c.aggregate_id.in_(spelled[start : start + IN_LIST]),
                events.c.version == 1,
            )
            row = conn.execute(query.limit(1)).first()
            if row is not None:
                return str(row[0])
        return None
    query = select(events.c.aggregate_id).where(
        func.lower(events.c.aggregate_id) == account_id.lower(),
        events.c.aggregate_id != account_id,
        events.c.version == 1,
    )
    row = conn.execute(query.limit(1)).first()
    return str(row[0]) if row is not None else None


def _clash(account_id: str, other: str, *, stored: bool) -> RuleViolation:
    where = "already exists" if stored else "is in the same write"
    return RuleViolation(
        f"Account id {account_id!r} differs from {other!r}, which {where}, only in case: "
        f"account ids are compared ignoring case; use {other!r} (nothing was written)"
    )
