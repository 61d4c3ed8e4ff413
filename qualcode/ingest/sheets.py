"""Sheets: case attributes and open-ended survey answers from .csv, .xlsx or .xls.

Every cell comes back as ``str`` (an empty cell as ``""``) so that an id ``007``, a cohort
``2019`` or an answer ``NA`` stays what the researcher typed; pandas' type inference and
its NaN markers are switched off. Rows are numbered as a spreadsheet shows them: the
header is row 1, so the first record is row 2.

CSV files get the same encoding detection as transcripts (:func:`decode`) and their
delimiter is sniffed among ``,`` ``;`` and tab (German Excel writes ``;``). Excel files are
read from their first sheet.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Sequence
from pathlib import Path, PureWindowsPath
from typing import TYPE_CHECKING, Any

from qualcode.decoding import decode_bytes
from qualcode.errors import ImportFormatError
from qualcode.files import link_note
from qualcode.ingest.common import describe, library_errors, read_bytes
from qualcode.ingest.formats import SHEET_SUFFIXES, TRANSCRIPT_SUFFIXES
from qualcode.ingest.text import controls_note, normalise, remove_controls
from qualcode.ingest.types import Response

if TYPE_CHECKING:
    import pandas

_KEY_COLUMNS = ("source", "name", "file", "document")
_DELIMITERS = (",", ";", "\t")
_SNIFF_CHARS = 65536
_SNIFF_ROWS = 50
_PARSER_LINE = re.compile(r"line (\d+)")


def read_table(path: str | Path, *, notes: list[str] | None = None) -> pandas.DataFrame:
    """Read a sheet with every cell as text.

    Args:
        path: a ``.csv``/``.tsv`` (encoding detected, delimiter sniffed) or an
            ``.xlsx``/``.xlsm``/``.xls`` (first sheet).
        notes: a list to which lines for the import report are appended (bytes replaced,
            control characters removed, a symbolic link followed), each naming the file.

    Returns:
        A DataFrame whose column names and cells are all ``str``, empty cells ``""``.

    Raises:
        ImportFormatError: an unsupported suffix or a file that cannot be read.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    found: list[str] = []
    if suffix in (".csv", ".tsv"):
        frame = _read_csv(path, found)
    elif suffix in (".xlsx", ".xlsm", ".xls"):
        frame = _read_excel(path)
    else:
        raise ImportFormatError(
            f"cannot read '{path.suffix}' files as a sheet; supported: {', '.join(SHEET_SUFFIXES)}",
            file=path,
        )
    link = link_note(path)
    if notes is not None:
        notes.extend(f"{path}: {note}" for note in ([link] if link else []) + found)
    return frame


def read_attributes(
    path: str | Path, *, notes: list[str] | None = None
) -> dict[str, dict[str, str]]:
    """Read case attributes (cohort, role, date...) keyed by source name.

    The key column is the first named ``source``, ``name``, ``file`` or ``document``
    (case-insensitive), else the first column. A key written as a file name
    (``interview_01.txt``) is reduced to the source name (``interview_01``).

    Args:
        path: the sheet.
        notes: a list for the import report's notes (see :func:`read_table`).

    Returns:
        ``{source name: {column: value}}`` for every row with a key.

    Raises:
        ImportFormatError: unreadable, no columns, a row without a key, or a duplicate key
            (naming the row).
    """
    path = Path(path)
    frame = read_table(path, notes=notes)
    columns = [str(c) for c in frame.columns]
    if not columns:
        raise ImportFormatError("has no columns", file=path)
    key_column = next((c for c in columns if c.strip().casefold() in _KEY_COLUMNS), columns[0])
    others = [c for c in columns if c != key_column]
    attributes: dict[str, dict[str, str]] = {}
    first_row: dict[str, int] = {}
    for row, record in enumerate(frame.to_dict("records"), start=2):
        key = _source_name(record[key_column])
        if not key:
            if any(record[c].strip() for c in others):
                raise ImportFormatError(
                    f"has no source name in column '{key_column}'", file=path, place=f"row {row}"
                )
            continue  # a blank row
        if key in attributes:
            raise ImportFormatError(
                f"source '{key}' is listed twice (first in row {first_row[key]})",
                file=path,
                place=f"row {row}",
            )
        first_row[key] = row
        attributes[key] = {c: record[c].strip() for c in others}
    return attributes


