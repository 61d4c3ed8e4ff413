"""What every reader shares: reading a file's bytes, turning a library's exception into
a one-line :class:`ImportFormatError`, and building the :class:`Document`.

Document libraries (python-docx, odfpy, pypdf, striprtf, webvtt-py, pandas) raise a zoo of
exception types for broken input: ``KeyError`` from a zip without the right member,
``ValueError``, lxml's ``XMLSyntaxError``, their own error classes. Listing them all would
break with each library release, so :func:`library_errors` wraps any ``Exception`` that
escapes a library call. ``KeyboardInterrupt`` and ``SystemExit`` are ``BaseException``s and
pass through untouched, as does ``MemoryError``.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from qualcode.errors import ImportFormatError, QualcodeError
from qualcode.ingest.text import normalise
from qualcode.ingest.turns import parse_turns
from qualcode.ingest.types import Document

_MAX_DETAIL = 160


def read_bytes(path: Path) -> bytes:
    """Read a file whole, with a one-line error for every way that can fail.

    Args:
        path: the file.

    Returns:
        Its bytes.

    Raises:
        ImportFormatError: missing, a directory, not permitted, or another OS error.
    """
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise ImportFormatError("no such file", file=path) from None
    except IsADirectoryError:
        raise ImportFormatError("is a directory, not a file", file=path) from None
    except PermissionError:
        raise ImportFormatError("permission denied: cannot read the file", file=path) from None
    except OSError as exc:
        raise ImportFormatError(
            f"cannot be read: {exc.strerror or exc.__class__.__name__}", file=path
        ) from None


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
) -> Document:
    """Normalise extracted text, find its turns and wrap both in a :class:`Document`.

    Args:
        text: the text a reader extracted (not yet normalised).
        path: the file, for errors and ``meta["file"]``.
        reader: the reader's versioned name (``qualcode.reader.docx.v1``), kept in
            ``meta["reader"]`` so a project can record which reader made a source.
        speaker_pattern: a user's own speaker regex, see :func:`parse_turns`.
        encoding: the encoding detected, for text formats.

    Returns:
        The document.

    Raises:
        ImportFormatError: no text at all, or an invalid ``speaker_pattern``.
    """
    text = normalise(text)
    if not text.strip():
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
    )
