"""The CSV codebook format: one row per code, parents by path, lists separated by ``;``."""

from __future__ import annotations

import csv
import difflib
import io
import itertools
from pathlib import Path

from qualcode.codebook.items import *  # noqa: F403
from qualcode.codebook.items import _build, _Item, _join, _make_item, _normalise
from qualcode.codebook.rules import (
    _TEXT_KEYS,
    CSV_COLUMNS,
    CSV_OPTIONAL,
    normalize_color,
    validate,
)
from qualcode.errors import CodebookError
from qualcode.model import PATH_SEPARATOR, Codebook, join_path


def parse_csv(text: str, file: str) -> Codebook:
    """A codebook from CSV text; its name is the file's stem.

    Args:
        text: the decoded file.
        file: the file name, for error messages and the codebook's name.

    Raises:
        CodebookError: naming the file and the line (the header is line 1).
    """
    text = _normalise(text)
    first = next((line for line in text.split("\n") if line.strip()), "")
    delimiter = next((d for d in ",;\t" if d in first), ",")
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    header: list[str] | None = None
    items: list[_Item] = []
    previous = 0
    try:
        for row in reader:
            line, previous = previous + 1, reader.line_num
            if not any(cell.strip() for cell in row):
                continue
            if header is None:
                header = _csv_header(row, file, line)
                continue
            cells = list(itertools.zip_longest(header, row, fillvalue=""))
            if any(cell.strip() for column, cell in cells if not column):
                problem = "a value in a column without a header (or beyond the last column)"
                raise CodebookError(problem, file=file, place=f"line {line}")
            items.append(_make_item(dict(cells), line, file))
    except csv.Error as exc:
        raise CodebookError(
            f"CSV error: {exc}", file=file, place=f"line {reader.line_num}"
        ) from None
    if header is None:
        raise CodebookError("the file is empty; a CSV codebook needs a header row", file=file)
    return _build(items, Path(file).stem, file)


def _csv_header(row: list[str], file: str, line: int) -> list[str]:
    header = [cell.strip().lower() for cell in row]
    known = CSV_COLUMNS + CSV_OPTIONAL
    for column in filter(None, header):  # spreadsheets add empty columns: ignored
        if column not in known:
            close = difflib.get_close_matches(column, known, 1)
            hint = f"did you mean {close[0]!r}? " if close else ""
            problem = f"unknown column {column!r}; {hint}expected: {', '.join(known)}"
            raise CodebookError(problem, file=file, place=f"line {line}")
        if header.count(column) > 1:
            raise CodebookError(f"column {column!r} twice", file=file, place=f"line {line}")
    if "name" not in header:
        raise CodebookError("the header has no 'name' column", file=file, place=f"line {line}")
    return header


def _paths(codebook: Codebook) -> dict[int, str]:
    """Every code's path, in linear time (``Codebook.path`` scans for each ancestor)."""
    by_id = {code.id: code for code in codebook}
    paths: dict[int, str] = {}
    for code in codebook:
        chain = [code]
        while chain[-1].parent_id is not None and chain[-1].parent_id not in paths:
            chain.append(by_id[chain[-1].parent_id])
        prefix = "" if chain[-1].parent_id is None else paths[chain[-1].parent_id] + PATH_SEPARATOR
        for node in reversed(chain):
            paths[node.id] = prefix + join_path([node.name])
            prefix = paths[node.id] + PATH_SEPARATOR
    return paths


def dump_csv(codebook: Codebook) -> str:
    """The codebook as CSV, one row per code in codebook order, ``parent`` as a full path
    (a ``guid`` column only if some code has one); raises CodebookError if it does not
    validate."""
    validate(codebook)
    columns = CSV_COLUMNS + (CSV_OPTIONAL if any(c.guid for c in codebook) else ())
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(columns)
    paths = _paths(codebook)
    for code in codebook:
        row = {key: getattr(code, key) for key in ("name", *_TEXT_KEYS)} | {
            "parent": "" if code.parent_id is None else paths[code.parent_id],
            "keywords": _join(code.keywords),
            "examples": _join(code.examples),
            "color": normalize_color(code.color) if code.color else "",
            "hotkey": code.hotkey or "",
            "guid": code.guid or "",
        }
        writer.writerow([row[column] for column in columns])
    return out.getvalue()
