"""Table files for people: Excel (``xlsx.v2``), Markdown (``markdown.v2``) and Word (``docx.v1``).

Each writes the tables as :func:`qualcode.analysis.presentation.people_table` shows them
(codes as an indented tree, "n of N (p%)", headers in words, no ids); the files for machines
(CSV, JSON, Parquet) keep every column. Each writer takes ``about``: lines on where the
figures come from (whose codings they count), written first (an "about" sheet, lines above
the tables); by default the tables' own ``attrs["counted"]``.

Excel indents with the cell's indent alignment, Word with the paragraph's left indent,
Markdown with em spaces (which, unlike spaces, survive rendering). A Word table holds at most
63 columns: a wider table (a matrix of many sources) is split into parts that each repeat the
code column, and their headings say which columns each holds; a document with a table of more
than 8 columns is set in landscape.

pandas at module level: the facade imports this module inside its methods only.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from qualcode.analysis.presentation import (
    INDENT,
    PeopleTable,
    about_lines,
    people_table,
    provenance_lines,
)

Tables = Mapping[str, pd.DataFrame]

MAX_WIDTH = 60  # Excel column width cap, in characters: long quotes wrap instead
WORD_COLUMNS = 63  # Word's limit on the columns of a table
PORTRAIT_COLUMNS = 8  # a wider table turns the pages to landscape
ABOUT = "about"  # the name of the sheet of ``about`` lines


def _people(tables: Tables) -> list[PeopleTable]:
    return [people_table(name, frame) for name, frame in tables.items()]


def _about(tables: Tables, about: Sequence[str] | None) -> list[str]:
    return list(about) if about is not None else about_lines(list(tables.values()))


def sheet_name(name: str) -> str:
    """A name Excel takes for a sheet: at most 31 characters, none of ``[]:*?/\\``."""
    for ch in "[]:*?/\\":
        name = name.replace(ch, "_")
    return name[:31] or "table"


def write_xlsx_people(
    tables: Tables, path: Path, *, about: Sequence[str] | None = None
) -> list[Path]:
    """One sheet per table (named as the table), the header bold and frozen, code names
    indented, figures right-aligned, columns as wide as their text (quotes wrap at
    :data:`MAX_WIDTH`); then a sheet "about": whose codings the tables count, the filters,
    the date and the software (:func:`provenance_lines`), or the ``about`` lines given."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    book = Workbook()
    book.remove(book.active)
    bold, wrap = Font(bold=True), Alignment(wrap_text=True, vertical="top")
    for name, shown in zip(tables, _people(tables), strict=True):
        ws = book.create_sheet(sheet_name(name))
        frame = shown.frame
        ws.append([str(c) for c in frame.columns])
        for cell in ws[1]:
            cell.font = bold
        for row in frame.itertuples(index=False):
            ws.append(list(row))
        ws.freeze_panes = "A2"
        for i, col in enumerate(frame.columns, start=1):
            letter = get_column_letter(i)
            cells = [str(v) for v in frame[col].head(1000).tolist()]
            longest = max([len(str(col)), *(len(v) for v in cells)])
            extra = 2 * max(shown.indent, default=0) if col == shown.code_column else 0
            ws.column_dimensions[letter].width = min(longest + 2 + extra, MAX_WIDTH)
            if shown.numeric[i - 1]:
                for (cell,) in ws.iter_rows(min_row=1, min_col=i, max_col=i):
                    cell.alignment = Alignment(horizontal="right")
            elif longest > MAX_WIDTH:
                for (cell,) in ws.iter_rows(min_row=2, min_col=i, max_col=i):
                    cell.alignment = wrap
        if shown.code_column is not None:
            at = list(frame.columns).index(shown.code_column) + 1
            for r, level in enumerate(shown.indent, start=2):
                if level:
                    ws.cell(row=r, column=at).alignment = Alignment(indent=level)
    if not book.sheetnames:
        book.create_sheet("table")
    sheet = book.create_sheet(ABOUT if ABOUT not in book.sheetnames else f"{ABOUT}_tables")
    rows = (
        [("", line) for line in about]
        if about is not None
        else provenance_lines(list(tables.values()))
    )
    for field, value in rows:
        sheet.append([field, value])
    sheet.column_dimensions["A"].width = 12
    sheet.column_dimensions["B"].width = MAX_WIDTH * 2
    book.save(path)
    return [path]


