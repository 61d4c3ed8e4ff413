"""A command killed half way (``kill -9``, nothing to clean up with) leaves nothing the
next run does not remove: no empty project under the real name, no ``.part`` export, no
temporary copy of a merged project. Each test stops a real process at a known point
(``QUALCODE_PAUSE_AT``), kills it, and runs the next command."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from qualcode.project import Project
from tests.conftest import run_qualcode, span

pytestmark = pytest.mark.skipif(os.name == "nt", reason="kill -9 and pids are POSIX here")


def kill_at(point: str, *args: object, env: dict[str, str]) -> None:
    """Run ``qualcode ARGS`` until it reaches ``point``, then kill it with SIGKILL."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "qualcode", *map(str, args)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, **env, "QUALCODE_PAUSE_AT": point},
    )
    try:
        assert proc.stderr is not None
        line = proc.stderr.readline()
        assert line == f"paused at {point}\n", line + proc.stderr.read()
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait()  # reaped: its pid no longer names a running process


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    """A temporary folder of the test's own, so leftovers there are this test's."""
    folder = tmp_path / "tmp"
    folder.mkdir()
    return {"TMPDIR": str(folder)}


@pytest.fixture
def coded(project: Project, project_path: Path) -> Path:
    text = project.sources.get("int1").text
    project.coding.apply("int1", *span(text, "never heard of it"), "Awareness", new=True)
    project.close()
    return project_path


@pytest.fixture
def out_dir(tmp_path: Path) -> Path:
    """Where the killed commands write: nothing else is in it."""
    folder = tmp_path / "out"
    folder.mkdir()
    return folder


def names(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


def killed_half_made(point: str, target: Path, *args: object, env: dict[str, str]) -> None:
    """Kill a command that makes project ``target`` at ``point``; only parts are left."""
    kill_at(point, *args, env=env)
    assert not target.exists()
    assert names(target.parent) and all(".part" in n for n in names(target.parent))


def test_a_killed_export_leaves_a_part_the_next_export_removes(
    out_dir: Path, coded: Path, env: dict[str, str]
):
    kill_at("qdpx-written", "export", coded, out_dir / "study.qdpx", env=env)
    [part] = names(out_dir)
    assert part.startswith("study.qdpx.") and part.endswith(".part")
    run_qualcode("export", coded, out_dir / "study.qdpx", env=env)
    assert names(out_dir) == ["study.qdpx"]


def test_a_killed_merge_into_a_new_project_leaves_no_project_and_no_copy(
    out_dir: Path, coded: Path, env: dict[str, str]
):
    merged = out_dir / "team.qcdb"
    killed_half_made("merge-copy", merged, "merge", merged, coded, env=env)
    [copy] = names(Path(env["TMPDIR"]))
    assert copy.startswith("qualcode-merge-")

    run_qualcode("merge", merged, coded, env=env)
    assert names(out_dir) == ["team.qcdb"]
    assert names(Path(env["TMPDIR"])) == []
    with Project.open(merged) as p:
        assert [c.text for c in p.coding.codings()] == ["never heard of it"]
        assert p.context.settings().name == "team"


def test_a_killed_qdpx_import_into_a_new_project_leaves_nothing_behind_it(
    tmp_path: Path, out_dir: Path, coded: Path, env: dict[str, str]
):
    qdpx = tmp_path / "study.qdpx"
    run_qualcode("export", coded, qdpx, env=env)
    target = out_dir / "new.qcdb"
    killed_half_made("merged", target, "import", target, qdpx, env=env)

    result = run_qualcode("sources", target, ok=False, env=env)  # the next run, any command
    assert "no such project file" in result.stderr
    assert names(out_dir) == []
    run_qualcode("import", target, qdpx, env=env)
    assert names(out_dir) == ["new.qcdb"]


def test_the_parts_of_a_running_process_are_left_alone(tmp_path: Path, coded: Path):
    from qualcode.outputs import remove_stale_parts

    target = tmp_path / "x.qdpx"
    mine = tmp_path / f"x.qdpx.{os.getpid()}.part"
    other = tmp_path / "x.qdpx.notapid.part"
    mine.write_text("in progress")
    other.write_text("not ours to judge")
    assert remove_stale_parts(target) == []
    assert mine.exists() and other.exists()
