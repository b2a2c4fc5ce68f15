"""Column types that behave the same on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import DateTime, String, Text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator, TypeEngine

from esgui.store.hashing import canonical_json, decode_json


class UTCDateTime(TypeDecorator[datetime]):
    """Aware UTC datetimes. PostgreSQL: timestamptz. SQLite: fixed-width text
    ``2026-11-27 10:15:00.123456`` (UTC), which sorts and compares as time does."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        if dialect.name == "sqlite":
            return dialect.type_descriptor(String(26))
        return dialect.type_descriptor(DateTime(timezone=True))

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> Any:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        value = value.astimezone(UTC)
        if dialect.name == "sqlite":
            return value.replace(tzinfo=None).isoformat(" ", "microseconds")
        return value

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        return self.result_processor(dialect, None)(value)

    def result_processor(self, dialect: Dialect, coltype: Any) -> Any:
        # A closure per dialect rather than the generic TypeDecorator path: this runs
        # once per event read, millions of times on a large store.
        parse = datetime.fromisoformat
        if dialect.name == "sqlite":

            def from_text(value: Any) -> datetime | None:
                return None if value is None else parse(value + "+00:00")

            return from_text

        def to_utc(value: Any) -> datetime | None:
            if value is None or value.tzinfo is UTC:
                return value
            if value.tzinfo is None:
                return value.replace(tzinfo=UTC)
            return value.astimezone(UTC)

        return to_utc


class JSONDoc(TypeDecorator[Any]):
    """A JSON object. PostgreSQL: jsonb. SQLite: text. Binds canonical JSON text (a
    given string is taken as already canonical); results are always decoded objects."""

    impl = Text
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        if dialect.name == "postgresql":
            return dialect.type_descriptor(JSONB())
        return dialect.type_descriptor(Text())

    def bind_processor(self, dialect: Dialect) -> Any:
        # Replaces jsonb's own processor, which would serialise a string a second time.
        # psycopg sends text with an unknown type, which PostgreSQL reads as jsonb.
        def process(value: Any) -> Any:
            if value is None or isinstance(value, str):
                return value
            return canonical_json(value)

        return process

    def result_processor(self, dialect: Dialect, coltype: Any) -> Any:
        def process(value: Any) -> Any:
            if isinstance(value, (str, bytes)):
                return decode_json(value)
            return value

        return process
