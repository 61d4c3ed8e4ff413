"""What every reader shares: reading a file's bytes, turning a library's exception into
a one-line :class:`ImportFormatError`, and building the :class:`Document`.

Bytes are read only through :func:`qualcode.files.read_regular` (regular files, within a
size limit), so a FIFO, a device or a huge file is refused before anything is parsed.

Document libraries (python-docx, odfpy, pypdf, striprtf, webvtt-py, pandas) raise a zoo of
exception types for broken input: ``KeyError`` from a zip without the right member,
``ValueError``, lxml's ``XMLSyntaxError``, their own error classes. Listing them all would
break with each library release, so :func:`library_errors` wraps any ``Exception`` that
escapes a library call. ``KeyboardInterrupt`` and ``SystemExit`` are ``BaseException``s and
pass through untouched, as does ``MemoryError``.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from qualcode.decoding import is_blank
from qualcode.errors import ImportFormatError, QualcodeError
from qualcode.files import read_regular
from qualcode.ingest.text import controls_note, normalise, remove_controls
from qualcode.ingest.turns import parse_turns
from qualcode.ingest.types import Document

_MAX_DETAIL = 160


def read_bytes(path: Path, max_size: int | None = None) -> bytes:
    """Read a regular file whole, with a one-line error for every way that can fail.

    Args:
        path: the file.
        max_size: refuse a transcript larger than this many bytes; None for no limit.

    Returns:
        Its bytes.

    Raises:
        ImportFormatError: missing, a directory, a FIFO or device, not permitted, too
            large, or another OS error.
    """
    data, _ = read_regular(path, max_size=max_size, what="transcript")
    return data


def describe(exc: BaseException) -> str:
    """A library exception as a short single line: its first line, or its type."""
    lines = str(exc).strip().splitlines()
    detail = lines[0].strip() if lines else ""
    if len(detail) > _MAX_DETAIL:
        detail = detail[: _MAX_DETAIL - 3] + "..."
    return detail or type(exc).__name__


@contextmanager
def library_errors(path: Path, kind: str, place: str | None = None) -> Iterator[None]:
    """Turn whatever a document library raises into an :class:`ImportFormatError`.

    Args:
        path: the file being read, for the message.
        kind: what the file should have been, e.g. ``"Word (.docx)"``.
        place: where in the file, when known.

    Raises:
        ImportFormatError: the wrapped failure; qualcode's own errors pass unchanged.
    """
    try:
        yield
    except (QualcodeError, MemoryError):
        raise
    except Exception as exc:
        raise ImportFormatError(
            f"is not a readable {kind} file ({describe(exc)})", file=path, place=place
        ) from exc


def build_document(
    text: str,
    *,
    path: Path,
    reader: str,
    speaker_pattern: str | None = None,
    encoding: str | None = None,
    notes: Sequence[str] = (),
) -> Document:
    """Normalise extracted text, find its turns and wrap both in a :class:`Document`.

    Args:
        text: the text a reader extracted (not yet normalised).
        path: the file, for errors and ``meta["file"]``.
        reader: the reader's versioned name (``qualcode.reader.docx.v1``), kept in
            ``meta["reader"]`` so a project can record which reader made a source.
        speaker_pattern: a user's own speaker regex, see :func:`parse_turns`.
        encoding: the encoding detected, for text formats.
        notes: what the reader has to say for the import report (bytes replaced).

    Returns:
        The document; control characters other than tab and newline are removed, and
        counted in its notes.

    Raises:
        ImportFormatError: no text at all, or an invalid ``speaker_pattern``.
    """
    text, removed = remove_controls(normalise(text))
    notes = [*notes, *controls_note(removed)]
    if is_blank(text):
        raise ImportFormatError("is empty: it contains no text", file=path)
    try:
        turns = parse_turns(text, speaker_pattern)
    except ImportFormatError as exc:
        if exc.file is not None:
            raise
        raise ImportFormatError(exc.message, file=path, place=exc.place) from None
    return Document(
        text=text,
        turns=turns,
        encoding=encoding,
        meta={"reader": reader, "file": path.name},
        notes=tuple(notes),
    )
