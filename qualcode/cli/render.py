"""Printing listings as a table for people, JSON for scripts, or CSV for spreadsheets.

In a table, long quotes are cut (the exact text is a flag or a format away) but code names
never are: a name is how a researcher tells codes apart, and "Awareness and
publicity/Information cha…" could be any child of it. In a terminal too narrow for a name
it wraps onto more lines, at a space or after a '/'; into a pipe or a file it is whole.
"""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
import sys
from collections.abc import Collection, Sequence
from enum import StrEnum
from typing import Any


class Format(StrEnum):
    table = "table"
    json = "json"
    csv = "csv"


def render(
    rows: Sequence[dict[str, Any]],
    fmt: Format,
    *,
    columns: Sequence[str] | None = None,
    widths: dict[str, int] | None = None,
    wrap: Collection[str] = ("code",),
    width: int | None = None,
) -> str:
    """Rows as text. ``columns`` fixes the order (and the header of an empty table);
    ``widths`` caps a column's width in table format (values are cut with '…'), except
    for the ``wrap`` columns (code names), which are never cut: they wrap onto more lines
    where the table would be wider than ``width`` (by default the terminal's when the
    output is one, else no limit)."""
    cols = list(columns) if columns is not None else (list(rows[0]) if rows else [])
    if fmt is Format.json:
        return json.dumps([{c: r.get(c) for c in cols} for r in rows], ensure_ascii=False, indent=2)
    if fmt is Format.csv:
        out = io.StringIO()
        writer = csv.DictWriter(out, fieldnames=cols, extrasaction="ignore", lineterminator="\n")
        writer.writeheader()
        writer.writerows({c: _flat(r.get(c)) for c in cols} for r in rows)
        return out.getvalue().rstrip("\n")
    if width is None:
        width = terminal_width()
    return _table(rows, cols, widths or {}, set(wrap) & set(cols), width)


def terminal_width() -> int | None:
    """The terminal's width when the output goes to one; None into a pipe or a file."""
    return shutil.get_terminal_size().columns if sys.stdout.isatty() else None


def _flat(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list | tuple):
        return "; ".join(str(v) for v in value)
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def _cell(value: Any, width: int | None) -> str:
    text = " ".join(_flat(value).split())  # one line per row in a table
    if width is not None and len(text) > width:
        return text[: width - 1] + "…"
    return text


def _table(
    rows: Sequence[dict[str, Any]],
    cols: list[str],
    widths: dict[str, int],
    wrap: set[str],
    width: int | None,
) -> str:
    cells = [[_cell(r.get(c), None if c in wrap else widths.get(c)) for c in cols] for r in rows]
    sizes = [max([len(c)] + [len(row[i]) for row in cells]) for i, c in enumerate(cols)]
    numeric = [all(_is_number(r.get(c)) for r in rows) and rows for c in cols]
    if width is not None:
        _narrow(sizes, [i for i, c in enumerate(cols) if c in wrap], cols, width)

    def line(values: Sequence[str]) -> str:
        parts = [
            v.rjust(n) if num else v.ljust(n)
            for v, n, num in zip(values, sizes, numeric, strict=True)
        ]
        return "  ".join(parts).rstrip()

    out = [line(cols), line(["-" * n for n in sizes])]
    for row in cells:
        parts = [
            _wrapped(v, n) if v and len(v) > n else [v] for v, n in zip(row, sizes, strict=True)
        ]
        for k in range(max(len(p) for p in parts)):
            out.append(line([p[k] if k < len(p) else "" for p in parts]))
    return "\n".join(out)


MIN_WRAPPED = 16  # a wrapped column keeps this width however narrow the terminal


def _narrow(sizes: list[int], wrapped: list[int], cols: list[str], width: int) -> None:
    """Narrow the ``wrapped`` columns (the widest first) until a line fits ``width``, none
    below :data:`MIN_WRAPPED` or its header."""
    over = sum(sizes) + 2 * (len(sizes) - 1) - width
    while over > 0:
        can = [i for i in wrapped if sizes[i] > max(MIN_WRAPPED, len(cols[i]))]
        if not can:
            return
        widest = max(can, key=lambda i: sizes[i])
        sizes[widest] -= 1
        over -= 1


def _wrapped(text: str, width: int) -> list[str]:
    """``text`` in lines of at most ``width`` characters, broken after a space or a '/'
    (a code path's parts); a piece longer than a line is carried on over the next."""
    lines = [""]
    for piece in re.split(r"(?<=[ /])", text):
        if lines[-1] and len(lines[-1] + piece.rstrip()) > width:
            lines.append("")
        lines[-1] += piece
        while len(lines[-1]) > width and len(lines[-1].rstrip()) > width:
            lines[-1], rest = lines[-1][:width], lines[-1][width:]
            lines.append(rest)
    return [ln.rstrip() for ln in lines]


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)
