"""Decoding and normalising transcript bytes: BOMs, UTF-16, legacy code pages, bad input."""

from __future__ import annotations

import codecs
from pathlib import Path

import pytest

from qualcode.codebook import load_codebook
from qualcode.decoding import decode_bytes
from qualcode.errors import ImportFormatError
from qualcode.ingest import decode, normalise, read_document
from qualcode.project import ImportOptions, Project


def test_normalise_makes_newlines_and_composition_uniform_and_keeps_the_rest():
    raw = "\ufeffINTERVIEWER:  Cafe\u0301?\r\nStudent: [00:01:23]  **yes**\rend\n"
    assert normalise(raw) == "INTERVIEWER:  Café?\nStudent: [00:01:23]  **yes**\nend\n"


def test_normalise_is_idempotent():
    text = normalise("a\r\n\r\nb\u0301\r")
    assert normalise(text) == text


@pytest.mark.parametrize(
    ("data", "text", "encoding"),
    [
        ("Grüße".encode(), "Grüße", "utf-8"),
        (codecs.BOM_UTF8 + "Grüße".encode(), "Grüße", "utf-8-sig"),
        (codecs.BOM_UTF16_LE + "Grüße €".encode("utf-16-le"), "Grüße €", "utf-16-le"),
        (codecs.BOM_UTF16_BE + "Grüße €".encode("utf-16-be"), "Grüße €", "utf-16-be"),
        ("I: Hallo Frau Müller".encode("utf-16-le"), "I: Hallo Frau Müller", "utf-16-le"),
        ("I: Hallo Frau Müller".encode("utf-16-be"), "I: Hallo Frau Müller", "utf-16-be"),
    ],
)
def test_decode_unicode_encodings(data: bytes, text: str, encoding: str):
    assert decode(data, "t.txt") == (text, encoding)


@pytest.mark.parametrize(
    "text",
    [
        "Müller sagte: ça va, 50 €",
        "Ça coûte 5 €, n'est-ce pas ?",
        "Interviewer: Grüß Gott\nBefragte: Schön – danke!",
        "Straße",
    ],
)
def test_decode_short_western_legacy_text_as_cp1252(text: str):
    assert decode(text.encode("cp1252"), "t.txt") == (text, "cp1252")


def test_decode_leaves_non_western_legacy_text_to_charset_detection():
    text = "Привет, как дела? Хорошо, спасибо. Мы говорили о программе наставничества."
    decoded, encoding = decode(text.encode("cp1251"), "t.txt")
    assert decoded == text
    assert encoding != "cp1252"


@pytest.mark.parametrize("data", [b"", b"   \n\t\r\n", codecs.BOM_UTF8 + b"  \n"])
def test_decode_refuses_empty_files(data: bytes):
    with pytest.raises(ImportFormatError, match=r"^t\.txt: is empty"):
        decode(data, "t.txt")


@pytest.mark.parametrize(
    "data",
    [
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01\x00",
        b"PK\x03\x04\x14\x00\x06\x00\x08\x00\x00\x00!\x00",
        bytes(range(256)) * 4,
        b"abc\x01\x02\x03\x04\x05\x06\x07\x08def",
    ],
)
def test_decode_refuses_binary_files(data: bytes):
    with pytest.raises(ImportFormatError) as info:
        decode(data, "t.txt")
    assert str(info.value) == "t.txt: looks like a binary file, not text"


# -- honest decoding: evidence per file, damage reported, control characters removed ----------

GERMAN = "I: Wie war die Prüfung für Sie?\nR: Größer als gedacht, ich höre noch davon.\n"


def report_notes(path: Path, line: int, column: int, controls: int = 0) -> list[str]:
    """The import report's notes on one replaced byte (and control characters removed)."""
    notes = [
        f"{path}: read as utf-8; 1 byte sequence not valid in it replaced with U+FFFD "
        f"(line {line}, column {column})"
    ]
    if controls:
        notes.append(f"{path}: {controls} control character(s) removed (tab and newline are kept)")
    return notes


