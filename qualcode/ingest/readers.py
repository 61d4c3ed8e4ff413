"""The reader registry: one reader per file suffix, and :func:`read_document` to dispatch.

Every reader has the same signature (:class:`Reader`) and returns a :class:`Document` whose
``meta["reader"]`` is the reader's versioned name (``qualcode.reader.docx.v1``), so a
project can record which reader made each source; a reader that changes what it extracts
gets a new ``.v2`` name instead of silently changing ``.v1`` (STYLE.md, registries).
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Protocol

from qualcode.decoding import decode_bytes
from qualcode.errors import ImportFormatError
from qualcode.files import DEFAULT_MAX_SIZE, link_note
from qualcode.ingest.captions import read_srt, read_vtt
from qualcode.ingest.common import build_document, read_bytes
from qualcode.ingest.office import read_docx, read_odt
from qualcode.ingest.pdf import read_pdf
from qualcode.ingest.rtf import read_rtf
from qualcode.ingest.turns import compile_speaker_pattern
from qualcode.ingest.types import Document

TEXT_READER = "qualcode.reader.text.v1"
_HINTS = {
    ".doc": " (old Word format: save it as .docx)",
    ".rtfd": " (save it as .rtf)",
    ".pages": " (export it as .docx)",
}
MARKDOWN_READER = "qualcode.reader.markdown.v1"


class Reader(Protocol):
    """What every reader looks like."""

    def __call__(
        self, path: Path, *, speaker_pattern: str | None = None, max_size: int | None = None
    ) -> Document: ...


def read_text(
    path: Path, *, speaker_pattern: str | None = None, max_size: int | None = None
) -> Document:
    """Read a plain-text transcript, detecting its encoding.

    Args:
        path: the file.
        speaker_pattern: a user's speaker regex (see :func:`parse_turns`).
        max_size: refuse a file larger than this many bytes; None for no limit.

    Returns:
        The document.

    Raises:
        ImportFormatError: unreadable, empty or binary.
    """
    return _read_plain(path, TEXT_READER, speaker_pattern, max_size)


def read_markdown(
    path: Path, *, speaker_pattern: str | None = None, max_size: int | None = None
) -> Document:
    """Read a Markdown transcript. The markup stays in the text; ``**Name:**`` labels count.

    Args:
        path: the file.
        speaker_pattern: a user's speaker regex (see :func:`parse_turns`).
        max_size: refuse a file larger than this many bytes; None for no limit.

    Returns:
        The document.

    Raises:
        ImportFormatError: unreadable, empty or binary.
    """
    return _read_plain(path, MARKDOWN_READER, speaker_pattern, max_size)


def _read_plain(
    path: Path, reader: str, speaker_pattern: str | None, max_size: int | None
) -> Document:
    decoded = decode_bytes(read_bytes(path, max_size), path)
    return build_document(
        decoded.text,
        path=path,
        reader=reader,
        speaker_pattern=speaker_pattern,
        encoding=decoded.encoding,
        notes=decoded.notes(),
    )


READERS: dict[str, Reader] = {
    ".txt": read_text,
    ".md": read_markdown,
    ".docx": read_docx,
    ".odt": read_odt,
    ".rtf": read_rtf,
    ".pdf": read_pdf,
    ".vtt": read_vtt,
    ".srt": read_srt,
}
SUPPORTED_SUFFIXES: tuple[str, ...] = tuple(READERS)


def read_document(
    path: str | Path, *, speaker_pattern: str | None = None, max_size: int | None = DEFAULT_MAX_SIZE
) -> Document:
    """Read a transcript with the reader for its suffix (case-insensitive).

    Only a regular file is read (a symbolic link to one is followed, and the document's
    notes say where it led); a FIFO, a device or a file over ``max_size`` is refused.

    Args:
        path: the file.
        speaker_pattern: a user's speaker regex, matched at the start of each line, with a
            named group ``speaker`` and optionally ``time``; None for the built-in rule
            (see :mod:`qualcode.ingest.labels`).
        max_size: refuse a file larger than this many bytes (default 50 MB); None for
            no limit.

    Returns:
        The document: normalised text and its turns, and notes for the import report.

    Raises:
        ImportFormatError: an unsupported suffix, an invalid pattern, or a file that cannot
            be read; the message names the file.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    reader = READERS.get(suffix)
    if reader is None:
        what = f"'{path.suffix}' files" if path.suffix else "files without a suffix"
        hint = _HINTS.get(suffix, "")
        raise ImportFormatError(
            f"cannot import {what}{hint}; supported: {', '.join(SUPPORTED_SUFFIXES)}", file=path
        )
    if speaker_pattern is not None:
        try:
            compile_speaker_pattern(speaker_pattern)
        except ImportFormatError as exc:
            raise ImportFormatError(exc.message, file=path, place=exc.place) from None
    document = reader(path, speaker_pattern=speaker_pattern, max_size=max_size)
    note = link_note(path)
    return document if note is None else replace(document, notes=(note, *document.notes))
