"""Layout that fits names, driven through Pilot on the coded demo at 80x24 and 200x50: the
codebook panes, the Reports bars, heat map and table show every code name whole or wrapped
(never cut mid-word), Reconcile with one coder says why it is empty, and the coding status
line says where the selection is in words."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import DataTable, Static

from qualcode.model import Code
from qualcode.project import Project
from qualcode.tui.app import QualcodeApp
from qualcode.tui.screens.codebook import CodebookScreen
from qualcode.tui.widgets.charts import CooccurrenceHeatMap, FrequencyChart
from qualcode.tui.widgets.code_tree import CodeTree
from qualcode.tui.widgets.status import StatusLine
from tests.conftest import coding_screen, copy_project, wait_for
from tests.test_tui_reports import reports_screen

SMALL, LARGE = (80, 24), (200, 50)
NAME = "Confidentiality and hierarchy"


def shown_lines(tree: CodeTree) -> list[str]:
    """The tree's lines as they are on the screen (cut at its edge)."""
    return [tree.render_line(y).text.rstrip() for y in range(tree.size.height)]


def shown_codes(tree: CodeTree) -> list[tuple[str, Code]]:
    """Each line in view with the code it is of."""
    out = []
    for y, line in enumerate(shown_lines(tree)):
        node = tree.get_node_at_line(tree.scroll_offset.y + y)
        if node is not None and node.data is not None:
            out.append((line, node.data))
    return out


def count_of(project: Project, name: str) -> int:
    book = project.codebook.book()
    return project.codebook.code_counts()[book.find(name)[0].id]


async def codebook_tree(app: QualcodeApp, pilot) -> CodeTree:
    await pilot.press("f4")
    await wait_for(pilot, lambda: isinstance(app.screen, CodebookScreen), "the codebook")
    tree = app.screen.query_one(CodeTree)
    await wait_for(pilot, lambda: tree.cursor_node is not None, "the tree")
    await pilot.pause()
    return tree


@pytest.mark.parametrize("size", [SMALL, LARGE])
async def test_the_codebook_panes_show_whole_names_and_their_counts(
    coded_demo_project: Project, size: tuple[int, int]
):
    project = coded_demo_project
    counts = project.codebook.code_counts()
    book = project.codebook.book()
    app = QualcodeApp(project, source="interview_01")
    async with app.run_test(size=size) as pilot:
        screen = await coding_screen(pilot)
        side = screen.query_one(CodeTree)
        await pilot.pause()
        trees = [("coding", side), ("codebook", await codebook_tree(app, pilot))]
        for where, tree in trees:
            text = "\n".join(shown_lines(tree))
            assert f"{NAME} {count_of(project, NAME)}" in text, (where, text)
            lines = shown_codes(tree)
            assert len(lines) >= min(len(book), tree.size.height), where  # the pane is full
            for line, code in lines:  # every name in view whole, its count if it has one
                count = counts.get(code.id)
                assert line.endswith(f"{code.name} {count}" if count else code.name), where


LONG = "Feeling that one's questions would waste a busy consultant's time"


def coded_long_name(project: Project) -> Code:
    """A code of the demo whose name is too long for half the screen (under Participation),
    on one passage of interview_01."""
    code = project.codebook.add_code(LONG, project.codebook.book().find("Participation")[0].id)
    project.coding.apply("interview_01", *project.sources.sentences("interview_01")[2], code.id)
    return code


async def test_a_name_too_long_for_half_the_screen_is_shortened_at_a_word(
    coded_demo_project: Project,
):
    project = coded_demo_project
    code = coded_long_name(project)
    app = QualcodeApp(project)
    async with app.run_test(size=SMALL) as pilot:
        tree = await codebook_tree(app, pilot)
        tree.select_code(code.id)
        await pilot.pause()
        line = next(ln for ln in shown_lines(tree) if "Feeling" in ln)
        # cut after a whole word, the count still in view
        assert line.endswith("… 1") and line.split("…")[0].split()[-1] in LONG.split()
        assert tree.tooltip == f"Participation/{LONG} · 1 coding"
        details = str(app.screen.query_one("#code-text", Static).render())
        assert f"Participation/{LONG}" in details and "1 coding" in details


@pytest.mark.parametrize("size", [SMALL, LARGE])
async def test_reports_charts_show_every_name_whole_or_wrapped(
    coded_demo_project: Project, size: tuple[int, int]
):
    app = QualcodeApp(coded_demo_project)
    async with app.run_test(size=size) as pilot:
        screen = await reports_screen(pilot)
        bars = screen.query_one(FrequencyChart)
        heat = screen.query_one(CooccurrenceHeatMap)
        await wait_for(pilot, lambda: bars.size.height > 3 and heat.size.width, "the charts")
        drawn = {"bars": bars.render().plain, "heat map": heat.render_grid().plain}
        names = {"bars": bars.labels, "heat map": [c.rsplit("/", 1)[-1] for c in heat.codes]}
        for chart, text in drawn.items():
            assert "…" not in text, chart
            words = text.split()
            for name in names[chart]:
                assert all(word in words for word in name.split()), (chart, name)
        if size == LARGE:  # the room for every name on its line
            motivation = next(ln for ln in drawn["bars"].splitlines() if "Motivation" in ln)
            assert motivation.startswith("  Motivation to participate ")
            assert motivation.rstrip().endswith(" 19") and "█" in motivation
            for name in names["heat map"]:
                assert any(name in ln for ln in drawn["heat map"].splitlines()), name


async def test_the_reports_table_wraps_a_long_name(coded_demo_project: Project):
    coded_long_name(coded_demo_project)
    app = QualcodeApp(coded_demo_project)
    async with app.run_test(size=SMALL) as pilot:
        screen = await reports_screen(pilot)
        table = screen.query_one("#frequencies", DataTable)
        cells = [str(table.get_row_at(i)[0]) for i in range(table.row_count)]
        cell = next(c for c in cells if "Feeling" in c)
        assert " ".join(cell.replace("■", "").split()) == LONG


async def test_reconcile_with_one_coder_says_why_it_is_empty(tmp_path: Path, demo_file: Path):
    with Project.open(copy_project(demo_file, tmp_path, "one.qcdb")) as project:
        s = project.sources.sentences("interview_01")
        project.coding.apply("interview_01", *s[1], "Awareness")
        project.coding.apply("interview_01", *s[2], "Awareness")
        app = QualcodeApp(project)
        async with app.run_test(size=SMALL) as pilot:
            await pilot.press("f6")
            await app.workers.wait_for_complete()
            note = app.screen.query_one("#reconcile-empty", Static)
            await wait_for(pilot, lambda: note.display, "the note")
            said = " ".join(str(note.render()).split())
            assert "Only demo has coded so far (2 codings)" in said
            assert "need the codings of two coders" in said and "qualcode merge" in said
            assert not any(t.display for t in app.screen.query(DataTable))


async def test_the_status_line_says_which_turn_of_how_many_and_who(demo_project: Project):
    turns = demo_project.sources.turns("interview_01")
    student = next(t for t in turns if t.speaker == "STUDENT")
    app = QualcodeApp(demo_project, source="interview_01")
    async with app.run_test(size=LARGE) as pilot:
        screen = await coding_screen(pilot)
        await pilot.press("]", "]")  # the first turn of STUDENT
        line = screen.query_one(StatusLine)
        await wait_for(pilot, lambda: "STUDENT" in line.text, "the student's turn")
        sentence = screen.view.selection
        assert line.text == (
            f"interview_01 · turn {student.index} of {turns[-1].index} · STUDENT · coder demo"
            f" · characters {sentence[0]}–{sentence[1]}"
        )
