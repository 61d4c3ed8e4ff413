"""Every Python block of the README runs, as written, against the example study.

The blocks name ``study.qcdb`` (the study, coded by anna and ben), ``anna.qcdb`` and
``ben.qdpx`` (each coder's own work); they are built in a temporary folder from the example
study, and each block runs there in a fresh namespace, in README order.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from qualcode.project import Project

README = Path(__file__).resolve().parent.parent / "README.md"
BLOCKS = re.findall(r"^```python\n(.*?)^```", README.read_text(encoding="utf-8"), re.M | re.S)


def _code(path: Path, coder: str, picks: tuple[int, ...]) -> None:
    with Project.open(path) as p:
        for i in picks:
            a, b = p.sources.sentences("interview_01")[i]
            p.coding.apply("interview_01", a, b, "Awareness", coder=coder)
            a, b = p.sources.sentences("panel_01")[i]
            p.coding.apply("panel_01", a, b, "Time constraints", coder=coder)


@pytest.fixture(scope="module")
def folder(demo_file: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    here = tmp_path_factory.mktemp("readme")
    for name, coder, picks in (("anna", "anna", (1, 2, 3)), ("ben", "ben", (2, 3, 5))):
        shutil.copy(demo_file, here / f"{name}.qcdb")
        _code(here / f"{name}.qcdb", coder, picks)
    with Project.open(here / "ben.qcdb") as p:
        p.exchange.export_qdpx(here / "ben.qdpx")
    shutil.copy(demo_file, here / "study.qcdb")
    _code(here / "study.qcdb", "anna", (1, 2, 3))
    _code(here / "study.qcdb", "ben", (2, 3, 5))
    with Project.open(here / "study.qcdb") as p:
        p.context.set_coder("anna")
    return here


def test_the_readme_has_python_blocks():
    assert len(BLOCKS) >= 3


@pytest.mark.parametrize("number", range(len(BLOCKS)))
def test_a_readme_python_block_runs(folder: Path, number: int, monkeypatch, capsys):
    monkeypatch.chdir(folder)
    exec(compile(BLOCKS[number], f"README.md python block {number + 1}", "exec"), {})
    assert capsys.readouterr().out  # each block shows something
