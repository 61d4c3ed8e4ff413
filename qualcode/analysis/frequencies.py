"""Frequencies per code, optionally broken down by a group, and their pivots (matrices and
crosstabs). Counted with numpy over whole columns: the codings are never looped over.

Columns of :func:`frequencies` (the README documents them): the group column when broken
down (named after ``by``), then ``code_id, code, parent, depth, codings, passages, sources,
of_sources, sources_pct, sources_text, speakers``.
"""

from __future__ import annotations

# pandas and numpy at module level: the facade imports this module inside its methods only,
# so `qualcode --help` never loads them.
import numpy as np
import pandas as pd

from qualcode.analysis.data import CODE_COLUMNS, Groups, StudyData, groups
from qualcode.analysis.passages import distinct, merge_passages, rolled_up

COUNT_COLUMNS = [
    "codings",
    "passages",
    "sources",
    "of_sources",
    "sources_pct",
    "sources_text",
    "speakers",
]
VALUES = ("codings", "passages", "sources", "sources_pct", "sources_text", "speakers")


def share_texts(n: np.ndarray, of: np.ndarray) -> np.ndarray:
    """``"31 of 52 (60%)"`` for whole arrays (``"0 of 0"`` without a share); vectorised, as
    a matrix of 2,000 sources has 400,000 cells. The percentage follows :func:`percent_texts`."""
    if len(n) == 0:
        return np.array([], dtype=object)
    text = pd.Series(n).astype(str) + " of " + pd.Series(of).astype(str)
    suffix = " (" + pd.Series(percent_texts(n, of)) + ")"
    return (text + suffix.where(of > 0, "")).to_numpy(object)


