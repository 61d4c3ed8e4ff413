"""SVG snapshots of the workbench's screens on the coded demo at 80x24 and 200x50, so a
change of layout (a name cut again, a column gone) shows as a picture in review.

The pictures are compared with those under ``tests/__snapshots__/test_tui_snapshots/``
(pytest-textual-snapshot; a failure writes ``snapshot_report.html`` to compare them side by
side). After an intended change of a screen, draw them again and look at the new ones:

    pytest tests/test_tui_snapshots.py --snapshot-update

They are deterministic: the demo is built from the shipped files with the fixed coder
``demo``, no clock is shown, and each picture is taken once every worker (the suggester,
the reports, the comparison) has finished. Textual is pinned in the ``test`` extra, as
another version draws other pictures.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path

import pytest
from textual.pilot import Pilot
from textual.widgets import DataTable

from qualcode.project import Project
from qualcode.tui.app import QualcodeApp
from qualcode.tui.screens.codebook import CodebookScreen
from qualcode.tui.screens.reconcile import ReconcileScreen
from qualcode.tui.screens.reports import ReportsScreen
from qualcode.tui.screens.review import ReviewScreen
from qualcode.tui.widgets.charts import FrequencyChart
from qualcode.tui.widgets.code_tree import CodeTree
from tests.conftest import coding_screen, copy_project, suggestions_shown, wait_for

SIZES = {"80x24": (80, 24), "200x50": (200, 50)}


@pytest.fixture(scope="module")
def queued_demo_file(coded_demo_file: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The coded demo with the review queue filled (as ``f`` on Review fills it), once:
    scoring every uncoded sentence takes a while."""
    path = copy_project(coded_demo_file, tmp_path_factory.mktemp("queued"), "queued.qcdb")
    with Project.open(path) as project:
        project.suggestions.queue_suggestions(min_precision=0.8)
    return path


async def settled(pilot: Pilot) -> None:
    """Every worker done and no table loading: nothing left to move on the screen."""
    app = pilot.app
    await app.workers.wait_for_complete()
    await wait_for(
        pilot,
        lambda: not any(t.loading for t in app.screen.query(DataTable)),
        "the tables",
    )
    await app.workers.wait_for_complete()
    await pilot.pause()


async def coding(pilot: Pilot) -> None:
    screen = await coding_screen(pilot)
    await pilot.press("]", "]")  # the student's first turn: a status line with a speaker
    await suggestions_shown(pilot, screen)
    await settled(pilot)


async def codebook(pilot: Pilot) -> None:
    app = pilot.app
    await pilot.press("f4")
    await wait_for(pilot, lambda: isinstance(app.screen, CodebookScreen), "the codebook")
    tree = app.screen.query_one(CodeTree)
    await wait_for(pilot, lambda: tree.cursor_node is not None, "the tree's cursor")
    await pilot.press("down", "down")  # a code with passages: the table below is filled
    await settled(pilot)


async def reports(pilot: Pilot) -> None:
    app = pilot.app
    await pilot.press("f5")
    await wait_for(
        pilot,
        lambda: (
            isinstance(app.screen, ReportsScreen)
            and bool(app.screen.query_one(FrequencyChart).labels)
        ),
        "the reports",
    )
    await settled(pilot)


async def reconcile(pilot: Pilot) -> None:
    app = pilot.app
    await pilot.press("f6")
    await wait_for(pilot, lambda: isinstance(app.screen, ReconcileScreen), "reconcile")
    await settled(pilot)
    screen = app.screen
    assert isinstance(screen, ReconcileScreen)
    await wait_for(pilot, lambda: bool(screen.disagreements), "the disagreements")


async def review(pilot: Pilot) -> None:
    app = pilot.app
    await pilot.press("f7")
    await wait_for(pilot, lambda: isinstance(app.screen, ReviewScreen), "review")
    await settled(pilot)


SCREENS: dict[str, Callable[[Pilot], Awaitable[None]]] = {
    "coding": coding,
    "codebook": codebook,
    "reports": reports,
    "reconcile": reconcile,
    "review": review,
}


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("screen", SCREENS)
def test_screen(snap_compare, queued_demo_file: Path, tmp_path: Path, screen: str, size: str):
    project = Project.open(copy_project(queued_demo_file, tmp_path))
    try:
        app = QualcodeApp(project, source="interview_01")
        assert snap_compare(app, terminal_size=SIZES[size], run_before=SCREENS[screen])
    finally:
        project.close()
