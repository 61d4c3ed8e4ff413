"""``qualcode report P study``: one file a co-author opens, holding the CLI's own figures.

The coded demo's report is written once as HTML and once as Word, and read back as a reader
would see it (the page through the standard library's HTML parser, the document through
python-docx); every "n of N (%)", definition, quote and kappa the other commands print must
be in it, and the page must load nothing from anywhere.
"""

from __future__ import annotations

import importlib.util
import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from typer.testing import CliRunner

from qualcode.cli import app
from qualcode.project import ImportOptions, Project
from qualcode.tui.app import QualcodeApp
from tests.conftest import copy_project, span, wait_for, wait_for_toast

runner = CliRunner()
HAS_WEASYPRINT = importlib.util.find_spec("weasyprint") is not None


def run(*args: object, ok: bool = True):
    result = runner.invoke(app, [str(a) for a in args])
    if ok:
        assert result.exit_code == 0, result.output + str(result.exception)
    return result


def cli_json(*args: object) -> list[dict[str, object]]:
    """The rows of a listing's JSON object (it says whose codings it counts beside them)."""
    return json.loads(run(*args, "--format", "json").stdout)["rows"]


class Page(HTMLParser):
    """The text a reader sees, and every tag with its attributes."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.counted = ""
        self._in_counted = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        self._in_counted = tag == "p" and dict(attrs).get("class") == "counted"

    def handle_data(self, data: str) -> None:
        self.parts.append(data)
        if self._in_counted:
            self.counted += data

    def handle_endtag(self, tag: str) -> None:
        self._in_counted = False

    @property
    def text(self) -> str:
        return "".join(self.parts)


def read_html(path: Path) -> Page:
    page = Page()
    page.feed(path.read_text(encoding="utf-8"))
    page.close()
    return page


def read_docx(path: Path) -> str:
    """Every paragraph and table cell of a Word document, one per line."""
    from docx import Document

    doc = Document(str(path))
    lines = [p.text for p in doc.paragraphs]
    for table in doc.tables:
        lines.extend(cell.text for row in table.rows for cell in row.cells)
    return "\n".join(lines)


@pytest.fixture(scope="module")
def demo(coded_demo_file: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return copy_project(coded_demo_file, tmp_path_factory.mktemp("study"))


@pytest.fixture(scope="module")
def written(demo: Path) -> dict[str, str]:
    """The demo's study report as HTML and as Word, as a reader reads each."""
    out = run("report", demo, "study", "-o", demo.with_name("study.html")).output
    assert out.strip() == f"Study report written to {demo.with_name('study.html')}."
    run("report", demo, "study", "-o", demo.with_name("study.docx"))
    return {
        "html": read_html(demo.with_name("study.html")).text,
        "docx": read_docx(demo.with_name("study.docx")),
    }


@pytest.mark.parametrize("kind", ["html", "docx"])
def test_the_report_holds_the_figures_the_cli_prints(demo: Path, written, kind: str):
    text = written[kind]
    overall = {r["sources_text"] for r in cli_json("report", demo, "frequencies")}
    by_kind = {r["sources_text"] for r in cli_json("report", demo, "frequencies", "--by", "kind")}
    assert "9 of 11 (82%)" in overall and "1 of 2 (50%)" in by_kind
    missing = sorted(s for s in overall | by_kind if s not in text)
    assert not missing
    # The agreement of anna and ben, as `agreement --coders anna ben` prints it.
    [total] = [
        r for r in cli_json("agreement", demo, "--coders", "anna", "ben") if r["code"] == "overall"
    ]
    assert f"Cohen's kappa {total['kappa']:g}" in text
    assert f"Krippendorff's alpha {total['alpha']:g}" in text
    with Project.open(demo) as p:
        book = p.codebook.book()
        quotes = p.reports.quotes()
    for code in book:
        assert code.definition and code.definition in text
        assert not code.inclusion or code.inclusion in text
        assert not code.exclusion or code.exclusion in text
    # Two or three quotes per code, each with its place, as `report quotes` has them.
    for code, rows in quotes.groupby("code", sort=False):
        shown = [r for r in rows.itertuples() if r.text in text and r.reference in text]
        assert len({(r.source, r.start) for r in shown}) >= min(2, len(rows)), code


def test_the_page_loads_nothing_and_draws_its_charts_inline(demo: Path, written):
    page = read_html(demo.with_name("study.html"))
    assert "anna" in page.counted and "ben" in page.counted  # whose codings it counts
    names = [tag for tag, _ in page.tags]
    assert names.count("svg") == 2  # frequencies and co-occurrence, inline
    assert "script" not in names and "img" not in names and "link" not in names
    for tag, attrs in page.tags:
        for key in ("src", "href", "xlink:href", "data", "action", "srcset"):
            value = (attrs.get(key) or "").strip().lower()
            assert not value.startswith(("http:", "https:", "//", "file:")), (tag, key, value)
            if tag in ("a", "use") and value:
                assert value.startswith("#"), (tag, value)  # within the page
            if tag == "image" and value:
                assert value.startswith("data:image/png;base64,")  # the heat map's cells
    raw = demo.with_name("study.html").read_text(encoding="utf-8")
    for loader in ("@import", "url(http", "url(//", "@font-face"):
        assert loader not in raw
    # No web address at all, but the names of the SVG namespaces (which load nothing).
    bare = re.sub(r'xmlns(:\w+)?="[^"]*"', "", raw)
    assert "http:" not in bare and "https:" not in bare


