"""`verify`, snapshots: every stored snapshot must be exactly the state a replay of the
account's events gives at its version, and bound to the event at that version (the
event still carries the hash the snapshot was taken with).

A snapshot is derived data outside the hash chain; anyone with INSERT on the table can
write one, and its checksum (plain SHA-256) proves nothing. esgui never uses a snapshot
that disagrees with the events (`esgui.app.replay`), and this check names every such
row so that an insertion is evident. Each account with snapshots is replayed once,
without snapshots.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import NamedTuple

from esgui.app.replay import TRUST, agrees
from esgui.domain.account import BankAccount
from esgui.domain.codec import apply_recorded
from esgui.errors import UnreadableEvent
from esgui.store import EventStore, StoredSnapshot

SNAPSHOT = "snapshot"  # a snapshot that is not the events' state at its version


class Finding(NamedTuple):
    """One problem, in the fields of `esgui.audit.verify.Problem`."""

    position: int
    kind: str
    message: str
    account_id: str | None = None
    version: int | None = None


def _accounts(store: EventStore) -> Iterator[tuple[str, list[tuple[int, StoredSnapshot | None]]]]:
    """(account, its snapshots in version order), one account at a time."""
    current: str | None = None
    rows: list[tuple[int, StoredSnapshot | None]] = []
    for account_id, version, snapshot in store.scan_snapshots():
        if account_id != current:
            if current is not None:
                yield current, rows
            current, rows = account_id, []
        rows.append((version, snapshot))
    if current is not None:
        yield current, rows


def _why(snapshot: StoredSnapshot | None) -> str | None:
    """Why a snapshot is bad without replaying, or None."""
    if snapshot is None:
        return "its state is not readable JSON"
    if not snapshot.intact:
        return "its state does not match its checksum"
    if snapshot.chain_hash is None:
        return "there is no event at its version"
    if not snapshot.bound:
        return (
            "it is not bound to the stored event at its version (the event's hash differs "
            "from the one the snapshot was taken with)"
        )
    return None


def check_snapshots(store: EventStore) -> list[Finding]:
    """Every snapshot that is not the events' state at its version, as findings."""
    findings: list[Finding] = []
    for account_id, snaps in _accounts(store):
        wanted = {version: snapshot for version, snapshot in snaps}
        positions: dict[int, int] = {}
        account = BankAccount(account_id)
        replay_error: str | None = None
        top = max(wanted)
        try:
            for event in store.replay_rows(account_id, 1, top):
                apply_recorded(account, event)
                positions[account.version] = event.position
                snapshot = wanted.get(account.version)
                if snapshot is not None and _why(snapshot) is None:
                    good = agrees(snapshot, account)
                    TRUST.record(store, snapshot, good)
                    if good:
                        del wanted[account.version]
        except UnreadableEvent as error:
            replay_error = str(error)
        for version, snapshot in sorted(wanted.items()):
            why = _why(snapshot)
            if why is None:
                if replay_error is not None and version > account.version:
                    why = (
                        "it cannot be checked: the events before it cannot be replayed "
                        f"({replay_error})"
                    )
                else:
                    why = "it differs from the state its events give (forged or damaged)"
            findings.append(Finding(
                positions.get(version, 0), SNAPSHOT,
                f"the snapshot of {account_id} at version {version} is not used: {why}",
                account_id, version,
            ))  # fmt: skip
    return findings
