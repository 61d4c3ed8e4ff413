"""REFI-QDA files shaped like real tools' exports, and the hostile edges of reading offsets.

The shapes come from files published in public repositories; their content is rewritten
here (only the elements, attributes and their spelling are kept), so no third party's
research data is copied. Where each shape was seen is noted beside it.
"""

from __future__ import annotations

import unicodedata
from pathlib import Path

import pytest
from typer.testing import CliRunner

from qualcode.cli import app
from qualcode.interop.offsets import (
    Convention,
    Selection,
    candidates,
    choose,
    producer_of,
    quote_matches,
)
from qualcode.interop.refi import OffsetMap
from qualcode.project import Project
from tests.refi_helpers import CODE, SOURCE, make_qdpx, simple_qde

runner = CliRunner()


def _sel(n: int, start: int, end: int, name: str | None = None, code: str = CODE) -> str:
    label = f' name="{name}"' if name is not None else ""
    return (
        f'<PlainTextSelection guid="eeeeeeee-0000-4000-8000-{n:012d}"{label} '
        f'startPosition="{start}" endPosition="{end}"><Coding '
        f'guid="dddddddd-0000-4000-8000-{n:012d}"><CodeRef targetGUID="{code}"/></Coding>'
        "</PlainTextSelection>"
    )


def _import(tmp_path: Path, text: bytes, selections: list[str], origin: str = ""):
    """(quotes in text order, report) of a .qdpx holding ``text`` coded at ``selections``."""
    qde = simple_qde("".join(selections))
    if origin:
        qde = qde.replace('name="t">', f'name="t" origin="{origin}">', 1)
    qdpx = make_qdpx(tmp_path / "x.qdpx", qde, {f"sources/{SOURCE}.txt": text})
    with Project.create(tmp_path / "p.qcdb") as p:
        report = p.exchange.import_qdpx(qdpx)
        quotes = [c.text for c in sorted(p.coding.codings(), key=lambda c: c.coding.start)]
    return quotes, report


# -- shapes of real exports ---------------------------------------------------------------------

# MAXQDA 24 project XML sent without its Sources folder. Shape of project.qde in
# github.com/bedingjd/paper_themes: xsi:schemaLocation, origin with the release, parent
# codes with descriptions, self-closing TextSources with modifyingUser and dates, and Sets
# of sources. Code names and texts are made up.
MAXQDA_24_BARE = """<?xml version="1.0" encoding="utf-8"?>
<Project xsi:schemaLocation="urn:QDA-XML:project:1.0 http://schema.qdasoftware.org/versions/\
Project/v1.0/Project.xsd" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" \
xmlns="urn:QDA-XML:project:1.0" origin="MAXQDA 24 (Release 24.7.0)" name="Panel study" \
modifiedDateTime="2025-07-14T18:42:34Z">
 <Users>
  <User guid="F3EA8DA1-BB99-411F-8ED4-011170237B6C" name="judit"/>
 </Users>
 <CodeBook>
  <Codes>
   <Code color="#ef8256" guid="C9E3D7E0-4DBF-46E2-96EF-14574ECD3B90" name="Barriers" \
isCodable="true">
    <Description>A parent category: apply only its codes.</Description>
    <Code color="#ef8256" guid="C6C1BE73-B4F4-4C2D-91F1-90B73BFC5C25" name="BARRIER - Time" \
isCodable="true">
     <Description>Apply when a student says they have no time &amp; why.</Description>
    </Code>
   </Code>
   <Code color="#32bd59" guid="5C7AE230-096A-4F7E-A632-3BE263BB9156" name="Awareness" \
isCodable="true">
    <Description>Whether students knew of the programme.</Description>
   </Code>
  </Codes>
 </CodeBook>
 <Sources>
  <TextSource modifyingUser="F3EA8DA1-BB99-411F-8ED4-011170237B6C" \
guid="C5E4C960-5296-4FDE-8C63-DEABA4E17F92" creatingUser="F3EA8DA1-BB99-411F-8ED4-011170237B6C" \
creationDateTime="2024-10-18T23:23:46Z" name="Panel 2024" \
plainTextPath="internal://C5E4C960-5296-4FDE-8C63-DEABA4E17F92.txt" \
modifiedDateTime="2024-10-18T23:23:46Z"/>
  <TextSource modifyingUser="F3EA8DA1-BB99-411F-8ED4-011170237B6C" \
guid="1C693BD8-FFE2-4398-AB33-0831971751F4" creatingUser="F3EA8DA1-BB99-411F-8ED4-011170237B6C" \
creationDateTime="2025-06-16T22:00:02Z" name="Panel 2025" \
plainTextPath="internal://1C693BD8-FFE2-4398-AB33-0831971751F4.txt" \
modifiedDateTime="2025-06-16T22:00:02Z"/>
 </Sources>
 <Sets>
  <Set guid="45FE4439-9BF4-47FC-AFAF-D87305293172" name="Wave 2024">
   <MemberSource targetGUID="C5E4C960-5296-4FDE-8C63-DEABA4E17F92"/>
  </Set>
 </Sets>
</Project>
"""


