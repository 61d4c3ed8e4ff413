"""Tables as people read them in a paper: codes as an indented tree, shares as "n of N (p%)",
headers in words, no internal ids.

The report tables (:mod:`qualcode.analysis.frequencies`, ``cooccurrence``, ``quotes``) are
for machines: ids, paths, exact floats. :func:`people_table` turns one of them into what a
workbook, a Markdown file, a Word document, a study report or a screen shows, and nothing
else decides that, so every front end shows the same table:

- a code is shown by its own name, indented one level under an ancestor shown above it
  (``Awareness and publicity`` then ``Awareness`` at level 1); a code whose ancestors are not
  in the table keeps its whole path, so no name is ambiguous. Co-occurrence pairs, which
  are not in codebook order, keep whole paths.
- ``code_id``, ``coding_id``, ``parent``, ``depth`` and the offsets are dropped; of a share
  only ``sources_text`` ("3 of 4 (75%)", the rule of :func:`frequencies.percent_texts`)
  stays; other fractions are text with a fixed number of decimals (no 83.33333333333333).
- headers are words: Code, Codings, Passages, Sources, Speakers, Quote, Reference.

pandas at module level: the facade imports this module inside its methods only.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from qualcode.model import join_path, split_path

INDENT = "\u2003"  # an em space per level: Markdown and HTML keep it, unlike spaces

HEADERS = {
    "code": "Code",
    "codings": "Codings",
    "passages": "Passages",
    "sources": "Sources",
    "sources_text": "Sources",
    "sources_pct": "Sources (%)",
    "speakers": "Speakers",
    "source": "Source",
    "speaker": "Speaker",
    "coder": "Coder",
    "kind": "Kind",
    "text": "Quote",
    "reference": "Reference",
    "code_a": "Code",
    "code_b": "With code",
    "jaccard": "Jaccard index (0-1)",
    "total": "Total",
}
# What co-occurrence counts, by unit (``frame.attrs["unit"]``, set by ``cooccurrence``).
COUNT_HEADERS = {
    "overlap": "Overlapping passages",
    "turn": "Turns with both",
    "sentence": "Sentences with both",
}
_HIDDEN = {"parent", "depth"}
# The reference says where a quote is; the exact text is one flag away (--verbatim makes the
# shown quote the exact one), so a file for people shows one quote, not two.
_QUOTE_HIDDEN = {"kind", "turn", "start", "end", "verbatim"}
_SHARE_PARTS = {"sources", "of_sources", "sources_pct"}  # sources_text says all three


@dataclass(frozen=True)
class PeopleTable:
    """A table as shown to people.

    Attributes:
        title: the table's heading in words ("Frequencies by kind").
        frame: text and whole numbers only, headers in words; the code column holds each
            code's shown name without its indentation.
        indent: per row, the level the code column is indented by (all 0 without one).
        code_column: the header of the indented column, or None.
        numeric: per column, whether it holds figures (to be aligned right).
    """

    title: str
    frame: pd.DataFrame
    indent: list[int]
    code_column: str | None
    numeric: list[bool]

    def indented(self, prefix: str = INDENT) -> pd.DataFrame:
        """The frame with ``prefix`` repeated ``level`` times before each code name: for
        plain-text renderings (Markdown, a terminal) that have no indent of their own."""
        if self.code_column is None:
            return self.frame
        names = self.frame[self.code_column].tolist()
        shown = [prefix * level + name for level, name in zip(self.indent, names, strict=True)]
        return self.frame.assign(**{self.code_column: shown})


def for_people(name: str, frame: pd.DataFrame) -> pd.DataFrame:
    """The table ``name`` as people read it (see the module docstring); the indent levels
    of its code column are :func:`people_table`'s ``indent``."""
    return people_table(name, frame).frame


def people_table(name: str, frame: pd.DataFrame) -> PeopleTable:
    """The report table ``name`` (frequencies, frequencies_by_X, cooccurrence, matrix,
    crosstab, quotes, or any frame with such columns) for people."""
    pivot = "value" in frame.attrs or name in ("matrix", "crosstab")
    columns = [str(c) for c in frame.columns]
    keep = [c for c in columns if _shown(c, columns, pivot)]
    group = _group_column(columns)
    if group is not None and "code" in keep:  # the code first, then its breakdown
        keep.remove(group)
        keep.insert(keep.index("code") + 1, group)
    out = frame.loc[:, keep].copy()
    out.columns = keep
    indent = [0] * len(out)
    if "code" in keep:
        shown = code_tree(out["code"].astype(str).tolist())
        out["code"] = [s for s, _ in shown]
        indent = [level for _, level in shown]
    # A pivot's cells hold the value it was asked for (``sources_pct`` gives percentages in
    # every group's column, whose names are the groups').
    value = str(frame.attrs.get("value", "")) if pivot else ""
    for col in keep:
        out[col] = _cells(out[col], value if value and col != "code" else col)
    headers = [_header(c, pivot, frame.attrs) for c in keep]
    numeric = [_is_figures(out[c]) for c in keep]
    out.columns = headers
    return PeopleTable(
        title=title(name, frame),
        frame=out.reset_index(drop=True),
        indent=indent,
        code_column=HEADERS["code"] if "code" in keep else None,
        numeric=numeric,
    )


