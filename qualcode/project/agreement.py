"""Agreement between coders: the comparison that agreement, disagreements and reconcile read.

Statistics live in :mod:`qualcode.analysis.agreement`; this resolves coders and codes, reads
the codings (and the suggester as a pseudo-coder, ``suggested``) and feeds it plain data.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from qualcode.errors import ProjectError
from qualcode.project.review import SUGGESTED

if TYPE_CHECKING:
    from qualcode.analysis.agreement import AgreementReport, Disagreement
    from qualcode.project.base import ProjectContext
    from qualcode.project.review import Suggestions


class Agreement:
    """Agreement between coders and the passages where they differ."""

    def __init__(self, ctx: ProjectContext, suggestions: Suggestions) -> None:
        self._ctx = ctx
        self._suggestions = suggestions

    # -- agreement -----------------------------------------------------------------------

    def compare_coders(
        self, coders: list[str], *, unit: str = "sentence", code: str | int | None = None
    ) -> tuple[AgreementReport, list[Disagreement]]:
        """The agreement report and the disagreements of one comparison: what a screen
        showing both needs, at the cost of one."""
        from qualcode.analysis.agreement import compare

        return compare(**self.comparison(coders, unit=unit, code=code))

    def comparison(
        self, coders: list[str], *, unit: str, code: str | int | None = None
    ) -> dict[str, Any]:
        """The arguments of :func:`qualcode.analysis.agreement.compare` for ``coders``."""
        from qualcode.analysis.agreement import UNITS, CodingSpan

        if len(coders) < 2 or len(set(coders)) != len(coders):
            raise ProjectError("compare two or more different coders", file=self._ctx.label)
        # "suggested" is the suggester, unless a person of that name has coded.
        known = set(self._ctx.coders())
        machine = SUGGESTED in coders and SUGGESTED not in known
        known.add(SUGGESTED)
        for c in coders:
            if c not in known:
                raise ProjectError(f"no coder {c!r} in the project", file=self._ctx.label)
        if unit not in UNITS:
            raise ProjectError(f"unit must be one of {', '.join(UNITS)}, not {unit!r}")
        only = self._ctx.code(code).id if code is not None else None
        book = self._ctx.codebook()
        rows = [r for r in self._ctx.store.list_codings() if r.coder in coders]
        ids = sorted({r.source_id for r in rows})
        spans = [CodingSpan(r.source_id, r.code_id, r.coder, r.start, r.end) for r in rows]
        if machine:
            found = self._suggestions.suggested_codings(ids)
            spans.extend(CodingSpan(i, c, SUGGESTED, a, b) for i, c, a, b in found)
        sources = {s.id: s for s in self._ctx.store.list_sources() if s.id in set(ids)}
        turns = {i: [(t.start, t.end) for t in self._ctx.store.turns(i)] for i in ids}
        return {
            "coders": coders,
            "unit": unit,
            "texts": {i: s.text for i, s in sources.items()},
            "names": {i: s.name for i, s in sources.items()},
            "turns": turns,
            "codings": spans,
            "code_paths": {c.id: book.path(c) for c in book},
            "only_code": only,
        }

    def agreement(
        self, coders: list[str], *, unit: str = "sentence", code: str | int | None = None
    ) -> AgreementReport:
        """Percentage agreement, Cohen's kappa (two coders) and Krippendorff's alpha per code
        and overall, on the sources every one of ``coders`` coded."""
        return self.compare_coders(coders, unit=unit, code=code)[0]

    def disagreements(
        self, coders: list[str], *, unit: str = "sentence", code: str | int | None = None
    ) -> list[Disagreement]:
        """Passages where the coders differ on a code, each with a stable id."""
        return self.compare_coders(coders, unit=unit, code=code)[1]
