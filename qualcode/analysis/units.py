"""Units of text: a source's speaker turns and sentences, built here and nowhere else.

The turn units of a source are its non-empty speaker turns (the whole text, for a source
without turns that is not blank); its sentence units are the sentences of those turns, cut
by the one splitter of :mod:`qualcode.segments`, so no sentence crosses a turn or holds a
speaker label. Agreement, themes and suggestions, sentence co-occurrence, ``code --match``
and the workbench all take their units from here, so a "sentence" means the same in each.

A unit is ``[start, end)`` in a source. An offset belongs to the first unit of its source that
ends after it, so text between units (a speaker label, the space after a full stop) belongs to
the unit that follows, as a speaker label belongs to the turn it opens. Offsets after the last
unit of a source belong to no unit.

The frame lookups sort the units once and answer every coding with one
``numpy.searchsorted``. numpy and pandas are imported inside the functions that use them:
agreement and ``code --match`` need only the plain spans and must not pay for loading them.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Iterator, Sequence
from typing import TYPE_CHECKING

from qualcode import segments

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

Span = tuple[int, int]
KINDS = ("sentence", "turn")
UNIT_COLUMNS = ["source_id", "idx", "start", "end"]


def split_sentences(text: str) -> list[Span]:
    """Sentences of ``text`` (see :func:`qualcode.segments.split_sentences`, the one splitter
    the workbench, the reports and the agreement statistics share)."""
    return segments.split_sentences(text)


def turn_units(text: str, turns: Iterable[Span]) -> list[Span]:
    """The turn units of a source: its non-empty turns in text order; the whole text when it
    has none, unless the text is blank (then there are no units)."""
    spans = [(a, b) for a, b in turns if b > a]
    if spans:
        return spans
    return [(0, len(text))] if text.strip() else []


def sentence_units(text: str, turns: Iterable[Span]) -> list[Span]:
    """The sentence units of a source: the sentences of its turn units, in text order."""
    return segments.sentence_spans(text, turn_units(text, turns))


def text_units(text: str, turns: Iterable[Span], kind: str) -> list[Span]:
    """The ``sentence`` or ``turn`` units of a source (see :func:`sentence_units` and
    :func:`turn_units`).

    Raises:
        ValueError: ``kind`` is neither.
    """
    if kind == "sentence":
        return sentence_units(text, turns)
    if kind == "turn":
        return turn_units(text, turns)
    raise ValueError(f"unit must be one of {', '.join(KINDS)}, not {kind!r}")


def overlapped(units: Sequence[Span], spans: Iterable[Span]) -> Iterator[range]:
    """For each span, the indices of the units (in text order, not overlapping) it overlaps.

    A span overlaps a unit when it starts before the unit ends and ends after it starts; an
    empty span inside a unit overlaps that unit.
    """
    ends = [b for _, b in units]
    starts = [a for a, _ in units]
    for a, b in spans:
        first = bisect.bisect_right(ends, a)
        yield range(first, max(first, bisect.bisect_left(starts, b)))


# -- unit frames: every source at once ---------------------------------------------------------


def sentence_frame(texts: pd.DataFrame, turns: pd.DataFrame | None = None) -> pd.DataFrame:
    """The sentence units of every source in ``texts`` (``source_id, text``) as a unit frame,
    cut within the sources' ``turns`` (a turn frame: ``source_id, start, end``)."""
    import pandas as pd  # deferred: see the module docstring

    spans_of: dict[int, list[Span]] = {}
    if turns is not None:
        for source_id, start, end in zip(
            turns["source_id"].tolist(), turns["start"].tolist(), turns["end"].tolist(), strict=True
        ):
            spans_of.setdefault(source_id, []).append((start, end))
    ids: list[int] = []
    idx: list[int] = []
    starts: list[int] = []
    ends: list[int] = []
    for source_id, text in zip(texts["source_id"].tolist(), texts["text"], strict=True):
        spans = sentence_units(text, spans_of.get(source_id, []))
        ids.extend([source_id] * len(spans))
        idx.extend(range(len(spans)))
        starts.extend(a for a, _ in spans)
        ends.extend(b for _, b in spans)
    return pd.DataFrame({"source_id": ids, "idx": idx, "start": starts, "end": ends}, dtype="int64")


def _keys(source_ids: np.ndarray, offsets: np.ndarray) -> np.ndarray:
    import numpy as np

    # One sortable int64 per (source, offset): offsets are far below 2**32 code points.
    return (source_ids.astype(np.int64) << 32) | offsets.astype(np.int64)


def locate(
    units: pd.DataFrame, source_ids: np.ndarray, offsets: np.ndarray, *, last: bool = False
) -> np.ndarray:
    """Row positions in ``units`` (sorted by source and end) of the unit each offset falls
    in, -1 for none. With ``last``, an offset after the source's last unit gets that unit
    (for the end of a coding that runs past it)."""
    import numpy as np

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
    import numpy as np

    first = locate(units, source_ids, starts)
    last = locate(units, source_ids, np.maximum(ends - 1, starts), last=True)
    rows = np.flatnonzero((first >= 0) & (last >= first))
    counts = last[rows] - first[rows] + 1
    row = np.repeat(rows, counts)
    offset = np.arange(len(row)) - np.repeat(np.cumsum(counts) - counts, counts)
    return row, first[row] + offset
