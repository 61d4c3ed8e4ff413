"""Co-occurrence of codes: by overlapping passages, or by sharing a turn or a sentence.

Columns (the README documents them): ``code_a_id, code_a, code_b_id, code_b, count,
jaccard``, one row per unordered pair that co-occurs at least once, ``code_a`` before
``code_b`` in codebook order, most frequent pairs first.

- ``overlap``: ``count`` is the number of places where a passage of A and a passage of B
  overlap (each overlapping pair of passages once); ``jaccard`` is the share of characters:
  characters coded with both over characters coded with either.
- ``turn`` / ``sentence``: ``count`` is the number of units holding both codes (a coding
  belongs to every unit it overlaps); ``jaccard`` is that over the units holding either.

With roll-up a parent takes its subtree's codings; a code and its own ancestor are not
reported as a pair (they co-occur by construction).
"""

from __future__ import annotations

# pandas and numpy at module level: the facade imports this module inside its methods only,
# so `qualcode --help` never loads them.
import numpy as np
import pandas as pd

from qualcode.analysis.data import StudyData
from qualcode.analysis.passages import distinct, passage_spans, rolled_up
from qualcode.analysis.units import sorted_units, unit_memberships

COLUMNS = ["code_a_id", "code_a", "code_b_id", "code_b", "count", "jaccard"]
UNITS = ("overlap", "turn", "sentence")


def cooccurrence(
    data: StudyData,
    *,
    unit: str = "overlap",
    units: pd.DataFrame | None = None,
    rollup: bool = False,
) -> pd.DataFrame:
    """Pairs of codes that co-occur, with count and Jaccard index.

    Args:
        data: the filtered study.
        unit: ``overlap``, ``turn`` or ``sentence``.
        units: the unit frame (``source_id, idx, start, end``) for ``turn`` and
            ``sentence``; the turns of ``data`` if not given.
        rollup: parents take their subtree's codings.
    """
    if unit not in UNITS:
        raise ValueError(f"unit must be one of {', '.join(UNITS)}, not {unit!r}")
    cod = data.codings
    code = data.code_positions()
    rows = np.flatnonzero(code >= 0)
    code = code[rows]
    if rollup and len(rows):
        copies, code = rolled_up(code, data.ancestors)
        rows = rows[copies]
    source = cod["source_id"].to_numpy(np.int64)[rows]
    start = cod["start"].to_numpy(np.int64)[rows]
    end = cod["end"].to_numpy(np.int64)[rows]
    n_codes = len(data.codes)
    if unit == "overlap":
        count, weight, totals = _overlaps(source, code, start, end, n_codes)
    else:
        frame = sorted_units(units if units is not None else data.turns)
        count, weight, totals = _shared_units(frame, source, code, start, end, n_codes)
    out = _table(data, count, weight, totals, related=_related(data) if rollup else None)
    out.attrs["unit"] = unit  # what ``count`` counts, for the people's files and charts
    return out


def _overlaps(
    source: np.ndarray, code: np.ndarray, start: np.ndarray, end: np.ndarray, n_codes: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    p = passage_spans(source, code, start, end)
    p = p.sort_values(["source", "start"], kind="stable")
    src, cd = p["source"].to_numpy(np.int64), p["code"].to_numpy(np.int64)
    a, b = p["start"].to_numpy(np.int64), p["end"].to_numpy(np.int64)
    totals = np.bincount(cd, weights=b - a, minlength=n_codes)
    # Each passage i pairs with the later-starting passages j of its source that start
    # before i ends: every overlapping pair once, found by one searchsorted.
    keys = (src << 32) | a
    upto = np.searchsorted(keys, (src << 32) | b, side="left")
    i, j = _pairs_after(upto)
    inter = np.minimum(b[i], b[j]) - a[j]
    return _by_pair(cd[i], cd[j], n_codes, inter, totals)


def _shared_units(
    units: pd.DataFrame,
    source: np.ndarray,
    code: np.ndarray,
    start: np.ndarray,
    end: np.ndarray,
    n_codes: int,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    row, unit = unit_memberships(units, source, start, end)
    held = distinct(unit * n_codes + code[row])  # distinct (unit, code), sorted by unit
    u, cd = held // n_codes, held % n_codes
    totals = np.bincount(cd, minlength=n_codes).astype(float)
    upto = np.searchsorted(u, u, side="right")
    i, j = _pairs_after(upto)
    return _by_pair(cd[i], cd[j], n_codes, np.ones(len(i)), totals)


def _pairs_after(upto: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """All (i, j) with i < j < upto[i], as two arrays."""
    counts = np.maximum(upto - np.arange(len(upto)) - 1, 0)
    i = np.repeat(np.arange(len(upto)), counts)
    j = i + 1 + np.arange(len(i)) - np.repeat(np.cumsum(counts) - counts, counts)
    return i, j


def _by_pair(
    ci: np.ndarray, cj: np.ndarray, n_codes: int, weight: np.ndarray, totals: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    differ = ci != cj
    lo, hi = np.minimum(ci, cj)[differ], np.maximum(ci, cj)[differ]
    cell = lo * n_codes + hi
    size = n_codes * n_codes
    count = np.bincount(cell, minlength=size)
    weights = np.bincount(cell, weights=weight[differ], minlength=size)
    return count, weights, totals


def _related(data: StudyData) -> np.ndarray:
    """Cells (lo * n + hi) of codes that are ancestor and descendant."""
    pairs = data.ancestors
    pairs = pairs[pairs[:, 0] != pairs[:, 1]]
    n = len(data.codes)
    return np.minimum(pairs[:, 0], pairs[:, 1]) * n + np.maximum(pairs[:, 0], pairs[:, 1])


def _table(
    data: StudyData,
    count: np.ndarray,
    weight: np.ndarray,
    totals: np.ndarray,
    *,
    related: np.ndarray | None,
) -> pd.DataFrame:
    n = len(data.codes)
    cells = np.flatnonzero(count)
    if related is not None:
        cells = cells[~np.isin(cells, related)]
    lo, hi = cells // n, cells % n
    union = totals[lo] + totals[hi] - weight[cells]
    ids = data.codes["code_id"].to_numpy(np.int64)
    paths = data.codes["code"].to_numpy(object)
    out = pd.DataFrame(
        {
            "code_a_id": ids[lo],
            "code_a": paths[lo],
            "code_b_id": ids[hi],
            "code_b": paths[hi],
            "count": count[cells].astype(np.int64),
            "jaccard": np.where(union > 0, weight[cells] / np.where(union > 0, union, 1), 0.0),
        },
        columns=COLUMNS,
    )
    out = out.assign(_lo=lo, _hi=hi).sort_values(
        ["count", "_lo", "_hi"], ascending=[False, True, True], kind="stable"
    )
    return out.drop(columns=["_lo", "_hi"]).reset_index(drop=True)


def as_matrix(pairs: pd.DataFrame, value: str = "jaccard") -> pd.DataFrame:
    """The pairs as a symmetric code x code matrix (for a heat map), 0 where no pair."""
    names = list(dict.fromkeys([*pairs["code_a"], *pairs["code_b"]]))
    both = pd.concat(
        [
            pairs[["code_a", "code_b", value]],
            pairs[["code_b", "code_a", value]].set_axis(["code_a", "code_b", value], axis=1),
        ]
    )
    wide = both.pivot_table(index="code_a", columns="code_b", values=value, aggfunc="sum")
    return wide.reindex(index=names, columns=names).fillna(0)
