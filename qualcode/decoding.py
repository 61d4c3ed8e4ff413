"""Bytes to text: the encoding of a file people wrote, detected with evidence.

Transcripts, sheets and codebook files are all written by people, in whatever their editor
saved, so they share this module (below both :mod:`qualcode.ingest` and
:mod:`qualcode.codebook`); what a transcript's text then becomes is
:mod:`qualcode.ingest.text`'s normalisation.

Decoding prefers certainty over guessing. A byte-order mark decides; then strict UTF-8
(which almost never decodes legacy text by accident); then UTF-16 without a BOM when the
NUL bytes make it obvious; then *mostly* UTF-8, decided per file on evidence; then cp1252,
the code page of most Western legacy transcripts, when the result reads like Western text.
Only then is charset-normalizer asked: it guesses badly on short texts (a two-line German
cp1252 file easily comes back as some Cyrillic or Turkish code page), so it is a fallback,
not the first resort.

The evidence for "mostly UTF-8": a file with valid multi-byte UTF-8 characters (``ü`` as
``C3 BC``), whose undecodable byte runs are at most two thirds of all its non-ASCII
sequences, is UTF-8 with a few damaged bytes, not cp1252, whose accented letters are single
bytes that almost never form a valid UTF-8 sequence (a cp1252 ``ß`` before a curly quote
does, by chance: one such pair among many umlauts stays cp1252). A share, not a count: one
accented word next to one stray byte is UTF-8 too, not ``cafÃ©``.
Reading such a file as cp1252 would turn every ``für`` into ``fÃ¼r``; reading it as UTF-8
replaces only the damaged bytes with U+FFFD, and :class:`Decoded` says where they were
(line and column) so the import report can name them. A file with no valid multi-byte
character at all has no such evidence and keeps the legacy route; a file read in a legacy
code page that still holds valid UTF-8 sequences mixes encodings, and the report says so
and where (its accented letters may read wrong), never silently.

A file with more than a trace of control characters (other than tab and newline) is refused
as binary; a trace is left for :func:`qualcode.ingest.text.remove_controls`.
"""

from __future__ import annotations

import codecs
import re
from contextvars import ContextVar
from dataclasses import dataclass
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
_BINARY_CONTROL = re.compile("[\x00-\x08\x0e-\x19\x1b-\x1f]")

# Symbols that cp1252 produces from the letters of other code pages (cp1250's ł -> ³,
# ą -> ¹, ...). Between two letters they mean the guess was wrong.
_MOJIBAKE_SYMBOLS = frozenset("¹²³¼½¾¤¦¨´¸¯¬±µ¶¥¢")

_HIGH_BYTES = bytes(range(128, 256))
_PIECE = 2**20
_NOT_SPACE = re.compile(r"\S")
_PLACES_SHOWN = 5
# Invalid runs may be at most this share of all non-ASCII sequences for a file to be UTF-8.
_MAX_DAMAGED_SHARE = 2 / 3
# A well-formed multi-byte UTF-8 sequence (RFC 3629's table, no surrogates or overlongs).
_UTF8_MULTIBYTE = re.compile(
    rb"[\xc2-\xdf][\x80-\xbf]|\xe0[\xa0-\xbf][\x80-\xbf]|[\xe1-\xec\xee\xef][\x80-\xbf]{2}"
    rb"|\xed[\x80-\x9f][\x80-\xbf]|\xf0[\x90-\xbf][\x80-\xbf]{2}|[\xf1-\xf3][\x80-\xbf]{3}"
    rb"|\xf4[\x80-\x8f][\x80-\xbf]{2}"
)

# The byte offsets of undecodable runs, recorded by the "qualcode.replace" error handler
# while one decode runs (a context variable, so concurrent decodes do not mix).
_BAD_OFFSETS: ContextVar[list[int]] = ContextVar("qualcode_bad_offsets")


