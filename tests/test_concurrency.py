"""Several processes on one project: writers wait for each other instead of failing, readers
never wait, and every coding made is there afterwards exactly once."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from qualcode.project import Project
from tests.concurrent_coder import start
from tests.conftest import coding_screen, run_qualcode, wait_for


def _finish(proc: subprocess.Popen[str]) -> str:
    out, err = proc.communicate(timeout=300)
    assert proc.returncode == 0, err
    return out.strip()


@pytest.mark.parametrize("writers", [2, 4])
def test_writers_at_once_lose_and_double_nothing(project: Project, project_path: Path, writers):
    project.codebook.add_code("Shared")
    project.close()
    n = 40
    stop = project_path.with_name("stop")
    reader = start(project_path, "--read", stop)
    procs = [start(project_path, f"coder{i}", n) for i in range(writers)]
    try:
        made = [_finish(p) for p in procs]
    finally:  # a failed writer must not leave the reader (or another writer) running
        stop.touch()
        for proc in procs:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
    assert int(_finish(reader)) > 0
    assert made == [str(n)] * writers
    with Project.open(project_path) as p:
        found = [(c.coding.coder, c.coding.start) for c in p.coding.codings(code="Shared")]
    assert sorted(found) == sorted((f"coder{i}", j) for i in range(writers) for j in range(n))


def _hold_write_lock(path: Path) -> sqlite3.Connection:
    """Another writer: holds the project's write lock until the test commits it."""
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("BEGIN IMMEDIATE")
    conn.execute("INSERT INTO meta (key, value) VALUES ('held', 'by another writer')")
    return conn


def test_a_second_writer_waits_for_the_first(project: Project, project_path: Path):
    text = project.sources.get("int1").text
    start = text.index("never heard")
    project.close()
    holder = _hold_write_lock(project_path)
    command = ["code", project_path, "int1", start, start + 11, "Awareness", "--new"]
    proc = subprocess.Popen(
        [sys.executable, "-m", "qualcode", *map(str, command)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    time.sleep(1.5)  # long enough for the command to reach its write; not an assertion
    running = proc.poll() is None
    holder.execute("COMMIT")  # the other writer finishes: the waiting one goes on
    holder.close()
    _, err = proc.communicate(timeout=120)
    assert running, err
    assert proc.returncode == 0, err
    with Project.open(project_path) as p:
        assert [c.text for c in p.coding.codings()] == ["never heard"]


def test_a_writer_that_waited_too_long_says_so_in_one_line(project: Project, project_path: Path):
    project.close()
    holder = _hold_write_lock(project_path)
    try:
        result = run_qualcode(
            "code",
            project_path,
            "int1",
            0,
            5,
            "Awareness",
            ok=False,
            env={"QUALCODE_BUSY_TIMEOUT": "0.5"},
        )
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        f"qualcode: error: {project_path}: another writer held the project for 0.5 s; try "
        "again when it has finished (QUALCODE_BUSY_TIMEOUT sets how long to wait)"
    ]
    with Project.open(project_path) as p:
        assert p.coding.codings() == []


def test_a_reader_does_not_wait_for_a_writer(project: Project, project_path: Path):
    project.close()
    holder = _hold_write_lock(project_path)
    try:
        result = run_qualcode("sources", project_path, env={"QUALCODE_BUSY_TIMEOUT": "0"})
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert "int1" in result.stdout


def test_a_bad_busy_timeout_is_one_line(project: Project, project_path: Path):
    project.close()
    result = run_qualcode("sources", project_path, ok=False, env={"QUALCODE_BUSY_TIMEOUT": "soon"})
    assert result.stderr.splitlines() == [
        "qualcode: error: QUALCODE_BUSY_TIMEOUT must be a number of seconds, not 'soon'"
    ]


async def test_the_coding_screen_says_it_waits_for_another_writer(
    project: Project, project_path: Path
):
    from qualcode.tui.app import QualcodeApp
    from qualcode.tui.widgets.status import StatusLine

    project.codebook.add_code("Awareness", hotkey="a")
    app = QualcodeApp(project, source="int1")
    async with app.run_test(size=(100, 30)) as pilot:
        await coding_screen(pilot)
        s, e = app.screen.view.selection
        quote = project.sources.get("int1").text[s:e]
        holder = _hold_write_lock(project_path)
        try:
            await pilot.press("a")
            status = app.screen.query_one(StatusLine)
            assert "waiting for another writer…" in status.text
            assert project.coding.codings() == []
        finally:
            holder.execute("COMMIT")
            holder.close()
        for worker in [w for w in app.workers if w.group == "write"]:
            await worker.wait()
        await wait_for(pilot, lambda: "coded Awareness" in status.text, "the waiting write")
    assert [(c.code, c.text) for c in project.coding.codings()] == [("Awareness", quote)]
