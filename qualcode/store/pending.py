"""The review queue: suggestions for the uncoded rest of a project, waiting for a decision.

A queue is made whole (:meth:`PendingMixin.replace_pending`) and emptied one decision at a
time; the decision itself is recorded in ``suggestion_feedback`` by the project. Each coder
has a queue of their own: making one never touches another coder's (on a server, row-level
security fences it too, see :mod:`qualcode.store.server`).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence

from sqlalchemy import select

from qualcode.model import PendingSuggestion, Suggestion
from qualcode.store import schema as s
from qualcode.store.base import StoreBase


class PendingMixin(StoreBase):
    def replace_pending(
        self, coder: str, found: Iterable[Suggestion], precision: float, created_at: str
    ) -> int:
        """Make ``found`` the review queue of ``coder`` (their old one is dropped, the
        others' stay); returns its length."""
        p = s.pending_suggestions
        rows = [
            {
                "source_id": x.source_id,
                "start": x.start,
                "end": x.end,
                "code_id": x.code_id,
                "label": x.label,
                "suggester": x.suggester,
                "score": float(x.score),
                "precision": precision,
                "evidence": json.dumps(list(x.evidence)),
                "created_at": created_at,
            }
            for x in found
            if x.code_id is not None
        ]
        with self.writing() as conn:
            coder_id = self.coder_id(coder)
            self.dialect.delete_rows(conn, p, coder_id=coder_id)
            self.dialect.insert_rows(conn, p, [{**row, "coder_id": coder_id} for row in rows])
        return len(rows)

    def list_pending(
        self, coder: str, *, code_id: int | None = None, ids: Sequence[int] | None = None
    ) -> list[PendingSuggestion]:
        """The queue of ``coder``, best score first (of one code, or these ids, if given)."""
        p = s.pending_suggestions
        q = select(p).join(s.coders, s.coders.c.id == p.c.coder_id).where(s.coders.c.name == coder)
        if code_id is not None:
            q = q.where(p.c.code_id == code_id)
        if ids is not None:
            q = q.where(p.c.id.in_(list(ids)))
        with self.reading() as conn:
            return [
                PendingSuggestion(
                    r.id,
                    Suggestion(
                        r.source_id,
                        r.start,
                        r.end,
                        r.label,
                        r.score,
                        r.suggester,
                        tuple(json.loads(r.evidence)),
                        r.code_id,
                    ),
                    r.precision,
                    r.created_at,
                )
                for r in conn.execute(q.order_by(p.c.score.desc(), p.c.id))
            ]

    def remove_pending(self, coder: str, ids: Iterable[int]) -> None:
        """Take decided suggestions out of ``coder``'s queue (inside the decision's
        transaction)."""
        p = s.pending_suggestions
        with self.writing() as conn:
            coder_id = self.coder_id(coder)
            self.dialect.delete_rows(conn, p, list(ids), coder_id=coder_id)
