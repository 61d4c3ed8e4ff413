"""The terminal chart widgets, mounted in a bare app and fed the study's real tables."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from textual.app import App, ComposeResult

from qualcode.tui.widgets.charts import CooccurrenceHeatMap, FrequencyChart, short
from tests.analysis_study import build_study


@pytest.fixture(scope="module")
def tables(tmp_path_factory: pytest.TempPathFactory):
    with build_study(tmp_path_factory.mktemp("tui-study")) as p:
        return p.frequencies(), p.cooccurrence(unit="turn"), p.frequencies(code="Unused")


class ChartsApp(App[None]):
    def __init__(self, freq, pairs):
        super().__init__()
        self.freq, self.pairs = freq, pairs

    def compose(self) -> ComposeResult:
        yield FrequencyChart(self.freq, id="bars")
        yield CooccurrenceHeatMap(self.pairs, id="heat")


def rendered(widget) -> str:
    return widget.plt.build() if hasattr(widget.plt, "build") else ""


def test_charts_draw_the_tables_and_redraw_on_new_data(tables, capfd):
    freq, pairs, empty = tables

    async def scenario() -> None:
        app = ChartsApp(freq, pairs)
        async with app.run_test(size=(100, 40)) as pilot:
            bars = app.query_one("#bars", FrequencyChart)
            heat = app.query_one("#heat", CooccurrenceHeatMap)
            await pilot.pause()
            assert bars.labels == ["Awareness", "Barriers", "Time", "Money"]
            assert bars.values == [3.0, 3.0, 2.0, 2.0]
            assert "Awareness" in rendered(bars)
            assert heat.codes[0] == "Awareness"
            assert heat.cells[0][heat.codes.index("Barriers/Time")] == 0.5
            assert "Time" in rendered(heat)
            bars.show_table(empty)
            heat.show_table(pairs.iloc[:0])
            await pilot.pause()
            assert bars.labels == [] and "nothing coded" in rendered(bars)
            assert "no codes co-occur" in rendered(heat)

    asyncio.run(scenario())
    assert "Awareness" not in capfd.readouterr().out  # nothing printed over the screen


def test_short_labels():
    assert short("Barriers/Time") == "Time"
    assert short("x" * 40).endswith("…") and len(short("x" * 40)) == 24


def test_the_widget_module_is_inside_the_tui_package():
    path = Path(__file__).resolve().parent.parent / "qualcode" / "tui" / "widgets" / "charts.py"
    assert path.is_file()