def _record_and_replace(exc: UnicodeError) -> tuple[str, int]:
    assert isinstance(exc, UnicodeDecodeError)
    _BAD_OFFSETS.get().append(exc.start)
    return "\ufffd", exc.end


codecs.register_error("qualcode.replace", _record_and_replace)


@dataclass(frozen=True, slots=True)
class Decoded:
    """A file's text as decoded, with where bytes had to be replaced.

    ``replaced`` holds the 1-based ``(line, column)`` of the first few undecodable runs of
    bytes that became U+FFFD (columns in characters of the decoded line), ``damaged`` how
    many there were in all. ``mixed`` counts the valid multi-byte UTF-8 sequences of a file
    read in another encoding (their letters may read wrong), ``mixed_at`` the first places.
    """

    text: str
    encoding: str
    replaced: tuple[tuple[int, int], ...] = ()
    damaged: int = 0
    mixed: int = 0
    mixed_at: tuple[tuple[int, int], ...] = ()

    def notes(self) -> list[str]:
        """What the import report says about the decoding (nothing for a clean file)."""
        notes = []
        if self.damaged:
            runs = "1 byte sequence" if self.damaged == 1 else f"{self.damaged} byte sequences"
            notes.append(
                f"read as {self.encoding}; {runs} not valid in it replaced with U+FFFD "
                f"({_places(self.replaced, self.damaged)})"
            )
        if self.mixed:
            runs = "1 byte sequence is" if self.mixed == 1 else f"{self.mixed} byte sequences are"
            notes.append(
                f"read as {self.encoding}, but {runs} valid UTF-8: the file mixes "
                f"encodings and its accented letters there may read wrong, check them "
                f"({_places(self.mixed_at, self.mixed)})"
            )
        return notes


def _places(shown: tuple[tuple[int, int], ...], n: int) -> str:
    places = "; ".join(f"line {a}, column {b}" for a, b in shown)
    return places + (f"; and {n - len(shown)} more" if n > len(shown) else "")


def is_blank(text: str) -> bool:
    """Whether ``text`` is empty or only white space (without copying it, as strip would)."""
    return _NOT_SPACE.search(text) is None


def decode(data: bytes, file: str | Path | None) -> tuple[str, str]:
    """Decode the bytes of a text file, detecting its encoding (see :func:`decode_bytes`).

    Returns:
        The text (without a byte-order mark, not yet normalised) and the encoding's name.
    """
    decoded = decode_bytes(data, file)
    return decoded.text, decoded.encoding


def decode_bytes(data: bytes, file: str | Path | None) -> Decoded:
    """Decode the bytes of a text file, detecting its encoding.

    Order: byte-order mark; NUL bytes -> BOM-less UTF-16 or binary; strict UTF-8;
    mostly UTF-8 (damaged bytes replaced, see the module docstring); cp1252 when the
    result reads like Western text; charset-normalizer; cp1252.

    Args:
        data: the file's bytes.
        file: the file, for error messages.

    Returns:
        The text (without a byte-order mark, not yet normalised), the name of the encoding
        used, as Python spells it (``utf-8``, ``utf-8-sig``, ``utf-16-le``, ``cp1252``,
        ...), and where bytes were replaced.

    Raises:
        ImportFormatError: the file is empty, or binary, or not decodable as text.
    """
    decoded = _decode(data, file)
    if is_blank(decoded.text):
        raise ImportFormatError("is empty", file=file)
    if _looks_binary(decoded.text):
        raise ImportFormatError("looks like a binary file, not text", file=file)
    return decoded


