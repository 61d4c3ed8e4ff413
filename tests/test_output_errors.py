"""Every file a command reads or writes fails in one line naming it, and a failed command
changes nothing: damaged archives, outputs into a missing folder or onto a folder, and a
project whose schema version is damaged."""

from __future__ import annotations

import os
import sqlite3
import stat
import zipfile
from pathlib import Path

import pytest
from typer.testing import CliRunner

from qualcode.cli import app
from qualcode.errors import ExchangeError
from qualcode.project import Project
from qualcode.store.schema import SCHEMA_VERSION
from tests.conftest import dump, run_qualcode, span

runner = CliRunner()


def one_line_error(*args: object) -> str:
    result = runner.invoke(app, [str(a) for a in args])
    assert result.exit_code == 1, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("qualcode: error: "), result.stderr
    return lines[0]


@pytest.fixture
def coded(project: Project, project_path: Path) -> Path:
    """A project whose coding has no REFI guids yet (an export gives them), two coders."""
    text = project.sources.get("int1").text
    project.coding.apply(
        "int1", *span(text, "never heard of it"), "Awareness", coder="anna", new=True
    )
    project.coding.apply("int1", *span(text, "never heard"), "Awareness", coder="ben", new=True)
    project.close()
    return project_path


def _damaged(tmp_path: Path, coded: Path) -> Path:
    """A .qdpx whose compressed project.qde has bytes flipped in the middle of its stream."""
    good = tmp_path / "good.qdpx"
    with Project.open(coded) as p:
        p.exchange.export_qdpx(good)
    with zipfile.ZipFile(good) as zf:
        info = zf.getinfo("project.qde")
    data = bytearray(good.read_bytes())
    start = info.header_offset + 30 + len(info.filename) + len(info.extra)
    for i in range(start + info.compress_size // 3, start + info.compress_size // 3 + 40):
        data[i] ^= 0x55
    bad = tmp_path / "damaged.qdpx"
    bad.write_bytes(bytes(data))
    return bad


def test_a_damaged_qdpx_is_one_line_on_import_and_merge(tmp_path: Path, coded: Path):
    bad = _damaged(tmp_path, coded)
    before = dump(coded)
    line = one_line_error("import", coded, bad)
    assert str(bad) in line and "damaged archive" in line
    assert dump(coded) == before
    merged = tmp_path / "merged.qcdb"
    line = one_line_error("merge", merged, bad)
    assert str(bad) in line and "damaged archive" in line
    assert not merged.exists()


OUTPUTS = pytest.mark.parametrize(
    "args",
    [
        ("export", "{p}", "{out}.qdpx"),
        ("export", "{p}", "{out}.qdc"),
        ("codebook", "{p}", "--export", "{out}.yaml"),
        ("report", "{p}", "frequencies", "-o", "{out}.csv"),
        ("report", "{p}", "all", "-o", "{out}.xlsx"),
        ("report", "{p}", "frequencies", "-o", "{out}.png"),
        ("agreement", "{p}", "--coders", "anna", "ben", "-o", "{out}.csv"),
        ("disagreements", "{p}", "--coders", "anna", "ben", "-o", "{out}.json"),
        ("init", "{out}.qcdb"),
        ("merge", "{out}.qcdb", "{p}"),
        ("demo", "--project", "{out}.qcdb", "--no-tui"),
    ],
)


@OUTPUTS
@pytest.mark.parametrize("where", ["missing folder", "onto a folder"])
def test_outputs_that_cannot_be_written_are_one_line(
    tmp_path: Path, coded: Path, args: tuple[str, ...], where: str
):
    if where == "missing folder":
        out = tmp_path / "no such folder" / "out"
        expected = "there is no folder"
    else:
        out = tmp_path / "out"
        suffix = next(a for a in args if a.startswith("{out}"))[len("{out}") :]
        (tmp_path / f"out{suffix}").mkdir()
        expected = "is a folder"
    before = dump(coded)
    files = sorted(tmp_path.rglob("*"))
    line = one_line_error(*[a.format(p=coded, out=out) for a in args])
    assert str(out) in line and expected in line, line
    assert dump(coded) == before
    assert sorted(tmp_path.rglob("*")) == files


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no named pipes here")
@OUTPUTS
def test_an_output_onto_a_named_pipe_is_refused_before_anything_is_written(
    tmp_path: Path, coded: Path, args: tuple[str, ...]
):
    out = tmp_path / "out"
    suffix = next(a for a in args if a.startswith("{out}"))[len("{out}") :]
    pipe = tmp_path / f"out{suffix}"
    os.mkfifo(pipe)
    before = dump(coded)
    # A process of its own: a writer blocked on the pipe is killed by the timeout.
    result = run_qualcode(*[a.format(p=coded, out=out) for a in args], ok=False, timeout=90)
    assert result.returncode == 1, result.stdout
    assert result.stderr == (
        f"qualcode: error: {pipe}: is a named pipe (FIFO), not a regular file: not written; "
        "give the name of a file\n"
    )
    assert dump(coded) == before
    assert stat.S_ISFIFO(pipe.stat().st_mode)


def test_a_failed_export_gives_no_guids(tmp_path: Path, coded: Path):
    before = dump(coded)
    # The export's temporary file (named for this process) cannot be made: a folder has
    # its name, so writing fails after the guids were handed out.
    (tmp_path / f"out.qdpx.{os.getpid()}.part").mkdir()
    line = one_line_error("export", coded, tmp_path / "out.qdpx")
    assert "cannot write" in line
    assert dump(coded) == before
    assert not (tmp_path / "out.qdpx").exists()


def test_an_export_that_works_keeps_its_guids(tmp_path: Path, coded: Path):
    runner.invoke(app, ["export", str(coded), str(tmp_path / "out.qdpx")])
    conn = sqlite3.connect(coded)
    assert conn.execute("SELECT COUNT(*) FROM codings WHERE guid IS NULL").fetchone() == (0,)
    conn.close()


def test_a_schema_version_that_is_not_a_number_is_one_line(coded: Path):
    conn = sqlite3.connect(coded)
    conn.execute("UPDATE meta SET value = 'three' WHERE key = 'schema_version'")
    conn.commit()
    conn.close()
    line = one_line_error("sources", coded)
    assert line == (
        f"qualcode: error: {coded}: is damaged: its schema_version is 'three', not a number"
    )


@pytest.mark.parametrize("version", ["-1", "0"])
def test_an_unknown_schema_version_is_one_line(coded: Path, version: str):
    conn = sqlite3.connect(coded)
    conn.execute("UPDATE meta SET value = ? WHERE key = 'schema_version'", (version,))
    conn.commit()
    conn.close()
    line = one_line_error("sources", coded)
    assert line == (
        f"qualcode: error: {coded}: is damaged: unknown schema version {version} "
        f"(qualcode's are 1 to {SCHEMA_VERSION})"
    )


@pytest.mark.parametrize("command", [("codebook",), ("suggest", "int1")])
@pytest.mark.parametrize("column", ["keywords", "examples"])
def test_a_code_whose_keywords_are_not_json_is_one_line_naming_it(
    coded: Path, command: tuple[str, ...], column: str
):
    conn = sqlite3.connect(coded)
    conn.execute(f"UPDATE codes SET {column} = '[\"never' WHERE name = 'Awareness'")
    conn.commit()
    conn.close()
    line = one_line_error(command[0], coded, *command[1:])
    assert line.startswith(
        f"qualcode: error: {coded}: is damaged: the {column} of code 'Awareness' (id 1) are "
        "'[\"never', not a JSON list of texts"
    ), line


def test_the_python_api_raises_the_exchange_error(tmp_path: Path, coded: Path):
    with Project.open(coded) as p, pytest.raises(ExchangeError, match="there is no folder"):
        p.exchange.export_qdpx(tmp_path / "missing" / "x.qdpx")
