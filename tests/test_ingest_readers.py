"""Transcript readers by suffix: real files of each format, made in the test, and bad ones."""

from __future__ import annotations

import codecs
import os
from pathlib import Path
from typing import Any

import pytest

from qualcode.errors import ImportFormatError
from qualcode.ingest import READERS, SUPPORTED_SUFFIXES, Document, read_document


def said(doc: Document) -> list[tuple[str | None, str]]:
    """Each turn as (speaker, exactly what its span covers)."""
    return [(t.speaker, doc.text[t.start : t.end]) for t in doc.turns]


def write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_bytes(text.encode(encoding))
    return path


def make_docx(path: Path, paragraphs: list[str], tables: list[list[list[str]]] = ()) -> Path:
    import docx

    document = docx.Document()
    for text in paragraphs:
        document.add_paragraph(text)
    for rows in tables:
        table = document.add_table(rows=0, cols=len(rows[0]))
        for row in rows:
            for cell, text in zip(table.add_row().cells, row, strict=True):
                cell.text = text
    document.add_paragraph("End of recording.")
    document.save(str(path))
    return path


def make_pdf(path: Path, lines: list[str]) -> Path:
    """A minimal valid one-page PDF with a text layer (pypdf cannot write text)."""
    shown = " ".join(f"({line}) '" for line in lines)
    content = f"BT /F1 12 Tf 72 720 Td 14 TL {shown} ET"
    objects = [
        "<< /Type /Catalog /Pages 2 0 R >>",
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        "/Resources << /Font << /F1 5 0 R >> >> >>",
        f"<< /Length {len(content)} >>\nstream\n{content}\nendstream",
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    data, offsets = b"%PDF-1.4\n", []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(data))
        data += f"{number} 0 obj\n{body}\nendobj\n".encode("latin-1")
    xref = len(data)
    data += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    data += b"".join(f"{offset:010d} 00000 n \n".encode() for offset in offsets)
    data += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\n".encode()
    data += f"startxref\n{xref}\n%%EOF\n".encode()
    path.write_bytes(data)
    return path


def test_the_registry_covers_every_transcript_format():
    assert set(SUPPORTED_SUFFIXES) == {
        ".txt",
        ".md",
        ".docx",
        ".odt",
        ".rtf",
        ".pdf",
        ".vtt",
        ".srt",
    }
    assert set(READERS) == set(SUPPORTED_SUFFIXES)


def test_txt_with_crlf_and_utf8_bom(tmp_path: Path):
    path = tmp_path / "int1.txt"
    path.write_bytes(codecs.BOM_UTF8 + "INTERVIEWER: Hi?\r\nSTUDENT: Grüß,\r\nja.\r\n".encode())
    doc = read_document(path)
    assert doc.text == "INTERVIEWER: Hi?\nSTUDENT: Grüß,\nja.\n"
    assert doc.encoding == "utf-8-sig"
    assert said(doc) == [("INTERVIEWER", "Hi?"), ("STUDENT", "Grüß,\nja.")]
    assert doc.meta["reader"] == "qualcode.reader.text.v1"


def test_suffixes_are_case_insensitive(tmp_path: Path):
    doc = read_document(write(tmp_path / "INT2.TXT", "I: one\nR: two\n"))
    assert said(doc) == [("I", "one"), ("R", "two")]


def test_utf16_transcript(tmp_path: Path):
    path = write(
        tmp_path / "t.txt", "\ufeffInterviewerin: Grüß Gott\r\nBefragte: Servus\r\n", "utf-16-le"
    )
    doc = read_document(path)
    assert doc.encoding == "utf-16-le"
    assert said(doc) == [("Interviewerin", "Grüß Gott"), ("Befragte", "Servus")]


def test_cp1252_transcript_with_umlauts_and_euro(tmp_path: Path):
    path = write(
        tmp_path / "t.txt", "I: Was kostet es, Frau Müller?\r\nB: 50 € – ça va.\r\n", "cp1252"
    )
    doc = read_document(path)
    assert doc.encoding == "cp1252"
    assert said(doc) == [("I", "Was kostet es, Frau Müller?"), ("B", "50 € – ça va.")]


