"""The study report as a Word document (python-docx), for a co-author who edits in Word.

The same content as the web page (:mod:`qualcode.analysis.study_html`), section by section:
the tables as Word tables with the code names indented as in the codebook tree, the charts
as PNG pictures inline, and the quotes as they were coded.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from qualcode.analysis.study_charts import Chart
from qualcode.analysis.study_report import StudyReport, Table

BODY_PT = 10
TABLE_PT = 8.5
WIDE_PT = 7  # tables with many columns (codes by source)
INDENT_PT = 9  # per level of the codebook tree
MUTED = (0x52, 0x60, 0x6D)
PAGE_CM = 17.4  # the width between the margins of an A4 or Letter page set by _margins
LANDSCAPE_CM = 24.0  # likewise, the page turned
MAX_COLUMN_CHARS = 50  # wider cells wrap
PAD_CM = 0.45  # a cell's left and right padding together


def write_docx(report: StudyReport, path: Path) -> Path:
    """Write ``report`` (charts drawn as PNG) to ``path``."""
    from docx import Document  # deferred: reports only
    from docx.shared import Pt

    doc = Document()
    doc.styles["Normal"].font.size = Pt(BODY_PT)
    _margins(doc)
    props = doc.core_properties
    props.title, props.author, props.comments = report.title, "", report.software
    doc.add_heading(report.title, 0)
    if report.subtitle:
        _muted(doc.add_paragraph(), report.subtitle)
    _muted(doc.add_paragraph(), f"Study report · {report.software} · {report.date}")
    doc.add_paragraph().add_run(report.counted).bold = True

    doc.add_heading("The study", 1)
    doc.add_paragraph(report.overview)
    _table(doc, report.sources_by_kind)
    doc.add_heading("Sources", 2)
    _table(doc, report.sources, WIDE_PT)

    doc.add_heading("Codebook", 1)
    for entry in report.codebook:
        _code(doc, entry.depth, entry.name, entry.definition, entry.inclusion, entry.exclusion)

    doc.add_heading("Frequencies", 1)
    doc.add_paragraph(
        "Per code: its codings, the passages they cover, and the sources it was applied in, "
        'of all sources and of each kind ("n of N (%)"). A parent code counts its whole subtree.'
    )
    _table(doc, report.frequencies)
    _chart(doc, report.frequency_chart)

    doc.add_heading("Quotes", 1)
    doc.add_paragraph("Up to three passages per code, from different sources where there are.")
    for code, quotes in report.quotes:
        doc.add_heading(code, 3)
        for q in quotes:
            said = doc.add_paragraph(style="Quote")
            said.add_run(q.text)
            _muted(doc.add_paragraph(), f"{q.place} · coded by {q.coder}")

    doc.add_heading("Co-occurrence", 1)
    if report.cooccurrence.rows:
        doc.add_paragraph("The pairs of codes applied to overlapping passages most often.")
        _table(doc, report.cooccurrence)
        _chart(doc, report.heat_map)
    else:
        doc.add_paragraph("No two codes overlap anywhere.")

    doc.add_heading("Agreement", 1)
    doc.add_paragraph(report.agreement_text)
    if report.agreement is not None:
        _table(doc, report.agreement)

    _turn(doc, landscape=True)  # the grid has a column per source
    doc.add_heading("Codes by source", 1)
    doc.add_paragraph("Coded passages of each code in each source.")
    _table(doc, report.grid, WIDE_PT, page=LANDSCAPE_CM)
    _turn(doc, landscape=False)

    doc.add_heading("COREQ items", 1)
    doc.add_paragraph(
        "The items of the COREQ checklist (Tong, Sainsbury and Craig 2007) the project can answer."
    )
    _table(doc, report.coreq)
    _muted(doc.add_paragraph(), f"Made with {report.software} on {report.date}.")
    doc.save(str(path))
    return path


def _margins(doc: Any) -> None:
    from docx.shared import Cm

    for section in doc.sections:
        section.left_margin = section.right_margin = Cm(1.8)
        section.top_margin = section.bottom_margin = Cm(1.8)


def _muted(paragraph: Any, text: str) -> None:
    from docx.shared import RGBColor

    run = paragraph.add_run(text)
    run.font.color.rgb = RGBColor(*MUTED)


def _code(doc: Any, depth: int, name: str, *texts: str) -> None:
    """One code of the codebook, indented by its depth."""
    from docx.shared import Pt

    head = doc.add_paragraph()
    head.paragraph_format.left_indent = Pt(2 * INDENT_PT * depth)
    head.paragraph_format.space_after = Pt(0)
    head.add_run(name).bold = True
    definition, inclusion, exclusion = texts
    for label, text in (("", definition), ("Include: ", inclusion), ("Exclude: ", exclusion)):
        if text:
            line = doc.add_paragraph()
            line.paragraph_format.left_indent = Pt(2 * INDENT_PT * depth + INDENT_PT)
            line.paragraph_format.space_after = Pt(0)
            if label:
                line.add_run(label).italic = True
            line.add_run(text)


def _turn(doc: Any, *, landscape: bool) -> None:
    """Start a new page, turned to landscape or back to portrait."""
    from docx.enum.section import WD_ORIENT, WD_SECTION

    last = doc.sections[-1]
    section = doc.add_section(WD_SECTION.NEW_PAGE)
    short, long = sorted((last.page_width, last.page_height))
    section.orientation = WD_ORIENT.LANDSCAPE if landscape else WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = (long, short) if landscape else (short, long)


def _table(doc: Any, table: Table, size: float = TABLE_PT, page: float = PAGE_CM) -> None:
    """A Word table of ``table``: header in bold, numbers right-aligned, codes indented."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt

    grid = doc.add_table(rows=1, cols=len(table.columns))
    grid.style = "Table Grid"
    grid.autofit = False
    numeric = table.numeric or [False] * len(table.columns)
    parents = table.parents if table.indent else [False] * len(table.rows)
    for cell, name, num in zip(grid.rows[0].cells, table.columns, numeric, strict=True):
        _cell(cell, name, size, bold=True, right=num, align=WD_ALIGN_PARAGRAPH.RIGHT)
    for i, row in enumerate(table.rows):
        cells = grid.add_row().cells
        for j, (cell, text) in enumerate(zip(cells, row, strict=True)):
            para = _cell(
                cell,
                text,
                size,
                bold=j == 0 and parents[i],
                right=numeric[j],
                align=WD_ALIGN_PARAGRAPH.RIGHT,
            )
            if j == 0 and table.indent and table.indent[i]:
                para.paragraph_format.left_indent = Pt(INDENT_PT * table.indent[i])
    for column, width in zip(grid.columns, _widths(table, size, page), strict=True):
        for cell in column.cells:  # Word reads the cells' widths, LibreOffice the column's
            cell.width = width
        column.width = width
    doc.add_paragraph()


