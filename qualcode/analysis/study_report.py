"""The study report's content: what a co-author reads, as plain data for the file writers.

:func:`build_study` takes the facade's own tables (the frames ``report frequencies``,
``quotes``, ``cooccurrence`` and ``matrix`` print, and the agreement report) and turns them
into :class:`StudyReport`: sections of headings, sentences and tables whose cells are the
strings shown. The figures are not computed again here, only laid out, so every figure in
the report is the command line's; the HTML, Word and PDF writers
(:mod:`qualcode.analysis.study_html`, :mod:`qualcode.analysis.study_docx`) only typeset it.

The charts (:mod:`qualcode.analysis.study_charts`) are SVG text for a web page or PNG bytes
for Word.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

# pandas at module level: the facade imports this module inside its methods only,
# so `qualcode --help` never loads it.
import pandas as pd

from qualcode.analysis.agreement import AgreementReport
from qualcode.analysis.study_charts import Chart, bar_chart, heat_map
from qualcode.analysis.study_coreq import coreq_items, derivation, plural
from qualcode.model import Codebook, SourceSummary, split_path

QUOTES_PER_CODE = 3
TOP_PAIRS = 15  # co-occurring pairs listed under the heat map
KIND_NAMES = {
    "interview": ("interview", "interviews"),
    "expert_panel": ("expert panel", "expert panels"),
    "focus_group": ("focus group", "focus groups"),
    "document": ("document", "documents"),
    "response": ("survey answer", "survey answers"),
}


@dataclass(frozen=True, slots=True)
class Table:
    """A table as shown: header and rows of strings; ``indent`` gives, per row, how deep
    its first cell (a code) sits in the codebook tree."""

    columns: list[str]
    rows: list[list[str]]
    indent: list[int] = field(default_factory=list)
    numeric: list[bool] = field(default_factory=list)  # per column: right-aligned

    @property
    def parents(self) -> list[bool]:
        """Per row, whether its code has children among the rows below it (set in bold)."""
        depth = self.indent
        return [i + 1 < len(depth) and depth[i + 1] > d for i, d in enumerate(depth)]


@dataclass(frozen=True, slots=True)
class CodeEntry:
    """One code of the codebook, with its place in the tree."""

    depth: int
    name: str
    path: str
    definition: str
    inclusion: str
    exclusion: str


@dataclass(frozen=True, slots=True)
class Quote:
    text: str
    speaker: str  # the participant ("" where the source has no speaker turns)
    place: str  # source, speaker, offsets: the quote's reference
    coder: str


@dataclass(frozen=True, slots=True)
class StudyInputs:
    """What the facade computed for the report, each table exactly as the CLI has it."""

    title: str
    codebook_name: str
    language: str
    sources: Sequence[SourceSummary]
    codebook: Codebook
    frequencies: pd.DataFrame  # Project.frequencies()
    by_kind: pd.DataFrame  # Project.frequencies(by="kind", zeros=True)
    quotes: pd.DataFrame  # Project.quotes()
    cooccurrence: pd.DataFrame  # Project.cooccurrence()
    grid: pd.DataFrame  # Project.matrix(by="source")
    coders: Sequence[str]  # the human coders of the project
    agreement: AgreementReport | None  # Project.agreement(coders) with two or more of them
    agreement_note: str  # why there is none, or ""
    coder_filter: Sequence[str] | None  # the ``coder`` filter the tables were asked with
    software: str
    date: str


@dataclass(frozen=True, slots=True)
class StudyReport:
    title: str
    subtitle: str
    language: str
    counted: str
    software: str
    date: str
    overview: str
    sources_by_kind: Table
    sources: Table
    codebook: list[CodeEntry]
    frequencies: Table
    frequency_chart: Chart | None
    quotes: list[tuple[str, list[Quote]]]  # code path, its quotes
    cooccurrence: Table
    heat_map: Chart | None
    agreement: Table | None
    agreement_text: str
    grid: Table
    coreq: Table


def build_study(given: StudyInputs, *, chart_format: str = "svg") -> StudyReport:
    """The report's content from the facade's tables; charts as ``svg`` or ``png``."""
    subtitle = given.codebook_name if given.codebook_name != given.title else ""
    freq = given.frequencies
    return StudyReport(
        title=given.title,
        subtitle=f"Codebook: {subtitle}" if subtitle else "",
        language=given.language,
        counted=counted_line(freq, given.quotes, given.coder_filter),
        software=given.software,
        date=given.date,
        overview=_overview(given),
        sources_by_kind=_sources_by_kind(given.sources),
        sources=_source_list(given.sources),
        codebook=_codebook(given.codebook),
        frequencies=_frequencies(freq, given.by_kind, given.codebook),
        frequency_chart=bar_chart(freq, chart_format),
        quotes=_quotes(given.quotes),
        cooccurrence=_pairs(given.cooccurrence),
        heat_map=heat_map(given.cooccurrence, chart_format),
        agreement=_agreement(given.agreement),
        agreement_text=_agreement_text(given),
        grid=_grid(given.grid, given.codebook),
        coreq=Table(
            ["item", "COREQ", "answer"],
            coreq_items(
                coders=given.coders,
                codebook=given.codebook,
                sample=_sample(given.sources),
                agreement=_agreement_text(given),
                derived=derivation(given.codebook),
                software=given.software,
            ),
        ),
    )


def counted_line(
    freq: pd.DataFrame, quotes: pd.DataFrame, coder_filter: Sequence[str] | None
) -> str:
    """Whose codings the figures count: the tables' own line where they carry one
    (``attrs["counted"]``), else said from the coders whose codings are in them."""
    given = freq.attrs.get("counted")
    if given is not None:
        return str(getattr(given, "text", given))
    names = sorted(set(coder_filter or quotes["coder"].dropna().astype(str)))
    if not names:
        return "Counts no codings: nothing is coded yet."
    if len(names) == 1:
        return f"Counts the codings of {names[0]}."
    return (
        f"Pools the codings of {', '.join(names)}: a passage two coders coded is one "
        "passage and two codings."
    )


def kind_label(kind: str, n: int) -> str:
    """``9 interviews``, ``1 expert panel``."""
    one, many = KIND_NAMES.get(kind, (kind.replace("_", " "), kind.replace("_", " ")))
    return f"{n} {one if n == 1 else many}"


def _kind_counts(sources: Sequence[SourceSummary]) -> dict[str, int]:
    out: dict[str, int] = {}
    for s in sources:
        out[s.kind] = out.get(s.kind, 0) + 1
    return out


def _sample(sources: Sequence[SourceSummary]) -> str:
    """``11 sources (9 interviews, 2 expert panels)``."""
    kinds = ", ".join(kind_label(k, n) for k, n in _kind_counts(sources).items())
    return f"{plural(len(sources), 'source')} ({kinds or 'none'})"


def _overview(given: StudyInputs) -> str:
    src = given.sources
    words = sum(s.words for s in src)
    speakers = sum(len(s.speakers) for s in src)
    codings = sum(s.codings for s in src)
    return (
        f"{_sample(src)}, {plural(words, 'word')}, {plural(speakers, 'speaker')} "
        f"(counted per source, interviewers included); {plural(len(given.codebook), 'code')}; "
        f"{plural(codings, 'coding')} by {plural(len(given.coders), 'coder')}."
    )


def _sources_by_kind(sources: Sequence[SourceSummary]) -> Table:
    groups: dict[tuple[str, str], list[SourceSummary]] = {}
    for s in sources:
        groups.setdefault((s.kind, s.language), []).append(s)
    rows = [
        [
            kind,
            lang,
            str(len(g)),
            f"{sum(s.words for s in g):,}",
            str(sum(s.turns for s in g)),
            str(sum(len(s.speakers) for s in g)),
        ]
        for (kind, lang), g in groups.items()
    ]
    columns = ["kind", "language", "sources", "words", "turns", "speakers"]
    return Table(columns, rows, numeric=[False, False, True, True, True, True])


def _source_list(sources: Sequence[SourceSummary]) -> Table:
    rows = [
        [
            s.name,
            s.kind,
            s.language,
            "; ".join(s.speakers),
            f"{s.words:,}",
            str(s.codings),
            f"{100 * s.coded_share:.1f}%",
            ", ".join(s.coders),
        ]
        for s in sources
    ]
    columns = ["source", "kind", "language", "speakers", "words", "codings", "coded", "coders"]
    return Table(columns, rows, numeric=[False] * 4 + [True] * 3 + [False])


def _codebook(book: Codebook) -> list[CodeEntry]:
    return [
        CodeEntry(book.depth(c), c.name, book.path(c), c.definition, c.inclusion, c.exclusion)
        for c in book
    ]


def _own_name(path: str) -> str:
    return split_path(path)[-1]


def _frequencies(freq: pd.DataFrame, by_kind: pd.DataFrame, book: Codebook) -> Table:
    """Per code: codings, passages, its sources overall and per source kind, each the
    ``sources_text`` of the CLI ("9 of 11 (82%)")."""
    kinds = list(dict.fromkeys(by_kind["kind"].astype(str))) if len(by_kind) else []
    cells = {
        (int(r.code_id), str(r.kind)): str(r.sources_text) for r in by_kind.itertuples(index=False)
    }
    groups = {k: int(by_kind.loc[by_kind["kind"] == k, "of_sources"].iloc[0]) for k in kinds}
    rows, indent = [], []
    for r in freq.itertuples(index=False):
        code_id = int(r.code_id)
        rows.append(
            [_own_name(str(r.code)), str(r.codings), str(r.passages), str(r.sources_text)]
            + [cells.get((code_id, k), "") for k in kinds]
        )
        indent.append(int(r.depth))
    columns = ["code", "codings", "passages", "sources"]
    columns += [kind_label(k, groups[k]) for k in kinds]
    return Table(columns, rows, indent, [False, True, True] + [True] * (1 + len(kinds)))


def _quotes(quotes: pd.DataFrame) -> list[tuple[str, list[Quote]]]:
    """Up to :data:`QUOTES_PER_CODE` passages per code, in codebook order, from as many
    sources as there are; a passage two coders coded is quoted once."""
    out: list[tuple[str, list[Quote]]] = []
    for code, rows in quotes.groupby("code", sort=False):
        seen: set[tuple[str, int, int]] = set()
        unique = []
        for r in rows.itertuples(index=False):
            key = (str(r.source), int(r.start), int(r.end))
            if key not in seen and str(r.text).strip():
                seen.add(key)
                unique.append(r)
        picked: list[int] = []
        sources: set[str] = set()
        for i, r in enumerate(unique):  # one per source first
            if str(r.source) not in sources and len(picked) < QUOTES_PER_CODE:
                sources.add(str(r.source))
                picked.append(i)
        rest = [i for i in range(len(unique)) if i not in picked]
        picked += rest[: QUOTES_PER_CODE - len(picked)]
        chosen = [unique[i] for i in sorted(picked)]
        out.append(
            (
                str(code),
                [
                    Quote(str(r.text), _text(r.speaker), str(r.reference), str(r.coder))
                    for r in chosen
                ],
            )
        )
    return out


def _text(value: object) -> str:
    return "" if value is None or (isinstance(value, float) and value != value) else str(value)


def _pairs(pairs: pd.DataFrame) -> Table:
    top = pairs.sort_values(["count", "jaccard"], ascending=False, kind="stable").head(TOP_PAIRS)
    rows = [
        [str(r.code_a), str(r.code_b), str(r.count), f"{float(r.jaccard):.2f}"]
        for r in top.itertuples(index=False)
    ]
    return Table(
        ["code", "with code", "passages", "Jaccard"], rows, numeric=[False, False, True, True]
    )


def _grid(grid: pd.DataFrame, book: Codebook) -> Table:
    """Codes down, sources across: coded passages per cell, as ``report matrix``."""
    sources = [c for c in grid.columns if c not in ("code_id", "code")]
    depth = {book.path(c): book.depth(c) for c in book}
    rows = [[_own_name(str(r["code"])), *(str(r[s]) for s in sources)] for _, r in grid.iterrows()]
    indent = [depth.get(str(c), 0) for c in grid["code"]]
    return Table(["code", *map(str, sources)], rows, indent, [False] + [True] * len(sources))


def _statistic(x: object, percent: bool = False) -> str:
    """A statistic of :meth:`AgreementReport.rows` (rounded there) as ``qualcode
    agreement`` prints it: kappa and alpha as they are, the share as a percentage to one
    decimal."""
    if not isinstance(x, int | float):
        return "n/a"
    return f"{round(100 * x, 1):g}%" if percent else f"{x:g}"


def _agreement(report: AgreementReport | None) -> Table | None:
    if report is None:
        return None
    rows = [
        [
            str(r["code"]),
            str(r["units"]),
            _statistic(r["percent"], True),
            _statistic(r["kappa"]),
            _statistic(r["alpha"]),
        ]
        for r in report.rows()
    ]
    columns = ["code", f"{report.unit}s", "agreement", "Cohen's kappa", "Krippendorff's alpha"]
    return Table(columns, rows, numeric=[False, True, True, True, True])


def _agreement_text(given: StudyInputs) -> str:
    report = given.agreement
    if report is None:
        return given.agreement_note
    o = report.rows()[-1]  # overall
    return (
        f"Coders {', '.join(report.coders)} compared on {report.unit}s of the "
        f"{plural(len(report.sources), 'source')} all of them coded: overall agreement "
        f"{_statistic(o['percent'], True)}, Cohen's kappa {_statistic(o['kappa'])}, "
        f"Krippendorff's alpha {_statistic(o['alpha'])} ({o['units']} {report.unit}-code "
        "decisions)."
    )
