"""The reconcile screen (F6) driven through Pilot: two coders' agreement, their disagreements
settled one by one or all at once, checked through the project as the coder ``agreed``."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import DataTable, Static

from qualcode.project import Project
from qualcode.tui.app import QualcodeApp
from qualcode.tui.screens.reconcile import ReconcileScreen
from qualcode.tui.widgets.status import StatusLine
from tests.conftest import copy_project, toasts, wait_for, wait_for_toast

SIZE = (100, 30)
SOURCE = "interview_01"


@pytest.fixture
def team(demo_file: Path, tmp_path: Path):
    """ann and ben agree on Awareness in sentence 2; ann alone has it in sentence 1, ben
    alone has Time constraints in sentence 3 and Information channels in sentence 4."""
    with Project.open(copy_project(demo_file, tmp_path)) as project:
        s = project.sources.sentences(SOURCE)
        project.coding.apply(SOURCE, *s[1], "Awareness", coder="ann")
        project.coding.apply(SOURCE, *s[2], "Awareness", coder="ann")
        project.coding.apply(SOURCE, *s[2], "Awareness", coder="ben")
        project.coding.apply(SOURCE, *s[3], "Time constraints", coder="ben")
        project.coding.apply(SOURCE, *s[4], "Information channels", coder="ben")
        yield project


def agreed(project: Project) -> set[tuple[str, int, int]]:
    return {
        (seg.code.rsplit("/", 1)[-1], seg.coding.start, seg.coding.end)
        for seg in project.coding.codings(coder="agreed")
    }


async def open_team(app: QualcodeApp, pilot) -> ReconcileScreen:
    await pilot.press("f6")
    await app.workers.wait_for_complete()
    await wait_for(pilot, lambda: isinstance(app.screen, ReconcileScreen), "the reconcile screen")
    screen = app.screen
    assert isinstance(screen, ReconcileScreen) and screen.title == "Reconcile"
    await wait_for(pilot, lambda: not screen.table.loading, "the comparison")
    return screen


async def test_disagreements_settled_one_by_one_go_to_the_agreed_coder(team: Project):
    s = team.sources.sentences(SOURCE)
    app = QualcodeApp(team)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        screen = await open_team(app, pilot)
        assert screen.coders == ["ben", "ann"]  # the two who coded most, most first
        summary = screen.query_one("#agreement", DataTable)
        rows = [[str(c) for c in summary.get_row_at(i)] for i in range(summary.row_count)]
        assert rows[-1][0] == "overall"
        assert {r[0] for r in rows[:-1]} == {  # own names: kappa fits in 80 columns
            "Awareness",
            "Information channels",
            "Time constraints",
        }
        where = {
            (d.code.rsplit("/", 1)[-1], d.start): i for i, d in enumerate(screen.disagreements)
        }
        assert set(where) == {
            ("Awareness", s[1][0]),
            ("Time constraints", s[3][0]),
            ("Information channels", s[4][0]),
        }
        table = screen.table
        status = screen.query_one("#reconcile-status", StatusLine)
        assert "3 disagreements, 3 open" in str(status.render())
        table.move_cursor(row=where[("Awareness", s[1][0])])
        await pilot.press("b")  # the second coder's (ann's) version: coded
        # The counts follow each decision at once, without leaving the screen.
        await wait_for(pilot, lambda: "3 disagreements, 2 open" in str(status.render()))
        table.move_cursor(row=where[("Time constraints", s[3][0])])
        await pilot.press("n")  # nobody's: not coded
        table.move_cursor(row=where[("Information channels", s[4][0])])
        await pilot.press("p")  # the whole passage
        await wait_for(pilot, lambda: len(screen.settled) == 3, "three settled")
        assert "3 disagreements, 0 open" in str(status.render())
        marks = [str(table.get_row_at(i)[0]) for i in range(table.row_count)]
        assert sorted(marks) == ["✓ ann", "✓ none", "✓ passage"]
        # Read again (as on a later visit): the decision log says what is settled, how.
        screen.settled.clear()
        screen.reload()
        await app.workers.wait_for_complete()
        await wait_for(pilot, lambda: not table.loading and table.row_count, "the comparison")
        marks = [str(table.get_row_at(i)[0]) for i in range(table.row_count)]
        assert sorted(marks) == ["✓ ann", "✓ none", "✓ passage"]
        assert not toasts(app, "error")
    # ann's Awareness in sentence 1 joins the Awareness both coded in sentence 2.
    aware = [s[1][0], s[2][1]] if team.sources.get(SOURCE).text[s[1][1] : s[2][0]].isspace() else []
    assert aware, "sentences 1 and 2 are apart by white space only"
    assert agreed(team) == {
        ("Awareness", *aware),
        ("Information channels", *s[4]),
    }
    assert [d.kind for d in team.team.decisions()] == ["agreements", "pick", "pick", "pick"]


async def test_a_decided_passage_is_replaced_only_when_asked(team: Project):
    s = team.sources.sentences(SOURCE)
    app = QualcodeApp(team)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        screen = await open_team(app, pilot)
        table = screen.table
        row = next(i for i, d in enumerate(screen.disagreements) if d.start == s[4][0])
        table.move_cursor(row=row)
        await pilot.press("p")
        await wait_for(pilot, lambda: screen.settled.get(screen.disagreements[row].id) == "passage")
        table.move_cursor(row=row)
        await pilot.press("n")
        await wait_for(pilot, lambda: app.screen is not screen, "the question")
        await pilot.press("down", "enter")  # keep it
        await wait_for(pilot, lambda: app.screen is screen)
        assert screen.settled[screen.disagreements[row].id] == "passage"
        await pilot.press("n")
        await wait_for(pilot, lambda: app.screen is not screen, "the question")
        await pilot.press("enter")  # replace it
        await wait_for(pilot, lambda: screen.settled.get(screen.disagreements[row].id) == "none")
        assert not toasts(app, "error")
    assert ("Information channels", *s[4]) not in agreed(team)
    log = team.team.decisions()
    assert [(d.choice, d.status) for d in log[1:]] == [
        ("passage", f"replaced by #{log[2].id}"),
        ("none", ""),
    ]


async def test_one_coders_version_accepted_for_everything(team: Project):
    app = QualcodeApp(team)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        screen = await open_team(app, pilot)
        await pilot.press("A")
        await wait_for(pilot, lambda: app.screen is not screen, "whose version")
        await pilot.press("enter")  # ben
        await wait_for_toast(pilot, "'agreed' gets ben's version of 3 disagreement(s)")
        await app.workers.wait_for_complete()
    ben = {
        (seg.code.rsplit("/", 1)[-1], seg.coding.start, seg.coding.end)
        for seg in team.coding.codings(coder="ben")
    }
    assert agreed(team) == ben


async def test_fewer_than_two_coders_is_said_not_raised(tmp_path: Path, demo_file: Path):
    with Project.open(copy_project(demo_file, tmp_path, "one.qcdb")) as project:
        project.coding.apply(SOURCE, *project.sources.sentences(SOURCE)[1], "Awareness")
        app = QualcodeApp(project)
        async with app.run_test(size=SIZE, notifications=True) as pilot:
            screen = await open_team(app, pilot)
            await pilot.press("a", "p", "A", "u")
            await app.workers.wait_for_complete()
            await wait_for(pilot, lambda: screen.unit == "turn" and not screen.table.loading)
            assert screen.disagreements == [] and app.is_running
            assert not toasts(app, "error")


async def test_the_highlighted_passage_is_shown_in_full(team: Project):
    app = QualcodeApp(team)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        screen = await open_team(app, pilot)
        table = screen.table
        pane = screen.query_one("#disagreement-passage", Static)
        for row in range(table.row_count):
            table.move_cursor(row=row)
            d = screen.disagreements[row]
            quote = " ".join(d.text.split())
            await wait_for(pilot, lambda q=quote: q in " ".join(str(pane.render()).split()))
            shown = " ".join(str(pane.render()).split())
            assert " ".join(d.text.split()) in shown
            assert d.code in shown and ", ".join(d.coded_by) in shown
