"""The codebook of a project: its codes, their edits, and how each is used.

Codes are found by id, name or ``Parent/Child`` path through the shared
:class:`~qualcode.project.base.ProjectContext`; the codebook file formats live in
:mod:`qualcode.codebook`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from qualcode.errors import CodebookError
from qualcode.model import CODE_FIELDS, Code, Codebook
from qualcode.outputs import check_output
from qualcode.project.sourcing import ImportReport
from qualcode.store.settings import SettingKey

if TYPE_CHECKING:
    from qualcode.project.base import ProjectContext


@dataclass(frozen=True, slots=True)
class CodeUsage:
    """How a code is used: its codings, and in how many sources and by how many coders."""

    code: Code
    path: str
    depth: int
    codings: int
    sources: int
    coders: int


class Codes:
    """The codebook of a project: codes found, added, edited, moved, merged, imported, exported."""

    def __init__(self, ctx: ProjectContext) -> None:
        self._ctx = ctx

    def book(self) -> Codebook:
        """The whole codebook, as a tree."""
        return self._ctx.codebook()

    def code(self, ref: str | int) -> Code:
        """A code by id, name or ``Parent/Child`` path; an ambiguous name is an error."""
        return self._ctx.code(ref)

    def add_code(self, name: str, parent: str | int | None = None, **fields: Any) -> Code:
        """Add a code under ``parent`` (a code ref) or at the top level."""
        fields = self._clean_fields(fields)
        parent_id = self._ctx.code(parent).id if parent is not None else None
        code_id = self._ctx.store.add_code(name, parent_id, **fields)
        return self._ctx.codebook().get(code_id)

    def update_code(self, ref: str | int, **fields: Any) -> Code:
        """Edit a code's name, definition, inclusion, exclusion, keywords, examples, color,
        hotkey."""
        fields = self._clean_fields(fields)
        code = self._ctx.code(ref)
        self._ctx.store.update_code(code.id, **fields)
        return self._ctx.codebook().get(code.id)

    def _clean_fields(self, fields: dict[str, Any]) -> dict[str, Any]:
        """Colours normalised to ``#rrggbb``; a hotkey one letter or digit; lists as tuples."""
        from qualcode.codebook import normalize_color

        out = dict(fields)
        if out.get("color"):
            try:
                out["color"] = normalize_color(out["color"])
            except ValueError as exc:
                raise CodebookError(str(exc), file=self._ctx.label) from None
        hotkey = out.get("hotkey")
        if hotkey and not (len(hotkey) == 1 and hotkey.isalnum()):
            raise CodebookError(
                f"hotkey {hotkey!r} is not a single letter or digit", file=self._ctx.label
            )
        for key in ("keywords", "examples"):
            if key in out:
                out[key] = tuple(str(v).strip() for v in out[key] if str(v).strip())
        return out

    def rename_code(self, ref: str | int, new_name: str) -> Code:
        return self.update_code(ref, name=new_name)

    def move_code(self, ref: str | int, parent: str | int | None) -> Code:
        """Move a code (with its children) under ``parent``, or to the top level if None."""
        code = self._ctx.code(ref)
        parent_id = self._ctx.code(parent).id if parent is not None else None
        self._ctx.store.move_code(code.id, parent_id)
        return self._ctx.codebook().get(code.id)

    def merge_codes(self, source: str | int, target: str | int) -> int:
        """Merge code ``source`` into ``target``, keeping every coding; returns codings moved."""
        a, b = self._ctx.code(source), self._ctx.code(target)
        return self._ctx.store.merge_codes(a.id, b.id)

    def delete_code(self, ref: str | int, *, with_codings: bool = False) -> int:
        """Delete a code and its children; refused if they have codings unless asked."""
        code = self._ctx.code(ref)
        return self._ctx.store.delete_code(code.id, with_codings=with_codings)

    def import_codebook(self, path: str | Path) -> ImportReport:
        """Add a codebook file's codes (matched by path); existing codes get its fields."""
        from qualcode.codebook import load_codebook

        notes: list[str] = []
        book = load_codebook(Path(path), notes=notes)
        report = self.merge_codebook(book)
        report.notes.extend(notes)
        return report

    def merge_codebook(self, book: Codebook) -> ImportReport:
        report = ImportReport()
        with self._ctx.store.atomic() as store:
            if book.name and not self._ctx.settings().codebook_name:
                store.set_setting(SettingKey.CODEBOOK_NAME, book.name)
            for code in book:  # parents come before children
                path = book.path(code)
                code_id, made = self._ctx.ensure_code(path)
                fields = {k: getattr(code, k) for k in CODE_FIELDS if getattr(code, k)}
                if fields:
                    store.update_code(code_id, **fields)
                if made:
                    report.codes_created.extend(made.paths)
                else:
                    report.codes_updated.append(path)
        return report

    def export_codebook(self, path: str | Path) -> Path:
        from qualcode.codebook import save_codebook

        path = check_output(path, CodebookError)
        save_codebook(self._ctx.codebook(), path)
        return path

    def code_counts(self) -> dict[int, int]:
        return self._ctx.store.code_counts()

    def code_usage(self) -> list[CodeUsage]:
        """Every code in codebook order with its codings, sources and coders."""
        book = self._ctx.codebook()
        usage = self._ctx.store.code_usage()
        return [
            CodeUsage(c, book.path(c), book.depth(c), *usage.get(c.id, (0, 0, 0))) for c in book
        ]
