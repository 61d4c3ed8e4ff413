"""Bytes to text: encoding detection and the one normalisation every transcript gets.

Offsets are sacred (see DESIGN.md): a source's text is normalised exactly once, here, and
never changes afterwards, so every coding's ``[start, end)`` stays valid. Normalising is
therefore deliberately minimal: Unicode NFC, ``\\n`` newlines, no leading byte-order mark.
Speaker labels, timestamps, markdown and extra spaces all stay in the text.

Decoding prefers certainty over guessing. A byte-order mark decides; then strict UTF-8
(which almost never decodes legacy text by accident); then UTF-16 without a BOM when the
NUL bytes make it obvious; then cp1252, the code page of most Western legacy transcripts,
when the result reads like Western text. Only then is charset-normalizer asked: it guesses
badly on short texts (a two-line German cp1252 file easily comes back as some Cyrillic or
Turkish code page), so it is a fallback, not the first resort.
"""

from __future__ import annotations

import codecs
import unicodedata
from pathlib import Path

from qualcode.errors import ImportFormatError

# Longest first: the UTF-32-LE BOM starts with the UTF-16-LE one.
_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)

# Control characters that have no business in a transcript. Tab, newline, vertical tab,
# form feed and carriage return are fine; so is \x1a, the DOS end-of-file marker.
_CONTROL = frozenset(chr(c) for c in range(32) if chr(c) not in "\t\n\v\f\r\x1a")

# Symbols that cp1252 produces from the letters of other code pages (cp1250's ł -> ³,
# ą -> ¹, ...). Between two letters they mean the guess was wrong.
_MOJIBAKE_SYMBOLS = frozenset("¹²³¼½¾¤¦¨´¸¯¬±µ¶¥¢")


def normalise(text: str) -> str:
    """Normalise a transcript's text once, on import.

    Unicode NFC, CRLF and lone CR to ``\\n``, a leading byte-order mark removed.
    Everything else (labels, timestamps, spacing, markdown) is kept.

    Args:
        text: the decoded text.

    Returns:
        The normalised text.
    """
    if text.startswith("\ufeff"):
        text = text[1:]
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return unicodedata.normalize("NFC", text)


def decode(data: bytes, file: str | Path | None) -> tuple[str, str]:
    """Decode the bytes of a text file, detecting its encoding.

    Order: byte-order mark; NUL bytes -> BOM-less UTF-16 or binary; strict UTF-8;
    cp1252 when the result reads like Western text; charset-normalizer; cp1252.

    Args:
        data: the file's bytes.
        file: the file, for error messages.

    Returns:
        The text (without a byte-order mark, not yet normalised) and the name of the
        encoding used, as Python spells it (``utf-8``, ``utf-8-sig``, ``utf-16-le``,
        ``cp1252``, ...).

    Raises:
        ImportFormatError: the file is empty, or binary, or not decodable as text.
    """
    text, encoding = _decode(data, file)
    if not text.strip():
        raise ImportFormatError("is empty", file=file)
    if _looks_binary(text):
        raise ImportFormatError("looks like a binary file, not text", file=file)
    return text, encoding


def _decode(data: bytes, file: str | Path | None) -> tuple[str, str]:
    if not data:
        raise ImportFormatError("is empty", file=file)
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            codec = encoding.removesuffix("-sig")
            try:
                return data[len(bom) :].decode(codec), encoding
            except UnicodeDecodeError as exc:
                raise ImportFormatError(
                    f"starts with a {encoding} byte-order mark but is not valid {encoding}",
                    file=file,
                    place=f"byte {exc.start + len(bom)}",
                ) from None
    if b"\x00" in data:
        encoding_guess = _bomless_utf16(data)
        if encoding_guess is not None:
            try:
                return data.decode(encoding_guess), encoding_guess
            except UnicodeDecodeError:
                pass
        raise ImportFormatError("looks like a binary file, not text", file=file)
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    western: str | None
    try:
        western = data.decode("cp1252")
    except UnicodeDecodeError:  # one of the five bytes cp1252 leaves undefined
        western = None
    if western is not None and _reads_like_western(western):
        return western, "cp1252"
    guessed = _charset_normalizer_guess(data)
    if guessed is not None:
        return guessed
    if western is not None:
        return western, "cp1252"
    raise ImportFormatError("looks like a binary file, not text", file=file)


def _bomless_utf16(data: bytes) -> str | None:
    """UTF-16 without a BOM, when the NUL bytes make it obvious (mostly ASCII text)."""
    if len(data) < 4 or len(data) % 2:
        return None
    even, odd = data[0::2], data[1::2]
    even_nuls, odd_nuls = even.count(0), odd.count(0)
    half = len(data) // 2
    # Latin text in UTF-16: every other byte is NUL, the rest almost never are.
    if odd_nuls >= 0.4 * half and even_nuls <= 0.05 * half:
        return "utf-16-le"
    if even_nuls >= 0.4 * half and odd_nuls <= 0.05 * half:
        return "utf-16-be"
    return None


def _reads_like_western(text: str) -> bool:
    """Whether cp1252-decoded text looks like a Western European language.

    Western languages write mostly ASCII letters (German, the accent-richest, stays far
    below a third). Greek, Cyrillic or Central European text decoded as cp1252 turns into
    runs of accented capitals or into symbols inside words.
    """
    letters = [c for c in text if c.isalpha()]
    if not letters:
        return True
    non_ascii = sum(1 for c in letters if not c.isascii())
    if non_ascii > 0.3 * len(letters):
        return False
    return not any(
        c in _MOJIBAKE_SYMBOLS and text[i - 1].isalpha() and text[i + 1].isalpha()
        for i, c in enumerate(text[1:-1], start=1)
    )


def _charset_normalizer_guess(data: bytes) -> tuple[str, str] | None:
    # Deferred: only legacy files that are neither UTF-8 nor Western need it.
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is None or not best.encoding:
        return None
    return str(best), best.encoding


def _looks_binary(text: str) -> bool:
    """More than a trace of control characters: not a transcript."""
    controls = sum(1 for c in text if c in _CONTROL)
    return controls > max(2, len(text) // 200)
