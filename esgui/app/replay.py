"""Rebuild an account at any version or time, starting from the newest usable snapshot.

Snapshots are taken every K versions; loading version N reads at most K-1 events after
the snapshot at or below N. A snapshot that is corrupt, of an old schema or
inconsistent is ignored and replay falls back to an older one or to the events.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any, NoReturn

from esgui.app.timeutil import as_utc
from esgui.domain.account import (
    SNAPSHOT_SCHEMA_VERSION,
    AccountState,
    BankAccount,
    state_from_snapshot,
    state_to_snapshot,
)
from esgui.domain.codec import apply_recorded
from esgui.domain.ids import validate_account_id
from esgui.errors import EsguiError, InvalidInput, UnknownAccount
from esgui.store import MAX_VERSION, EventStore, StoredSnapshot, StreamRow


@dataclass(frozen=True, slots=True)
class BalancePoint:
    """The balance right after one event, for the chart and the version diff."""

    version: int
    position: int
    event_type: str
    balance: Decimal
    recorded_at: datetime


def usable_snapshot(snapshot: StoredSnapshot, account_id: str) -> AccountState | None:
    if snapshot.schema_version != SNAPSHOT_SCHEMA_VERSION:
        return None
    if not snapshot.intact:
        return None
    try:
        state = state_from_snapshot(snapshot.state)
    except (KeyError, TypeError, ValueError, ArithmeticError):
        return None
    if state.version != snapshot.version or state.account_id != account_id:
        return None
    return state


class Replayer:
    """Loads accounts from a store, using and (lazily) filling in snapshots."""

    def __init__(self, store: EventStore) -> None:
        self.store = store

    def load(
        self,
        account_id: str,
        to_version: int | None = None,
        *,
        use_snapshots: bool = True,
        start: AccountState | None = None,
    ) -> BankAccount:
        """The aggregate at `to_version` (latest when None); version 0 if it has no events.

        `start` is a state already known (a cache) to continue from when it is not
        beyond the target."""
        with self.store.reading():  # the snapshot and the events on one connection
            return self._load(account_id, to_version, use_snapshots, start)

    def _load(
        self,
        account_id: str,
        to_version: int | None,
        use_snapshots: bool,
        start: AccountState | None,
    ) -> BankAccount:
        account = BankAccount(account_id)
        target = to_version if to_version is not None else MAX_VERSION
        if start is not None and start.version <= target:
            # A known recent state (the command cache): the events after it are usually
            # few, so read them directly instead of looking for a snapshot first.
            account = BankAccount.from_state(start)
        elif use_snapshots and account.version < target:
            for snapshot in self.store.snapshots_at_or_below(account_id, target):
                if snapshot.version <= account.version:
                    break
                state = usable_snapshot(snapshot, account_id)
                if state is not None:
                    account = BankAccount.from_state(state)
                    break
        if account.version < target:
            self._fold(
                account,
                self.store.replay_rows(account_id, account.version + 1, to_version),
                fill_snapshots=use_snapshots,
            )
        return account

    def _fold(
        self, account: BankAccount, stream: Iterable[StreamRow], *, fill_snapshots: bool
    ) -> None:
        every = self.store.snapshot_every
        missing: list[tuple[int, int, Any]] = []
        for event in stream:
            apply_recorded(account, event)
            if fill_snapshots and account.version % every == 0:
                missing.append(
                    (account.version, SNAPSHOT_SCHEMA_VERSION, state_to_snapshot(account.state()))
                )
        if missing and not self.store.read_only:
            # Streams written without snapshots (imports, old stores) get them now, so
            # the next replay is bounded. Only versions not yet snapshotted are written.
            with contextlib.suppress(EsguiError):  # derived data: never fail a read for it
                self.store.save_snapshots(account.account_id, missing)

    def state_at(
        self,
        account_id: str,
        *,
        version: int | None = None,
        when: datetime | None = None,
        use_snapshots: bool = True,
    ) -> AccountState:
        validate_account_id(account_id)
        if version is not None and when is not None:
            raise InvalidInput("Give a version or a time, not both")
        if when is not None:
            when = as_utc(when)
            version = self.store.version_at(account_id, when)
            if version == 0:
                if self.store.current_version(account_id) == 0:
                    raise UnknownAccount(f"Unknown account {account_id!r}")
                raise UnknownAccount(
                    f"Account {account_id!r} did not exist yet at {when.isoformat()}"
                )
        if version is not None:
            if isinstance(version, bool) or not isinstance(version, int) or version < 0:
                raise InvalidInput(f"Invalid version {version!r}: must be a whole number ≥ 0")
            if version == 0 or version > MAX_VERSION:
                # One rule for every version outside 1..current: an unknown account is
                # exit 1 (like any other command on it), a version it lacks exit 2.
                self._refuse_version(account_id, version, self.store.current_version(account_id))
        account = self.load(account_id, version, use_snapshots=use_snapshots)
        if version is not None and account.version < version:
            self._refuse_version(account_id, version, account.version)
        return account.state()

    @staticmethod
    def _refuse_version(account_id: str, version: int, current: int) -> NoReturn:
        if current == 0:
            raise UnknownAccount(f"Unknown account {account_id!r}")
        span = "version 1" if current == 1 else f"versions 1..{current}"
        raise InvalidInput(f"Account {account_id!r} has {span}; there is no version {version}")

    def history(self, account_id: str) -> list[BalancePoint]:
        """Balance after every event of the account, oldest first."""
        account = BankAccount(account_id)
        points: list[BalancePoint] = []
        for event in self.store.replay_rows(account_id):
            apply_recorded(account, event)
            points.append(
                BalancePoint(
                    event.version,
                    event.position,
                    event.event_type,
                    account.balance,
                    event.recorded_at,
                )
            )
        return points
