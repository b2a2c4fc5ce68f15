"""The one MetaData: the append-only event log and everything derived from it.

`events` keeps the seed's column names (CONTRACTS §1) so any SQL tool can read it;
`position` is the global order, assigned under the append lock so that positions
become visible in order and without gaps (see docs/design.md). `review_notes` holds
auditors' notes beside the log (never in it); both refuse UPDATE and DELETE through
triggers installed by migration 0002 (see docs/audit.md).
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Column,
    Index,
    Integer,
    MetaData,
    PrimaryKeyConstraint,
    String,
    Table,
    Text,
    UniqueConstraint,
)

from esgui.store.types import JSONDoc, UTCDateTime

metadata = MetaData()

# SQLite only makes INTEGER (not BIGINT) primary keys an alias of the rowid.
Position = BigInteger().with_variant(Integer(), "sqlite")

events = Table(
    "events",
    metadata,
    Column("position", Position, primary_key=True, autoincrement=False),
    Column("id", String(36), nullable=False),
    Column("aggregate_id", String(255), nullable=False),
    Column("aggregate_type", String(100), nullable=False),
    Column("event_type", String(100), nullable=False),
    Column("schema_version", Integer, nullable=False),
    Column("version", Integer, nullable=False),
    Column("data", JSONDoc, nullable=False),
    Column("metadata", JSONDoc, nullable=False),
    Column("operator", String(200), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("hash", String(64), nullable=False),
    UniqueConstraint("id", name="uq_events_id"),
    UniqueConstraint("aggregate_id", "version", name="uq_events_aggregate_version"),
    Index("ix_events_type_position", "event_type", "position"),
    Index("ix_events_operator_position", "operator", "position"),
)

# PostgreSQL's append lock (migration 0008): writers LOCK it IN SHARE ROW EXCLUSIVE
# MODE, which needs UPDATE on it, so a read-only role cannot take or hold the lock. It
# lives in the store's schema, so each store has its own. Never holds rows; unused on
# SQLite (BEGIN IMMEDIATE is the lock there).
append_lock = Table(
    "esgui_append_lock",
    metadata,
    Column("id", Integer, primary_key=True),
)

snapshots = Table(
    "snapshots",
    metadata,
    Column("aggregate_id", String(255), nullable=False),
    Column("version", Integer, nullable=False),
    Column("schema_version", Integer, nullable=False),
    Column("state", JSONDoc, nullable=False),
    Column("checksum", String(64), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    PrimaryKeyConstraint("aggregate_id", "version", name="pk_snapshots"),
)

account_summary = Table(
    "account_summary",
    metadata,
    Column("account_id", String(255), primary_key=True),
    Column("owner", String(200), nullable=False),
    Column("balance", String(32), nullable=False),  # exact decimal text, "0.30"
    Column("status", String(16), nullable=False),  # open | closed | unreadable
    Column("version", Integer, nullable=False),
    Column("event_count", Integer, nullable=False),
    Column("opened_at", UTCDateTime),
    Column("last_activity", UTCDateTime),
    Column("last_position", Position, nullable=False),
    Column("error", Text),
)

projection_checkpoints = Table(
    "projection_checkpoints",
    metadata,
    Column("name", String(100), primary_key=True),
    Column("position", Position, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
)

review_notes = Table(
    "review_notes",
    metadata,
    Column("id", String(36), primary_key=True),  # a UUID, kept by export/import
    Column("target_kind", String(16), nullable=False),  # event | account
    Column("event_id", String(36)),  # the event's id when target_kind is "event"
    Column("account_id", String(255), nullable=False),  # the account (of the event)
    Column("text", Text, nullable=False),
    Column("author", String(200), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    CheckConstraint(
        "(target_kind = 'event' AND event_id IS NOT NULL) OR "
        "(target_kind = 'account' AND event_id IS NULL)",
        name="ck_review_notes_target",
    ),
    Index("ix_review_notes_account", "account_id", "created_at"),
    Index("ix_review_notes_event", "event_id"),
    Index("ix_review_notes_author", "author", "created_at"),
    Index("ix_review_notes_created", "created_at", "id"),
)

# Positions whose recorded time is earlier than the previous position's (migration
# 0008; written by the append that makes one, which only an import of older events
# does). Between them times never decrease, which esgui.store.time_order relies on.
time_regressions = Table(
    "esgui_time_regressions",
    metadata,
    Column("position", Position, primary_key=True, autoincrement=False),
)

ESGUI_TABLES = frozenset(metadata.tables)
VERSION_TABLE = "esgui_schema_version"