def percent_texts(n: np.ndarray, of: np.ndarray) -> np.ndarray:
    """``n`` of ``of`` as a percentage, rounded half up (in integers: no float ties).

    The rule: a whole percent while N is at most 100, where every count has a whole percent
    of its own; one decimal above 100, where two counts could share one (and one source in
    300 would read 0%). A share that still rounds to 0.0% or 100.0% without being it reads
    ``<0.1%`` or ``>99.9%``. N of 0 gives an empty text.
    """
    n = np.asarray(n, dtype=np.int64)
    of = np.asarray(of, dtype=np.int64)
    if len(n) == 0:
        return np.array([], dtype=object)
    safe = np.maximum(of, 1)
    whole = (200 * n + safe) // (2 * safe)
    tenths = (2000 * n + safe) // (2 * safe)
    wide = pd.Series(tenths // 10).astype(str) + "." + pd.Series(tenths % 10).astype(str) + "%"
    out = (pd.Series(whole).astype(str) + "%").where(of <= 100, wide)
    out = out.where(~((of > 100) & (n > 0) & (tenths == 0)), "<0.1%")
    out = out.where(~((of > 100) & (n < of) & (tenths == 1000)), ">99.9%")
    return out.where(of > 0, "").to_numpy(object)


def frequency_columns(by: str | None) -> list[str]:
    lead = [by] if by not in (None, "code") else []
    return [*lead, *CODE_COLUMNS, *COUNT_COLUMNS]


def frequencies(
    data: StudyData, *, by: str | None = None, rollup: bool = True, zeros: bool = False
) -> pd.DataFrame:
    """Coded passages, sources and speakers per code (and group).

    Args:
        data: the filtered study.
        by: break down by ``source``, ``speaker``, ``kind``, ``coder`` or an attribute.
        rollup: a parent counts the codings of its whole subtree.
        zeros: also list codes (and groups) with no codings.
    """
    grouping = groups(data, by)
    counts = _count(data, grouping, rollup)
    n_codes, n_groups = len(data.codes), len(grouping.labels)
    frame = data.codes.iloc[np.tile(np.arange(n_codes), n_groups)].reset_index(drop=True)
    group_of_row = np.repeat(np.arange(n_groups), n_codes)
    for name, values in counts.items():
        frame[name] = values
    of = grouping.sizes[group_of_row] if n_groups else np.zeros(0, dtype=np.int64)
    frame["of_sources"] = of
    with np.errstate(divide="ignore", invalid="ignore"):
        pct = np.where(of > 0, 100.0 * frame["sources"].to_numpy() / np.maximum(of, 1), np.nan)
    frame["sources_pct"] = pct
    frame["sources_text"] = share_texts(frame["sources"].to_numpy(np.int64), of)
    if grouping.name is not None:
        frame.insert(0, grouping.name, [grouping.labels[g] for g in group_of_row])
    if not zeros:
        frame = frame[frame["codings"] > 0]
    else:
        frame = frame[frame["of_sources"] > 0] if grouping.name is not None else frame
    if len(data.sources) == 0:
        frame = frame.iloc[:0]
    if grouping.name is not None:
        # Code order first, then the groups' order: each code's breakdown reads as a block.
        frame = frame.assign(_g=group_of_row[frame.index], _c=frame.index % max(n_codes, 1))
        frame = frame.sort_values(["_c", "_g"], kind="stable").drop(columns=["_g", "_c"])
    return frame.reset_index(drop=True)[frequency_columns(by)]


def _count(data: StudyData, grouping: Groups, rollup: bool) -> dict[str, np.ndarray]:
    """codings, passages, sources, speakers for every (group, code), group-major."""
    n_codes, n_groups = len(data.codes), len(grouping.labels)
    size = n_codes * n_groups
    cod = data.codings
    code = data.code_positions()
    keep = (code >= 0) & (grouping.index >= 0)
    rows = np.flatnonzero(keep)
    code = code[rows]
    if rollup and len(rows):
        copies, code = rolled_up(code, data.ancestors)
        rows = rows[copies]
    group = grouping.index[rows]
    source = cod["source_id"].to_numpy(np.int64)[rows]
    start = cod["start"].to_numpy(np.int64)[rows]
    end = cod["end"].to_numpy(np.int64)[rows]
    speaker = cod["speaker"].cat.codes.to_numpy().astype(np.int64)[rows]
    merged = merge_passages(group, source, code, start, end)
    cell = (group * n_codes + code)[merged.order]
    out = {
        "codings": np.bincount(cell, minlength=size),
        "passages": np.bincount(cell[merged.new], minlength=size),
        "sources": np.bincount(cell[merged.seg_first], minlength=size),
    }
    # Speakers: distinct (source, speaker) per cell; a speaker's name is per source.
    spk = speaker[merged.order]
    spoken = spk >= 0
    n_spk = int(spk.max()) + 1 if len(spk) else 1
    pairs = distinct(merged.segment[spoken] * n_spk + spk[spoken])
    seg_cell = np.zeros(int(merged.segment.max()) + 1 if len(cell) else 0, dtype=np.int64)
    seg_cell[merged.segment] = cell
    out["speakers"] = np.bincount(seg_cell[pairs // n_spk], minlength=size)
    return {k: v.astype(np.int64) for k, v in out.items()}


def pivot(
    data: StudyData,
    *,
    by: str,
    value: str = "passages",
    rollup: bool = True,
    zeros: bool = False,
    total: bool = False,
) -> pd.DataFrame:
    """Codes down, the groups of ``by`` across, ``value`` in the cells.

    Columns: ``code_id, code``, one column per group (in the groups' order) and, with
    ``total``, ``total`` (the value over the whole set). A code with no codings in a group
    gets 0 (``"0 of N (0%)"`` for ``sources_text``).
    """
    if value not in VALUES:
        raise ValueError(f"value must be one of {', '.join(VALUES)}, not {value!r}")
    long = frequencies(data, by=by, rollup=rollup, zeros=True)
    overall = frequencies(data, rollup=rollup, zeros=zeros)
    grouping = groups(data, by)
    labels = [lab for lab, n in zip(grouping.labels, grouping.sizes, strict=True) if n > 0]
    wide = long.pivot(index="code_id", columns=by, values=value)
    wide = wide.reindex(index=overall["code_id"], columns=labels)
    wide.columns = [str(c) for c in wide.columns]
    out = overall[["code_id", "code"]].reset_index(drop=True)
    out = pd.concat([out, wide.reset_index(drop=True)], axis=1)
    if total:
        out["total"] = overall[value].to_numpy()
    out.attrs.update(value=value, by=by)  # what the cells are, for the people's files
    return out
