"""The event store: atomic, optimistic appends to a hash-chained log, and paged reads.

Appends take one store-wide lock (SQLite: ``BEGIN IMMEDIATE``; PostgreSQL: a
transaction-scoped advisory lock), read the head, and insert rows whose positions
continue it. Positions therefore commit in order and without gaps, so a follower that
reads ``position > checkpoint`` never skips an event that commits later with a smaller
position (the classic sequence race), and the hash chain has one well-defined order.
The ``UNIQUE(aggregate_id, version)`` constraint is the database's own guarantee of
optimistic concurrency, should any writer bypass the lock.
"""

from __future__ import annotations

import hashlib
import threading
import uuid
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Connection,
    Integer,
    Row,
    String,
    Text,
    and_,
    bindparam,
    cast,
    column,
    func,
    insert,
    select,
    text,
    type_coerce,
)
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError

from esgui.domain.events import EVENT_CLASSES
from esgui.domain.upcasting import upcast
from esgui.errors import (
    ConcurrencyError,
    InvalidInput,
    NotPermitted,
    StoreUnavailable,
    UnreadableEvent,
)
from esgui.store.engine import (
    WRITE,
    describe_url,
    make_engine,
    parse_store_url,
    sqlite_path,
    translated,
)
from esgui.store.hashing import GENESIS_HASH, canonical_json, decode_json, event_hash
from esgui.store.ids import new_event_ids
from esgui.store.records import NewEvent, RecordedEvent, StoredSnapshot, StreamRow
from esgui.store.schema import events, snapshots
from esgui.store.schema_manager import ensure_schema
from esgui.store.types import UTCDateTime

APPEND_LOCK_KEY = 0x65736775_69_02  # "esgui" + 2: the store-wide append lock
DEFAULT_PAGE = 1000
MAX_AGGREGATE_ID = 255
MAX_VERSION = 2**31 - 1  # versions are 32-bit integers in the table
MAX_POSITION = 2**63 - 1
MAX_EVENT_JSON = 1_000_000  # characters of data or metadata JSON per event

# JSON comes back as text (CAST is a no-op on SQLite; on PostgreSQL it skips the
# driver's jsonb decoding) so that data is decoded once here and metadata only on demand.
EVENT_COLUMNS = (
    events.c.position, events.c.id, events.c.aggregate_id, events.c.aggregate_type,
    events.c.event_type, events.c.version, cast(events.c.data, Text),
    cast(events.c.metadata, Text), events.c.created_at, events.c.operator, events.c.hash,
    events.c.schema_version,
)  # fmt: skip
_REPLAY_COLUMNS = (
    events.c.position, events.c.version, events.c.event_type, events.c.schema_version,
    cast(events.c.data, Text), events.c.created_at,
)  # fmt: skip
# Built once (statement construction and its cache key cost more than the query).
_NEWEST = select(events.c.position).order_by(events.c.position.desc()).limit(1)
_VERSION_AND_HEAD = select(
    select(func.max(events.c.version))
    .where(events.c.aggregate_id == bindparam("aggregate_id")).scalar_subquery(),
    _NEWEST.scalar_subquery(),
    _NEWEST.with_only_columns(events.c.hash).scalar_subquery(),
    _NEWEST.with_only_columns(events.c.created_at).scalar_subquery(),
)  # fmt: skip
_LOCK_AND_HEAD = text("SELECT * FROM esgui_lock_and_head(:aggregate_id, :key)").columns(
    column("current_version", Integer), column("head_position", BigInteger),
    column("head_hash", String), column("head_created_at", UTCDateTime),
)  # fmt: skip
_CURRENT_SCHEMA = {name: cls.schema_version for name, cls in EVENT_CLASSES.items()}
_new_record = RecordedEvent.__new__


def _sqlite_time(text: str) -> datetime:
    return _fromisoformat(text + "+00:00")


def _pg_time(value: datetime) -> datetime:
    # Sessions run in UTC (engine.py), so psycopg hands over UTC datetimes already.
    return value if value.tzinfo is UTC else value.astimezone(UTC)


_fromisoformat = datetime.fromisoformat


def raw_rows(conn: Connection, query: Any) -> list[tuple[Any, ...]]:
    """The driver's own tuples for `query`, skipping SQLAlchemy's per-row processing:
    for the hot reads of millions of events. Times then come as the driver gives them
    (see `EventStore.time_from_db`)."""
    result = conn.execute(query)
    try:
        return list(result.cursor.fetchall())  # type: ignore[union-attr]
    finally:
        result.close()


