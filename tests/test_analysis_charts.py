"""Charts for a paper (PNG, SVG) of the coded demo: the hierarchy shows and labels fit."""

from __future__ import annotations

import struct
from pathlib import Path

import pytest

from qualcode.analysis.charts import _is_parent, _names, bar_chart
from qualcode.project import Project


@pytest.fixture(scope="module")
def coded(coded_demo_file: Path):
    with Project.open(coded_demo_file) as p:
        yield p


def png_size(path: Path) -> tuple[int, int]:
    width, height = struct.unpack(">II", path.read_bytes()[16:24])
    return width, height


def test_parents_are_set_apart_and_codes_go_by_their_own_names(coded: Project, tmp_path: Path):
    freq = coded.reports.frequencies()
    parents = _is_parent(freq)
    assert [c for c, p in zip(freq["code"], parents, strict=True) if p] == [
        "Awareness and publicity",
        "Participation",
        "Mentoring relationship",
        "Counselling needs",
        "Programme organisation",
    ]
    assert _names(["A/Time", "B/Time", "B/Money"]) == ["A/Time", "B/Time", "Money"]
    svg = coded.reports.chart("frequencies", tmp_path / "f.svg").read_text(encoding="utf-8")
    assert "Information channels" in svg and "publicity/Information" not in svg
    assert "DejaVuSans-Bold" in svg  # the parents' names (glyphs drawn as paths)
    flat = coded.reports.chart("frequencies", tmp_path / "flat.svg", code="Awareness")
    assert "DejaVuSans-Bold" not in flat.read_text(encoding="utf-8")  # no parent, no bold


def test_the_figure_widens_for_long_labels(coded: Project, tmp_path: Path):
    freq = coded.reports.frequencies()
    short = bar_chart(freq, tmp_path / "short.png")
    longer = freq.assign(code=freq["code"].str.replace("Awareness", "Awareness " + "x" * 60))
    wide = bar_chart(longer, tmp_path / "wide.png")
    assert png_size(wide)[0] > png_size(short)[0] >= 8 * 200
