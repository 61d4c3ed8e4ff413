"""Inter-coder agreement: percentage agreement, Cohen's kappa and Krippendorff's alpha.

Coders are compared on the sources every one of them coded. The text is cut into units (a
sentence, a speaker turn, or each character); for each code, each coder's value on a unit is
1 if one of their codings of that code overlaps the unit, else 0. Per code, the statistics
are computed on those binary values; *overall* pools every (unit, code) decision of all codes
any of the coders used. Character units are counted with interval arithmetic, never one by
one: a value pattern (who coded, who did not) is kept with the number of units showing it.

Krippendorff's alpha is the nominal alpha from the coincidence matrix (Krippendorff 2011,
"Computing Krippendorff's Alpha-Reliability"), for any number of coders and missing values;
the tests check it against the paper's worked example and the ``krippendorff`` package.
Plain data in, plain data out: the project facade feeds this module.
"""

from __future__ import annotations

import csv
import itertools
import json
from collections import Counter
from collections.abc import Hashable, Iterable, Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

from qualcode.analysis.counted import and_list
from qualcode.analysis.reconciling import alike
from qualcode.analysis.reconciling import merged as merged_spans
from qualcode.analysis.units import overlapped, text_units

UNITS = ("sentence", "turn", "character")
Span = tuple[int, int]
Pattern = tuple[int, ...]
# Counted patterns, as the statistics take them (values of any kind, None for missing).
Patterns = Counter[tuple[Hashable | None, ...]]
# A unit (or a run of characters), the coders' values on it, and how many units it counts for.
Cell = tuple[Span, Pattern, int]

# -- statistics on value patterns -------------------------------------------------------------


def percent_agreement(patterns: Mapping[tuple[Hashable | None, ...], float]) -> float | None:
    """Share of units on which every coder who gave a value gave the same one."""
    total: float = 0.0
    agree: float = 0.0
    for values, w in patterns.items():
        given = [v for v in values if v is not None]
        if len(given) < 2:
            continue
        total += w
        if len(set(given)) == 1:
            agree += w
    return agree / total if total else None


def cohen_kappa(patterns: Mapping[tuple[Hashable | None, ...], float]) -> float | None:
    """Cohen's kappa of two coders; None when chance agreement is total (one category)."""
    pairs = {k: w for k, w in patterns.items() if k[0] is not None and k[1] is not None}
    n = sum(pairs.values())
    if not n:
        return None
    po = sum(w for (a, b), w in pairs.items() if a == b) / n
    first: dict[Hashable, float] = {}
    second: dict[Hashable, float] = {}
    for (a, b), w in pairs.items():
        first[a] = first.get(a, 0.0) + w
        second[b] = second.get(b, 0.0) + w
    pe = sum(first[c] * second.get(c, 0.0) for c in first) / (n * n)
    if pe >= 1:
        return None
    return (po - pe) / (1 - pe)


def krippendorff_alpha(patterns: Mapping[tuple[Hashable | None, ...], float]) -> float | None:
    """Nominal Krippendorff's alpha; ``None`` values are missing. None when undefined (fewer
    than two pairable values, or a single category used throughout)."""
    o: dict[tuple[Hashable, Hashable], float] = {}
    for values, w in patterns.items():
        given = [v for v in values if v is not None]
        m = len(given)
        if m < 2:
            continue
        for i, a in enumerate(given):
            for j, b in enumerate(given):
                if i != j:
                    o[(a, b)] = o.get((a, b), 0.0) + w / (m - 1)
    n_c: dict[Hashable, float] = {}
    for (a, _), w in o.items():
        n_c[a] = n_c.get(a, 0.0) + w
    n = sum(n_c.values())
    if n <= 1:
        return None
    observed = sum(w for (a, b), w in o.items() if a != b)
    expected = sum(n_c[a] * n_c[b] for a in n_c for b in n_c if a != b)
    if expected == 0:
        return None
    return 1 - (n - 1) * observed / expected


def patterns_of(rows: Iterable[Sequence[Hashable | None]]) -> Patterns:
    """Units (one value per coder, None for missing) as counted patterns."""
    return Counter(tuple(r) for r in rows)


# -- the comparison: units -> patterns -> statistics -----------------------------------------


