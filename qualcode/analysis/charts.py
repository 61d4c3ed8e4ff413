"""Charts for a paper: frequencies as a bar chart (grouped by an attribute: one bar per group),
co-occurrence as a heat map with a labelled scale (PNG, SVG).

Drawn with matplotlib's Agg backend on a Figure of our own (no pyplot state, no display), so
it works on a server and in threads. matplotlib is imported inside the functions: it is slow
to load and only charts need it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

# pandas at module level: the facade imports this module inside its methods only,
# so `qualcode --help` never loads them.
import pandas as pd

from qualcode.model import split_path

CHART_SUFFIXES = (".png", ".svg")


def _figure(width: float, height: float) -> Any:
    from matplotlib.backends.backend_agg import FigureCanvasAgg  # deferred: see docstring
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width, height), layout="constrained")
    FigureCanvasAgg(fig)
    return fig


PARENT_COLOR, CHILD_COLOR = "#9aa5b1", "#4c78a8"
INCH_PER_CHAR = 0.085  # of a 9-10 pt label: the figure widens so that labels fit


def bar_chart(
    freq: pd.DataFrame,
    path: Path,
    *,
    value: str = "sources",
    title: str | None = None,
    subtitle: str | None = None,
) -> Path:
    """Horizontal bars, one per code (in table order, top down), labelled with the
    ``sources_text`` share when charting sources.

    The hierarchy shows: a parent code (its bar counts its whole subtree) is named in
    bold with a grey bar and a gap above it, its children follow under their own names;
    the figure is as wide as its longest label needs.
    """
    labels = _names(freq["code"].astype(str).tolist())
    group = freq.columns[0] if len(freq.columns) and freq.columns[0] != "code_id" else None
    if group is not None:  # broken down: one bar per code and group
        labels = [f"{c} ({g})" for c, g in zip(labels, freq[group].astype(str), strict=True)]
    parents = _is_parent(freq)
    positions: list[float] = []
    at = 0.0
    for i, parent in enumerate(parents):
        if parent and i:
            at += 0.6  # a parent starts a new block
        positions.append(at)
        at += 1.0
    shares = freq["sources_text"].astype(str).tolist() if "sources_text" in freq else []
    longest = max((len(x) for x in labels), default=0)
    ends = max((len(x) for x in shares), default=4) if value == "sources" else 6
    width = max(8.0, 3.5 + INCH_PER_CHAR * (longest + ends))
    fig = _figure(width, max(2.5, 0.35 * (at + 1) + 1.2))
    ax = fig.add_subplot()
    values = freq[value].to_numpy() if len(freq) else []
    colors = [PARENT_COLOR if parent else CHILD_COLOR for parent in parents]
    bars = ax.barh(positions, values, color=colors)
    ax.set_yticks(positions, labels)
    for tick, parent in zip(ax.get_yticklabels(), parents, strict=True):
        tick.set_fontweight("bold" if parent else "normal")
    ax.invert_yaxis()
    ax.set_xlabel(value.replace("_", " "))
    if value == "sources" and shares:
        ax.bar_label(bars, labels=shares, padding=3, fontsize=8)
    else:
        ax.bar_label(bars, padding=3, fontsize=8)
    if len(freq):
        ax.set_xlim(0, max(float(max(values)), 1.0) * 1.3)  # room for the labels
    names = {"sources": "Sources mentioning each code", "passages": "Coded passages per code"}
    _titled(fig, ax, title or names.get(value, f"{value.replace('_', ' ')} per code"), subtitle)
    ax.spines[["top", "right"]].set_visible(False)
    return _save(fig, path)


def _names(paths: list[str]) -> list[str]:
    """Each code's own name (the last part of its path); the whole path where two codes
    share a name."""
    own = [split_path(p)[-1] for p in paths]
    paths_of: dict[str, set[str]] = {}
    for path, name in zip(paths, own, strict=True):
        paths_of.setdefault(name, set()).add(path)
    return [p if len(paths_of[n]) > 1 else n for p, n in zip(paths, own, strict=True)]


def _is_parent(freq: pd.DataFrame) -> list[bool]:
    """Per row, whether the code has children among the rows (a table without the
    hierarchy columns is flat: no parents)."""
    if "code" not in freq or not len(freq):
        return [False] * len(freq)
    paths = set(freq["code"].astype(str))
    return [any(q.startswith(p + "/") for q in paths) for p in freq["code"].astype(str)]


def heat_map(
    matrix: pd.DataFrame,
    path: Path,
    *,
    title: str | None = None,
    scale: str | None = None,
    subtitle: str | None = None,
) -> Path:
    """A code x code heat map of a co-occurrence matrix (see ``cooccurrence.as_matrix``),
    its value written in every cell, codes by their own names; ``scale`` labels the colour
    bar (what the numbers are: see :func:`cooccurrence_labels`)."""
    n = len(matrix)
    names = _names([str(c) for c in matrix.index])
    longest = max((len(x) for x in names), default=0)
    side = max(3.5, 0.5 * n + 1.5) + INCH_PER_CHAR * longest
    fig = _figure(side + 1.0, side)
    ax = fig.add_subplot()
    data = matrix.to_numpy(float) if n else [[0.0]]
    image = ax.imshow(data, cmap="viridis", aspect="auto")
    ticks = list(range(n))
    ax.set_xticks(ticks, names, rotation=60, ha="right", fontsize=8)
    ax.set_yticks(ticks, names, fontsize=8)
    if n:
        top = float(matrix.to_numpy(float).max()) or 1.0
        whole = bool((matrix.to_numpy(float) % 1 == 0).all())
        for r in range(n):
            for c in range(n):
                v = float(data[r][c])
                text = f"{v:.0f}" if whole else f"{v:.2f}".lstrip("0")
                ink = "white" if v < top / 2 else "black"  # viridis is dark at the bottom
                ax.text(c, r, text, ha="center", va="center", fontsize=7, color=ink)
    bar = fig.colorbar(image, ax=ax, shrink=0.8)
    if scale:
        bar.set_label(scale)
    _titled(fig, ax, title or "Code co-occurrence", subtitle)
    return _save(fig, path)


# What a co-occurrence count counts, by unit (see :mod:`qualcode.analysis.cooccurrence`).
_COUNTED = {
    "overlap": ("passages overlapping", "by overlapping passages"),
    "turn": ("turns holding both codes", "within a turn"),
    "sentence": ("sentences holding both codes", "within a sentence"),
}


def cooccurrence_labels(value: str, unit: str) -> tuple[str, str]:
    """The title and the colour scale's label of a heat map of ``value`` (``count`` or
    ``jaccard``) by ``unit``: a reader sees what the numbers are."""
    counted, within = _COUNTED.get(unit, (f"{unit}s holding both codes", f"by {unit}"))
    if value == "count":
        scale = f"count of {counted}"
    else:
        of = "characters" if unit == "overlap" else f"{unit}s"
        scale = f"Jaccard index (0-1): {of} coded with both codes / with either"
    return f"Code co-occurrence {within}", scale


MAX_GROUPS = 10  # one colour each, told apart (matplotlib's tab10)


def grouped_bar_chart(
    freq: pd.DataFrame,
    path: Path,
    *,
    by: str,
    title: str | None = None,
    subtitle: str | None = None,
) -> Path:
    """Horizontal bars of a frequency table broken down by ``by`` (its first column): per
    code, one bar per group, the share of the group's sources coded ("% of sources"), each
    labelled with its ``sources_text``; the legend names each group and its N.

    Codes without a coding in any group are left out; parents are named in bold, as in
    :func:`bar_chart`; the figure is as wide as its labels.

    Raises:
        ValueError: more than :data:`MAX_GROUPS` groups (bars no one could tell apart).
    """
    from matplotlib import colormaps  # deferred: see the module docstring

    coded = freq.groupby("code_id", sort=False)["codings"].transform("sum") > 0
    freq = freq[coded.to_numpy(bool)] if len(freq) else freq
    group_names = [str(g) for g in pd.unique(freq[by])] if len(freq) else []
    if len(group_names) > MAX_GROUPS:
        raise ValueError(
            f"a chart tells at most {MAX_GROUPS} groups apart; {by!r} has "
            f"{len(group_names)} here: choose fewer with --where, or write a table"
        )
    codes = freq.drop_duplicates("code_id")
    labels = _names(codes["code"].astype(str).tolist())
    parents = _is_parent(codes)
    k = max(len(group_names), 1)
    base: list[float] = []
    at = 0.0
    for i, parent in enumerate(parents):
        at += (0.6 if parent and i else 0.0) + (0.8 if i else 0.0)  # a gap between codes
        base.append(at)
        at += k
    shares = freq["sources_text"].astype(str).tolist()
    longest = max((len(x) for x in labels), default=0)
    ends = max((len(x) for x in shares), default=4)
    width = max(8.0, 3.5 + INCH_PER_CHAR * (longest + 1.6 * ends))
    fig = _figure(width, max(3.0, 0.2 * (at + 1) + 2.0))
    ax = fig.add_subplot()
    colors = colormaps["tab10"]
    block = {c: b for c, b in zip(codes["code_id"], base, strict=True)}
    sizes = freq.drop_duplicates(by).set_index(by)["of_sources"] if len(freq) else {}
    for j, group in enumerate(group_names):
        rows = freq[freq[by].astype(str) == group]
        positions = [block[c] + j for c in rows["code_id"]]
        bars = ax.barh(
            positions,
            rows["sources_pct"].fillna(0).to_numpy(float),
            height=0.9,
            color=colors(j),
            label=f"{group} (N={int(sizes[rows[by].iloc[0]])})" if len(rows) else group,
        )
        ax.bar_label(bars, labels=rows["sources_text"].astype(str).tolist(), padding=2, fontsize=7)
    ax.set_yticks([b + (k - 1) / 2 for b in base], labels)
    for tick, parent in zip(ax.get_yticklabels(), parents, strict=True):
        tick.set_fontweight("bold" if parent else "normal")
    ax.set_ylim(at, -1)  # top down, in table order
    ax.set_xlim(0, 135)  # room for the labels after a full bar
    ax.set_xticks([0, 25, 50, 75, 100])
    ax.set_xlabel(f"% of sources (of each {by}) coded")
    ax.spines[["top", "right"]].set_visible(False)
    if group_names:  # under the axes, as many entries a row as fit the width
        entry = INCH_PER_CHAR * max(len(h) for h in ax.get_legend_handles_labels()[1]) + 0.7
        fig.legend(
            loc="outside lower center",
            ncols=max(1, min(k, int(width // entry))),
            title=f"{by} (N = its sources)",
            fontsize=8,
            title_fontsize=8,
        )
    _titled(fig, ax, title or f"Sources mentioning each code, by {by}", subtitle)
    return _save(fig, path)


def _titled(fig: Any, ax: Any, title: str, subtitle: str | None) -> None:
    """The title, and under it in small type the subtitle (whose codings are counted),
    wrapped to the figure's width."""
    if not subtitle:
        ax.set_title(title)
        return
    import textwrap

    fig.suptitle(title)
    width = int(fig.get_figwidth() / INCH_PER_CHAR)
    ax.set_title(textwrap.fill(subtitle, width), fontsize=8, color="#444444")


def _save(fig: Any, path: Path) -> Path:
    if path.suffix.lower() not in CHART_SUFFIXES:
        raise ValueError(f"charts are written as .png or .svg, not {path.name!r}")
    fig.savefig(path, dpi=200, metadata={"Software": None} if path.suffix == ".png" else None)
    return path
