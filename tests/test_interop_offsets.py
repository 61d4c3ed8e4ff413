"""Offsets as other tools count them: chosen per file with evidence, overridable, exported
for a target tool, partial projects, and codings placed by their quotes on edited sources."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from typer.testing import CliRunner

from qualcode.cli import app
from qualcode.interop.offsets import Convention, UnitMap, on_boundary, quote_matches
from qualcode.project import Project
from tests.conftest import dump, span
from tests.refi_helpers import (
    CODE,
    SOURCE,
    XSD,
    convention_qdpx,
    emoji_comments,
    make_qdpx,
    selection,
    simple_qde,
    spans,
)

runner = CliRunner()
CONVENTIONS = [
    Convention(u, b, c)
    for u in ("codepoints", "utf16", "utf8")
    for b in (False, True)
    for c in (2, 1)
]


# -- the mapping, by hand ---------------------------------------------------------------------


def test_unit_map_counts_each_convention_by_hand():
    text = "\ufeffa😀b\r\nc"  # BOM, a, emoji, b, CR, LF, c: 7 code points
    assert UnitMap(text, Convention("codepoints", bom=True)).positions() == [0, 1, 2, 3, 4, 5, 6, 7]
    assert UnitMap(text, Convention("utf16")).positions() == [0, 0, 1, 3, 4, 5, 6, 7]
    assert UnitMap(text, Convention("utf16", crlf=1)).positions() == [0, 0, 1, 3, 4, 4, 5, 6]
    assert UnitMap(text, Convention("utf8", bom=True)).positions() == [0, 3, 4, 8, 9, 10, 11, 12]
    m = UnitMap(text, Convention("utf16"))
    # Inside the surrogate pair: a start rounds down to the emoji, an end up past it.
    assert (m(2), m(2, end=True)) == (2, 3)
    assert m(0) == 0 and m(5) == 5 and m(7, end=True) == 7


def test_word_boundaries_and_quotes_in_names():
    text = "Senkit nem lehet."
    assert on_boundary(text, 0) and on_boundary(text, 6) and on_boundary(text, 16)
    assert not on_boundary(text, 1)
    assert quote_matches("Senkit nem", "Senkit nem")
    assert quote_matches("Senkit...", "Senkit nem lehet")
    assert quote_matches("Senkit nem\r\nlehet", "Senkit nem\nlehet")
    assert not quote_matches("enkit nem", "Senkit nem")
    assert quote_matches("", "x") is None


# -- one text, written once per convention ----------------------------------------------------


@pytest.mark.parametrize("conv", CONVENTIONS, ids=str)
def test_every_convention_imports_with_every_quote_exact(tmp_path: Path, conv: Convention):
    text, quotes = emoji_comments()
    assert len(quotes) >= 50 and sum(ord(c) > 0xFFFF for c in text) >= 100
    qdpx = convention_qdpx(
        tmp_path / "c.qdpx", text, quotes, unit=conv.unit, bom_counted=conv.bom, crlf=conv.crlf
    )
    with Project.create(tmp_path / "p.qcdb") as p:
        report = p.exchange.import_qdpx(qdpx)
        got = sorted(((c.coding.start, c.coding.end), c.text) for c in p.coding.codings())
        assert p.sources.get("int1").text == text
    assert got == sorted(zip(spans(text, quotes), quotes, strict=True))
    [line] = report.offsets
    assert f"offsets read as {conv} (no producer named)" in line
    assert f"{len(quotes)} of {len(quotes)} codings start and end on word boundaries" in line
    assert not report.warnings


def test_nvivo_shaped_file_names_its_producer_and_the_quotes_in_names(tmp_path: Path):
    text, quotes = emoji_comments()
    qdpx = convention_qdpx(
        tmp_path / "n.qdpx",
        text,
        quotes,
        unit="utf16",
        bom_counted=False,
        crlf=2,
        origin="NVivo for Windows 12.6",
        names=True,
    )
    result = runner.invoke(app, ["import", str(tmp_path / "p.qcdb"), str(qdpx)])
    assert result.exit_code == 0, result.output
    n = len(quotes)
    assert (
        f"{qdpx}: offsets read as UTF-16 code units (NVivo for Windows 12.6): "
        f"{n} of {n} codings start and end on word boundaries; {n} of {n} match the quote "
        "in their name"
    ) in result.output
    assert "WARNING" not in result.output


@pytest.mark.parametrize(
    ("origin", "unit", "crlf", "expected"),
    [
        ("ATLAS.ti Win 23.4.0", "codepoints", 1, "Unicode code points (CRLF as one)"),
        ("MAXQDA 24", "codepoints", 1, "Unicode code points (CRLF as one)"),
        ("QualCoder 3.5", "codepoints", 2, "Unicode code points"),
        ("NVivo 14", "utf16", 2, "UTF-16 code units"),
    ],
)
def test_producer_shaped_files_name_producer_and_convention(
    tmp_path: Path, origin: str, unit: str, crlf: int, expected: str
):
    text, quotes = emoji_comments(30)
    qdpx = convention_qdpx(
        tmp_path / "x.qdpx", text, quotes, unit=unit, bom_counted=False, crlf=crlf, origin=origin
    )
    with Project.create(tmp_path / "p.qcdb") as p:
        report = p.exchange.import_qdpx(qdpx)
        assert sorted(c.text for c in p.coding.codings()) == sorted(quotes)
    assert f"offsets read as {expected} ({origin}):" in report.offsets[0]


def test_names_outweigh_word_boundaries(tmp_path: Path):
    # Single letters coded: every reading puts them on word boundaries; the names decide.
    text = "a 😀 b 😀 c 😀 d\n"
    sels = []
    for i, letter in enumerate("bcd"):
        start = len(text[: text.index(letter)].encode("utf-16-le")) // 2
        g = f"eeeeeeee-0000-4000-8000-00000000000{i}"
        sels.append(
            f'<PlainTextSelection guid="{g}" name="{letter}" startPosition="{start}" '
            f'endPosition="{start + 1}"><Coding guid="{g[:-1]}9{i}"><CodeRef '
            f'targetGUID="{CODE}"/></Coding></PlainTextSelection>'
        )
    qdpx = make_qdpx(
        tmp_path / "x.qdpx", simple_qde("".join(sels)), {f"sources/{SOURCE}.txt": text.encode()}
    )
    with Project.create(tmp_path / "p.qcdb") as p:
        report = p.exchange.import_qdpx(qdpx)
        assert sorted(c.text for c in p.coding.codings()) == ["b", "c", "d"]
    assert "UTF-16 code units" in report.offsets[0]


def test_poor_evidence_imports_but_warns_and_says_how_to_override(tmp_path: Path):
    text, quotes = emoji_comments(20)
    qdpx = convention_qdpx(
        tmp_path / "u.qdpx", text, quotes, unit="utf16", bom_counted=False, crlf=2
    )
    result = runner.invoke(
        app, ["import", str(tmp_path / "p.qcdb"), str(qdpx), "--offsets", "utf8"]
    )
    assert result.exit_code == 0, result.output
    assert "as --offsets says" in result.output
    assert "WARNING:" in result.output and "--offsets codepoints, utf16" in result.output


def test_offsets_override_reads_the_file_that_way(tmp_path: Path):
    text, quotes = emoji_comments(20)
    qdpx = convention_qdpx(
        tmp_path / "u.qdpx", text, quotes, unit="utf16", bom_counted=False, crlf=2
    )
    with Project.create(tmp_path / "p.qcdb") as p:
        report = p.exchange.import_refi(qdpx, offsets="utf16")
        assert {c.text for c in p.coding.codings()} == set(quotes)
    assert "UTF-16 code units" in report.offsets[0] and "as --offsets says" in report.offsets[0]
    result = runner.invoke(app, ["import", str(tmp_path / "q.qcdb"), str(qdpx), "--offsets", "x"])
    assert result.exit_code == 1 and "codepoints, utf16, utf8" in result.stderr


def test_dry_run_shows_the_report_and_writes_nothing(tmp_path: Path, project_path: Path, project):
    text, quotes = emoji_comments(10)
    qdpx = convention_qdpx(
        tmp_path / "d.qdpx", text, quotes, unit="utf16", bom_counted=False, crlf=2
    )
    project.close()
    before = dump(project_path)
    result = runner.invoke(app, ["import", str(project_path), str(qdpx), "--dry-run"])
    assert result.exit_code == 0, result.output
    assert "offsets read as UTF-16 code units" in result.output
    assert "Dry run: nothing was written." in result.output
    assert dump(project_path) == before
    fresh = tmp_path / "fresh.qcdb"
    result = runner.invoke(app, ["import", str(fresh), str(qdpx), "--dry-run"])
    assert result.exit_code == 0 and not fresh.exists()


# -- partial projects ---------------------------------------------------------------------------

MAXQDA_QDE = f"""<?xml version="1.0" encoding="utf-8"?>
<Project xmlns="urn:QDA-XML:project:1.0" name="Codebook study" origin="MAXQDA 24">
  <Users><User guid="AAAAAAAA-0000-4000-8000-00000000000A" name="Judit"/>
    <User guid="AAAAAAAA-0000-4000-8000-00000000000B" name="Péter"/></Users>
  <CodeBook><Codes>
    <Code guid="{CODE}" name="Pressure" isCodable="true" color="#FF0000">
      <Description>Being pushed to do something.</Description>
      <Code guid="CCCCCCCC-0000-4000-8000-000000000002" name="From family" isCodable="true"
          color="#00aa00"><Description>Parents, siblings.</Description></Code>
    </Code>
  </Codes></CodeBook>
  <Variables><Variable guid="99999999-0000-4000-8000-000000000001" name="age"
      typeOfVariable="Integer"/></Variables>
  <Sources>
    <TextSource guid="{SOURCE}" name="Interview 1" plainTextPath="internal://{SOURCE}.txt">
      <PlainTextSelection guid="EEEEEEEE-0000-4000-8000-000000000001" startPosition="0"
          endPosition="5"><Coding guid="EEEEEEEE-0000-4000-8000-000000000002">
          <CodeRef targetGUID="{CODE}"/></Coding></PlainTextSelection>
    </TextSource>
  </Sources>
  <Sets><Set guid="88888888-0000-4000-8000-000000000001" name="Wave 1">
    <MemberSource targetGUID="{SOURCE}"/></Set></Sets>