def test_markdown_keeps_its_markup_and_finds_bold_labels(tmp_path: Path):
    text = (
        "# Interview 03\n\n- Date: 4 June\n\n**Interviewer:** Hi.\n\n**Participant:** *Yes*, hi.\n"
    )
    doc = read_document(write(tmp_path / "int3.md", text))
    assert doc.text == text
    assert said(doc) == [
        (None, "# Interview 03\n\n- Date: 4 June"),
        ("Interviewer", "Hi."),
        ("Participant", "*Yes*, hi."),
    ]
    assert doc.meta["reader"] == "qualcode.reader.markdown.v1"


def test_docx_paragraphs(tmp_path: Path):
    path = make_docx(
        tmp_path / "int.docx", ["Interview 02", "I: Hello?", "R: Yes.\tMe.", "I: Thanks."]
    )
    doc = read_document(path)
    assert doc.text == "Interview 02\nI: Hello?\nR: Yes.\tMe.\nI: Thanks.\nEnd of recording."
    assert said(doc) == [
        (None, "Interview 02"),
        ("I", "Hello?"),
        ("R", "Yes.\tMe."),
        ("I", "Thanks.\nEnd of recording."),
    ]
    assert doc.meta["reader"] == "qualcode.reader.docx.v1"


def test_docx_with_a_speaker_text_table(tmp_path: Path):
    rows = [
        ["Speaker", "Text"],
        ["Interviewer", "How did you hear of it?"],
        ["Lena", "I never did.\nReally."],
        ["", "Not once."],
        ["Interviewer:", "Never?"],
        ["Lena", "No."],
    ]
    doc = read_document(make_docx(tmp_path / "t.docx", ["Panel 3"], [rows]))
    assert doc.text.startswith("Panel 3\nInterviewer: How did you hear of it?\nLena: I never")
    assert said(doc) == [
        (None, "Panel 3"),
        ("Interviewer", "How did you hear of it?"),
        ("Lena", "I never did.\nReally.\nNot once."),
        ("Interviewer", "Never?"),
        ("Lena", "No.\nEnd of recording."),
    ]


def test_docx_with_a_time_speaker_text_table(tmp_path: Path):
    rows = [["00:00:04", "Moderator", "Welcome."], ["00:01:10", "Dr. Santos", "Thanks."]]
    doc = read_document(make_docx(tmp_path / "t.docx", [], [rows]))
    assert said(doc)[:2] == [
        ("Moderator", "Welcome."),
        ("Dr. Santos", "Thanks.\nEnd of recording."),
    ]
    assert [t.timestamp for t in doc.turns] == [4.0, 70.0]


def test_odt(tmp_path: Path):
    from odf import teletype
    from odf.opendocument import OpenDocumentText
    from odf.text import H, P

    document = OpenDocumentText()
    heading = H(outlinelevel=1)
    teletype.addTextToElement(heading, "Interview 06")
    document.text.addElement(heading)
    for line in [
        "Interviewer: Hello,  how are you?",
        "Student: Fine.\tThanks.",
        "Interviewer: Good.",
    ]:
        paragraph = P()
        teletype.addTextToElement(paragraph, line)
        document.text.addElement(paragraph)
    document.save(str(tmp_path / "int6.odt"))
    doc = read_document(tmp_path / "int6.odt")
    assert said(doc) == [
        (None, "Interview 06"),
        ("Interviewer", "Hello,  how are you?"),
        ("Student", "Fine.\tThanks."),
        ("Interviewer", "Good."),
    ]


def test_rtf_with_code_page_and_unicode_escapes(tmp_path: Path):
    rtf = (
        r"{\rtf1\ansi\ansicpg1252\deff0{\fonttbl{\f0\fswiss\fcharset0 Arial;}}"
        r"{\*\generator Riched20 10.0;}\viewkind4\uc1\pard\f0\fs22 "
        r"Interviewer: Frau M\'fcller, was kostet das?\par"
        "\n"
        r"Befragte: 50 \u8364? im Monat, \'e7a va, \'80 5.\par"
        "\n}"
    )
    doc = read_document(write(tmp_path / "int4.rtf", rtf, "ascii"))
    assert said(doc) == [
        ("Interviewer", "Frau Müller, was kostet das?"),
        ("Befragte", "50 € im Monat, ça va, € 5."),
    ]


