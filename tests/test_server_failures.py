"""Every failure on a server is one line, ``qualcode: error: ...``, exit status 1: a dropped
connection or a lock waited on too long during a read, pushes and lead edits racing each
other, values PostgreSQL refuses, names it reserves, damaged URLs and settings. Each case is
made on the real test server: connections cut with ``pg_terminate_backend`` as the
superuser, locks held from another connection."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

import psycopg
import pytest

from tests.conftest import run_qualcode
from tests.server_team import Team


def one_line(*args: object, env: dict[str, str] | None = None) -> str:
    """Run qualcode in a process of its own; it must fail with exactly one error line."""
    result = run_qualcode(*args, ok=False, env=env, timeout=120)
    assert result.returncode == 1, (result.stdout, result.stderr)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("qualcode: error: "), result.stderr
    return lines[0]


def terminate_waiting(team: Team, stop: threading.Event) -> None:
    """Cut the connection of whoever waits for a lock in the team's database, once."""
    with team.server.admin() as admin:
        while not stop.is_set():
            waiting = admin.execute(
                "SELECT pid FROM pg_stat_activity WHERE datname = %s AND wait_event_type = 'Lock'",
                (team.database,),
            ).fetchall()
            for (pid,) in waiting:
                admin.execute("SELECT pg_terminate_backend(%s)", (pid,))
                return
            time.sleep(0.05)


@pytest.fixture
def locked_codings(team: Team):
    """The codings table locked by another connection for the length of the test."""
    with team.server.admin(team.database) as conn:
        conn.autocommit = False
        conn.execute("LOCK TABLE codings IN ACCESS EXCLUSIVE MODE")
        yield
        conn.rollback()


def test_a_report_that_waits_too_long_for_a_lock_is_one_line(team: Team, locked_codings):
    line = one_line("report", team.url("lena"), "frequencies", env={"QUALCODE_BUSY_TIMEOUT": "1"})
    assert "another writer held the project for 1 s" in line


def test_a_report_whose_connection_drops_is_one_line(team: Team, locked_codings):
    stop = threading.Event()
    cutter = threading.Thread(target=terminate_waiting, args=(team, stop), daemon=True)
    cutter.start()
    try:
        line = one_line("report", team.url("lena"), "frequencies")
    finally:
        stop.set()
        cutter.join(5)
    assert "lost the connection to the server" in line


def test_project_calls_while_the_server_is_down_raise_the_project_error(tmp_path: Path):
    from qualcode.errors import ProjectError
    from qualcode.project import Project
    from tests.postgres import PostgresServer, find_bindir

    bindir = find_bindir()
    if bindir is None:
        pytest.skip("PostgreSQL is not installed")
    own = PostgresServer(bindir)  # a server of its own, to stop under an open project
    own.start()
    running = True
    try:
        database = own.create_database()
        url = own.url(database)
        p = Project.create(url)
        assert p.sources.all() == []
        own._run("pg_ctl", "-D", str(own.data), "-m", "immediate", "-w", "stop")
        running = False
        for call in (p.sources.all, lambda: p.codebook.add_code("Awareness")):
            with pytest.raises(ProjectError, match="cannot reach the server") as info:
                call()
            assert str(info.value).startswith(f"{p.context.store.label}: ")
        p.close()
    finally:
        if running:
            own.stop()
        else:
            shutil.rmtree(own.root, ignore_errors=True)


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("postgresql://lena@/db?port=notaport", "port 'notaport' is not a number"),
        ("postgresql://lena@host:notaport/db", "Port could not be cast to integer"),
        ("postgresql://[::1/tf", "Invalid IPv6 URL"),
        ("postgresql://lena:secret@[::1/tf", "Invalid IPv6 URL"),
    ],
)
def test_a_url_that_cannot_be_parsed_is_one_line(url: str, reason: str):
    line = one_line("sources", url)
    assert "is not a valid server URL" in line and reason in line
    assert "secret" not in line


