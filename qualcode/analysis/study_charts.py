"""The study report's charts: the CLI's bar chart of frequencies and heat map of
co-occurrence (:mod:`qualcode.analysis.charts`), as SVG text to put inside a web page or as
PNG bytes for a Word document.
"""

from __future__ import annotations

import re
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

# pandas at module level: the facade imports this module inside its methods only,
# so `qualcode --help` never loads it.
import pandas as pd


@dataclass(frozen=True, slots=True)
class Chart:
    """A chart, as ``svg`` text or ``png`` bytes, with what its numbers are."""

    title: str
    caption: str
    format: str
    data: str | bytes


Draw = Callable[[pd.DataFrame, Path], Path]


def _draw(draw_to: Draw, frame: pd.DataFrame, chart_format: str) -> str | bytes:
    """Run a chart function of :mod:`qualcode.analysis.charts` on ``frame`` into a file of
    ``chart_format`` and return its content."""
    with tempfile.TemporaryDirectory(prefix="qualcode-study-") as folder:
        path = Path(folder) / f"chart.{chart_format}"
        draw_to(frame, path)
        if chart_format == "png":
            return path.read_bytes()
        svg = path.read_text(encoding="utf-8")
    # Without the XML prologue, and without matplotlib's metadata (the time it was drawn
    # and its own web address): the page holds the picture only.
    return re.sub(r"<metadata>.*?</metadata>\s*", "", svg[svg.index("<svg") :], flags=re.S)


def bar_chart(freq: pd.DataFrame, chart_format: str) -> Chart | None:
    """The sources of each coded code, as bars (None when nothing is coded)."""
    from qualcode.analysis import charts

    coded = freq[freq["codings"] > 0]
    if not len(coded):
        return None
    return Chart(
        "Sources mentioning each code",
        'Bars: the sources in which each code was applied (the table\'s "sources"); '
        "a parent code counts its whole subtree.",
        chart_format,
        _draw(charts.bar_chart, coded, chart_format),
    )


def heat_map(pairs: pd.DataFrame, chart_format: str) -> Chart | None:
    """The co-occurrence counts as a code x code heat map (None when no codes overlap)."""
    from qualcode.analysis import charts
    from qualcode.analysis.cooccurrence import as_matrix

    if not len(pairs):
        return None
    return Chart(
        "Code co-occurrence",
        "Cells: the number of passages where two codes overlap (counts, not Jaccard).",
        chart_format,
        _draw(charts.heat_map, as_matrix(pairs, "count"), chart_format),
    )
