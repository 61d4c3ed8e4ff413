"""The study as the tables see it, filtered, and the groups a table can be broken down by.

:class:`StudyData` holds the frames every table starts from: the codings (with the turn and
speaker each one starts in), the sources in the filtered set (the "of N"), the codes to report
(in codebook order), and their ancestry for roll-up. The facade builds it from the store; the
tables are pure functions of it, so tests can also build one by hand.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from qualcode.analysis.units import locate, sorted_units
from qualcode.model import Codebook

NONE_LABEL = "(none)"  # the group of a coding without a speaker, a source without the attribute
FIXED_BY = ("code", "source", "speaker", "kind", "coder")
CODE_COLUMNS = ["code_id", "code", "parent", "depth"]


@dataclass
class StudyData:
    codings: pd.DataFrame  # coding_id source_id code_id coder_id start end turn speaker
    sources: pd.DataFrame  # source_id source kind language length, then attributes
    codes: pd.DataFrame  # code_id code parent depth, in codebook order
    ancestors: np.ndarray  # (k, 2) code positions: (code, ancestor), self included
    turns: pd.DataFrame  # source_id idx start end speaker, of the sources in the set
    coders: pd.DataFrame  # coder_id coder
    coder_sources: pd.DataFrame  # coder_id source_id: who coded anything where

    @property
    def attributes(self) -> list[str]:
        return [c for c in self.sources.columns if c not in _SOURCE_FIXED]

    def code_positions(self) -> np.ndarray:
        """Position in ``codes`` of each coding's code."""
        index = pd.Index(self.codes["code_id"].to_numpy(np.int64))
        return index.get_indexer(self.codings["code_id"].to_numpy(np.int64)).astype(np.int64)


_SOURCE_FIXED = ("source_id", "source", "kind", "language", "length")


def code_table(book: Codebook, roots: Sequence[int] | None = None) -> pd.DataFrame:
    """The codes to report, in codebook order: all, or the subtrees under ``roots``."""
    wanted: set[int] | None = None
    if roots is not None:
        wanted = set(roots)
        for r in roots:
            wanted.update(c.id for c in book.descendants(r))
    rows = [
        {
            "code_id": c.id,
            "code": book.path(c),
            "parent": book.path(c.parent_id) if c.parent_id is not None else "",
            "depth": book.depth(c),
        }
        for c in book
        if wanted is None or c.id in wanted
    ]
    return pd.DataFrame(rows, columns=CODE_COLUMNS).astype({"code_id": "int64", "depth": "int64"})


def ancestor_pairs(book: Codebook, codes: pd.DataFrame) -> np.ndarray:
    """(code position, ancestor position) for the codes in ``codes``, self included; an
    ancestor outside ``codes`` (above a filtered subtree) is left out."""
    pos = {int(c): i for i, c in enumerate(codes["code_id"])}
    pairs: list[tuple[int, int]] = []
    for code_id, i in pos.items():
        node: int | None = code_id
        seen: set[int] = set()
        while node is not None and node not in seen:
            seen.add(node)
            if node in pos:
                pairs.append((i, pos[node]))
            node = book.get(node).parent_id
    return np.array(pairs, dtype=np.int64).reshape(-1, 2)


def attach_turns(codings: pd.DataFrame, turns: pd.DataFrame) -> pd.DataFrame:
    """Add ``turn`` (index in its source, -1 for none) and ``speaker`` (categorical) of the
    turn each coding starts in."""
    units = sorted_units(turns)
    pos = locate(
        units,
        codings["source_id"].to_numpy(np.int64),
        codings["start"].to_numpy(np.int64),
    )
    hit = pos >= 0
    turn = np.full(len(pos), -1, dtype=np.int64)
    turn[hit] = units["idx"].to_numpy(np.int64)[pos[hit]]
    speakers = pd.Categorical(units["speaker"])
    codes = np.full(len(pos), -1, dtype=np.int64)
    codes[hit] = speakers.codes[pos[hit]]
    out = codings.copy()
    out["turn"] = turn
    out["speaker"] = pd.Categorical.from_codes(codes, categories=speakers.categories)
    return out


@dataclass(frozen=True)
class Groups:
    """A breakdown: each coding's group index, the group labels and each group's N."""

    name: str | None
    labels: list[str]
    index: np.ndarray  # per coding, into labels
    sizes: np.ndarray  # N: sources in each group


def groups(data: StudyData, by: str | None) -> Groups:
    """The groups of ``by``: None or ``code`` (no breakdown), ``source``, ``kind``,
    ``speaker``, ``coder``, or a case attribute. N is the number of sources in the set that
    belong to the group (for a speaker: where they speak; for a coder: where they coded)."""
    n = len(data.codings)
    src = data.sources
    if by is None or by == "code":
        return Groups(None, ["all"], np.zeros(n, dtype=np.int64), np.array([len(src)]))
    if by == "speaker":
        turns = data.turns.assign(speaker=data.turns["speaker"].fillna(NONE_LABEL))
        turns = turns[turns["source_id"].isin(src["source_id"])]
        per = turns.drop_duplicates(["source_id", "speaker"]).groupby("speaker").size()
        labels = [str(x) for x in per.index]
        spoken = data.codings["speaker"].astype(object).fillna(NONE_LABEL)
        return _indexed(by, labels, spoken, per.reindex(labels).to_numpy())
    if by == "coder":
        cs = data.coder_sources[data.coder_sources["source_id"].isin(src["source_id"])]
        per = cs.groupby("coder_id")["source_id"].nunique()
        named = data.coders.set_index("coder_id")["coder"]
        ids = [int(i) for i in data.coders["coder_id"] if i in per.index]
        labels = [str(named[i]) for i in ids]
        coder = data.codings["coder_id"].map(named)
        return _indexed(by, labels, coder, per.reindex(ids).to_numpy())
    column = "source" if by == "source" else by
    raw = src[column].astype(object)
    values = raw.where(raw.notna() & (raw.astype(str).str.strip() != ""), NONE_LABEL).astype(str)
    labels = list(values) if by == "source" else sorted(set(values), key=_natural)
    per = values.value_counts().reindex(labels).fillna(0).to_numpy()
    by_source = pd.Series(values.to_numpy(), index=src["source_id"].to_numpy())
    return _indexed(by, labels, data.codings["source_id"].map(by_source), per)


def _indexed(by: str, labels: list[str], values: pd.Series, sizes: np.ndarray) -> Groups:
    index = pd.Index(labels).get_indexer(values.astype(object).to_numpy())
    return Groups(by, labels, index.astype(np.int64), sizes.astype(np.int64))


def _natural(label: str) -> tuple[int, float, str]:
    """Numbers in numeric order (2, 10), then text; the empty-value group last."""
    if label == NONE_LABEL:
        return (2, 0.0, label)
    try:
        return (0, float(label), label)
    except ValueError:
        return (1, 0.0, label.casefold())
