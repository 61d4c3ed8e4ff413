"""A team on a PostgreSQL server: concurrent coders, and a report over a million codings.

- 8 coder processes, each its own role under row-level security, make 500 codings each at
  once, one transaction per coding as the TUI does: codings per second over all of them,
  p50 and p95 latency per coding, and lost writes (codings missing afterwards; must be 0).
- ``report frequencies`` over the 1,000,000 codings of tests/benchmarks/test_bench_analysis.py
  on the server, against the same on SQLite and a bare ``GROUP BY`` on the server, as
  ratios in one run.

The server is the tests' own (tests/postgres.py): on this machine, reached through its Unix
socket, fsync off. Run with ``pytest tests/benchmarks/test_bench_server.py -s``.
"""

from __future__ import annotations

import json
import os
import sqlite3
import statistics
import subprocess
import sys
import time
from pathlib import Path

import pytest

from qualcode.project import Project
from tests.benchmarks.test_bench_analysis import build_big, timed
from tests.postgres import PostgresServer
from tests.test_sync_server import add_coder

CODERS, EACH = 8, 500

CODER = """
import json, sys, time
from pathlib import Path
from qualcode.project import Project
url, go, n = sys.argv[1], Path(sys.argv[2]), int(sys.argv[3])
took = []
with Project.open(url) as p:
    while not go.exists():
        time.sleep(0.001)
    for i in range(n):
        t = time.perf_counter()
        p.coding.apply("long", i, i + 1, "Shared")
        took.append(time.perf_counter() - t)
print(json.dumps(took))
"""


def test_eight_coders_at_once(postgres: PostgresServer, pg_database: str, pg_url: str, tmp_path):
    text = tmp_path / "long.txt"
    text.write_text("STUDENT: " + "word " * 400 + "\n", encoding="utf-8")
    with Project.create(pg_url) as lead:
        lead.sources.import_files([text])
        lead.codebook.add_code("Shared")
    urls = [add_coder(postgres, pg_database, f"coder{k}") for k in range(CODERS)]
    go = tmp_path / "go"
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", CODER, url, str(go), str(EACH)],
            stdout=subprocess.PIPE,
            text=True,
            env={**os.environ, "PYTHONPATH": str(Path.cwd())},
        )
        for url in urls
    ]
    time.sleep(3)  # every process has connected and waits for the start
    start = time.perf_counter()
    go.touch()
    outs = [p.communicate(timeout=600)[0] for p in procs]
    wall = time.perf_counter() - start
    assert all(p.returncode == 0 for p in procs)
    took = sorted(t for out in outs for t in json.loads(out))
    with Project.open(pg_url) as lead:
        per_coder = {c: 0 for c in lead.context.coders()}
        for seg in lead.coding.codings():
            per_coder[seg.coding.coder] += 1
    lost = sum(EACH - per_coder.get(f"coder{k}", 0) for k in range(CODERS))
    p50 = statistics.median(took)
    p95 = took[int(0.95 * len(took)) - 1]
    print(
        f"\n[benchmark] {CODERS} coders x {EACH} codings on PostgreSQL: {len(took) / wall:.0f} "
        f"codings/s over {wall:.1f} s; latency p50 {p50 * 1000:.1f} ms, p95 {p95 * 1000:.1f} "
        f"ms; lost writes {lost}"
    )
    assert lost == 0


TABLES = {
    "coders": ("id", "name", "guid"),
    "sources": (
        "id", "name", "kind", "text", "language", "guid", "content_hash", "origin",
        "imported_at",
    ),
    "attributes": ("source_id", "name", "value"),
    "turns": ("id", "source_id", "idx", "start", "end", "speaker", "timestamp"),
    "codes": (
        "id", "parent_id", "name", "definition", "inclusion", "exclusion", "keywords",
        "examples", "color", "hotkey", "guid", "position",
    ),
    "codings": (
        "id", "source_id", "code_id", "coder_id", "start", "end", "created_at", "memo", "guid",
    ),
}  # fmt: skip


def _copy_to_server(path: Path, postgres: PostgresServer, database: str) -> None:
    """Every row of the SQLite project at ``path`` into the (empty) server project."""
    with postgres.admin(database) as pg:
        pg.execute("DELETE FROM coders")  # the lead's own row: the copy brings its coders
        # A restore, as pg_restore makes one: the rows keep their ids (the fences' triggers,
        # which give new rows the sequence's, do not fire for it).
        pg.execute("SET session_replication_role = replica")
        lite = sqlite3.connect(path)
        try:
            for table, cols in TABLES.items():
                names = ", ".join(f'"{c}"' for c in cols)
                with pg.cursor().copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                    for row in lite.execute(f"SELECT {names} FROM {table}"):
                        copy.write_row(row)
                if "id" in cols:
                    pg.execute(
                        f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), max(id)) "
                        f"FROM {table}"
                    )
        finally:
            lite.close()
        pg.execute("ANALYZE")


@pytest.fixture(scope="module")
def big_sqlite(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("bench") / "big.qcdb"
    build_big(path).close()
    return path


def test_frequencies_on_a_million_codings_server_against_sqlite(
    big_sqlite: Path, postgres: PostgresServer, pg_database: str, pg_url: str
):
    Project.create(pg_url).close()
    started = time.perf_counter()
    _copy_to_server(big_sqlite, postgres, pg_database)
    print(f"\n[benchmark] copied to the server in {time.perf_counter() - started:.1f} s")
    results: dict[str, float] = {}
    with Project.open(pg_url) as server, Project.open(big_sqlite) as local:

        def group_by() -> list[object]:
            with server.context.store.reading() as conn:
                sql = (
                    "SELECT code_id, COUNT(*), COUNT(DISTINCT source_id) FROM codings "
                    "GROUP BY code_id"
                )
                return list(conn.exec_driver_sql(sql).all())

        floor = timed("bare GROUP BY on the server", group_by, results)
        on_server = timed("frequencies on PostgreSQL", server.reports.frequencies, results)
        on_file = timed("frequencies on SQLite", local.reports.frequencies, results)
    base = results["bare GROUP BY on the server"]
    print("[benchmark] report frequencies, 1,000,000 codings (best of 3)")
    for label, seconds in results.items():
        print(f"[benchmark]   {label:<32} {seconds:6.3f} s   x{seconds / base:6.1f} of GROUP BY")
    ratio = results["frequencies on PostgreSQL"] / results["frequencies on SQLite"]
    print(f"[benchmark]   PostgreSQL / SQLite: x{ratio:.2f}")
    assert sum(int(r[1]) for r in floor) > 990_000  # type: ignore[index]
    assert on_server.equals(on_file)