def _widths(table: Table, size: float, page: float) -> list[Any]:
    """Column widths: each column as wide as its longest cell needs (the longest word of its
    header, which may wrap) at font ``size``; wider than the ``page`` (cm), the widest
    text columns wrap and the numbers keep their width (all shrink alike if numbers alone
    fill the page)."""
    from docx.shared import Cm

    char = 0.62 * size / 72 * 2.54  # an average character, in cm (digits are wider)
    numeric = table.numeric or [False] * len(table.columns)
    natural = []
    for j, name in enumerate(table.columns):
        longest = max((len(row[j]) for row in table.rows), default=0)
        indent = 2 * max(table.indent, default=0) if j == 0 else 0
        words = 1.15 * max((len(w) for w in name.split()), default=0)  # bold
        chars = min(max(longest + indent, words, 3), MAX_COLUMN_CHARS)
        natural.append(chars * char + PAD_CM)
    fixed = sum(n for n, num in zip(natural, numeric, strict=True) if num)
    if sum(natural) <= page:
        widths = natural
    elif fixed < 0.7 * page:
        # The widest text columns give way first: each is capped at the one width at
        # which the table fits, so short columns ("kind", "language") never wrap.
        texts = sorted(n for n, num in zip(natural, numeric, strict=True) if not num)
        room, cap = page - fixed, 0.0
        for i, n in enumerate(texts):
            cap = room / (len(texts) - i)
            if n > cap:
                break
            room -= n
        widths = [n if num else min(n, cap) for n, num in zip(natural, numeric, strict=True)]
    else:
        widths = [n * page / sum(natural) for n in natural]
    return [Cm(w) for w in widths]


def _cell(cell: Any, text: str, size: float, *, bold: bool, right: bool, align: Any) -> Any:
    from docx.shared import Pt

    para = cell.paragraphs[0]
    run = para.add_run(text)
    run.font.size = Pt(size)
    run.bold = bold
    if right:
        para.alignment = align
    return para


def _chart(doc: Any, chart: Chart | None) -> None:
    from docx.shared import Cm

    if chart is None:
        return
    assert isinstance(chart.data, bytes), "Word takes the charts as PNG"
    doc.add_picture(io.BytesIO(chart.data), width=Cm(PAGE_CM))
    caption = doc.add_paragraph()
    caption.add_run(f"{chart.title}. ").bold = True
    _muted(caption, chart.caption)
