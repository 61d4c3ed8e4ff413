"""The reports screen driven through Pilot: the frequency table after coding, a breakdown,
and the export of every table to a workbook."""

from __future__ import annotations

import contextlib
from pathlib import Path

import pandas as pd
import pytest
from textual.widgets import DataTable, Input, Static
from textual.worker import WorkerFailed

from qualcode.project import Project
from qualcode.tui.app import QualcodeApp
from qualcode.tui.screens.reports import ReportsScreen
from qualcode.tui.widgets.charts import CooccurrenceHeatMap, FrequencyChart
from tests.conftest import copy_project, wait_for, wait_for_toast

SIZE = (100, 30)


@pytest.fixture
def coded(demo_file: Path, tmp_path: Path):
    """The demo with Awareness on three sentences of one interview and two of another,
    and Time constraints on two of those."""
    with Project.open(copy_project(demo_file, tmp_path)) as project:
        for name, count in (("interview_01", 3), ("interview_02", 2)):
            for a, b in project.sources.sentences(name)[1 : 1 + count]:
                project.coding.apply(name, a, b, "Awareness")
        for a, b in project.sources.sentences("interview_01")[1:3]:
            project.coding.apply("interview_01", a, b, "Time constraints")
        yield project


async def reports_screen(pilot) -> ReportsScreen:
    """The reports screen, once its tables are computed and shown."""
    app = pilot.app
    await pilot.press("f5")
    await app.workers.wait_for_complete()
    await wait_for(
        pilot,
        lambda: (
            isinstance(app.screen, ReportsScreen) and app.screen.query_one(FrequencyChart).values
        ),
        "the reports",
    )
    assert isinstance(app.screen, ReportsScreen)
    return app.screen


def rows(table: DataTable) -> dict[str, list[str]]:
    out = {}
    for i in range(table.row_count):
        cells = [str(c) for c in table.get_row_at(i)]
        out[cells[0].strip().removeprefix("■ ")] = cells[1:]
    return out


async def test_the_table_counts_passages_sources_and_speakers(coded: Project):
    app = QualcodeApp(coded)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        screen = await reports_screen(pilot)
        table = screen.query_one("#frequencies", DataTable)
        got = rows(table)
        assert len(got) == len(coded.codebook.book())
        # passages, codings, sources, speakers
        # Speakers: interview_01 opens with a heading no one speaks, then INTERVIEWER;
        # interview_02's first two sentences are I's and R's.
        assert got["Awareness"] == ["5", "5", "2 of 11 (18%)", "3"]
        assert got["Time constraints"] == ["2", "2", "1 of 11 (9%)", "0"]
        assert got["Participation"][:3] == ["2", "2", "1 of 11 (9%)"]  # its subtree
        assert got["Motivation to participate"][:3] == ["0", "0", "0 of 11 (0%)"]
        assert screen.query_one(FrequencyChart).values  # the bars are drawn
        assert screen.query_one(CooccurrenceHeatMap).codes
        await pilot.press("b")
        await wait_for(pilot, lambda: app.screen is not screen, "the breakdown's choices")
        await pilot.press("down", "enter")  # by kind
        await app.workers.wait_for_complete()
        await wait_for(pilot, lambda: "by kind" in screen.query_one("#reports-status").text)
        head = [str(c.label) for c in table.columns.values()]
        assert head[:2] == ["kind", "code"]
        # Every coded code has a row per kind, the panels' zero included: a breakdown
        # that dropped a group without codings would hide the groups that differ.
        assert table.row_count == 4 * 2  # Awareness, its parent, Time constraints, its parent
        shown = [[str(c) for c in table.get_row_at(i)] for i in range(table.row_count)]
        awareness = [(r[0], r[4]) for r in shown if r[1].strip().endswith("■ Awareness")]
        assert awareness == [("expert_panel", "0 of 2 (0%)"), ("interview", "2 of 9 (22%)")]


async def test_export_writes_every_table_to_a_workbook(coded: Project, tmp_path: Path):
    target = tmp_path / "out" / "tables.xlsx"
    target.parent.mkdir()
    app = QualcodeApp(coded)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        screen = await reports_screen(pilot)
        await pilot.press("x")
        await wait_for(pilot, lambda: app.screen is not screen, "the prompt")
        prompt = app.screen.query_one(Input)
        assert prompt.value.endswith("demo-tables.xlsx")  # beside the project by default
        prompt.value = str(target)
        await pilot.press("enter")
        await wait_for_toast(pilot, f"Wrote the tables to {target}.")
        await pilot.press("x")
        await wait_for(pilot, lambda: app.screen is not screen, "the prompt")
        app.screen.query_one(Input).value = str(tmp_path / "tables.nope")
        await pilot.press("enter")
        # The export fails, as it should; whether waiting on it re-raises that depends on
        # whether it has finished by then, so the failure is checked on the screen below.
        with contextlib.suppress(WorkerFailed):
            await app.workers.wait_for_complete()
        await wait_for_toast(pilot, "tables.nope", "error")
    sheets = pd.read_excel(target, sheet_name=None)
    assert {"frequencies", "cooccurrence", "matrix", "crosstab", "quotes"} <= set(sheets)
    freq = sheets["frequencies"].set_index("Code")  # own names: Awareness under its parent
    assert freq.loc["Awareness", "Passages"] == 5
    assert len(sheets["quotes"]) == 7


async def test_the_line_above_the_table_says_whose_codings_and_o_chooses(
    coded_demo_project: Project,
):
    app = QualcodeApp(coded_demo_project)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        screen = await reports_screen(pilot)
        counted = screen.query_one("#reports-counted", Static)
        table = screen.query_one("#frequencies", DataTable)
        assert "Pools 2 coders, anna and ben" in str(counted.render())
        assert rows(table)["Awareness"][1] == "46"  # codings: anna's 21 and ben's 25
        shown = []
        for _ in range(4):  # anna, ben, all, and back to the default
            await pilot.press("o")
            await app.workers.wait_for_complete()
            await wait_for(pilot, lambda: not table.loading, "the table")
            shown.append((str(counted.render()).split(":")[0], rows(table)["Awareness"][1]))
        assert shown == [
            ("Counts the codings of anna.", "21"),
            ("Counts the codings of ben.", "25"),
            ("Pools every coder (--coder all), 2", "46"),
            ("Pools 2 coders, anna and ben", "46"),
        ]