@dataclass(frozen=True, slots=True)
class CodingSpan:
    source_id: int
    code_id: int
    coder: str
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class CodeAgreement:
    """Agreement on one code (or ``overall``, whose ``code_id`` is None): its path, units
    compared and the three statistics."""

    code: str
    code_id: int | None
    units: int
    coded: dict[str, int]  # units each coder coded
    percent: float | None
    kappa: float | None
    alpha: float | None


@dataclass(frozen=True, slots=True)
class AgreementReport:
    coders: tuple[str, ...]
    unit: str
    sources: tuple[str, ...]
    codes: tuple[CodeAgreement, ...]
    overall: CodeAgreement

    @property
    def about(self) -> str:
        """One line: whose agreement, on what, in which unit (every code is compared on
        the same units)."""
        units = self.codes[0].units if self.codes else 0
        return (
            f"Agreement of {and_list(self.coders)} on {len(self.sources)} source(s), "
            f"unit: {self.unit} ({units:,} units, {len(self.codes)} code(s))"
        )

    def header(self) -> dict[str, object]:
        """What the rows are of, for a JSON object beside them or CSV columns."""
        units = self.codes[0].units if self.codes else 0
        return {
            "about": self.about,
            "coders": list(self.coders),
            "unit": self.unit,
            "units": units,
            "sources": list(self.sources),
        }

    def rows(self) -> list[dict[str, object]]:
        """One row per code, then ``overall``: for tables and CSV/JSON files."""
        out = []
        for c in (*self.codes, self.overall):
            row: dict[str, object] = {"code": c.code, "units": c.units}
            row.update({f"coded_by_{k}": v for k, v in c.coded.items()})
            row.update(percent=_round(c.percent), kappa=_round(c.kappa), alpha=_round(c.alpha))
            out.append(row)
        return out


@dataclass(frozen=True, slots=True)
class Disagreement:
    """A passage one coder coded with a code and another did not.

    ``id`` (``source:code:start-end``) is stable: pass it to ``Project.reconcile``.
    """

    id: str
    source_id: int
    source: str
    code_id: int
    code: str
    start: int
    end: int
    text: str
    coded_by: tuple[str, ...]
    not_coded_by: tuple[str, ...]

    def row(self) -> dict[str, object]:
        d = asdict(self)
        d["coded_by"] = "; ".join(self.coded_by)
        d["not_coded_by"] = "; ".join(self.not_coded_by)
        return d


def _round(x: float | None) -> float | None:
    return None if x is None else round(x, 4)


def compare(
    *,
    coders: Sequence[str],
    unit: str,
    texts: Mapping[int, str],
    names: Mapping[int, str],
    turns: Mapping[int, list[Span]],
    codings: Iterable[CodingSpan],
    code_paths: Mapping[int, str],
    only_code: int | None = None,
) -> tuple[AgreementReport, list[Disagreement]]:
    """Agreement per code and overall, and the list of disagreements.

    The sources are cut into units (:mod:`qualcode.analysis.units`), each unit gets the
    coders' values for a code (:func:`unit_cells`, :func:`character_cells`), and the
    statistics are computed on the counted patterns (:func:`tally`).

    Args:
        coders: two or more coder names.
        unit: ``sentence``, ``turn`` or ``character``.
        texts: source id -> text; names: source id -> name.
        turns: source id -> speaker-turn spans (turn units; sentences are cut within turns).
        codings: every coding of those coders on those sources.
        code_paths: code id -> path.
        only_code: restrict to one code.
    """
    if unit not in UNITS:
        raise ValueError(f"unit must be one of {', '.join(UNITS)}, not {unit!r}")
    spans = coded_spans(coders, texts, codings)
    shared = shared_sources(spans, len(coders))
    per_code: list[CodeAgreement] = []
    pooled: Patterns = Counter()
    disagreements: list[Disagreement] = []
    by_path = sorted(
        _cells_by_code(coders, unit, texts, turns, spans, only_code),
        key=lambda x: code_paths.get(x[0], ""),
    )
    for code_id, cells in by_path:
        path = code_paths.get(code_id, str(code_id))
        counts, coded = tally(cells.values(), coders)
        pooled.update(counts)
        per_code.append(_stats(path, code_id, counts, coded, coders))
        for s, found in cells.items():
            disagreements.extend(
                _disagreements(found, coders, s, names[s], texts[s], code_id, path)
            )
    overall_coded = {c: sum(x.coded[c] for x in per_code) for c in coders}
    report = AgreementReport(
        coders=tuple(coders),
        unit=unit,
        sources=tuple(names[s] for s in shared),
        codes=tuple(per_code),
        overall=_stats("overall", None, pooled, overall_coded, coders),
    )
    disagreements.sort(key=lambda d: (d.source, d.start, d.code))
    return report, disagreements