def test_the_docx_carries_its_charts_as_pictures(demo: Path, written):
    from docx import Document

    doc = Document(str(demo.with_name("study.docx")))
    assert len(doc.inline_shapes) == 2
    assert "COREQ" in written["docx"] and "Number of data coders" in written["docx"]


DEFINED = "What is said of [hospital name] & its <units>, as the researcher wrote it."
QUOTED = (
    "I think in general [management is] very positive about it, it's <better> than before "
    "& cheaper. I worked at [hospital name] for ten years."
)


@pytest.fixture
def bracketed(project: Project, tmp_path: Path) -> Project:
    """The small study with a quote holding <, & and the researcher's [brackets]."""
    file = tmp_path / "int2.txt"
    file.write_text(f"INTERVIEWER: And management?\nSTUDENT: {QUOTED}\n", encoding="utf-8")
    project.sources.import_files([file], ImportOptions(kind="interview"))
    text = project.sources.get("int2").text
    project.codebook.add_code("Attitudes", definition=DEFINED)
    project.coding.apply("int2", *span(text, QUOTED), "Attitudes")
    return project


def test_quotes_are_escaped_and_kept(bracketed: Project, tmp_path: Path):
    # The quote as Project.quotes shows it (its display rules decide what a quote keeps).
    [said] = [t for t in bracketed.reports.quotes()["text"] if "for ten years" in t]
    assert "<better>" in said and "& cheaper" in said
    assert "[management is]" in said and "[hospital name]" in said  # the researcher's words
    html = bracketed.reports.study_report(tmp_path / "study.html")
    raw = html.read_text(encoding="utf-8")
    assert "&lt;better&gt; than before &amp; cheaper" in raw and "<better>" not in raw
    assert "What is said of [hospital name] &amp; its &lt;units&gt;" in raw
    page = read_html(html)
    assert said in page.text and DEFINED in page.text
    assert "anna" in page.counted  # the one coder
    assert "one coder (anna)" in page.text  # no agreement to report with one coder
    word = read_docx(bracketed.reports.study_report(tmp_path / "study.docx"))
    assert said in word and DEFINED in word


def test_the_coder_filter_goes_to_every_table(demo: Path, tmp_path: Path):
    target = tmp_path / "anna.html"
    run("report", demo, "study", "-o", target, "--coder", "anna")
    page = read_html(target)
    for row in cli_json("report", demo, "frequencies", "--coder", "anna"):
        assert str(row["sources_text"]) in page.text
    assert "anna" in page.counted and "ben" not in page.counted


@pytest.mark.skipif(HAS_WEASYPRINT, reason="WeasyPrint is installed: a PDF can be written")
def test_a_pdf_without_weasyprint_is_refused_in_one_line(demo: Path, tmp_path: Path):
    result = run("report", demo, "study", "-o", tmp_path / "study.pdf", ok=False)
    assert result.exit_code == 1
    [line] = result.output.strip().splitlines()
    assert "WeasyPrint" in line and "pip install 'qualcode[pdf]'" in line
    assert list(tmp_path.iterdir()) == []


def test_other_suffixes_and_no_output_are_refused(demo: Path, tmp_path: Path):
    result = run("report", demo, "study", "-o", tmp_path / "study.txt", ok=False)
    assert result.exit_code == 1
    [line] = result.output.strip().splitlines()
    assert ".html" in line and ".docx" in line and ".pdf" in line and "study.txt" in line
    result = run("report", demo, "study", ok=False)
    assert result.exit_code == 1 and "-o study.html" in result.output
    assert list(tmp_path.iterdir()) == []


@pytest.mark.skipif(not HAS_WEASYPRINT, reason="WeasyPrint (qualcode[pdf]) is not installed")
def test_a_pdf_is_the_page_typeset(bracketed: Project, tmp_path: Path):
    pdf = bracketed.reports.study_report(tmp_path / "study.pdf")
    assert pdf.read_bytes().startswith(b"%PDF")


async def test_the_reports_screen_writes_the_study_report(bracketed: Project, tmp_path: Path):
    from textual.widgets import Input

    from tests.test_tui_reports import SIZE, reports_screen

    target = tmp_path / "shared" / "report.html"
    target.parent.mkdir()
    app = QualcodeApp(bracketed)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        screen = await reports_screen(pilot)
        await pilot.press("w")
        await wait_for(pilot, lambda: app.screen is not screen, "the prompt")
        prompt = app.screen.query_one(Input)
        assert prompt.value.endswith("study-study.html")  # beside the project by default
        prompt.value = str(tmp_path / "report.txt")
        await pilot.press("enter")
        await wait_for_toast(pilot, "report.txt", "error")  # refused at once
        await pilot.press("w")
        await wait_for(pilot, lambda: app.screen is not screen, "the prompt")
        app.screen.query_one(Input).value = str(target)
        await pilot.press("enter")
        await app.workers.wait_for_complete()
        await wait_for_toast(pilot, f"Wrote the study report to {target}.")
    assert DEFINED in read_html(target).text
    assert not (tmp_path / "report.txt").exists()