def test_bare_maxqda_24_project_imports_its_codebook(tmp_path: Path):
    qde = tmp_path / "project.qde"
    qde.write_text(MAXQDA_24_BARE, encoding="utf-8")
    result = runner.invoke(app, ["import", str(tmp_path / "p.qcdb"), str(qde)])
    assert result.exit_code == 0, result.output
    assert "Codes: 3 added" in result.output
    assert "'Panel 2024' and its 0 coding(s)" in result.output
    assert "'Panel 2025' and its 0 coding(s)" in result.output
    assert "set 'Wave 2024': 1 source(s) not read" in result.output
    assert "WARNING" not in result.output
    with Project.open(tmp_path / "p.qcdb") as p:
        child = p.codebook.code("Barriers/BARRIER - Time")
        assert child.definition == "Apply when a student says they have no time & why."
        assert child.color == "#ef8256"
        assert not p.sources.all() and not p.coding.codings()


# NVivo for Windows 12.6. Shape quoted, from a real export, in a public test of another
# QDA tool (qdpxArchive.test.ts): xmlns:xsd, creatingUserGUID and basePath="" on Project,
# richTextPath beside plainTextPath, selections with name="" and no creatingUser on them or
# their codings. The text (BOM, CRLF, emoji) and the codes are made up.
NVIVO_12_6 = """<?xml version="1.0" encoding="utf-8"?>
<Project xmlns:xsd="http://www.w3.org/2001/XMLSchema" name="Untitled" \
origin="NVivo for Windows 12.6" creatingUserGUID="f93ad076-5ca1-4f46-abf4-b4b67130a6e2" \
creationDateTime="2025-02-21T15:09:07Z" basePath="" xmlns="urn:QDA-XML:project:1.0">
  <Users>
    <User guid="8ca3a2c1-8b7a-41c3-a9dd-a8fb46caa645" name="Coder" />
  </Users>
  <CodeBook>
    <Codes>
      <Code guid="3c51efbb-071f-43a7-9f32-228b89668e8d" name="Pressure" isCodable="true">
        <Code guid="4d62f0cc-182f-44b8-a043-339c90779e9e" name="From family" isCodable="true" />
      </Code>
    </Codes>
  </CodeBook>
  <Sources>
    <TextSource guid="56a79789-d535-4fb8-bedd-a915504c54ba" name="comments" \
richTextPath="internal://56a79789-d535-4fb8-bedd-a915504c54ba.docx" \
plainTextPath="internal://56a79789-d535-4fb8-bedd-a915504c54ba.txt" \
creationDateTime="2025-06-11T16:24:07Z">
SELECTIONS
    </TextSource>
  </Sources>
</Project>"""


