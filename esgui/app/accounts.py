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
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, TypeVar

from esgui._version import __version__
from esgui.app.replay import Replayer
from esgui.domain.account import (
    SNAPSHOT_SCHEMA_VERSION,
    AccountState,
    BankAccount,
    state_to_snapshot,
    transfer,
)
from esgui.domain.codec import apply_recorded
from esgui.domain.events import AGGREGATE_TYPE
from esgui.domain.ids import validate_account_id, validate_operator
from esgui.domain.money import Amount
from esgui.errors import (
    ConcurrencyError,
    EsguiError,
    OutcomeUnknown,
    RuleViolation,
    StoreUnavailable,
    UnknownAccount,
)
from esgui.store import EventStore, NewEvent, RecordedEvent
from esgui.store.ids import new_event_ids

DEFAULT_RETRIES = 30
EXCLUSIVE_AFTER = 2  # optimistic attempts before a command takes the append lock
_CACHE_SIZE = 10_000
T = TypeVar("T")


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
    """The operator's (or note author's) name, validated like an owner's."""
    return validate_operator(user)


@dataclass(frozen=True, slots=True)
class Transfer:
    """What a transfer left behind: both accounts' states after it."""

    sender: AccountState
    receiver: AccountState


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

    def transfer(
        self, from_account: str, to_account: str, amount: Amount, reference: str | None = None
    ) -> Transfer:
        """Move `amount` from one account to another: a TransferSent and a
        TransferReceived appended in one transaction, both streams' expected versions
        checked, or a refusal and nothing appended. Both legs carry one correlation id;
        the received leg's causation is the sent leg."""
        validate_account_id(from_account)
        validate_account_id(to_account)
        sender, receiver = self._execute_many(
            "transfer", (from_account, to_account),
            lambda pair: transfer(pair[0], pair[1], amount, reference),
        )  # fmt: skip
        return Transfer(sender, receiver)

    def _execute(
        self, command: str, account_id: str, decide: Callable[[BankAccount], None]
    ) -> AccountState:
        (state,) = self._execute_many(command, (account_id,), lambda one: decide(one[0]))
        return state

    def _execute_many(
        self,
        command: str,
        account_ids: tuple[str, ...],
        decide: Callable[[list[BankAccount]], None],
    ) -> list[AccountState]:
        """Load the accounts, decide on copies of them, append every account's new
        events in one transaction (each at the version it was decided on)."""
        for account_id in account_ids:
            validate_account_id(account_id)
        self.store.writer()  # refuse early (NotPermitted) on a read-only store
        command_id = str(uuid.uuid4())
        conflict: ConcurrencyError | None = None
        # Optimistic: a command first decides on the cached state without reading; a
        # stale cache shows up as a conflict (or as a refusal, which is then checked
        # again on fresh state), so the common case costs one transaction and no read.
        cached = [self._cached(account_id) for account_id in account_ids]
        verified = all(base is None for base in cached)
        bases = [base if base is not None
                 else self._reconnecting(lambda a=account_id: self._load(a))  # type: ignore[misc]
                 for base, account_id in zip(cached, account_ids, strict=True)]  # fmt: skip
        for attempt in range(self.max_retries + 1):
            if attempt >= EXCLUSIVE_AFTER:
                # Lost the race twice: decide and append holding the store's append
                # lock, so that this attempt cannot lose it again.
                with self.store.exclusive():
                    bases = [self._load(account_id) for account_id in account_ids]
                    decided = [base.clone() for base in bases]
                    decide(decided)
                    recorded = self._append(self._streams(command, command_id, bases, decided))
                return self._finish(bases, recorded)
            decided = [base.clone() for base in bases]
            try:
                decide(decided)  # a refusal raises here: nothing appended
            except UnknownAccount as error:
                if verified:
                    raise self._hinted(error, account_ids) from None
                bases, verified = self._load_all(account_ids), True
                continue
            except RuleViolation:
                if verified:
                    raise
                bases, verified = self._load_all(account_ids), True
                continue
            streams = self._streams(command, command_id, bases, decided)
            try:
                recorded = self._append(streams)
            except ConcurrencyError as error:
                conflict = error
                bases, verified = self._load_all(account_ids), True
                continue
            return self._finish(bases, recorded)
        assert conflict is not None
        raise conflict

    def _finish(
        self, bases: list[BankAccount], recorded: list[RecordedEvent]
    ) -> list[AccountState]:
        states: list[AccountState] = []
        for base in bases:
            own = [event for event in recorded if event.aggregate_id == base.account_id]
            self._apply_and_snapshot(base, own)
            state = base.state()
            self._remember(state)
            states.append(state)
        return states

    def _load_all(self, account_ids: tuple[str, ...]) -> list[BankAccount]:
        return self._reconnecting(lambda: [self._load(account_id) for account_id in account_ids])

    def _append(self, streams: list[tuple[str, int, list[NewEvent]]]) -> list[RecordedEvent]:
        # The connection may have dropped after the commit was sent: the same event ids
        # make the retry a no-op if it did commit. On a failover URL the retries go on
        # for the store's reconnect window, until libpq finds the new primary
        # (docs/operations.md); if none answers in time and a commit was sent, the
        # outcome is unknown (OutcomeUnknown, CLI exit 6).
        unknown: OutcomeUnknown | None = None
        deadline = time.monotonic() + self.store.reconnect_window
        tries = 0
        while True:
            tries += 1
            try:
                if len(streams) == 1:
                    ((account_id, expected, new_events),) = streams
                    return self.store.append(account_id, expected, new_events)
                return self.store.append_many(streams)
            except StoreUnavailable as error:
                if isinstance(error, OutcomeUnknown):
                    unknown = error
                if tries >= 3 and time.monotonic() >= deadline:
                    raise (unknown or error) from None
                time.sleep(min(0.2 * tries, 1.0))

    def _reconnecting(self, read: Callable[[], T]) -> T:
        """A read retried like an append while the store is unreachable (it is safe to
        repeat), for the store's reconnect window."""
        deadline = time.monotonic() + self.store.reconnect_window
        tries = 0
        while True:
            tries += 1
            try:
                return read()
            except StoreUnavailable:
                if tries >= 3 and time.monotonic() >= deadline:
                    raise
                time.sleep(min(0.2 * tries, 1.0))

    def _apply_and_snapshot(self, account: BankAccount, recorded: list[RecordedEvent]) -> None:
        """Fold the recorded events (with their recorded times) into `account`, and
        snapshot every version that is a multiple of the store's interval."""
        every = self.store.snapshot_every
        snaps: list[tuple[int, int, Any]] = []
        for event in recorded:
            apply_recorded(account, event)
            if account.version % every == 0:
                state = state_to_snapshot(account.state())
                snaps.append((account.version, SNAPSHOT_SCHEMA_VERSION, state))
                self.replayer.trust.trust_own(self.store, account.account_id,
                                              account.version, state, event.hash)  # fmt: skip
        if snaps:
            # Derived data, written after the append: if this fails, replay fills it in.
            with contextlib.suppress(EsguiError):
                self.store.save_snapshots(account.account_id, snaps)

    def _streams(
        self,
        command: str,
        command_id: str,
        bases: list[BankAccount],
        decided: list[BankAccount],
    ) -> list[tuple[str, int, list[NewEvent]]]:
        """(account, expected version, new events) for every account that has some.
        The first account's events are caused by the command; the others' by the first
        account's first event (a transfer's received leg by its sent leg)."""
        streams: list[tuple[str, int, list[NewEvent]]] = []
        first_event: str | None = None
        for base, account in zip(bases, decided, strict=True):
            if not account.pending:
                continue
            new_events = self._new_events(command, command_id, account, first_event)
            first_event = first_event or new_events[0].event_id
            streams.append((account.account_id, base.version, new_events))
        return streams

    def _new_events(
        self, command: str, command_id: str, account: BankAccount, caused_by: str | None
    ) -> list[NewEvent]:
        metadata = {
            "user": self.user,
            "timestamp": datetime.now(UTC).isoformat(),
            "command": command,
            "command_id": command_id,
            "correlation_id": self.correlation_id or command_id,
            "causation_id": caused_by or command_id,
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
        try:
            return self.replayer.state_at(account_id, version=at_version, when=at_time)
        except UnknownAccount as error:
            raise self._hinted(error, account_id) from None

    def _hinted(self, error: UnknownAccount, account_ids: str | tuple[str, ...]) -> UnknownAccount:
        """`error`, naming the stored spelling when the id differs from one only in case
        (of the account the error names, among `account_ids`)."""
        ids = (account_ids,) if isinstance(account_ids, str) else account_ids
        named = [a for a in ids if repr(a) in error.message] or list(ids[:1])
        twin = self.store.case_twin(named[0]) if error.message.startswith("Unknown") else None
        if twin is None:
            return error
        return UnknownAccount(
            f"{error.message}; did you mean {twin!r}? (account ids are compared ignoring "
            "case; commands use the stored spelling)"
        )
