"""What a researcher trips over after the first hour: words that say what happened (an undo,
a search with one hit, a caption's time, a file that is not a project, whose coder the user
is) and a suggestions panel that says at once why a passage gets none."""

from __future__ import annotations

import threading
from pathlib import Path

import openpyxl
import pytest
from textual.widgets import Label, OptionList
from typer.testing import CliRunner

from qualcode.cli import app as cli
from qualcode.project import Project
from qualcode.tui.app import QualcodeApp
from qualcode.tui.widgets.status import StatusLine
from qualcode.tui.widgets.transcript import TranscriptView
from tests.conftest import coding_screen, copy_project, wait_for

runner = CliRunner()


def run(*args: object, ok: bool = True) -> str:
    result = runner.invoke(cli, [str(a) for a in args])
    if ok:
        assert result.exit_code == 0, result.output + str(result.exception)
    return result.output


@pytest.fixture
def demo_path(coded_demo_file: Path, tmp_path: Path) -> Path:
    return copy_project(coded_demo_file, tmp_path)


def test_caption_turns_show_the_time_as_a_transcript_does(demo_path: Path):
    table = run("turns", demo_path, "interview_05")
    first = table.splitlines()[2]
    assert " 00:00:02 " in first  # the .vtt cue's start, not "2.0"
    rows = __import__("json").loads(run("turns", demo_path, "interview_05", "-f", "json"))
    assert rows[0]["timestamp"] == 2.0  # scripts keep the seconds


def test_a_percentage_crosstab_in_a_workbook_reads_as_percentages(demo_path: Path, tmp_path):
    out = tmp_path / "c.xlsx"
    run(
        "report", demo_path, "crosstab", "--by", "kind", "--value", "sources_pct",
        "--code", "Participation", "-o", out,
    )  # fmt: skip
    rows = list(openpyxl.load_workbook(out).worksheets[0].iter_rows(values_only=True))
    motivation = next(r for r in rows if r[0] == "Motivation to participate")
    assert motivation[1:] == ("0.0%", "100.0%", "81.8%")  # not 81.81818181818181 or '81.82'


def test_opening_a_file_to_import_says_how_to_import_it(demo_path: Path, tmp_path: Path):
    qdpx = tmp_path / "pilot.qdpx"
    run("export", demo_path, qdpx)
    before = qdpx.read_bytes()
    result = runner.invoke(cli, ["open", str(qdpx)])
    assert result.exit_code == 1
    assert result.output.strip().splitlines()[-1] == (
        f"qualcode: error: {qdpx}: is a REFI-QDA file, not a qualcode project; "
        "`qualcode import study.qcdb pilot.qdpx` makes a project of it"
    )
    # ... and the command it names does.
    run("import", tmp_path / "study.qcdb", qdpx)
    assert "interview_01" in run("sources", tmp_path / "study.qcdb")
    notes = tmp_path / "notes.txt"
    notes.write_text("Interviewer: How are you?\nAnna: Fine, thanks.\n", encoding="utf-8")
    said = runner.invoke(cli, ["open", str(notes)]).output
    assert "is a transcript, not a qualcode project; `qualcode init study.qcdb`, then" in said
    assert qdpx.read_bytes() == before
    garbage = tmp_path / "notes.qcdb"
    garbage.write_text("not a database at all, " * 100)
    result = runner.invoke(cli, ["sources", str(garbage)])
    assert "is not a qualcode project database" in result.output  # not ours, no suffix hint


def test_the_demo_says_whose_codings_the_users_are(tmp_path: Path):
    out = run("demo", "--project", tmp_path / "d.qcdb", "--no-tui")
    assert "You code as demo, beside anna and ben; `qualcode coder" in out


def test_undo_says_what_it_undid_for_the_agreed_coder_too(demo_path: Path):
    run("code", demo_path, "interview_01", "0", "9", "Awareness", "--coder", "carl")
    out = run("undo", demo_path, "--coder", "carl")
    assert out.strip() == (
        "Undid the last apply of carl: removed Awareness and publicity/Awareness from "
        "interview_01, characters 0–9."
    ) or out.strip() == (
        "Undid the last apply of carl: removed Awareness from interview_01, characters 0–9."
    )
    assert run("redo", demo_path, "--coder", "carl").startswith("Redid the apply of carl: put back")


async def test_one_search_hit_is_one_hit(demo_project: Project):
    app = QualcodeApp(demo_project, source="interview_07")
    async with app.run_test(size=(120, 30)) as pilot:
        screen = await coding_screen(pilot)
        await pilot.press("slash", *"ambulance", "enter")
        await wait_for(pilot, lambda: bool(screen.hits), "the search")
        assert len(screen.hits) == 1
        text = screen.query_one("#coding-status", StatusLine).text
        assert "· 1 hit" in text and "1 hits" not in text


async def test_an_interviewer_turn_says_at_once_it_gets_no_suggestions(demo_project: Project):
    """While the suggester is busy (its first fit takes seconds), a question of the
    interviewer says why it gets none instead of "working..." until the fit is done."""
    app = QualcodeApp(demo_project, source="interview_03")
    async with app.run_test(size=(120, 30)) as pilot:
        screen = await coding_screen(pilot)
        view = screen.query_one(TranscriptView)
        busy: threading.Lock = screen._suggesting
        busy.acquire()  # the suggester is fitting, as on a cold start
        try:
            question = next(
                t for t in demo_project.sources.turns("interview_03") if t.speaker == "Interviewer"
            )
            view.select((question.start, question.end))
            screen._suggest((question.start, question.end))
            title = screen.query_one("#suggestions-title", Label)
            listed = screen.query_one("#suggestions", OptionList)
            await wait_for(
                pilot,
                lambda: (
                    listed.option_count == 1
                    and "interviewer" in str(listed.get_option_at_index(0).prompt)
                ),
                "the reason",
                timeout=10,
            )
            assert str(title.render()) == "Suggestions"
        finally:
            busy.release()


def test_a_passage_that_says_nothing_says_why_it_gets_no_suggestions(demo_project: Project):
    """The panel's reason comes from the project: courtesies, too short, headers."""
    src = demo_project.sources.get("interview_01")
    turns = demo_project.sources.turns(src.id)
    short = next(
        t for t in turns if t.speaker == "STUDENT" and len(src.text[t.start : t.end].split()) <= 2
    )
    assert demo_project.suggestions.why_none(src.id, short.start, short.end) in (
        "none for a courtesy or backchannel",
        "none: fewer than 3 content words",
    )
    assert demo_project.suggestions.suggest(src.id, short.start, short.end) == []
    header = src.text.index("\n")  # the title line before the first speaker
    assert demo_project.suggestions.why_none(src.id, 0, header) == (
        "none for a header or metadata line"
    )
    long_enough = next(
        t for t in turns if t.speaker == "STUDENT" and len(src.text[t.start : t.end].split()) > 20
    )
    assert demo_project.suggestions.why_none(src.id, long_enough.start, long_enough.end) is None
