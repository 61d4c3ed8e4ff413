"""Undo and redo address a coding by an id no later coding can take, so one coder's undo
never touches another coder's work, and a redo that cannot restore says so."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest

from qualcode.errors import ProjectError
from qualcode.project import Project
from qualcode.store import schema
from tests.conftest import span

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture
def project_path(any_project_path: Path | str) -> Path | str:
    """The tests on the project fixture run on a file and on the server."""
    return any_project_path


def _codings(p: Project) -> list[tuple[str, str, str]]:
    return sorted((c.coding.coder, c.code, c.text) for c in p.coding.codings())


def test_redo_after_another_coder_took_the_freed_id_restores_and_undo_spares_them(
    project: Project,
):
    text = project.sources.get("int1").text
    project.coding.apply(
        "int1", *span(text, "never heard of it"), "Awareness", coder="anna", new=True
    )
    assert project.coding.undo("anna") == "apply"
    project.coding.apply("int1", *span(text, "no time at all"), "Time", coder="ben", new=True)

    assert project.coding.redo("anna") == "apply"
    assert _codings(project) == [
        ("anna", "Awareness", "never heard of it"),
        ("ben", "Time", "no time at all"),
    ]
    assert project.coding.undo("anna") == "apply"
    assert _codings(project) == [("ben", "Time", "no time at all")]


def test_the_sequence_through_real_commands(project_path: Path, project: Project, qualcode):
    text = project.sources.get("int1").text
    anna = span(text, "never heard of it")
    ben = span(text, "no time at all")
    project.close()
    qualcode("code", project_path, "int1", *anna, "Awareness", "--coder", "anna", "--new")
    qualcode("undo", project_path, "--coder", "anna")
    qualcode("code", project_path, "int1", *ben, "Time", "--coder", "ben", "--new")
    assert "Redid" in qualcode("redo", project_path, "--coder", "anna").stdout
    qualcode("undo", project_path, "--coder", "anna")
    with Project.open(project_path) as p:
        assert _codings(p) == [("ben", "Time", "no time at all")]


def test_a_redo_that_cannot_restore_says_so(project: Project):
    text = project.sources.get("int1").text
    project.coding.apply("int1", *span(text, "never heard of it"), "Awareness", new=True)
    project.coding.undo()
    project.codebook.delete_code("Awareness")  # the code the coding used is gone
    with pytest.raises(ProjectError, match="cannot redo the apply"):
        project.coding.redo()
    assert project.coding.codings() == []
    assert project.coding.redo() is None  # dropped: the redo list is not stuck on it


def _old_project(tmp_path: Path) -> Path:
    """A copy of a project written by qualcode at schema version 2: anna coded three passages
    and undid the last, ben coded one, and a memo is attached to anna's second coding."""
    path = tmp_path / "old.qcdb"
    shutil.copy(FIXTURES / "schema_v2.qcdb", path)
    return path


def test_a_version_2_project_keeps_every_row_and_id_when_upgraded(tmp_path: Path):
    path = _old_project(tmp_path)
    conn = sqlite3.connect(path)
    assert conn.execute("SELECT value FROM meta WHERE key='schema_version'").fetchone() == ("2",)
    before = {
        t: conn.execute(f"SELECT * FROM {t} ORDER BY 1").fetchall()
        for t in ("codings", "memos", "history", "coders", "codes", "sources")
    }
    conn.close()
    with Project.open(path) as p:
        assert p.context.settings().schema_version == schema.SCHEMA_VERSION
    conn = sqlite3.connect(path)
    after = {t: conn.execute(f"SELECT * FROM {t} ORDER BY 1").fetchall() for t in before}
    ddl = conn.execute("SELECT sql FROM sqlite_master WHERE name = 'codings'").fetchone()[0]
    indexes = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='index'")}
    conn.close()
    assert after == before
    assert "AUTOINCREMENT" in ddl
    assert {"ix_codings_code", "ix_codings_source"} <= indexes


def test_an_upgraded_project_never_hands_out_an_id_its_undo_history_holds(tmp_path: Path):
    path = _old_project(tmp_path)
    with Project.open(path) as p:
        text = p.sources.get("int1").text
        # anna's undone coding had the highest id; ben must not get it.
        made = p.coding.apply(
            "int1", *span(text, "Time, mostly."), "Time constraints", coder="ben", new=True
        )
        assert made.coding is not None
        assert p.coding.redo("anna") == "apply"
        assert ("anna", "Awareness", "Honestly, no.") in _codings(p)
        p.coding.undo("anna")
        p.coding.undo("anna")
        assert _codings(p) == [
            ("anna", "Awareness", "never heard of it"),
            ("ben", "Time constraints", "Time, mostly."),
            ("ben", "Time constraints", "no time at all"),
        ]
