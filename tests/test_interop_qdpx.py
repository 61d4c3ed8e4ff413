"""REFI-QDA export and import: round trip, schema validity, offsets, liberal reading."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from qualcode.errors import ExchangeError
from qualcode.examples import build_demo
from qualcode.interop.qde import parse_qdc
from qualcode.interop.refi import OffsetMap, code_description, split_description
from qualcode.model import Code
from qualcode.project import Project
from tests.conftest import span
from tests.refi_helpers import CODE, SOURCE, XSD, make_qdpx, selection, simple_qde


def _demo(tmp_path: Path) -> Project:
    p = build_demo(tmp_path / "demo.qcdb", coded=False)
    text = p.sources.get("interview_01").text
    p.coding.apply(
        "interview_01", *span(text, "never heard"), "Awareness", coder="anna", memo="m", new=True
    )
    p.coding.apply("interview_01", 0, 40, "Awareness", coder="ben", new=True)
    p.coding.apply(
        "panel_01", 5, 60, "Participation/Time constraints", coder="anna", new=True, parents=True
    )
    p.coding.add_memo("project memo", coder="anna")
    p.coding.add_memo("code memo", code="Awareness", coder="ben")
    p.coding.add_memo("source memo", source="panel_01", coder="anna")
    first = p.coding.codings()[0].coding.id
    p.coding.add_memo("coding memo", coding=first, coder="anna")
    return p


def _snapshot(p: Project) -> dict[str, object]:
    book = p.codebook.book()
    return {
        "codes": sorted(
            (
                book.path(c),
                c.definition,
                c.inclusion,
                c.exclusion,
                c.keywords,
                c.examples,
                c.color,
                c.hotkey,
                c.guid,
            )
            for c in book
        ),
        "sources": sorted(
            (s.name, s.kind, s.language, s.text, tuple(sorted(s.attributes.items())), s.guid)
            for s in p.context.store.list_sources()
        ),
        "codings": sorted(
            (x.source, x.code, x.coding.coder, x.coding.start, x.coding.end, x.coding.memo, x.text)
            for x in p.coding.codings()
        ),
        "memos": sorted((m.target, m.text, m.coder) for m in p.coding.memos()),
        "turns": sorted(
            (s.name, len(p.sources.turns(s.id))) for s in p.context.store.list_sources()
        ),
    }


def test_round_trip_of_the_demo_project_keeps_every_code_source_and_coding(tmp_path: Path):
    with _demo(tmp_path) as p:
        p.exchange.export_qdpx(tmp_path / "out.qdpx")
        before = _snapshot(p)
    with Project.create(tmp_path / "back.qcdb") as q:
        report = q.exchange.import_qdpx(tmp_path / "out.qdpx")
        after = _snapshot(q)
    assert report.codings_added == 3 and not report.conflicts and not report.skipped
    assert after == before
    # The memo targets survive too (project, code, source, coding).
    assert {t for t, _, _ in after["memos"]} == {"project", "code", "source", "coding"}  # type: ignore[misc]


def test_export_is_stable_and_guids_are_kept(tmp_path: Path):
    with _demo(tmp_path) as p:
        p.exchange.export_qdpx(tmp_path / "a.qdpx")
        p.exchange.export_qdpx(tmp_path / "b.qdpx")
        assert all(c.guid for c in p.codebook.book())
    a = zipfile.ZipFile(tmp_path / "a.qdpx").read("project.qde")
    b = zipfile.ZipFile(tmp_path / "b.qdpx").read("project.qde")
    assert a == b


@pytest.mark.skipif(not XSD.exists(), reason="../shared/refi-qda/Project.xsd is not here")
def test_export_validates_against_project_xsd(tmp_path: Path):
    etree = pytest.importorskip("lxml.etree")
    with _demo(tmp_path) as p:
        p.exchange.export_qdpx(tmp_path / "out.qdpx")
    schema = etree.XMLSchema(etree.parse(str(XSD)))
    doc = etree.fromstring(zipfile.ZipFile(tmp_path / "out.qdpx").read("project.qde"))
    assert schema.validate(doc), schema.error_log


def test_export_layout_is_project_qde_and_sources_folder(tmp_path: Path):
    with _demo(tmp_path) as p:
        p.exchange.export_qdpx(tmp_path / "out.qdpx")
        n = len(p.sources.all())
    names = zipfile.ZipFile(tmp_path / "out.qdpx").namelist()
    assert names[0] == "project.qde"
    assert len([x for x in names if x.startswith("sources/") and x.endswith(".txt")]) == n


def test_codebook_qdc_round_trip(tmp_path: Path):
    with _demo(tmp_path) as p:
        p.exchange.export_qdc(tmp_path / "book.qdc")
        book = p.codebook.book()
        want = sorted((book.path(c), c.definition, c.keywords, c.color, c.guid) for c in book)
    with Project.create(tmp_path / "b.qcdb") as q:
        report = q.exchange.import_qdc(tmp_path / "book.qdc")
        got_book = q.codebook.book()
        got = sorted(
            (got_book.path(c), c.definition, c.keywords, c.color, c.guid) for c in got_book
        )
    assert got == want and len(report.codes_added) == len(want)


def test_description_carries_qualcode_fields_both_ways():
    code = Code(
        id=1,
        name="x",
        definition="Def.\n\nSecond paragraph.",
        inclusion="multi\nline",
        keywords=("a; b", "c"),
        examples=('"quoted"',),
        hotkey="k",
    )
    fields = split_description(code_description(code))
    assert fields == {
        "definition": "Def.\n\nSecond paragraph.",
        "inclusion": "multi\nline",
        "keywords": ("a; b", "c"),
        "examples": ('"quoted"',),
        "hotkey": "k",
    }
    # Another tool's plain description is all definition.
    assert split_description("Anything about jobs: or taxes") == {
        "definition": "Anything about jobs: or taxes"
    }


# -- offsets ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "quote"),
    [
        ("Line one\r\nI had never heard of it.\r\nEnd", "never heard"),  # CRLF
        ("\ufeffI had never heard of it.", "never heard"),  # BOM as code point 0
        ("Caf\u0065\u0301 talk\r\nI had never heard 😀 of it.", "heard 😀 of"),  # NFC + non-BMP
        ("Old Mac\rline\rI had never heard of it.", "never heard"),  # lone CR
    ],
)
def test_selection_offsets_map_from_file_text_to_normalised_text(
    tmp_path: Path, raw: str, quote: str
):
    start = raw.index(quote)
    end = start + len(quote)
    qdpx = make_qdpx(
        tmp_path / "t.qdpx",
        simple_qde(selection(start, end)),
        {f"sources/{SOURCE}.txt": raw.encode("utf-8")},
    )
    with Project.create(tmp_path / "p.qcdb") as p:
        p.exchange.import_qdpx(qdpx)
        [seg] = p.coding.codings()
        assert seg.text == quote
        assert "\r" not in p.sources.get("int1").text and not p.sources.get("int1").text.startswith(
            "\ufeff"
        )


def test_non_bmp_characters_count_as_one_code_point_on_export(tmp_path: Path):
    with Project.create(tmp_path / "p.qcdb") as p:
        f = tmp_path / "emoji.txt"
        f.write_text("A: 😀😀 I never heard of it.\n", encoding="utf-8")
        p.sources.import_files([f])
        text = p.sources.get("emoji").text
        p.coding.apply("emoji", *span(text, "never heard"), "Awareness", coder="anna", new=True)
        p.exchange.export_qdpx(tmp_path / "e.qdpx")
    qde = zipfile.ZipFile(tmp_path / "e.qdpx").read("project.qde").decode()
    start = text.index("never heard")
    assert f'startPosition="{start}"' in qde and start == 8  # each emoji is one code point


def test_offset_map_rounds_outward_inside_a_changed_piece():
    m = OffsetMap("a\r\nb")
    assert m.text == "a\nb"
    assert (m(1), m(2), m(2, end=True), m(3), m(4)) == (1, 1, 2, 2, 3)


# -- liberal reading -------------------------------------------------------------------------


def test_liberal_reading_of_vendor_quirks(tmp_path: Path):
    """Braced upper-case GUIDs, no namespace, extra elements and attributes, a missing
    optional user and date, a coding on the whole source, inline text, cases and
    variables, a three-digit colour, notes referenced from a selection."""
    qde = f"""<?xml version="1.0" encoding="utf-8"?>
