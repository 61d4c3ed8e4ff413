"""The server tests' fixture without a PostgreSQL: skipped with the reason on a developer's
machine, failed in CI (CI=true), so CI cannot pass without testing the server."""

from __future__ import annotations

from pathlib import Path

import pytest

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
