"""The code tree: read it, add codes, edit them, move, merge and delete.

Rules that keep the tree sound (sibling names unique, no cycles) are checked here in the
same transaction as the write, so no front end can get them wrong.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from sqlalchemy import Connection, and_, delete, func, select, update

from qualcode.errors import CodebookError, ProjectError
from qualcode.model import CODE_FIELDS, Code, Codebook
from qualcode.store import schema as s
from qualcode.store.base import StoreBase, new_id
from qualcode.store.settings import SettingKey

EDITABLE = ("name", *CODE_FIELDS)
# The longest code name, in characters: what the ``codes.name`` column holds on a server.
CODE_NAME_LIMIT: int = s.codes.c.name.type.length  # type: ignore[attr-defined]


def _code(row: Any, label: str) -> Code:
    return Code(
        id=row.id,
        name=row.name,
        parent_id=row.parent_id,
        definition=row.definition,
        inclusion=row.inclusion,
        exclusion=row.exclusion,
        keywords=_words(row, "keywords", label),
        examples=_words(row, "examples", label),
        color=row.color,
        hotkey=row.hotkey,
        guid=row.guid,
    )


def _words(row: Any, column: str, label: str) -> tuple[str, ...]:
    """A code's ``keywords`` or ``examples``: a JSON list of strings, or one error line
    naming the code (a database edited by hand may hold anything)."""
    raw = getattr(row, column)
    try:
        words = json.loads(raw)
    except (TypeError, ValueError):
        words = None
    if not isinstance(words, list) or not all(isinstance(w, str) for w in words):
        shown = raw if raw is None or len(raw) <= 40 else raw[:40] + "..."
        raise ProjectError(
            f"is damaged: the {column} of code {row.name!r} (id {row.id}) are {shown!r}, "
            "not a JSON list of texts (the database was edited outside qualcode)",
            file=label,
        )
    return tuple(words)


def _order(codes: list[Code]) -> list[Code]:
    """Parents before children; siblings in the order given (by position)."""
    by_parent: dict[int | None, list[Code]] = {}
    for c in codes:
        by_parent.setdefault(c.parent_id, []).append(c)
    out: list[Code] = []

    def walk(parent: int | None) -> None:
        for child in by_parent.get(parent, []):
            out.append(child)
            walk(child.id)

    walk(None)
    return out


def _values(fields: Mapping[str, Any]) -> dict[str, Any]:
    unknown = set(fields) - set(EDITABLE)
    if unknown:
        raise ValueError(f"not code fields: {sorted(unknown)}")
    values = dict(fields)
    for key in ("keywords", "examples"):
        if key in values:
            values[key] = json.dumps(list(values[key]), ensure_ascii=False)
    return values


class CodesMixin(StoreBase):
    def codebook(self) -> Codebook:
        """The codebook (kept while the server's catalog version stays the same)."""
        with self.reading() as conn:
            return self._catalog_read(conn, "codebook", lambda: self._read_codebook(conn))

    def _read_codebook(self, conn: Connection) -> Codebook:
        rows = conn.execute(select(s.codes).order_by(s.codes.c.position, s.codes.c.id))
        codes = [_code(r, self.label) for r in rows]
        name = conn.execute(
            select(s.meta.c.value).where(s.meta.c.key == SettingKey.CODEBOOK_NAME.value)
        )
        return Codebook(tuple(_order(codes)), name=name.scalar() or "")

    def _check_name(
        self, conn: Connection, name: str, parent_id: int | None, own_id: int | None
    ) -> None:
        if not name.strip():  # '/' is welcome: a path escapes it (qualcode.model.join_path)
            raise CodebookError(f"a code name must not be empty: {name!r}", file=self.label)
        if len(name) > CODE_NAME_LIMIT:  # the server's column holds no more: nor does a file
            raise CodebookError(
                f"a code name has at most {CODE_NAME_LIMIT} characters; {name[:40]!r}... has "
                f"{len(name)}",
                file=self.label,
            )
        same = (
            conn.execute(
                select(s.codes.c.id).where(
                    func.lower(s.codes.c.name) == name.strip().lower(),
                    s.codes.c.parent_id.is_(None)
                    if parent_id is None
                    else s.codes.c.parent_id == parent_id,
                )
            )
            .scalars()
            .all()
        )
        if any(i != own_id for i in same):
            raise CodebookError(f"a code named {name!r} already exists there", file=self.label)

    def _check_hotkey(self, conn: Connection, hotkey: str | None, own_id: int | None) -> None:
        if not hotkey:
            return
        other = conn.execute(
            select(s.codes.c.name).where(s.codes.c.hotkey == hotkey, s.codes.c.id != (own_id or -1))
        ).scalar()
        if other is not None:
            raise CodebookError(f"hotkey {hotkey!r} is already used by {other!r}", file=self.label)

    def add_code(self, name: str, parent_id: int | None = None, **fields: Any) -> int:
        """Add a code at the end of its siblings; returns its id."""
        with self.writing() as conn:
            return self._add_code(conn, name, parent_id, **fields)

    def _add_code(self, conn: Connection, name: str, parent_id: int | None, **fields: Any) -> int:
        name = name.strip()
        self._check_name(conn, name, parent_id, None)
        self._check_hotkey(conn, fields.get("hotkey"), None)
        position = conn.execute(select(func.coalesce(func.max(s.codes.c.position), 0))).scalar()
        values = _values(fields)
        result = conn.execute(
            s.codes.insert().values(
                name=name, parent_id=parent_id, position=int(position or 0) + 1, **values
            )
        )
        return new_id(result)

    def update_code(self, code_id: int, **fields: Any) -> None:
        """Change a code's fields (name, definition, keywords ...)."""
        with self.writing() as conn:
            self._update_code(conn, code_id, **fields)

    def _update_code(self, conn: Connection, code_id: int, **fields: Any) -> None:
        row = conn.execute(select(s.codes).where(s.codes.c.id == code_id)).one()
        if "name" in fields:
            fields["name"] = fields["name"].strip()
            self._check_name(conn, fields["name"], row.parent_id, code_id)
        if "hotkey" in fields:
            self._check_hotkey(conn, fields["hotkey"], code_id)
        conn.execute(update(s.codes).where(s.codes.c.id == code_id).values(**_values(fields)))

    def move_code(self, code_id: int, parent_id: int | None) -> None:
        """Put a code (with its subtree) under another parent, or at the top level."""
        with self.writing() as conn:
            self._move_code(conn, code_id, parent_id)

    def _move_code(self, conn: Connection, code_id: int, parent_id: int | None) -> None:
        row = conn.execute(select(s.codes).where(s.codes.c.id == code_id)).one()
        ancestor = parent_id
        while ancestor is not None:
            if ancestor == code_id:
                raise CodebookError(
                    f"cannot move {row.name!r} under itself or its own descendant", file=self.label
                )
            ancestor = conn.execute(
                select(s.codes.c.parent_id).where(s.codes.c.id == ancestor)
            ).scalar()
        self._check_name(conn, row.name, parent_id, code_id)
        conn.execute(update(s.codes).where(s.codes.c.id == code_id).values(parent_id=parent_id))

    def merge_codes(self, source_id: int, target_id: int) -> int:
        """Merge code ``source_id`` into ``target_id``: its codings and children move to the
        target, then it is deleted. A coding the target already has (same source, coder and
        span) is not duplicated. Returns how many codings moved."""
        with self.writing() as conn:
            return self._merge_codes(conn, source_id, target_id)

    def _merge_codes(self, conn: Connection, source_id: int, target_id: int) -> int:
        if source_id == target_id:
            raise CodebookError("cannot merge a code into itself", file=self.label)
        target_ancestors = set()
        ancestor: int | None = target_id
        while ancestor is not None:
            target_ancestors.add(ancestor)
            ancestor = conn.execute(
                select(s.codes.c.parent_id).where(s.codes.c.id == ancestor)
            ).scalar()
        if source_id in target_ancestors:
            raise CodebookError(
                "cannot merge a code into one of its own descendants", file=self.label
            )
        c, other = s.codings, s.codings.alias("other")
        duplicate = (
            select(other.c.id)
            .where(
                other.c.code_id == target_id,
                and_(
                    other.c.source_id == c.c.source_id,
                    other.c.coder_id == c.c.coder_id,
                    other.c.start == c.c.start,
                    other.c.end == c.c.end,
                ),
            )
            .exists()
        )
        conn.execute(delete(c).where(c.c.code_id == source_id, duplicate))
        moved = conn.execute(update(c).where(c.c.code_id == source_id).values(code_id=target_id))
        # The reconcile decisions on the code go with its codings: the log keeps them.
        d = s.decisions
        conn.execute(update(d).where(d.c.code_id == source_id).values(code_id=target_id))
        for child in (
            conn.execute(select(s.codes.c.id).where(s.codes.c.parent_id == source_id))
            .scalars()
            .all()
        ):
            self._move_code(conn, child, target_id)
        conn.execute(delete(s.codes).where(s.codes.c.id == source_id))
        return int(moved.rowcount)

    def delete_code(self, code_id: int, *, with_codings: bool) -> int:
        """Delete a code and its subtree. Refused if any of them has codings, unless
        ``with_codings``; returns the number of codings deleted."""
        with self.writing() as conn:
            return self._delete_code(conn, code_id, with_codings=with_codings)

    def _delete_code(self, conn: Connection, code_id: int, *, with_codings: bool) -> int:
        ids = [code_id]
        frontier = [code_id]
        while frontier:
            frontier = list(
                conn.execute(
                    select(s.codes.c.id).where(s.codes.c.parent_id.in_(frontier))
                ).scalars()
            )
            ids.extend(frontier)
        n = int(
            conn.execute(
                select(func.count()).select_from(s.codings).where(s.codings.c.code_id.in_(ids))
            ).scalar()
            or 0
        )
        if n and not with_codings:
            raise CodebookError(
                f"the code has {n} coding(s); delete them too only if you mean it (--with-codings)",
                file=self.label,
            )
        conn.execute(delete(s.codings).where(s.codings.c.code_id.in_(ids)))
        for i in reversed(ids):  # children first, for the parent foreign key
            conn.execute(delete(s.codes).where(s.codes.c.id == i))
        return n

    def code_counts(self) -> dict[int, int]:
        """Number of codings per code id."""
        with self.reading() as conn:
            q = select(s.codings.c.code_id, func.count()).group_by(s.codings.c.code_id)
            return {int(k): int(v) for k, v in conn.execute(q)}
