"""Commands and queries on bank accounts: load → decide → append, retried on conflict.

This is the API the CLI, the GUI and scripts use (CONTRACTS §2). Every command is one
atomic append; a refused or invalid command appends nothing.
"""

from __future__ import annotations

import contextlib
import getpass
import os
import threading
import time
import uuid
from collections import OrderedDict
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from esgui._version import __version__
from esgui.app.replay import Replayer
from esgui.domain.account import (
    SNAPSHOT_SCHEMA_VERSION,
    AccountState,
    BankAccount,
    state_to_snapshot,
)
from esgui.domain.codec import apply_recorded
from esgui.domain.events import AGGREGATE_TYPE
from esgui.domain.ids import validate_account_id
from esgui.domain.money import Amount
from esgui.errors import (
    ConcurrencyError,
    EsguiError,
    InvalidInput,
    RuleViolation,
    StoreUnavailable,
)
from esgui.store import EventStore, NewEvent, RecordedEvent
from esgui.store.ids import new_event_ids

DEFAULT_RETRIES = 30
EXCLUSIVE_AFTER = 2  # optimistic attempts before a command takes the append lock
_CACHE_SIZE = 10_000


def default_user() -> str:
    """ESGUI_USER, else the OS login name."""
    name = os.environ.get("ESGUI_USER")
    if name:
        return name
    try:
        return getpass.getuser()
    except Exception:  # noqa: BLE001 - no login name in some containers
        return "unknown"


def check_user(user: object) -> str:
    if not isinstance(user, str) or not user.strip() or len(user) > 200:
        raise InvalidInput(f"Invalid operator name {user!r}")
    if any(ord(ch) < 32 or ord(ch) == 127 for ch in user):
        raise InvalidInput("Invalid operator name: contains control characters")
    return user.strip()