def test_nvivo_12_6_shaped_export_reads_every_quote_exactly(tmp_path: Path):
    text = "".join(
        f"Komment {i}: 😀🎉 Senkit nem lehet kényszeríteni {'🙏' * (i % 3)} erre.\r\n"
        for i in range(40)
    )
    written = "\ufeff" + text
    quotes = ["Senkit nem lehet", "erre."]
    sels, n, at = [], 0, 0
    for _ in range(40):
        for q in quotes:
            at = text.index(q, at)
            start = len(text[:at].encode("utf-16-le")) // 2  # NVivo: UTF-16, BOM not counted
            end = start + len(q.encode("utf-16-le")) // 2
            sels.append(
                f'<PlainTextSelection guid="fd960901-8191-4db1-a3dd-{n:012d}" name="" '
                f'startPosition="{start}" endPosition="{end}"><Coding '
                f'guid="aa960901-8191-4db1-a3dd-{n:012d}"><CodeRef '
                'targetGUID="4d62f0cc-182f-44b8-a043-339c90779e9e" /></Coding>'
                "</PlainTextSelection>"
            )
            n, at = n + 1, at + 1
    qde = NVIVO_12_6.replace("SELECTIONS", "\n".join(sels))
    g = "56a79789-d535-4fb8-bedd-a915504c54ba"
    qdpx = make_qdpx(
        tmp_path / "nvivo.qdpx",
        qde,
        {f"Sources/{g}.txt": written.encode("utf-8"), f"Sources/{g}.docx": b"PK not read"},
    )
    with Project.create(tmp_path / "p.qcdb") as p:
        report = p.exchange.import_qdpx(qdpx)
        got = [c.text for c in sorted(p.coding.codings(), key=lambda c: c.coding.start)]
        assert len({c.coding.coder for c in p.coding.codings()}) == 1  # no creatingUser anywhere
    assert got == quotes * 40
    assert "UTF-16 code units (NVivo for Windows 12.6): 80 of 80" in report.offsets[0]
    assert not report.warnings


# A tool writing text inline, with CR as character references, beside a PDF source with a
# text representation, an audio source and a case with an integer variable. Shape of the
# "file from another tool" in a public test (refiQda.test.ts); made-up content.
INLINE_AND_OTHERS = f"""<?xml version="1.0"?>
<Project xmlns="urn:QDA-XML:project:1.0" name="Other tool export">
  <CodeBook><Codes>
    <Code guid="{CODE}" name="Alpha" isCodable="true" color="#123456"/>
  </Codes></CodeBook>
  <Variables><Variable guid="33333333-3333-4333-8333-333333333333" name="Age" \
typeOfVariable="Integer"/></Variables>
  <Cases><Case guid="44444444-4444-4444-8444-444444444444" name="P1">
    <VariableValue><VariableRef targetGUID="33333333-3333-4333-8333-333333333333"/>\
<IntegerValue>42</IntegerValue></VariableValue>
    <SourceRef targetGUID="{SOURCE}"/>
  </Case></Cases>
  <Sources>
    <TextSource guid="{SOURCE}" name="Inline one">
      <PlainTextContent>First para.&#13;
Still first.&#13;
&#13;
Second para here.&#13;
</PlainTextContent>
      <PlainTextSelection guid="55555555-5555-4555-8555-555555555555" name="Still" \
startPosition="13" endPosition="18">
        <Coding guid="66666666-6666-4666-8666-666666666666"><CodeRef targetGUID="{CODE}"/>\
</Coding>
      </PlainTextSelection>
      <PlainTextSelection guid="57555555-5555-4555-8555-555555555555" name="Second" \
startPosition="29" endPosition="35"/>
    </TextSource>
    <PDFSource guid="77777777-7777-4777-8777-777777777777" name="Scan"><Representation \
guid="78777777-7777-4777-8777-777777777777" plainTextPath="internal://scan.txt">\
<PlainTextSelection guid="79777777-7777-4777-8777-777777777777" startPosition="0" \
endPosition="7"><Coding guid="7a777777-7777-4777-8777-777777777777"><CodeRef \
targetGUID="{CODE}"/></Coding></PlainTextSelection></Representation></PDFSource>
    <AudioSource guid="88888888-8888-4888-8888-888888888888" name="Recording" \
path="internal://a.mp3"/>
  </Sources>
</Project>"""


def test_inline_text_with_cr_references_and_sources_qualcode_does_not_model(tmp_path: Path):
    qdpx = make_qdpx(tmp_path / "o.qdpx", INLINE_AND_OTHERS, {"sources/scan.txt": b"Scanned."})
    with Project.create(tmp_path / "p.qcdb") as p:
        report = p.exchange.import_qdpx(qdpx)
        src = p.sources.get("Inline one")
        assert src.text == "First para.\nStill first.\n\nSecond para here.\n"
        assert [c.text for c in p.coding.codings()] == ["Still"]
        assert src.attributes == {"case": "P1", "Age": "42"}
    assert any("PDF source 'Scan' and its 1 coding(s)" in s for s in report.skipped)
    assert any(s.endswith("audio source 'Recording'") for s in report.skipped)
    assert "2 of 2 match the quote" in report.offsets[0] and not report.warnings


