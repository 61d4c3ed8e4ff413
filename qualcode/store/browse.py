"""Queries for browsing a project: how each code is used, across sources and coders."""

from __future__ import annotations

from sqlalchemy import func, select

from qualcode.store import schema as s
from qualcode.store.base import StoreBase


class BrowseMixin(StoreBase):
    def code_usage(self) -> dict[int, tuple[int, int, int]]:
        """Per code id: (codings, distinct sources, distinct coders)."""
        c = s.codings.c
        q = select(
            c.code_id,
            func.count(),
            func.count(func.distinct(c.source_id)),
            func.count(func.distinct(c.coder_id)),
        ).group_by(c.code_id)
        with self.reading() as conn:
            return {int(k): (int(n), int(srcs), int(cds)) for k, n, srcs, cds in conn.execute(q)}
