"""What a researcher meets in the first hour with the workbench, driven through Pilot: the
coded demo on every screen, what undo says, speaker names, footers that fit, the move
dialog, suggestions, turn numbers and the reports' charts. Checked on the screen where the
point is what the user sees, in the project where it is what was saved."""

from __future__ import annotations

import pytest
from textual.containers import VerticalScroll
from textual.widgets import DataTable, Input, Label, OptionList
from typer.testing import CliRunner

from qualcode.cli import app as cli
from qualcode.model import Suggestion
from qualcode.project import Project
from qualcode.tui.app import QualcodeApp
from qualcode.tui.screens.codebook import CodebookScreen
from qualcode.tui.screens.dialogs import CodeFinder
from qualcode.tui.screens.help import HelpScreen
from qualcode.tui.screens.reconcile import ReconcileScreen
from qualcode.tui.screens.reports import ReportsScreen
from qualcode.tui.widgets.charts import CooccurrenceHeatMap, FrequencyChart
from qualcode.tui.widgets.code_tree import CodeTree
from qualcode.tui.widgets.footer import KeyLine
from qualcode.tui.widgets.status import StatusLine
from qualcode.tui.widgets.suggestions import SuggestionPanel
from qualcode.tui.widgets.transcript import TranscriptView
from tests.conftest import coding_screen, suggestions_shown, wait_for, wait_for_toast

SIZE = (100, 30)


@pytest.fixture
def coded(coded_demo_project: Project) -> Project:
    return coded_demo_project


@pytest.fixture
def blank(demo_project: Project) -> Project:
    return demo_project


def status(app: QualcodeApp) -> str:
    return app.screen.query_one(StatusLine).text


def typed(app: QualcodeApp) -> str:
    """What is typed in the dialog shown (its first input)."""
    found = app.screen.query(Input)
    return found.first().value if found else ""


async def shown(app: QualcodeApp, pilot, key: str) -> None:
    """Press ``key`` (F2..F6) and wait until its screen has read the project."""
    await pilot.press(key)
    await app.workers.wait_for_complete()
    await wait_for(
        pilot,
        lambda: not any(t.loading for t in app.screen.query(DataTable)),
        f"the screen of {key}",
    )


async def test_the_coded_demo_shows_agreement_and_disagreements_at_once(coded: Project):
    app = QualcodeApp(coded)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await shown(app, pilot, "f6")
        screen = app.screen
        assert isinstance(screen, ReconcileScreen)
        assert sorted(screen.coders) == ["anna", "ben"]
        summary = screen.query_one("#agreement", DataTable)
        rows = [[str(c) for c in summary.get_row_at(i)] for i in range(summary.row_count)]
        assert rows[-1][0] == "overall" and len(rows) == 18 + 1  # every leaf code, then all
        assert screen.query_one("#disagreements", DataTable).row_count == 408


async def test_undo_says_which_code_it_removed_and_where(blank: Project):
    app = QualcodeApp(blank, source="interview_01")
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        screen = await coding_screen(pilot)
        await pilot.press("]", "]")  # turn 2, the student's first words
        span = screen.view.selection
        await pilot.press("a")
        await pilot.press("down", "down")  # the user moves on before undoing
        await pilot.press("ctrl+z")
        await wait_for(pilot, lambda: status(app).startswith("✓ undid"), "the undo")
        assert blank.coding.codings() == []
        assert status(app).startswith(f"✓ undid: removed Awareness from turn 2, {span[0]}–")
        assert screen.view.selection == span  # the passage it came off is selected
        await pilot.press("ctrl+y")
        await wait_for(pilot, lambda: status(app).startswith("✓ redid"), "the redo")
        assert status(app).startswith("✓ redid: put back Awareness on turn 2")
        assert len(blank.coding.codings()) == 1


async def test_speaker_names_are_whole_or_initials_with_the_name_in_the_status(blank: Project):
    for width, shown in ((120, "Prof. Lindqvist"), (80, "Prof. L.")):
        app = QualcodeApp(blank, source="panel_01")
        async with app.run_test(size=(width, 30), notifications=True) as pilot:
            screen = await coding_screen(pilot)
            view = screen.query_one(TranscriptView)
            gutters = {line.gutter for line in view.lines if line.gutter_kind == "speaker"}
            assert shown in gutters
            assert not any(g.startswith("Prof. Lind") and g != shown for g in gutters)
            lindqvist = next(
                t for t in blank.sources.turns("panel_01") if t.speaker == "Prof. Lindqvist"
            )
            screen._select((lindqvist.start, lindqvist.end))
            line = screen.query_one(StatusLine)
            await wait_for(pilot, lambda line=line: " · Prof. Lindqvist · " in line.text)


