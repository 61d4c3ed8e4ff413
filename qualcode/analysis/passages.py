"""Passages: overlapping codings of one code in one source merged, in numpy.

The counting rules live here (the README states them): codings of one code in one source
(and one group, when a table is broken down) that overlap, i.e. share at least one character,
are one passage; codings that only touch (``a.end == b.start``) stay two. With roll-up, a
parent code takes the codings of its whole subtree before merging, so a child's coding inside
a parent's coding is one passage of the parent, and a source counts once for the parent
however many of its children it has.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd


@dataclass(frozen=True)
class Merged:
    """Codings sorted by (group, source, code, start) with their passages marked.

    ``order`` indexes the input rows; ``segment`` numbers each (group, source, code) run;
    ``new`` is True where a passage begins.
    """

    order: np.ndarray
    segment: np.ndarray
    new: np.ndarray

    @property
    def seg_first(self) -> np.ndarray:
        """True at the first row of each (group, source, code) run."""
        first = np.ones(len(self.segment), dtype=bool)
        first[1:] = self.segment[1:] != self.segment[:-1]
        return first


def merge_passages(
    group: np.ndarray, source: np.ndarray, code: np.ndarray, start: np.ndarray, end: np.ndarray
) -> Merged:
    """Mark where passages begin, with all inputs non-negative int64 arrays of one length.

    Sorted by one int64 key where it fits (the usual case), else by a lexsort. Within a run,
    a coding starts a new passage when it starts at or after the furthest end so far: the
    running maximum is taken over the whole array at once, each run lifted above the last
    by adding ``run << 32``.
    """
    n = len(start)
    if n == 0:
        empty = np.zeros(0, dtype=np.int64)
        return Merged(empty, empty, np.zeros(0, dtype=bool))
    s_size = int(source.max()) + 1
    c_size = int(code.max()) + 1
    run = (group * s_size + source) * c_size + code
    # One int64 key sorts fastest; any order of equal keys merges the same (codings with
    # one start join one passage), so the sort need not be stable.
    fits = int(run.max()) < 2**30
    order = np.argsort((run << 32) | start) if fits else np.lexsort((start, run))
    run = run[order]
    changed = np.ones(n, dtype=bool)
    changed[1:] = run[1:] != run[:-1]
    segment = np.cumsum(changed) - 1
    lifted_end = (segment << 32) | end[order]
    reach = np.maximum.accumulate(lifted_end)
    new = changed.copy()
    new[1:] |= ((segment[1:] << 32) | start[order][1:]) >= reach[:-1]
    return Merged(order, segment, new)


def passage_spans(
    source: np.ndarray, code: np.ndarray, start: np.ndarray, end: np.ndarray
) -> pd.DataFrame:
    """The passages themselves: ``source, code, start, end`` (one group)."""
    zeros = np.zeros(len(start), dtype=np.int64)
    m = merge_passages(zeros, source, code, start, end)
    firsts = np.flatnonzero(m.new)
    if len(firsts) == 0:
        return pd.DataFrame({k: zeros[:0] for k in ("source", "code", "start", "end")})
    ends = np.maximum.reduceat(end[m.order], firsts)
    rows = m.order[firsts]
    return pd.DataFrame(
        {"source": source[rows], "code": code[rows], "start": start[rows], "end": ends}
    )


def rolled_up(code_pos: np.ndarray, ancestors: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each coding once for its code and once for every ancestor of it.

    ``ancestors`` is an ``(k, 2)`` array of (code position, ancestor position) pairs, every
    code with itself included. Returns ``(row, code)``: input rows repeated, and the code
    position each copy counts for.
    """
    pairs = ancestors[np.argsort(ancestors[:, 0], kind="stable")]
    left = np.searchsorted(pairs[:, 0], code_pos, side="left")
    right = np.searchsorted(pairs[:, 0], code_pos, side="right")
    counts = right - left
    row = np.repeat(np.arange(len(code_pos)), counts)
    offset = np.arange(len(row)) - np.repeat(np.cumsum(counts) - counts, counts)
    return row, pairs[left[row] + offset, 1]


def distinct(values: np.ndarray) -> np.ndarray:
    """Sorted distinct values of an int64 array (a sort and a diff: faster than
    ``numpy.unique``'s hashing on millions of keys)."""
    ordered = np.sort(values)
    keep = np.ones(len(ordered), dtype=bool)
    keep[1:] = ordered[1:] != ordered[:-1]
    return ordered[keep]
