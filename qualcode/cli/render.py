"""Printing listings as a table for people, JSON for scripts, or CSV for spreadsheets."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
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
) -> str:
    """Rows as text. ``columns`` fixes the order (and the header of an empty table);
    ``widths`` caps a column's width in table format (values are cut with '…')."""
    cols = list(columns) if columns is not None else (list(rows[0]) if rows else [])
    if fmt is Format.json:
        return json.dumps([{c: r.get(c) for c in cols} for r in rows], ensure_ascii=False, indent=2)
    if fmt is Format.csv:
        out = io.StringIO()
        writer = csv.DictWriter(out, fieldnames=cols, extrasaction="ignore", lineterminator="\n")
        writer.writeheader()
        writer.writerows({c: _flat(r.get(c)) for c in cols} for r in rows)
        return out.getvalue().rstrip("\n")
    return _table(rows, cols, widths or {})


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


def _table(rows: Sequence[dict[str, Any]], cols: list[str], widths: dict[str, int]) -> str:
    cells = [[_cell(r.get(c), widths.get(c)) for c in cols] for r in rows]
    sizes = [max([len(c)] + [len(row[i]) for row in cells]) for i, c in enumerate(cols)]
    numeric = [all(_is_number(r.get(c)) for r in rows) and rows for c in cols]

    def line(values: Sequence[str]) -> str:
        parts = [
            v.rjust(n) if num else v.ljust(n)
            for v, n, num in zip(values, sizes, numeric, strict=True)
        ]
        return "  ".join(parts).rstrip()

    out = [line(cols), line(["-" * n for n in sizes])]
    out.extend(line(row) for row in cells)
    return "\n".join(out)


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)
