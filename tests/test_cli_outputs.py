"""Every file the command line writes: a supported suffix writes, any other is refused in
one line before any work, with no traceback and no file left behind."""

from __future__ import annotations

from pathlib import Path

import pytest

from qualcode.project import Project
from tests.test_cli import run


@pytest.fixture
def coded(demo_project: Project) -> Path:
    """The example study with a few codings by two coders of their own."""
    for coder, picks in (("ann", (1, 2, 3)), ("ben", (2, 3, 4))):
        for i in picks:
            a, b = demo_project.sources.sentences("interview_01")[i]
            demo_project.coding.apply("interview_01", a, b, "Awareness", coder=coder)
    assert demo_project.context.path is not None
    return demo_project.context.path


COMMANDS = [
    ("report", "{p}", "frequencies", "-o", "{out}"),
    ("report", "{p}", "all", "-o", "{out}"),
    ("report", "{p}", "quotes", "-o", "{out}"),
    ("agreement", "{p}", "--coders", "ann", "ben", "-o", "{out}"),
    ("disagreements", "{p}", "--coders", "ann", "ben", "-o", "{out}"),
    ("codebook", "{p}", "--export", "{out}"),
    ("export", "{p}", "{out}"),
]


def _args(command: tuple[str, ...], project: Path, out: Path) -> list[str]:
    return [a.format(p=project, out=out) for a in command]


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: " ".join(c[:3]))
@pytest.mark.parametrize("name", ["out.txt", "out", "out.pptx"])
def test_an_unsupported_output_is_refused_in_one_line(coded: Path, tmp_path: Path, command, name):
    out = tmp_path / name
    result = run(*_args(command, coded, out), ok=False)
    assert result.exit_code == 1
    assert result.exception is None or isinstance(result.exception, SystemExit)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("qualcode: error: ")
    assert "Traceback" not in result.output
    assert not out.exists()


@pytest.mark.parametrize(
    "command,name",
    [
        (COMMANDS[0], "f.xlsx"),
        (COMMANDS[0], "f.svg"),
        (COMMANDS[2], "q.md"),
        (COMMANDS[1], "t.docx"),
        (COMMANDS[3], "a.csv"),
        (COMMANDS[3], "a.json"),
        (COMMANDS[4], "d.csv"),
        (COMMANDS[5], "c.yaml"),
        (COMMANDS[6], "s.qdpx"),
    ],
    ids=lambda v: v if isinstance(v, str) else v[0],
)
def test_a_supported_output_is_written(coded: Path, tmp_path: Path, command, name: str):
    out = tmp_path / name
    run(*_args(command, coded, out))
    assert out.stat().st_size > 0
