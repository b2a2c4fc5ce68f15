"""`verify`, review notes: the notes' own hash chain (`esgui.store.note_chain`). Each
note's stored hash must be the hash of its stored fields chained to the previous note's
stored hash, and sequence numbers must run 1, 2, 3… A note edited, deleted, inserted or
moved is a finding; so is a note without a place in the chain (written behind esgui's
back). As with events, a writer with full SQL rights can rewrite the notes' chain
consistently: only a recorded earlier state shows that.
"""

from __future__ import annotations

from esgui.audit.verify_snapshots import Finding
from esgui.store import EventStore
from esgui.store.hashing import GENESIS_HASH
from esgui.store.note_chain import note_hash

NOTE = "note"  # a review note whose chain link does not hold


def check_notes(store: EventStore) -> list[Finding]:
    findings: list[Finding] = []
    expected_seq, prev = 1, GENESIS_HASH
    for chained in store.notes.chain():
        note, seq, stored = chained
        where = f"review note {note.note_id} (account {note.account_id})"
        if seq is None or stored is None:
            findings.append(Finding(0, NOTE, f"{where} is not in the notes' chain: it was "
                                    "inserted behind esgui's back", note.account_id))  # fmt: skip
            continue
        if seq != expected_seq:
            what = "missing" if seq > expected_seq else "repeated"
            findings.append(Finding(0, NOTE, f"notes' chain: note {expected_seq} is {what} "
                                    f"(next stored is {seq}): notes were deleted or "
                                    "inserted", note.account_id))  # fmt: skip
        computed = note_hash(prev if seq == expected_seq else GENESIS_HASH, seq,
                             note.note_id, note.target_kind, note.event_id, note.account_id,
                             note.text, note.author, note.created_at)  # fmt: skip
        if seq == expected_seq and computed != stored:
            findings.append(Finding(0, NOTE, f"{where} (note {seq}) does not match its "
                                    "hash: its text, author, time or target, or the note "
                                    "before it, was altered", note.account_id))  # fmt: skip
        expected_seq, prev = seq + 1, stored
    return findings
