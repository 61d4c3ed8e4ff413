"""Round trips to the server of one coding: what a coder in the workbench waits for.

A coder's window codes one passage after another (as in the workbench, after the first, so
what may be kept is); the statements SQLAlchemy sends are counted, and the round trips in
libpq's own trace of the connection (each ends with the server's ReadyForQuery: the pool's
ping, BEGIN, every statement, COMMIT). Run with
``pytest tests/benchmarks/test_bench_roundtrips.py -s``.
"""

from __future__ import annotations

import os
from pathlib import Path

from sqlalchemy import event

from qualcode.project import Project
from tests.postgres import PostgresServer
from tests.test_sync_server import add_coder


def test_round_trips_of_one_coding_on_the_server(
    postgres: PostgresServer, pg_database: str, pg_url: str, tmp_path: Path
):
    text = tmp_path / "long.txt"
    text.write_text("STUDENT: " + "word " * 400 + "\n", encoding="utf-8")
    with Project.create(pg_url) as lead:
        lead.sources.import_files([text])
        lead.codebook.add_code("Shared")
    trace = tmp_path / "trace"
    statements: list[str] = []
    fd = os.open(trace, os.O_WRONLY | os.O_CREAT, 0o600)
    try:
        with Project.open(add_coder(postgres, pg_database, "coder0")) as p:
            event.listen(p.context.store.engine, "connect", lambda dbapi, _: dbapi.pgconn.trace(fd))
            event.listen(
                p.context.store.engine,
                "before_cursor_execute",
                lambda _c, _cur, statement, *_: statements.append(statement),
            )
            p.context.store.engine.dispose()  # new connections, traced
            p.coding.apply("long", 0, 1, "Shared")  # adds the coder: the catalog version moves
            p.coding.apply("long", 1, 2, "Shared")
            before, seen = trace.stat().st_size, len(statements)
            p.coding.apply("long", 2, 3, "Shared")
            p.context.store.engine.dispose()
    finally:
        os.close(fd)
    round_trips = trace.read_bytes()[before:].decode().count("\tReadyForQuery")
    print(
        f"\n[benchmark] one coding on PostgreSQL: {len(statements) - seen} statements, "
        f"{round_trips} round trips"
    )
    for statement in statements[seen:]:
        print(f"[benchmark]   {' '.join(statement.split())[:100]}")
    assert round_trips > 0