async def resize(pilot, footer: KeyLine, width: int) -> None:
    await pilot.resize_terminal(width, 30)
    await wait_for(pilot, lambda: footer.size.width == width, f"the footer at {width} columns")


async def test_every_footer_fits(coded: Project):
    """At 80 and 120 columns; each screen is read once and the terminal resized under it
    (reading the reconcile and reports screens of the coded demo takes most of the time)."""
    app = QualcodeApp(coded, source="interview_01")
    async with app.run_test(size=(80, 30), notifications=True) as pilot:
        for key in ("f2", "f3", "f4", "f5", "f6"):
            await shown(app, pilot, key)
            footer = app.screen.query_one(KeyLine)
            for width in (80, 120):
                await resize(pilot, footer, width)
                assert 0 < footer.text_width <= width, (key, width, footer.text_width)
            await resize(pilot, footer, 80)


async def test_a_click_on_a_footer_key_presses_it(coded: Project):
    """The footer is one line of text: a click on a key's words presses the key, and the
    pointer over it shows what the key does."""
    app = QualcodeApp(coded, source="interview_01")
    async with app.run_test(size=(120, 30), notifications=True) as pilot:
        await coding_screen(pilot)
        footer = app.screen.query_one(KeyLine)
        plain = footer.render().plain
        x = plain.index("? Help") + 2
        assert footer.key_at(x) is not None and footer.key_at(x).key == "question_mark"
        await pilot.hover(KeyLine, offset=(x, 0))
        assert footer.tooltip
        await pilot.click(KeyLine, offset=(x, 0))
        await wait_for(pilot, lambda: isinstance(app.screen, HelpScreen), "the help")


async def test_the_move_dialog_takes_the_first_match_or_says_nothing_matched(blank: Project):
    app = QualcodeApp(blank)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await pilot.press("f4")
        await wait_for(pilot, lambda: isinstance(app.screen, CodebookScreen))
        screen = app.screen
        assert isinstance(screen, CodebookScreen)
        tree = screen.query_one(CodeTree)
        await wait_for(pilot, lambda: tree.code is not None, "the tree's cursor")
        tree.select_code(blank.codebook.code("Awareness").id)
        await pilot.press("m", *"partic")
        await wait_for(pilot, lambda: typed(app) == "partic", "the query")
        assert isinstance(app.screen, CodeFinder)
        options = app.screen.query_one(OptionList)
        assert "Participation" in str(options.get_option_at_index(0).prompt)
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.screen is screen, "the finder to close")
        book = blank.codebook.book()
        assert book.path(blank.codebook.code("Awareness")) == "Participation/Awareness"
        await wait_for(
            pilot, lambda: tree.code == blank.codebook.code("Awareness"), "the moved code"
        )
        await pilot.press("m", *"zzzq", "enter")
        await wait_for_toast(pilot, "No code matches 'zzzq'", "warning")
        assert isinstance(app.screen, CodeFinder)  # still open, and it says why
        assert "nothing matches" in str(
            app.screen.query_one(OptionList).get_option_at_index(0).prompt
        )
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is screen, "the finder to close")
        # an empty query leads with "(top level)", as before
        await pilot.press("m", "enter")
        await wait_for(pilot, lambda: app.screen is screen, "the finder to close")
        assert blank.codebook.book().path(blank.codebook.code("Awareness")) == "Awareness"


async def test_the_panel_does_not_suggest_codes_the_passage_has(blank: Project):
    app = QualcodeApp(blank, source="interview_01")
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        screen = await coding_screen(pilot)
        await pilot.press("]", "]")  # the student's first turn, two sentences
        await pilot.press("enter")  # to its first sentence
        await pilot.press("a")  # Awareness on the first sentence only
        await pilot.press("enter")  # back to the whole turn: Awareness covers less than half
        await suggestions_shown(pilot, screen)  # the suggester's own list, replaced below
        s, e = screen.view.selection

        def offer(code: str) -> Suggestion:
            c = blank.codebook.code(code)
            return Suggestion(1, s, e, blank.codebook.book().path(c), 0.5, "test", (), c.id)

        screen._show_suggestions((s, e), [offer("Awareness"), offer("Time constraints")])
        panel = screen.query_one(SuggestionPanel)
        assert [x.label for x in panel.suggestions] == ["Participation/Time constraints"]
        await pilot.press("t")  # applying it takes it off the list at once
        await wait_for(pilot, lambda: status(app).startswith("✓ coded Time"), "the coding")
        assert panel.suggestions == []


