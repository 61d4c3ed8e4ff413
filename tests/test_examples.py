"""The shipped example study imports with the right speakers and turns, and the demo works."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
from typer.testing import CliRunner

from qualcode.cli import app
from qualcode.codebook import load_codebook
from qualcode.examples import build_demo, examples_root
from qualcode.project import Project

EXPECTED = {  # source: (kind, language, {speaker: turns}) read off the transcripts by hand
    "interview_01": ("interview", "en", {None: 1, "INTERVIEWER": 41, "STUDENT": 41}),
    "interview_02": ("interview", "en", {None: 1, "I": 38, "R": 38}),
    "interview_03": ("interview", "en", {None: 1, "Interviewer": 34, "Participant": 34}),
    "interview_04": ("interview", "en", {None: 1, "Interviewer": 35, "Student": 34}),
    "interview_05": ("interview", "en", {"Interviewer": 34, "Maya Okafor": 33}),
    "interview_06": ("interview", "en", {None: 1, "Interviewer": 36, "Student": 35}),
    "interview_07": ("interview", "en", {"Interviewer": 37, "Jonas": 37}),
    "interview_08": ("interview", "en", {"Speaker 1": 39, "Speaker 2": 38}),
    "interview_09_de": ("interview", "de", {"Interviewerin": 34, "Studentin": 34}),
    "panel_01": (
        "expert_panel",
        "en",
        {
            None: 1,
            "Moderator": 16,
            "Dr. Weber": 16,
            "Prof. Lindqvist": 18,
            "Ms. Adeyemi": 16,
            "Tom Berger": 18,
            "Dr. Santos": 13,
        },
    ),
    "panel_02": (
        "expert_panel",
        "en",
        {
            "Moderator": 15,
            "Hannah Roth": 17,
            "Miriam Osei": 16,
            "Felix Brandt": 12,
            "Jan Kowalski": 14,
        },
    ),
}


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> Project:
    project = build_demo(tmp_path_factory.mktemp("demo") / "demo.qcdb")
    yield project
    project.close()


def test_every_example_file_yields_its_speakers_and_turns(demo: Project):
    assert {s.name for s in demo.sources.all()} == set(EXPECTED)
    for name, (kind, language, speakers) in EXPECTED.items():
        source = demo.sources.get(name)
        assert (source.kind, source.language) == (kind, language), name
        assert Counter(t.speaker for t in demo.sources.turns(name)) == speakers, name


def test_turns_point_at_what_was_said(demo: Project):
    for name in EXPECTED:
        text = demo.sources.get(name).text
        for turn in demo.sources.turns(name):
            said = text[turn.start : turn.end]
            assert said and said == said.strip(), (name, turn)
            if turn.speaker:
                line = text[text.rfind("\n", 0, turn.start) + 1 : turn.start]
                assert turn.speaker in line, (name, line)


def test_formats_keep_their_details(demo: Project):
    rtf = demo.sources.get("interview_04").text
    assert "Letícia" in rtf and "€" in rtf and "–" in rtf  # code-page and \u escapes
    assert "ß" in demo.sources.get("interview_09_de").text
    vtt_turns = demo.sources.turns("interview_05")
    assert vtt_turns[0].timestamp == 2.0
    assert demo.sources.turns("panel_02")[1].timestamp == 66.0  # Name (00:01:06):


def test_example_attributes_and_codebook(demo: Project):
    assert dict(demo.sources.get("interview_03").attributes)["performance"] == "struggling"
    assert dict(demo.sources.get("panel_01").attributes)["role"] == "expert_panel"
    book = demo.codebook.book()
    leaves = [c for c in book if not book.children(c.id)]
    assert len(leaves) >= 12 and len(book.roots()) >= 3
    assert all(c.definition and c.keywords and c.examples for c in leaves)
    assert len({c.hotkey for c in leaves}) == len(leaves)


def test_example_files_are_long_enough(demo: Project):
    for s in demo.sources.all():
        assert s.words >= 1500, s.name
    assert sum(s.kind == "interview" for s in demo.sources.all()) >= 8


def test_the_codebook_file_loads_on_its_own():
    book = load_codebook(examples_root() / "codebooks" / "mentoring.yaml")
    assert book.name == "Mentoring programme needs analysis"


def test_demo_command_builds_then_reopens(tmp_path: Path):
    runner = CliRunner()
    path = tmp_path / "demo.qcdb"
    first = runner.invoke(app, ["demo", "--blank", "--project", str(path)])
    assert first.exit_code == 0, first.output
    assert "Built the demo project" in first.output
    assert "11 sources (9 interview(s), 2 expert panel(s))" in first.output
    with Project.open(path) as p:
        p.coding.apply("interview_01", 0, 10, "Awareness and publicity/Awareness")
    again = runner.invoke(app, ["demo", "--project", str(path)])
    assert "Opened the demo project" in again.output
    assert "1 codings" in again.output
    fresh = runner.invoke(app, ["demo", "--blank", "--project", str(path), "--fresh"])
    assert "0 codings" in fresh.output
