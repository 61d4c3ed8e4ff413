"""Shared fixtures: real project files in a temporary folder, never a mocked database."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from qualcode.examples import CODERS, CODINGS, build_demo, examples_root
from qualcode.project import ImportOptions, Project
from qualcode.store.server import is_server_url

# The session's PostgreSQL server and a fresh database per test (tests/postgres.py), and a
# team with its roles on it (tests/server_team.py).
pytest_plugins = ["tests.postgres", "tests.server_team", "pytester"]

if TYPE_CHECKING:
    from textual.app import App
    from textual.pilot import Pilot

    from qualcode.tui.screens.coding import CodingScreen

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


@pytest.fixture(scope="session", autouse=True)
def kept_nlp(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """What the NLP keeps on disk (qualcode.nlp.kept) goes to a folder of the test run, not
    the user's cache: a run starts from nothing and leaves nothing behind. Subprocesses
    inherit it."""
    folder = tmp_path_factory.mktemp("kept")
    os.environ["QUALCODE_CACHE_DIR"] = str(folder)
    return folder


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
    copy it (:func:`copy_project`) before changing it."""
    path = tmp_path_factory.mktemp("demo") / "demo.qcdb"
    build_demo(path, coded=False).close()
    return path


@pytest.fixture(scope="session")
def coded_demo_file(demo_file: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The example study with its two coders' codings (``qualcode demo``), built once per
    test run from a copy of :func:`demo_file`, as :func:`build_demo` does it; copy it
    (:func:`copy_project`) before changing it."""
    path = copy_project(demo_file, tmp_path_factory.mktemp("demo"), "coded.qcdb")
    with Project.open(path) as project:
        project.exchange.merge_from(
            [examples_root() / CODINGS / f"{coder}.qdpx" for coder in CODERS]
        )
    return path


def copy_project(built: Path, folder: Path, name: str = "demo.qcdb") -> Path:
    """A copy of a project file built once per run, for one test to change (copying is
    much faster than building)."""
    path = folder / name
    shutil.copyfile(built, path)
    return path


@pytest.fixture
def demo_project(demo_file: Path, tmp_path: Path):
    """A copy of the example study, open, for a test that changes it."""
    with Project.open(copy_project(demo_file, tmp_path)) as p:
        yield p


@pytest.fixture
def coded_demo_project(coded_demo_file: Path, tmp_path: Path):
    """A copy of the coded example study, open, for a test that changes it."""
    with Project.open(copy_project(coded_demo_file, tmp_path)) as p:
        yield p


@pytest.fixture
def project_path(tmp_path: Path) -> Path:
    return tmp_path / "study.qcdb"


@pytest.fixture
def project(project_path: Path, transcripts: dict[str, Path]):
    p = Project.create(project_path, language="en", coder="anna")
    p.sources.import_files([transcripts["int1"]], ImportOptions(kind="interview"))
    p.sources.import_files([transcripts["panel1"]], ImportOptions(kind="expert_panel"))
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


# -- the TUI under Pilot ------------------------------------------------------------------------


async def wait_for(
    pilot: Pilot, condition: Callable[[], object], what: str = "", timeout: float = 60
) -> None:
    """Let the app run until ``condition()`` is true: a worker has finished, a screen is
    shown, a notification is up. Fails with ``what`` after ``timeout`` seconds (the
    suggester's first fit takes seconds on a busy machine)."""
    deadline = time.monotonic() + timeout
    await pilot.pause()
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"waited {timeout:.0f} s in vain for {what or condition}")
        await pilot.pause(0.02)


def toasts(app: App, severity: str = "") -> list[str]:
    """The notifications shown on the screen (their rendered text: title and message),
    those of one ``severity`` (``error``, ``warning``, ``information``) if given."""
    from textual.widgets._toast import Toast  # not exported: the widget the user sees

    if not app.screen.query("ToastRack"):  # none would be found: the check would be void
        raise AssertionError("run the app with run_test(notifications=True)")
    return [
        str(toast.render())
        for toast in app.screen.query(Toast)
        if not severity or toast.has_class(f"-{severity}")
    ]


async def wait_for_toast(pilot: Pilot, text: str, severity: str = "") -> list[str]:
    """Wait until a notification containing ``text`` is shown; the notifications shown."""
    app = pilot.app
    await wait_for(
        pilot, lambda: any(text in t for t in toasts(app, severity)), f"a toast with {text!r}"
    )
    return toasts(app, severity)


async def coding_screen(pilot: Pilot) -> CodingScreen:
    """The coding screen, once it shows the source it opened."""
    from qualcode.tui.screens.coding import CodingScreen

    app = pilot.app
    await wait_for(
        pilot,
        lambda: isinstance(app.screen, CodingScreen) and bool(app.screen.shown),
        "the coding screen",
    )
    assert isinstance(app.screen, CodingScreen)
    return app.screen


async def suggestions_shown(pilot: Pilot, screen: CodingScreen) -> None:
    """Wait until the suggester has answered for the passage selected."""
    from textual.widgets import Label

    title = screen.query_one("#suggestions-title", Label)
    # Asked for once the cursor rests (SETTLE), then answered by a worker.
    await wait_for(
        pilot,
        lambda: screen.answered == screen.view.selection and str(title.render()) == "Suggestions",
        "the suggestions",
    )
