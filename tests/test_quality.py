"""Lint, types and the import contracts run with the tests, so CI enforces them."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def tool(name: str) -> str:
    path = BIN / name
    if path.exists():
        return str(path)
    found = shutil.which(name)
    if found is None:
        pytest.skip(f"{name} is not installed (pip install -e '.[test]')")
    return found


def check(*argv: str) -> None:
    result = subprocess.run(argv, cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]


def test_ruff_lint():
    check(tool("ruff"), "check", "qualcode", "tests")


def test_ruff_format():
    check(tool("ruff"), "format", "--check", "qualcode", "tests")


def test_mypy():
    check(tool("mypy"))


def test_import_contracts():
    check(tool("lint-imports"))