def test_one_stray_byte_keeps_a_utf8_file_utf8_and_says_where():
    data = GERMAN.encode().replace(b"gedacht", b"ged\xffacht")
    decoded = decode_bytes(data, "t.txt")
    assert decoded.encoding == "utf-8"
    assert decoded.text == GERMAN.replace("gedacht", "ged\ufffdacht")  # no "fÃ¼r"
    assert decoded.replaced == ((2, 18),)
    assert decoded.notes() == [
        "read as utf-8; 1 byte sequence not valid in it replaced with U+FFFD (line 2, column 18)"
    ]


def test_a_utf8_file_with_a_bom_and_damage_is_read_the_same_way():
    data = codecs.BOM_UTF8 + GERMAN.encode() + b"\xc3(\n"
    decoded = decode_bytes(data, "t.txt")
    assert decoded.encoding == "utf-8-sig"
    assert decoded.text == GERMAN + "\ufffd(\n"
    assert decoded.replaced == ((3, 1),)


def test_a_real_cp1252_file_is_still_cp1252():
    decoded = decode_bytes(GERMAN.encode("cp1252"), "t.txt")
    assert (decoded.text, decoded.encoding, decoded.replaced) == (GERMAN, "cp1252", ())


def test_the_report_shows_the_first_five_places_and_counts_the_rest():
    data = ("Prüfung\n" * 20).encode() + b"\xff\n" * 7
    decoded = decode_bytes(data, "t.txt")
    assert decoded.damaged == 7
    assert decoded.notes() == [
        "read as utf-8; 7 byte sequences not valid in it replaced with U+FFFD (line 21, "
        "column 1; line 22, column 1; line 23, column 1; line 24, column 1; line 25, "
        "column 1; and 2 more)"
    ]


def test_more_damage_than_utf8_evidence_is_not_read_as_utf8():
    data = "für".encode() + " Müller".encode("cp1252") * 3
    assert decode_bytes(data, "t.txt").encoding != "utf-8"


def test_control_characters_are_removed_from_transcripts_and_counted(tmp_path):
    path = tmp_path / "t.txt"
    path.write_bytes(b"I: hello\x07 there\x0b\r\nR: fine\x01\tthanks\x0c\n")
    doc = read_document(path)
    assert doc.text == "I: hello there\nR: fine\tthanks\n"
    assert doc.notes == ("4 control character(s) removed (tab and newline are kept)",)


def test_the_import_report_names_the_file_and_the_places(tmp_path):
    path = tmp_path / "de.txt"
    path.write_bytes(GERMAN.encode().replace(b"Sie", b"S\xffie") + b"R: ja\x07\n")
    with Project.create(tmp_path / "p.qcdb") as p:
        report = p.sources.import_files([path])
        assert p.sources.get("de").text.startswith("I: Wie war die Prüfung für S\ufffdie?")
    assert report.notes == report_notes(path, 1, 29, controls=1)


def test_a_survey_sheet_gets_the_same_decoding(tmp_path):
    sheet = tmp_path / "answers.csv"
    sheet.write_bytes(b"id,answer\n1,f\xc3\xbcr mich\n2,gr\xc3\xb6\xc3\x9fer\xff\x01\n")
    with Project.create(tmp_path / "p.qcdb") as p:
        report = p.sources.import_responses(
            sheet, ImportOptions(text_column="answer", id_column="id")
        )
        assert [p.sources.get(n).text for n in ("1", "2")] == ["für mich", "größer\ufffd"]
    assert report.notes == report_notes(sheet, 3, 9, controls=1)


def test_a_codebook_that_is_mostly_utf8_stays_utf8(tmp_path):
    book = tmp_path / "codes.yaml"
    book.write_bytes(b"codes:\n  - name: Pr\xc3\xbcfungsangst\n  - name: Gr\xc3\xb6\xc3\x9fe\xff\n")
    notes: list[str] = []
    names = [c.name for c in load_codebook(book, notes=notes)]
    assert names == ["Prüfungsangst", "Größe\ufffd"]
    assert notes == report_notes(book, 3, 16)


