"""Operator and note-author names are validated like owner names (issue 10, low):
no bidi overrides, zero-width or C0/C1 control characters in who did what."""

from __future__ import annotations

import pytest

import esgui
from esgui.app.accounts import check_user
from esgui.audit.notes import add_note
from esgui.cli import main
from esgui.domain.ids import validate_owner

BAD = [
    "eve\u202egnp.exe",  # RIGHT-TO-LEFT OVERRIDE
    "eve\u2066x\u2069",  # bidi isolates
    "ali\u200bce",  # ZERO WIDTH SPACE
    "ali\u200dce",  # ZERO WIDTH JOINER
    "\ufeffbob",  # BOM
    "bo\u0085b",  # NEL, a C1 control
    "bob\u009b31m",  # CSI, a C1 control
    "bob\x1b[31m",  # ESC, a C0 control
    "a\u2028b",  # LINE SEPARATOR
    "",
    "   ",
    "x" * 201,
]


@pytest.mark.parametrize("name", BAD)
def test_bad_operator_names_are_refused_like_owners(name) -> None:
    with pytest.raises(esgui.InvalidInput):
        validate_owner(name)
    with pytest.raises(esgui.InvalidInput):
        check_user(name)


@pytest.mark.parametrize("name", ["Zoë Ångström", "李小龍", "o'brien", "  carol  "])
def test_good_names_in_any_script(name) -> None:
    assert check_user(name) == name.strip()


@pytest.mark.parametrize("name", BAD[:6])
def test_commands_and_notes_refuse_them_and_change_nothing(store, store_url, name, capsys):
    esgui.Accounts(store, user="alice").open("A1", owner="Alice")
    with pytest.raises(esgui.InvalidInput):
        esgui.Accounts(store, user=name)
    with pytest.raises(esgui.InvalidInput):
        add_note(store, "looks odd", author=name, account_id="A1")
    assert main(["--db", store_url, "--user", name, "deposit", "A1", "1.00"]) == 2
    assert main(["--db", store_url, "--user", name, "notes", "add", "--account", "A1", "x"]) == 2
    assert "Traceback" not in capsys.readouterr().err
    assert store.current_version("A1") == 1
    assert store.notes.count() == 0
