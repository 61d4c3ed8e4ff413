"""Promises about the project itself: the README's commands, the UI-free core, the wheel."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CORE_MODULES = [
    "qualcode.model",
    "qualcode.errors",
    "qualcode.files",
    "qualcode.outputs",
    "qualcode.codebook",
    "qualcode.store",
    "qualcode.nlp",
    "qualcode.analysis",
    "qualcode.interop",
    "qualcode.ingest",
    "qualcode.project",
    "qualcode.examples",
    "qualcode.segments",
]


def readme_commands() -> list[str]:
    lines = (ROOT / "README.md").read_text(encoding="utf-8").splitlines()
    block = lines[lines.index("```bash") + 1 :]
    return block[: block.index("```")]


def test_readme_opens_with_the_demo_and_the_test_command():
    demo, tests = readme_commands()[:2]
    assert demo.endswith("qualcode demo")
    assert tests.endswith("pytest")
    assert (ROOT / "README.md").read_text(encoding="utf-8").index("```bash") < 400


def test_ci_runs_exactly_the_readme_test_command():
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8").strip().splitlines()
    assert ci[-1] == readme_commands()[1]


@pytest.mark.parametrize("module", CORE_MODULES)
def test_core_modules_do_not_load_the_ui(module: str):
    code = (
        f"import sys, {module}; bad = [m for m in ('textual', 'typer') if m in sys.modules]; "
        "print(','.join(bad))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT
    )
    assert out.stdout.strip() == ""


def test_the_command_line_does_not_load_heavy_libraries():
    code = (
        "import sys; from qualcode.cli import app; "
        "print(','.join(m for m in ('pandas', 'docx', 'pypdf', 'spacy', 'sklearn') "
        "if m in sys.modules))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT
    )
    assert out.stdout.strip() == ""


def test_python_dash_m_runs_the_cli():
    out = subprocess.run(
        [sys.executable, "-m", "qualcode", "--help"], capture_output=True, text=True, cwd=ROOT
    )
    assert out.returncode == 0
    assert "demo" in out.stdout


def test_the_wheel_carries_the_example_study(tmp_path: Path):
    pytest.importorskip("hatchling")
    subprocess.run(
        [sys.executable, "-m", "hatchling", "build", "-t", "wheel", "-d", str(tmp_path / "dist")],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    [wheel] = (tmp_path / "dist").glob("*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert "qualcode/_examples/codebooks/mentoring.yaml" in names
    assert "qualcode/_examples/transcripts_example/study.yaml" in names
    assert "qualcode/analysis/templates/study.html.j2" in names  # the study report's page
    for coder in ("anna", "ben"):  # the coded demo's codings travel with the study
        assert f"qualcode/_examples/transcripts_example/codings/{coder}.qdpx" in names
    # Installed from the wheel alone (no repository beside it), the demo finds its study.
    target = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(target)
    env = {**os.environ, "PYTHONPATH": str(target)}
    out = subprocess.run(
        [
            sys.executable,
            "-c",
            "from qualcode.examples import examples_root; print(examples_root())",
        ],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        check=True,
    )
    assert Path(out.stdout.strip()) == target / "qualcode" / "_examples"
