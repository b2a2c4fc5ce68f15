"""Validation of account ids and owner names."""

from __future__ import annotations

import re
import unicodedata

from esgui.errors import InvalidInput

MAX_ID_LENGTH = 64
MAX_OWNER_LENGTH = 200
MAX_REFERENCE_LENGTH = 200
_ID_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]*")


def _shown(text: str, limit: int = 40) -> str:
    return repr(text if len(text) <= limit else text[:limit] + "…")


def validate_account_id(account_id: object) -> str:
    """Account ids are 1–64 ASCII letters, digits, '.', '_', ':' or '-' (first: alnum)."""
    if not isinstance(account_id, str):
        raise InvalidInput(f"Invalid account id {account_id!r}: must be text")
    if not account_id:
        raise InvalidInput("Invalid account id: it is empty")
    if len(account_id) > MAX_ID_LENGTH:
        raise InvalidInput(
            f"Invalid account id {_shown(account_id)}: longer than {MAX_ID_LENGTH} characters"
        )
    if not _ID_RE.fullmatch(account_id):
        raise InvalidInput(
            f"Invalid account id {_shown(account_id)}: use letters, digits, '.', '_', ':' "
            "or '-', starting with a letter or digit"
        )
    return account_id


def validate_owner(owner: object) -> str:
    """Owners are 1–200 printable characters (any script), trimmed of outer blanks."""
    return validate_name(owner, "owner")


def validate_operator(name: object) -> str:
    """Operator and note-author names follow the owner rule (issue 10: no bidi
    overrides, zero-width or C1 control characters in who did what)."""
    return validate_name(name, "operator name")


#: Unicode categories refused in names: controls (C0 and C1), format characters (bidi
#: overrides and isolates, zero-width space/joiners, BOM), surrogates, private use,
#: unassigned, line and paragraph separators.
_REFUSED_IN_NAMES = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"})


def validate_name(value: object, what: str, max_length: int = MAX_OWNER_LENGTH) -> str:
    """A person's name (owner, operator, note author): 1–`max_length` printable
    characters of any script, trimmed of outer blanks."""
    if not isinstance(value, str):
        raise InvalidInput(f"Invalid {what} {value!r}: must be text")
    trimmed = value.strip()
    if not trimmed:
        raise InvalidInput(f"Invalid {what}: it is empty")
    if len(trimmed) > max_length:
        raise InvalidInput(f"Invalid {what} {_shown(trimmed)}: longer than {max_length} characters")
    for ch in trimmed:
        if unicodedata.category(ch) in _REFUSED_IN_NAMES:
            raise InvalidInput(
                f"Invalid {what} {_shown(trimmed)}: contains the control character U+{ord(ch):04X}"
            )
    return trimmed


def validate_reference(reference: object) -> str | None:
    """A transfer's reference: None or up to 200 printable characters, trimmed; blank
    text is no reference."""
    if reference is None:
        return None
    if not isinstance(reference, str):
        raise InvalidInput(f"Invalid reference {reference!r}: must be text")
    trimmed = reference.strip()
    if not trimmed:
        return None
    if len(trimmed) > MAX_REFERENCE_LENGTH:
        raise InvalidInput(
            f"Invalid reference {_shown(trimmed)}: longer than {MAX_REFERENCE_LENGTH} characters"
        )
    for ch in trimmed:
        if unicodedata.category(ch) in {"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"}:
            raise InvalidInput(
                f"Invalid reference {_shown(trimmed)}: contains the control character "
                f"U+{ord(ch):04X}"
            )
    return trimmed
