"""The study as the tables see it, filtered, and the groups a table can be broken down by.

:class:`StudyData` holds the frames every table starts from: the codings (with the turn and
speaker each one starts in), the sources in the filtered set (the "of N"), the codes to report
(in codebook order), and their ancestry for roll-up. The facade builds it from the store; the
tables are pure functions of it, so tests can also build one by hand.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

# pandas and numpy at module level: the facade imports this module inside its methods only,
# so `qualcode --help` never loads them.
import numpy as np
import pandas as pd

from qualcode.analysis.counted import Counted
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
    coder_sources: pd.DataFrame | None = None  # coder_id source_id, for a breakdown by coder
    # The ids the filters chose (None: not filtered), to read more rows the same way.
    selection: dict[str, list[int] | None] = field(default_factory=dict)
    # Whose codings ``codings`` holds, and the filters in words: what every table says.
    counted: Counted | None = None
    filters: str = ""

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
    out = codings.copy(deep=False)
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
        spoken = data.codings["speaker"].cat
        # Keys: the speaker's category code, shifted by one so "no speaker" (-1) is 0.
        names = {0: NONE_LABEL, **{i + 1: str(c) for i, c in enumerate(spoken.categories)}}
        keys = spoken.codes.to_numpy().astype(np.int64) + 1
        return _indexed(by, labels, keys, names, per.reindex(labels).to_numpy())
    if by == "coder":
        if data.coder_sources is None:
            raise ValueError("a breakdown by coder needs StudyData.coder_sources")
        cs = data.coder_sources[data.coder_sources["source_id"].isin(src["source_id"])]
        per = cs.groupby("coder_id")["source_id"].nunique()
        coders = zip(data.coders["coder_id"], data.coders["coder"], strict=True)
        named = {int(i): str(n) for i, n in coders}
        ids = [i for i in named if i in per.index]
        keys = data.codings["coder_id"].to_numpy(np.int64)
        sizes = per.reindex(ids).to_numpy()
        return _indexed(by, [named[i] for i in ids], keys, named, sizes)
    column = "source" if by == "source" else by
    raw = src[column].astype(object)
    values = raw.where(raw.notna() & (raw.astype(str).str.strip() != ""), NONE_LABEL).astype(str)
    labels = list(values) if by == "source" else sorted(set(values), key=_natural)
    per = values.value_counts().reindex(labels).fillna(0).to_numpy()
    names = {int(i): v for i, v in zip(src["source_id"], values, strict=True)}
    keys = data.codings["source_id"].to_numpy(np.int64)
    return _indexed(by, labels, keys, names, per)


def _indexed(
    by: str, labels: list[str], keys: np.ndarray, names: dict[int, str], sizes: np.ndarray
) -> Groups:
    """Group index per coding from small integer ``keys`` (ids, category codes) through a
    lookup array: no string is touched per coding. Keys without a group get -1."""
    position = {label: i for i, label in enumerate(labels)}
    size = max([*names, int(keys.max()) if len(keys) else 0]) + 1
    lookup = np.full(size, -1, dtype=np.int64)
    for key, label in names.items():
        lookup[key] = position.get(label, -1)
    index = lookup[keys] if len(keys) else np.zeros(0, dtype=np.int64)
    return Groups(by, labels, index, sizes.astype(np.int64))


def _natural(label: str) -> tuple[int, float, str]:
    """Numbers in numeric order (2, 10), then text; the empty-value group last."""
    if label == NONE_LABEL:
        return (2, 0.0, label)
    try:
        return (0, float(label), label)
    except ValueError:
        return (1, 0.0, label.casefold())
