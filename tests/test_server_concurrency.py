"""Coders at the same time on one PostgreSQL project: separate processes, each its own role;
no write is lost, none doubled, nobody waits forever, each undoes only their own. And a
connection dropped in the middle of a command leaves nothing half-written."""

from __future__ import annotations

import os
import subprocess
import sys
import time

import pytest

from qualcode.errors import ProjectBusy
from qualcode.project import ImportOptions, Project
from tests.concurrent_coder import start
from tests.postgres import PostgresServer


@pytest.mark.parametrize("coders", [2, 8])
def test_coders_at_once_lose_nothing_and_undo_only_their_own(
    postgres: PostgresServer, pg_database: str, transcripts, coders: int
):
    names = [f"coder{i}" for i in range(coders)]
    with Project.create(postgres.url(pg_database)) as lead:
        lead.sources.import_files([transcripts["int1"]], ImportOptions(kind="interview"))
        lead.codebook.add_code("Shared")
        for name in names:
            lead.team.add_coder(name)
    n, undo = 40, 5
    made = _run_all([start(postgres.url(pg_database, name), name, n, undo) for name in names])
    assert made == [n - undo] * coders
    with Project.open(postgres.url(pg_database)) as p:
        found = sorted((c.coding.coder, c.coding.start) for c in p.coding.codings(code="Shared"))
        history = p.context.store.counts()
    # Every coder's first n - undo passages, each exactly once; the undone ones gone.
    assert found == sorted((name, j) for name in names for j in range(n - undo))
    assert history["codings"] == coders * (n - undo)


def test_one_coder_in_two_windows_makes_each_coding_once(
    postgres: PostgresServer, pg_database: str, transcripts
):
    with Project.create(postgres.url(pg_database)) as lead:
        lead.sources.import_files([transcripts["int1"]], ImportOptions(kind="interview"))
        lead.codebook.add_code("Shared")
        lead.team.add_coder("anna")
    n = 40
    url = postgres.url(pg_database, "anna")
    made = _run_all([start(url, "anna", n) for _ in range(2)])
    assert sum(made) == n  # each passage made by one window, a no-op in the other
    with Project.open(url) as p:
        found = sorted(c.coding.start for c in p.coding.codings(code="Shared"))
    assert found == list(range(n))


def _run_all(procs: list[subprocess.Popen[str]]) -> list[int]:
    """Wait for coder processes; what each made. A failure stops the others."""
    try:
        outputs = [p.communicate(timeout=300) for p in procs]
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
    assert [p.returncode for p in procs] == [0] * len(procs), [err for _out, err in outputs]
    return [int(out) for out, _err in outputs]


@pytest.fixture
def held_history(postgres: PostgresServer, pg_database: str, transcripts):
    """A project, and another session holding its undo history: a coding command writes its
    codings, then waits to record them there, in the middle of its transaction. Yields the
    URL and the row counts before."""
    url = postgres.url(pg_database)
    with Project.create(url) as p:
        p.sources.import_files(
            [transcripts["int1"], transcripts["panel1"]], ImportOptions(kind="interview")
        )
        p.codebook.add_code("Time")
        before = p.context.store.counts()
    with postgres.admin(pg_database) as other:
        other.execute("BEGIN")
        other.execute("LOCK TABLE history IN EXCLUSIVE MODE")
        yield url, before
        other.execute("ROLLBACK")


def _code_every_e(url: str, env: dict[str, str] | None = None) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "qualcode", "code", url, "*", "Time", "--match", "e"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, **(env or {})},
    )


def _one_line_error(command: subprocess.Popen[str]) -> str:
    try:
        out, err = command.communicate(timeout=60)
    finally:
        if command.poll() is None:
            command.kill()
            command.wait()
    assert command.returncode == 1, out
    assert err.startswith("qualcode: error: ") and err.count("\n") == 1
    return err


def test_a_connection_dropped_mid_command_leaves_nothing_half_written(
    postgres: PostgresServer, pg_database: str, held_history
):
    url, before = held_history
    command = _code_every_e(url)
    pid = _waiting_backend(postgres, pg_database, command)
    with postgres.admin(pg_database) as killer:
        killer.execute("SELECT pg_terminate_backend(%s)", (pid,))
    err = _one_line_error(command)
    assert "lost the connection to the server" in err and "nothing of it was written" in err
    with Project.open(url) as p:
        assert p.context.store.counts() == before


@pytest.mark.parametrize("seconds", ["1", "0"])
def test_a_write_waits_for_a_lock_up_to_the_busy_timeout_then_says_so(held_history, seconds):
    url, before = held_history
    err = _one_line_error(_code_every_e(url, {"QUALCODE_BUSY_TIMEOUT": seconds}))
    assert f"another writer held the project for {seconds} s" in err
    with Project.open(url) as p:
        assert p.context.store.counts() == before


def test_without_waiting_a_write_that_meets_a_lock_fails_at_once(held_history):
    url, before = held_history
    with Project.open(url, busy_timeout=600) as p:  # were it waited for, it would say 600 s
        with (
            pytest.raises(ProjectBusy, match="held the project for 0 s"),
            p.context.without_waiting(),
        ):
            p.coding.apply("int1", 0, 9, "Time")
        assert p.context.store.counts() == before
        # The wait was the transaction's own: the connection, back in the pool, waits the
        # busy timeout again.
        with p.context.store.reading() as conn:
            assert conn.exec_driver_sql("SHOW lock_timeout").scalar() == "10min"


def _waiting_backend(postgres: PostgresServer, database: str, command: subprocess.Popen) -> int:
    """The server process of a qualcode command once it waits for a lock."""
    deadline = time.monotonic() + 60
    with postgres.admin(database) as conn:
        while time.monotonic() < deadline:
            assert command.poll() is None, command.communicate()
            row = conn.execute(
                "SELECT pid FROM pg_stat_activity WHERE application_name = 'qualcode' "
                "AND wait_event_type = 'Lock' AND datname = %s",
                (database,),
            ).fetchone()
            if row is not None:
                return int(row[0])
            time.sleep(0.05)  # polling the server for a condition, not waiting on time
    raise AssertionError("the command never reached its write")


def test_an_open_project_outlives_a_connection_the_server_closed(
    postgres: PostgresServer, pg_database: str, pg_url: str, transcripts
):
    with Project.create(pg_url) as p:  # as a workbench left open
        p.sources.import_files([transcripts["int1"]], ImportOptions(kind="interview"))
        with postgres.admin(pg_database) as conn:
            conn.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE application_name = 'qualcode' AND datname = %s",
                (pg_database,),
            )
        assert [s.name for s in p.sources.all()] == ["int1"]
        p.codebook.add_code("After")
        assert p.codebook.book().find("After")
