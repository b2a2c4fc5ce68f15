"""The one MetaData: the append-only event log and everything derived from it.

`events` keeps the seed's column names (CONTRACTS §1) so any SQL tool can read it;
`position` is the global order, assigned under the append lock so that positions
become visible in order and without gaps (see docs/design.md). `review_notes` holds
auditors' notes beside the log (never in it); both refuse UPDATE and DELETE through
triggers installed by migration 0002 (see docs/audit.md). `snapshots` is append-only too
(migration 0004), each row bound to the hash of the event at its version; notes carry
their own hash chain (`seq`, `hash`). `saved_queries` (the query
console's shared queries, append-only too) and the read-only views `event_log` and
`account_states` come from migration 0005 (docs/query.md); `QUERY_VIEWS` names what the
console may read.
"""

from __future__ import annotations

from sqlalchemy import (
    DDL,
    BigInteger,
    CheckConstraint,
    Column,
    Date,
    Index,
    Integer,
    MetaData,
    PrimaryKeyConstraint,
    String,
    Table,
    Text,
    UniqueConstraint,
    event,
    text,
)

from esgui.store.types import JSONDoc, UTCDateTime
from esgui.store.views import (
    ACCOUNT_STATES,
    POSTGRESQL_AMOUNT_FUNCTION,
    POSTGRESQL_EVENT_LOG,
    POSTGRESQL_FACTS_FUNCTION,
    POSTGRESQL_FACTS_TRIGGER,
    READABLE,
    SQLITE_EVENT_LOG,
    SQLITE_FACTS_TRIGGER,
)

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
    Index("ix_events_recorded_at", "created_at", "position"),
    # Migration 0007: the version at a time is one seek; the accounts that existed at
    # a time come from a partial index of openings. (Its expression index on the
    # metadata's correlation_id is per database and so not declared here.)
    Index("ix_events_aggregate_time", "aggregate_id", "created_at", "version"),
    Index("ix_events_opened", "created_at", "aggregate_id",
          sqlite_where=text("version = 1"), postgresql_where=text("version = 1")),  # fmt: skip
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
    # the hash of the event at `version` when the snapshot was taken (migration 0004)
    Column("event_hash", String(64)),
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
    # the notes' own hash chain (migration 0004, `esgui.store.note_chain`)
    Column("seq", Integer),
    Column("hash", String(64)),
    CheckConstraint(
        "(target_kind = 'event' AND event_id IS NOT NULL) OR "
        "(target_kind = 'account' AND event_id IS NULL)",
        name="ck_review_notes_target",
    ),
    Index("ix_review_notes_account", "account_id", "created_at"),
    Index("ix_review_notes_event", "event_id"),
    Index("ix_review_notes_author", "author", "created_at"),
    Index("ix_review_notes_created", "created_at", "id"),
    Index("uq_review_notes_seq", "seq", unique=True),
)

# One slim row per event, written by a trigger on `events` (migration 0005): what the
# statistics GROUP BY (docs/query.md). `amount_cents`: NULL when the event moves no money.
event_facts = Table(
    "event_facts",
    metadata,
    Column("position", Position, primary_key=True, autoincrement=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("day", String(10).with_variant(Date(), "postgresql"), nullable=False),  # UTC
    Column("event_type", String(100), nullable=False),
    Column("operator", String(200), nullable=False),
    Column("aggregate_id", String(255), nullable=False),
    Column("amount_cents", BigInteger),
    Index("ix_event_facts_created", "created_at"),
    Index("ix_event_facts_day", "day", "event_type", "amount_cents", "created_at"),
    Index("ix_event_facts_operator", "operator", "event_type", "amount_cents"),
    Index("ix_event_facts_account", "aggregate_id", "event_type", "amount_cents"),
)

saved_queries = Table(
    "saved_queries",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("name", String(200), nullable=False),
    Column("sql", Text, nullable=False),
    Column("author", String(200), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Index("ix_saved_queries_name", "name", "created_at"),
)

verify_runs = Table(
    "verify_runs",
    metadata,
    Column("run_id", Integer, primary_key=True, autoincrement=False),  # 1, 2, 3…
    Column("kind", String(16), nullable=False),  # full | incremental
    Column("verdict", String(16), nullable=False),  # intact | tampered
    Column("checked_from", Position, nullable=False),  # positions > this were checked
    Column("head_position", Position, nullable=False),
    Column("head_hash", String(64), nullable=False),  # the event chain's hash there
    Column("events_checked", Position, nullable=False),
    Column("problem_count", Position, nullable=False),
    Column("based_on", Integer),  # an incremental run: the run it continued from
    Column("started_at", UTCDateTime, nullable=False),
    Column("finished_at", UTCDateTime, nullable=False),
    Column("operator", String(200), nullable=False),
    Column("esgui_version", String(32), nullable=False),
    Column("record_hash", String(64), nullable=False),  # chained over the previous run's
    CheckConstraint("kind IN ('full', 'incremental')", name="ck_verify_runs_kind"),
    CheckConstraint("verdict IN ('intact', 'tampered')", name="ck_verify_runs_verdict"),
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
QUERY_VIEWS = READABLE

# create_all makes what migration 0005 makes beside the tables (views, trigger, functions)
for _sql, _dialect in (
    (SQLITE_EVENT_LOG, "sqlite"), (SQLITE_FACTS_TRIGGER, "sqlite"),
    (POSTGRESQL_EVENT_LOG, "postgresql"), (POSTGRESQL_AMOUNT_FUNCTION, "postgresql"),
    (POSTGRESQL_FACTS_FUNCTION, "postgresql"), (POSTGRESQL_FACTS_TRIGGER, "postgresql"),
    (ACCOUNT_STATES, "sqlite"), (ACCOUNT_STATES, "postgresql"),
):  # fmt: skip
    event.listen(metadata, "after_create", DDL(_sql).execute_if(dialect=_dialect))
VERSION_TABLE = "esgui_schema_version"