# ATLAS.ti 23 codebook (shape quoted in a public R package's tests): namespace
# urn:QDA-XML:codebook:1.0 with a 0:4 schemaLocation, and a code group as a Set whose
# MemberCode carries ``guid``. NVivo 12 for Mac writes the namespace as codebook:1:0.
@pytest.mark.parametrize(
    "head",
    [
        '<CodeBook xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:schemaLocation='
        '"urn:QDA-XML:codebook:0:4 Codebook.xsd" origin="ATLAS.ti Win 23.4.0" '
        'xmlns="urn:QDA-XML:codebook:1.0">',
        '<CodeBook origin="NVivo 12 For Mac" xmlns="urn:QDA-XML:codebook:1:0">',
    ],
)
def test_codebooks_of_atlas_and_nvivo_for_mac(tmp_path: Path, head: str):
    qdc = tmp_path / "book.qdc"
    qdc.write_text(
        '<?xml version="1.0" encoding="utf-8"?>\n' + head + "<Codes>"
        '<Code guid="1FF58B12-6F6F-4B0C-8BE5-BBDC91F55294" name="code1" color="#46AA00" '
        'isCodable="true"><Description>description</Description></Code></Codes>'
        '<Sets><Set name="code group 1" guid="ECA18D76-2B8B-4F26-BC1D-19ECA19FB3F0">'
        '<MemberCode guid="1FF58B12-6F6F-4B0C-8BE5-BBDC91F55294" /></Set></Sets></CodeBook>',
        encoding="utf-8",
    )
    with Project.create(tmp_path / "p.qcdb") as p:
        p.exchange.import_refi(qdc)
        [code] = p.codebook.book()
        assert (code.name, code.definition, code.color) == ("code1", "description", "#46aa00")


@pytest.mark.parametrize(
    ("origin", "producer"),
    [
        ("NVivo for Windows 12.6", "NVivo"),
        ("NVivo 12 For Mac", "NVivo"),
        ("MAXQDA 24 (Release 24.7.0)", "MAXQDA"),
        ("ATLAS.ti Win 23.4.0", "ATLAS.ti"),
        ("Atlas.ti", "ATLAS.ti"),
        ("QualCoder 3.8.2", "QualCoder"),
        ("Qualcoder-1.4", "QualCoder"),  # older QualCoder exports
        ("qualcode (for NVivo)", "NVivo"),
        ("qualcode", "qualcode"),
        ("Taguette 1.4.1", None),
    ],
)
def test_origins_real_tools_write(origin: str, producer: str | None):
    found = producer_of(origin)
    assert (found.name if found else None) == producer
    assert candidates(origin)[0] == (found.conventions[0] if found else Convention())


# -- names that are not quotes ------------------------------------------------------------------

TEXT = "The programme helped me a lot, honestly. Time was short.\n"


@pytest.mark.parametrize(
    "names",
    [
        ["Time", "Time"],  # the code's name, whose word is also in the text
        ["Document 1: 4-13", "Document 1: 14-20"],  # a label
    ],
)
def test_names_that_are_labels_are_not_taken_for_quotes(tmp_path: Path, names: list[str]):
    quotes, report = _import(
        tmp_path, TEXT.encode(), [_sel(1, 4, 13, names[0]), _sel(2, 14, 20, names[1])]
    )
    assert quotes == ["programme", "helped"]
    assert "match the quote" not in report.offsets[0] and not report.warnings


def test_a_long_name_cut_without_a_mark_is_still_the_quote():
    quote = "programme helped me a lot, honestly"
    assert quote_matches(quote[:22], quote)
    assert not quote_matches(quote[1:23], quote)
    assert not quote_matches("programme", quote)  # short: could be anything
    assert quote_matches("…", quote) is None and quote_matches("...", quote) is None


