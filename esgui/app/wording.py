"""Words that agree with their numbers, for every reader of esgui's output (the window,
the command line, the PDF report): "1 event", "2 events", never "event(s)"."""

from __future__ import annotations

_PLURALS = {"entry": "entries", "match": "matches", "is": "are", "was": "were",
            "position": "positions", "summary": "summaries"}  # fmt: skip


def plural(value: int, noun: str, many: str = "") -> str:
    """ "1 event", "2 events", "1,000 problems": the number with its noun agreeing."""
    if value == 1:
        return f"1 {noun}"
    return f"{value:,} {many or _PLURALS.get(noun, noun + 's')}"


def noun(value: int, singular: str, many: str = "") -> str:
    """The noun alone, agreeing with `value` ("position" / "positions")."""
    if value == 1:
        return singular
    return many or _PLURALS.get(singular, singular + "s")
