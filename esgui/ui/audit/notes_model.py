"""The Review notes dock's model: every note as a row (time, author, account, the event
it is about, text), and the proxy that filters them by account, author and text."""

from __future__ import annotations

from typing import Any

from esgui.audit.notes import ReviewNote
from esgui.ui.common.formatting import local_time, utc_iso
from esgui.ui.common.table_model import FilterProxy, Index, Role, Row

Positions = dict[str, tuple[int, int]]  # event id -> (position, version)


def note_rows(notes: list[ReviewNote], positions: Positions) -> list[Row]:
    rows = []
    for note in notes:
        if note.event_id is None:
            about, position, version = "Account", 0, 0
        elif note.event_id in positions:
            position, version = positions[note.event_id]
            about = f"v{version} · position {position}"
        else:
            about, position, version = "Event (not found)", 0, 0
        first_line = note.text.splitlines()[0] if note.text else ""
        rows.append(Row(
            (local_time(note.created_at), note.author, note.account_id, about,
             first_line + (" …" if "\n" in note.text else "")),
            payload=(note, version), tooltip=f"{note.text}\n\n{note.author}, "
                                              f"{utc_iso(note.created_at)}",
            sort_keys=(utc_iso(note.created_at), note.author.lower(), note.account_id,
                       position, note.text.lower()),
        ))  # fmt: skip
    return rows


class NotesProxy(FilterProxy):
    """Account (exact when following the selection, else a substring), author and text
    filters, case-insensitive."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.account = ""
        self.exact_account = False
        self.author = ""
        self.text = ""
        self.setSortRole(Role.SORT)

    def set_filters(self, account: str, exact_account: bool, author: str, text: str) -> None:
        def change() -> None:
            self.account, self.exact_account = account.strip().lower(), exact_account
            self.author, self.text = author.strip().lower(), text.strip().lower()

        self.change_filter(change)

    def filterAcceptsRow(  # noqa: N802
        self, source_row: int, source_parent: Index
    ) -> bool:
        model = self.sourceModel()
        payload = model.data(model.index(source_row, 0, source_parent), Role.PAYLOAD)
        if payload is None:
            return False
        note: ReviewNote = payload[0]
        account = note.account_id.lower()
        if self.account and (account != self.account if self.exact_account
                             else self.account not in account):  # fmt: skip
            return False
        if self.author and self.author not in note.author.lower():
            return False
        return not self.text or self.text in note.text.lower()
