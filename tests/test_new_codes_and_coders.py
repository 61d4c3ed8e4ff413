"""Codes and coders are never made without a word: a ``--new`` code path whose parent is no
code is refused unless ``--parents`` says so, every code made is named, parents included,
and a coder name that differs from a coder's only in case is refused where a user types
it (a merge that brings one says so). Through the command line on the example study, the
project API and the workbench (Pilot)."""

from __future__ import annotations

from pathlib import Path

from qualcode.model import Suggestion
from qualcode.project import Project
from qualcode.project.options import ImportOptions
from qualcode.tui.app import QualcodeApp
from qualcode.tui.screens.coding import CodingScreen
from qualcode.tui.screens.dialogs import CodeFinder, TextPrompt
from qualcode.tui.widgets.status import StatusLine
from tests.conftest import coding_screen, copy_project, dump, span, toasts, wait_for
from tests.test_cli import run

SLASH = "Social/Political Advocacy"
SIZE = (120, 30)


def paths(path: Path) -> list[str]:
    with Project.open(path) as p:
        book = p.codebook.book()
        return [book.path(c) for c in book]


def coders(path: Path) -> list[str]:
    with Project.open(path) as p:
        return p.context.coders()


# -- code paths ------------------------------------------------------------------------------


def test_code_new_refuses_a_path_whose_parent_is_no_code(demo_file: Path, tmp_path: Path):
    path = copy_project(demo_file, tmp_path)
    before = dump(path)
    result = run("code", path, "interview_01", 0, 40, SLASH, "--new", ok=False)
    assert result.exit_code == 1
    assert "no code 'Social' to put 'Political Advocacy' under" in result.output
    assert "--parents adds 'Social' as a new code too" in result.output
    assert "'Social\\/Political Advocacy' names one code with a '/'" in result.output
    assert dump(path) == before


def test_a_typo_in_a_parent_is_refused_with_the_parent_meant(demo_file: Path, tmp_path: Path):
    path = copy_project(demo_file, tmp_path)
    before = dump(path)
    result = run(
        "code", path, "interview_01", 0, 40, "Awarness and publicity/Radio", "--new", ok=False
    )
    assert result.exit_code == 1
    assert "no code 'Awarness and publicity'" in result.output
    assert "did you mean 'Awareness and publicity'" in result.output
    assert dump(path) == before
    out = run("code", path, "interview_01", 0, 40, "Awareness and publicity/Radio", "--new")
    assert "New code 'Awareness and publicity/Radio' added to the codebook." in out.output


def test_code_new_parents_names_every_code_it_made(demo_file: Path, tmp_path: Path):
    path = copy_project(demo_file, tmp_path)
    out = run("code", path, "interview_01", 0, 40, SLASH, "--new", "--parents").output
    assert out.splitlines()[0] == (
        "New codes added: 'Social' (a parent) and 'Social/Political Advocacy'. A '/' separates "
        "a parent from its child; 'Social\\/Political Advocacy' names one code."
    )
    assert paths(path)[-2:] == ["Social", SLASH]
    out = run("code", path, "interview_01", 0, 40, "A/B/C", "--new", "--parents").output
    assert out.startswith("New codes added: 'A' (a parent), 'A/B' (a parent) and 'A/B/C'.")


def test_code_match_new_refuses_a_missing_parent_and_says_what_it_made(
    demo_file: Path, tmp_path: Path
):
    path = copy_project(demo_file, tmp_path)
    refused = run("code", path, "*", SLASH, "--match", "busy", "--new", ok=False)
    assert refused.exit_code == 1 and "no code 'Social'" in refused.output
    out = run("code", path, "*", SLASH, "--match", "busy", "--new", "--parents").output
    assert out.startswith("New codes added: 'Social' (a parent) and 'Social/Political Advocacy'.")
    assert "sentences coded with 'Social/Political Advocacy'" in out


def test_parents_without_new_is_refused(demo_file: Path, tmp_path: Path):
    path = copy_project(demo_file, tmp_path)
    result = run("code", path, "interview_01", 0, 40, "X", "--parents", ok=False)
    assert result.exit_code == 1 and "--parents goes with --new" in result.output


def test_a_coded_sheet_lists_the_parents_its_codes_made(tmp_path: Path):
    sheet = tmp_path / "answers.csv"
    sheet.write_text(
        "id,answer,codes\ns1,I campaign for the union,Social/Political Advocacy\n",
        encoding="utf-8",
    )
    with Project.create(tmp_path / "survey.qcdb", coder="anna") as p:
        report = p.sources.import_responses(
            sheet, ImportOptions(text_column="answer", id_column="id", codes_column="codes")
        )
        book = p.codebook.book()
        assert report.codes_created == [book.path(c) for c in book] == ["Social", SLASH]


def test_accepting_a_theme_makes_one_code_of_its_label(project: Project):
    """A theme's label joins two terms with " / ": it is one new code, not a parent."""
    start, end = span(project.sources.get("int1").text, "exam period")
    theme = Suggestion(project.sources.get("int1").id, start, end, "exam / period", 0.5, "themes")
    result = project.suggestions.accept_suggestion(theme)
    assert [(c.name, c.parent_id) for c in project.codebook.book()] == [("exam / period", None)]
    assert result.made.paths == ("exam \\/ period",)


