"""Rich Text Format (.rtf) transcripts.

RTF is 7-bit text that escapes everything else: ``\\'fc`` is a byte in the document's code
page (``\\ansicpg1252`` -> ``ü``), ``\\u8364?`` a Unicode code point followed by a
fallback character for old readers (here ``€``, the ``?`` dropped). striprtf decodes both;
the code page comes from the document (``\\ansicpg``, or a font's ``\\fcharset``) and
defaults to cp1252, the Windows default for Western text.
"""

from __future__ import annotations

from pathlib import Path

from qualcode.decoding import decode
from qualcode.errors import ImportFormatError
from qualcode.ingest.common import build_document, library_errors, read_bytes
from qualcode.ingest.types import Document

RTF_READER = "qualcode.reader.rtf.v1"


def read_rtf(
    path: Path, *, speaker_pattern: str | None = None, max_size: int | None = None
) -> Document:
    """Read an RTF transcript.

    Args:
        path: the file.
        speaker_pattern: a user's speaker regex (see :func:`parse_turns`).
        max_size: refuse a file larger than this many bytes; None for no limit.

    Returns:
        The document: the RTF's plain text, a line per paragraph.

    Raises:
        ImportFormatError: unreadable, not RTF, a byte undefined in its code page, or
            without text.
    """
    # Usually pure ASCII; decode() copes with writers that put raw 8-bit text in.
    source, _ = decode(read_bytes(path, max_size), path)
    if not source.lstrip().startswith("{\\rtf"):
        raise ImportFormatError("is not an RTF file: it does not start with {\\rtf", file=path)
    with library_errors(path, "RTF"):
        # Deferred for symmetry with the other readers; striprtf itself is light.
        from striprtf.striprtf import rtf_to_text

        # Strict: a byte undefined in the document's code page is an error to report,
        # not a character to replace silently.
        text = rtf_to_text(source, encoding="cp1252", errors="strict")
    return build_document(text, path=path, reader=RTF_READER, speaker_pattern=speaker_pattern)
