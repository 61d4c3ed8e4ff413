"""``code --match`` codes what participants say: the turns of interviewers and moderators
are left out unless ``--speaker``/``--not-speaker`` says whose, and the report line says
how many were left out."""

from __future__ import annotations

from pathlib import Path

import pytest

from qualcode.errors import ProjectError
from qualcode.project import Project
from tests.conftest import copy_project
from tests.test_cli import run


def test_match_on_the_demo_codes_no_interviewer_or_moderator_sentence(
    demo_file: Path, tmp_path: Path
):
    path = copy_project(demo_file, tmp_path)
    out = run("code", path, "*", "X", "--match", "busy", "--new").output
    with Project.open(path) as p:
        coded = p.coding.codings(code="X")
        texts = "\n".join(s.verbatim for s in coded)
    asking = {"interviewer", "moderator"}
    assert coded and not [s.speaker for s in coded if (s.speaker or "").casefold() in asking]
    assert "You said the tutors seem busy?" not in texts
    assert "The tutors and assistants in anatomy, they seem really busy." in texts
    assert out.strip().splitlines() == [
        "New code 'X' added to the codebook.",
        f"{len(coded)} sentences coded with 'X', 3 interviewer sentences left out.",
    ]


def test_speaker_and_not_speaker_choose_whose_turns_are_coded(project: Project):
    project.codebook.add_code("Time")
    asked = project.coding.code_matches("int1", r"heard|\?", "Time", speakers=["interviewer"])
    assert [s.text for s in project.coding.codings(code="Time")] == [
        "Have you heard of the mentoring programme?",
        "What would stop you from taking part?",
    ]
    assert asked.summary() == ("2 sentences coded with 'Time', 1 sentence of STUDENT left out.")
    project.coding.undo()
    made = project.coding.code_matches(
        None, r"\bthe\b", "Time", not_speakers=["Dr. Weber", "Prof. Lindqvist"]
    )
    speakers = {s.speaker for s in project.coding.codings(code="Time")}
    assert speakers == {"INTERVIEWER", "STUDENT", "Ms. Adeyemi"}  # named: no default
    assert "of Dr. Weber, Prof. Lindqvist left out" in made.summary()


def test_the_cli_takes_repeated_speakers_and_refuses_one_no_source_has(
    project: Project, project_path: Path
):
    project.close()
    out = run(
        "code", project_path, "*", "Group", "--match", r"\bthe\b", "--new",
        "--speaker", "dr. weber", "--speaker", "Ms. Adeyemi",
    ).output  # fmt: skip
    assert "coded with 'Group'" in out and "left out" in out
    with Project.open(project_path) as p:
        assert {s.speaker for s in p.coding.codings(code="Group")} == {"Dr. Weber", "Ms. Adeyemi"}
        with pytest.raises(ProjectError, match=r"no speaker 'Studnt'.*did you mean 'STUDENT'"):
            p.coding.code_matches(None, "time", "Group", not_speakers=["Studnt"])
    refused = run("code", project_path, "int1", "Group", "--match", "x", "--speaker", "Nobody",
                  ok=False)  # fmt: skip
    assert refused.exit_code == 1 and "no speaker 'Nobody'" in refused.output


def test_the_speaker_who_clearly_asks_is_left_out_though_not_named_so(tmp_path: Path):
    lines = []
    for n in range(5):
        lines += [f"Speaker 1: And were you busy in week {n}?", f"Speaker 2: Yes, busy with {n}."]
    transcript = tmp_path / "tool.txt"
    transcript.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with Project.create(tmp_path / "p.qcdb", coder="anna") as p:
        p.sources.import_paths([transcript])
        made = p.coding.code_matches(None, "busy", "Busy", new=True)
        assert {s.speaker for s in p.coding.codings(code="Busy")} == {"Speaker 2"}
    assert made.summary() == "5 sentences coded with 'Busy', 5 interviewer sentences left out."