def _cells_by_code(
    coders: Sequence[str],
    unit: str,
    texts: Mapping[int, str],
    turns: Mapping[int, list[Span]],
    spans: Mapping[tuple[int, int], list[list[Span]]],
    only_code: int | None,
) -> Iterator[tuple[int, dict[int, list[Cell]]]]:
    """Per code, each shared source's cells (units with the coders' values)."""
    shared = shared_sources(spans, len(coders))
    compared = set(shared)
    code_ids = {k for s, k in spans if s in compared} if only_code is None else {only_code}
    # Sentence and turn units are cut once per source; characters are counted in runs.
    units_of = (
        {}
        if unit == "character"
        else {s: text_units(texts[s], turns.get(s, []), unit) for s in shared}
    )
    nobody: list[list[Span]] = [[] for _ in coders]
    for code_id in code_ids:
        yield (
            code_id,
            {
                s: (
                    character_cells(len(texts[s]), spans.get((s, code_id), nobody))
                    if unit == "character"
                    else unit_cells(units_of[s], spans.get((s, code_id), nobody))
                )
                for s in shared
            },
        )


@dataclass(frozen=True, slots=True)
class Alike:
    """A unit every compared coder coded with a code, and what they coded there alike (see
    :func:`qualcode.analysis.reconciling.alike`); ``weight`` is 1, or its length for the
    character unit."""

    source_id: int
    code_id: int
    start: int
    end: int
    spans: tuple[Span, ...]
    weight: int


def coded_alike(
    *,
    coders: Sequence[str],
    unit: str,
    texts: Mapping[int, str],
    turns: Mapping[int, list[Span]],
    codings: Iterable[CodingSpan],
    only_code: int | None = None,
) -> list[Alike]:
    """The units every one of ``coders`` coded with a code, on the sources they all coded
    (the arguments are :func:`compare`'s): what the agreed coding holds before any
    disagreement is settled."""
    spans = coded_spans(coders, texts, codings)
    out: list[Alike] = []
    for code_id, cells in _cells_by_code(coders, unit, texts, turns, spans, only_code):
        for s, found in cells.items():
            per_coder = spans.get((s, code_id), [])
            out.extend(
                Alike(s, code_id, a, b, tuple(alike(per_coder, a, b)), weight)
                for (a, b), pattern, weight in found
                if all(pattern)
            )
    out.sort(key=lambda x: (x.source_id, x.code_id, x.start))
    return out


def coded_spans(
    coders: Sequence[str], texts: Mapping[int, str], codings: Iterable[CodingSpan]
) -> dict[tuple[int, int], list[list[Span]]]:
    """Per (source, code), each coder's coded spans (in ``coders`` order); codings of other
    coders, or in sources not in ``texts``, are left out."""
    index = {c: i for i, c in enumerate(coders)}
    spans: dict[tuple[int, int], list[list[Span]]] = {}
    for c in codings:
        if c.coder in index and c.source_id in texts:
            per = spans.setdefault((c.source_id, c.code_id), [[] for _ in coders])
            per[index[c.coder]].append((c.start, c.end))
    return spans


def shared_sources(spans: Mapping[tuple[int, int], list[list[Span]]], n_coders: int) -> list[int]:
    """The sources every one of the coders coded (with any code), by id."""
    who: dict[int, set[int]] = {}
    for (source_id, _), per in spans.items():
        who.setdefault(source_id, set()).update(k for k, found in enumerate(per) if found)
    return sorted(s for s, coders in who.items() if len(coders) == n_coders)


def unit_cells(units: Sequence[Span], per_coder: Sequence[list[Span]]) -> list[Cell]:
    """Each unit with the coders' values (1 = one of their codings overlaps it), weight 1."""
    marks = [[0] * len(units) for _ in per_coder]
    for k, spans in enumerate(per_coder):
        for touched in overlapped(units, spans):
            for i in touched:
                marks[k][i] = 1
    return [(u, tuple(m[i] for m in marks), 1) for i, u in enumerate(units)]


