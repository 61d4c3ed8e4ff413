"""Only regular files are read, within a size limit: FIFOs, devices and links to them are
refused in one line instead of hanging or eating memory, and a followed link is reported."""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from qualcode.cli import app
from qualcode.errors import QualcodeError
from qualcode.files import parse_size
from qualcode.project import Project
from tests.conftest import INTERVIEW, dump
from tests.refi_helpers import SOURCE, make_qdpx, simple_qde

needs_fifo = pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no named pipes here")


def finishes(action: Callable[[], Any], fifo: Path | None = None, seconds: float = 20) -> Any:
    """Run ``action`` in a thread and return what it raised; fail if it is still blocked.

    A blocked open of a FIFO is released by opening the FIFO for writing, so a failing test
    does not leave a thread behind.
    """
    outcome: list[Any] = []

    def run() -> None:
        try:
            outcome.append(action())
        except BaseException as exc:  # the error is what the test looks at
            outcome.append(exc)

    worker = threading.Thread(target=run, daemon=True)
    worker.start()
    worker.join(seconds)
    if worker.is_alive():
        if fifo is not None:
            os.close(os.open(fifo, os.O_WRONLY | os.O_NONBLOCK))
        worker.join(5)
        pytest.fail(f"still reading after {seconds} s: it hangs")
    return outcome[0]


@needs_fifo
@pytest.mark.parametrize("name", ["t.txt", "codes.yaml", "codes.csv", "team.qdpx", "t.docx"])
def test_a_fifo_is_refused_at_once_and_the_project_is_unchanged(tmp_path: Path, name: str):
    project = tmp_path / "p.qcdb"
    Project.create(project).close()
    before = dump(project)
    fifo = tmp_path / name
    os.mkfifo(fifo)

    def run_import() -> Any:
        return CliRunner().invoke(app, ["import", str(project), str(fifo)])

    result = finishes(run_import, fifo)
    assert result.exit_code == 1
    assert result.output == (
        f"qualcode: error: {fifo}: is a named pipe (FIFO), not a regular file: not read\n"
    )
    assert dump(project) == before


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="no /dev/zero here")
def test_a_link_to_a_device_is_refused(tmp_path: Path):
    link = tmp_path / "endless.txt"
    link.symlink_to("/dev/zero")
    with Project.create(tmp_path / "p.qcdb") as p:
        error = finishes(lambda: p.sources.import_files([link]))
    assert isinstance(error, QualcodeError)
    assert str(error) == (
        f"{link}: is a device (a symbolic link to /dev/zero), not a regular file: not read"
    )


def test_a_link_to_a_regular_file_is_followed_and_reported(tmp_path: Path):
    target = tmp_path / "elsewhere" / "original.txt"
    target.parent.mkdir()
    target.write_text(INTERVIEW, encoding="utf-8")
    link = tmp_path / "int1.txt"
    link.symlink_to(target)
    result = CliRunner().invoke(app, ["init", str(tmp_path / "p.qcdb")])
    result = CliRunner().invoke(app, ["import", str(tmp_path / "p.qcdb"), str(link)])
    assert result.exit_code == 0, result.output
    assert f"Note: {link}: is a symbolic link; the file it points to was read: {target}" in (
        result.output
    )


def test_a_directory_named_like_a_transcript_is_refused(tmp_path: Path):
    folder = tmp_path / "folder.txt"
    folder.mkdir()
    with Project.create(tmp_path / "p.qcdb") as p, pytest.raises(QualcodeError) as info:
        p.sources.import_files([folder])
    assert str(info.value) == f"{folder}: is a directory, not a regular file: not read"


def test_a_transcript_over_50_mb_is_refused_unless_the_limit_is_raised(tmp_path: Path):
    big = tmp_path / "big.txt"
    with big.open("wb") as fh:  # sparse: the size is checked before anything is read
        fh.truncate(50 * 1000 * 1000 + 1)
    project = tmp_path / "p.qcdb"
    CliRunner().invoke(app, ["init", str(project)])
    before = dump(project)
    result = CliRunner().invoke(app, ["import", str(project), str(big)])
    assert result.exit_code == 1
    assert result.output == (
        f"qualcode: error: {big}: is 50,000,001 bytes, more than the limit of 50,000,000 bytes "
        "per transcript; "
        "--max-size raises the limit\n"
    )
    assert dump(project) == before
    small = tmp_path / "int1.txt"
    small.write_text(INTERVIEW, encoding="utf-8")
    result = CliRunner().invoke(app, ["import", str(project), str(small), "--max-size", "100"])
    assert result.exit_code == 1
    assert f"is {small.stat().st_size} bytes, more than the limit of 100 bytes" in result.output
    result = CliRunner().invoke(app, ["import", str(project), str(small), "--max-size", "1kB"])
    assert result.exit_code == 0, result.output


def test_a_qdpx_is_opened_as_a_regular_file_too(tmp_path: Path):
    archive = make_qdpx(
        tmp_path / "real.qdpx", simple_qde(), {f"sources/{SOURCE}.txt": INTERVIEW.encode()}
    )
    link = tmp_path / "link.qdpx"
    link.symlink_to(archive)
    with Project.create(tmp_path / "p.qcdb") as p:
        p.exchange.import_qdpx(link)
        assert [s.name for s in p.sources.all()] == ["int1"]


@pytest.mark.parametrize(
    ("text", "size"),
    [("50MB", 50_000_000), ("200 M", 200_000_000), ("1.5GB", 1_500_000_000), ("1KiB", 1024)],
)
def test_sizes_are_read_as_people_write_them(text: str, size: int):
    assert parse_size(text) == size


@pytest.mark.parametrize("text", ["", "-5MB", "ten", "5XB", "0"])
def test_a_size_that_is_not_one_is_refused(text: str):
    with pytest.raises(QualcodeError, match="not a size"):
        parse_size(text)
