"""A command's outcome in words: done, refused by a rule, a conflict, invalid input,
not permitted, or an unexpected error; the kind keys the status line's colour."""

from __future__ import annotations

from collections.abc import Callable

from esgui.domain.account import AccountState
from esgui.errors import ConcurrencyError, EsguiError, InvalidInput, NotPermitted, RuleViolation
from esgui.ui.common.tasks import CancelToken


def outcome(error: BaseException) -> str:
    """refused | conflict | invalid | error."""
    if isinstance(error, RuleViolation | NotPermitted):
        return "refused"
    if isinstance(error, ConcurrencyError):
        return "conflict"
    if isinstance(error, InvalidInput):
        return "invalid"
    return "error"


def explain(error: BaseException) -> str:
    """One sentence for the status line; it always says that nothing was appended
    when that is not obvious."""
    if isinstance(error, ConcurrencyError):
        return (f"{error.message}. Someone else kept changing this account; nothing was "
                "appended — try again.")  # fmt: skip
    if isinstance(error, EsguiError):
        return error.message if error.message.endswith(".") else error.message + "."
    return f"Unexpected error ({type(error).__name__}: {error}); nothing was appended."


def capture(
    work: Callable[[CancelToken], AccountState], token: CancelToken
) -> tuple[AccountState | None, BaseException | None]:
    """Run a command, returning its error instead of raising it (its kind matters)."""
    try:
        return work(token), None
    except EsguiError as error:
        return None, error
