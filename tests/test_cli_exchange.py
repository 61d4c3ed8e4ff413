"""The command line for REFI-QDA files: export, import, codebook export as .qdc."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from qualcode.cli import app
from qualcode.project import Project

runner = CliRunner()


def test_export_import_round_trip_through_the_cli(project: Project, project_path: Path, tmp_path):
    project.coding.apply("int1", 0, 9, "Awareness", coder="anna", new=True)
    project.close()
    out = tmp_path / "study.qdpx"
    result = runner.invoke(app, ["export", str(project_path), str(out)])
    assert result.exit_code == 0, result.output
    assert "2 source(s)" in result.output and "1 coding(s)" in result.output
    fresh = tmp_path / "fresh.qcdb"
    imported = runner.invoke(app, ["import", str(fresh), str(out)])
    assert imported.exit_code == 0, imported.output
    assert "Sources: 2 added" in imported.output
    again = runner.invoke(app, ["import", str(fresh), str(out)])
    assert "Nothing new" in again.output
    with Project.open(fresh) as p:
        assert [s.coding.coder for s in p.coding.codings()] == ["anna"]


def test_codebook_as_qdc_through_export_codebook_and_import(project_path: Path, tmp_path):
    with Project.create(tmp_path / "a.qcdb") as p:
        p.codebook.add_code("Awareness", definition="Knowing it exists.", color="#112233")
        p.codebook.add_code("Never heard", parent="Awareness")
    qdc = tmp_path / "book.qdc"
    assert runner.invoke(app, ["export", str(tmp_path / "a.qcdb"), str(qdc)]).exit_code == 0
    qdc2 = tmp_path / "book2.qdc"
    result = runner.invoke(app, ["codebook", str(tmp_path / "a.qcdb"), "--export", str(qdc2)])
    assert result.exit_code == 0 and qdc.read_bytes() == qdc2.read_bytes()
    runner.invoke(app, ["init", str(tmp_path / "b.qcdb")])
    result = runner.invoke(app, ["import", str(tmp_path / "b.qcdb"), str(qdc)])
    assert result.exit_code == 0, result.output
    assert "Codes: 2 added" in result.output
    with Project.open(tmp_path / "b.qcdb") as p:
        assert p.codebook.code("Awareness/Never heard").name == "Never heard"
        assert p.codebook.code("Awareness").color == "#112233"


def test_export_refuses_other_suffixes(project_path: Path, project: Project, tmp_path):
    project.close()
    result = runner.invoke(app, ["export", str(project_path), str(tmp_path / "x.zip")])
    assert result.exit_code == 1 and ".qdpx" in result.stderr


def test_refi_files_and_transcripts_import_together(project_path: Path, project: Project, tmp_path):
    project.codebook.add_code("Awareness")
    project.exchange.export_qdc(tmp_path / "a.qdc")
    project.close()
    (tmp_path / "b.txt").write_text("I: Have you heard of it?\nR: No, never.\n")
    fresh = tmp_path / "fresh.qcdb"
    assert runner.invoke(app, ["init", str(fresh)]).exit_code == 0
    result = runner.invoke(
        app, ["import", str(fresh), str(tmp_path / "a.qdc"), str(tmp_path / "b.txt")]
    )
    assert result.exit_code == 0, result.output
    with Project.open(fresh) as p:
        assert [c.name for c in p.codebook.book()] == ["Awareness"]
        assert [s.name for s in p.sources.all()] == ["b"]