def read_responses(
    path: str | Path,
    *,
    text_column: str,
    id_column: str | None = None,
    codes_column: str | None = None,
    question_column: str | None = None,
    sep: str = ";",
    notes: list[str] | None = None,
) -> list[Response]:
    """Read open-ended survey answers, one :class:`Response` per row with text.

    Args:
        path: the sheet.
        text_column: the column with the answers.
        id_column: the column with respondent ids; None numbers responses by their row.
        codes_column: a column with codes already given, separated by ``sep``.
        question_column: the column with the question each answer answers (a sheet of
            several open questions in long form); kept as an attribute too.
        sep: the separator between codes.
        notes: a list for the import report's notes (see :func:`read_table`).

    Returns:
        The responses in sheet order. Every other column becomes an attribute.

    Raises:
        ImportFormatError: unreadable, a missing column (listing the available ones),
            an empty or duplicate id (naming the row).
    """
    path = Path(path)
    frame = read_table(path, notes=notes)
    columns = [str(c) for c in frame.columns]
    text_col = _column(columns, text_column, path)
    id_col = _column(columns, id_column, path) if id_column is not None else None
    codes_col = _column(columns, codes_column, path) if codes_column is not None else None
    question_col = _column(columns, question_column, path) if question_column else None
    if question_col is not None and question_col in (text_col, id_col, codes_col):
        raise ImportFormatError(
            f"column '{question_col}' cannot be the question and the answer, id or codes",
            file=path,
        )
    others = [c for c in columns if c not in (text_col, id_col, codes_col)]
    responses: list[Response] = []
    seen: dict[str, int] = {}
    for row, record in enumerate(frame.to_dict("records"), start=2):
        text = normalise(record[text_col]).strip()
        if not text:
            continue
        if id_col is None:
            response_id = str(row)
        else:
            response_id = record[id_col].strip()
            if not response_id:
                raise ImportFormatError(
                    f"has an answer without an id in column '{id_col}'",
                    file=path,
                    place=f"row {row}",
                )
        if response_id in seen:
            raise ImportFormatError(
                f"id '{response_id}' is used twice (first in row {seen[response_id]})",
                file=path,
                place=f"row {row}",
            )
        seen[response_id] = row
        codes: tuple[str, ...] = ()
        if codes_col is not None:
            split = (code.strip() for code in record[codes_col].split(sep))
            codes = tuple(dict.fromkeys(code for code in split if code))
        attributes = {c: record[c].strip() for c in others}
        question = record[question_col].strip() if question_col is not None else ""
        responses.append(Response(response_id, text, attributes, codes, row, question))
    return responses


def _read_csv(path: Path, notes: list[str]) -> pandas.DataFrame:
    decoded = decode_bytes(read_bytes(path), path)
    notes.extend(decoded.notes())
    text, removed = remove_controls(normalise(decoded.text))
    notes.extend(controls_note(removed))
    delimiter = _sniff_delimiter(text)
    # Deferred: pandas takes a second to import; only sheet imports and reports need it.
    import pandas as pd

    try:
        frame = pd.read_csv(
            io.StringIO(text),
            sep=delimiter,
            dtype=str,
            keep_default_na=False,
            na_filter=False,
            skip_blank_lines=False,
        )
    except pd.errors.ParserError as exc:
        line = _PARSER_LINE.search(str(exc))
        raise ImportFormatError(
            f"is not a well-formed CSV file ({describe(exc)})",
            file=path,
            place=f"line {line[1]}" if line else None,
        ) from exc
    except (pd.errors.EmptyDataError, ValueError) as exc:
        raise ImportFormatError(f"is not a readable CSV file ({describe(exc)})", file=path) from exc
    return _as_text(frame)


def _read_excel(path: Path) -> pandas.DataFrame:
    data = read_bytes(path)
    if not data:
        raise ImportFormatError("is empty", file=path)
    if path.suffix.lower() != ".xls" and not data.startswith(b"PK\x03\x04"):
        raise ImportFormatError(
            "is not an Excel .xlsx file: it is not a zip package (renamed from another format?)",
            file=path,
        )
    # Deferred: pandas takes a second to import; only sheet imports and reports need it.
    import pandas as pd

    try:
        with library_errors(path, "Excel"):
            frame = pd.read_excel(io.BytesIO(data), sheet_name=0, dtype=object)
    except ImportFormatError as exc:
        if isinstance(exc.__cause__, ImportError):  # .xls needs xlrd, which is optional
            raise ImportFormatError(
                "old .xls sheets need the optional package xlrd (or python-calamine); "
                "install it, or save the sheet as .xlsx or .csv",
                file=path,
            ) from None
        raise
    return _as_text(frame)


def _as_text(frame: pandas.DataFrame) -> pandas.DataFrame:
    """Every column name and cell as a string, NaN and None as ``""``."""
    frame.columns = [str(c).strip() for c in frame.columns]
    return frame.map(_cell_text).astype(object)


def _cell_text(value: Any) -> str:
    if value is None or (isinstance(value, float) and value != value):  # None, NaN
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # Excel stores every number as a float: 3.0 is 3
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    text = str(value)
    return "" if text in ("nan", "NaT", "<NA>") else text


def _sniff_delimiter(text: str) -> str:
    """The delimiter giving the most rows with the header's (>1) number of fields."""
    best, best_score = None, (0, 0)
    for delimiter in _DELIMITERS:
        reader = csv.reader(io.StringIO(text[:_SNIFF_CHARS]), delimiter=delimiter)
        widths = [len(row) for _, row in zip(range(_SNIFF_ROWS), reader, strict=False) if row]
        if not widths or widths[0] < 2:
            continue
        score = (sum(1 for w in widths if w == widths[0]), widths[0])
        if score > best_score:
            best, best_score = delimiter, score
    if best is not None:
        return best
    # One column: any delimiter the text does not contain keeps each line whole.
    return next((d for d in (*_DELIMITERS, "\x1f") if d not in text), "\x1f")


def _column(columns: Sequence[str], wanted: str, path: Path) -> str:
    """The column named ``wanted``, exactly or else ignoring case and spaces."""
    if wanted in columns:
        return wanted
    folded = [c for c in columns if c.strip().casefold() == wanted.strip().casefold()]
    if len(folded) == 1:
        return folded[0]
    available = ", ".join(f"'{c}'" for c in columns) or "none"
    raise ImportFormatError(f"has no column '{wanted}'; the columns are: {available}", file=path)


def _source_name(key: str) -> str:
    """A key as a source name: ``transcripts/interview_01.TXT`` -> ``interview_01``."""
    key = key.strip()
    name = PureWindowsPath(key)  # splits on both / and \
    if name.suffix.lower() in TRANSCRIPT_SUFFIXES:
        return name.stem
    return key