def test_pdf_text_layer(tmp_path: Path):
    lines = ["Interviewer: Hello there.", "Anna: Hi, fine.", "Interviewer: Good.", "Anna: Bye."]
    doc = read_document(make_pdf(tmp_path / "int.pdf", lines))
    assert said(doc) == [
        ("Interviewer", "Hello there."),
        ("Anna", "Hi, fine."),
        ("Interviewer", "Good."),
        ("Anna", "Bye."),
    ]


VTT_VOICES = """WEBVTT

5bc8/11-0
00:00:02.400 --> 00:00:05.192
<v Interviewer>Okay, the recording is running.</v>

5bc8/14-0
00:00:05.464 --> 00:00:07.567
<v Interviewer>Can you hear me?</v>

00:00:08.437 --> 00:00:10.297
<v.loud Maya Okafor>Yes, <i>I can</i>
hear you.</v>

01:02:03.000 --> 01:02:05.000
and the picture is frozen.
"""


def test_vtt_with_voice_tags(tmp_path: Path):
    doc = read_document(write(tmp_path / "int5.vtt", VTT_VOICES))
    assert doc.text == (
        "[00:00:02] Interviewer: Okay, the recording is running.\n"
        "[00:00:05] Interviewer: Can you hear me?\n"
        "[00:00:08] Maya Okafor: Yes, I can hear you.\n"
        "[01:02:03] and the picture is frozen."
    )
    assert said(doc) == [
        (
            "Interviewer",
            "Okay, the recording is running.\n[00:00:05] Interviewer: Can you hear me?",
        ),
        ("Maya Okafor", "Yes, I can hear you.\n[01:02:03] and the picture is frozen."),
    ]
    assert [t.timestamp for t in doc.turns] == [2.0, 8.0]
    assert doc.meta["reader"] == "qualcode.reader.vtt.v1"


def test_vtt_with_names_in_the_cue_text(tmp_path: Path):
    vtt = (
        "WEBVTT\n\n1\n00:00:01.000 --> 00:00:04.000\nBen: Hello.\n\n"
        "2\n00:00:05.000 --> 00:00:06.000\nModerator: Hi Ben.\n\n"
        "3\n00:00:07.000 --> 00:00:08.000\nNote: this is not a speaker.\n"
    )
    doc = read_document(write(tmp_path / "fg.vtt", vtt))
    assert said(doc) == [
        ("Ben", "Hello."),
        ("Moderator", "Hi Ben.\n[00:00:07] Note: this is not a speaker."),
    ]
    assert [t.timestamp for t in doc.turns] == [1.0, 5.0]


def test_srt_in_cp1252_with_crlf(tmp_path: Path):
    srt = (
        "1\r\n00:00:01,000 --> 00:00:02,500\r\nInterviewer: Grüß Gott.\r\n\r\n"
        "2\r\n00:00:03,000 --> 00:00:05,000\r\nMüller: Danke, <i>gut</i>.\r\n\r\n"
        "3\r\n00:01:03,000 --> 00:01:05,000\r\nWirklich gut.\r\n"
    )
    doc = read_document(write(tmp_path / "int8.srt", srt, "cp1252"))
    assert doc.encoding == "cp1252"
    assert said(doc) == [
        ("Interviewer", "Grüß Gott."),
        ("Müller", "Danke, gut.\n[00:01:03] Wirklich gut."),
    ]
    assert [t.timestamp for t in doc.turns] == [1.0, 3.0]


def test_speaker_pattern_is_passed_to_the_reader(tmp_path: Path):
    path = write(tmp_path / "t.txt", "ANNA >> hello\nBEN >> hi\n")
    doc = read_document(path, speaker_pattern=r"(?P<speaker>[A-Z]+) >>")
    assert said(doc) == [("ANNA", "hello"), ("BEN", "hi")]


