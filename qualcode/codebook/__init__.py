"""Codebook files: read, validate and write YAML and CSV codebooks.

A codebook read from a file carries file-local ids ``1..n`` in tree order: each code is
followed by its children (depth first), siblings keep their file order. Saving and loading
again gives an equal ``Codebook`` in every format (CSV cannot hold the codebook's own name:
it is read as the file's stem). Errors are ``CodebookError`` naming the file and the line.

YAML (``codebooks/mentoring.yaml``)::

    name: Mentoring programme needs analysis
    codes:
      - name: Awareness and publicity
        color: "#1f77b4"
        children:
          - name: Awareness
            definition: Whether students know the programme exists.
            inclusion: ...
            exclusion: ...
            keywords: [heard of, never heard]      # or "heard of; never heard"
            examples:
              - "Honestly I had never heard of it before you called."
            color: teal                            # #rgb, #rrggbb or a name; saved as #rrggbb
            hotkey: a                              # one letter or digit, unique
            guid: ...                              # optional, REFI-QDA

A flat list works too: a top-level item may say ``parent: Group/Sub`` (a path, or the
suffix of one, down to a bare name) instead of being nested; a parent may come after its
children. A ``name`` is kept as written, ``/`` included; in a ``parent`` path a name's ``/``
is written ``\\/`` and its ``\\`` as ``\\\\`` (``parent: Advocacy/Social\\/Political``), as
``qualcode.model.join_path`` writes it. Keys other than those above are errors, since a
typo would otherwise vanish. The file is composed, never constructed, with the safe loader:
every scalar is read as the text written (``hotkey: y`` is ``"y"``, not ``True``) and tags
beyond YAML's plain types are refused.

CSV: a header row with ``name`` and any of ``parent, definition, inclusion, exclusion,
keywords, examples, color, hotkey, guid`` (case-insensitive); one row per code; ``parent``
as in YAML (a path, escaped so); ``keywords``/``examples`` separated by ``;`` (``\\;`` is a
literal ``;`` and ``\\\\`` a literal backslash, so quotes survive a round trip). Commas
delimit, unless the header uses ``;`` or tabs (as European spreadsheets save). Lines count
from the header (line 1) and a row's line is where it starts, quoted multi-line fields
included.

Files are UTF-8 with or without a BOM, else Windows-1252; CSV is saved with a BOM so that
spreadsheets detect UTF-8. Names, ids and order follow ``qualcode.model``.
"""

from __future__ import annotations

import codecs
import os
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TypeVar

from qualcode.codebook.csv_format import dump_csv, parse_csv
from qualcode.codebook.rules import (
    COLOR_NAMES,
    CSV_COLUMNS,
    SUPPORTED_SUFFIXES,
    normalize_color,
    validate,
)
from qualcode.codebook.yaml_format import dump_yaml, parse_yaml
from qualcode.decoding import legacy, mostly_utf8
from qualcode.errors import CodebookError
from qualcode.files import read_regular
from qualcode.model import Codebook


def _decode(data: bytes, file: Path, notes: list[str]) -> str:
    """UTF-8 (a BOM is dropped), else Windows-1252: what spreadsheets and editors write.

    A file that is mostly UTF-8 stays UTF-8 with its damaged bytes replaced, as for
    transcripts (:func:`qualcode.decoding.mostly_utf8`), and ``notes`` says where.
    Control characters are not removed here, unlike in transcripts: the YAML and CSV
    parsers refuse them with their line, which suits a short file a person edits.
    """
    skip = len(codecs.BOM_UTF8) if data.startswith(codecs.BOM_UTF8) else 0
    try:
        try:
            text = data[skip:].decode("utf-8")
        except UnicodeDecodeError:
            damaged = mostly_utf8(data, skip=skip)
            if damaged is not None:
                notes.extend(damaged.notes())
                text = damaged.text
            elif skip:
                raise
            else:
                text = data.decode("cp1252")
                notes.extend(legacy(data, text, "cp1252").notes())
    except UnicodeDecodeError as exc:
        problem = "not UTF-8 or Windows-1252 text"
        raise CodebookError(problem, file=file, place=f"byte offset {exc.start}") from None
    return text


# Writing.


_READERS: dict[str, Callable[[str, str], Codebook]] = {
    ".yaml": parse_yaml,
    ".yml": parse_yaml,
    ".csv": parse_csv,
}
_WRITERS: dict[str, Callable[[Codebook], str]] = {
    ".yaml": dump_yaml,
    ".yml": dump_yaml,
    ".csv": dump_csv,
}


T = TypeVar("T")


def _format(path: Path, table: Mapping[str, T]) -> T:
    suffix = path.suffix.lower()
    if suffix not in table:
        problem = f"unsupported codebook format {suffix or '(no suffix)'!r}"
        raise CodebookError(f"{problem}; supported: {', '.join(SUPPORTED_SUFFIXES)}", file=path)
    return table[suffix]


def load_codebook(path: Path, *, notes: list[str] | None = None) -> Codebook:
    """Read a codebook file, by its suffix (``SUPPORTED_SUFFIXES``).

    Only a regular file is read (see :mod:`qualcode.files`).

    Args:
        path: the file.
        notes: a list to which lines for the import report are appended (bytes replaced,
            control characters removed, a symbolic link followed), each naming the file.

    Raises:
        CodebookError: for an unknown suffix, an unreadable file or a malformed codebook,
            naming the file and the line.
    """
    path = Path(path)
    reader = _format(path, _READERS)
    data, found = read_regular(path, error=CodebookError)
    said = [found.note] if found.note else []
    text = _decode(data, path, said)
    if notes is not None:
        notes.extend(f"{path}: {note}" for note in said)
    return reader(text, str(path))


def save_codebook(codebook: Codebook, path: Path) -> None:
    """Write a codebook file, by its suffix; the file is replaced whole or not at all.

    Raises:
        CodebookError: for an unknown suffix, a codebook that does not validate, or a
            file that cannot be written.
    """
    path = Path(path)
    writer = _format(path, _WRITERS)
    validate(codebook, file=path)
    text = writer(codebook)
    encoding = "utf-8-sig" if path.suffix.lower() == ".csv" else "utf-8"
    temporary = path.with_name(path.name + ".tmp")
    try:
        temporary.write_text(text, encoding=encoding, newline="")
        os.replace(temporary, path)
    except OSError as exc:
        temporary.unlink(missing_ok=True)
        raise CodebookError(f"cannot write the file: {exc.strerror or exc}", file=path) from None


__all__ = [
    "COLOR_NAMES",
    "CSV_COLUMNS",
    "SUPPORTED_SUFFIXES",
    "dump_csv",
    "dump_yaml",
    "load_codebook",
    "normalize_color",
    "parse_csv",
    "parse_yaml",
    "save_codebook",
    "validate",
]
