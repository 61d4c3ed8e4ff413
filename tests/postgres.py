"""A real PostgreSQL server for the tests: one per test session, a fresh database per test.

The server binaries are looked for on the PATH, in /usr/local/bin and in the Debian place
(/usr/lib/postgresql/N/bin). PostgreSQL refuses to run as root, and CI runs as root: then
``initdb`` and ``pg_ctl`` run as the ``postgres`` user (``runuser -u postgres --``) on a
data directory and a socket directory made for it (pytest's own temporary folders are
private to root). The server listens on a Unix socket only, never on TCP, with trust
authentication: a role connects by naming itself, as a coder would with a password.

Without PostgreSQL the server tests are skipped with the reason, except when ``CI=true``:
then a missing server fails them, so CI cannot pass without testing the server half.

A run that was killed leaves its folder behind (``/tmp/qualcode-pg-*``), and maybe its server
running; the next run stops such a server and removes the folder (:func:`remove_stale_servers`).
A server whose run is alive, or unknown, is left alone.

There is no template database prepared once per session: what the tests would copy is a set
up project, and a project's team roles are named after its database (``<db>_coders``) and are
the server's, not the database's, so every copy would share the template's team.
"""

from __future__ import annotations

import itertools
import os
import shutil
import signal
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest

SUPERUSER = "postgres"
PREFIX = "qualcode-pg-"
OWNER_FILE = "owner.pid"  # the test run's process id, beside the data folder
_databases = itertools.count(1)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)  # signal 0: only asks whether the process exists
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # it exists, as another user
    return True


def _wait_gone(pid: int, seconds: float = 10.0) -> None:
    deadline = time.monotonic() + seconds
    while _alive(pid) and time.monotonic() < deadline:
        time.sleep(0.05)


def _pid_in(path: Path) -> int | None:
    try:
        return int(path.read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return None


def remove_stale_servers(folder: Path) -> list[Path]:
    """Remove what killed test runs left in ``folder``: a server folder whose postmaster is
    dead (its ``postmaster.pid`` names no process), one whose run is dead (its server, if
    still running, is stopped first), or one never started whose run is dead. Returns the
    folders removed."""
    removed = []
    for root in sorted(folder.glob(f"{PREFIX}*")):
        postmaster = _pid_in(root / "data" / "postmaster.pid")
        owner = _pid_in(root / OWNER_FILE)
        run_dead = owner is not None and not _alive(owner)
        if postmaster is not None and _alive(postmaster):
            if not run_dead:
                continue  # a server of a run still going, or of no known run: not ours to stop
            os.kill(postmaster, signal.SIGQUIT)  # its run was killed: stop it at once
            _wait_gone(postmaster)
            stale = True
        else:
            stale = postmaster is not None or run_dead
        if stale:
            shutil.rmtree(root, ignore_errors=True)
            removed.append(root)
    return removed


def find_bindir() -> Path | None:
    """The folder holding ``initdb`` and ``pg_ctl``, or None if PostgreSQL is not installed."""
    on_path = shutil.which("initdb")
    candidates = [Path(on_path).parent] if on_path else []
    candidates.append(Path("/usr/local/bin"))
    debian = Path("/usr/lib/postgresql")
    if debian.is_dir():
        versions = sorted(debian.iterdir(), key=lambda p: int(p.name) if p.name.isdigit() else 0)
        candidates.extend(v / "bin" for v in reversed(versions))
    for folder in candidates:
        if (folder / "initdb").is_file() and (folder / "pg_ctl").is_file():
            return folder
    return None


class PostgresServer:
    """A throw-away PostgreSQL cluster in a temporary folder, reached by its Unix socket.

    Args:
        bindir: where ``initdb`` and ``pg_ctl`` are.
    """

    def __init__(self, bindir: Path):
        self.bindir = bindir
        self.as_root = os.geteuid() == 0
        self.root = Path(tempfile.mkdtemp(prefix=PREFIX))
        self.root.chmod(0o755)  # the postgres user must reach the socket and data folders
        (self.root / OWNER_FILE).write_text(f"{os.getpid()}\n")
        self.data = self.root / "data"
        self.socket_dir = self.root / "socket"
        self.log = self.root / "socket" / "server.log"
        for folder in (self.data, self.socket_dir):
            folder.mkdir(mode=0o700)
            if self.as_root:
                shutil.chown(folder, SUPERUSER, SUPERUSER)
        self.socket_dir.chmod(0o755)  # every test role connects through it

    def _run(self, *args: str) -> None:
        command = [str(self.bindir / args[0]), *args[1:]]
        if self.as_root:
            command = ["runuser", "-u", SUPERUSER, "--", *command]
        result = subprocess.run(command, capture_output=True, text=True, timeout=120)
        if result.returncode != 0:
            log = self.log.read_text() if self.log.exists() else ""
            raise RuntimeError(f"{' '.join(command)} failed:\n{result.stderr}{log}")

    def start(self) -> None:
        self._run(
            "initdb", "-D", str(self.data), "--auth=trust", "-U", SUPERUSER,
            "-E", "UTF8", "--locale=C", "--no-sync",
        )  # fmt: skip
        options = (
            f"-c listen_addresses='' -k {self.socket_dir} -c fsync=off "
            "-c synchronous_commit=off -c full_page_writes=off -c max_connections=100"
        )
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.log), "-o", options, "-w", "start")

    def stop(self) -> None:
        try:
            self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop")
        finally:
            shutil.rmtree(self.root, ignore_errors=True)

    def url(self, database: str, user: str = SUPERUSER) -> str:
        """The project URL of ``database`` as role ``user``, through the socket."""
        return f"postgresql://{quote(user)}@/{database}?host={quote(str(self.socket_dir))}"

    def admin(self, database: str = "postgres"):  # -> psycopg.Connection
        """A superuser connection (autocommit) for setting up and checking tests."""
        import psycopg

        return psycopg.connect(
            host=str(self.socket_dir), user=SUPERUSER, dbname=database, autocommit=True
        )

    def roles(self) -> set[str]:
        with self.admin() as conn:
            return {r for (r,) in conn.execute("SELECT rolname FROM pg_roles")}

    def create_database(self) -> str:
        name = f"qc_test_{os.getpid()}_{next(_databases)}"
        with self.admin() as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return name

    def drop_database(self, name: str, roles_before: set[str]) -> None:
        """Drop a test's database and every role the test created."""
        with self.admin() as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            for role in sorted(self.roles() - roles_before):
                conn.execute(f'DROP ROLE IF EXISTS "{role}"')