<Project name="vendor" origin="MAXQDA 2022" xmlns:v="urn:vendor">
  <v:Extension foo="bar"><v:Anything/></v:Extension>
  <Users><User guid="{{AAAAAAAA-0000-4000-8000-000000000009}}"/></Users>
  <CodeBook><Codes>
    <Code guid="{{{CODE.upper()}}}" name="Parent/Group" isCodable="false" color="#f0a">
      <v:Colour>red</v:Colour>
      <Code guid="dddddddd-0000-4000-8000-000000000001" name="Child" isCodable="true"/>
    </Code>
  </Codes></CodeBook>
  <Variables><Variable guid="99999999-0000-4000-8000-000000000001" name="cohort"
      typeOfVariable="Integer"/></Variables>
  <Cases><Case guid="88888888-0000-4000-8000-000000000001" name="Student 7">
    <VariableValue><VariableRef targetGUID="99999999-0000-4000-8000-000000000001"/>
      <IntegerValue>2019</IntegerValue></VariableValue>
    <SourceRef targetGUID="{SOURCE}"/></Case></Cases>
  <Sources>
    <TextSource guid="{SOURCE}" name="inline" unknownAttr="1">
      <PlainTextContent>Hello world, I never heard of it.</PlainTextContent>
      <PlainTextSelection guid="eeeeeeee-0000-4000-8000-000000000001" startPosition="6"
          endPosition="11" vendorThing="x">
        <Coding guid="eeeeeeee-0000-4000-8000-000000000002">
          <CodeRef targetGUID="DDDDDDDD-0000-4000-8000-000000000001"/>
        </Coding>
        <NoteRef targetGUID="77777777-0000-4000-8000-000000000001"/>
      </PlainTextSelection>
      <Coding guid="eeeeeeee-0000-4000-8000-000000000003"
          creatingUser="AAAAAAAA-0000-4000-8000-000000000009">
        <CodeRef targetGUID="{CODE}"/>
      </Coding>
    </TextSource>
  </Sources>
  <Notes><Note guid="77777777-0000-4000-8000-000000000001" name="n">
    <PlainTextContent>Why world?</PlainTextContent></Note></Notes>
