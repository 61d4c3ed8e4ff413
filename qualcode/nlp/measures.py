"""The figures every evaluation reports, whatever it scores: p@k and r@k of ranked
suggestions, the share right by score band, the matching of a codebook's codes to a data
set's labels, and the calibration table (with the kappa per code beside it) for people.

Used by :mod:`qualcode.nlp.evaluate` (learning from half of a coded data set) and by
:mod:`qualcode.nlp.evaluate_deductive` (the codebook alone).
"""

from __future__ import annotations

import itertools
from collections.abc import Collection, Sequence
from typing import Any

from qualcode.nlp.kappa import kappa_lines


def precision_recall(ranked: Sequence[Sequence[str]], truth: Sequence[Collection[str]]) -> dict:
    """Mean p@1, p@3 and r@3 of ranked label lists against the true label sets."""
    n = len(truth) or 1
    p1 = sum(len(set(r[:1]) & set(t)) for r, t in zip(ranked, truth, strict=True)) / n
    p3 = sum(len(set(r[:3]) & set(t)) / 3 for r, t in zip(ranked, truth, strict=True)) / n
    r3 = sum(len(set(r[:3]) & set(t)) / len(t) for r, t in zip(ranked, truth, strict=True)) / n
    return {"p_at_1": round(p1, 4), "p_at_3": round(p3, 4), "r_at_3": round(r3, 4)}


def calibration(
    ranked: Sequence[Sequence[Any]], truth: Sequence[Collection[str]]
) -> list[dict[str, Any]]:
    """Share of suggestions (top 5) that are right, by score band: scores mean something
    if the share rises with the score."""
    edges = (0.0, 0.2, 0.4, 0.6, 0.8, 1.0001)
    out = []
    for lo, hi in itertools.pairwise(edges):
        hits = [
            r.label in t
            for row, t in zip(ranked, truth, strict=True)
            for r in row
            if lo <= r.score < hi
        ]
        out.append(
            {
                "scores": f"{lo:.1f}-{min(hi, 1.0):.1f}",
                "suggestions": len(hits),
                "right": round(sum(hits) / len(hits), 3) if hits else None,
            }
        )
    return out


def label_key(name: str) -> str:
    """A code's name or path as matched to a data set's label: case and punctuation ignored
    ("Song Structure/Composition" is "Song structure - composition")."""
    return "".join(ch for ch in name.casefold() if ch.isalnum())


def calibration_lines(result: dict[str, Any]) -> list[str]:
    """The calibration table and, beside it, the kappa per code, for people."""
    lines = ["share right by score (top 5 suggestions): band, suggestions, right"]
    for row in result["calibration"]:
        lines.append(f"{row['scores']:>24}: {row['suggestions']:>5}  {row['right']}")
    return [*lines, *kappa_lines(result["kappa"])]
