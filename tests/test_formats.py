"""One registry of formats: what the routing takes is what the command line and the workbench
list, and a source's identity is one hash wherever it is computed."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import Label
from typer.testing import CliRunner

from qualcode.cli import app
from qualcode.codebook import load_codebook, save_codebook
from qualcode.errors import ImportFormatError
from qualcode.ingest import content_hash, read_document
from qualcode.ingest.formats import (
    CODEBOOK_SUFFIXES,
    REFI_PROJECT_SUFFIXES,
    REFI_SUFFIXES,
    SHEET_SUFFIXES,
    TRANSCRIPT_SUFFIXES,
    file_kind,
)
from qualcode.ingest.routing import route_paths
from qualcode.model import Code, Codebook
from qualcode.project import Project
from qualcode.tui.app import QualcodeApp
from qualcode.tui.screens.sources import SourcesScreen
from tests.conftest import wait_for

runner = CliRunner()


def test_each_path_is_routed_by_the_registry(tmp_path: Path):
    folder = tmp_path / "interviews"
    folder.mkdir()
    (folder / "int1.TXT").write_text("I: Heard of it?\nR: No.\n", encoding="utf-8")
    (folder / "cases.csv").write_text("source,cohort\nint1,2023\n", encoding="utf-8")
    manifest = tmp_path / "other.yaml"  # a study by its content, not by its name
    manifest.write_text("sources: [interviews/int1.TXT]\n", encoding="utf-8")
    book = tmp_path / "book.yml"
    book.write_text("codes: [{name: Awareness}]\n", encoding="utf-8")
    given = [folder, manifest, book, *(tmp_path / n for n in ("a.CSV", "b.QDC", "c.qde", "d.x"))]
    notes: list[str] = []
    routes = route_paths(given, notes)
    assert {k: [p.name for p in v] for k, v in routes.items()} == {
        "study": ["other.yaml"],
        "codebook": ["book.yml"],
        "refi": ["b.QDC", "c.qde"],
        "sheet": ["a.CSV"],
        "transcript": ["int1.TXT", "d.x"],  # the reader names what it cannot read
    }
    assert notes == [
        f"cases.csv in {folder} is not a transcript; not imported (a codebook or "
        "attributes sheet is imported on its own, or with --attributes)"
    ]
    empty = tmp_path / "empty"
    empty.mkdir()
    (empty / "cases.csv").write_text("source\n", encoding="utf-8")
    with pytest.raises(ImportFormatError, match=r"has no transcripts \(\.txt, \.md, "):
        route_paths([empty], [])


def test_every_registered_suffix_is_read_as_what_the_registry_says(tmp_path: Path):
    assert {file_kind(f"x{s.upper()}") for s in REFI_SUFFIXES} == {"refi"}
    assert {file_kind(f"x{s}") for s in SHEET_SUFFIXES} == {"sheet"}
    assert {file_kind(f"x{s}") for s in TRANSCRIPT_SUFFIXES} == {"transcript"}
    book = Codebook((Code(1, "Awareness"),), name="Study")
    for suffix in CODEBOOK_SUFFIXES:  # each one the codebook module writes and reads back
        save_codebook(book, tmp_path / f"book{suffix}")
        assert [c.name for c in load_codebook(tmp_path / f"book{suffix}")] == ["Awareness"]
    with pytest.raises(ImportFormatError, match="supported: " + ", ".join(TRANSCRIPT_SUFFIXES)):
        read_document(tmp_path / "notes.xyz")


def test_the_cli_names_the_registrys_refi_suffixes(project_path: Path, project: Project):
    project.close()
    result = runner.invoke(app, ["import", str(project_path), "x.txt", "--dry-run"])
    assert result.exit_code == 1
    assert f"REFI-QDA files ({' '.join(REFI_PROJECT_SUFFIXES)})" in result.stderr


async def test_the_import_prompt_lists_every_suffix_the_import_takes(project: Project):
    app_ = QualcodeApp(project)
    async with app_.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: isinstance(app_.screen, SourcesScreen))
        await pilot.press("i")
        await wait_for(pilot, lambda: not isinstance(app_.screen, SourcesScreen))
        title = str(app_.screen.query_one(".dialog-title", Label).render())
    suffixes = {*TRANSCRIPT_SUFFIXES, *CODEBOOK_SUFFIXES, *REFI_SUFFIXES, *SHEET_SUFFIXES}
    assert title.startswith("Import transcripts (")
    assert suffixes <= set(title.replace("(", " ").replace(")", " ").replace(",", " ").split())


def test_a_sources_identity_is_the_ingest_hash_of_its_text(project: Project):
    source = project.sources.get("int1")
    assert source.content_hash == content_hash(source.text)
    assert content_hash(source.text) != content_hash(source.text + " ")
