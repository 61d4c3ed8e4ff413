"""A read the project refuses leaves the workbench open: on every screen that reads the
project, ctrl+r with a refused read shows the error in one line, keeps what the screen showed,
and reads again once the project answers. Driven through Pilot on a real project."""

from __future__ import annotations

import pytest
from textual.widgets import DataTable, Tree

from qualcode.errors import ProjectError
from qualcode.project import Project
from qualcode.tui.app import QualcodeApp
from qualcode.tui.widgets.status import StatusLine
from tests.conftest import coding_screen, toasts, wait_for, wait_for_toast

SIZE = (120, 36)
REFUSED = "the server refused the read: permission denied for table codes"


def refuse(*_args: object, **_kwargs: object) -> None:
    raise ProjectError(REFUSED)


def what_is_shown(app: QualcodeApp) -> tuple[object, ...]:
    """The rows of the screen's tables, its trees' codes and its status line."""
    rows = [t.row_count for t in app.screen.query(DataTable)]
    trees = [len(t.root.children) for t in app.screen.query(Tree)]
    status = [s.text for s in app.screen.query(StatusLine)]
    return rows, trees, status


async def read_again(app: QualcodeApp, pilot) -> None:
    """Press ctrl+r and wait until the screen has read (or failed to read) the project."""
    await pilot.press("ctrl+r")
    await app.workers.wait_for_complete()
    await wait_for(
        pilot,
        lambda: not any(t.loading for t in app.screen.query(DataTable)),
        "the screen to read the project",
    )


async def on_screen(app: QualcodeApp, pilot, key: str) -> None:
    """Switch to the screen of ``key`` (F2..F7) and wait until it shows the project."""
    await pilot.press(key)
    if key == "f3":
        await coding_screen(pilot)
    await read_again(app, pilot)


@pytest.mark.parametrize("key", ["f3", "f2", "f4", "f5", "f6", "f7"])
async def test_a_refused_read_is_shown_and_the_screen_keeps_its_data(
    coded_demo_project: Project, monkeypatch: pytest.MonkeyPatch, key: str
):
    project = coded_demo_project
    if key == "f7":  # a queue to review
        assert project.suggestions.queue_suggestions(min_precision=0.4).suggestions > 0
    app = QualcodeApp(project)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await on_screen(app, pilot, key)
        before = what_is_shown(app)
        assert any(before[0]) or any(before[1])  # the screen shows some of the project
        app.clear_notifications()

        # Every screen reads the codebook or the sources list when it reads again.
        monkeypatch.setattr(project.codebook, "book", refuse)
        monkeypatch.setattr(project.sources, "all", refuse)
        await read_again(app, pilot)
        errors = await wait_for_toast(pilot, REFUSED, "error")
        assert app.is_running and app.return_code is None
        assert len([e for e in errors if REFUSED in e]) == 1  # one line, once
        assert what_is_shown(app) == before  # the last good state stays

        monkeypatch.undo()
        app.clear_notifications()
        await pilot.pause()
        await read_again(app, pilot)
        await wait_for_toast(pilot, "Read the project again.")
        assert not toasts(app, "error")
        assert what_is_shown(app) == before
        assert app.is_running


@pytest.mark.parametrize(
    ("screen", "key"),
    [
        ("f3", "space"),
        ("f3", "F"),
        ("f3", "S"),
        ("f3", "O"),
        ("f4", "m"),
        ("f4", "g"),
        ("f4", "c"),
        ("f6", "c"),
    ],
)
async def test_a_key_whose_read_is_refused_says_so_and_opens_nothing(
    coded_demo_project: Project, monkeypatch: pytest.MonkeyPatch, screen: str, key: str
):
    project = coded_demo_project
    app = QualcodeApp(project)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await on_screen(app, pilot, screen)
        shown = app.screen
        monkeypatch.setattr(project.codebook, "book", refuse)
        monkeypatch.setattr(project.sources, "speakers", refuse)
        monkeypatch.setattr(project.sources, "all", refuse)
        monkeypatch.setattr(project.context, "coders", refuse)
        await pilot.press(key)
        await wait_for_toast(pilot, REFUSED, "error")
        assert app.is_running and app.return_code is None
        assert app.screen is shown  # no dialog opened on what could not be read
