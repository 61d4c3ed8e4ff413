"""Queries for REFI-QDA exchange and merging: GUIDs, whole-table reads, bulk writes.

Exports and merges read every coding of a project at once (``list_codings``) and write in
bulk, so the writes here take plain rows rather than one object at a time.
"""

from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy import select

from qualcode.store import schema as s
from qualcode.store.base import StoreBase


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
            with self.writing() as conn:
                self.dialect.fill_guids(conn, t, guids)

    def add_coder(self, name: str, guid: str | None) -> int:
        with self.writing() as conn:
            return self.dialect.insert_rows(conn, s.coders, [{"name": name, "guid": guid}])[0]

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
