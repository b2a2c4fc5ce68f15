"""Column types that behave the same on SQLite and PostgreSQL; how each backend stores
them comes from the backend (`esgui.store.sqlite`, `esgui.store.postgresql`)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import DateTime, Text
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator, TypeEngine

from esgui.store.dialects import backend_for
from esgui.store.hashing import canonical_json, decode_json


class UTCDateTime(TypeDecorator[datetime]):
    """Aware UTC datetimes. PostgreSQL: timestamptz. SQLite: fixed-width text
    ``2026-11-27 10:15:00.123456`` (UTC), which sorts and compares as time does."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        return dialect.type_descriptor(backend_for(dialect.name).time_type())

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> Any:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return backend_for(dialect.name).time_to_db(value)

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        return self.result_processor(dialect, None)(value)

    def result_processor(self, dialect: Dialect, coltype: Any) -> Any:
        # A closure per dialect rather than the generic TypeDecorator path: this runs
        # once per value read.
        parse = backend_for(dialect.name).time_from_db

        def process(value: Any) -> datetime | None:
            return None if value is None else parse(value)

        return process


class JSONDoc(TypeDecorator[Any]):
    """A JSON object. PostgreSQL: jsonb. SQLite: text. Binds canonical JSON text (a
    given string is taken as already canonical); results are always decoded objects."""

    impl = Text
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        return dialect.type_descriptor(backend_for(dialect.name).json_type())

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
