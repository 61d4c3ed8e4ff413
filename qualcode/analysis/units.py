"""Units of text a coding falls in: speaker turns and sentences, located without loops.

A unit is ``[start, end)`` in a source. An offset belongs to the first unit of its source that
ends after it, so text between units (a speaker label, the space after a full stop) belongs to
the unit that follows, as a speaker label belongs to the turn it opens. Offsets after the last
unit of a source belong to no unit.

The lookups sort the units once and answer every coding with one ``numpy.searchsorted``.
pandas and numpy are imported at module level: this module is only imported by the analysis
functions, never when the command line starts.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from qualcode import segments

UNIT_COLUMNS = ["source_id", "idx", "start", "end"]


def split_sentences(text: str) -> list[tuple[int, int]]:
    """Sentences of ``text`` (see :func:`qualcode.segments.split_sentences`, the one splitter
    the workbench, the reports and the agreement statistics share)."""
    return segments.split_sentences(text)


def sentence_frame(texts: pd.DataFrame) -> pd.DataFrame:
    """Sentences of every source in ``texts`` (``source_id, text``) as a unit frame."""
    ids: list[int] = []
    idx: list[int] = []
    starts: list[int] = []
    ends: list[int] = []
    for source_id, text in zip(texts["source_id"], texts["text"], strict=True):
        spans = split_sentences(text)
        ids.extend([int(source_id)] * len(spans))
        idx.extend(range(len(spans)))
        starts.extend(a for a, _ in spans)
        ends.extend(b for _, b in spans)
    return pd.DataFrame({"source_id": ids, "idx": idx, "start": starts, "end": ends}, dtype="int64")


def _keys(source_ids: np.ndarray, offsets: np.ndarray) -> np.ndarray:
    # One sortable int64 per (source, offset): offsets are far below 2**32 code points.
    return (source_ids.astype(np.int64) << 32) | offsets.astype(np.int64)


def locate(
    units: pd.DataFrame, source_ids: np.ndarray, offsets: np.ndarray, *, last: bool = False
) -> np.ndarray:
    """Row positions in ``units`` (sorted by source and end) of the unit each offset falls
    in, -1 for none. With ``last``, an offset after the source's last unit gets that unit
    (for the end of a coding that runs past it)."""
    unit_src = units["source_id"].to_numpy(np.int64)
    keys = _keys(unit_src, units["end"].to_numpy(np.int64))
    pos = np.searchsorted(keys, _keys(source_ids, offsets), side="right")
    n = len(keys)
    inside = pos < n
    same = np.zeros(len(pos), dtype=bool)
    same[inside] = unit_src[pos[inside]] == source_ids[inside]
    if last:
        back = ~same & (pos > 0)
        back[back] = unit_src[pos[back] - 1] == source_ids[back]
        pos = np.where(back, pos - 1, pos)
        same |= back
    return np.where(same, pos, -1)


def sorted_units(units: pd.DataFrame) -> pd.DataFrame:
    """Units ordered by source and end, as :func:`locate` needs them."""
    return units.sort_values(["source_id", "end"], kind="stable").reset_index(drop=True)


def unit_memberships(
    units: pd.DataFrame, source_ids: np.ndarray, starts: np.ndarray, ends: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Every unit each coding overlaps: ``(row, unit)`` arrays, ``row`` indexing the codings
    and ``unit`` the row positions in ``units`` (sorted with :func:`sorted_units`)."""
    first = locate(units, source_ids, starts)
    last = locate(units, source_ids, np.maximum(ends - 1, starts), last=True)
    rows = np.flatnonzero((first >= 0) & (last >= first))
    counts = last[rows] - first[rows] + 1
    row = np.repeat(rows, counts)
    offset = np.arange(len(row)) - np.repeat(np.cumsum(counts) - counts, counts)
    return row, first[row] + offset
