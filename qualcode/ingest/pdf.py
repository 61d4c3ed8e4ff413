"""PDF transcripts: the text layer, page by page.

A PDF only has text if it was made from text; a scanned interview is a picture and needs
OCR first, which qualcode does not do (offline first, no heavy OCR models), so it says so.
pypdf's reading order is good for the single-column text of typed transcripts.

pypdf reports recoverable damage through the ``pypdf`` logger; those warnings are silenced
while reading, since the user gets either the text or one clear error, not library noise.
"""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from qualcode.errors import ImportFormatError
from qualcode.ingest.common import build_document, library_errors, read_bytes
from qualcode.ingest.types import Document

PDF_READER = "qualcode.reader.pdf.v1"

# A complete PDF ends with %%EOF (give or take trailing junk); a download or copy cut
# short does not. pypdf would often carry on and return part of the text.
_EOF_WINDOW = 4096


def read_pdf(
    path: Path, *, speaker_pattern: str | None = None, max_size: int | None = None
) -> Document:
    """Read the text layer of a PDF transcript.

    Args:
        path: the file.
        speaker_pattern: a user's speaker regex (see :func:`parse_turns`).
        max_size: refuse a file larger than this many bytes; None for no limit.

    Returns:
        The document: each page's text, pages joined by a newline.

    Raises:
        ImportFormatError: unreadable, not a PDF, truncated, encrypted, or without a text
            layer (scanned).
    """
    data = read_bytes(path, max_size)
    if b"%PDF-" not in data[:1024]:
        raise ImportFormatError("is not a PDF file: it has no %PDF header", file=path)
    if b"%%EOF" not in data[-_EOF_WINDOW:]:
        raise ImportFormatError("is truncated or damaged: it does not end with %%EOF", file=path)
    pages: list[str] = []
    with _quiet_pypdf(), library_errors(path, "PDF"):
        # Deferred: pypdf is sizeable and only PDFs need it.
        from pypdf import PdfReader

        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted and not reader.decrypt(""):
            raise ImportFormatError("is password-protected: remove the password first", file=path)
        for number, page in enumerate(reader.pages, start=1):
            with library_errors(path, "PDF", place=f"page {number}"):
                pages.append(page.extract_text() or "")
    text = "\n".join(pages)
    if not text.strip():
        raise ImportFormatError(
            "has no text layer (scanned?): run OCR on it and import the result", file=path
        )
    return build_document(text, path=path, reader=PDF_READER, speaker_pattern=speaker_pattern)


@contextmanager
def _quiet_pypdf() -> Iterator[None]:
    logger = logging.getLogger("pypdf")
    level = logger.level
    logger.setLevel(logging.ERROR)
    try:
        yield
    finally:
        logger.setLevel(level)
