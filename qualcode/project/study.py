"""The study report: one file a co-author can open, made of the tables the CLI prints.

:func:`study_inputs` asks the facade for each table exactly as ``report frequencies``,
``report quotes``, ``report cooccurrence``, ``report matrix`` and ``agreement`` compute it,
with the same filters (``coder``, ``code``, ``sources``, ``where``), so every figure in the
report is theirs; :mod:`qualcode.analysis.study_report` lays them out and the writers of
``analysis`` typeset them: a web page (.html), a Word document (.docx), or, with the
optional WeasyPrint installed, a PDF of the page.

Agreement is computed between the human coders of the project (not the agreed coder of
reconcile, nor the suggester's), on sentences as ``qualcode agreement`` does by default.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from qualcode.errors import ProjectError, QualcodeError
from qualcode.outputs import check_output, writing
from qualcode.project.reconciling import AGREED
from qualcode.project.review import SUGGESTED

if TYPE_CHECKING:
    import pandas as pd

    from qualcode.analysis.data import StudyData
    from qualcode.analysis.study_report import StudyInputs
    from qualcode.project.agreement import Agreement
    from qualcode.project.base import ProjectContext


class Reports(Protocol):
    """The tables the report is made of, as :class:`qualcode.project.analysis.Reports`
    computes them (which calls this module, so it is named by what it offers)."""

    def agreed_coder(self) -> str | None: ...
    def coded_by(self) -> list[str]: ...
    def study_data(self, *args: Any, **kwargs: Any) -> StudyData: ...
    def frequencies(self, *args: Any, **kwargs: Any) -> pd.DataFrame: ...
    def quotes(self, *args: Any, **kwargs: Any) -> pd.DataFrame: ...
    def cooccurrence(self, *args: Any, **kwargs: Any) -> pd.DataFrame: ...
    def matrix(self, *args: Any, **kwargs: Any) -> pd.DataFrame: ...


STUDY_SUFFIXES = (".html", ".docx", ".pdf")
AGREEMENT_UNIT = "sentence"


def study_target(path: str | Path) -> Path:
    """``path`` if a study report can be written to it (.html, .docx, or .pdf where
    WeasyPrint is installed, into a folder that exists), else a one-line ProjectError that
    says what to do: for a front end to check before any work."""
    from qualcode.analysis.study_html import PDF_EXTRA, pdf_available

    target = Path(path)
    suffix = target.suffix.lower()
    if suffix not in STUDY_SUFFIXES:
        raise ProjectError(
            f"a study report is written as .html, .docx or .pdf, not {target.name!r}"
        )
    if suffix == ".pdf" and not pdf_available():
        raise ProjectError(
            f"a PDF needs WeasyPrint, which is not installed: {PDF_EXTRA} (or write .html or .docx)"
        )
    return check_output(target)


def human_coders(reports: Reports) -> list[str]:
    """The coders who coded something, without the agreed coder and the suggester."""
    machine = {AGREED, SUGGESTED, reports.agreed_coder()}
    return [c for c in reports.coded_by() if c not in machine]


def study_inputs(
    ctx: ProjectContext, reports: Reports, agreement: Agreement, **filters: Any
) -> StudyInputs:
    """Every table of the report, computed by the facade as the CLI computes it."""
    from qualcode.analysis.presentation import software
    from qualcode.analysis.study_report import StudyInputs

    freq = reports.frequencies(**filters)
    by_kind = reports.frequencies(by="kind", zeros=True, **filters)
    wanted = set(reports.study_data(**filters).sources["source_id"].tolist())
    coders = human_coders(reports)
    agreed, note = None, ""
    if len(coders) < 2:
        who = f"one coder ({coders[0]})" if coders else "no coder yet"
        note = f"The project has {who}: there is no agreement between coders to report."
    else:
        try:
            agreed = agreement.agreement(coders, unit=AGREEMENT_UNIT)
        except QualcodeError as exc:
            note = f"Agreement between {', '.join(coders)} could not be computed: {exc.message}"
        if agreed is not None and not agreed.sources:
            agreed = None
            note = f"No source was coded by all of {', '.join(coders)}: no agreement to report."
    settings = ctx.settings()
    book = ctx.codebook()
    title = settings.name or book.name or (ctx.path.stem if ctx.path else "")
    return StudyInputs(
        title=title or "Study",
        codebook_name=settings.codebook_name or book.name or title,
        language=ctx.language,
        sources=[s for s in ctx.store.source_summaries() if s.id in wanted],
        codebook=book,
        frequencies=freq,
        by_kind=by_kind[by_kind["code_id"].isin(freq["code_id"])].reset_index(drop=True),
        quotes=reports.quotes(**filters),
        cooccurrence=reports.cooccurrence(**filters),
        grid=reports.matrix(by="source", **filters),
        coders=coders,
        agreement=agreed,
        agreement_note=note,
        coder_filter=_names(filters.get("coder")),
        software=software(),
        date=dt.date.today().isoformat(),
    )


def _names(value: Any) -> list[str] | None:
    if value is None:
        return None
    return [str(value)] if isinstance(value, str | int) else [str(v) for v in value]


def write_study_report(
    ctx: ProjectContext, reports: Reports, agreement: Agreement, path: str | Path, **filters: Any
) -> Path:
    """Write the study report to ``path`` (.html, .docx, .pdf); returns the file."""
    from qualcode.analysis.study_docx import write_docx
    from qualcode.analysis.study_html import write_html, write_pdf
    from qualcode.analysis.study_report import build_study

    target = study_target(path)  # refused before the tables are made
    given = study_inputs(ctx, reports, agreement, **filters)
    suffix = target.suffix.lower()
    report = build_study(given, chart_format="png" if suffix == ".docx" else "svg")
    with writing(target):
        if suffix == ".docx":
            return write_docx(report, target)
        if suffix == ".pdf":
            return write_pdf(report, target)
        return write_html(report, target)
