"""Charts for a paper: frequencies as a bar chart, co-occurrence as a heat map (PNG, SVG).

Drawn with matplotlib's Agg backend on a Figure of our own (no pyplot state, no display), so
it works on a server and in threads. matplotlib is imported inside the functions: it is slow
to load and only charts need it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

CHART_SUFFIXES = (".png", ".svg")


def _figure(width: float, height: float) -> Any:
    from matplotlib.backends.backend_agg import FigureCanvasAgg  # deferred: see docstring
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width, height), layout="constrained")
    FigureCanvasAgg(fig)
    return fig


def bar_chart(
    freq: pd.DataFrame, path: Path, *, value: str = "sources", title: str | None = None
) -> Path:
    """Horizontal bars, one per code (in table order, top down), labelled with the
    ``sources_text`` share when charting sources."""
    fig = _figure(8, max(2.5, 0.35 * len(freq) + 1.2))
    ax = fig.add_subplot()
    labels = freq["code"].astype(str).tolist()
    group = freq.columns[0] if len(freq.columns) and freq.columns[0] != "code_id" else None
    if group is not None:  # broken down: one bar per code and group
        labels = [f"{c} ({g})" for c, g in zip(labels, freq[group].astype(str), strict=True)]
    values = freq[value].to_numpy() if len(freq) else []
    positions = list(range(len(labels)))
    bars = ax.barh(positions, values, color="#4c78a8")
    ax.set_yticks(positions, labels)
    ax.invert_yaxis()
    ax.set_xlabel(value.replace("_", " "))
    if value == "sources" and "sources_text" in freq:
        ax.bar_label(bars, labels=freq["sources_text"].tolist(), padding=3, fontsize=8)
    if len(freq):
        ax.set_xlim(0, max(float(max(values)), 1.0) * 1.3)  # room for the labels
    names = {"sources": "Sources mentioning each code", "passages": "Coded passages per code"}
    ax.set_title(title or names.get(value, f"{value.replace('_', ' ')} per code"))
    ax.spines[["top", "right"]].set_visible(False)
    return _save(fig, path)


def heat_map(matrix: pd.DataFrame, path: Path, *, title: str | None = None) -> Path:
    """A code x code heat map of a co-occurrence matrix (see ``cooccurrence.as_matrix``)."""
    n = len(matrix)
    fig = _figure(max(4.0, 0.45 * n + 2.5), max(3.5, 0.45 * n + 2))
    ax = fig.add_subplot()
    image = ax.imshow(matrix.to_numpy(float) if n else [[0.0]], cmap="viridis", aspect="auto")
    ticks = list(range(n))
    ax.set_xticks(ticks, [str(c) for c in matrix.columns], rotation=60, ha="right", fontsize=8)
    ax.set_yticks(ticks, [str(c) for c in matrix.index], fontsize=8)
    fig.colorbar(image, ax=ax, shrink=0.8)
    ax.set_title(title or "Code co-occurrence")
    return _save(fig, path)


def _save(fig: Any, path: Path) -> Path:
    if path.suffix.lower() not in CHART_SUFFIXES:
        raise ValueError(f"charts are written as .png or .svg, not {path.name!r}")
    fig.savefig(path, dpi=200, metadata={"Software": None} if path.suffix == ".png" else None)
    return path
