"""Import through the domain: every field of an imported event is checked as the store
checks an append (`esgui.store.validation.prepare`: ids, sizes, what an engine cannot
store) and every account history is replayed through the business rules, with the
commands' own checks (an id like the CLI takes, an owner name, amounts up to the
maximum, no second open, nothing after a close, no overdraft, close only at zero).
All of it runs in the import's first pass, before anything is written.

An account the file continues is started from its stored state (replayed from the
store's events, snapshots validated as always).
"""

from __future__ import annotations

import uuid
from typing import Any

from esgui.app.replay import Replayer
from esgui.audit.export_file import EventRecord
from esgui.domain.account import BankAccount
from esgui.domain.codec import decode_event
from esgui.domain.events import (
    AGGREGATE_TYPE,
    AccountClosed,
    AccountOpened,
    MoneyDeposited,
    MoneyWithdrawn,
)
from esgui.domain.ids import validate_account_id
from esgui.errors import EsguiError, InvalidInput, UnreadableEvent
from esgui.store import EventStore, NewEvent
from esgui.store.validation import prepare


class RuleBreak(InvalidInput):
    """An imported event breaks a business rule or a field rule (exit 2)."""


def _refuse(record: EventRecord, rule: str, detail: str) -> RuleBreak:
    return RuleBreak(
        f"line {record.line}: {record.aggregate_id} version {record.version} "
        f"({record.event_type}) breaks the rule '{rule}': {detail}; nothing was imported"
    )


def as_new_event(record: EventRecord) -> NewEvent:
    return NewEvent(record.event_type, record.data, record.metadata,
                    schema_version=record.schema_version, aggregate_type=record.aggregate_type,
                    event_id=record.event_id, recorded_at=record.recorded_at)  # fmt: skip


class HistoryRules:
    """The running domain state of every account in an import's first pass."""

    def __init__(self, store: EventStore) -> None:
        self.store = store
        self._replayer = Replayer(store)
        self._accounts: dict[str, BankAccount] = {}
        self._seen: dict[bytes, int] = {}  # event id -> line
        self._metadata_cache: dict[int, str] = {}

    def fields(self, record: EventRecord) -> None:
        """What the store would refuse on append, refused now (on both engines)."""
        key = uuid.UUID(record.event_id).bytes
        first = self._seen.setdefault(key, record.line)
        if first != record.line:
            raise InvalidInput(
                f"line {record.line}: event id {record.event_id} appears twice in the file "
                f"(lines {first} and {record.line}); nothing was imported"
            )
        try:
            prepare(as_new_event(record), None, self._metadata_cache)
            self._metadata_cache.clear()
        except InvalidInput as error:
            raise _refuse(record, "stored fields", error.message) from None

    def event(self, record: EventRecord, stored_version: int) -> None:
        """Apply one new event (its version follows the account's last) by the rules."""
        account = self._accounts.get(record.aggregate_id)
        if account is None:
            account = self._start(record, stored_version)
        if record.aggregate_type != AGGREGATE_TYPE:
            raise _refuse(record, "aggregate type",
                          f"{record.aggregate_type!r} is not {AGGREGATE_TYPE!r}")  # fmt: skip
        try:
            event = decode_event(record.event_type, record.schema_version, record.data)
        except UnreadableEvent as error:
            raise _refuse(record, "readable event", error.message) from None
        try:
            self._decide(account, event)
        except EsguiError as error:
            raise _refuse(record, _rule_name(event), error.message) from None
        account.pending.clear()
        account.updated_at = record.recorded_at

    def _start(self, record: EventRecord, stored_version: int) -> BankAccount:
        try:
            validate_account_id(record.aggregate_id)
        except InvalidInput as error:
            raise _refuse(record, "account id", error.message) from None
        if stored_version == 0:
            account = BankAccount(record.aggregate_id)
        else:
            try:
                account = self._replayer.load(record.aggregate_id, stored_version)
            except UnreadableEvent as error:
                raise _refuse(record, "continuable history",
                              f"the store's own history cannot be replayed ({error.message})"
                              ) from None  # fmt: skip
        self._accounts[record.aggregate_id] = account
        return account

    @staticmethod
    def _decide(account: BankAccount, event: Any) -> None:
        if isinstance(event, AccountOpened):
            account.open(event.owner, event.initial)
        elif isinstance(event, MoneyDeposited):
            account.deposit(event.amount)
        elif isinstance(event, MoneyWithdrawn):
            account.withdraw(event.amount)
        elif isinstance(event, AccountClosed):
            account.close()
        else:  # pragma: no cover - decode_event knows only these
            raise InvalidInput(f"unknown event {event!r}")


def _rule_name(event: Any) -> str:
    return {
        AccountOpened: "open an account once, with a valid id, owner and initial amount",
        MoneyDeposited: "deposit a valid amount into an open account",
        MoneyWithdrawn: "withdraw a valid amount, covered by the balance, from an open account",
        AccountClosed: "close an open account at a zero balance",
    }.get(type(event), "business rules")