def test_quotes_cut_mid_word_keep_their_names_as_evidence():
    text = "Senkit nem lehet kényszeríteni erre.\n"
    sels = [Selection(0, 2, 9, "nkit ne"), Selection(0, 17, 20, "kén...")]
    choice = choose([OffsetMap(text)], sels, origin="")
    assert choice.best.named == 2 and choice.best.name_matches == 2
    assert choice.warning() is None


# -- evidence: ambiguous, poor -----------------------------------------------------------------


def test_when_every_reading_agrees_odd_boundaries_do_not_warn(tmp_path: Path):
    # Plain ASCII, no BOM, no CRLF: every convention places these alike.
    quotes, report = _import(tmp_path, TEXT.encode(), [_sel(1, 1, 5), _sel(2, 6, 9)])
    assert quotes == ["he p", "ogr"]
    assert "0 of 2 codings start and end on word boundaries" in report.offsets[0]
    assert not report.warnings


def test_poor_evidence_where_readings_differ_warns_naming_only_overrides_that_differ(
    tmp_path: Path,
):
    # Accented letters but nothing beyond the BMP: UTF-16 reads as code points, UTF-8 not.
    text = "Ő azt mondta, hogy nem kényszerítették, és ő maga sem akarta.\n"
    quotes, report = _import(tmp_path, text.encode(), [_sel(1, 1, 5), _sel(2, 6, 9)])
    assert quotes == [" azt", "mon"]  # as the file says: the warning tells the user
    [warning] = report.warnings
    assert "the quotes may be shifted" in warning
    assert warning.endswith("import again with --offsets utf8")


def test_forced_offsets_with_poor_evidence_name_the_other_units(tmp_path: Path):
    text = "Ő azt mondta, hogy nem kényszerítették.\n"
    qdpx = make_qdpx(
        tmp_path / "x.qdpx",
        simple_qde(_sel(1, 1, 5) + _sel(2, 6, 9)),
        {f"sources/{SOURCE}.txt": text.encode()},
    )
    with Project.create(tmp_path / "p.qcdb") as p:
        report = p.exchange.import_refi(qdpx, offsets="codepoints")
    assert report.warnings and report.warnings[0].endswith("--offsets utf16, utf8")


# -- hostile edges --------------------------------------------------------------------------------


def test_overlapping_empty_and_final_selections(tmp_path: Path):
    n = len(TEXT)
    quotes, report = _import(
        tmp_path,
        TEXT.encode(),
        [_sel(1, 4, 4), _sel(2, 4, 20), _sel(3, 14, 29), _sel(4, 4, 20), _sel(5, 41, n)],
    )
    # The repeated span (another GUID, same code) is one coding; the empty one is reported.
    assert quotes == ["programme helped", "helped me a lot", "Time was short.\n"]
    assert any("empty selection" in s for s in report.skipped)


def test_text_ending_without_a_newline_coded_to_its_very_end(tmp_path: Path):
    quotes, report = _import(tmp_path, "Bye 😀 now".encode(), [_sel(1, 7, 10)], "NVivo 14")
    assert quotes == ["now"] and not report.warnings


def test_lone_cr_line_ends_count_one_each(tmp_path: Path):
    text = "Old Mac file.\rSecond line 😀.\rThird."
    quotes, report = _import(
        tmp_path, text.encode(), [_sel(1, 14, 20), _sel(2, 30, 36)], "NVivo for Windows 12.6"
    )
    assert quotes == ["Second", "Third."]
    assert not report.warnings


def test_nfd_text_selections_are_read_on_the_composed_text(tmp_path: Path):
    text = unicodedata.normalize("NFD", "Café résumé, naïve über alles.\n")
    word = unicodedata.normalize("NFD", "résumé")
    a = text.index(word)
    e = text.index("e\u0301")  # the é of Café: a selection ending between e and its accent
    quotes, report = _import(
        tmp_path, text.encode(), [_sel(1, a, a + len(word), word), _sel(2, 0, e + 1)]
    )
    assert quotes == ["Café", "résumé"]  # rounded outward: the accent is kept
    assert "1 of 1 match the quote" in report.offsets[0]


def test_a_reversed_selection_refuses_the_file(tmp_path: Path):
    qdpx = make_qdpx(
        tmp_path / "r.qdpx", simple_qde(_sel(1, 9, 4)), {f"sources/{SOURCE}.txt": TEXT.encode()}
    )
    result = runner.invoke(app, ["import", str(tmp_path / "p.qcdb"), str(qdpx)])
    assert result.exit_code == 1 and "outside the text" in result.stderr


