"""The command line as scripts use it: exit codes, one-line errors, JSON that round-trips."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from qualcode.cli import app
from tests.conftest import dump

runner = CliRunner()


def run(*args: object, ok: bool = True):
    result = runner.invoke(app, [str(a) for a in args])
    if ok:
        assert result.exit_code == 0, result.output + str(result.exception)
    return result


@pytest.fixture
def cli_project(any_project_path: Path | str, transcripts) -> Path | str:
    """A project made through the command line, once a file and once on the server."""
    path = any_project_path
    run("init", path, "--coder", "anna")
    run("import", path, transcripts["int1"])
    run("import", path, transcripts["panel1"], "--kind", "expert_panel")
    return path


def test_sources_as_json(cli_project: Path):
    rows = json.loads(run("sources", cli_project, "--format", "json").output)
    assert [(r["name"], r["kind"], r["turns"]) for r in rows] == [
        ("int1", "interview", 6),
        ("panel1", "expert_panel", 5),
    ]
    assert rows[1]["speakers"] == ["Moderator", "Dr. Weber", "Prof. Lindqvist", "Ms. Adeyemi"]


def test_turns_as_csv(cli_project: Path):
    out = run("turns", cli_project, "int1", "--format", "csv").output
    assert out.splitlines()[0] == "turn,speaker,start,end,timestamp,text"
    assert "STUDENT" in out


def test_code_then_codings_round_trips_the_quote(cli_project: Path):
    rows = json.loads(run("turns", cli_project, "int1", "-f", "json").output)
    student = rows[2]
    quote = "I had never heard of it before you called."
    start = student["start"] + student["text"].index(quote)
    out = run(
        "code",
        cli_project,
        "int1",
        start,
        start + len(quote),
        "Awareness",
        "--memo",
        "key quote",
        "--new",
    ).output
    assert "New code 'Awareness' added to the codebook." in out
    [seg] = json.loads(run("codings", cli_project, "--format", "json").output)
    assert seg["text"] == quote
    assert (seg["start"], seg["end"], seg["code"], seg["coder"], seg["speaker"], seg["memo"]) == (
        start,
        start + len(quote),
        "Awareness",
        "anna",
        "STUDENT",
        "key quote",
    )
    [memo] = json.loads(run("memos", cli_project, "-f", "json").output)
    assert (memo["target"], memo["target_id"], memo["text"]) == ("coding", seg["id"], "key quote")


def test_uncode_and_undo_restore_the_previous_state(cli_project: Path):
    before = dump(cli_project)
    run("code", cli_project, "int1", "0", "9", "Context", "--new")
    after = dump(cli_project)
    run("uncode", cli_project, "int1", "0", "9", "Context")
    assert json.loads(run("codings", cli_project, "-f", "json").output) == []
    undone = run("undo", cli_project).output
    # Says whose operation, which code and where, not only "the last remove".
    assert "Undid the last remove of " in undone
    assert "put back Context on int1, characters 0–9." in undone
    assert len(json.loads(run("codings", cli_project, "-f", "json").output)) == 1
    assert "removed Context from int1, characters 0–9." in run("undo", cli_project).output
    assert json.loads(run("codings", cli_project, "-f", "json").output) == []
    assert "Nothing to undo" in run("undo", cli_project).output
    assert len(after) > len(before)


def test_code_with_match(cli_project: Path):
    out = run("code", cli_project, "*", "Time", "--match", r"\btime\b", "--new").output
    # The code --new made is said, as a coding of one passage says it.
    assert out == "New code 'Time' added to the codebook.\n3 sentences coded with 'Time'.\n"
    quotes = [r["text"] for r in json.loads(run("codings", cli_project, "-f", "json").output)]
    assert "During the exam period I have no time at all." in quotes
    assert "And mentors need recognition for their time." in quotes


@pytest.mark.parametrize(
    "unit,expected",
    [
        ("match", ["Time", "time", "time"]),
        ("sentence", ["Time, mostly.", "During the exam period I have no time at all."]),
        (
            "turn",
            [
                "Time, mostly. During the exam period I have no time at all.\n"
                "And I work two evenings a week."
            ],
        ),
    ],
)
def test_match_codes_the_unit_asked_for_once(cli_project: Path, unit: str, expected: list[str]):
    run("add-code", cli_project, "Time")
    run("code", cli_project, "int1", "Time", "--match", r"\btime\b|exam", "--unit", unit)
    rows = json.loads(run("codings", cli_project, "-f", "json").output)
    quotes = [r["text"] for r in sorted(rows, key=lambda r: r["start"])]
    assert quotes == (expected if unit != "match" else ["Time", "exam", "time"])


def test_a_misspelt_code_is_refused_with_the_closest_name(cli_project: Path):
    run("add-code", cli_project, "Awareness")
    before = dump(cli_project)
    result = run("code", cli_project, "int1", "0", "40", "Awarness", ok=False)
    assert result.exit_code == 1
    assert "no code 'Awarness'" in result.output
    assert "did you mean 'Awareness'?" in result.output
    assert dump(cli_project) == before
    out = run("code", cli_project, "int1", "0", "40", "Awarness", "--new").output
    assert "New code 'Awarness' added" in out


def test_reversed_offsets_say_start_must_be_before_end(cli_project: Path):
    run("add-code", cli_project, "Awareness")
    result = run("code", cli_project, "int1", "40", "10", "Awareness", ok=False)
    assert "start must be before end" in result.output
    assert "outside" not in result.output


def test_codebook_import_show_and_export(cli_project: Path, tmp_path: Path):
    book = tmp_path / "book.yaml"
    book.write_text(
        "name: Test\ncodes:\n  - name: Barriers\n    children:\n      - name: Time\n"
        "        hotkey: t\n        keywords: [time, busy]\n",
        encoding="utf-8",
    )
    assert "2 code(s) added" in run("import", cli_project, book).output
    rows = json.loads(run("codebook", cli_project, "-f", "json").output)
    assert [(r["path"], r["hotkey"]) for r in rows] == [("Barriers", ""), ("Barriers/Time", "t")]
    out = tmp_path / "out.csv"
    run("codebook", cli_project, "--export", out)
    assert "Barriers/Time" in out.read_text() or "Time" in out.read_text()


def test_code_edits_through_the_cli(cli_project: Path):
    run("add-code", cli_project, "Barriers")
    run("add-code", cli_project, "Time", "--parent", "Barriers", "--hotkey", "t")
    run("rename-code", cli_project, "Barriers/Time", "Time constraints")
    run("add-code", cli_project, "Busy")
    run("code", cli_project, "int1", "0", "9", "Busy")
    run("merge-codes", cli_project, "Busy", "Time constraints")
    rows = json.loads(run("codebook", cli_project, "-f", "json").output)
    assert [(r["path"], r["codings"]) for r in rows] == [
        ("Barriers", 0),
        ("Barriers/Time constraints", 1),
    ]
    result = run("delete-code", cli_project, "Barriers", ok=False)
    assert result.exit_code == 1


@pytest.mark.parametrize(
    "args,message",
    [
        (("code", "{p}", "int1", "0", "99999", "X"), "outside source 'int1'"),
        (("code", "{p}", "nope", "0", "5", "X"), "no source 'nope'"),
        (("code", "{p}", "int1", "a", "5", "X"), "whole numbers"),
        (("import", "{p}", "{missing}"), "missing.txt"),
        (("turns", "{p}", "int9"), "no source 'int9'"),
    ],
)
def test_errors_are_one_line_and_change_nothing(cli_project: Path, tmp_path: Path, args, message):
    before = dump(cli_project)
    argv = [a.format(p=cli_project, missing=tmp_path / "missing.txt") for a in args]
    result = runner.invoke(app, argv)
    assert result.exit_code == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("qualcode: error: ")
    assert message in lines[0]
    assert dump(cli_project) == before


def test_a_file_that_is_not_a_project(tmp_path: Path):
    fake = tmp_path / "fake.qcdb"
    fake.write_text("not a database")
    result = runner.invoke(app, ["sources", str(fake)])
    assert result.exit_code == 1
    assert result.stderr.startswith(f"qualcode: error: {fake}: is not a qualcode project")


def test_usage_errors_exit_2(cli_project: Path):
    assert runner.invoke(app, ["sources"]).exit_code == 2
    assert runner.invoke(app, ["sources", str(cli_project), "--format", "xml"]).exit_code == 2


def test_every_command_has_help():
    assert len(app.registered_commands) >= 10
    for command in app.registered_commands:
        name = command.name or command.callback.__name__.rstrip("_").replace("_", "-")
        assert command.callback.__doc__, f"{name} has no help"
        result = runner.invoke(app, [name, "--help"])
        assert result.exit_code == 0, name
        assert "Usage: " in result.output


def test_each_source_gets_the_language_it_is_in(tmp_path: Path):
    german = Path(__file__).resolve().parents[1] / "transcripts_example" / "interview_09_de.txt"
    english = Path(__file__).resolve().parents[1] / "transcripts_example" / "interview_01.txt"
    path = tmp_path / "p.qcdb"
    run("init", path, "--language", "en")
    run("import", path, german, english)
    rows = json.loads(run("sources", path, "-f", "json").output)
    assert {r["name"]: r["language"] for r in rows} == {
        "interview_09_de": "de",
        "interview_01": "en",
    }
    assert " de " in run("sources", path).output
    run("import", path, german, "--replace", "--language", "en")  # the override still wins
    rows = json.loads(run("sources", path, "-f", "json").output)
    assert {r["name"]: r["language"] for r in rows}["interview_09_de"] == "en"


def test_a_text_too_short_to_tell_takes_the_project_language(tmp_path: Path):
    note = tmp_path / "note.txt"
    note.write_text("I: Danke.\nR: Bitte.\n", encoding="utf-8")
    path = tmp_path / "p.qcdb"
    run("init", path, "--language", "fr")
    run("import", path, note)
    [row] = json.loads(run("sources", path, "-f", "json").output)
    assert row["language"] == "fr"
