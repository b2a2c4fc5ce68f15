"""Spreadsheet-safe CSV cells (OWASP "CSV injection"): a cell that a spreadsheet would
run as a formula — one starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage
return — is written with a leading single quote, so it shows as text. A cell that
already starts with a quote gets one more, which keeps the escaping reversible: the
importer removes exactly one leading quote (`restore`), so an export still imports
byte-for-byte as stored (docs/audit.md, docs/reliability.md)."""

from __future__ import annotations

from typing import Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
QUOTE = "'"


def neutralise(value: Any) -> Any:
    """The cell as written: text a spreadsheet would evaluate gets a leading quote."""
    if isinstance(value, str) and value.startswith((*FORMULA_STARTS, QUOTE)):
        return QUOTE + value
    return value


def restore(cell: str) -> str:
    """The cell as exported, before `neutralise` (what the importer reads)."""
    return cell[1:] if cell.startswith(QUOTE) else cell
