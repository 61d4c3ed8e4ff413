"""Queries for REFI-QDA exchange and merging: GUIDs, whole-table reads, bulk writes.

Exports and merges read every coding of a project at once and write in bulk, so these
methods work on plain rows rather than one object at a time.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import bindparam, select, update

from qualcode.store import schema as s
from qualcode.store.base import StoreBase, new_id


@dataclass(frozen=True, slots=True)
class CodingRow:
    id: int
    source_id: int
    code_id: int
    coder: str
    start: int
    end: int
    created_at: str
    memo: str
    guid: str | None


@dataclass(frozen=True, slots=True)
class MemoRow:
    id: int
    target: str
    target_id: int | None
    text: str
    coder: str
    created_at: str
    guid: str | None


class ExchangeMixin(StoreBase):
    def coder_rows(self) -> list[tuple[int, str, str | None]]:
        """Every coder as ``(id, name, guid)``."""
        with self.reading() as conn:
            q = select(s.coders.c.id, s.coders.c.name, s.coders.c.guid).order_by(s.coders.c.id)
            return [(int(i), n, g) for i, n, g in conn.execute(q)]

    def set_guids(self, table: str, guids: Mapping[int, str]) -> None:
        """Store GUIDs by row id in ``coders``, ``codes``, ``sources``, ``codings`` or ``memos``."""
        t = {
            "coders": s.coders,
            "codes": s.codes,
            "sources": s.sources,
            "codings": s.codings,
            "memos": s.memos,
        }[table]
        if guids:
            stmt = update(t).where(t.c.id == bindparam("row_id")).values(guid=bindparam("new"))
            with self.writing() as conn:
                conn.execute(stmt, [{"row_id": k, "new": v} for k, v in guids.items()])

    def add_coder(self, name: str, guid: str | None) -> int:
        with self.writing() as conn:
            return new_id(conn.execute(s.coders.insert().values(name=name, guid=guid)))

    def coding_rows(self, source_ids: Iterable[int] | None = None) -> list[CodingRow]:
        c = s.codings
        q = (
            select(c, s.coders.c.name.label("coder"))
            .join(s.coders, s.coders.c.id == c.c.coder_id)
            .order_by(c.c.source_id, c.c.start, c.c.end, c.c.id)
        )
        if source_ids is not None:
            q = q.where(c.c.source_id.in_(list(source_ids)))
        with self.reading() as conn:
            return [
                CodingRow(
                    r.id,
                    r.source_id,
                    r.code_id,
                    r.coder,
                    r.start,
                    r.end,
                    r.created_at,
                    r.memo,
                    r.guid,
                )
                for r in conn.execute(q)
            ]

    def coding_keys(self) -> set[tuple[int, int, int, int, int]]:
        """``(source_id, code_id, coder_id, start, end)`` of every coding, to skip duplicates."""
        c = s.codings
        with self.reading() as conn:
            q = select(c.c.source_id, c.c.code_id, c.c.coder_id, c.c.start, c.c.end)
            return {(a, b, c_, d, e) for a, b, c_, d, e in conn.execute(q)}

    def coding_guids(self) -> set[str]:
        with self.reading() as conn:
            q = select(s.codings.c.guid).where(s.codings.c.guid.is_not(None))
            return set(conn.execute(q).scalars())

    def memo_rows(self) -> list[MemoRow]:
        m = s.memos
        q = (
            select(m, s.coders.c.name.label("coder"))
            .outerjoin(s.coders, s.coders.c.id == m.c.coder_id)
            .order_by(m.c.id)
        )
        with self.reading() as conn:
            return [
                MemoRow(r.id, r.target, r.target_id, r.text, r.coder or "", r.created_at, r.guid)
                for r in conn.execute(q)
            ]

    def insert_memos(self, rows: Sequence[dict[str, Any]]) -> None:
        """Memos with all their columns (target, target_id, coder_id, text, created_at, guid)."""
        if rows:
            with self.writing() as conn:
                conn.execute(s.memos.insert(), list(rows))
