"""Codings, memos and the undo history of coding operations.

Each apply or remove is recorded in ``history`` with the exact rows it added or removed
(ids included), so undo and redo restore the database to the state before and after it.
Undo is per coder: two coders on one project never undo each other's work.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import Connection, select
from sqlalchemy.exc import IntegrityError

from qualcode.errors import ProjectError
from qualcode.model import Coding, Memo, NewCoding, NewMemo, utc_now
from qualcode.store import schema as s
from qualcode.store.base import StoreBase, new_id

_FIELDS = ("id", "source_id", "code_id", "coder_id", "start", "end", "created_at", "memo")
_MEMO_FIELDS = ("target", "target_id", "text", "coder_id", "created_at", "guid")
_KEY = ("source_id", "code_id", "coder_id", "start", "end")  # what makes a coding one


def _key(row: Any) -> tuple[Any, ...]:
    return tuple(row[k] for k in _KEY)


def _row(new: NewCoding) -> dict[str, Any]:
    # Spelled out: twice as fast as a loop over the fields, for imports of many codings.
    return {
        "source_id": new.source_id,
        "code_id": new.code_id,
        "coder_id": new.coder_id,
        "start": new.start,
        "end": new.end,
        "created_at": new.created_at,
        "memo": new.memo,
        "guid": new.guid,
    }


def _coding_query() -> Any:
    c = s.codings
    return select(c, s.coders.c.name.label("coder")).join(s.coders, s.coders.c.id == c.c.coder_id)


def _coding(row: Any) -> Coding:
    return Coding(
        row.id,
        row.source_id,
        row.code_id,
        row.start,
        row.end,
        row.coder,
        row.created_at,
        row.memo,
        row.guid,
    )


class CodingsMixin(StoreBase):
    def add_codings(
        self,
        new: Sequence[NewCoding],
        *,
        coder_id: int | None = None,
        record: bool = True,
    ) -> list[int]:
        """Add codings, skipping any that already exist (same source, code, coder, span).

        Returns the ids of the codings added. With ``record``, the operation can be undone
        (as one step of coder ``coder_id``).
        """
        with self.writing() as conn:
            added = self._insert_missing(conn, [_row(n) for n in new])
            if record and added:
                self._record(conn, "apply", coder_id, added)
        return [r["id"] for r in added]

    def _insert_missing(
        self, conn: Connection, rows: Sequence[dict[str, Any]]
    ) -> list[dict[str, Any]]:
        """Insert the rows no coding has yet; returns them with their ids."""
        c = s.codings
        if self.dialect.skips_conflicts:
            return self._insert_skipping(conn, rows)
        added: list[dict[str, Any]] = []
        for row in rows:
            exists = conn.execute(
                select(c.c.id).where(
                    c.c.source_id == row["source_id"],
                    c.c.code_id == row["code_id"],
                    c.c.coder_id == row["coder_id"],
                    c.c.start == row["start"],
                    c.c.end == row["end"],
                )
            ).scalar()
            if exists is not None:
                continue
            if not self.dialect.concurrent_writers:
                added.append({**row, "id": new_id(conn.execute(c.insert().values(**row)))})
                continue
            # On a server the same coder in a second window may have made it since the
            # check: then it is there, which is all a no-op promises.
            try:
                with conn.begin_nested():
                    added.append({**row, "id": new_id(conn.execute(c.insert().values(**row)))})
            except IntegrityError as exc:
                if "uq_coding" not in str(exc.orig):
                    raise
        return added

    def _insert_skipping(
        self, conn: Connection, rows: Sequence[dict[str, Any]]
    ) -> list[dict[str, Any]]:
        """:meth:`_insert_missing` in one statement (in pages, for many rows): the rows
        the unique constraint on a coding refuses (there already, or made meanwhile by the
        same coder in a second window) are skipped, and the ids of the others come back."""
        if not rows:
            return []
        inserted = self.dialect.insert_new(conn, s.codings, rows, "uq_coding")
        ids = {_key(r): int(r["id"]) for r in inserted}
        added: list[dict[str, Any]] = []
        for row in rows:
            found = ids.pop(_key(row), None)  # a row given twice is added once
            if found is not None:
                added.append({**row, "id": found})
        return added

    def add_coding(self, new: NewCoding, *, coder: str) -> Coding | None:
        """Add one coding as an undoable step of its coder (named ``coder``), unless that
        coder has it already; returns it as :meth:`list_codings` would, or None."""
        with self.writing() as conn:
            added = self._insert_missing(conn, [_row(new)])
            if added:
                self._record(conn, "apply", new.coder_id, added)
        if not added:
            return None
        row = added[0]
        return Coding(
            row["id"], new.source_id, new.code_id, new.start, new.end, coder,
            new.created_at, new.memo, new.guid,
        )  # fmt: skip

    def add_imported_codings(self, new: Sequence[NewCoding]) -> None:
        """Add many codings an import has checked are new, in one batch and without an undo
        step (a failed import is undone by its transaction). Their ids are not read back:
        that would take about three times as long."""
        if new:
            with self.writing() as conn:
                self.dialect.insert_rows(conn, s.codings, [_row(n) for n in new], returning=False)

    def delete_codings(
        self,
        ids: Sequence[int],
        *,
        coder_id: int | None = None,
        record: bool = True,
    ) -> int:
        """Delete codings by id; returns how many there were. With ``record``, the
        operation can be undone (as one step of coder ``coder_id``)."""
        if not ids:
            return 0
        where = s.codings.c.id.in_(list(ids))
        with self.writing() as conn:
            rows = [dict(r._mapping) for r in conn.execute(select(s.codings).where(where))]
            deleted = self.dialect.delete_rows(conn, s.codings, ids)
            if deleted != len(rows):  # row-level security on a server kept some: not silently
                raise _not_yours(self.label, len(rows) - deleted)
            if record and rows:
                self._record(conn, "remove", coder_id, rows)
        return len(rows)

    def set_coding_memo(self, coding_id: int, memo: str) -> None:
        with self.writing() as conn:
            changed = self.dialect.update_rows(conn, s.codings, [coding_id], {"memo": memo})
            codings = s.codings.c
            exists = conn.execute(select(codings.id).where(codings.id == coding_id)).first()
            if changed == 0 and exists is not None:  # row-level security on a server kept it
                raise _not_yours(self.label, 1)

    def _record(
        self, conn: Connection, op: str, coder_id: int | None, rows: list[dict[str, Any]]
    ) -> None:
        self._record_payload(conn, op, coder_id, json.dumps(_fields(rows)))

    def _record_payload(
        self, conn: Connection, op: str, coder_id: int | None, payload: str
    ) -> None:
        self.dialect.record_step(conn, s.history, op, coder_id, payload, utc_now())

    def undo(self, coder_id: int | None) -> str | None:
        """Revert the coder's last coding operation; returns ``'apply'``/``'remove'`` or None."""
        return self._step(coder_id, forward=False)

    def redo(self, coder_id: int | None) -> str | None:
        """Re-apply the coder's most recently undone operation."""
        return self._step(coder_id, forward=True)

    def next_step(
        self, coder_id: int | None, *, forward: bool
    ) -> tuple[str, list[NewCoding]] | None:
        """What undo (or, ``forward``, redo) would do next, without doing it: the operation
        (``'apply'``/``'remove'``) and the codings it added or removed."""
        with self.writing() as conn:
            h = self._next_history(conn, coder_id, forward=forward)
        if h is None:
            return None
        fields = _FIELDS[1:]  # the id is the store's own
        data = json.loads(h.payload)
        rows = data["added"] if isinstance(data, dict) else data
        return str(h.op), [NewCoding(**{k: r[k] for k in fields}) for r in rows]

    def _next_history(self, conn: Connection, coder_id: int | None, *, forward: bool) -> Any:
        # Undo takes the newest operation still done; redo the oldest one undone, which is
        # the one undone last (a new operation clears the undone ones, see _record).
        # Codings are addressed by id, which is never reused (AUTOINCREMENT), so a step can
        # only ever touch the codings it recorded.
        h_ = s.history
        return conn.execute(
            select(h_)
            .where(h_.c.undone.is_(forward), _same_coder(coder_id))
            .order_by(h_.c.id.asc() if forward else h_.c.id.desc())
            .limit(1)
        ).one_or_none()

    def _step(self, coder_id: int | None, *, forward: bool) -> str | None:
        h_ = s.history
        with self.writing() as conn:
            h = self._next_history(conn, coder_id, forward=forward)
            if h is None:
                return None
            data = json.loads(h.payload)
            if isinstance(data, dict):  # a reconcile decision: codings in and out, decisions
                back, gone = (data["added"], data["removed"])
                if not forward:
                    back, gone = gone, back
            else:
                adding = (h.op == "apply") == forward
                back, gone = (data, []) if adding else ([], data)
            lost = self._unrestorable(conn, back)
            if not lost:
                self._replay(conn, gone, adding=False)
                # On a server a restored coding gets a new id (ids come from the sequence
                # only): the step records it, for the undo after.
                self._replay(conn, back, adding=True)
                if isinstance(data, dict):
                    self._mark_decisions(conn, data, forward=forward)
                done = {"undone": not forward, "payload": json.dumps(data)}
                self.dialect.update_rows(conn, h_, [h.id], done)
                return str(h.op)
            # It can never be restored: drop it so the steps behind it stay reachable.
            self.dialect.delete_rows(conn, h_, [h.id])
        step = "redo" if forward else "undo"
        raise ProjectError(
            f"cannot {step} the {h.op}: {lost} of its {len(back)} coding(s) used a code, source "
            f"or coder deleted since; nothing was changed and the step is dropped",
            file=self.label,
        )

    def _mark_decisions(self, conn: Connection, data: dict[str, Any], *, forward: bool) -> None:
        """The decision log after an undo (or, ``forward``, a redo) of a reconcile step: its
        decisions undone (or not), the ones it replaced standing again (or replaced again)."""
        d = s.decisions
        if data["decided"]:
            self.dialect.update_rows(conn, d, data["decided"], {"undone": not forward})
        for old, new in data["replaced"]:
            self.dialect.update_rows(conn, d, [old], {"replaced_by": new if forward else None})

    @staticmethod
    def _unrestorable(conn: Connection, rows: list[dict[str, Any]]) -> int:
        """How many recorded codings point to a code, source or coder that is gone."""
        refs = (
            (s.sources, "source_id"),
            (s.codes, "code_id"),
            (s.coders, "coder_id"),
        )
        gone = 0
        for r in rows:
            for table, key in refs:
                if conn.execute(select(table.c.id).where(table.c.id == r[key])).first() is None:
                    gone += 1
                    break
        return gone

    def _replay(self, conn: Connection, rows: list[dict[str, Any]], *, adding: bool) -> None:
        if not rows:
            return
        ids = [r["id"] for r in rows]
        if adding:
            present = set(
                conn.execute(select(s.codings.c.id).where(s.codings.c.id.in_(ids))).scalars()
            )
            missing = [r for r in rows if r["id"] not in present]
            # The same coding may have been re-made since under another id: skip it then.
            restored = {_key(r): r["id"] for r in self._insert_missing(conn, missing)}
            for row in rows:
                row["id"] = restored.get(_key(row), row["id"])
        else:
            self.dialect.delete_rows(conn, s.codings, ids)

    def list_codings(
        self,
        *,
        source_id: int | None = None,
        code_ids: Sequence[int] | None = None,
        coder: str | None = None,
        start: int | None = None,
        end: int | None = None,
        ids: Sequence[int] | None = None,
        source_ids: Iterable[int] | None = None,
    ) -> list[Coding]:
        """Codings filtered by source (one, or any of ``source_ids``), codes, coder, id, and
        those overlapping ``[start, end)``; ordered by source, start, end and id."""
        c = s.codings
        q = _coding_query()
        if ids is not None:
            q = q.where(c.c.id.in_(list(ids)))
        if source_id is not None:
            q = q.where(c.c.source_id == source_id)
        if source_ids is not None:
            q = q.where(c.c.source_id.in_(list(source_ids)))
        if code_ids is not None:
            q = q.where(c.c.code_id.in_(list(code_ids)))
        if coder is not None:
            q = q.where(s.coders.c.name == coder)
        if start is not None and end is not None:
            q = q.where(c.c.start < end, c.c.end > start)
        q = q.order_by(c.c.source_id, c.c.start, c.c.end, c.c.id)
        with self.reading() as conn:
            return [_coding(r) for r in conn.execute(q)]

    def add_memos(self, new: Sequence[NewMemo]) -> list[int]:
        """Add memos; returns their ids, in the order given."""
        if not new:
            return []
        rows = [{f: getattr(n, f) for f in _MEMO_FIELDS} for n in new]
        with self.writing() as conn:
            return self.dialect.insert_rows(conn, s.memos, rows)

    def list_memos(self, target: str | None = None, target_id: int | None = None) -> list[Memo]:
        m = s.memos
        q = (
            select(m, s.coders.c.name.label("coder"))
            .outerjoin(s.coders, s.coders.c.id == m.c.coder_id)
            .order_by(m.c.id)
        )
        if target is not None:
            q = q.where(m.c.target == target)
        if target_id is not None:
            q = q.where(m.c.target_id == target_id)
        with self.reading() as conn:
            return [
                Memo(r.id, r.target, r.target_id, r.text, r.coder or "", r.created_at, r.guid)
                for r in conn.execute(q)
            ]


def _fields(rows: Iterable[Any]) -> list[dict[str, Any]]:
    """Coding rows as the undo history keeps them."""
    return [{k: r[k] for k in _FIELDS} for r in rows]


def _not_yours(label: str, count: int) -> ProjectError:
    return ProjectError(
        f"refused by the server: {count} of these codings are another coder's; you may "
        "change and remove only your own codings (and write a memo of your own on any)",
        file=label,
    )


def _same_coder(coder_id: int | None) -> Any:
    return s.history.c.coder_id.is_(None) if coder_id is None else s.history.c.coder_id == coder_id
