"""Per-code Cohen's kappa between human coding and suggestions, at the review queue's threshold.

Ranking figures (p@k) say whether the right code is near the top; they do not say whether a
score means anything on its own. What a coder meets is the review queue: it keeps a
suggestion (of the top few of each sentence) where the precision measured at its score reaches
``--min-precision`` (0.8 by default; :mod:`qualcode.project.crossfit` measures it on the
project's own codings). This module finds that threshold the same way on the held-out
passages (:func:`qualcode.nlp.calibration.measured_threshold`) and measures, code by code, how
far "suggested at or above it" agrees with the human coding: Cohen's kappa, 0 for chance and 1
for the same decisions.

Plain lists in, plain dicts out: the evaluator uses it on any data set.
"""

from __future__ import annotations

import statistics
from collections.abc import Collection, Sequence
from typing import Any

from qualcode.nlp.calibration import measured_threshold

MIN_PRECISION = 0.8  # the review queue's default (``suggest --all --min-precision``)
TOP = 3  # suggestions per sentence the queue considers (``suggest --all --top``)


def binary_kappa(human: Sequence[bool], machine: Sequence[bool]) -> float | None:
    """Cohen's kappa of two yes/no codings of the same units; None when it is undefined
    (both gave one and the same answer to every unit)."""
    n = len(human)
    if not n:
        return None
    both = sum(h and m for h, m in zip(human, machine, strict=True))
    yes_h, yes_m = sum(human), sum(machine)
    observed = (n - yes_h - yes_m + 2 * both) / n
    chance = (yes_h * yes_m + (n - yes_h) * (n - yes_m)) / (n * n)
    if chance >= 1.0:
        return None
    return (observed - chance) / (1.0 - chance)


def code_kappas(
    suggested: Sequence[Sequence[tuple[str, float]]],
    truth: Sequence[Collection[str]],
    labels: Sequence[str],
    *,
    min_precision: float = MIN_PRECISION,
    top: int = TOP,
) -> dict[str, Any]:
    """Per code, kappa between the human coding (``truth``, per passage) and "the code is
    among the passage's ``top`` suggestions and scored at least the queue's threshold".

    Args:
        suggested: per passage, ``(label, score)`` best first.
        truth: per passage, the codes a person coded.
        labels: the codes that could be suggested (each gets a row).
        min_precision: the queue's expected precision (its threshold follows from it).
        top: suggestions per passage the queue considers.

    Returns:
        ``threshold``, ``queued`` (suggestions at or above it), ``queued_right`` (the share
        of them a person coded too), ``passages_coded`` (passages with any), and ``codes``:
        per label ``human`` and ``suggested`` passage counts and ``kappa`` (None where
        undefined).
    """
    best = [list(row[:top]) for row in suggested]
    scored = [(s, label in t) for row, t in zip(best, truth, strict=True) for label, s in row]
    threshold = measured_threshold(scored, min_precision)
    chosen = [{label for label, s in row if s >= threshold and s > 0.0} for row in best]
    rows = []
    for label in labels:
        human = [label in t for t in truth]
        machine = [label in c for c in chosen]
        kappa = binary_kappa(human, machine)
        rows.append(
            {
                "code": label,
                "human": sum(human),
                "suggested": sum(machine),
                "kappa": None if kappa is None else round(kappa, 4),
            }
        )
    queued = sum(map(len, chosen))
    right = sum(len(c & set(t)) for c, t in zip(chosen, truth, strict=True))
    return {
        "threshold": round(threshold, 4),
        "queued": queued,
        "queued_right": round(right / queued, 4) if queued else None,
        "passages_coded": sum(1 for c in chosen if c),
        "codes": rows,
    }


def mean_kappa(rows: Sequence[dict[str, Any]]) -> float | None:
    """The mean kappa of the codes where it is defined (None if nowhere)."""
    return _mean([r["kappa"] for r in rows])


def pooled(runs: Sequence[dict[str, Any]], min_precision: float) -> dict[str, Any]:
    """:func:`code_kappas` of several splits as one: per code the mean of its kappas (over
    the splits where defined) and of its counts; the threshold's mean; and ``mean``, the
    mean over codes."""
    by_code: dict[str, list[dict[str, Any]]] = {}
    for run in runs:
        for row in run["codes"]:
            by_code.setdefault(row["code"], []).append(row)
    codes = []
    for label, rows in by_code.items():
        codes.append(
            {
                "code": label,
                "human": round(statistics.mean(r["human"] for r in rows), 1),
                "suggested": round(statistics.mean(r["suggested"] for r in rows), 1),
                "kappa": _mean([r["kappa"] for r in rows]),
            }
        )
    codes.sort(key=lambda r: (-r["human"], r["code"]))
    return {
        "min_precision": min_precision,
        "threshold": round(statistics.mean(r["threshold"] for r in runs), 4),
        "queued": round(statistics.mean(r["queued"] for r in runs), 1),
        "queued_right": _mean([r["queued_right"] for r in runs]),
        "passages_coded": round(statistics.mean(r["passages_coded"] for r in runs), 1),
        "mean": mean_kappa(codes),
        "codes": codes,
    }


def _mean(values: Sequence[float | None]) -> float | None:
    """The mean of the values that are not None, to 4 decimals (None if none is)."""
    found = [v for v in values if v is not None]
    return round(statistics.mean(found), 4) if found else None


def _percent(share: float | None) -> str:
    return "-" if share is None else f"{share:.0%}"


def kappa_lines(result: dict[str, Any]) -> list[str]:
    """The per-code kappa table of :func:`pooled` for people."""
    head = (
        f"kappa per code at the queue's threshold {result['threshold']:.2f} "
        f"(--min-precision {result['min_precision']}: {result['queued']} suggestions queued, "
        f"{_percent(result['queued_right'])} right; {result['passages_coded']} passages get a "
        "code): code, human, suggested, kappa"
    )
    lines = [head]
    for row in result["codes"]:
        kappa = "-" if row["kappa"] is None else f"{row['kappa']:.3f}"
        lines.append(f"{row['code'][:40]:>40}: {row['human']:>6} {row['suggested']:>6}  {kappa}")
    mean = "-" if result["mean"] is None else f"{result['mean']:.3f}"
    lines.append(f"{'mean kappa':>40}: {mean}")
    return lines
