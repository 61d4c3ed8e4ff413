"""Word (.docx) and OpenDocument (.odt) transcripts.

Both are zip packages of XML. The text is the body's paragraphs in document order, one per
line; headers, footers, comments and text boxes are not part of a transcript and are left
out. Tables are kept, because transcripts are often typed into them: a two-column
``speaker | text`` table becomes ``Speaker: text`` lines, a three-column
``time | speaker | text`` table ``[time] Speaker: text`` lines, so the speaker-label rule
of :mod:`qualcode.ingest.labels` finds the turns as in any other transcript. Other tables
become one tab-separated line per row.
"""

from __future__ import annotations

import contextlib
import io
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from qualcode.errors import ImportFormatError
from qualcode.ingest.common import build_document, library_errors, read_bytes
from qualcode.ingest.labels import TIMESTAMP
from qualcode.ingest.types import Document

DOCX_READER = "qualcode.reader.docx.v1"
ODT_READER = "qualcode.reader.odt.v1"

_ZIP_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # old binary .doc / .xls
_TIME_CELL = re.compile(rf"[\[(]?{TIMESTAMP}[\])]?")
# A first row made only of these words is a table header, not a turn.
_HEADER_WORDS = frozenset(
    (
        "speaker", "name", "person", "who", "role", "sprecher", "sprecherin",
        "intervenant", "locuteur", "text", "utterance", "transcript", "content",
        "statement", "said", "answer", "aussage", "äußerung", "inhalt", "transkript",
        "texte", "time", "timestamp", "zeit", "zeitstempel", "zeitmarke", "start", "temps",
    )
)  # fmt: skip


def read_docx(
    path: Path, *, speaker_pattern: str | None = None, max_size: int | None = None
) -> Document:
    """Read a Word ``.docx`` transcript.

    Args:
        path: the file.
        speaker_pattern: a user's speaker regex (see :func:`parse_turns`).
        max_size: refuse a file larger than this many bytes; None for no limit.

    Returns:
        The document: paragraphs and table rows, one per line, in document order.

    Raises:
        ImportFormatError: unreadable, not a .docx package, damaged, or without text.
    """
    data = read_bytes(path, max_size)
    _check_zip(data, path, "Word .docx", "an old Word .doc file: save it as .docx")
    lines: list[str] = []
    with library_errors(path, "Word (.docx)"):
        # Deferred: python-docx loads lxml and its whole object model; most imports
        # and every command that does not import a .docx can do without.
        import docx
        from docx.table import Table

        document = docx.Document(io.BytesIO(data))
        for block in document.iter_inner_content():
            if isinstance(block, Table):
                rows = [_unique_cell_texts(row.cells) for row in block.rows]
                lines.extend(table_lines(rows))
            else:
                lines.append(block.text)
    return build_document(
        "\n".join(lines), path=path, reader=DOCX_READER, speaker_pattern=speaker_pattern
    )


def read_odt(
    path: Path, *, speaker_pattern: str | None = None, max_size: int | None = None
) -> Document:
    """Read an OpenDocument ``.odt`` transcript.

    Args:
        path: the file.
        speaker_pattern: a user's speaker regex (see :func:`parse_turns`).
        max_size: refuse a file larger than this many bytes; None for no limit.

    Returns:
        The document: paragraphs, headings and table rows, one per line, in order.

    Raises:
        ImportFormatError: unreadable, not an OpenDocument package, damaged, or without text.
    """
    data = read_bytes(path, max_size)
    _check_zip(data, path, "OpenDocument .odt", "an old binary office file: save it as .odt")
    lines: list[str] = []
    with library_errors(path, "OpenDocument (.odt)"):
        # Deferred: odfpy builds its element classes at import; only .odt needs them.
        from odf.opendocument import load

        # odfpy prints a part it cannot parse to stdout, whole, and carries on without it:
        # the user would get pages of XML and part of the document. Caught, it is an error.
        printed = io.StringIO()
        with contextlib.redirect_stdout(printed):
            document = load(io.BytesIO(data))
        if "FAILED TO PARSE" in printed.getvalue():
            raise ImportFormatError(
                "is not a readable OpenDocument (.odt) file (damaged XML inside)", file=path
            )
        _odt_lines(document.text, lines)
    return build_document(
        "\n".join(lines), path=path, reader=ODT_READER, speaker_pattern=speaker_pattern
    )


def table_lines(rows: Sequence[Sequence[str]]) -> list[str]:
    """A table as transcript lines (see the module docstring).

    Args:
        rows: each row's cell texts, left to right.

    Returns:
        One line per non-empty row (a cell's own line breaks are kept).
    """
    stripped = [[cell.strip() for cell in row] for row in rows]
    width = max((_used_width(row) for row in stripped), default=0)
    table = [row[:width] + [""] * (width - len(row)) for row in stripped if any(row)]
    if table and all(cell.casefold() in _HEADER_WORDS for cell in table[0] if cell):
        table = table[1:]
    lines = []
    for row in table:
        if width == 2:
            lines.append(_labelled(row[0], row[1]))
        elif width == 3 and _TIME_CELL.fullmatch(row[0]):
            time = row[0].strip("[]()")
            lines.append(f"[{time}] {_labelled(row[1], row[2])}")
        else:
            lines.append("\t".join(row))
    return lines


def _labelled(speaker: str, said: str) -> str:
    speaker = speaker.rstrip(":").strip()
    if not speaker:
        return said
    return f"{speaker}: {said}" if said else f"{speaker}:"


def _used_width(row: Sequence[str]) -> int:
    """The row's length without empty cells at its end."""
    width = len(row)
    while width and not row[width - 1]:
        width -= 1
    return width


def _check_zip(data: bytes, path: Path, kind: str, ole_hint: str) -> None:
    if data.startswith(_ZIP_MAGIC):
        return
    if data.startswith(_OLE_MAGIC):
        raise ImportFormatError(f"is {ole_hint}", file=path)
    if not data:
        raise ImportFormatError("is empty", file=path)
    raise ImportFormatError(
        f"is not a {kind} file: it is not a zip package (renamed from another format?)",
        file=path,
    )


def _unique_cell_texts(cells: Sequence[Any]) -> list[str]:
    """Cell texts of a docx row, a horizontally merged cell counted once."""
    texts: list[str] = []
    previous = None
    for cell in cells:
        if previous is not None and cell._tc is previous:
            continue
        previous = cell._tc
        texts.append(cell.text)
    return texts


def _odt_lines(element: Any, lines: list[str]) -> None:
    """Append the text of paragraphs, headings and tables under ``element``, in order."""
    from odf.namespaces import TABLENS, TEXTNS
    from odf.teletype import extractText

    for child in element.childNodes:
        if child.nodeType != child.ELEMENT_NODE:
            continue
        if child.qname in ((TEXTNS, "p"), (TEXTNS, "h")):
            lines.append(extractText(child))
        elif child.qname == (TABLENS, "table"):
            lines.extend(table_lines(_odt_table_rows(child)))
        else:
            _odt_lines(child, lines)


def _odt_table_rows(table: Any) -> list[list[str]]:
    from odf.namespaces import TABLENS
    from odf.table import TableRow
    from odf.teletype import extractText
    from odf.text import P

    rows = []
    for row in table.getElementsByType(TableRow):
        cells = []
        for cell in row.childNodes:
            if getattr(cell, "qname", None) != (TABLENS, "table-cell"):
                continue  # covered (merged) cells and anything else
            paragraphs = cell.getElementsByType(P)
            cells.append("\n".join(extractText(p) for p in paragraphs))
        rows.append(cells)
    return rows
