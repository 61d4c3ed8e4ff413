"""Scores read as precision: held-out suggestions counted by score bin, made non-decreasing,
and the lowest score whose measured precision reaches a minimum.

The review queue (:mod:`qualcode.project.crossfit`, on a project's own codings) and the
evaluator's per-code kappa (:mod:`qualcode.nlp.kappa`, on a data set's held-out half) keep a
suggestion by the same rule: the precision measured at its score, not the score itself.
"""

from __future__ import annotations

from collections.abc import Sequence

BINS = 10  # score bins of width 0.1


def score_bin(score: float) -> int:
    """The bin of a score: 0 for [0, 0.1), ..., 9 for [0.9, 1.0]."""
    return min(BINS - 1, max(0, int(score * BINS)))


def monotone(values: Sequence[float], weights: Sequence[float]) -> list[float]:
    """``values`` made non-decreasing by pooling adjacent violators (weighted means), the
    least-squares fit that keeps the weighted total."""
    blocks: list[list[float]] = []  # [mean, weight, length]
    for v, w in zip(values, weights, strict=True):
        blocks.append([v, w, 1])
        while len(blocks) > 1 and blocks[-2][0] > blocks[-1][0]:
            v2, w2, n2 = blocks.pop()
            v1, w1, n1 = blocks.pop()
            total = w1 + w2
            mean = (v1 * w1 + v2 * w2) / total if total else (v1 + v2) / 2
            blocks.append([mean, total, n1 + n2])
    out: list[float] = []
    for mean, _, n in blocks:
        out.extend([mean] * int(n))
    return out


def measured_threshold(scored: Sequence[tuple[float, bool]], min_precision: float) -> float:
    """The lowest score a queue keeps when it keeps only what was measured right at least
    ``min_precision`` of the time: the lower edge of the lowest score bin whose precision
    (counted on ``scored``, pairs of a held-out suggestion's score and whether it was right,
    made non-decreasing) reaches it; 1.0 when no bin does (nothing kept)."""
    suggested, right = [0] * BINS, [0] * BINS
    for score, ok in scored:
        if score > 0.0:
            b = score_bin(score)
            suggested[b] += 1
            right[b] += int(ok)
    curve = monotone(
        [r / s if s else 0.0 for r, s in zip(right, suggested, strict=True)],
        [float(s) for s in suggested],
    )
    for b in range(BINS):
        if suggested[b] and curve[b] >= min_precision:
            return b / BINS
    return 1.0
