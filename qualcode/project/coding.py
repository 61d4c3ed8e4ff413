"""Codebook edits, coding, undo and memos."""

from __future__ import annotations

import bisect
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from qualcode.errors import CodebookError, ProjectError
from qualcode.files import check_output
from qualcode.model import (
    CODE_FIELDS,
    Code,
    Codebook,
    CodedSegment,
    Coding,
    Memo,
    Turn,
    utc_now,
)
from qualcode.project.base import ProjectBase
from qualcode.project.sourcing import ImportReport


@dataclass(frozen=True, slots=True)
class ApplyResult:
    """The coding made (None if the coder already had it) and whether the code was new."""

    coding: Coding | None
    code: Code
    code_created: bool


class CodingActions(ProjectBase):
    def add_code(self, name: str, parent: str | int | None = None, **fields: Any) -> Code:
        """Add a code under ``parent`` (a code ref) or at the top level."""
        fields = self._clean_fields(fields)
        parent_id = self.code(parent).id if parent is not None else None
        with self.store.atomic() as conn:
            code_id = self.store.add_code(conn, name, parent_id, **fields)
        return self.codebook().get(code_id)

    def update_code(self, ref: str | int, **fields: Any) -> Code:
        """Edit a code's name, definition, inclusion, exclusion, keywords, examples, color,
        hotkey."""
        fields = self._clean_fields(fields)
        code = self.code(ref)
        with self.store.atomic() as conn:
            self.store.update_code(conn, code.id, **fields)
        return self.codebook().get(code.id)

    def _clean_fields(self, fields: dict[str, Any]) -> dict[str, Any]:
        """Colours normalised to ``#rrggbb``; a hotkey one letter or digit; lists as tuples."""
        from qualcode.codebook import normalize_color

        out = dict(fields)
        if out.get("color"):
            try:
                out["color"] = normalize_color(out["color"])
            except ValueError as exc:
                raise CodebookError(str(exc), file=self.label) from None
        hotkey = out.get("hotkey")
        if hotkey and not (len(hotkey) == 1 and hotkey.isalnum()):
            raise CodebookError(
                f"hotkey {hotkey!r} is not a single letter or digit", file=self.label
            )
        for key in ("keywords", "examples"):
            if key in out:
                out[key] = tuple(str(v).strip() for v in out[key] if str(v).strip())
        return out

    def rename_code(self, ref: str | int, new_name: str) -> Code:
        return self.update_code(ref, name=new_name)

    def move_code(self, ref: str | int, parent: str | int | None) -> Code:
        """Move a code (with its children) under ``parent``, or to the top level if None."""
        code = self.code(ref)
        parent_id = self.code(parent).id if parent is not None else None
        with self.store.atomic() as conn:
            self.store.move_code(conn, code.id, parent_id)
        return self.codebook().get(code.id)

    def merge_codes(self, source: str | int, target: str | int) -> int:
        """Merge code ``source`` into ``target``, keeping every coding; returns codings moved."""
        a, b = self.code(source), self.code(target)
        with self.store.atomic() as conn:
            return self.store.merge_codes(conn, a.id, b.id)

    def delete_code(self, ref: str | int, *, with_codings: bool = False) -> int:
        """Delete a code and its children; refused if they have codings unless asked."""
        code = self.code(ref)
        with self.store.atomic() as conn:
            return self.store.delete_code(conn, code.id, with_codings=with_codings)

    def import_codebook(self, path: str | Path) -> ImportReport:
        """Add a codebook file's codes (matched by path); existing codes get its fields."""
        from qualcode.codebook import load_codebook

        book = load_codebook(Path(path))
        return self.merge_codebook(book)

    def merge_codebook(self, book: Codebook) -> ImportReport:
        report = ImportReport()
        with self.store.atomic() as conn:
            if book.name and not self.settings().get("codebook_name"):
                self.store._set_meta(conn, "codebook_name", book.name)
            for code in book:  # parents come before children
                path = book.path(code)
                code_id, created = self._ensure_code(conn, path)
                fields = {k: getattr(code, k) for k in CODE_FIELDS if getattr(code, k)}
                if fields:
                    self.store.update_code(conn, code_id, **fields)
                (report.codes_created if created else report.codes_updated).append(path)
        return report

    def export_codebook(self, path: str | Path) -> Path:
        from qualcode.codebook import save_codebook

        path = check_output(path, CodebookError)
        save_codebook(self.codebook(), path)
        return path

    def code_counts(self) -> dict[int, int]:
        return self.store.code_counts()

    def apply_code(
        self,
        source: str | int,
        start: int,
        end: int,
        code: str | int,
        *,
        coder: str | None = None,
        memo: str = "",
        create: bool = True,
    ) -> ApplyResult:
        """Code ``[start, end)`` of a source. A new code name is added to the codebook when
        ``create``; the same coder applying the same code to the same span is a no-op."""
        src = self.source(source)
        self._check_span(src, start, end)
        with self.store.atomic() as conn:
            if create and isinstance(code, str):
                code_id, created = self._ensure_code(conn, code)
            else:
                code_id, created = self.code(code).id, False
            coder_id = self.store.coder_id(conn, coder or self.coder)
            row = {
                "source_id": src.id,
                "code_id": code_id,
                "coder_id": coder_id,
                "start": start,
                "end": end,
                "created_at": utc_now(),
                "memo": memo,
            }
            ids = self.store.insert_codings(conn, [row], coder_id=coder_id)
        coding = None
        if ids:
            coding = self.store.list_codings(ids=ids)[0]
        return ApplyResult(coding, self.codebook().get(code_id), created)

    def code_matches(
        self,
        source: str | int | None,
        pattern: str,
        code: str | int,
        *,
        coder: str | None = None,
        create: bool = True,
        flags: int = re.IGNORECASE,
    ) -> list[Coding]:
        """Code every match of a regular expression, in one source or all (as one undo step)."""
        try:
            regex = re.compile(pattern, flags)
        except re.error as exc:
            raise ProjectError(f"bad --match pattern {pattern!r}: {exc}") from None
        sources = [self.source(source)] if source is not None else self.store.list_sources()
        with self.store.atomic() as conn:
            code_id = (
                self._ensure_code(conn, code)[0]
                if create and isinstance(code, str)
                else self.code(code).id
            )
            coder_id = self.store.coder_id(conn, coder or self.coder)
            now = utc_now()
            rows = [
                {
                    "source_id": s.id,
                    "code_id": code_id,
                    "coder_id": coder_id,
                    "start": m.start(),
                    "end": m.end(),
                    "created_at": now,
                    "memo": "",
                }
                for s in sources
                for m in regex.finditer(s.text)
                if m.end() > m.start()
            ]
            ids = set(self.store.insert_codings(conn, rows, coder_id=coder_id))
        return [c for c in self.store.list_codings(code_ids=[code_id]) if c.id in ids]

    def remove_code(
        self, source: str | int, start: int, end: int, code: str | int, *, coder: str | None = None
    ) -> int:
        """Remove the coder's coding of ``code`` on exactly ``[start, end)``; returns 0 or 1."""
        src = self.source(source)
        self._check_span(src, start, end)
        target = self.code(code)
        name = coder or self.coder
        hits = [
            c.id
            for c in self.store.list_codings(source_id=src.id, code_ids=[target.id], coder=name)
            if c.start == start and c.end == end
        ]
        if not hits:
            raise ProjectError(
                f"{name} has no coding of {target.name!r} at {start}..{end} in {src.name!r}",
                file=self.label,
            )
        with self.store.atomic() as conn:
            coder_id = self.store.coder_id(conn, name)
            return self.store.delete_codings(conn, hits, coder_id=coder_id)

    def remove_coding(self, coding_id: int) -> int:
        """Remove one coding by id (undoable by the coder who owned it)."""
        with self.store.atomic() as conn:
            found = self.store.list_codings(ids=[coding_id])
            if not found:
                raise ProjectError(f"no coding with id {coding_id}", file=self.label)
            coder_id = self.store.coder_id(conn, found[0].coder)
            return self.store.delete_codings(conn, [coding_id], coder_id=coder_id)

    def undo(self, coder: str | None = None) -> str | None:
        """Undo the coder's last coding operation; returns what was undone, or None."""
        with self.store.atomic() as conn:
            coder_id = self.store.coder_id(conn, coder or self.coder)
        return self.store.undo(coder_id)

    def redo(self, coder: str | None = None) -> str | None:
        with self.store.atomic() as conn:
            coder_id = self.store.coder_id(conn, coder or self.coder)
        return self.store.redo(coder_id)

    def codings(
        self,
        *,
        code: str | int | None = None,
        source: str | int | None = None,
        coder: str | None = None,
        start: int | None = None,
        end: int | None = None,
        subtree: bool = False,
    ) -> list[CodedSegment]:
        """Coded segments with their quotes, filtered by code, source, coder and span."""
        book = self.codebook()
        code_ids = None
        if code is not None:
            target = self.code(code)
            code_ids = [target.id] + (
                [c.id for c in book.descendants(target.id)] if subtree else []
            )
        source_id = self._source_id(source) if source is not None else None
        found = self.store.list_codings(
            source_id=source_id, code_ids=code_ids, coder=coder, start=start, end=end
        )
        texts = self._texts(sorted({c.source_id for c in found}))
        names = {i: n for n, i in self.store.source_ids().items()}
        turns = {sid: self.store.turns(sid) for sid in texts}
        return [
            CodedSegment(
                coding=c,
                source=names[c.source_id],
                code=book.path(c.code_id),
                text=texts[c.source_id][c.start : c.end],
                speaker=_speaker_at(turns[c.source_id], c.start),
            )
            for c in found
        ]

    def set_coding_memo(self, coding_id: int, memo: str) -> None:
        with self.store.atomic() as conn:
            self.store.set_coding_memo(conn, coding_id, memo)

    # -- memos ---------------------------------------------------------------------------

    def add_memo(
        self,
        text: str,
        *,
        source: str | int | None = None,
        code: str | int | None = None,
        coding: int | None = None,
        coder: str | None = None,
    ) -> Memo:
        """Write a memo on the project, a source, a code or a coding."""
        if not text.strip():
            raise ProjectError("a memo needs some text")
        if sum(x is not None for x in (source, code, coding)) > 1:
            raise ProjectError("a memo is attached to one thing at most")
        target, target_id = "project", None
        if source is not None:
            target, target_id = "source", self._source_id(source)
        elif code is not None:
            target, target_id = "code", self.code(code).id
        elif coding is not None:
            if not self.store.list_codings(ids=[coding]):
                raise ProjectError(f"no coding with id {coding}", file=self.label)
            target, target_id = "coding", coding
        with self.store.atomic() as conn:
            coder_id = self.store.coder_id(conn, coder or self.coder)
            memo_id = self.store.add_memo(conn, target, target_id, text, coder_id)
        return next(m for m in self.store.list_memos() if m.id == memo_id)

    def memos(self, *, target: str | None = None, target_id: int | None = None) -> list[Memo]:
        return self.store.list_memos(target, target_id)


def _speaker_at(turns: Sequence[Turn], offset: int) -> str | None:
    """The speaker of the turn an offset falls in (a label belongs to the turn it opens)."""
    i = bisect.bisect_right([t.end for t in turns], offset)
    return turns[i].speaker if i < len(turns) else None
