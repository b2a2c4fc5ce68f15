"""Saved queries: the query console's named queries, shared in the store.

An append-only table (triggers refuse UPDATE and DELETE, migration 0005): saving a name
again adds a newer version, and the newest one is what the name runs; every version
stays, with its author and time. Like review notes, a query may be saved on a store
opened read-only: read-only mode protects the ledger (docs/query.md).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, insert, select

from esgui.store.connections import Connections
from esgui.store.schema import saved_queries


@dataclass(frozen=True, slots=True)
class SavedQuery:
    query_id: str
    name: str
    sql: str
    author: str
    created_at: datetime

    def as_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "sql": self.sql,
            "author": self.author,
            "created_at": self.created_at.isoformat(),
            "id": self.query_id,
        }


_COLUMNS = (
    saved_queries.c.id,
    saved_queries.c.name,
    saved_queries.c.sql,
    saved_queries.c.author,
    saved_queries.c.created_at,
)


class SavedQueryStorage:
    def __init__(self, conns: Connections) -> None:
        self._conns = conns

    def add(self, query: SavedQuery) -> None:
        with self._conns.write(beside_the_ledger=True) as conn:
            conn.execute(
                insert(saved_queries),
                [
                    {
                        "id": query.query_id,
                        "name": query.name,
                        "sql": query.sql,
                        "author": query.author,
                        "created_at": query.created_at,
                    }
                ],
            )

    def newest(self) -> list[SavedQuery]:
        """The newest version of every name, by name."""
        ranked = select(
            *_COLUMNS,
            func.row_number()
            .over(
                partition_by=saved_queries.c.name,
                order_by=(saved_queries.c.created_at.desc(), saved_queries.c.id.desc()),
            )
            .label("rank"),
        ).subquery()
        query = (
            select(*(ranked.c[c.name] for c in _COLUMNS))
            .where(ranked.c.rank == 1)
            .order_by(ranked.c.name)
        )
        with self._conns.read() as conn:
            return [SavedQuery(*row) for row in conn.execute(query)]

    def get(self, name: str) -> SavedQuery | None:
        """The newest version saved under `name`."""
        query = (
            select(*_COLUMNS)
            .where(saved_queries.c.name == name)
            .order_by(saved_queries.c.created_at.desc(), saved_queries.c.id.desc())
            .limit(1)
        )
        with self._conns.read() as conn:
            row = conn.execute(query).first()
        return SavedQuery(*row) if row else None
