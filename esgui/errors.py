"""The errors esgui raises on purpose, each with the CLI exit code it maps to.

Anything a user can cause is one of these; their messages are meant to be shown as
they are (one line, plain words, never a password).
"""

from __future__ import annotations


class EsguiError(Exception):
    """Base class of every error esgui raises deliberately."""

    exit_code = 4

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class InvalidInput(EsguiError):
    """Bad amount, account id, owner, version, time, file or argument."""

    exit_code = 2


class RuleViolation(EsguiError):
    """A business rule refused the command (overdraft, closed account, ...)."""

    exit_code = 1


class UnknownAccount(RuleViolation):
    """The account has no events (at the version or time asked for)."""


class InsufficientFunds(RuleViolation):
    """A withdrawal larger than the balance."""


class ConcurrencyError(EsguiError):
    """The stream moved on since it was read: expected version is stale."""

    exit_code = 3

    def __init__(self, aggregate_id: str, expected: int, actual: int) -> None:
        super().__init__(
            f"Concurrency conflict on {aggregate_id!r}: expected version {expected}, "
            f"but the stream is at version {actual}"
        )
        self.aggregate_id = aggregate_id
        self.expected = expected
        self.actual = actual


class StoreError(EsguiError):
    """The store is unreachable, unreadable, foreign or of a newer schema."""

    exit_code = 4


class StoreUnavailable(StoreError):
    """The database cannot be reached or opened."""


class OutcomeUnknown(StoreUnavailable):
    """The connection was lost after the commit was sent: the change may or may not be
    stored (a failover, a crash). Retrying the same command object is safe (its event
    ids make a committed append a no-op); running the command anew is not. CLI exit 6."""

    exit_code = 6


class AppendLockTimeout(StoreError):
    """A writer waited longer than the lock timeout (ESGUI_LOCK_TIMEOUT) for the append
    lock; nothing was appended. Not retried: another session is holding the lock."""


class StoreCorrupt(StoreError):
    """The database or a stored row cannot be read."""


class ForeignDatabase(StoreError):
    """The database holds tables but no esgui schema; esgui leaves it alone."""


class SchemaTooNew(StoreError):
    """The store was written by a newer esgui."""


class UnreadableEvent(StoreError):
    """A stored event cannot be decoded (unknown type, bad payload)."""

    def __init__(self, message: str, *, aggregate_id: str = "", version: int = 0) -> None:
        super().__init__(message)
        self.aggregate_id = aggregate_id
        self.version = version


class NotPermitted(EsguiError):
    """The store is open read-only."""

    exit_code = 5


class QueryStopped(StoreError):
    """A console query ran past its time limit or was cancelled; nothing changed."""
