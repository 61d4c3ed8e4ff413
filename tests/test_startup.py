"""The command line starts without loading what the command does not use.

Each command runs in a process of its own, as from a shell; afterwards the process lists the
heavy libraries it had loaded. How long start-up takes is measured in
tests/benchmarks/test_bench_startup.py.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from qualcode.project import Project

# Run the command line in this process, then say which of the libraries it loaded.
RUN = """
import json, sys
args, heavy = json.loads(sys.argv[1]), json.loads(sys.argv[2])
sys.argv = ["qualcode", *args]
from qualcode.cli import main
try:
    main()
except SystemExit as exc:
    status = exc.code or 0
else:
    status = 0
print("loaded:" + json.dumps([m for m in heavy if m in sys.modules]), file=sys.stderr)
sys.exit(status)
"""

NLP_AND_UI = ["spacy", "sklearn", "pandas", "textual"]


def loaded(args: list[str], heavy: list[str]) -> list[str]:
    out = subprocess.run(
        [sys.executable, "-c", RUN, json.dumps(args), json.dumps(heavy)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.returncode == 0, out.stderr
    last = out.stderr.strip().splitlines()[-1]
    assert last.startswith("loaded:"), out.stderr
    return list(json.loads(last.removeprefix("loaded:")))


def test_help_loads_neither_the_database_layer_nor_nlp_nor_the_ui():
    assert loaded(["--help"], ["sqlalchemy", *NLP_AND_UI]) == []
    assert loaded(["sources", "--help"], ["sqlalchemy", *NLP_AND_UI]) == []


@pytest.mark.parametrize(
    "args",
    [["sources"], ["turns", "int1"], ["codebook"], ["codings"]],
    ids=["sources", "turns", "codebook", "codings"],
)
def test_listings_load_no_nlp_no_tables_and_no_ui(
    project: Project, project_path: Path, args: list[str]
):
    project.codebook.add_code("Awareness")
    project.coding.apply("int1", 0, 9, "Awareness")
    [command, *rest] = args
    assert loaded([command, str(project_path), *rest], NLP_AND_UI) == []


# What only a server project, the reports or an error's traceback need.
NOT_FOR_A_FILE = [
    "sqlalchemy.orm",
    "sqlalchemy.ext",
    "sqlalchemy.dialects.postgresql",
    "psycopg",
    "numpy",
    "rich",
]


def test_a_project_file_listing_loads_no_server_layer_no_orm_and_no_rich(
    tmp_path: Path,
):
    path = tmp_path / "p.qcdb"
    Project.create(path).close()
    assert loaded(["sources", str(path)], NOT_FOR_A_FILE) == []
    assert loaded(["sources", str(path), "--format", "json"], NOT_FOR_A_FILE) == []