</Project>"""


def test_bare_maxqda_qde_imports_its_codebook_and_lists_what_it_skipped(tmp_path: Path):
    qde = tmp_path / "codebook.qde"
    qde.write_text(MAXQDA_QDE, encoding="utf-8")
    result = runner.invoke(app, ["import", str(tmp_path / "p.qcdb"), str(qde)])
    assert result.exit_code == 0, result.output
    assert "Codes: 2 added" in result.output
    assert "Skipped: " in result.output and "'Interview 1' and its 1 coding(s)" in result.output
    assert "source file not found beside the .qde" in result.output
    assert "1 variable(s)" in result.output and "set 'Wave 1': 1 source(s)" in result.output
    with Project.open(tmp_path / "p.qcdb") as p:
        assert p.codebook.code("Pressure").definition == "Being pushed to do something."
        assert p.codebook.code("Pressure/From family").color == "#00aa00"
        assert p.codebook.code("Pressure").color == "#ff0000"
        assert not p.sources.all() and not p.coding.codings()
        assert {"Judit", "Péter"} <= set(p.context.coders())


def test_qdpx_with_a_missing_source_file_imports_the_rest(tmp_path: Path):
    other = "6666aaaa-0000-4000-8000-000000000001"
    qde = simple_qde(selection(0, 5)).replace(
        "</Sources>",
        f'<TextSource guid="{other}" name="int2" plainTextPath="internal://{other}.txt">'
        "</TextSource></Sources>",
    )
    qdpx = make_qdpx(tmp_path / "m.qdpx", qde, {f"sources/{other}.txt": b"Hello there."})
    with Project.create(tmp_path / "p.qcdb") as p:
        report = p.exchange.import_qdpx(qdpx)
        assert [s.name for s in p.sources.all()] == ["int2"] and not p.coding.codings()
    assert any("'int1' and its 1 coding(s)" in s and "missing" in s for s in report.skipped)


def test_a_set_of_sources_becomes_their_attribute(tmp_path: Path):
    qde = simple_qde().replace(
        "</Project>",
        '<Sets><Set guid="88888888-0000-4000-8000-000000000001" name="Wave 1">'
        f'<MemberSource targetGUID="{SOURCE}"/><MemberCode targetGUID="{CODE}"/></Set></Sets>'
        "</Project>",
    )
    qdpx = make_qdpx(tmp_path / "s.qdpx", qde, {f"sources/{SOURCE}.txt": b"Hello."})
    with Project.create(tmp_path / "p.qcdb") as p:
        report = p.exchange.import_qdpx(qdpx)
        assert p.sources.get("int1").attributes == {"set: Wave 1": "yes"}
    assert any("set 'Wave 1': 1 code(s)" in s for s in report.skipped)


def test_taguette_codebook_with_empty_sets_reads(tmp_path: Path):
    qdc = tmp_path / "codebook.qdc"
    qdc.write_text(
        '<?xml version="1.0" encoding="utf-8"?>\n<CodeBook xmlns="urn:QDA-XML:codebook:1.0" '
        'origin="Taguette 1.4.1"><Codes><Code guid="0D62985D-B147-5D01-A9B5-CAE5DCD98342" '
        'name="interesting" isCodable="true"/><Code guid="DFE5C38E-9449-5959-A1F7-E3D895CFA87F"'
        ' name="people" isCodable="true"/></Codes><Sets/></CodeBook>',
        encoding="utf-8",
    )
    with Project.create(tmp_path / "p.qcdb") as p:
        report = p.exchange.import_refi(qdc)
        assert sorted(c.name for c in p.codebook.book()) == ["interesting", "people"]
    assert len(report.codes_added) == 2


# -- exports for a target tool ----------------------------------------------------------------


def _emoji_project(tmp_path: Path) -> Path:
    text, quotes = emoji_comments(30)
    f = tmp_path / "comments.txt"
    f.write_text(text, encoding="utf-8")
    path = tmp_path / "src.qcdb"
    with Project.create(path, coder="anna") as p:
        p.sources.import_files([f])
        at = 0
        for q in quotes:
            start = text.index(q, at)
            at = start + 1
            p.coding.apply("comments", start, start + len(q), "Pressure", coder="anna", new=True)
    return path


def _codings(path: Path) -> list[tuple[int, int, str, str]]:
    with Project.open(path) as p:
        return sorted(
            (c.coding.start, c.coding.end, c.text, c.coding.coder) for c in p.coding.codings()
        )


@pytest.mark.parametrize("target", ["standard", "nvivo", "atlas", "maxqda", "qualcoder"])
def test_export_for_a_tool_reimports_exactly(tmp_path: Path, target: str):
    src = _emoji_project(tmp_path)
    out = tmp_path / f"{target}.qdpx"
    result = runner.invoke(app, ["export", str(src), str(out), "--for", target])
    assert result.exit_code == 0, result.output
    back = tmp_path / "back.qcdb"
    result = runner.invoke(app, ["import", str(back), str(out)])
    assert result.exit_code == 0, result.output
    assert "WARNING" not in result.output
    assert _codings(back) == _codings(src)
    with Project.open(back) as b, Project.open(src) as a:
        assert b.sources.get("comments").text == a.sources.get("comments").text


def test_export_for_nvivo_writes_bom_crlf_and_utf16_offsets(tmp_path: Path):
    with Project.create(tmp_path / "p.qcdb") as p:
        f = tmp_path / "e.txt"
        f.write_text("A: 😀😀 I never\nheard of it.\n", encoding="utf-8")
        p.sources.import_files([f])
        p.coding.apply(
            "e", *span(p.sources.get("e").text, "heard"), "Awareness", coder="anna", new=True
        )
        p.exchange.export_qdpx(tmp_path / "n.qdpx", target="nvivo")
    zf = zipfile.ZipFile(tmp_path / "n.qdpx")
    [txt] = [n for n in zf.namelist() if n.endswith(".txt")]
    assert zf.read(txt) == "\ufeffA: 😀😀 I never\r\nheard of it.\r\n".encode()
    qde = zf.read("project.qde").decode()
    # "A: " 3 + two emoji at 2 units each 4 + " I never" 8 + CRLF 2 = 17
    assert 'startPosition="17" endPosition="22"' in qde
    assert 'origin="qualcode (for NVivo)"' in qde and 'name="heard"' in qde


@pytest.mark.skipif(not XSD.exists(), reason="../shared/refi-qda/Project.xsd is not here")
@pytest.mark.parametrize("target", ["nvivo", "atlas"])
def test_exports_for_nvivo_and_atlas_validate(tmp_path: Path, target: str):
    etree = pytest.importorskip("lxml.etree")
    src = _emoji_project(tmp_path)
    with Project.open(src) as p:
        p.exchange.export_qdpx(tmp_path / "o.qdpx", target=target)
    schema = etree.XMLSchema(etree.parse(str(XSD)))
    doc = etree.fromstring(zipfile.ZipFile(tmp_path / "o.qdpx").read("project.qde"))
    assert schema.validate(doc), schema.error_log


def test_export_for_an_unknown_tool_is_refused(tmp_path: Path):
    src = _emoji_project(tmp_path)
    result = runner.invoke(app, ["export", str(src), str(tmp_path / "x.qdpx"), "--for", "word"])
    assert result.exit_code == 1 and "nvivo" in result.stderr
    result = runner.invoke(app, ["export", str(src), str(tmp_path / "x.qdc"), "--for", "nvivo"])
    assert result.exit_code == 1 and ".qdpx" in result.stderr


def test_offsets_and_dry_run_are_for_refi_files_only(tmp_path: Path):
    f = tmp_path / "a.txt"
    f.write_text("Hello.", encoding="utf-8")
    result = runner.invoke(app, ["import", str(tmp_path / "p.qcdb"), str(f), "--dry-run"])
    assert result.exit_code == 1 and "REFI-QDA" in result.stderr


# -- re-anchoring -----------------------------------------------------------------------------

ORIGINAL = (
    "Interviewer: How did you hear of the programme?\n"
    "Student: I had nevr heard of it before you called.\n"
    "Interviewer: And the mentors?\n"
    "Student: The mentors were helpful, mostly.\n"
)


def _coded_over_edit(tmp_path: Path, edited: str, spans_in_original: list[tuple[int, int]]):
    """A project holding ``edited`` as int1, into which a coder's .qdpx of ``ORIGINAL``
    with codings at ``spans_in_original`` is imported: (coded quotes, report)."""
    sels = "".join(
        selection(a, b, guid=f"eeeeeeee-0000-4000-8000-0000000{i}0000")
        for i, (a, b) in enumerate(spans_in_original)
    )
    qdpx = make_qdpx(
        tmp_path / "coder.qdpx", simple_qde(sels), {f"sources/{SOURCE}.txt": ORIGINAL.encode()}
    )
    folder = tmp_path / "t"
    folder.mkdir()
    (folder / "int1.txt").write_text(edited, encoding="utf-8")
    with Project.create(tmp_path / "p.qcdb") as p:
        p.sources.import_files([folder / "int1.txt"])
        report = p.exchange.import_qdpx(qdpx)
        assert [s.name for s in p.sources.all()] == ["int1"]
        return sorted(c.text for c in p.coding.codings()), report


def test_codings_on_an_edited_source_are_placed_by_their_quotes(tmp_path: Path):
    fixed = ORIGINAL.replace("nevr", "never").replace("Interviewer: And", "Interviewer: So, and")
    quotes = ["heard of it", "mentors were helpful", "nevr heard"]
    spans = [span(ORIGINAL, q) for q in quotes] + [span(ORIGINAL, "How did")]
    got, report = _coded_over_edit(tmp_path, fixed, spans)
    # "How did" (before both edits) has not moved; the typo-fixed quote is placed anew.
    assert got == ["How did", "heard of it", "mentors were helpful", "never heard"]
    assert report.reanchored == 3 and report.unplaced == 0
    assert any("placed by their quotes" in n for n in report.notes)


def test_a_quote_gone_from_the_edited_source_is_reported_not_placed(tmp_path: Path):
    edited = ORIGINAL.replace("The mentors were helpful, mostly.", "They were fine.")
    quotes = ["mentors were helpful", "heard of it"]
    got, report = _coded_over_edit(tmp_path, edited, [span(ORIGINAL, q) for q in quotes])
    assert got == ["heard of it"]
    assert report.unplaced == 1
    assert any("mentors were helpful" in s for s in report.skipped)


def test_quotes_cut_mid_word_are_not_doubted_when_their_names_match(tmp_path: Path):
    with Project.create(tmp_path / "p.qcdb") as p:
        f = tmp_path / "e.txt"
        f.write_text("Senkit nem lehet kényszeríteni erre.\n", encoding="utf-8")
        p.sources.import_files([f])
        p.coding.apply(
            "e", 2, 9, "Awareness", coder="anna", new=True
        )  # "nkit ne": a coder's odd choice
        p.exchange.export_qdpx(tmp_path / "o.qdpx")
    with Project.create(tmp_path / "q.qcdb") as q:
        report = q.exchange.import_qdpx(tmp_path / "o.qdpx")
        assert [c.text for c in q.coding.codings()] == ["nkit ne"]
    assert not report.warnings and "1 of 1 match the quote" in report.offsets[0]


def test_a_repeated_quote_goes_to_the_occurrence_where_its_line_went():
    from qualcode.interop.anchor import Anchor, similar

    body = "B: We talked about the mentoring programme for a long while, then moved on.\n"
    old = "A: yes, time.\n" + body + "A: yes, time.\n" + body
    new = "Hi.\nA: yes, time.\n" + body.replace("then", "and then") + "A: yes, time.\n" + body
    assert similar(old, new) and not similar(old, "Something else entirely, longer.\n")
    second = old.rindex("yes, time")
    a, b = Anchor(old, new).place(second, second + 9)  # type: ignore[misc]
    assert (a, new[a:b]) == (new.rindex("yes, time"), "yes, time")


def test_merge_where_one_coder_fixed_a_typo_keeps_one_source(tmp_path: Path):
    from qualcode.project import merge_projects

    paths = []
    for coder, text in (("anna", ORIGINAL), ("ben", ORIGINAL.replace("nevr", "never"))):
        folder = tmp_path / coder
        folder.mkdir()
        (folder / "int1.txt").write_text(text, encoding="utf-8")
        path = tmp_path / f"{coder}.qcdb"
        with Project.create(path, coder=coder) as p:
            p.sources.import_files([folder / "int1.txt"])
            p.coding.apply("int1", *span(text, "mentors were helpful"), "Mentors", new=True)
        paths.append(path)
    report = merge_projects(tmp_path / "team.qcdb", paths)
    with Project.open(tmp_path / "team.qcdb") as t:
        assert [s.name for s in t.sources.all()] == ["int1"]
        assert {(c.coding.coder, c.text) for c in t.coding.codings()} == {
            ("anna", "mentors were helpful"),
            ("ben", "mentors were helpful"),
        }
    assert report.reanchored == 1 and not report.conflicts