</Project>"""
    qdpx = make_qdpx(tmp_path / "v.qdpx", qde)
    with Project.create(tmp_path / "p.qcdb", coder="lead") as p:
        report = p.exchange.import_qdpx(qdpx)
        book = p.codebook.book()
        # The name with '/' is kept as written; its path escapes it.
        assert [c.name for c in book] == ["Parent/Group", "Child"]
        assert sorted(book.path(c) for c in book) == ["Parent\\/Group", "Parent\\/Group/Child"]
        assert p.codebook.code("Parent\\/Group").color == "#ff00aa"
        segs = {(s.text, s.code, s.coding.coder) for s in p.coding.codings()}
        assert segs == {
            ("world", "Parent\\/Group/Child", "lead"),
            ("Hello world, I never heard of it.", "Parent\\/Group", "user aaaaaaaa"),
        }
        assert p.sources.get("inline").attributes == {"case": "Student 7", "cohort": "2019"}
        [memo] = p.coding.memos()
        assert memo.target == "coding" and memo.text == "Why world?"
    assert not report.conflicts


def test_qdc_reader_accepts_codes_in_a_project_codebook():
    data = simple_qde().encode()
    [code] = parse_qdc(data, "x.qde")
    assert code.name == "Time" and code.guid == CODE


def test_odd_guids_stored_in_a_project_are_exported_as_plain_guids(tmp_path: Path):
    with Project.create(tmp_path / "p.qcdb") as p:
        a = p.codebook.add_code("A", guid="{ABCDEF00-0000-4000-8000-000000000001}")
        b = p.codebook.add_code("B", guid="not a guid")
        p.exchange.export_qdpx(tmp_path / "o.qdpx")
        assert p.codebook.book().get(a.id).guid == "abcdef00-0000-4000-8000-000000000001"
        new = p.codebook.book().get(b.id).guid
        assert new is not None and new != "not a guid"
    qde = zipfile.ZipFile(tmp_path / "o.qdpx").read("project.qde").decode()
    assert 'guid="abcdef00-0000-4000-8000-000000000001"' in qde and "not a guid" not in qde


def test_bare_qde_reads_sources_beside_it_and_never_above(tmp_path: Path):
    folder = tmp_path / "export"
    (folder / "sources").mkdir(parents=True)
    (folder / "sources" / f"{SOURCE}.txt").write_text("I had never heard of it.", "utf-8")
    (folder / "project.qde").write_text(simple_qde(selection(6, 17)), "utf-8")
    (tmp_path / "secret.txt").write_text("secret", "utf-8")
    with Project.create(tmp_path / "p.qcdb") as p:
        p.exchange.import_qde(folder / "project.qde")
        assert [s.text for s in p.coding.codings()] == ["never heard"]
    (folder / "bad.qde").write_text(simple_qde(path="relative://../secret.txt"), "utf-8")
    with Project.create(tmp_path / "q.qcdb") as q, pytest.raises(ExchangeError, match="outside"):
        q.exchange.import_qde(folder / "bad.qde")


def test_relative_external_source_beside_the_qdpx(tmp_path: Path):
    (tmp_path / "int1.txt").write_text("I had never heard of it.", "utf-8")
    qdpx = make_qdpx(tmp_path / "r.qdpx", simple_qde(selection(6, 17), path="relative://int1.txt"))
    with Project.create(tmp_path / "p.qcdb") as p:
        p.exchange.import_qdpx(qdpx)
        assert [s.text for s in p.coding.codings()] == ["never heard"]


def test_descriptions_of_sources_and_project_become_memos(tmp_path: Path):
    qde = (
        simple_qde()
        .replace(
            f'plainTextPath="internal://{SOURCE}.txt">',
            f'plainTextPath="internal://{SOURCE}.txt"><Description>Rural site</Description>',
        )
        .replace("</Project>", "<Description>Pilot study</Description></Project>")
    )
    qdpx = make_qdpx(tmp_path / "d.qdpx", qde, {f"sources/{SOURCE}.txt": b"Hello."})
    with Project.create(tmp_path / "p.qcdb") as p:
        p.exchange.import_qdpx(qdpx)
        assert {(m.target, m.text) for m in p.coding.memos()} == {
            ("source", "Rural site"),
            ("project", "Pilot study"),
        }


def test_a_text_source_with_only_rich_text_is_skipped_and_reported(tmp_path: Path):
    qde = simple_qde().replace(
        "</Sources>",
        '<TextSource guid="12345678-0000-4000-8000-000000000001" name="styled" '
        'richTextPath="internal://x.docx"/></Sources>',
    )
    qdpx = make_qdpx(tmp_path / "r.qdpx", qde, {f"sources/{SOURCE}.txt": b"Hello."})
    with Project.create(tmp_path / "p.qcdb") as p:
        report = p.exchange.import_qdpx(qdpx)
        assert [s.name for s in p.sources.all()] == ["int1"]
    assert report.skipped == [f"{qdpx}: text source 'styled' without plain text"]


def test_backslash_member_names_from_windows_tools(tmp_path: Path):
    qdpx = make_qdpx(
        tmp_path / "w.qdpx", simple_qde(selection(0, 5)), {f"Sources\\{SOURCE}.TXT": b"Hello."}
    )
    with Project.create(tmp_path / "p.qcdb") as p:
        p.exchange.import_qdpx(qdpx)
        assert [s.text for s in p.coding.codings()] == ["Hello"]