@pytest.fixture(scope="session")
def postgres() -> Iterator[PostgresServer]:
    """The session's PostgreSQL server (started here, stopped at the end)."""
    bindir = find_bindir()
    if bindir is None:
        reason = (
            "PostgreSQL is not installed (no initdb on the PATH, in /usr/local/bin or in "
            "/usr/lib/postgresql/*/bin); install the 'postgresql' package to run the server tests"
        )
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(reason + " (CI=true: the server tests must run)")
        pytest.skip(reason)
    remove_stale_servers(Path(tempfile.gettempdir()))
    server = PostgresServer(bindir)
    try:
        server.start()
    except BaseException:
        shutil.rmtree(server.root, ignore_errors=True)
        raise
    yield server
    server.stop()


@pytest.fixture
def pg_database(postgres: PostgresServer) -> Iterator[str]:
    """A fresh, empty database of its own for one test; its roles are dropped after it."""
    roles_before = postgres.roles()
    name = postgres.create_database()
    yield name
    postgres.drop_database(name, roles_before)


@pytest.fixture
def pg_url(postgres: PostgresServer, pg_database: str) -> str:
    """The URL of a fresh, empty database, as the superuser (who will be its lead)."""
    return postgres.url(pg_database)


LEAD = "lena"


def make_lead(postgres: PostgresServer, database: str, role: str) -> str:
    """Make ``role`` a login role that owns ``database`` and may create roles, but is no
    superuser (so row-level security applies to it), and return its URL of the database."""
    with postgres.admin() as conn:
        conn.execute(f"CREATE ROLE {role} LOGIN CREATEROLE")
        conn.execute(f'ALTER DATABASE "{database}" OWNER TO {role}')
    return postgres.url(database, role)


@pytest.fixture
def lead_url(postgres: PostgresServer, pg_database: str) -> str:
    """The URL of a fresh, empty database as its lead-to-be ``lena`` (see make_lead)."""
    return make_lead(postgres, pg_database, LEAD)


def dump_database(url: str) -> list[str]:
    """Every row of every table of a project on the server, as text, in a fixed order:
    equal dumps mean an unchanged project (the counterpart of conftest's ``dump``)."""
    import psycopg

    with psycopg.connect(url) as conn:
        tables = [
            t
            for (t,) in conn.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename"
            )
        ]
        return [
            f"{table}: {row}"
            for table in tables
            for (row,) in conn.execute(f'SELECT t::text FROM "{table}" t ORDER BY 1')
        ]