def record_from_row(
    row: Row[Any] | Sequence[Any], to_time: Callable[[Any], datetime] | None = None
) -> RecordedEvent:
    """Build a RecordedEvent from a row of `EVENT_COLUMNS`, upcasting its data. `to_time`
    converts a raw driver time (rows from `raw_rows`).

    The hot path of every read: one tuple unpack, one JSON decode, one tuple build."""
    (position, event_id, aggregate_id, aggregate_type, event_type, version, data,
     metadata, created_at, operator, hash_, schema_version) = row  # type: ignore[misc]  # fmt: skip
    if to_time is not None:
        created_at = to_time(created_at)
    if isinstance(data, str):
        try:
            data = decode_json(data)
        except (ValueError, RecursionError) as error:
            # A row another program damaged: report it on this event, keep reading.
            raw = {"_unreadable_data": data[:1000]}
            return RecordedEvent(position, event_id, aggregate_id, aggregate_type, event_type,
                                 version, raw, metadata, created_at, operator, hash_,
                                 schema_version, raw, schema_version,
                                 f"Stored data is not valid JSON: {error}")  # fmt: skip
    current = _CURRENT_SCHEMA.get(event_type)
    if current == schema_version:
        return _new_record(RecordedEvent, position, event_id, aggregate_id, aggregate_type,
                           event_type, version, data, metadata, created_at, operator, hash_,
                           schema_version, data, schema_version, None)  # fmt: skip
    try:
        upcast_data = upcast(event_type, schema_version, data)
    except UnreadableEvent as error:
        return RecordedEvent(position, event_id, aggregate_id, aggregate_type, event_type,
                             version, data, metadata, created_at, operator, hash_,
                             schema_version, data, schema_version, str(error))  # fmt: skip
    return RecordedEvent(position, event_id, aggregate_id, aggregate_type, event_type,
                         version, upcast_data, metadata, created_at, operator, hash_,
                         current or schema_version, data, schema_version)  # fmt: skip


def snapshot_checksum(state: Any) -> str:
    return hashlib.sha256(canonical_json(state).encode("utf-8")).hexdigest()


# event id, event, data JSON, metadata JSON, operator, recorded time (UTC) if given
_Prepared = tuple[str, NewEvent, str, str, str, datetime | None]
_INSERT_COLUMNS = ("position", "id", "aggregate_id", "aggregate_type", "event_type",
                   "schema_version", "version", "data", "metadata", "operator",
                   "created_at", "hash")  # fmt: skip
_INSERT_CHUNK = 5000
_COPY_THRESHOLD = 200  # rows; below it a prepared multi-row insert is as quick
_EMPTY_HEAD: tuple[int, str, datetime | None] = (0, GENESIS_HASH, None)


def _prepare(
    event: NewEvent, event_id: str | None, metadata_cache: dict[int, str]
) -> _Prepared:
    """Validate one event and serialise its data and metadata canonically. `event_id` is
    a fresh id to use when the event brings none."""
    if type(event) is not NewEvent:
        raise InvalidInput(f"Cannot append {type(event).__name__}: expected NewEvent")
    event_type = event.event_type
    if not isinstance(event_type, str) or not 0 < len(event_type) <= 100 or "\x00" in event_type:
        raise InvalidInput(f"Invalid event type {event_type!r}")
    if event.event_id is not None:
        try:
            event_id = str(uuid.UUID(event.event_id))
        except (ValueError, AttributeError, TypeError):
            raise InvalidInput(f"Invalid event id {event.event_id!r}: not a UUID") from None
    data, metadata, recorded_at = event.data, event.metadata, event.recorded_at
    if type(data) is not dict or type(metadata) is not dict:
        raise InvalidInput("Event data and metadata must be JSON objects")
    if recorded_at is not None:
        if recorded_at.tzinfo is None:
            raise InvalidInput("Event recorded_at needs a timezone")
        recorded_at = recorded_at.astimezone(UTC)
    try:
        data_json = canonical_json(data)
        metadata_json = metadata_cache.get(id(metadata))
        if metadata_json is None:
            metadata_json = metadata_cache[id(metadata)] = canonical_json(metadata)
    except (TypeError, ValueError) as error:
        raise InvalidInput(f"Event data is not JSON: {error}") from None
    except RecursionError:
        raise InvalidInput("Event data is nested too deeply") from None
    if len(data_json) > MAX_EVENT_JSON or len(metadata_json) > MAX_EVENT_JSON:
        raise InvalidInput(
            f"Event data too large ({max(len(data_json), len(metadata_json))} characters; "
            f"the limit is {MAX_EVENT_JSON})"
        )
    operator = str(metadata.get("user", ""))[:200]
    if "\x00" in operator or "\x00" in event.aggregate_type:
        raise InvalidInput("Operator and aggregate type cannot contain NUL")
    return event_id, event, data_json, metadata_json, operator, recorded_at  # type: ignore[return-value]