def truncated_docx(tmp_path: Path) -> Path:
    whole = make_docx(tmp_path / "whole.docx", ["I: hi"]).read_bytes()
    path = tmp_path / "cut.docx"
    path.write_bytes(whole[: len(whole) // 2])
    return path


def odt_named_docx(tmp_path: Path) -> Path:
    from odf.opendocument import OpenDocumentText

    path = tmp_path / "really-odt.docx"
    OpenDocumentText().save(str(path))
    return path


def truncated_pdf(tmp_path: Path) -> Path:
    whole = make_pdf(tmp_path / "whole.pdf", ["I: hi", "R: ho"]).read_bytes()
    path = tmp_path / "cut.pdf"
    path.write_bytes(whole[: len(whole) // 2])
    return path


BAD_FILES = {
    "empty": (lambda d: write(d / "empty.txt", ""), "is empty"),
    "blank": (lambda d: write(d / "blank.md", " \r\n\t\n"), "is empty"),
    "binary": (
        lambda d: write(d / "photo.txt", "\x89PNG\r\n\x1a\n\x00\x00\x00", "latin-1"),
        "binary",
    ),
    "missing": (lambda d: d / "missing.txt", "no such file"),
    "directory": (lambda d: (d / "folder.txt").mkdir() or d / "folder.txt", "is a directory"),
    "suffix": (lambda d: write(d / "notes.xyz", "I: hi"), "supported: .txt, .md"),
    "old doc": (lambda d: write(d / "old.doc", "x"), "save it as .docx"),
    "docx is text": (lambda d: write(d / "fake.docx", "I: hi\nR: ho\n"), "not a zip package"),
    "docx truncated": (truncated_docx, "not a readable Word (.docx) file"),
    "docx is odt": (odt_named_docx, "not a readable Word (.docx) file"),
    "odt is text": (lambda d: write(d / "fake.odt", "I: hi"), "not a zip package"),
    "rtf is text": (lambda d: write(d / "fake.rtf", "I: hi"), "does not start with {\\rtf"),
    "pdf is text": (lambda d: write(d / "fake.pdf", "I: hi"), "no %PDF header"),
    "pdf truncated": (truncated_pdf, "truncated"),
    "pdf scanned": (lambda d: make_pdf(d / "scan.pdf", []), "has no text layer (scanned?)"),
    "vtt malformed": (lambda d: write(d / "bad.vtt", "hello\nworld\n"), "not a readable WebVTT"),
    "vtt no cues": (lambda d: write(d / "none.vtt", "WEBVTT\n\n"), "has no WebVTT (.vtt) cues"),
    "srt malformed": (lambda d: write(d / "bad.srt", "hello\nworld\n"), "not a readable SubRip"),
}


@pytest.mark.parametrize("case", BAD_FILES)
def test_bad_files_give_one_line_errors_naming_the_file(tmp_path: Path, case: str):
    make, message = BAD_FILES[case]
    path = make(tmp_path)
    with pytest.raises(ImportFormatError) as info:
        read_document(path)
    error = str(info.value)
    assert error.startswith(str(path))
    assert message in error
    assert "\n" not in error


def test_invalid_speaker_pattern_names_the_file(tmp_path: Path):
    path = write(tmp_path / "t.txt", "I: hi\n")
    with pytest.raises(ImportFormatError) as info:
        read_document(path, speaker_pattern=r"(?P<speaker>\w+")
    assert str(info.value).startswith(f"{path}, speaker pattern: invalid speaker pattern")


def test_unreadable_file(tmp_path: Path, monkeypatch):
    # chmod does not stop root, so the operating system's refusal is simulated.
    path = write(tmp_path / "locked.txt", "I: hi\n")

    real_open = os.open

    def refuse(name: Any, flags: int, *args: Any) -> int:
        if Path(name) == path:
            raise PermissionError(13, "Permission denied", str(name))
        return real_open(name, flags, *args)

    monkeypatch.setattr(os, "open", refuse)
    with pytest.raises(ImportFormatError) as info:
        read_document(path)
    assert str(info.value) == f"{path}: permission denied: cannot read the file"


def test_library_errors_are_wrapped_but_interrupts_are_not(tmp_path: Path, monkeypatch):
    import docx

    path = make_docx(tmp_path / "t.docx", ["I: hi"])

    def explode(*args: object, **kwargs: object) -> None:
        raise RuntimeError("boom\nsecond line")

    monkeypatch.setattr(docx, "Document", explode)
    with pytest.raises(ImportFormatError) as info:
        read_document(path)
    assert str(info.value) == f"{path}: is not a readable Word (.docx) file (boom)"

    def interrupt(*args: object, **kwargs: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(docx, "Document", interrupt)
    with pytest.raises(KeyboardInterrupt):
        read_document(path)
