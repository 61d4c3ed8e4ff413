"""The workbench around the coding screen: a second window, imports in a worker, the mouse,
and the commands that start it."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import Input
from typer.testing import CliRunner

from qualcode.cli import app as cli
from qualcode.project import Project
from qualcode.tui.app import QualcodeApp
from qualcode.tui.screens.coding import CodingScreen
from qualcode.tui.screens.sources import SourcesScreen
from qualcode.tui.widgets.transcript import TranscriptView
from tests.conftest import INTERVIEW, span


async def test_a_second_window_sees_a_change_on_refresh(project: Project, project_path: Path):
    app = QualcodeApp(project, source="int1")
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, CodingScreen)
        assert screen.coded == []
        with Project.open(project_path) as other:  # another window, another process
            other.apply_code(
                "int1", *span(INTERVIEW, "no time at all"), "Time", coder="bob", new=True
            )
        await pilot.press("ctrl+r")
        await pilot.pause()
        assert [(seg.code, seg.coding.coder) for seg in screen.coded] == [("Time", "bob")]


async def test_import_runs_in_a_worker_and_the_list_shows_it(project: Project, tmp_path: Path):
    new = tmp_path / "int2.txt"
    new.write_text("I: Did you hear of it?\nR: No, never.\n", encoding="utf-8")
    app = QualcodeApp(project)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, SourcesScreen)
        await pilot.press("i")
        app.screen.query_one(Input).value = str(new)  # typing a long path key by key is slow
        await pilot.press("enter", "down", "enter")  # an expert panel
        await app.workers.wait_for_complete()
        await pilot.pause()
        table = app.screen.query_one("#sources")
        assert table.row_count == 3
        await pilot.press("i")
        app.screen.query_one(Input).value = str(tmp_path / "missing.txt")
        await pilot.press("enter", "enter")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert any(n.severity == "error" for n in app._notifications)
    assert [(s.name, s.kind) for s in project.sources()][-1] == ("int2", "expert_panel")


async def test_a_click_selects_the_sentence_under_the_mouse(project: Project):
    app = QualcodeApp(project, source="int1")
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        view = app.screen.query_one(TranscriptView)
        line = next(
            i for i, ln in enumerate(view.lines) if "Honestly" in view.text[ln.start : ln.end]
        )
        await pilot.click(TranscriptView, offset=(view.gutter_width + 2, line))
        await pilot.pause()
        s, e = view.selection
        assert view.text[s:e] == "Honestly, no."


def test_open_names_a_missing_project_in_one_line(tmp_path: Path):
    result = CliRunner().invoke(cli, ["open", str(tmp_path / "nope.qcdb")])
    assert result.exit_code == 1
    assert "no such project file" in result.output


def test_open_refuses_an_unknown_source_before_starting(project_path: Path, project: Project):
    result = CliRunner().invoke(cli, ["open", str(project_path), "--source", "nope"])
    assert result.exit_code == 1
    assert "no source 'nope'" in result.output


def test_demo_without_a_terminal_prints_the_summary(tmp_path: Path):
    result = CliRunner().invoke(cli, ["demo", "--project", str(tmp_path / "d.qcdb"), "--no-tui"])
    assert result.exit_code == 0
    assert "11 sources" in result.output


async def test_an_empty_project_takes_every_key_without_a_traceback(tmp_path: Path):
    with Project.create(tmp_path / "empty.qcdb") as empty:
        app = QualcodeApp(empty)
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.press("f3", "down", "right", "shift+left", "right_square_bracket")
            await pilot.press("a", "1", "delete", "ctrl+z", "N", "enter", "escape")
            await pilot.press("f4", "g", "m", "e", "c", "delete", "f5", "b", "escape")
            await pilot.press("f6", "a", "p", "A", "u", "f2", "enter")
            await app.workers.wait_for_complete()
            await pilot.pause()
            assert app.is_running
