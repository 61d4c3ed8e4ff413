"""The ``agreement`` table never cuts a code's path: whole into a pipe, wrapped at a space
or a '/' in a terminal too narrow for it (run in a pseudo-terminal of a known width)."""

from __future__ import annotations

import os
import pty
import subprocess
import sys
from pathlib import Path

import pytest

from qualcode.cli.render import Format, render
from tests.conftest import run_qualcode

PATH = "Awareness and publicity/Information channels"


def in_terminal(args: list[str], columns: int) -> str:
    """What ``qualcode ARGS`` prints in a terminal ``columns`` wide."""
    main, child = pty.openpty()
    env = {**os.environ, "COLUMNS": str(columns), "LINES": "24"}
    with subprocess.Popen(
        [sys.executable, "-m", "qualcode", *args], stdout=child, stderr=child, env=env
    ) as process:
        os.close(child)
        out = b""
        while True:
            try:
                chunk = os.read(main, 4096)
            except OSError:  # the terminal is closed: the command has ended
                break
            if not chunk:
                break
            out += chunk
        assert process.wait(timeout=120) == 0, out
    os.close(main)
    return out.decode().replace("\r\n", "\n")


def test_agreement_into_a_pipe_shows_whole_paths(coded_demo_file: Path):
    out = run_qualcode("agreement", coded_demo_file, "--coders", "anna", "ben").stdout
    assert any(line.startswith(PATH + " ") for line in out.splitlines())
    assert "…" not in out


@pytest.mark.skipif(sys.platform == "win32", reason="a pseudo-terminal is POSIX")
def test_agreement_in_a_narrow_terminal_wraps_paths_to_fit(coded_demo_file: Path):
    out = in_terminal(["agreement", str(coded_demo_file), "--coders", "anna", "ben"], 80)
    table = out.splitlines()[2:]  # below the two lines saying what is compared
    assert all(len(line) <= 80 for line in table), max(table, key=len)
    assert "…" not in out
    width = len(table[1].split()[0])  # the code column, as its rule under the header
    assert [name for name, _ in wrapped_rows(table[2:], width)][:2] == [
        "Awareness and publicity/Awareness",
        PATH,
    ]


def wrapped_rows(lines: list[str], width: int) -> list[tuple[str, str]]:
    """The (code, rest) of each row of a table whose code column (``width`` wide) wraps:
    a row goes on over the lines with nothing beside the code."""
    rows: list[tuple[str, str]] = []
    for line in lines:
        code, rest = line[:width].strip(), line[width:].strip()
        if rest or not rows:
            rows.append((code, rest))
        else:
            before = rows[-1][0]
            rows[-1] = (before + ("" if before.endswith("/") else " ") + code, rows[-1][1])
    return rows


def test_a_wrapped_column_breaks_after_a_space_or_a_slash():
    rows = [{"code": PATH, "units": 2666, "kappa": 0.9177}]
    lines = render(rows, Format.table, width=32).splitlines()
    assert [ln[:16].rstrip() for ln in lines[2:]] == [
        "Awareness and",
        "publicity/",
        "Information",
        "channels",
    ]
    assert all(len(ln) <= 32 for ln in lines)
    assert render(rows, Format.table).splitlines()[2].startswith(PATH)  # no width: whole