# -- a few stray bytes never turn a UTF-8 file's accents into mojibake ---------------------

MOJIBAKE = ("Ã", "â€", "├", "ﾃ", "Â")
STRAYS = (b"\xff", b"\x81", b"\xe9", b"\x92", b"\xc3", b"\xa0", b"\xfe", b"\x8d")


def accented_and_stray(accents: int, strays: int, seed: int = 0) -> bytes:
    """A UTF-8 transcript with ``accents`` accented words and ``strays`` stray bytes."""
    lines = [f"I: Wie war das Café {n}?".encode() for n in range(accents)]
    for n in range(strays):
        line = n % len(lines) if lines else 0
        lines[line] += b" Pause " + STRAYS[(n + seed) % len(STRAYS)] + b" ja."
    return b"\n".join(lines) + b"\n"


@pytest.mark.parametrize(("accents", "strays"), [(1, 1), (2, 2), (5, 6)])
def test_one_accent_per_stray_byte_is_still_utf8_and_said(accents, strays, tmp_path):
    path = tmp_path / "t.txt"
    path.write_bytes(accented_and_stray(accents, strays))
    with Project.create(tmp_path / "p.qcdb") as p:
        report = p.sources.import_files([path])
        text = p.sources.get("t").text
    assert text.count("Café") == accents
    assert text.count("\ufffd") == strays
    assert not any(bad in text for bad in MOJIBAKE)
    runs = "1 byte sequence" if strays == 1 else f"{strays} byte sequences"
    assert report.notes[0].startswith(f"{path}: read as utf-8; {runs} not valid in it replaced")


def test_random_mixes_of_accents_and_stray_bytes_never_store_mojibake():
    import random

    rng = random.Random(20)
    for seed in range(300):
        accents = rng.randint(1, 12)
        strays = rng.randint(1, 2 * accents)
        decoded = decode_bytes(accented_and_stray(accents, strays, seed), "t.txt")
        assert decoded.encoding == "utf-8", (accents, strays)
        assert decoded.text.count("Café") == accents
        assert not any(bad in decoded.text for bad in MOJIBAKE), (accents, strays)
        assert decoded.damaged == strays


def test_a_file_that_mixes_encodings_is_never_read_silently():
    data = "für".encode() + " Müller".encode("cp1252") * 3
    decoded = decode_bytes(data, "t.txt")
    assert decoded.encoding != "utf-8"
    assert decoded.mixed == 1
    assert "valid UTF-8: the file mixes encodings" in decoded.notes()[0]
    assert "(line 1, column 2)" in decoded.notes()[0]  # the ü of "für"


def test_a_german_cp1252_file_with_one_chance_utf8_pair_stays_cp1252():
    text = GERMAN + "R: Das nennt man „Straße“ und Übung.\n"
    decoded = decode_bytes(text.encode("cp1252"), "t.txt")
    assert (decoded.text, decoded.encoding) == (text, "cp1252")


def test_a_survey_sheet_with_a_curly_quote_and_a_stray_byte_stays_utf8(tmp_path):
    sheet = tmp_path / "answers.csv"
    sheet.write_bytes("id,answer\n1,I don’t know\n".encode() + b"2,fine \x92 ok\n")
    with Project.create(tmp_path / "p.qcdb") as p:
        report = p.sources.import_responses(
            sheet, ImportOptions(text_column="answer", id_column="id")
        )
        assert [p.sources.get(n).text for n in ("1", "2")] == ["I don’t know", "fine \ufffd ok"]
    assert "read as utf-8; 1 byte sequence" in report.notes[0]


def test_a_codebook_with_one_accent_and_one_stray_byte_stays_utf8(tmp_path):
    book = tmp_path / "codes.yaml"
    book.write_bytes("codes:\n  - name: Café\n".encode() + b"  - name: Pause\xff\n")
    notes: list[str] = []
    names = [c.name for c in load_codebook(book, notes=notes)]
    assert names == ["Café", "Pause\ufffd"]
    assert notes == report_notes(book, 3, 16)