def markdown_people(shown: PeopleTable) -> str:
    """A GitHub-flavoured Markdown table of ``shown``: figures right-aligned, ``|``
    escaped, code names indented by em spaces."""
    frame = shown.indented(INDENT)
    lines = [
        "| " + " | ".join(_md_cell(c) for c in frame.columns) + " |",
        "| " + " | ".join("---:" if n else "---" for n in shown.numeric) + " |",
    ]
    lines += ["| " + " | ".join(_md_cell(v) for v in row) + " |" for row in frame.itertuples(False)]
    return "\n".join(lines)


def _md_cell(value: object) -> str:
    # One line, `|` escaped; a leading indent is kept (str.split takes em spaces as blanks).
    text = str(value)
    rest = text.lstrip(INDENT)
    return text[: len(text) - len(rest)] + " ".join(rest.split()).replace("|", "\\|")


def write_markdown_people(
    tables: Tables, path: Path, *, about: Sequence[str] | None = None
) -> list[Path]:
    """Each table under a ``##`` heading in words, after the ``about`` lines (one per line,
    in italics)."""
    parts = [f"*{line}*  " for line in _about(tables, about)]
    if parts:
        parts[-1] = parts[-1].rstrip()
        parts = ["\n".join(parts)]
    parts += [f"## {shown.title}\n\n{markdown_people(shown)}" for shown in _people(tables)]
    path.write_text("\n\n".join(parts) + "\n", encoding="utf-8")
    return [path]


def write_docx(tables: Tables, path: Path, *, about: Sequence[str] | None = None) -> list[Path]:
    """A Word document: the ``about`` lines, then each table as a Word table under a
    heading, its header row bold and repeated on every page, code names indented."""
    import docx
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Cm

    document = docx.Document()
    shown_tables = _people(tables)
    if max((len(t.frame.columns) for t in shown_tables), default=0) > PORTRAIT_COLUMNS:
        _landscape(document)
    for line in _about(tables, about):
        document.add_paragraph().add_run(line).italic = True
    for shown in shown_tables:
        for heading, part, numeric in _word_parts(shown):
            document.add_heading(heading, level=2)
            table = document.add_table(rows=1, cols=len(part.columns))
            table.style = "Table Grid"
            head = table.rows[0]
            _repeat_header(head)
            for cell, name, right in zip(head.cells, part.columns, numeric, strict=True):
                run = cell.paragraphs[0].add_run(str(name))
                run.bold = True
                if right:
                    cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.RIGHT
            for r, values in enumerate(part.itertuples(index=False)):
                cells = table.add_row().cells
                for cell, name, value, right in zip(
                    cells, part.columns, values, numeric, strict=True
                ):
                    paragraph = cell.paragraphs[0]
                    paragraph.add_run(str(value))
                    if right:
                        paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
                    if name == shown.code_column and shown.indent[r]:
                        paragraph.paragraph_format.left_indent = Cm(0.4 * shown.indent[r])
    document.save(str(path))
    return [path]


def _landscape(document: Any) -> None:
    """Turn the document's pages to landscape, for tables too wide to read upright."""
    from docx.enum.section import WD_ORIENT

    section = document.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = section.page_height, section.page_width


def _word_parts(shown: PeopleTable) -> list[tuple[str, pd.DataFrame, list[bool]]]:
    """The table in parts of at most :data:`WORD_COLUMNS` columns, each repeating the code
    column, with their headings."""
    frame = shown.frame
    width = len(frame.columns)
    if width <= WORD_COLUMNS or shown.code_column is None:
        return [(shown.title, frame, shown.numeric)]
    at = list(frame.columns).index(shown.code_column)
    rest = [i for i in range(width) if i != at]
    step = WORD_COLUMNS - 1
    parts = []
    for k in range(0, len(rest), step):
        chosen = [at, *rest[k : k + step]]
        heading = f"{shown.title} (columns {k + 1}-{min(k + step, len(rest))} of {len(rest)})"
        numeric = [shown.numeric[i] for i in chosen]
        parts.append((heading, frame.iloc[:, chosen], numeric))
    return parts


def _repeat_header(row: object) -> None:
    """Mark a Word table row as a header row, repeated at the top of every page."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    props = row._tr.get_or_add_trPr()  # type: ignore[attr-defined]
    mark = OxmlElement("w:tblHeader")
    mark.set(qn("w:val"), "true")
    props.append(mark)
