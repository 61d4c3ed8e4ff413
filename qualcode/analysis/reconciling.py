"""The span arithmetic of reconciling: what the agreed coder holds after a decision.

A decision is taken on one disagreement, a span made of units of the comparison (a sentence
by default). It may change the agreed coder's coverage inside that span and nowhere else: a
coder's version is clipped to the span, ``none`` cuts the span out of what is there (a coding
crossing its edges keeps its parts outside), ``passage`` covers the span.

Pieces of one code in one source that overlap, touch, or are apart by white space only are
joined into one coding: an agreed passage settled sentence by sentence counts as one passage,
as the reports count passages (touching codings would count twice). Plain spans in, plain spans
out; the project facade reads and writes the codings.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

Span = tuple[int, int]


def merged(spans: Iterable[Span]) -> list[Span]:
    """Overlapping or touching spans as one, in text order; empty spans left out."""
    out: list[Span] = []
    for a, b in sorted(s for s in spans if s[1] > s[0]):
        if out and a <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], b))
        else:
            out.append((a, b))
    return out


def clip(spans: Iterable[Span], start: int, end: int) -> list[Span]:
    """The parts of ``spans`` inside ``[start, end)``, merged."""
    return merged((max(a, start), min(b, end)) for a, b in spans if a < end and b > start)


def cut(spans: Iterable[Span], start: int, end: int, text: str) -> list[Span]:
    """``spans`` without ``[start, end)``: a span crossing an edge keeps its part outside,
    less the white space at the cut (the space between two sentences belongs to neither)."""
    out: list[Span] = []
    for a, b in spans:
        if b <= start or a >= end:
            out.append((a, b))
            continue
        if a < start:
            out.append((a, _rstrip(text, a, start)))
        if b > end:
            out.append((_lstrip(text, end, b), b))
    return [(a, b) for a, b in out if b > a]


def joined(spans: Iterable[Span], text: str) -> list[Span]:
    """Spans that overlap, touch or are apart by white space only, joined; in text order."""
    out: list[Span] = []
    for a, b in merged(spans):
        if out and (a <= out[-1][1] or text[out[-1][1] : a].isspace()):
            out[-1] = (out[-1][0], max(out[-1][1], b))
        else:
            out.append((a, b))
    return out


def decided(
    current: Sequence[Span], chosen: Sequence[Span], start: int, end: int, text: str
) -> list[Span]:
    """What the agreed coder holds of one code in one source after a decision on
    ``[start, end)``: ``current`` outside the span, ``chosen`` (the chosen version: a coder's
    codings, the span itself for ``passage``, nothing for ``none``) inside it, joined."""
    return joined([*cut(current, start, end, text), *clip(chosen, start, end)], text)


def alike(per_coder: Sequence[Sequence[Span]], start: int, end: int) -> list[Span]:
    """What every coder coded inside a unit they all coded: the intersection of their
    coverage there, or, if it is empty (each coded another part), its union."""
    parts = [clip(spans, start, end) for spans in per_coder]
    common = parts[0] if parts else []
    for other in parts[1:]:
        common = _intersection(common, other)
    return common or merged(s for p in parts for s in p)


def _intersection(first: Sequence[Span], second: Sequence[Span]) -> list[Span]:
    out: list[Span] = []
    for a, b in first:
        for c, d in second:
            lo, hi = max(a, c), min(b, d)
            if hi > lo:
                out.append((lo, hi))
    return merged(out)


def _rstrip(text: str, start: int, end: int) -> int:
    while end > start and text[end - 1].isspace():
        end -= 1
    return end


def _lstrip(text: str, start: int, end: int) -> int:
    while start < end and text[start].isspace():
        start += 1
    return start