class Accounts:
    """Bank-account commands and state queries for one operator on one store."""

    def __init__(
        self,
        store: EventStore,
        user: str | None = None,
        *,
        max_retries: int = DEFAULT_RETRIES,
        correlation_id: str | None = None,
    ) -> None:
        self.store = store
        self.user = check_user(user if user is not None else default_user())
        self.max_retries = max_retries
        self.correlation_id = correlation_id
        self.replayer = Replayer(store)
        self._cache: OrderedDict[str, AccountState] = OrderedDict()
        self._cache_lock = threading.Lock()

    # -- commands ----------------------------------------------------------------------

    def open(self, account_id: str, owner: str, initial: Amount = "0.00") -> AccountState:
        return self._execute("open", account_id, lambda a: a.open(owner, initial))

    def deposit(self, account_id: str, amount: Amount) -> AccountState:
        return self._execute("deposit", account_id, lambda a: a.deposit(amount))

    def withdraw(self, account_id: str, amount: Amount) -> AccountState:
        return self._execute("withdraw", account_id, lambda a: a.withdraw(amount))

    def close(self, account_id: str) -> AccountState:
        return self._execute("close", account_id, lambda a: a.close())

    def _execute(
        self, command: str, account_id: str, decide: Callable[[BankAccount], None]
    ) -> AccountState:
        validate_account_id(account_id)
        self.store.writer()  # refuse early (NotPermitted) on a read-only store
        command_id = str(uuid.uuid4())
        conflict: ConcurrencyError | None = None
        # Optimistic: a command first decides on the cached state without reading; a
        # stale cache shows up as a conflict (or as a refusal, which is then checked
        # again on fresh state), so the common case costs one transaction and no read.
        base = self._cached(account_id)
        verified = base is None
        if base is None:
            base = self._load(account_id)
        for attempt in range(self.max_retries + 1):
            if attempt >= EXCLUSIVE_AFTER:
                # Lost the race twice: decide and append holding the store's append
                # lock, so that this attempt cannot lose it again.
                with self.store.exclusive():
                    base = self._load(account_id)
                    account = base.clone()
                    decide(account)
                    recorded = self._append(account_id, base.version,
                                            self._new_events(command, command_id, account))
                return self._finish(base, recorded)
            account = base.clone()
            try:
                decide(account)  # a refusal raises here: nothing appended
            except RuleViolation:
                if verified:
                    raise
                base, verified = self._load(account_id), True
                continue
            new_events = self._new_events(command, command_id, account)
            try:
                recorded = self._append(account_id, base.version, new_events)
            except ConcurrencyError as error:
                conflict = error
                base, verified = self._load(account_id), True
                continue
            return self._finish(base, recorded)
        assert conflict is not None
        raise conflict

    def _finish(self, base: BankAccount, recorded: list[RecordedEvent]) -> AccountState:
        self._apply_and_snapshot(base, recorded)
        state = base.state()
        self._remember(state)
        return state

    def _append(
        self, account_id: str, expected: int, new_events: list[NewEvent]
    ) -> list[RecordedEvent]:
        for transient in range(3):
            try:
                return self.store.append(account_id, expected, new_events)
            except StoreUnavailable:
                # The connection may have dropped after the commit was sent. The same
                # event ids make the retry a no-op if it did commit.
                if transient == 2:
                    raise
                time.sleep(0.2 * (transient + 1))
        raise AssertionError("unreachable")

    def _apply_and_snapshot(self, account: BankAccount, recorded: list[RecordedEvent]) -> None:
        """Fold the recorded events (with their recorded times) into `account`, and
        snapshot every version that is a multiple of the store's interval."""
        every = self.store.snapshot_every
        snaps: list[tuple[int, int, Any]] = []
        for event in recorded:
            apply_recorded(account, event)
            if account.version % every == 0:
                snaps.append(
                    (account.version, SNAPSHOT_SCHEMA_VERSION, state_to_snapshot(account.state()))
                )
        if snaps:
            # Derived data, written after the append: if this fails, replay fills it in.
            with contextlib.suppress(EsguiError):
                self.store.save_snapshots(account.account_id, snaps)

    def _new_events(self, command: str, command_id: str, account: BankAccount) -> list[NewEvent]:
        metadata = {
            "user": self.user,
            "timestamp": datetime.now(UTC).isoformat(),
            "command": command,
            "command_id": command_id,
            "correlation_id": self.correlation_id or command_id,
            "causation_id": command_id,
            "esgui_version": __version__,
        }
        # Ids are fixed here, not by the store, so that retrying an append whose
        # acknowledgement was lost finds them stored and does not write them twice.
        ids = new_event_ids(len(account.pending))
        return [
            NewEvent(
                event.event_type,
                event.to_data(),
                metadata,
                schema_version=event.schema_version,
                aggregate_type=AGGREGATE_TYPE,
                event_id=event_id,
            )
            for event, event_id in zip(account.pending, ids, strict=True)
        ]

    # -- loading with a small cache ----------------------------------------------------

    def _load(self, account_id: str) -> BankAccount:
        """The account as stored now: the cached state plus any events after it."""
        with self._cache_lock:
            cached = self._cache.get(account_id)
        return self.replayer.load(account_id, start=cached)

    def _cached(self, account_id: str) -> BankAccount | None:
        with self._cache_lock:
            cached = self._cache.get(account_id)
        return BankAccount.from_state(cached) if cached is not None else None

    def _remember(self, state: AccountState) -> None:
        with self._cache_lock:
            self._cache[state.account_id] = state
            self._cache.move_to_end(state.account_id)
            while len(self._cache) > _CACHE_SIZE:
                self._cache.popitem(last=False)

    # -- queries -----------------------------------------------------------------------

    def state(
        self, account_id: str, at_version: int | None = None, at_time: datetime | None = None
    ) -> AccountState:
        """Current state, or as of version N, or as of a time (naive means UTC)."""
        return self.replayer.state_at(account_id, version=at_version, when=at_time)
