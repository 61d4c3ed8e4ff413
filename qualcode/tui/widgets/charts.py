"""Terminal charts for the Reports screen: frequencies as bars, co-occurrence as a heat map.

Both are drawn as text (bars of block characters; a grid of numbers in shaded cells) from
the DataFrames of :mod:`qualcode.analysis` (the ``frequencies`` and ``cooccurrence``
tables): the parent calls :meth:`FrequencyChart.show_table` or
:meth:`CooccurrenceHeatMap.show_table`, and the widget redraws. They read column values
only, so pandas is never imported here (the TUI starts without it).

Code names are never cut: a name too long for the width the chart has wraps onto a second
line (:mod:`qualcode.tui.widgets.labels`), so the charts are as tall as their wrapped labels.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual.geometry import Size
from textual.widget import Widget
from textual.widgets import Static

from qualcode.tui.widgets.labels import own_name, wrap_name

if TYPE_CHECKING:
    import pandas as pd

MIN_BAR = 10  # the room for the longest bar, at the least: names wrap to leave it
MIN_NAME = 14  # the name column, at the least, however narrow the chart


class FrequencyChart(Widget):
    """Horizontal bars, one per code, of a frequency table's ``value`` column.

    Drawn as text, not as a plot: a plot squeezes more bars than it has lines into the
    lines it has, dropping labels and misplacing bars. Here each code has its line (two
    if its name wraps), a child indented under its parent, its count at the end of its
    bar; the axis counts in whole numbers and ends at the largest value. The widget is as
    tall as its bars and is meant to sit in a scrolling container, so every code is
    reachable.

    Args:
        table: a ``frequencies`` DataFrame (optional; see :meth:`show_table`).
        value: the column to draw: ``passages`` (default), ``sources``, ``codings`` ...
    """

    DEFAULT_CSS = "FrequencyChart { height: auto; }"

    def __init__(
        self,
        table: pd.DataFrame | None = None,
        *,
        value: str = "passages",
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self.value = value
        self.labels: list[str] = []
        self.depths: list[int] = []
        self.values: list[float] = []
        self._load(table)

    def show_table(self, table: pd.DataFrame, *, value: str | None = None) -> None:
        """Draw ``table``, optionally another of its columns."""
        if value is not None:
            self.value = value
        self._load(table)
        self.refresh(layout=True)

    def _load(self, table: pd.DataFrame | None) -> None:
        if table is None:
            self.labels, self.depths, self.values = [], [], []
        else:
            self.labels = [own_name(str(c)) for c in table["code"].tolist()]
            depths = table["depth"].tolist() if "depth" in table else [0] * len(table)
            self.depths = [int(d) for d in depths]
            self.values = [float(v) for v in table[self.value].tolist()]

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        """A line per bar and per wrapped line of a name, the title and the axis (two)."""
        if not self.labels:
            return 1
        return len(self._rows(width)[0]) + 3

    def _rows(self, width: int) -> tuple[list[tuple[str, int, float | None]], int, int]:
        """The lines beside the axis, each ``(name part, depth, value or None)`` (a value on
        the first line of a name, None on the lines its name wraps onto), the width of the
        name column, and the room for the longest bar."""
        top = int(max(self.values))
        names = ["  " * d + label for d, label in zip(self.depths, self.labels, strict=True)]
        tail = len(str(top)) + 2  # " 132" and a space to spare
        # Names whole where the width allows a bar of MIN_BAR beside them, else wrapped
        # (at words: the column keeps the longest word, on a wrapped line's indent).
        words = max(
            len(f"{'  ' * d}  {w} ")
            for d, label in zip(self.depths, self.labels, strict=True)
            for w in label.split() or [""]
        )
        left = max(min(max(len(n) for n in names) + 1, width - tail - MIN_BAR), MIN_NAME, words)
        room = max(width - left - tail, MIN_BAR)
        rows: list[tuple[str, int, float | None]] = []
        for depth, label, v in zip(self.depths, self.labels, self.values, strict=True):
            indent = "  " * depth
            parts = wrap_name(label, left - 1 - len(indent))
            rows.append((indent + parts[0], depth, v))
            rows.extend((indent + "  " + part, depth, None) for part in parts[1:])
        return rows, left, room

    def render(self) -> Text:
        title = f"{self.value} per code"
        if not self.labels:
            return Text(f"{title}: nothing coded", style="bold")
        top = int(max(self.values))
        rows, left, room = self._rows(self.size.width)
        out = Text(title + "\n", style="bold")
        for name, depth, v in rows:
            out.append(f"{name:<{left}}", style="" if depth else "bold")
            if v is None:
                out.append("\n")
                continue
            length = round(room * v / top) if top else 0
            out.append("█" * length, style="dim" if not depth else "")
            out.append(f" {int(v)}\n")
        ticks = count_ticks(top)
        where = [round(room * t / top) if top else 0 for t in ticks]
        axis = ["─"] * (room + 1)
        numbers = [" "] * (room + len(str(top)) + 1)
        free = len(numbers) + 1  # numbers are placed from the last (the largest) back
        for t, at in reversed(list(zip(ticks, where, strict=True))):
            axis[at] = "┴" if at else "└"
            text = str(t)
            begin = min(max(at - len(text) // 2, 0), len(numbers) - len(text))
            if begin + len(text) < free:  # a space to the next number, or left out
                numbers[begin : begin + len(text)] = list(text)
                free = begin
        out.append(" " * left + "".join(axis) + "\n", style="dim")
        out.append(" " * left + "".join(numbers).rstrip(), style="dim")
        return out


def count_ticks(top: int, most: int = 5) -> list[int]:
    """Whole-number ticks from 0 that end at ``top``: 1, 2 or 5 times a power of ten apart,
    at most ``most`` of them, the last one ``top`` itself."""
    if top <= 0:
        return [0]
    step = 1
    while top / step > most - 1:
        step = _next_step(step)
    ticks = list(range(0, top, step))
    if ticks and top - ticks[-1] < step / 2 and len(ticks) > 1:
        ticks.pop()  # too close to the end to read apart from it
    return [*ticks, top]


def _next_step(step: int) -> int:
    """1, 2, 5, 10, 20, 50 ..."""
    digits = str(step)
    lead, zeros = int(digits[0]), len(digits) - 1
    return (2 if lead == 1 else 5 if lead == 2 else 10) * 10**zeros


class CooccurrenceHeatMap(Static):
    """A code x code heat map of a co-occurrence table: every cell shows its value.

    Drawn as text, not as a plot: a terminal has room for a number in each cell, and a
    reader needs the number, with the shade (by ``jaccard``) only to find the large ones.
    Rows are the codes in the most pairs, numbered; columns carry the same numbers; a name
    too long to leave the grid in view wraps under itself. It is as large as its grid and
    is meant to sit in a scrolling container.

    Args:
        table: a ``cooccurrence`` DataFrame (optional; see :meth:`show_table`).
        value: the number shown: ``count`` (default, passages coded with both) or
            ``jaccard`` (shown as a percentage).
        limit: at most this many codes, those in the most pairs.
    """

    def __init__(
        self,
        table: pd.DataFrame | None = None,
        *,
        value: str = "count",
        limit: int = 15,
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self.value, self.limit = value, limit
        self.codes: list[str] = []
        self.cells: list[list[float]] = []
        self.shares: list[list[float]] = []
        self._load(table)

    def show_table(self, table: pd.DataFrame, *, value: str | None = None) -> None:
        """Draw ``table``, optionally showing another of its columns."""
        if value is not None:
            self.value = value
        self._load(table)

    def _load(self, table: pd.DataFrame | None) -> None:
        if table is None:
            self.codes, self.cells, self.shares = [], [], []
        else:
            pairs = list(
                zip(
                    table["code_a"].tolist(),
                    table["code_b"].tolist(),
                    table[self.value].tolist(),
                    table["jaccard"].tolist(),
                    strict=True,
                )
            )
            seen: dict[str, int] = {}
            for a, b, _, _ in pairs:
                seen[a] = seen.get(a, 0) + 1
                seen[b] = seen.get(b, 0) + 1
            codes = sorted(seen, key=lambda c: -seen[c])[: self.limit]
            where = {c: i for i, c in enumerate(codes)}
            cells = [[0.0] * len(codes) for _ in codes]
            shares = [[0.0] * len(codes) for _ in codes]
            for a, b, v, j in pairs:
                if a in where and b in where:
                    i, k = where[a], where[b]
                    cells[i][k] = cells[k][i] = float(v)
                    shares[i][k] = shares[k][i] = float(j)
            self.codes, self.cells, self.shares = codes, cells, shares
        self.refresh(layout=True)

    def render(self) -> Text:
        return self.render_grid()

    def _room(self) -> int:
        """The width the grid has: its scrolling container's (its own is its content's)."""
        parent = self.parent
        if isinstance(parent, Widget) and parent.size.width:
            return parent.scrollable_content_region.width
        return self.app.size.width if self.is_attached else 80

    def render_grid(self, room: int | None = None) -> Text:
        """The title, a header of column numbers, and a row per code, its name wrapped to
        leave the grid ``room`` cells (by default the container's width) where it can."""
        title = "co-occurrence: passages where two codes overlap (count)"
        if self.value != "count":
            title = f"co-occurrence: {self.value} (%, 0-100)"
        if not self.codes:
            return Text(f"{title}: no codes co-occur", style="bold")
        top = max((v for row in self.shares for v in row), default=0.0) or 1.0
        width = max(len(self._cell(v)) for row in self.cells for v in row) + 1
        width = max(width, len(str(len(self.codes))) + 1, 3)
        names = [own_name(c) for c in self.codes]
        grid = width * len(self.codes)
        room = self._room() if room is None else room
        longest = max(len(n) for n in names)
        # Names whole where the grid still fits beside them, else wrapped (the grid then
        # scrolls sideways at the least width a name column keeps).
        word = max(len(w) for n in names for w in n.split() or [""])
        fit = max(min(longest, room - grid - 4), min(longest, MIN_NAME), word)
        label = fit + 4
        out = Text(title + "\n", style="bold")
        out.append(" " * label + "".join(f"{k + 1:>{width}}" for k in range(len(self.codes))))
        for i, name in enumerate(names):
            parts = wrap_name(name, fit)
            out.append(f"\n{i + 1:>2} {parts[0]:<{label - 3}}")
            for k, v in enumerate(self.cells[i]):
                if i == k:
                    out.append(f"{'·':>{width}}", style="dim")
                    continue
                r, g, b = _shade(self.shares[i][k] / top)
                ink = "black" if self.shares[i][k] / top < 0.5 else "white"
                out.append(f"{self._cell(v):>{width}}", style=f"{ink} on rgb({r},{g},{b})")
            for part in parts[1:]:
                out.append(f"\n   {part}")
        self._scale(out, max((v for row in self.cells for v in row), default=0.0))
        return out

    def _scale(self, out: Text, top: float) -> None:
        """A line under the grid saying what the shades mean, from 0 to ``top``, the
        largest value shown."""
        out.append("\nscale: ")
        for step in range(5):
            r, g, b = _shade(step / 4)
            out.append("  ", style=f"on rgb({r},{g},{b})")
        shown = self._cell(top) if self.value == "count" else f"{self._cell(top)}%"
        out.append(f"  0 (light) to {shown} (dark)", style="dim")

    def _cell(self, v: float) -> str:
        if self.value == "count":
            return str(int(v))
        return str(round(100 * v))


def _shade(share: float) -> tuple[int, int, int]:
    """White (0) to dark blue (1)."""
    light, dark = (240, 244, 250), (8, 48, 107)
    return (
        round(light[0] + (dark[0] - light[0]) * share),
        round(light[1] + (dark[1] - light[1]) * share),
        round(light[2] + (dark[2] - light[2]) * share),
    )