# -- coders ----------------------------------------------------------------------------------


def test_a_coder_differing_only_in_case_is_refused(coded_demo_file: Path, tmp_path: Path):
    path = copy_project(coded_demo_file, tmp_path)
    before = dump(path)
    result = run(
        "code", path, "interview_01", 0, 40, "Awareness and publicity", "--coder", "Anna", ok=False
    )
    assert result.exit_code == 1
    assert (
        "coder 'Anna' would be new beside 'anna' (names differ only in case); use --coder anna"
    ) in result.output
    for command in (["undo", path, "--coder", "BEN"], ["coder", path, "Anna"]):
        refused = run(*command, ok=False)
        assert refused.exit_code == 1 and "differ only in case" in refused.output
    assert dump(path) == before
    run("code", path, "interview_01", 0, 40, "Awareness and publicity", "--coder", " anna ")
    assert "Anna" not in coders(path) and " anna " not in coders(path)


def test_a_clone_for_a_coder_differing_only_in_case_is_refused(
    coded_demo_file: Path, tmp_path: Path
):
    path = copy_project(coded_demo_file, tmp_path)
    result = run("clone", path, tmp_path / "mine.qcdb", "--coder", "Ben", ok=False)
    assert result.exit_code == 1 and "use --coder ben" in result.output
    assert not (tmp_path / "mine.qcdb").exists()


def test_reconcile_into_a_name_differing_only_in_case_is_refused(
    coded_demo_file: Path, tmp_path: Path
):
    path = copy_project(coded_demo_file, tmp_path)
    run("reconcile", path, "--coders", "anna", "ben", "--accept", "anna")
    before = dump(path)
    result = run(
        "reconcile", path, "--coders", "anna", "ben", "--accept", "ben", "--into", "Agreed",
        ok=False,
    )  # fmt: skip
    assert result.exit_code == 1
    assert "coder 'Agreed' would be new beside 'agreed'" in result.output
    assert "use --into agreed" in result.output
    assert dump(path) == before


def test_a_merge_that_adds_a_coder_differing_only_in_case_warns(
    project: Project, tmp_path: Path, transcripts: dict[str, Path]
):
    project.coding.apply("int1", 0, 9, "Awareness", new=True)  # as anna
    project.close()
    with Project.create(tmp_path / "other.qcdb", coder="Anna") as other:
        other.sources.import_files([transcripts["int1"]])
        other.coding.apply("int1", 10, 20, "Awareness", new=True)
    out = run("merge", tmp_path / "merged.qcdb", project.context.path, other.context.path).output
    assert (
        "WARNING: coder 'Anna' is new beside 'anna' (names differ only in case); "
        "they are kept as two coders"
    ) in out


# -- the workbench ---------------------------------------------------------------------------


async def test_the_finder_offers_both_readings_of_a_path_and_says_what_it_made(
    demo_project: Project,
):
    app = QualcodeApp(demo_project, source="interview_03")
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        screen = await coding_screen(pilot)
        await pilot.press("N", "enter", "space")
        await wait_for(pilot, lambda: isinstance(app.screen, CodeFinder), "the finder")
        finder = app.screen
        await pilot.press(*SLASH)
        assert finder.shown[-2:] == [SLASH, "Social\\/Political Advocacy"]
        await pilot.press("up", "up", "enter")  # the child under a new parent "Social"
        status = screen.query_one(StatusLine)
        await wait_for(pilot, lambda: "New codes added" in status.text, "the new codes said")
        assert "'Social' (a parent) and 'Social/Political Advocacy'" in status.text
        await pilot.press("right", "space")
        await wait_for(pilot, lambda: isinstance(app.screen, CodeFinder), "the finder again")
        await pilot.press(*"Other/Thing", "up", "enter")  # one code named "Other/Thing"
        await wait_for(
            pilot, lambda: "Other/Thing" in {c.name for c in demo_project.codebook.book()}
        )
        assert isinstance(app.screen, CodingScreen)
    book = demo_project.codebook.book()
    made = [book.path(c) for c in book][-3:]
    assert made == ["Social", SLASH, "Other\\/Thing"]


async def test_the_workbench_refuses_a_coder_differing_only_in_case(
    coded_demo_project: Project,
):
    before = coded_demo_project.context.coder
    app = QualcodeApp(coded_demo_project, source="interview_03")
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await coding_screen(pilot)
        await pilot.press("C")
        await wait_for(pilot, lambda: isinstance(app.screen, TextPrompt), "the coder prompt")
        app.screen.query_one("#prompt").value = ""
        await pilot.press(*"Anna", "enter")
        await wait_for(pilot, lambda: bool(toasts(app, "error")), "the refusal")
        assert "would be new beside 'anna'" in " ".join(toasts(app, "error"))
    assert coded_demo_project.context.coder == before
    assert "Anna" not in coded_demo_project.context.coders()
