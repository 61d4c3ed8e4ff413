"""Tables and charts for a paper: files for people (xlsx, md, docx) show an indented code tree,
"n of N (p%)" and headers in words without ids; files for machines keep every column; the
charts say what their numbers are. Read back as a co-author's software would read them."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from qualcode.analysis.frequencies import share_texts
from qualcode.analysis.people_files import write_docx
from qualcode.analysis.presentation import code_tree, people_table
from qualcode.project import Project
from tests.analysis_study import build_study
from tests.test_cli import run

INTERNAL = {"code_id", "code_a_id", "code_b_id", "coding_id", "depth", "parent", "sources_pct"}
FREQUENCY_HEADERS = ["Code", "Codings", "Passages", "Sources", "Speakers"]
EM = "\u2003"


@pytest.fixture(scope="module")
def coded(coded_demo_file: Path):
    with Project.open(coded_demo_file) as p:
        yield p


@pytest.fixture(scope="module")
def study(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("paper-study")
    build_study(folder).close()
    return folder / "study.qcdb"


def expected_rows(coded: Project) -> list[tuple[str, int, str]]:
    """The frequency table as it should read: own name, indent level, sources_text."""
    freq = coded.reports.frequencies()
    shown = code_tree(freq["code"].tolist())
    return [
        (name, level, text) for (name, level), text in zip(shown, freq["sources_text"], strict=True)
    ]


def test_the_percent_rule():
    n = np.array([31, 1, 1, 2, 1, 1999, 150, 0])
    of = np.array([52, 8, 300, 300, 5000, 2000, 200, 300])
    assert share_texts(n, of).tolist() == [
        "31 of 52 (60%)",  # N up to 100: a whole percent tells every count apart
        "1 of 8 (13%)",
        "1 of 300 (0.3%)",  # above 100: one decimal, so 1 and 2 of 300 differ
        "2 of 300 (0.7%)",
        "1 of 5000 (<0.1%)",  # never 0% for a source that said it
        "1999 of 2000 (>99.9%)",
        "150 of 200 (75.0%)",
        "0 of 300 (0.0%)",
    ]


def test_the_code_tree_indents_under_shown_ancestors_only():
    assert code_tree(["A", "A/B", "A/B/C", "A/D", "X/Y", "X/Y/Z"]) == [
        ("A", 0),
        ("B", 1),
        ("C", 2),
        ("D", 1),
        ("X/Y", 0),  # its parent is not in the table: the whole path says where it is
        ("Z", 1),
    ]


def test_xlsx_for_people(coded: Project, tmp_path: Path):
    from openpyxl import load_workbook

    target = tmp_path / "tables.xlsx"
    run("report", coded.context.path, "all", "--by", "kind", "-o", target)
    book = load_workbook(target)
    assert book.sheetnames == [
        "frequencies",
        "frequencies_by_kind",
        "cooccurrence",
        "matrix",
        "crosstab",
        "quotes",
        "about",  # whose codings the tables count, the filters, the date, the software
    ]
    for ws in book.worksheets:
        for row in ws.iter_rows(values_only=True):
            assert not set(map(str, row)) & INTERNAL, (ws.title, row)
            floats = [v for v in row if isinstance(v, float) and not v.is_integer()]
            assert not floats, (ws.title, row)  # fractions are text, never 83.333...
    ws = book["frequencies"]
    assert [c.value for c in ws[1]] == FREQUENCY_HEADERS
    shown = [(r[0].value, int(r[0].alignment.indent), r[3].value) for r in ws.iter_rows(min_row=2)]
    assert shown == expected_rows(coded)
    assert ("Awareness", 1) in [(name, level) for name, level, _ in shown]
    assert [c.value for c in book["frequencies_by_kind"][1]][:2] == ["Code", "Kind"]
    assert [c.value for c in book["quotes"][1]] == [
        "Code",
        "Source",
        "Speaker",
        "Coder",
        "Quote",
        "Reference",
    ]
    head = [c.value for c in book["cooccurrence"][1]]
    assert head == ["Code", "With code", "Overlapping passages", "Jaccard index (0-1)"]


def test_docx_for_people(coded: Project, tmp_path: Path):
    import docx

    target = tmp_path / "tables.docx"
    out = run("report", coded.context.path, "frequencies", "-o", target).output
    assert "tables.docx" in out
    document = docx.Document(str(target))
    assert [p.text for p in document.paragraphs if p.style.name.startswith("Heading")] == [
        "Frequencies"
    ]
    [table] = document.tables
    rows = [[c.text for c in row.cells] for row in table.rows]
    assert rows[0] == FREQUENCY_HEADERS
    indents = [row.cells[0].paragraphs[0].paragraph_format.left_indent for row in table.rows[1:]]
    levels = [round((i or 0) / 144000) for i in indents]  # 0.4 cm a level, in EMU
    shown = [(r[0], level, r[3]) for r, level in zip(rows[1:], levels, strict=True)]
    assert shown == expected_rows(coded)
    codings = coded.reports.frequencies()["codings"].tolist()
    assert [int(r[1]) for r in rows[1:]] == codings


def test_markdown_for_people(coded: Project, tmp_path: Path):
    target = tmp_path / "f.md"
    run("report", coded.context.path, "frequencies", "-o", target)
    lines = target.read_text(encoding="utf-8").splitlines()
    assert lines[0].startswith("*Pools 2 coders, anna and ben")  # whose codings, first
    lines = lines[lines.index("## Frequencies") :]
    table = [line for line in lines if line.startswith("|")]
    assert table[0] == "| " + " | ".join(FREQUENCY_HEADERS) + " |"
    assert table[1] == "| --- | ---: | ---: | ---: | ---: |"
    cells = [line.split(" | ") for line in table[2:]]
    shown = [(c[0][2:].lstrip(EM), len(c[0][2:]) - len(c[0][2:].lstrip(EM)), c[3]) for c in cells]
    assert shown == expected_rows(coded)


def test_files_for_machines_keep_ids_and_exact_numbers(study: Path, tmp_path: Path):
    run("report", study, "frequencies", "--by", "kind", "-o", tmp_path / "f.csv")
    run("report", study, "frequencies", "--by", "kind", "-o", tmp_path / "f.json")
    back = pd.read_csv(tmp_path / "f.csv")
    rows = json.loads((tmp_path / "f.json").read_text(encoding="utf-8"))["rows"]
    assert list(back.columns[:5]) == ["kind", "code_id", "code", "parent", "depth"]
    assert back["code"].tolist()[-1] == "Barriers/Money"
    assert rows[1]["code_id"] == 1 and rows[1]["sources_pct"] == pytest.approx(200 / 3)
    assert back["sources_pct"][1] == pytest.approx(200 / 3)


def test_files_for_people_say_whose_codings_they_count(study: Path, tmp_path: Path):
    from openpyxl import load_workbook

    with Project.open(study) as p:
        freq = p.reports.frequencies()
        freq.attrs["counted"] = "Counts the codings of anna and ben, pooled."
        p.reports.export_tables(tmp_path / "t.xlsx", {"frequencies": freq})
        p.reports.export_tables(tmp_path / "t.md", {"frequencies": freq})
        p.reports.export_tables(tmp_path / "t.docx", {"frequencies": freq})
    book = load_workbook(tmp_path / "t.xlsx")
    assert book.sheetnames == ["frequencies", "about"]
    fields = {row[0]: row[1] for row in book["about"].iter_rows(values_only=True)}
    assert fields["counted"] == "Counts the codings of anna and ben, pooled."
    assert str(fields["software"]).startswith("qualcode ")
    md = (tmp_path / "t.md").read_text(encoding="utf-8")
    assert md.startswith("*Counts the codings of anna and ben, pooled.*\n\n## Frequencies")
    import docx

    first = docx.Document(str(tmp_path / "t.docx")).paragraphs[0].text
    assert first == "Counts the codings of anna and ben, pooled."


def test_a_code_without_its_parent_keeps_its_path(study: Path):
    with Project.open(study) as p:
        shown = people_table("frequencies", p.reports.frequencies(code="Barriers/Time"))
    assert shown.frame["Code"].tolist() == ["Barriers/Time"] and shown.indent == [0]


def test_a_word_table_wider_than_word_allows_is_split(tmp_path: Path):
    import docx

    wide = pd.DataFrame({"code_id": [1, 2], "code": ["A", "A/B"]})
    wide = pd.concat([wide, pd.DataFrame({f"s{i}": [i, 0] for i in range(70)})], axis=1)
    write_docx({"matrix": wide}, tmp_path / "m.docx")
    document = docx.Document(str(tmp_path / "m.docx"))
    headings = [p.text for p in document.paragraphs]
    assert headings == ["Matrix (columns 1-62 of 70)", "Matrix (columns 63-70 of 70)"]
    first, second = document.tables
    assert len(first.columns) == 63 and len(second.columns) == 9
    assert [c.text for c in second.rows[0].cells][:2] == ["Code", "s62"]
    assert second.rows[2].cells[0].text == "B"
    assert document.sections[0].page_width > document.sections[0].page_height  # landscape


def test_grouped_bar_chart_names_groups_and_codes(study: Path, coded: Project, tmp_path: Path):
    target = tmp_path / "f.svg"
    run("report", study, "frequencies", "--by", "cohort", "-o", target)
    svg = target.read_text(encoding="utf-8")
    for label in ("2019 (N=2)", "2020 (N=1)", "(none) (N=1)", "% of sources"):
        assert label in svg
    for code in ("Awareness", "Barriers", "Time", "Money", "1 of 2 (50%)"):
        assert f"<!-- {code} -->" in svg
    crosstab = coded.reports.chart("crosstab", tmp_path / "c.svg").read_text(encoding="utf-8")
    for label in ("expert_panel (N=2)", "interview (N=9)", "Confidentiality and hierarchy"):
        assert label in crosstab
    assert "Awareness and publicity" in crosstab  # uncut: a parent in bold, a child below


def test_a_chart_of_too_many_groups_is_refused(coded: Project, tmp_path: Path):
    out = tmp_path / "x.png"
    result = run("report", coded.context.path, "frequencies", "--by", "source", "-o", out, ok=False)
    assert result.exit_code == 1
    assert "at most 10 groups" in result.output and "has 11" in result.output
    assert not out.exists()


def test_the_heat_map_labels_its_scale(study: Path, tmp_path: Path):
    run("report", study, "cooccurrence", "-o", tmp_path / "j.svg")
    jaccard = (tmp_path / "j.svg").read_text(encoding="utf-8")
    assert "Jaccard index (0-1): characters coded with both codes / with either" in jaccard
    assert "Code co-occurrence by overlapping passages" in jaccard
    run(
        "report",
        study,
        "cooccurrence",
        "--value",
        "count",
        "--unit",
        "turn",
        "-o",
        tmp_path / "c.svg",
    )
    count = (tmp_path / "c.svg").read_text(encoding="utf-8")
    assert "count of turns holding both codes" in count and "within a turn" in count


def test_the_first_versions_still_write_every_column(study: Path, tmp_path: Path):
    from qualcode.analysis.exports import EXPORTERS, SUFFIXES

    assert SUFFIXES[".xlsx"] == "xlsx.v2" and SUFFIXES[".md"] == "markdown.v2"
    with Project.open(study) as p:
        tables = {"frequencies": p.reports.frequencies()}
    EXPORTERS["markdown.v1"](tables, tmp_path / "v1.md")
    EXPORTERS["xlsx.v1"](tables, tmp_path / "v1.xlsx")
    assert (
        (tmp_path / "v1.md").read_text(encoding="utf-8").startswith("| code_id | code | parent |")
    )
    back = pd.read_excel(tmp_path / "v1.xlsx")
    assert back["sources_text"].tolist()[0] == "3 of 4 (75%)" and "code_id" in back