@pytest.mark.parametrize("name", ["public", "none", "current_user", "{db}_coders", "{db}_leads"])
def test_team_add_of_a_reserved_or_group_name_is_one_line(team: Team, name: str):
    name = name.format(db=team.database)
    before = team.server.roles(), memberships(team)
    line = one_line("team", "add", team.url("lena"), name)
    assert f"{name!r} cannot be a coder" in line, line
    assert (team.server.roles(), memberships(team)) == before


def memberships(team: Team) -> set[tuple[str, str]]:
    with team.server.admin() as conn:
        query = "SELECT roleid::regrole::text, member::regrole::text FROM pg_auth_members"
        return set(conn.execute(query).fetchall())


def test_a_code_name_over_the_limit_is_refused_on_both_engines(any_project_path):
    from qualcode.project import Project
    from tests.conftest import dump

    Project.create(any_project_path).close()
    long_name = "A" * 301
    line = one_line("add-code", any_project_path, long_name)
    assert line.endswith(
        "a code name has at most 300 characters; " + repr("A" * 40) + "... has 301"
    )
    run_qualcode("add-code", any_project_path, "Awareness")
    before = dump(any_project_path)
    line = one_line("rename-code", any_project_path, "Awareness", long_name)
    assert "at most 300 characters" in line
    assert dump(any_project_path) == before
    run_qualcode("add-code", any_project_path, "A" * 300)  # the limit itself is fine


@pytest.fixture
def anna_clone(team: Team, tmp_path: Path) -> Path:
    """anna's clone of the team's project."""
    local = tmp_path / "anna.qcdb"
    run_qualcode("clone", team.url("anna"), local)
    return local


@pytest.mark.parametrize("where", ["coding memo", "project memo"])
def test_a_nul_in_a_clones_memo_is_one_line_on_push(team: Team, anna_clone: Path, where: str):
    from qualcode.project import Project
    from tests.postgres import dump_database

    with Project.open(anna_clone) as p:
        if where == "coding memo":
            [coding] = [c for c in p.context.store.list_codings(coder="anna")]
            p.coding.set_coding_memo(coding.id, "said\x00twice")
        else:
            p.coding.add_memo("a note\x00 on the study")
    before = dump_database(team.url("lena"))
    result = run_qualcode("push", anna_clone, ok=False)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "NUL" in lines[0], lines[0]
    if result.returncode == 0:  # stripped, and said so
        assert "\x00" not in "".join(dump_database(team.url("lena")))
    else:
        assert lines[0].startswith("qualcode: error: ")
        assert dump_database(team.url("lena")) == before


