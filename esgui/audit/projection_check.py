"""Check the account read model against the log.

The checkpoint and every `account_summary` row are read in one snapshot; the events up
to that checkpoint are then replayed with the domain model (not with the projector's
own fold, so a bug there shows up as drift) and compared field by field. Reported:
drift (a field that differs), lag (head − checkpoint), accounts missing from or extra
in the read model, and gaps in an account's versions.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from esgui.audit.common import Progress, ShouldStop, check_stop
from esgui.domain.account import BankAccount
from esgui.domain.codec import apply_recorded
from esgui.errors import UnreadableEvent
from esgui.projections import UNREADABLE, AccountSummary
from esgui.projections.projector import NAME
from esgui.store import EventStore, RecordedEvent

COMPARED = (
    "owner",
    "balance",
    "status",
    "version",
    "event_count",
    "opened_at",
    "last_activity",
    "last_position",
)
PAGE_SIZE = 5000


@dataclass(frozen=True, slots=True)
class Drift:
    account_id: str
    field: str
    projected: Any
    replayed: Any

    def as_json(self) -> dict[str, Any]:
        return {
            "account_id": self.account_id,
            "field": self.field,
            "projected": self.projected,
            "replayed": self.replayed,
        }


@dataclass(frozen=True, slots=True)
class VersionGap:
    account_id: str
    position: int
    expected_version: int
    found_version: int

    def as_json(self) -> dict[str, Any]:
        return {
            "account_id": self.account_id,
            "position": self.position,
            "expected_version": self.expected_version,
            "found_version": self.found_version,
        }


@dataclass(frozen=True, slots=True)
class ProjectionReport:
    checkpoint: int
    head: int
    rows: int  # read-model rows checked
    accounts: int  # accounts replayed from the log up to the checkpoint
    drift: tuple[Drift, ...]
    missing: tuple[str, ...]  # accounts with events but no row
    extra: tuple[str, ...]  # rows without events up to the checkpoint
    gaps: tuple[VersionGap, ...]

    @property
    def lag(self) -> int:
        return self.head - self.checkpoint

    @property
    def ahead_of_log(self) -> bool:
        """The checkpoint is beyond the newest event: the log lost events."""
        return self.checkpoint > self.head

    @property
    def consistent(self) -> bool:
        return not (self.drift or self.missing or self.extra or self.gaps or self.ahead_of_log)

    def as_json(self) -> dict[str, Any]:
        return {
            "consistent": self.consistent,
            "checkpoint": self.checkpoint,
            "head": self.head,
            "lag": self.lag,
            "rows": self.rows,
            "accounts": self.accounts,
            "drift": [d.as_json() for d in self.drift],
            "missing": list(self.missing),
            "extra": list(self.extra),
            "gaps": [g.as_json() for g in self.gaps],
        }


@dataclass
class _Replayed:
    """One account folded from the log, the way the read model should hold it."""

    account: BankAccount
    count: int = 0
    last_position: int = 0
    last_activity: Any = None
    error: str | None = None
    gaps: list[VersionGap] = field(default_factory=list)

    def apply(self, event: RecordedEvent) -> None:
        self.count += 1
        self.last_position, self.last_activity = event.position, event.recorded_at
        if self.error is not None:
            self.account.version = event.version
            return
        if event.version != self.account.version + 1:
            self.gaps.append(
                VersionGap(
                    event.aggregate_id, event.position, self.account.version + 1, event.version
                )
            )
        try:
            apply_recorded(self.account, event)
        except UnreadableEvent as error:
            self.error = str(error)
            self.account.version = event.version

    def summary(self) -> AccountSummary:
        a = self.account
        return AccountSummary(
            a.account_id,
            a.owner,
            a.balance,
            UNREADABLE if self.error else a.status,
            a.version,
            self.count,
            a.opened_at,
            self.last_activity,
            self.last_position,
            self.error,
        )


def _read_model(store: EventStore) -> tuple[int, dict[str, AccountSummary]]:
    """The checkpoint and every row, from one consistent snapshot."""
    checkpoint, rows = store.projection(NAME).read_model()
    return checkpoint, {row.account_id: AccountSummary.from_row(row) for row in rows}


def check_projection(
    store: EventStore,
    *,
    progress: Progress | None = None,
    should_stop: ShouldStop | None = None,
) -> ProjectionReport:
    """Compare the read model with the log replayed up to the read model's checkpoint."""
    checkpoint, rows = _read_model(store)
    head = store.head()[0]
    replayed: dict[str, _Replayed] = {}
    done = 0
    if checkpoint > 0:
        for event in store.read_all(page_size=PAGE_SIZE):
            if event.position > checkpoint:
                break
            entry = replayed.get(event.aggregate_id)
            if entry is None:
                entry = replayed[event.aggregate_id] = _Replayed(BankAccount(event.aggregate_id))
            entry.apply(event)
            done += 1
            if done % PAGE_SIZE == 0:
                check_stop(should_stop, "Projection check")
                if progress is not None:
                    progress(event.position, checkpoint)
    if progress is not None:
        progress(checkpoint, checkpoint)
    drift: list[Drift] = []
    for account_id in sorted(set(rows) & set(replayed)):
        projected = rows[account_id].as_dict()
        expected = replayed[account_id].summary().as_dict()
        drift.extend(
            Drift(account_id, name, projected[name], expected[name])
            for name in COMPARED
            if projected[name] != expected[name]
        )
    gaps = [gap for account_id in sorted(replayed) for gap in replayed[account_id].gaps]
    return ProjectionReport(
        checkpoint=checkpoint,
        head=head,
        rows=len(rows),
        accounts=len(replayed),
        drift=tuple(drift),
        missing=tuple(sorted(set(replayed) - set(rows))),
        extra=tuple(sorted(set(rows) - set(replayed))),
        gaps=tuple(gaps),
    )
