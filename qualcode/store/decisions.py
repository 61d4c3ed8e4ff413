"""The reconcile decision log, and writing a decision with the codings it changes.

A decision and the change it makes to the agreed coder's codings are written in one
transaction and recorded as one undo step of that coder (``op`` ``reconcile``), whose payload
names the codings it removed and added and the decisions it made and replaced: undoing it puts
the codings back and marks the decisions undone (see ``CodingsMixin._step``), so the log and
the codings never disagree.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import asdict

from sqlalchemy import select

from qualcode.model import Decision, NewCoding, NewDecision
from qualcode.store import schema as s
from qualcode.store.codings import CodingsMixin, _fields, _not_yours, _row

RECONCILE = "reconcile"  # the undo history's name for a decision's step


class DecisionsMixin(CodingsMixin):
    def list_decisions(self, *, into: str | None = None) -> list[Decision]:
        """Every decision (for coder ``into`` only, if given), oldest first; ``code`` is
        left empty for the facade to name by its path. A read: naming the coder by name
        adds no coder."""
        d, into_, src = s.decisions, s.coders.alias("into"), s.sources
        q = (
            select(d, into_.c.name.label("into"), src.c.name.label("source"))
            .join(into_, into_.c.id == d.c.into_id)
            .outerjoin(src, src.c.id == d.c.source_id)
            .order_by(d.c.id)
        )
        if into is not None:
            q = q.where(into_.c.name == into)
        with self.reading() as conn:
            return [
                Decision(
                    id=r.id,
                    kind=r.kind,
                    source_id=r.source_id,
                    source=r.source or "",
                    code_id=r.code_id,
                    code="",
                    start=r.start,
                    end=r.end,
                    choice=r.choice,
                    into=r.into,
                    coders=tuple(c for c in r.coders.split(",") if c),
                    unit=r.unit,
                    decided_by=r.decided_by,
                    created_at=r.created_at,
                    count=r._mapping["count"],
                    undone=bool(r.undone),
                    replaced_by=r.replaced_by,
                )
                for r in conn.execute(q)
            ]

    def last_decision(self) -> tuple[str, tuple[str, ...]] | None:
        """``into`` and the coders compared of the newest decision not undone, or None: one
        row, however long the log (every report asks, to find the agreed coder)."""
        d, into_ = s.decisions, s.coders.alias("into")
        q = (
            select(into_.c.name, d.c.coders)
            .join(into_, into_.c.id == d.c.into_id)
            .where(d.c.undone.is_(False))
            .order_by(d.c.id.desc())
            .limit(1)
        )
        with self.reading() as conn:
            row = conn.execute(q).first()
        if row is None:
            return None
        return str(row[0]), tuple(c for c in str(row[1]).split(",") if c)

    def write_decisions(
        self,
        *,
        into_id: int,
        remove: Sequence[int],
        add: Sequence[NewCoding],
        decisions: Sequence[NewDecision],
        replaced: Sequence[tuple[int, int]] = (),
    ) -> list[int]:
        """Record ``decisions`` and make their change to coder ``into_id``'s codings, as
        one undo step of that coder.

        Args:
            remove: ids of ``into_id``'s codings the decisions take away (or cut).
            add: the codings they give ``into_id``.
            decisions: the decisions, in order.
            replaced: (id of an earlier decision, index in ``decisions`` of the one that
                replaces it).

        Returns:
            The new decisions' ids, in order.
        """
        c = s.codings
        with self.writing() as conn:
            where = c.c.id.in_(list(remove))  # an empty list selects nothing
            gone = [dict(r._mapping) for r in conn.execute(select(c).where(where))]
            if gone and self.dialect.delete_rows(conn, c, list(remove)) != len(gone):
                raise _not_yours(self.label, len(gone))  # row-level security kept some
            added = self._insert_missing(conn, [_row(n) for n in add])
            rows = [{**asdict(n), "undone": False} for n in decisions]
            ids = self.dialect.insert_rows(conn, s.decisions, rows)
            pairs = [(old, ids[i]) for old, i in replaced]
            for old, new in pairs:
                self.dialect.update_rows(conn, s.decisions, [old], {"replaced_by": new})
            payload = {
                "removed": _fields(gone),
                "added": _fields(added),
                "decided": ids,
                "replaced": pairs,
            }
            self._record_payload(conn, RECONCILE, into_id, json.dumps(payload))
        return ids