def _check_aggregate_id(aggregate_id: object) -> str:
    if not isinstance(aggregate_id, str) or not aggregate_id:
        raise InvalidInput(f"Invalid aggregate id {aggregate_id!r}")
    if len(aggregate_id) > MAX_AGGREGATE_ID or "\x00" in aggregate_id:
        raise InvalidInput("Invalid aggregate id: too long or contains NUL")
    return aggregate_id


def _check_count(value: object, what: str, minimum: int = 0, maximum: int = MAX_POSITION) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise InvalidInput(f"Invalid {what} {value!r}: must be a whole number ≥ {minimum}")
    if value > maximum:
        raise InvalidInput(f"Invalid {what} {value!r}: must be at most {maximum}")
    return value


class EventStore:
    """One store (a SQLite file or a PostgreSQL database). Thread-safe; share it."""

    def __init__(
        self,
        url: str,
        *,
        read_only: bool = False,
        create: bool = True,
        snapshot_every: int = 100,
    ) -> None:
        self.url = parse_store_url(url)
        self.description = describe_url(self.url)
        self.read_only = read_only
        self.snapshot_every = _check_count(snapshot_every, "snapshot interval", 1)
        self.backend = self.url.get_backend_name()
        self._check_sqlite_path(create)
        self._engine = make_engine(self.url)
        self._writer = self._engine.execution_options(**WRITE)
        # Single-statement reads need no transaction: on PostgreSQL that saves the BEGIN
        # and ROLLBACK round trips of every read. (SQLite keeps its own BEGIN handling.)
        self._reader = (self._engine.execution_options(isolation_level="AUTOCOMMIT")
                        if self.backend == "postgresql" else self._engine)  # fmt: skip
        self._local = threading.local()
        self.time_from_db = _sqlite_time if self.backend == "sqlite" else _pg_time
        try:
            with translated(self.description):
                self.upgraded_from = ensure_schema(
                    self._engine, self.description, read_only=read_only, create=create
                )
                if self.backend == "sqlite":
                    self._use_wal()
        except BaseException:
            self._engine.dispose()
            raise

    # -- lifecycle ---------------------------------------------------------------------

    def _check_sqlite_path(self, create: bool) -> None:
        if self.backend != "sqlite":
            return
        path = sqlite_path(self.url)
        if path is None:
            return
        if path.is_dir():
            raise StoreUnavailable(f"{path} is a folder, not a store file")
        if not path.parent.is_dir():
            raise StoreUnavailable(f"Cannot open {path}: the folder {path.parent} does not exist")
        if not path.exists() and (not create or self.read_only):
            raise StoreUnavailable(f"No store at {path}: the file does not exist")

    def _use_wal(self) -> None:
        if sqlite_path(self.url) is None:
            return
        raw = self._engine.raw_connection()
        try:
            cursor = raw.cursor()
            mode = cursor.execute("PRAGMA journal_mode").fetchone()[0]
            if str(mode).lower() != "wal" and not self.read_only:
                cursor.execute("PRAGMA journal_mode = WAL")
            cursor.close()
        finally:
            raw.close()

    @contextmanager
    def reading(self) -> Iterator[None]:
        """Let the reads in this block (on this thread) share one connection: fewer pool
        checkouts and, on SQLite, one consistent snapshot."""
        if getattr(self._local, "conn", None) is not None:
            yield
            return
        with translated(self.description), self._reader.connect() as conn:
            self._local.conn = conn
            try:
                yield
            finally:
                self._local.conn = None

    @contextmanager
    def _read(self) -> Iterator[Connection]:
        shared = getattr(self._local, "conn", None)
        if shared is not None:
            yield shared
            return
        with self._reader.connect() as conn:
            yield conn

    @property
    def engine(self) -> Any:
        """The shared SQLAlchemy Engine (for the projection and audit layers)."""
        return self._engine

    def writer(self) -> Any:
        """The Engine variant whose transactions take the write lock first (SQLite)."""
        if self.read_only:
            raise NotPermitted(f"{self.description} is open read-only")
        return self._writer

    def close(self) -> None:
        self._engine.dispose()

    def __enter__(self) -> EventStore:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"EventStore({self.description!r}{', read-only' if self.read_only else ''})"

    # -- appending ---------------------------------------------------------------------

    def lock_for_append(self, conn: Connection) -> None:
        """Serialise appenders. SQLite's BEGIN IMMEDIATE already holds the write lock.

        On PostgreSQL this must be its own statement: in READ COMMITTED each statement
        takes a fresh snapshot, so the head read after it sees every earlier append."""
        if conn.dialect.name == "postgresql":
            conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({APPEND_LOCK_KEY})")

    def append(
        self,
        aggregate_id: str,
        expected_version: int,
        new_events: Sequence[NewEvent],
    ) -> list[RecordedEvent]:
        """Append `new_events` atomically after `expected_version` of the stream.

        A stale `expected_version` raises ConcurrencyError and appends nothing. Events
        whose ids are all already stored in this stream make the call a no-op that
        returns them (a retried append never duplicates).
        """
        return self.append_many([(aggregate_id, expected_version, new_events)])

    def append_many(
        self,
        streams: Sequence[tuple[str, int, Sequence[NewEvent]]],
        *,
        snapshots_to_save: Sequence[tuple[str, int, int, Any]] = (),
        return_records: bool = True,
    ) -> list[RecordedEvent]:
        """Append to several streams in one transaction, all or nothing. Entries are
        chained in the order given; a stream may appear in several entries (interleaved
        history) as long as each continues the previous one.

        `snapshots_to_save` holds (aggregate_id, version, schema_version, state) rows
        written in the same transaction."""
        if self.read_only:
            raise NotPermitted(f"{self.description} is open read-only; nothing was appended")
        if not streams:
            raise InvalidInput("Nothing to append: no events given")
        metadata_json: dict[int, str] = {}  # one serialisation per shared metadata dict
        prepared: list[tuple[str, int, list[_Prepared]]] = []
        fresh = iter(new_event_ids(sum(len(stream[2]) for stream in streams)))
        for aggregate_id, expected, new_events in streams:
            _check_aggregate_id(aggregate_id)
            _check_count(expected, "expected version", maximum=MAX_VERSION)
            if not new_events:
                raise InvalidInput(f"Nothing to append to {aggregate_id!r}: no events given")
            prepared.append((aggregate_id, expected,
                             [_prepare(event, next(fresh), metadata_json)
                              for event in new_events]))  # fmt: skip
        ids = [item[0] for _a, _e, items in prepared for item in items]
        if len(set(ids)) != len(ids):
            raise InvalidInput("The same event id appears twice in one append")
        # Only ids the caller chose can already be stored; fresh UUIDs cannot. They are
        # looked up only when something is off (the stream moved, or an id clashed),
        # which keeps the common append at one read and one insert.
        given = [item[0] for _a, _e, items in prepared for item in items
                 if item[1].event_id is not None]  # fmt: skip
        with translated(self.description):
            try:
                with self._append_transaction() as conn:
                    try:
                        head = self._check_versions(conn, prepared)
                    except ConcurrencyError:
                        stored = self._stored_ids(conn, given) if given else {}
                        if stored:  # a retry of an append that did commit
                            return self._idempotent(conn, prepared, ids, stored)
                        raise
                    rows, recorded = self._chain(conn, prepared, head, return_records)
                    self._insert_events(conn, rows)
                    if snapshots_to_save:
                        self._insert_snapshots(conn, snapshots_to_save)
            except IntegrityError:
                self._explain_integrity_error(prepared, given)
                raise
        return recorded

    @contextmanager
    def _append_transaction(self) -> Iterator[Connection]:
        """The write transaction holding the append lock: this thread's `exclusive()`
        block when there is one (the append commits with it), else a new one."""
        if getattr(self._local, "exclusive", False):
            conn = self._local.conn
            savepoint = conn.begin_nested()  # a failed append leaves the block usable
            try:
                yield conn
            except BaseException:
                savepoint.rollback()
                raise
            savepoint.commit()
            return
        with self._writer.begin() as conn:
            yield conn

    @contextmanager
    def exclusive(self) -> Iterator[None]:
        """Hold the append lock for the whole block: reads and appends in it (on this
        thread) share one write transaction, so no other writer can slip in between a
        read and the append that depends on it. The way out for a command that keeps
        losing optimistic races; everything commits when the block ends."""
        if self.read_only:
            raise NotPermitted(f"{self.description} is open read-only")
        if getattr(self._local, "conn", None) is not None:
            raise RuntimeError("exclusive() inside another reading() or exclusive() block")
        with translated(self.description), self._writer.begin() as conn:
            self.lock_for_append(conn)
            self._local.conn, self._local.exclusive = conn, True
            try:
                yield
            finally:
                self._local.conn, self._local.exclusive = None, False

    def _explain_integrity_error(
        self, prepared: list[tuple[str, int, list[_Prepared]]], given: list[str]
    ) -> None:
        """Turn a constraint violation into what it means: a reused id, or a stream that
        moved (the unique version constraint caught a writer that bypassed the lock)."""
        with self._engine.connect() as conn:
            if given and self._stored_ids(conn, given):
                raise InvalidInput(
                    "Some of these event ids are already stored in another stream; "
                    "nothing was appended"
                ) from None
            for aggregate_id, expected, _items in prepared:
                actual = self._current_version(conn, aggregate_id)
                if actual != expected:
                    raise ConcurrencyError(aggregate_id, expected, actual) from None

    def _stored_ids(self, conn: Connection, ids: list[str]) -> dict[str, str]:
        found: dict[str, str] = {}
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            query = select(events.c.id, events.c.aggregate_id).where(events.c.id.in_(chunk))
            found.update({row[0]: row[1] for row in conn.execute(query)})
        return found

    def _idempotent(
        self,
        conn: Connection,
        prepared: list[tuple[str, int, list[_Prepared]]],
        ids: list[str],
        stored: dict[str, str],
    ) -> list[RecordedEvent]:
        owners = {item[0]: aggregate_id for aggregate_id, _e, items in prepared for item in items}
        if len(stored) != len(ids) or any(stored[i] != owners[i] for i in ids):
            raise InvalidInput(
                "Some of these event ids are already stored (partly retried or reused "
                "ids); nothing was appended"
            )
        query = select(*EVENT_COLUMNS).where(events.c.id.in_(ids)).order_by(events.c.position)
        return [record_from_row(row) for row in conn.execute(query)]

    def _check_versions(
        self, conn: Connection, prepared: list[tuple[str, int, list[_Prepared]]]
    ) -> tuple[int, str, datetime | None]:
        """Each stream's first expected version must be its current one; a stream listed
        again must continue where its previous entry ended. Returns the head (position,
        hash, recorded time) that the new events continue."""
        first: dict[str, int] = {}
        following: dict[str, int] = {}
        for aggregate_id, expected, items in prepared:
            if aggregate_id not in first:
                first[aggregate_id] = expected
            elif following[aggregate_id] != expected:
                raise InvalidInput(
                    f"Entries for {aggregate_id!r} do not follow each other: expected "
                    f"version {expected} after {following[aggregate_id]}"
                )
            following[aggregate_id] = expected + len(items)
        if len(first) == 1:
            # The common case, one stream: its version and the head in one round trip
            # (on PostgreSQL the same round trip takes the append lock, see 0003).
            ((aggregate_id, expected),) = first.items()
            if conn.dialect.name == "postgresql" and not getattr(self._local, "exclusive", False):
                row = conn.execute(_LOCK_AND_HEAD, {"aggregate_id": aggregate_id,
                                                    "key": APPEND_LOCK_KEY}).one()
            else:
                row = conn.execute(_VERSION_AND_HEAD, {"aggregate_id": aggregate_id}).one()
            current = int(row[0] or 0)
            if current != expected:
                raise ConcurrencyError(aggregate_id, expected, current)
            return (int(row[1]), row[2], row[3]) if row[1] is not None else _EMPTY_HEAD
        if not getattr(self._local, "exclusive", False):
            self.lock_for_append(conn)
        id_list = list(first)
        current_by_id: dict[str, int] = {}
        for start in range(0, len(id_list), 500):
            query = (
                select(events.c.aggregate_id, func.max(events.c.version))
                .where(events.c.aggregate_id.in_(id_list[start : start + 500]))
                .group_by(events.c.aggregate_id)
            )
            current_by_id.update({row[0]: int(row[1]) for row in conn.execute(query)})
        for aggregate_id, expected in first.items():
            if current_by_id.get(aggregate_id, 0) != expected:
                raise ConcurrencyError(aggregate_id, expected, current_by_id.get(aggregate_id, 0))
        head = conn.execute(
            select(events.c.position, events.c.hash, events.c.created_at)
            .order_by(events.c.position.desc())
            .limit(1)
        ).first()
        return (int(head[0]), head[1], head[2]) if head else _EMPTY_HEAD

    def _chain(
        self,
        conn: Connection,
        prepared: list[tuple[str, int, list[_Prepared]]],
        head: tuple[int, str, datetime | None],
        return_records: bool,
    ) -> tuple[list[tuple[Any, ...]], list[RecordedEvent]]:
        """Rows continuing the head: next positions, versions, times and chained hashes,
        as tuples in `_INSERT_COLUMNS` order."""
        position, prev_hash, last_time = head
        now = datetime.now(UTC)
        if last_time is not None and last_time > now:
            now = last_time  # a clock behind the store's: keep recorded time monotonic
        sqlite = conn.dialect.name == "sqlite"  # stores "YYYY-MM-DD HH:MM:SS.ffffff" text
        rows: list[tuple[Any, ...]] = []
        recorded: list[RecordedEvent] = []
        for aggregate_id, expected, items in prepared:
            version = expected
            for event_id, event, data_json, metadata_json, operator, given_time in items:
                position += 1
                version += 1
                recorded_at = given_time or now
                iso = recorded_at.isoformat(timespec="microseconds")
                prev_hash = event_hash(
                    prev_hash, position, event_id, aggregate_id, event.aggregate_type,
                    event.event_type, event.schema_version, version, iso, operator,
                    data_json, metadata_json,
                )  # fmt: skip
                rows.append((
                    position, event_id, aggregate_id, event.aggregate_type, event.event_type,
                    event.schema_version, version, data_json, metadata_json, operator,
                    f"{iso[:10]} {iso[11:26]}" if sqlite else recorded_at, prev_hash,
                ))  # fmt: skip
                if return_records:
                    recorded.append(record_from_row((
                        position, event_id, aggregate_id, event.aggregate_type,
                        event.event_type, version, event.data, event.metadata, recorded_at,
                        operator, prev_hash, event.schema_version,
                    )))  # fmt: skip
        return rows, recorded

    @staticmethod
    def _insert_events(conn: Connection, rows: list[tuple[Any, ...]]) -> None:
        """Insert prepared rows straight through the driver: the append hot path, where
        per-row statement processing would cost more than the database itself. Large
        batches on PostgreSQL go through COPY (one stream, no per-row round trips)."""
        columns = ", ".join(_INSERT_COLUMNS)
        if conn.dialect.name == "postgresql":
            if len(rows) >= _COPY_THRESHOLD:
                cursor = conn.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
                with cursor.copy(f"COPY events ({columns}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row)
                return
            values = ", ".join("%s::jsonb" if c in ("data", "metadata") else "%s"
                               for c in _INSERT_COLUMNS)  # fmt: skip
        else:
            values = ", ".join("?" for _ in _INSERT_COLUMNS)
        sql = f"INSERT INTO events ({columns}) VALUES ({values})"
        for start in range(0, len(rows), _INSERT_CHUNK):
            conn.exec_driver_sql(sql, rows[start : start + _INSERT_CHUNK])

    def _insert_snapshots(
        self, conn: Connection, items: Sequence[tuple[str, int, int, Any]]
    ) -> None:
        now = datetime.now(UTC)
        conn.execute(
            insert(snapshots),
            [
                {
                    "aggregate_id": aggregate_id,
                    "version": version,
                    "schema_version": schema,
                    "state": canonical_json(state),
                    "checksum": snapshot_checksum(state),
                    "created_at": now,
                }
                for aggregate_id, version, schema, state in items
            ],
        )

    # -- reading -----------------------------------------------------------------------

    @staticmethod
    def _current_version(conn: Connection, aggregate_id: str) -> int:
        query = select(func.max(events.c.version)).where(events.c.aggregate_id == aggregate_id)
        return int(conn.execute(query).scalar() or 0)

    def current_version(self, aggregate_id: str) -> int:
        _check_aggregate_id(aggregate_id)
        with translated(self.description), self._read() as conn:
            return self._current_version(conn, aggregate_id)

    def read_stream(
        self,
        aggregate_id: str,
        from_version: int = 1,
        to_version: int | None = None,
        *,
        page_size: int = 2000,
    ) -> Iterator[RecordedEvent]:
        """Events of one aggregate in version order, read lazily in pages."""
        to_time = self.time_from_db
        for rows in self._stream_pages(EVENT_COLUMNS, aggregate_id, from_version, to_version,
                                       page_size):  # fmt: skip
            for row in rows:
                yield record_from_row(row, to_time)

    def replay_rows(
        self, aggregate_id: str, from_version: int = 1, to_version: int | None = None,
        *, page_size: int = 5000,
    ) -> Iterator[StreamRow]:
        """Like read_stream, but only what replay needs, as stored (a narrower read)."""
        to_time = self.time_from_db
        new_row = StreamRow.__new__
        for rows in self._stream_pages(_REPLAY_COLUMNS, aggregate_id, from_version,
                                       to_version, page_size):  # fmt: skip
            for position, version, event_type, schema_version, data, recorded_at in rows:
                try:
                    decoded = decode_json(data) if isinstance(data, str) else data
                except (ValueError, RecursionError):
                    decoded = {"_unreadable_data": data[:1000]}
                yield new_row(StreamRow, aggregate_id, position, version, event_type,
                              schema_version, decoded, to_time(recorded_at))  # fmt: skip

    def _stream_pages(
        self, columns: Sequence[Any], aggregate_id: str, from_version: int,
        to_version: int | None, page_size: int,
    ) -> Iterator[list[tuple[Any, ...]]]:
        """One aggregate's rows in version order, a page at a time (driver tuples)."""
        _check_aggregate_id(aggregate_id)
        _check_count(from_version, "from_version", maximum=MAX_VERSION)
        if to_version is not None:
            _check_count(to_version, "to_version", maximum=MAX_VERSION)
        next_version = max(from_version, 1)
        while to_version is None or next_version <= to_version:
            # Versions have no gaps, so a page is a closed version range: the index
            # answers it directly, whatever the planner knows of the table.
            last = next_version + page_size - 1
            if to_version is not None:
                last = min(last, to_version)
            query = (
                select(*columns)
                .where(events.c.aggregate_id == aggregate_id,
                       events.c.version.between(next_version, last))
                .order_by(events.c.version)
            )  # fmt: skip
            with translated(self.description), self._read() as conn:
                rows = raw_rows(conn, query)
            yield rows
            if len(rows) < last - next_version + 1:
                return
            next_version = last + 1

    def read_all(
        self,
        after: int = 0,
        limit: int | None = None,
        event_types: Iterable[str] | None = None,
        *,
        aggregate_id: str | None = None,
        operator: str | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
        descending: bool = False,
        page_size: int = DEFAULT_PAGE,
    ) -> Iterator[RecordedEvent]:
        """Events in global order with ``position > after`` (``<`` when descending),
        filtered, keyset-paged: memory stays bounded however large the store."""
        _check_count(after, "position")
        if limit is not None:
            _check_count(limit, "limit")
        conditions = self._filters(event_types, aggregate_id, operator, since, until)
        remaining = limit
        cursor = after
        while remaining is None or remaining > 0:
            size = page_size if remaining is None else min(page_size, remaining)
            order: Any
            if descending:
                keyset = events.c.position < cursor if cursor else events.c.position > 0
                order = events.c.position.desc()
            else:
                keyset = events.c.position > cursor
                order = events.c.position
            query = select(*EVENT_COLUMNS).where(keyset, *conditions).order_by(order).limit(size)
            with translated(self.description), self._read() as conn:
                rows = raw_rows(conn, query)
            to_time = self.time_from_db
            for row in rows:
                yield record_from_row(row, to_time)
            if len(rows) < size:
                return
            cursor = rows[-1][0]
            if remaining is not None:
                remaining -= len(rows)

    @staticmethod
    def _filters(
        event_types: Iterable[str] | None,
        aggregate_id: str | None,
        operator: str | None,
        since: datetime | None,
        until: datetime | None,
    ) -> list[Any]:
        conditions: list[Any] = []
        if event_types is not None:
            types = [event_types] if isinstance(event_types, str) else list(event_types)
            conditions.append(events.c.event_type.in_(types))
        if aggregate_id is not None:
            conditions.append(events.c.aggregate_id == aggregate_id)
        if operator is not None:
            conditions.append(events.c.operator == operator)
        for bound in (since, until):
            if bound is not None and (not isinstance(bound, datetime) or bound.tzinfo is None):
                raise InvalidInput(f"Invalid time {bound!r}: needs a timezone")
        if since is not None:
            conditions.append(events.c.created_at >= since)
        if until is not None:
            conditions.append(events.c.created_at <= until)
        return conditions

    def count(
        self,
        event_types: Iterable[str] | None = None,
        *,
        aggregate_id: str | None = None,
        operator: str | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
    ) -> int:
        conditions = self._filters(event_types, aggregate_id, operator, since, until)
        query = select(func.count()).select_from(events)
        if conditions:
            query = query.where(and_(*conditions))
        with translated(self.description), self._read() as conn:
            return int(conn.execute(query).scalar() or 0)

    def head(self) -> tuple[int, str]:
        """(position, hash) of the newest event; (0, genesis hash) when empty."""
        query = select(events.c.position, events.c.hash).order_by(events.c.position.desc())
        with translated(self.description), self._read() as conn:
            row = conn.execute(query.limit(1)).first()
        return (int(row[0]), str(row[1])) if row else (0, GENESIS_HASH)

    def version_at(self, aggregate_id: str, when: datetime) -> int:
        """The aggregate's version as of `when` (0 if it had no events yet)."""
        _check_aggregate_id(aggregate_id)
        if not isinstance(when, datetime) or when.tzinfo is None:
            raise InvalidInput(f"Invalid time {when!r}: needs a timezone")
        query = select(func.max(events.c.version)).where(
            events.c.aggregate_id == aggregate_id, events.c.created_at <= when
        )
        with translated(self.description), self._read() as conn:
            return int(conn.execute(query).scalar() or 0)

    def aggregate_ids(self) -> list[str]:
        query = select(events.c.aggregate_id).where(events.c.version == 1)
        with translated(self.description), self._read() as conn:
            return sorted(row[0] for row in conn.execute(query))

    # -- snapshots ---------------------------------------------------------------------

    def snapshots_at_or_below(
        self, aggregate_id: str, version: int, limit: int = 3
    ) -> list[StoredSnapshot]:
        """Newest snapshots at or below `version`, newest first. Rows whose state is not
        even JSON are left out; callers still check checksum and schema version."""
        query = (
            select(
                snapshots.c.version,
                snapshots.c.schema_version,
                type_coerce(snapshots.c.state, Text),
                snapshots.c.checksum,
                snapshots.c.created_at,
            )
            .where(snapshots.c.aggregate_id == aggregate_id, snapshots.c.version <= version)
            .order_by(snapshots.c.version.desc())
            .limit(limit)
        )
        with translated(self.description), self._read() as conn:
            rows = conn.execute(query).all()
        found: list[StoredSnapshot] = []
        for snap_version, schema, raw_state, checksum, created_at in rows:
            try:
                state = decode_json(raw_state) if isinstance(raw_state, str) else raw_state
            except ValueError:
                continue
            found.append(
                StoredSnapshot(aggregate_id, snap_version, schema, state, checksum, created_at)
            )
        return found

    def save_snapshots(self, aggregate_id: str, items: Sequence[tuple[int, int, Any]]) -> None:
        """Store snapshots outside an append (replay fills in missing ones). A snapshot
        another process wrote first is kept: the insert ignores existing keys."""
        if self.read_only or not items or getattr(self._local, "exclusive", False):
            return  # (inside exclusive() a second writer would wait on our own lock)
        now = datetime.now(UTC)
        rows = [
            {"aggregate_id": aggregate_id, "version": version, "schema_version": schema,
             "state": canonical_json(state), "checksum": snapshot_checksum(state),
             "created_at": now}
            for version, schema, state in items
        ]  # fmt: skip
        insert_ignoring = (pg_insert if self.backend == "postgresql" else sqlite_insert)
        statement = insert_ignoring(snapshots).on_conflict_do_nothing(
            index_elements=["aggregate_id", "version"])
        with translated(self.description), self._writer.begin() as conn:
            conn.execute(statement, rows)