def character_cells(length: int, per_coder: Sequence[list[Span]]) -> list[Cell]:
    """Maximal runs of characters with the same values, weighted by their length; the uncoded
    rest is one cell of zeros with span (0, 0) standing for 'elsewhere'."""
    merged = [merged_spans(s) for s in per_coder]
    points = sorted({0, length} | {p for spans in merged for s in spans for p in s})
    out: list[Cell] = []
    covered = 0
    zero = tuple(0 for _ in per_coder)
    at = [0] * len(merged)  # per coder, the first span not yet behind the sweep
    for a, b in itertools.pairwise(points):
        if b <= a:
            continue
        values = []
        for k, spans in enumerate(merged):
            while at[k] < len(spans) and spans[at[k]][1] <= a:
                at[k] += 1
            values.append(int(at[k] < len(spans) and spans[at[k]][0] <= a))
        pattern = tuple(values)
        if pattern != zero:
            if out and out[-1][1] == pattern and out[-1][0][1] == a:
                out[-1] = ((out[-1][0][0], b), pattern, b - out[-1][0][0])
            else:
                out.append(((a, b), pattern, b - a))
            covered += b - a
    if length > covered:
        out.append(((0, 0), zero, length - covered))
    return out


def tally(
    cells: Iterable[Sequence[Cell]], coders: Sequence[str]
) -> tuple[Patterns, dict[str, int]]:
    """The weighted count of each pattern, and the units each coder coded."""
    counts: Patterns = Counter()
    coded = dict.fromkeys(coders, 0)
    for found in cells:
        for _, pattern, weight in found:
            counts[pattern] += weight
            for coder, v in zip(coders, pattern, strict=True):
                coded[coder] += v * weight
    return counts, coded


def _disagreements(
    cells: Sequence[Cell],
    coders: Sequence[str],
    source_id: int,
    source: str,
    text: str,
    code_id: int,
    code: str,
) -> list[Disagreement]:
    """The cells of one source and code where some coders coded and some did not."""
    return [
        Disagreement(
            id=f"{source_id}:{code_id}:{a}-{b}",
            source_id=source_id,
            source=source,
            code_id=code_id,
            code=code,
            start=a,
            end=b,
            text=text[a:b],
            coded_by=tuple(c for c, v in zip(coders, pattern, strict=True) if v),
            not_coded_by=tuple(c for c, v in zip(coders, pattern, strict=True) if not v),
        )
        for (a, b), pattern, _ in cells
        if 0 < sum(pattern) < len(coders)
    ]


def _stats(
    name: str,
    code_id: int | None,
    counts: Mapping[tuple[Hashable | None, ...], float],
    coded: dict[str, int],
    coders: Sequence[str],
) -> CodeAgreement:
    return CodeAgreement(
        code=name,
        code_id=code_id,
        units=int(sum(counts.values())),
        coded=coded,
        percent=percent_agreement(counts),
        kappa=cohen_kappa(counts) if len(coders) == 2 else None,
        alpha=krippendorff_alpha(counts),
    )


def write_rows(
    rows: Sequence[Mapping[str, object]],
    path: str | Path,
    header: Mapping[str, object] | None = None,
) -> Path:
    """Rows to ``.csv`` or ``.json`` (by suffix), for the agreement table or disagreements.
    With a ``header`` (:meth:`AgreementReport.header`), JSON is an object with the rows
    beside it, and CSV gets columns ``coders`` and ``unit``."""
    path = Path(path)
    if path.suffix.lower() == ".json":
        data: object = list(rows) if header is None else {**header, "rows": list(rows)}
        path.write_text(json.dumps(data, ensure_ascii=False, indent=2), encoding="utf-8")
        return path
    if path.suffix.lower() != ".csv":
        raise ValueError(f"write .csv or .json, not {path.suffix or 'no suffix'}")
    if header is not None:
        coders = header["coders"]
        names = "; ".join(map(str, coders)) if isinstance(coders, list) else str(coders)
        extra = {"coders": names, "unit": header["unit"]}
        rows = [{**r, **extra} for r in rows]
    with path.open("w", encoding="utf-8", newline="") as fh:
        fields = list(rows[0]) if rows else ["code"]
        writer = csv.DictWriter(fh, fieldnames=fields, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)
    return path