async def test_turn_numbers_are_those_of_qualcode_turns(blank: Project):
    listed = CliRunner().invoke(
        cli, ["turns", str(blank.context.path), "interview_01", "--format", "csv"]
    )
    line = next(x for x in listed.output.splitlines() if ",STUDENT," in x)
    number = int(line.split(",")[0])
    app = QualcodeApp(blank, source="interview_01")
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await coding_screen(pilot)
        await pilot.press("]", "]")  # the first turn of STUDENT
        await wait_for(pilot, lambda: f" · turn {number} of " in status(app), "the status")


async def test_reports_charts_count_passages_and_reach_every_code(coded: Project):
    app = QualcodeApp(coded)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await shown(app, pilot, "f5")
        screen = app.screen
        assert isinstance(screen, ReportsScreen)
        bars = screen.query_one(FrequencyChart)
        # A line per code (two where a name wraps at 80 columns), the title and the axis.
        await wait_for(
            pilot,
            lambda: bars.size.height == len(bars.render().plain.splitlines()) >= 23 + 3,
            "the chart laid out",
        )
        assert len(bars.labels) == 23  # every code, parents too
        lines = bars.render().plain.splitlines()
        assert lines[1].startswith("Awareness and") and lines[1].endswith(" 46")
        assert lines[-1].split()[-1] == "132"  # the axis ends at the largest count
        scroll = bars.parent
        assert isinstance(scroll, VerticalScroll)
        assert bars.size.height > scroll.size.height  # taller than its window...
        scroll.focus()
        await pilot.press("end")
        # ...and scrolls to its end (the scroll is animated: wait for it to arrive)
        await wait_for(
            pilot, lambda: scroll.scroll_y == scroll.max_scroll_y > 0, "the scroll to the end"
        )
        heat = screen.query_one(CooccurrenceHeatMap)
        row = heat.render_grid().plain.splitlines()[2].split()
        assert row[0] == "1" and all(x.isdigit() or x == "·" for x in row[3:])
        # the values are the table's: the codes in the most pairs meet this often
        pairs = coded.reports.cooccurrence()
        a, b = heat.codes[0], heat.codes[1]
        hit = pairs[
            (pairs.code_a == a) & (pairs.code_b == b) | (pairs.code_a == b) & (pairs.code_b == a)
        ]
        assert heat.cells[0][1] == float(hit["count"].sum())


async def test_the_finder_filter_is_typed_into_its_input(blank: Project):
    """Typing in the move dialog goes to its query, not to the codebook behind it."""
    app = QualcodeApp(blank)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await pilot.press("f4")
        await wait_for(pilot, lambda: isinstance(app.screen, CodebookScreen))
        tree = app.screen.query_one(CodeTree)
        await wait_for(pilot, lambda: tree.code is not None, "the tree's cursor")
        await pilot.press("m", *"time")
        await wait_for(pilot, lambda: isinstance(app.screen, CodeFinder), "the finder")
        assert typed(app) == "time"


async def test_the_panel_says_when_suggestions_are_being_worked_out(blank: Project):
    """A slow answer (here, the suggester busy with another passage) is said to be
    worked on; a quick one shows without the panel saying so first (two repaints saved)."""
    app = QualcodeApp(blank, source="interview_01")
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        screen = await coding_screen(pilot)
        title = screen.query_one("#suggestions-title", Label)
        await suggestions_shown(pilot, screen)  # the first passage's suggestions
        source = screen.source
        assert source is not None
        # A passage the suggester is asked about (not a header, courtesy or question).
        span = next(s for s in screen.shown if blank.suggestions.why_none(source.id, *s) is None)
        screen._select(span)
        assert str(title.render()) == "Suggestions"  # asked once the cursor rests
        assert screen._settling is not None
        screen._settling.stop()
        screen._rescore()  # as after a refit: the passage is scored again, in the worker
        with screen._suggesting:  # busy: the answer waits
            screen._ask(screen.view.selection)  # the cursor has rested: asked
            assert str(title.render()) == "Suggestions"
            await wait_for(
                pilot, lambda: str(title.render()) == "Suggestions (working…)", "working"
            )
        await app.workers.wait_for_complete()
        await wait_for(pilot, lambda: str(title.render()) == "Suggestions", "the title")
        titles = set()
        screen._rescore()
        screen._ask(screen.view.selection)  # not busy: answered at once
        while screen.answered is None or screen.workers:
            titles.add(str(title.render()))
            await pilot.pause(0.01)
        assert titles == {"Suggestions"}
