"""Writing tables to files: CSV, Excel, JSON, Markdown and Parquet, by versioned name.

``EXPORTERS`` maps a versioned format name to a writer of several named tables; ``SUFFIXES``
maps a file suffix to the name in use. A change of output is a new ``.v2`` entry, never an
edit of ``.v1``. Formats that hold one table per file (CSV, Parquet) write several tables as
``STEM-TABLE.csv`` beside the path given; Excel writes one sheet per table, JSON one object
keyed by table, Markdown and Word one section per table.

Files for machines (CSV, JSON, Parquet) hold every column: ids, paths, exact numbers. Files
for people (Excel ``xlsx.v2``, ``markdown.v2``, Word ``docx.v1``, in
:mod:`qualcode.analysis.people_files`) show the tables as a paper does: codes as an indented
tree, "n of N (p%)", headers in words, no ids. ``xlsx.v1`` and ``markdown.v1`` (every column,
as the machines' files) stay registered under their names.

Every file says whose codings its tables count (the ``attrs`` the facade sets, see
:mod:`qualcode.analysis.counted`), each in its format's way: a column ``coders`` in CSV,
fields beside the rows in JSON, the schema metadata in Parquet, an ``about`` sheet in Excel
and lines above the tables in Markdown and Word (:mod:`qualcode.analysis.presentation`).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

# pandas at module level: the facade imports this module inside its methods only,
# so `qualcode --help` never loads them.
import pandas as pd

from qualcode.analysis.people_files import sheet_name as _sheet_name
from qualcode.analysis.people_files import (
    write_docx,
    write_markdown_people,
    write_xlsx_people,
)
from qualcode.analysis.presentation import about, missing

Tables = Mapping[str, pd.DataFrame]
Exporter = Callable[[Tables, Path], list[Path]]

MAX_WIDTH = 60  # Excel column width cap, in characters: long quotes wrap instead


def _per_table(path: Path, tables: Tables) -> list[tuple[str, pd.DataFrame, Path]]:
    if len(tables) == 1:
        [(name, frame)] = tables.items()
        return [(name, frame, path)]
    return [
        (name, frame, path.with_name(f"{path.stem}-{name}{path.suffix}"))
        for name, frame in tables.items()
    ]


def write_csv(tables: Tables, path: Path) -> list[Path]:
    out = []
    for _, frame, target in _per_table(path, tables):
        frame.to_csv(target, index=False, encoding="utf-8")
        out.append(target)
    return out


def write_parquet(tables: Tables, path: Path) -> list[Path]:
    return _parquet(tables, path, keep_attrs=False)


def _parquet(tables: Tables, path: Path, *, keep_attrs: bool) -> list[Path]:
    out = []
    for _, frame, target in _per_table(path, tables):
        # Parquet wants one type per column: text columns of mixed content become strings.
        clean = frame.copy()
        if not keep_attrs:  # v1 files hold the columns only, as they always did
            clean.attrs = {}
        for col in clean.columns:
            if clean[col].dtype == object:
                clean[col] = clean[col].map(lambda v: None if missing(v) else str(v))
        clean.columns = [str(c) for c in clean.columns]
        clean.to_parquet(target, index=False)
        out.append(target)
    return out


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    return [
        {str(k): None if missing(v) else _plain(v) for k, v in row.items()}
        for row in frame.to_dict(orient="records")
    ]


def _plain(value: Any) -> Any:
    return value.item() if hasattr(value, "item") else value


def write_json(tables: Tables, path: Path) -> list[Path]:
    if len(tables) == 1:
        data: Any = _records(next(iter(tables.values())))
    else:
        data = {name: _records(frame) for name, frame in tables.items()}
    path.write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return [path]


def markdown(frame: pd.DataFrame) -> str:
    """A GitHub-flavoured Markdown table; numbers right-aligned, ``|`` escaped."""
    cols = [str(c) for c in frame.columns]
    numeric = [pd.api.types.is_numeric_dtype(frame[c]) for c in frame.columns]

    def cell(value: Any) -> str:
        if missing(value):
            return ""
        if isinstance(value, float):
            return f"{value:.4g}" if not value.is_integer() else f"{value:.0f}"
        return " ".join(str(value).split()).replace("|", "\\|")

    lines = [
        "| " + " | ".join(c.replace("|", "\\|") for c in cols) + " |",
        "| " + " | ".join("---:" if n else "---" for n in numeric) + " |",
    ]
    lines += ["| " + " | ".join(cell(v) for v in row) + " |" for row in frame.itertuples(False)]
    return "\n".join(lines)


def write_markdown(tables: Tables, path: Path) -> list[Path]:
    if len(tables) == 1:
        text = markdown(next(iter(tables.values())))
    else:
        text = "\n\n".join(f"## {name}\n\n{markdown(f)}" for name, f in tables.items())
    path.write_text(text + "\n", encoding="utf-8")
    return [path]


def write_xlsx(tables: Tables, path: Path) -> list[Path]:
    # openpyxl is imported by pandas' writer; we only size the columns after writing.
    from openpyxl.utils import get_column_letter

    with pd.ExcelWriter(path, engine="openpyxl") as writer:
        for name, frame in tables.items():
            sheet = _sheet_name(name)
            frame.to_excel(writer, sheet_name=sheet, index=False)
            ws = writer.sheets[sheet]
            ws.freeze_panes = "A2"
            for i, col in enumerate(frame.columns, start=1):
                longest = max(
                    [len(str(col))] + [len(str(v)) for v in frame[col].head(1000).tolist()]
                )
                ws.column_dimensions[get_column_letter(i)].width = min(longest + 2, MAX_WIDTH)
    return [path]


def json_document(tables: Tables) -> dict[str, Any]:
    """The tables as one JSON object: whose codings they count beside the rows (one table)
    or the rows by table name (several)."""
    said = about(list(tables.values()))
    if len(tables) == 1:
        [(name, frame)] = tables.items()
        return {**said, "table": name, "rows": _records(frame)}
    return {**said, "tables": {name: _records(frame) for name, frame in tables.items()}}


def write_json_v2(tables: Tables, path: Path) -> list[Path]:
    text = json.dumps(json_document(tables), ensure_ascii=False, indent=2)
    path.write_text(text + "\n", encoding="utf-8")
    return [path]


def write_csv_v2(tables: Tables, path: Path) -> list[Path]:
    """CSV with a last column ``coders`` (``anna; ben``): every reader of CSV keeps a
    column, where a comment line above the header would break most of them."""
    out = []
    for _, frame, target in _per_table(path, tables):
        column = "coders" if "coders" not in frame.columns else "counted_coders"
        frame.assign(**{column: "; ".join(frame.attrs.get("coders", []))}).to_csv(
            target, index=False, encoding="utf-8"
        )
        out.append(target)
    return out


def write_parquet_v2(tables: Tables, path: Path) -> list[Path]:
    """Parquet with the tables' ``attrs`` (coders, counted, filters) in the schema
    metadata, where pandas stores them and ``read_parquet`` gives them back."""
    return _parquet(tables, path, keep_attrs=True)


EXPORTERS: dict[str, Exporter] = {
    "csv.v1": write_csv,
    "xlsx.v1": write_xlsx,
    "json.v1": write_json,
    "markdown.v1": write_markdown,
    "parquet.v1": write_parquet,
    # v2: files for people (see people_files), and every file says whose codings it counts
    "csv.v2": write_csv_v2,
    "xlsx.v2": write_xlsx_people,
    "json.v2": write_json_v2,
    "markdown.v2": write_markdown_people,
    "parquet.v2": write_parquet_v2,
    "docx.v1": write_docx,
}
SUFFIXES = {
    ".csv": "csv.v2",
    ".xlsx": "xlsx.v2",
    ".json": "json.v2",
    ".md": "markdown.v2",
    ".parquet": "parquet.v2",
    ".docx": "docx.v1",
}


def export(tables: Tables, path: Path) -> list[Path]:
    """Write ``tables`` to ``path`` in the format of its suffix; returns the files written."""
    name = SUFFIXES.get(path.suffix.lower())
    if name is None:
        raise ValueError(
            f"cannot write tables to {path.name!r}; use one of {', '.join(sorted(SUFFIXES))}"
        )
    return EXPORTERS[name](tables, path)
