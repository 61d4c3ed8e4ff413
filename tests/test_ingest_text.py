"""Decoding and normalising transcript bytes: BOMs, UTF-16, legacy code pages, bad input."""

from __future__ import annotations

import codecs

import pytest

from qualcode.errors import ImportFormatError
from qualcode.ingest import decode, normalise


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