def test_a_guid_used_twice_in_one_file_keeps_both_codings(tmp_path: Path):
    quotes, report = _import(tmp_path, TEXT.encode(), [_sel(1, 4, 13), _sel(1, 14, 20)])
    assert quotes == ["programme", "helped"]
    assert report.codings_added == 2
    with Project.open(tmp_path / "p.qcdb") as p:  # the same file again adds nothing
        again = p.exchange.import_qdpx(tmp_path / "x.qdpx")
    assert again.codings_added == 0 and again.codings_present == 2


def test_many_selections_are_chosen_in_one_pass_per_convention():
    # 50,000 selections on 5,000 lines: every reading evaluated is linear in them.
    line = "Student: I had never heard of the programme 😀 before you called.\r\n"
    text = "\ufeff" + line * 5000
    width = len(line.encode("utf-16-le")) // 2
    sels = [Selection(0, (i % 5000) * width + 9, (i % 5000) * width + 26) for i in range(50_000)]
    choice = choose([OffsetMap(text)], sels, origin="NVivo for Windows 12.6")
    assert choice.convention == Convention("utf16")
    assert choice.best.on_words == 50_000 and choice.warning() is None


# -- text written without spaces ------------------------------------------------------------------

CHINESE = (
    "我从来没有听说过这个导师计划直到你打电话给我\r\n时间是最大的问题考试期间我根本没有时间\r\n"
)


def _chinese_selections(names: bool) -> list[str]:
    """Two phrases of the second line, counted as QualCoder counts (code points, CRLF 2)."""
    out = []
    for n, phrase in enumerate(["最大的问题", "根本没有"]):
        start = CHINESE.index(phrase)
        out.append(_sel(n, start, start + len(phrase), phrase if names else None))
    return out


def test_unspaced_text_without_names_warns_that_the_file_cannot_tell(tmp_path: Path):
    # Between two Han characters a boundary proves nothing, and a reading counting CRLF as
    # one lands two characters off, as cleanly: the producer's reading is kept, with a warning.
    quotes, report = _import(
        tmp_path, CHINESE.encode(), _chinese_selections(names=False), "QualCoder 3.8.2"
    )
    assert quotes == ["最大的问题", "根本没有"]
    assert "2 start or end inside text written without spaces" in report.offsets[0]
    [warning] = report.warnings
    assert "does not tell how it counts offsets" in warning
    assert "read as Unicode code points (QualCoder 3.8.2)" in warning and "--offsets" in warning


def test_unspaced_text_with_quotes_in_names_reads_without_a_warning(tmp_path: Path):
    quotes, report = _import(
        tmp_path, CHINESE.encode(), _chinese_selections(names=True), "QualCoder 3.8.2"
    )
    assert quotes == ["最大的问题", "根本没有"]
    assert "2 of 2 match the quote" in report.offsets[0] and not report.warnings


def test_an_emoji_with_its_variation_selector_is_no_part_of_the_next_word(tmp_path: Path):
    # "❤️" is a heart and U+FE0F (a mark): a name right after it still starts a word.
    text = "".join(f"{i}. Köszönöm ❤️Anna, és 👍🏽Péter!\n" for i in range(10))
    sels, at = [], 0
    for n in range(20):
        at = text.index(["Anna", "Péter"][n % 2], at)
        start = len(text[:at].encode("utf-16-le")) // 2
        sels.append(_sel(n, start, start + (4 if n % 2 == 0 else 5)))
        at += 1
    quotes, report = _import(tmp_path, text.encode(), sels, "NVivo for Windows 12.6")
    assert quotes == ["Anna", "Péter"] * 10
    assert "20 of 20 codings start and end on word boundaries" in report.offsets[0]
    assert not report.warnings


def test_marks_belong_to_their_letter():
    from qualcode.interop.offsets import on_boundary

    word = "दुनिया"  # vowel signs are marks: no boundary inside the word
    text = f"नमस्ते {word}"
    inside = range(text.index(word) + 1, len(text))
    assert not any(on_boundary(text, i) for i in inside)
    assert on_boundary(text, text.index(word))
