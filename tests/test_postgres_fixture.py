"""The server tests' fixture without a PostgreSQL: skipped with the reason on a developer's
machine, failed in CI (CI=true), so CI cannot pass without testing the server."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests import postgres

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def no_postgres(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> pytest.Pytester:
    monkeypatch.setenv("PYTHONPATH", str(ROOT))
    pytester.makeconftest(
        "import tests.postgres\n"
        "tests.postgres.find_bindir = lambda: None  # as on a machine without PostgreSQL\n"
        'pytest_plugins = ["tests.postgres"]\n'
    )
    pytester.makepyfile(test_server="def test_needs_a_server(pg_url):\n    assert pg_url\n")
    return pytester


def test_without_postgresql_the_server_tests_are_skipped_with_the_reason(
    no_postgres: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.delenv("CI", raising=False)
    result = no_postgres.runpytest_subprocess("-rs")
    result.assert_outcomes(skipped=1)
    result.stdout.fnmatch_lines(["*PostgreSQL is not installed*install the 'postgresql' package*"])


def test_in_ci_a_missing_postgresql_fails_them(
    no_postgres: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setenv("CI", "true")
    result = no_postgres.runpytest_subprocess()
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*CI=true: the server tests must run*"])


def _server_folder(tmp: Path, name: str, *, postmaster: int | None, owner: int | None) -> Path:
    root = tmp / f"{postgres.PREFIX}{name}"
    (root / "data").mkdir(parents=True)
    if postmaster is not None:
        (root / "data" / "postmaster.pid").write_text(f"{postmaster}\n{root / 'data'}\n")
    if owner is not None:
        (root / postgres.OWNER_FILE).write_text(f"{owner}\n")
    return root


def test_a_killed_runs_server_folder_is_removed_and_a_running_one_kept(tmp_path: Path):
    ended = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                           capture_output=True, text=True, check=True)  # fmt: skip
    dead = int(ended.stdout)
    alive = os.getpid()
    orphan = subprocess.Popen(["sleep", "60"])  # stands in for a server its run left running
    try:
        dead_server = _server_folder(tmp_path, "dead", postmaster=dead, owner=alive)
        left_running = _server_folder(tmp_path, "orphan", postmaster=orphan.pid, owner=dead)
        running = _server_folder(tmp_path, "running", postmaster=alive, owner=alive)
        unknown = _server_folder(tmp_path, "unknown", postmaster=alive, owner=None)
        never_started = _server_folder(tmp_path, "unstarted", postmaster=None, owner=dead)
        starting = _server_folder(tmp_path, "starting", postmaster=None, owner=alive)
        other = tmp_path / "qualcode-merge-x"
        other.mkdir()
        removed = postgres.remove_stale_servers(tmp_path)
        assert orphan.wait(timeout=10) != 0  # stopped, not left holding memory
    finally:
        orphan.kill()
    assert removed == [dead_server, left_running, never_started]
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        [running.name, unknown.name, starting.name, other.name]
    )
