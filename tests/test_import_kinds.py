"""A transcript imported without a kind gets one by its speakers: three or more besides the
interviewer or moderator make it a focus group, and the import report says so; a kind
given by ``--kind`` or by ``study.yaml`` is kept as given."""

from __future__ import annotations

from pathlib import Path

import pytest

from qualcode.project import Project
from tests.conftest import INTERVIEW, PANEL
from tests.test_cli import run

FOUR = PANEL + "Mr. Okafor: Students talk to each other more than to us.\n"
GUESSED = (
    "panel.txt: 4 speakers besides the moderator, imported as focus_group (say --kind to change)"
)


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """A folder as a researcher hands it over: an interview and a panel, no study.yaml."""
    found = tmp_path / "study"
    found.mkdir()
    (found / "panel.txt").write_text(FOUR, encoding="utf-8")
    (found / "int1.txt").write_text(INTERVIEW, encoding="utf-8")
    return found


def kinds(path: Path) -> dict[str, str]:
    with Project.open(path) as p:
        return {s.name: s.kind for s in p.sources.all()}


def test_a_four_speaker_panel_is_a_focus_group_unless_kind_or_study_yaml_says_otherwise(
    folder: Path, tmp_path: Path
):
    path = tmp_path / "p.qcdb"
    run("init", path)
    out = run("import", path, folder).output
    assert kinds(path) == {"int1": "interview", "panel": "focus_group"}
    [note] = [line for line in out.splitlines() if "speakers besides" in line]
    assert note == f"Note: {folder / GUESSED}"

    given = tmp_path / "given.qcdb"
    run("init", given)
    out = run("import", given, folder, "--kind", "interview").output
    assert kinds(given) == {"int1": "interview", "panel": "interview"}
    assert "speakers besides" not in out

    (folder / "study.yaml").write_text(
        "sources:\n  - {file: panel.txt, kind: interview}\n  - {file: int1.txt}\n",
        encoding="utf-8",
    )
    manifest = tmp_path / "manifest.qcdb"
    run("init", manifest)
    out = run("import", manifest, folder).output
    assert kinds(manifest) == {"int1": "interview", "panel": "interview"}
    assert "speakers besides" not in out


def test_a_study_entry_without_a_kind_and_unnamed_speakers_are_guessed(tmp_path: Path):
    folder = tmp_path / "study"
    folder.mkdir()
    (folder / "panel.txt").write_text(FOUR, encoding="utf-8")
    lines = [f"Speaker {n % 4 + 1}: Point number {n}." for n in range(8)]
    (folder / "round.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (folder / "pair.txt").write_text(
        "Speaker 1: How was it?\nSpeaker 2: Fine.\nSpeaker 3: Not for me.\n", encoding="utf-8"
    )
    (folder / "study.yaml").write_text(
        "sources: [panel.txt, round.txt, pair.txt]\n", encoding="utf-8"
    )
    path = tmp_path / "p.qcdb"
    run("init", path)
    out = run("import", path, folder).output
    assert kinds(path) == {"panel": "focus_group", "round": "focus_group", "pair": "interview"}
    assert "round.txt: 4 speakers (one of them taken to lead), imported as focus_group" in out
