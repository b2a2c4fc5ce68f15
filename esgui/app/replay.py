"""Rebuild an account at any version or time, starting from the newest usable snapshot.

Snapshots are taken every K versions; loading version N reads at most K-1 events after
the snapshot at or below N. A snapshot that is corrupt, of an old schema or
inconsistent is ignored and replay falls back to an older one or to the events.

A snapshot never decides what esgui shows: anyone with INSERT on the table could write
one (its checksum has no secret). So a snapshot is used only when (1) the event at its
version still carries the hash the snapshot was bound to, and (2) it agreed with the
events: the first time a process meets a snapshot, it replays the events up to it and
compares (`SnapshotTrust`, once per snapshot per process, from the newest snapshot
already trusted). A snapshot that disagrees is never used, is logged on the
`esgui.snapshots` logger, and `verify` names it (`esgui.audit.verify_snapshots`).
"""

from __future__ import annotations

import contextlib
import logging
import threading
from collections import OrderedDict
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
from esgui.store.records import snapshot_checksum


@dataclass(frozen=True, slots=True)
class BalancePoint:
    """The balance right after one event, for the chart and the version diff."""

    version: int
    position: int
    event_type: str
    balance: Decimal
    recorded_at: datetime


log = logging.getLogger("esgui.snapshots")


def usable_snapshot(snapshot: StoredSnapshot, account_id: str) -> AccountState | None:
    """The snapshot's state when it is well formed, intact and bound to the stored chain;
    whether it agrees with the events is `SnapshotTrust`'s question."""
    if snapshot.schema_version != SNAPSHOT_SCHEMA_VERSION:
        return None
    if not snapshot.intact or not snapshot.bound:
        return None
    try:
        state = state_from_snapshot(snapshot.state)
    except (KeyError, TypeError, ValueError, ArithmeticError):
        return None
    if state.version != snapshot.version or state.account_id != account_id:
        return None
    return state


def agrees(snapshot: StoredSnapshot, account: BankAccount) -> bool:
    """Whether `snapshot` holds exactly the state the events gave `account` at its version."""
    return (
        account.version == snapshot.version
        and bool(account.status)
        and usable_snapshot(snapshot, account.account_id) is not None
        and snapshot.state == state_to_snapshot(account.state())
    )


class SnapshotTrust:
    """Per process: which snapshots were checked against a replay of the events, and
    whether they agreed. Keyed by everything that identifies the snapshot's content and
    its place in the chain, so a different row (or a changed chain) is checked anew."""

    MAX = 200_000

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._verdicts: OrderedDict[tuple[str, str, int, str, str | None], bool] = OrderedDict()

    @staticmethod
    def key(store: EventStore, snapshot: StoredSnapshot) -> tuple[str, str, int, str, str | None]:
        return (store.description, snapshot.aggregate_id, snapshot.version, snapshot.checksum,
                snapshot.chain_hash)  # fmt: skip

    def verdict(self, store: EventStore, snapshot: StoredSnapshot) -> bool | None:
        with self._lock:
            return self._verdicts.get(self.key(store, snapshot))

    def trust_own(
        self, store: EventStore, account_id: str, version: int, state: Any, event_hash: str
    ) -> None:
        """A snapshot this process computed from the events itself (after its own
        append): trusted without a second replay. Another row at that key, with other
        content, has another checksum and is checked as usual."""
        key = (store.description, account_id, version, snapshot_checksum(state), event_hash)
        with self._lock:
            self._verdicts[key] = True

    def record(self, store: EventStore, snapshot: StoredSnapshot, agreed: bool) -> None:
        key = self.key(store, snapshot)
        with self._lock:
            known = self._verdicts.get(key)
            self._verdicts[key] = agreed
            while len(self._verdicts) > self.MAX:
                self._verdicts.popitem(last=False)
        if not agreed and known is None:
            log.warning(
                "%s: the snapshot of %s at version %d disagrees with its events; it is "
                "not used (run `esgui verify`)",
                store.description, snapshot.aggregate_id, snapshot.version,
            )  # fmt: skip


TRUST = SnapshotTrust()


class Replayer:
    """Loads accounts from a store, using and (lazily) filling in snapshots."""

    def __init__(self, store: EventStore, trust: SnapshotTrust = TRUST) -> None:
        self.store = store
        self.trust = trust

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
                if state is None:
                    continue
                verdict = self.trust.verdict(self.store, snapshot)
                if verdict is None:  # never checked in this process: check on the way
                    return self._validating_load(account_id, target, to_version)
                if verdict:
                    account = BankAccount.from_state(state)
                    break
        if account.version < target:
            self._fold(
                account,
                self.store.replay_rows(account_id, account.version + 1, to_version),
                fill_snapshots=use_snapshots,
            )
        return account

    def _validating_load(self, account_id: str, target: int, to_version: int | None) -> BankAccount:
        """Replay up to `target` from the newest snapshot already trusted (or from the
        start), comparing every snapshot passed on the way with the events' state."""
        candidates = self.store.snapshots_between(account_id, 1, target)
        account = BankAccount(account_id)
        for snapshot in reversed(candidates):
            state = usable_snapshot(snapshot, account_id)
            if state is not None and self.trust.verdict(self.store, snapshot):
                account = BankAccount.from_state(state)
                break
        pending = {s.version: s for s in candidates
                   if s.version > account.version and usable_snapshot(s, account_id)}  # fmt: skip
        if account.version < target:
            self._fold(account, self.store.replay_rows(account_id, account.version + 1,
                                                       to_version),
                       fill_snapshots=True, check=pending)  # fmt: skip
        return account

    def _fold(
        self,
        account: BankAccount,
        stream: Iterable[StreamRow],
        *,
        fill_snapshots: bool,
        check: dict[int, StoredSnapshot] | None = None,
    ) -> None:
        every = self.store.snapshot_every
        missing: list[tuple[int, int, Any]] = []
        for event in stream:
            apply_recorded(account, event)
            if check:
                snapshot = check.pop(account.version, None)
                if snapshot is not None:
                    self.trust.record(self.store, snapshot, agrees(snapshot, account))
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
