"""The study report as one web page (and, with WeasyPrint installed, as a PDF of it).

The page is rendered from the template ``templates/study.html.j2`` with Jinja2, autoescape
on: quotes hold ``<``, ``&`` and the researcher's ``[brackets]``, and are shown as they are.
Only the charts, SVG that matplotlib drew, go in unescaped. The page loads nothing: its style
is inline, its charts are inline SVG, and it has no script.

A PDF is the same page typeset by WeasyPrint, an optional extra (``pip install
'qualcode[pdf]'``): it is large and needs system libraries, so qualcode never requires it.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

from qualcode.analysis.study_report import StudyReport

TEMPLATE = "study.html.j2"
PDF_EXTRA = "pip install 'qualcode[pdf]'"


def render_html(report: StudyReport) -> str:
    """The report as the text of one self-contained HTML page."""
    from jinja2 import Environment, FileSystemLoader, StrictUndefined  # deferred: reports only

    env = Environment(
        loader=FileSystemLoader(Path(__file__).parent / "templates"),
        autoescape=True,
        undefined=StrictUndefined,  # a misspelt field fails the tests, not the reader
        keep_trailing_newline=True,
    )
    return env.get_template(TEMPLATE).render(r=report)


def write_html(report: StudyReport, path: Path) -> Path:
    path.write_text(render_html(report), encoding="utf-8")
    return path


def pdf_available() -> bool:
    """Whether WeasyPrint, which typesets the PDF, is installed."""
    return importlib.util.find_spec("weasyprint") is not None


def write_pdf(report: StudyReport, path: Path) -> Path:
    """The page typeset as a PDF by WeasyPrint (see the module docstring)."""
    import weasyprint  # deferred: an optional extra

    weasyprint.HTML(string=render_html(report)).write_pdf(path)
    return path
