"""Shared fixtures: real project files in a temporary folder, never a mocked database."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from qualcode.examples import build_demo
from qualcode.project import Project
from qualcode.store.server import is_server_url

# The session's PostgreSQL server and a fresh database per test (tests/postgres.py).
pytest_plugins = ["tests.postgres", "pytester"]

INTERVIEW = """\
Telephone interview, 12 March
INTERVIEWER: Have you heard of the mentoring programme?
STUDENT: Honestly, no. I had never heard of it before you called.
INTERVIEWER: What would stop you from taking part?
STUDENT: Time, mostly. During the exam period I have no time at all.
And I work two evenings a week.
INTERVIEWER: Thank you.
"""

PANEL = """\
Moderator: Welcome everyone. Let us start with publicity.
Dr. Weber: Most students simply do not know the programme exists.
Prof. Lindqvist: I agree, the flyers do not reach them.
Ms. Adeyemi: We should announce it in the first week.
Dr. Weber: And mentors need recognition for their time.
"""


@pytest.fixture
def transcripts(tmp_path: Path) -> dict[str, Path]:
    folder = tmp_path / "transcripts"
    folder.mkdir()
    files = {"int1": folder / "int1.txt", "panel1": folder / "panel1.txt"}
    files["int1"].write_text(INTERVIEW, encoding="utf-8")
    files["panel1"].write_text(PANEL, encoding="utf-8")
    return files


@pytest.fixture(scope="session")
def demo_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The example study, uncoded (``qualcode demo --blank``), built once per test run;
    copy it before changing it."""
    path = tmp_path_factory.mktemp("demo") / "demo.qcdb"
    build_demo(path, coded=False).close()
    return path


@pytest.fixture(scope="session")
def coded_demo_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The example study with its two coders' codings (``qualcode demo``), built once per
    test run; copy it before changing it."""
    path = tmp_path_factory.mktemp("demo") / "coded.qcdb"
    build_demo(path).close()
    return path


@pytest.fixture
def demo_project(demo_file: Path, tmp_path: Path):
    """A copy of the example study, open, for a test that changes it."""
    path = tmp_path / "demo.qcdb"
    path.write_bytes(demo_file.read_bytes())
    with Project.open(path) as p:
        yield p


@pytest.fixture
def project_path(tmp_path: Path) -> Path:
    return tmp_path / "study.qcdb"


@pytest.fixture
def project(project_path: Path, transcripts: dict[str, Path]):
    p = Project.create(project_path, language="en", coder="anna")
    p.import_files([transcripts["int1"]], kind="interview")
    p.import_files([transcripts["panel1"]], kind="expert_panel")
    yield p
    p.close()


@pytest.fixture(params=["sqlite", "postgresql"])
def any_project_path(request: pytest.FixtureRequest, tmp_path: Path) -> Path | str:
    """Where a new project goes, once as a file and once as a database on the server,
    whose lead (and coder) is the role ``anna``: a module runs its tests on both engines
    by taking this as its ``project_path``."""
    if request.param == "sqlite":
        return tmp_path / "study.qcdb"
    from tests.postgres import make_lead  # a plugin (below): imported once pytest has it

    postgres = request.getfixturevalue("postgres")
    return make_lead(postgres, request.getfixturevalue("pg_database"), "anna")


def dump(path: Path | str) -> list[str]:
    """Every row of a project (a file, as SQL, or a database on the server): equal dumps
    mean an unchanged project."""
    if is_server_url(path):
        from tests.postgres import dump_database

        return dump_database(str(path))
    conn = sqlite3.connect(path)
    try:
        return list(conn.iterdump())
    finally:
        conn.close()


def span(text: str, quote: str) -> tuple[int, int]:
    """Offsets of the first occurrence of ``quote`` in ``text``."""
    start = text.index(quote)
    return start, start + len(quote)


def run_qualcode(
    *args: object, ok: bool = True, env: dict[str, str] | None = None, timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    """Run the ``qualcode`` command in a process of its own, as a user or script would."""
    result = subprocess.run(
        [sys.executable, "-m", "qualcode", *map(str, args)],
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        timeout=timeout,
    )
    if ok:
        assert result.returncode == 0, result.stderr
    return result


@pytest.fixture
def qualcode() -> Callable[..., subprocess.CompletedProcess[str]]:
    """``qualcode(*args, ok=True)``: the command line in a real process."""
    return run_qualcode
