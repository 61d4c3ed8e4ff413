"""The terminal chart widgets, mounted in a bare app and fed the study's real tables."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from textual.app import App, ComposeResult

from qualcode.tui.widgets.charts import (
    CooccurrenceHeatMap,
    FrequencyChart,
    count_ticks,
)
from qualcode.tui.widgets.labels import shorten_name, wrap_name
from tests.analysis_study import build_study
from tests.conftest import wait_for


@pytest.fixture(scope="module")
def tables(tmp_path_factory: pytest.TempPathFactory):
    with build_study(tmp_path_factory.mktemp("tui-study")) as p:
        return (
            p.reports.frequencies(),
            p.reports.cooccurrence(unit="turn"),
            p.reports.frequencies(code="Unused"),
        )


class ChartsApp(App[None]):
    def __init__(self, freq, pairs):
        super().__init__()
        self.freq, self.pairs = freq, pairs

    def compose(self) -> ComposeResult:
        yield FrequencyChart(self.freq, id="bars")
        yield CooccurrenceHeatMap(self.pairs, id="heat")


def rendered(widget) -> str:
    """What the chart shows, as plain text."""
    return (
        widget.render().plain if isinstance(widget, FrequencyChart) else widget.render_grid().plain
    )


def test_charts_draw_the_tables_and_redraw_on_new_data(tables):
    freq, pairs, empty = tables

    async def scenario() -> None:
        app = ChartsApp(freq, pairs)
        async with app.run_test(size=(100, 40)) as pilot:
            bars = app.query_one("#bars", FrequencyChart)
            heat = app.query_one("#heat", CooccurrenceHeatMap)
            await wait_for(pilot, lambda: bars.size.height and heat.size.height, "the layout")
            assert bars.labels == ["Awareness", "Barriers", "Time", "Money"]
            assert bars.values == [3.0, 6.0, 3.0, 2.0]  # passages; a parent counts its subtree
            lines = rendered(bars).splitlines()
            assert lines[0] == "passages per code"
            # one line per code, a child indented under its parent, its count at the end
            assert lines[1].startswith("Awareness ") and lines[1].endswith(" 3")
            assert lines[3].startswith("  Time ") and lines[3].endswith(" 3")
            # the longest bar (6) spans the axis, which counts whole passages up to 6
            assert lines[2].count("█") == lines[5].count("─") + lines[5].count("┴")
            assert lines[6].split() == ["0", "2", "4", "6"]
            assert heat.codes[0] == "Awareness"
            time = heat.codes.index("Barriers/Time")
            assert heat.cells[0][time] == 2.0  # turns coded with both (jaccard 2/4)
            grid = rendered(heat).splitlines()
            assert grid[1].split() == [str(k + 1) for k in range(len(heat.codes))]
            row = grid[2].split()  # " 1 Awareness  ·  n  n ..."
            assert row[:2] == ["1", "Awareness"] and row[2 + time] == "2"
            # what the numbers are, and what the shades mean
            assert grid[0] == "co-occurrence: passages where two codes overlap (count)"
            top = int(max(max(r) for r in heat.cells))
            assert grid[-1].startswith("scale:")
            assert grid[-1].endswith(f"0 (light) to {top} (dark)")
            bars.show_table(empty)
            heat.show_table(pairs.iloc[:0])
            await wait_for(pilot, lambda: "no codes co-occur" in rendered(heat), "the redraw")
            assert bars.labels == [] and "nothing coded" in rendered(bars)
            assert "no codes co-occur" in rendered(heat)

    asyncio.run(scenario())


def test_count_ticks_are_whole_numbers_ending_at_the_largest():
    assert count_ticks(6) == [0, 2, 4, 6]
    assert count_ticks(11) == [0, 5, 11]
    assert count_ticks(132) == [0, 50, 100, 132]
    assert count_ticks(1) == [0, 1]


def test_names_wrap_at_words_and_shorten_at_words():
    assert wrap_name("Confidentiality and hierarchy", 20) == ["Confidentiality and", "hierarchy"]
    assert wrap_name("Time", 20) == ["Time"]
    assert "".join(wrap_name("x" * 30, 12)) == "x" * 30  # one long word: carried on, not lost
    assert shorten_name("Confidentiality and hierarchy", 22) == "Confidentiality and…"
    assert shorten_name("Time constraints", 16) == "Time constraints"


def test_the_widget_module_is_inside_the_tui_package():
    path = Path(__file__).resolve().parent.parent / "qualcode" / "tui" / "widgets" / "charts.py"
    assert path.is_file()
