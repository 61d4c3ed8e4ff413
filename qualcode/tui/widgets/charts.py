"""Terminal charts for the Reports screen: frequencies as bars, co-occurrence as a heat map.

Both are ``textual-plotext`` plots fed the DataFrames of :mod:`qualcode.analysis` (the
``frequencies`` and ``cooccurrence`` tables): the parent calls :meth:`FrequencyChart.show_table`
or :meth:`CooccurrenceHeatMap.show_table`, and the widget redraws. They read column values
only, so pandas is never imported here (the TUI starts without it).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from textual_plotext import PlotextPlot

if TYPE_CHECKING:
    import pandas as pd

MAX_LABEL = 24  # code names are cut to this in axis labels; a terminal is narrow


def short(path: str) -> str:
    """The last part of a code path, cut to :data:`MAX_LABEL` characters."""
    name = path.rsplit("/", 1)[-1]
    return name if len(name) <= MAX_LABEL else name[: MAX_LABEL - 1] + "…"


class _TableChart(PlotextPlot):
    """A plot of one analysis table: the parent calls :meth:`show_table`, it redraws."""

    def __init__(
        self,
        table: pd.DataFrame | None,
        *,
        value: str,
        name: str | None,
        id: str | None,
        classes: str | None,
    ) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self.value = value
        self._load(table)

    def show_table(self, table: pd.DataFrame, *, value: str | None = None) -> None:
        """Draw ``table``, optionally another of its columns."""
        if value is not None:
            self.value = value
        self._load(table)
        self.replot()

    def on_mount(self) -> None:
        self.replot()

    def _load(self, table: pd.DataFrame | None) -> None:
        raise NotImplementedError

    def replot(self) -> None:
        raise NotImplementedError


class FrequencyChart(_TableChart):
    """Horizontal bars, one per code, of a frequency table's ``value`` column.

    Args:
        table: a ``frequencies`` DataFrame (optional; see :meth:`show_table`).
        value: the column to draw: ``sources`` (default), ``passages``, ``codings`` ...
    """

    def __init__(
        self,
        table: pd.DataFrame | None = None,
        *,
        value: str = "sources",
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(table, value=value, name=name, id=id, classes=classes)

    def _load(self, table: pd.DataFrame | None) -> None:
        if table is None:
            self.labels: list[str] = []
            self.values: list[float] = []
            return
        self.labels = [short(str(c)) for c in table["code"].tolist()]
        self.values = [float(v) for v in table[self.value].tolist()]

    def replot(self) -> None:
        plt = self.plt
        plt.clear_figure()
        title = f"{self.value} per code"
        if not self.labels:
            plt.title(f"{title}: nothing coded")
        else:
            # plotext draws the first bar at the bottom: reverse to read top down.
            plt.bar(self.labels[::-1], self.values[::-1], orientation="horizontal", width=0.6)
            plt.title(title)
        self.refresh()


class CooccurrenceHeatMap(_TableChart):
    """A code x code heat map of a co-occurrence table's ``jaccard`` (or ``count``).

    Args:
        table: a ``cooccurrence`` DataFrame (optional; see :meth:`show_table`).
        value: ``jaccard`` (default) or ``count``.
        limit: at most this many codes, those in the most pairs, so cells stay readable.
    """

    def __init__(
        self,
        table: pd.DataFrame | None = None,
        *,
        value: str = "jaccard",
        limit: int = 15,
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        self.limit = limit
        super().__init__(table, value=value, name=name, id=id, classes=classes)

    def _load(self, table: pd.DataFrame | None) -> None:
        if table is None:
            self.codes: list[str] = []
            self.cells: list[list[float]] = []
            return
        pairs = list(
            zip(
                table["code_a"].tolist(),
                table["code_b"].tolist(),
                table[self.value].tolist(),
                strict=True,
            )
        )
        seen: dict[str, int] = {}
        for a, b, _ in pairs:
            seen[a] = seen.get(a, 0) + 1
            seen[b] = seen.get(b, 0) + 1
        codes = sorted(seen, key=lambda c: -seen[c])[: self.limit]
        where = {c: i for i, c in enumerate(codes)}
        cells = [[0.0] * len(codes) for _ in codes]
        for a, b, v in pairs:
            if a in where and b in where:
                cells[where[a]][where[b]] = cells[where[b]][where[a]] = float(v)
        self.codes, self.cells = codes, cells

    def replot(self) -> None:
        plt = self.plt
        plt.clear_figure()
        title = f"co-occurrence ({self.value})"
        flat = [v for row in self.cells for v in row]
        if not flat or max(flat) == min(flat):
            plt.title(f"{title}: no codes co-occur")
        else:
            # Drawn cell by cell, as plotext's own heatmap does, but without its print()
            # (which would write over the screen) and with the first code at the top.
            top, n = max(flat), len(self.codes)
            # textual-plotext types the corners as floats; plotext takes [low, high] pairs.
            rectangle: Any = plt.rectangle
            for r, row in enumerate(self.cells):
                for c, v in enumerate(row):
                    rectangle(
                        [c - 0.5, c + 0.5],
                        [n - 1 - r - 0.5, n - 1 - r + 0.5],
                        marker="sd",
                        color=_shade(v / top if top else 0.0),
                        fill=True,
                    )
            labels = [short(c) for c in self.codes]
            plt.xticks(list(range(n)), labels)
            plt.yticks(list(range(n)), labels[::-1])
            plt.title(title)
        self.refresh()


def _shade(share: float) -> tuple[int, int, int]:
    """White (0) to dark blue (1)."""
    light, dark = (240, 244, 250), (8, 48, 107)
    return (
        round(light[0] + (dark[0] - light[0]) * share),
        round(light[1] + (dark[1] - light[1]) * share),
        round(light[2] + (dark[2] - light[2]) * share),
    )