def run_behind(team: Team, held: psycopg.Connection, *args: object) -> str:
    """Run qualcode while ``held`` (a transaction of someone else) holds the rows it needs;
    commit ``held`` once the command waits for them; return the command's one error line."""
    import subprocess
    import sys

    command = subprocess.Popen(
        [sys.executable, "-m", "qualcode", *map(str, args)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        with team.server.admin() as admin:
            deadline = time.monotonic() + 60
            while not admin.execute(
                "SELECT 1 FROM pg_stat_activity WHERE datname = %s AND wait_event_type = 'Lock'",
                (team.database,),
            ).fetchall():
                assert command.poll() is None, command.communicate()
                assert time.monotonic() < deadline, "the command never waited for the rows"
                time.sleep(0.05)
        held.commit()
        out, err = command.communicate(timeout=60)
    finally:
        if command.poll() is None:
            command.kill()
    assert command.returncode == 1, (out, err)
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("qualcode: error: "), err
    return lines[0]


def test_a_coding_made_while_the_lead_deletes_its_code_is_one_line(team: Team):
    with team.server.admin(team.database) as lead:
        lead.autocommit = False
        lead.execute("DELETE FROM codings")
        lead.execute("DELETE FROM codes WHERE name = 'Awareness'")
        line = run_behind(team, lead, "code", team.url("anna"), "int1", 0, 5, "Awareness")
    assert "someone else removed what this command refers to on the server meanwhile" in line
    assert "run the command again" in line


# anna codes "Awareness" at 0-5 in every source, as qualcode writes on a server: through the
# fence function (a coder holds no INSERT on the tables).
ANNA_CODES = (
    "SELECT qualcode_insert('codings', jsonb_build_array(jsonb_build_object("
    "'source_id', s.id, 'code_id', c.id, 'coder_id', k.id, 'start', 0, 'end', 5, "
    "'created_at', 'now', 'memo', '')), false) "
    "FROM sources s, codes c, coders k WHERE c.name = 'Awareness' AND k.name = 'anna'"
)


def test_a_lead_deleting_a_code_a_coder_codes_meanwhile_is_one_line(team: Team):
    with team.sql("anna") as coder:  # anna coding, not yet committed
        coder.autocommit = False
        coder.execute(ANNA_CODES)
        line = run_behind(
            team, coder, "delete-code", team.url("lena"), "Awareness", "--with-codings"
        )
    assert "someone else" in line and "meanwhile" in line and "run the command again" in line


def test_a_coder_exports_without_a_lead_exporting_first(team: Team, tmp_path: Path):
    import zipfile

    from qualcode.project import Project

    with Project.open(team.url("lena")) as lead:
        lead.team.add_coder("cleo")  # a new coder and a new code since any export
        lead.codebook.add_code("Barriers")
    out = tmp_path / "anna.qdpx"
    result = run_qualcode("export", team.url("anna"), out, ok=False)
    assert result.returncode == 0, result.stderr
    run_qualcode("export", team.url("anna"), tmp_path / "anna.qdc")
    run_qualcode("export", team.url("lena"), tmp_path / "lena.qdpx")
    run_qualcode("export", team.url("anna"), tmp_path / "again.qdpx")
    qde = [
        zipfile.ZipFile(tmp_path / f).read("project.qde")
        for f in ("anna.qdpx", "lena.qdpx", "again.qdpx")
    ]
    guids = [set(re.findall(rb'guid="([^"]+)"', q)) for q in qde]
    assert guids[0] == guids[1] == guids[2]  # the same GUIDs, whoever exports, every time


def test_a_push_racing_the_same_coders_other_push_is_one_line(team: Team, anna_clone: Path):
    run_qualcode("code", anna_clone, "int1", 0, 5, "Awareness")
    with team.sql("anna") as other:  # the other push, not yet committed
        other.autocommit = False
        other.execute(ANNA_CODES)
        try:
            line = run_behind(team, other, "push", anna_clone)
        except AssertionError as exc:  # serialised instead: it waited, then pushed
            pytest.fail(f"{exc}")
    assert "meanwhile" in line and "run the command again" in line


def test_two_inits_of_one_server_at_once_one_wins_the_other_says_so(
    postgres, pg_database: str, lead_url: str
):
    other = Team(postgres, pg_database)
    with postgres.admin(pg_database) as first:  # the first init, not yet committed
        first.autocommit = False
        first.execute("CREATE TABLE meta (key text PRIMARY KEY, value text)")
        line = run_behind(other, first, "init", lead_url)
    assert "meanwhile" in line and "run the command again" in line
    line = one_line("init", lead_url)  # and run again, it says what is there
    assert "already holds a qualcode project" in line or "is not empty" in line


PIPELINE_CUT = """
import sys
import psycopg
import qualcode.store.server  # loaded by every qualcode command on a server
host, database = sys.argv[1:]
conn = psycopg.connect(host=host, user="postgres", dbname=database, autocommit=True)
admin = psycopg.connect(host=host, user="postgres", dbname=database, autocommit=True)
try:
    with conn.pipeline():  # as executemany runs, a push's batch of rows
        admin.execute("SELECT pg_terminate_backend(%s, 10000)", (conn.info.backend_pid,))
        conn.execute("SELECT 1")
except psycopg.OperationalError:
    print("lost")
"""


def test_a_connection_cut_inside_a_pipeline_adds_no_line_of_psycopgs(team: Team):
    # psycopg logs "error ignored terminating <psycopg.Pipeline [BAD] ...>" as it gives up the
    # pipeline; with no logging set up, Python prints that on stderr beside qualcode's line.
    host = str(team.server.socket_dir)
    result = subprocess.run(
        [sys.executable, "-c", PIPELINE_CUT, host, team.database],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.stdout.strip() == "lost", result.stderr
    assert result.stderr == ""
