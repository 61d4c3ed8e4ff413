"""Code names in the workbench: the finder ranks the name typed first, and a name keeps '/'.

Driven through Textual's Pilot on a copy of the example study; the results are checked in
the project (never on the screen).
"""

from __future__ import annotations

from qualcode.project import Project
from qualcode.tui.app import QualcodeApp
from qualcode.tui.screens.codebook import CodebookScreen
from qualcode.tui.screens.coding import CodingScreen
from qualcode.tui.screens.dialogs import CodeFinder
from qualcode.tui.widgets.code_tree import CodeTree
from tests.conftest import coding_screen, toasts, wait_for

SIZE = (100, 30)


async def test_aware_then_enter_applies_awareness_not_its_parent(demo_project: Project):
    """The demo has "Awareness" under "Awareness and publicity": "aware" is the former."""
    app = QualcodeApp(demo_project, source="interview_03")
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        screen = await coding_screen(pilot)
        await pilot.press("N", "enter")  # the first uncoded turn's first sentence
        span = screen.view.selection
        await pilot.press("space")
        await wait_for(pilot, lambda: isinstance(app.screen, CodeFinder), "the finder")
        await pilot.press(*"aware", "enter")
        await wait_for(pilot, lambda: bool(demo_project.coding.codings()), "the coding")
        assert not toasts(app, "error")
    [seg] = demo_project.coding.codings()
    assert (seg.code, (seg.coding.start, seg.coding.end)) == (
        "Awareness and publicity/Awareness",
        span,
    )


async def test_a_code_added_with_a_slash_keeps_it_and_the_finder_applies_it(
    demo_project: Project,
):
    app = QualcodeApp(demo_project, source="interview_03")
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        screen = await coding_screen(pilot)
        await pilot.press("f4")
        await wait_for(pilot, lambda: isinstance(app.screen, CodebookScreen), "the codebook")
        codebook = app.screen
        tree = codebook.query_one(CodeTree)
        await wait_for(pilot, lambda: tree.code is not None, "the tree's cursor")
        tree.select_code(demo_project.codebook.code("Awareness and publicity").id)
        await pilot.press("a", *"Social/Political Advocacy", "enter")
        await wait_for(
            pilot,
            lambda: "Social/Political Advocacy" in [c.name for c in demo_project.codebook.book()],
            "the new code",
        )
        assert not toasts(app, "error")
        await pilot.press("f3")
        await wait_for(pilot, lambda: app.screen is screen, "the coding screen")
        await pilot.press("N", "enter", "space")
        await wait_for(pilot, lambda: isinstance(app.screen, CodeFinder), "the finder")
        await pilot.press(*"social/pol", "enter")
        await wait_for(pilot, lambda: bool(demo_project.coding.codings()), "the coding")
        assert isinstance(app.screen, CodingScreen)
    [seg] = demo_project.coding.codings()
    assert seg.code == "Awareness and publicity/Social\\/Political Advocacy"
    code = demo_project.codebook.code(seg.coding.code_id)
    assert code.name == "Social/Political Advocacy"
