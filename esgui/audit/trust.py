"""What esgui says when a store is known to be tampered (issue 10, "Trust shown in the
window"): the warnings of rebuild and export, shared by the CLI and the window.

They are based on a verification at hand: a fresh one (the CLI's `projections rebuild`
and `export` verify first) or the window's last one of this store. (The verdict
remembered per store across sessions belongs to the verify history; when it exists,
it can feed the same functions.)
"""

from __future__ import annotations

from typing import Any

from esgui.audit.verify import VerifyResult


def _first(result: VerifyResult) -> str:
    first = result.first_problem
    where = f" (first at position {first.position})" if first is not None else ""
    count = result.problem_count - len(result.protection_problems)
    return f"{count} problem{'s' if count != 1 else ''}{where}"


def rebuild_warning(result: VerifyResult | None) -> str | None:
    """The warning before rebuilding a projection of a tampered store (None: none)."""
    if result is None or not result.tampered:
        return None
    return (
        f"Verification found this store TAMPERED: {_first(result)}. Rebuilding replays "
        "the log as it is now, so the projection adopts the altered history: balances "
        "will show the altered events as if they were genuine."
    )


def export_warning(result: VerifyResult | None) -> str | None:
    """The warning that an export copies a tampered log (None: none)."""
    if result is None or not result.tampered:
        return None
    return (
        f"Verification found this store TAMPERED: {_first(result)}. The export copies "
        "the altered history as it is stored; an import of it is not a genuine copy."
    )


def integrity_header(result: VerifyResult | None) -> dict[str, Any] | None:
    """What an export's header says about the source's integrity (None: not checked)."""
    if result is None:
        return None
    first = result.first_problem
    return {
        "verified": True,
        "tampered": result.tampered,
        "problems": result.problem_count,
        "protection_missing": bool(result.protection_problems),
        "first_bad_position": first.position if first is not None and result.tampered else None,
        "head_hash": result.head_hash,
        "warning": export_warning(result),
    }
