"""What coders did with suggestions (accepted, rejected), and fingerprints for model caches.

Feedback rows are labels for the learned suggester (a rejection is a strong negative) and
the record from which each suggester's precision can be reported.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from qualcode.model import Feedback
from qualcode.store import schema as s
from qualcode.store.base import StoreBase


class FeedbackMixin(StoreBase):
    def add_feedback(self, row: dict[str, Any]) -> int:
        """Record one decision; ``row`` has the columns of ``suggestion_feedback``."""
        with self.writing() as conn:
            return self.dialect.insert_rows(conn, s.suggestion_feedback, [row])[0]

    def list_feedback(self, *, accepted: bool | None = None) -> list[Feedback]:
        f = s.suggestion_feedback
        q = select(f, s.coders.c.name.label("coder")).join(
            s.coders, s.coders.c.id == f.c.coder_id, isouter=True
        )
        if accepted is not None:
            q = q.where(f.c.accepted.is_(accepted))
        with self.reading() as conn:
            return [
                Feedback(
                    r.id,
                    r.source_id,
                    r.start,
                    r.end,
                    r.code_id,
                    r.label,
                    r.suggester,
                    r.score,
                    bool(r.accepted),
                    r.coder or "",
                    r.created_at,
                )
                for r in conn.execute(q.order_by(f.c.id))
            ]

    def coding_fingerprint(self) -> str:
        """Changes whenever codings, codes or feedback change: the key of model caches.

        Counts, id maxima and sums of the rows' fields: any insert, delete, undo or edit of
        a span moves at least one of them, and computing them is a few index scans.
        """
        c, k, f = s.codings, s.codes, s.suggestion_feedback
        with self.reading() as conn:
            parts = [
                conn.execute(
                    select(
                        func.count(), func.max(c.c.id), func.sum(c.c.start + c.c.end + c.c.code_id)
                    )
                ).one(),
                conn.execute(select(func.count(), func.max(k.c.id))).one(),
                conn.execute(select(func.count(), func.max(f.c.id))).one(),
            ]
        return "|".join(",".join(str(v) for v in row) for row in parts)