def mostly_utf8(data: bytes, *, skip: int = 0) -> Decoded | None:
    """``data`` as UTF-8 with its damaged bytes replaced, when the evidence says UTF-8.

    Args:
        data: bytes that are not strictly valid UTF-8.
        skip: bytes to leave out at the start (a byte-order mark).

    Returns:
        The decoded text, or None when there is no valid multi-byte character or the
        undecodable byte runs are more than two thirds of all non-ASCII sequences (no
        evidence for UTF-8).
    """
    offsets: list[int] = []
    token = _BAD_OFFSETS.set(offsets)
    try:
        text = codecs.decode(memoryview(data)[skip:], "utf-8", "qualcode.replace")
    finally:
        _BAD_OFFSETS.reset(token)
    # Counted a piece at a time: a translated copy of a whole long file would double it.
    ascii_bytes = sum(
        len(data[i : i + _PIECE].translate(None, _HIGH_BYTES))
        for i in range(skip, len(data), _PIECE)
    )
    valid_multibyte = len(text) - ascii_bytes - len(offsets)
    if not valid_multibyte or len(offsets) > _MAX_DAMAGED_SHARE * (valid_multibyte + len(offsets)):
        return None
    # Only the places the report shows: each is a scan of the file up to it.
    places = tuple(_line_column(data, skip, skip + at) for at in offsets[:_PLACES_SHOWN])
    return Decoded(text, "utf-8-sig" if skip else "utf-8", places, len(offsets))


def legacy(data: bytes, text: str, encoding: str, *, skip: int = 0) -> Decoded:
    """``text``, read from ``data`` in a legacy ``encoding``, with any valid UTF-8 it holds.

    Valid multi-byte UTF-8 sequences in a file read as cp1252 (or another code page) are
    the mark of mixed encodings: ``für`` there reads ``fÃ¼r``. They are counted, with the
    first places, so the report says so instead of storing the letters silently.
    """
    found = _UTF8_MULTIBYTE.finditer(data, skip)
    first = [m.start() for _, m in zip(range(_PLACES_SHOWN), found, strict=False)]
    if not first:
        return Decoded(text, encoding)
    mixed = len(first) + sum(1 for _ in found)
    places = tuple(_line_column(data, skip, at) for at in first)
    return Decoded(text, encoding, mixed=mixed, mixed_at=places)


def _line_column(data: bytes, skip: int, offset: int) -> tuple[int, int]:
    line_start = max(data.rfind(b"\n", skip, offset) + 1, skip)
    line = data.count(b"\n", skip, offset) + 1
    return line, len(data[line_start:offset].decode("utf-8", "replace")) + 1


def _decode(data: bytes, file: str | Path | None) -> Decoded:
    if not data:
        raise ImportFormatError("is empty", file=file)
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            codec = encoding.removesuffix("-sig")
            try:
                return Decoded(data[len(bom) :].decode(codec), encoding)
            except UnicodeDecodeError as exc:
                damaged = mostly_utf8(data, skip=len(bom)) if codec == "utf-8" else None
                if damaged is not None:
                    return damaged
                raise ImportFormatError(
                    f"starts with a {encoding} byte-order mark but is not valid {encoding}",
                    file=file,
                    place=f"byte {exc.start + len(bom)}",
                ) from None
    if b"\x00" in data:
        encoding_guess = _bomless_utf16(data)
        if encoding_guess is not None:
            try:
                return Decoded(data.decode(encoding_guess), encoding_guess)
            except UnicodeDecodeError:
                pass
        raise ImportFormatError("looks like a binary file, not text", file=file)
    try:
        return Decoded(data.decode("utf-8"), "utf-8")
    except UnicodeDecodeError:
        pass
    damaged = mostly_utf8(data)
    if damaged is not None:
        return damaged
    western: str | None
    try:
        western = data.decode("cp1252")
    except UnicodeDecodeError:  # one of the five bytes cp1252 leaves undefined
        western = None
    if western is not None and _reads_like_western(western):
        return legacy(data, western, "cp1252")
    guessed = _charset_normalizer_guess(data)
    if guessed is not None:
        return legacy(data, *guessed)
    if western is not None:
        return legacy(data, western, "cp1252")
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
    allowed = max(2, len(text) // 200)
    # Stops at the first control character over the allowance: no list of matches.
    return any(n > allowed for n, _ in enumerate(_BINARY_CONTROL.finditer(text), start=1))
