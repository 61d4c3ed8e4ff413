"""The worked examples of REFI-QDA 1.5, Annex A (copied into tests/fixtures/refi)."""

from __future__ import annotations

from pathlib import Path

from qualcode.project import Project
from tests.refi_helpers import FIXTURES, annex_qdpx


def test_a1_codebook(tmp_path: Path):
    with Project.create(tmp_path / "p.qcdb") as p:
        report = p.exchange.import_qdc(FIXTURES / "annex_a1.qdc")
        book = p.codebook.book()
        assert [c.name for c in book] == [
            "Topics",
            "Economy",
            "Health care",
            "Values",
            "Conservatives",
            "Liberals",
        ]
        economy = p.codebook.code("Economy")
        assert economy.definition == "Anything about jobs or taxes or business"
        assert economy.color == "#ffff00"
        assert economy.guid == "d7aa29da-519b-4946-9b90-253b6db8fd0a"  # braces dropped
        assert p.codebook.code("Values").guid == "9fa9bcb7-5b59-47a9-8c3e-f65cffdc7520"
        # Importing it again changes nothing.
        again = p.exchange.import_qdc(FIXTURES / "annex_a1.qdc")
    assert len(report.codes_added) == 6 and not again.codes_added and not again.conflicts


def test_a2_simple_project(tmp_path: Path):
    qdpx = annex_qdpx(tmp_path, "annex_a2.qde", upper=True)  # Sources/<GUID>.TXT
    with Project.create(tmp_path / "p.qcdb", coder="lead") as p:
        report = p.exchange.import_qdpx(qdpx)
        names = sorted(s.name for s in p.sources.all())
        assert names == [
            "1960s Coca Cola commercial - Audio.docx",
            "1960s Coca Cola commercial - Visual.docx",
            "1994 Diet Coke-Diet Coke Break.docx",
            "Mabel.txt",
            "Mabêl 2ième.txt",
            "Simon.docx",
        ]
        assert len(p.codebook.book()) == 14
        segs = p.coding.codings()
        assert len(segs) == 7
        assert {s.coding.coder for s in segs} == {"Friedrich Markgraf"}
        mabel = [s for s in segs if s.source == "Mabel.txt"]
        assert sorted(s.code for s in mabel) == ["bacon and eggs", "cornflakes", "happiness"]
        assert all((s.coding.start, s.coding.end) == (0, 410) for s in mabel)
        assert {s.coding.created_at for s in mabel} >= {"2018-03-27T19:04:42Z"}
        diet = next(s for s in segs if s.code == "Coke::diet Coke")
        assert (diet.coding.start, diet.coding.end) == (139, 195)
        memos = {m.text for m in p.coding.memos()}
        # The two notes, and the commented selection without a code (kept on its source).
        assert "This is a great project by a dynamic team of researcher-developers." in memos
        assert any(m.startswith("[250-412] Mabel is not the only person") for m in memos)
    skipped = " | ".join(report.skipped)
    for what in ("picture source", "PDF source", "audio source", "video source", "link", "graph"):
        assert what in skipped, what


def test_a3_complex_project_with_an_older_namespace(tmp_path: Path):
    qdpx = annex_qdpx(tmp_path, "annex_a3.qde")
    with Project.create(tmp_path / "p.qcdb", coder="lead") as p:
        report = p.exchange.import_qdpx(qdpx)
        assert len(p.sources.all()) == 6
        book = p.codebook.book()
        group = p.codebook.code("English Keyword Group 1")
        assert [c.name for c in book.children(group.id)] == ["English Keyword 1"]
        assert p.codebook.code("English Keyword 1").definition == "English Definition"
        segs = p.coding.codings(source="English Document 1")
        spans = {(s.coding.start, s.coding.end, s.code) for s in segs}
        assert (2, 16, "English Keyword Group 1/English Keyword 1") in spans
        whole = len(p.sources.get("English Document 1").text)
        assert (0, whole, "English Keyword Group 1/English Keyword 1") in spans
        assert p.coding.memos()  # notes, read from their internal files
    assert "video source" in " ".join(report.skipped)
    assert not report.conflicts
