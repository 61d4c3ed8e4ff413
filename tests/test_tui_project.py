"""The workbench around the coding screen: a second window, imports in a worker, the mouse,
and the commands that start it."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import Input
from typer.testing import CliRunner

from qualcode.cli import app as cli
from qualcode.project import Project
from qualcode.tui.app import QualcodeApp
from qualcode.tui.screens.sources import SourcesScreen
from qualcode.tui.widgets.transcript import TranscriptView
from tests.conftest import (
    INTERVIEW,
    coding_screen,
    copy_project,
    dump,
    span,
    toasts,
    wait_for,
    wait_for_toast,
)


async def test_a_second_window_sees_a_change_on_refresh(project: Project, project_path: Path):
    app = QualcodeApp(project, source="int1")
    async with app.run_test(size=(100, 30), notifications=True) as pilot:
        screen = await coding_screen(pilot)
        assert screen.coded == []
        with Project.open(project_path) as other:  # another window, another process
            other.coding.apply(
                "int1", *span(INTERVIEW, "no time at all"), "Time", coder="bob", new=True
            )
        await pilot.press("ctrl+r")
        await wait_for_toast(pilot, "Read the project again.")
        await wait_for(pilot, lambda: screen.coded, "the other window's coding")
        assert [(seg.code, seg.coding.coder) for seg in screen.coded] == [("Time", "bob")]


async def test_import_runs_in_a_worker_and_the_list_shows_it(project: Project, tmp_path: Path):
    new = tmp_path / "int2.txt"
    new.write_text("I: Did you hear of it?\nR: No, never.\n", encoding="utf-8")
    app = QualcodeApp(project)
    async with app.run_test(size=(100, 30), notifications=True) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, SourcesScreen))
        sources = app.screen
        await pilot.press("i")
        app.screen.query_one(Input).value = str(new)  # typing a long path key by key is slow
        await pilot.press("enter", "down", "enter")  # an expert panel
        await wait_for_toast(pilot, "Imported 1 source(s).")
        table = sources.query_one("#sources")
        assert table.row_count == 3
        await pilot.press("i")
        app.screen.query_one(Input).value = str(tmp_path / "missing.txt")
        await pilot.press("enter", "enter")
        await wait_for_toast(pilot, "missing.txt", "error")
        assert not sources.query_one("#import-progress").display
    assert [(s.name, s.kind) for s in project.sources.all()][-1] == ("int2", "expert_panel")


async def import_in_the_tui(app: QualcodeApp, pilot, path: Path) -> list[str]:
    """Import ``path`` with ``i`` on the sources screen; the lines of the report shown."""
    await wait_for(pilot, lambda: isinstance(app.screen, SourcesScreen))
    sources = app.screen
    await pilot.press("i")
    app.screen.query_one(Input).value = str(path)
    await pilot.press("enter")  # no kind asked for: there are no transcripts
    [shown] = await wait_for_toast(pilot, "Imported")
    assert app.screen is sources
    return shown.splitlines()[1:]  # the title first


async def test_a_codebook_a_sheet_and_a_qdpx_import_as_the_cli_imports_them(
    demo_file: Path, tmp_path: Path
):
    """Key i takes what `qualcode import` takes, routed the same way, and says what the
    CLI says."""
    codebook = tmp_path / "extra.yaml"
    codebook.write_text(
        "name: Extra\ncodes:\n  - name: Peer support\n    children:\n      - name: Study groups\n",
        encoding="utf-8",
    )
    sheet = tmp_path / "sheet.csv"  # a codebook as a sheet, known by its columns
    sheet.write_text("name,parent,definition\nMentor matching,,Who is paired with whom\n")
    qdpx = Path(__file__).resolve().parent.parent / "transcripts_example/codings/anna.qdpx"
    for given in (codebook, sheet, qdpx):
        by_cli = copy_project(demo_file, tmp_path, f"cli-{given.stem}.qcdb")
        result = CliRunner().invoke(cli, ["import", str(by_cli), str(given)])
        assert result.exit_code == 0, result.output
        with Project.open(copy_project(demo_file, tmp_path, f"tui-{given.stem}.qcdb")) as p:
            app = QualcodeApp(p)
            async with app.run_test(size=(100, 30), notifications=True) as pilot:
                shown = await import_in_the_tui(app, pilot, given)
                assert not toasts(app, "error")
            assert shown == result.output.splitlines()
            assert dump(p.context.path) != dump(demo_file)
            with Project.open(by_cli) as q:
                assert p.summary()["codings"] == q.summary()["codings"]
                assert [c.name for c in p.codebook.book()] == [c.name for c in q.codebook.book()]


def selected(view: TranscriptView) -> str:
    s, e = view.selection
    return view.text[s:e]


async def test_a_click_selects_the_sentence_under_the_mouse(project: Project):
    app = QualcodeApp(project, source="int1")
    async with app.run_test(size=(100, 30), notifications=True) as pilot:
        view = (await coding_screen(pilot)).query_one(TranscriptView)
        line = next(
            i for i, ln in enumerate(view.lines) if "Honestly" in view.text[ln.start : ln.end]
        )
        await pilot.click(TranscriptView, offset=(view.gutter_width + 2, line))
        await wait_for(pilot, lambda: selected(view) == "Honestly, no.", "the sentence clicked")
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
        async with app.run_test(size=(80, 24), notifications=True) as pilot:
            await pilot.press("f3", "down", "right", "shift+left", "right_square_bracket")
            await pilot.press("a", "1", "delete", "ctrl+z", "N", "enter", "escape")
            await pilot.press("f4", "g", "m", "e", "c", "delete", "f5", "b", "escape")
            await pilot.press("f6", "a", "p", "A", "u", "f2", "enter")
            await app.workers.wait_for_complete()
            await wait_for(pilot, lambda: isinstance(app.screen, SourcesScreen), "the sources")
            assert app.is_running and not toasts(app, "error")