def code_tree(paths: Sequence[str]) -> list[tuple[str, int]]:
    """Per row, the code's shown name and its indent level: its own name one level under
    the nearest ancestor shown in an earlier row, else its whole path at level 0.

    >>> code_tree(["A", "A/B", "A/B/C", "X/Y", r"A/B\\/D"])
    [('A', 0), ('B', 1), ('C', 2), ('X/Y', 0), ('B/D', 1)]

    A shown name is a name as written (its ``/`` not escaped); a shown path stays escaped.
    """
    level_of: dict[str, int] = {}
    out: list[tuple[str, int]] = []
    for path in paths:
        parts = split_path(path)
        k = next((k for k in range(len(parts) - 1, 0, -1) if join_path(parts[:k]) in level_of), 0)
        above = join_path(parts[:k])
        # A code right under one shown, or at the top, shows its name as written; one whose
        # parent is not shown, the rest of its path.
        shown = parts[-1] if k == len(parts) - 1 else path[len(above) + 1 if k else 0 :]
        level = level_of[above] + 1 if k else 0
        level_of.setdefault(path, level)
        out.append((shown, level))
    return out


def title(name: str, frame: pd.DataFrame) -> str:
    """The heading of a table in words."""
    attrs = frame.attrs
    if name.startswith("frequencies_by_"):
        return f"Frequencies by {name.removeprefix('frequencies_by_')}"
    if "value" in attrs:
        value = HEADERS.get(str(attrs["value"]), str(attrs["value"])).lower()
        return f"{name.capitalize()}: {value} per code and {attrs.get('by', 'group')}"
    if name == "cooccurrence":
        unit = COUNT_HEADERS.get(str(attrs.get("unit", "")), "")
        return f"Co-occurrence ({unit.lower()})" if unit else "Co-occurrence"
    return name.replace("_", " ").capitalize()


def about(frames: Sequence[pd.DataFrame]) -> dict[str, Any]:
    """What the tables count, from their ``attrs`` (set by the facade, see
    :mod:`qualcode.analysis.counted`): ``counted`` (the sentence), ``coders`` and ``filters``
    (words, ``""`` for none). Tables that say different things (put together by hand) have
    each sentence once, in order."""
    frames = list(frames)
    coders = [c for f in frames for c in f.attrs.get("coders", [])]
    return {
        "counted": " ".join(dict.fromkeys(_counted(f) for f in frames if _counted(f))),
        "coders": list(dict.fromkeys(coders)),
        "filters": "; ".join(
            dict.fromkeys(f.attrs["filters"] for f in frames if f.attrs.get("filters"))
        ),
    }


def _counted(frame: pd.DataFrame) -> str:
    counted = frame.attrs.get("counted")
    return counted if isinstance(counted, str) else " ".join(map(str, counted or []))


def about_lines(frames: Sequence[pd.DataFrame]) -> list[str]:
    """The lines a file for people writes above its tables: whose codings they count, and
    the filters that chose them."""
    said = about(frames)
    lines = [said["counted"]] if said["counted"] else []
    if said["filters"]:
        lines.append(f"Filters: {said['filters']}.")
    return lines


def software() -> str:
    """``qualcode 0.1.0``: what a file for people names as the software that wrote it."""
    from qualcode import __version__

    return f"qualcode {__version__}"


def provenance_lines(frames: Sequence[pd.DataFrame]) -> list[tuple[str, str]]:
    """(field, value) lines saying whose codings the tables count, how they were chosen,
    when and by which qualcode: for a workbook's "about" sheet."""
    from datetime import datetime

    said = about(frames)
    return [
        ("counted", said["counted"]),
        ("coders", ", ".join(said["coders"])),
        ("filters", said["filters"] or "none"),
        ("written", datetime.now().astimezone().isoformat(timespec="seconds")),
        ("software", software()),
    ]


def _shown(col: str, columns: list[str], pivot: bool) -> bool:
    if col.endswith("_id"):
        return False
    if pivot:
        return True  # the group columns are named after values: never hidden
    if col in _HIDDEN:
        return False
    if col in _SHARE_PARTS and "sources_text" in columns:
        return False
    return not (col in _QUOTE_HIDDEN and "reference" in columns)


def _group_column(columns: list[str]) -> str | None:
    """The breakdown column of a frequency table: the one before ``code_id``."""
    if "code_id" in columns and columns.index("code_id") == 1:
        return columns[0]
    return None


def _header(col: str, pivot: bool, attrs: dict[Any, Any]) -> str:
    if pivot:
        return HEADERS[col] if col in ("code", "total") else col
    if col == "count":
        return COUNT_HEADERS.get(str(attrs.get("unit", "")), "Count")
    return HEADERS.get(col, col.replace("_", " ").capitalize() if col.islower() else col)


def _cells(column: pd.Series, name: str) -> pd.Series:
    """Whole numbers stay numbers; fractions become text (percentages with one decimal,
    indices with two); missing values become empty text."""
    values = column.tolist()
    if pd.api.types.is_integer_dtype(column.dtype):
        return pd.Series([int(v) for v in values], index=column.index, dtype=object)
    if pd.api.types.is_float_dtype(column.dtype):
        return pd.Series([_fraction(v, name) for v in values], index=column.index, dtype=object)
    return pd.Series(["" if missing(v) else str(v) for v in values], index=column.index)


def _fraction(value: float, name: str) -> Any:
    if math.isnan(value):
        return ""
    if name.endswith("_pct"):
        return f"{value:.1f}%"
    if float(value).is_integer():
        return int(value)
    return f"{value:.2f}"


def missing(value: Any) -> bool:
    """Whether a cell holds no value (None, NaN, pandas' NA)."""
    return value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value))


_FIGURE = r"^(?:[<>]?\d+(?:\.\d+)?%?|\d+ of \d+(?: \([<>]?\d+(?:\.\d)?%\))?)?$"


def _is_figures(column: pd.Series) -> bool:
    """Whether every cell is a number, a percentage or an "n of N (p%)" share."""
    if len(column) == 0:
        return False
    text = pd.Series([str(v) for v in column.tolist()], dtype=object)
    return bool(np.all(text.str.fullmatch(_FIGURE).to_numpy(bool)))
