"""A project on a PostgreSQL server: set up, opened and used through its URL (a real server,
started by the ``postgres`` fixture)."""

from __future__ import annotations

import psycopg
import pytest

from qualcode.errors import ProjectError
from qualcode.examples import CODINGS, MANIFEST, examples_root
from qualcode.project import ImportOptions, Project
from qualcode.store import schema
from tests.postgres import PostgresServer


def test_init_sets_up_an_empty_database_and_open_finds_it(pg_url: str, transcripts):
    with Project.create(pg_url, language="de") as p:
        assert p.context.coder == "postgres"  # the connecting role is the lead and the coder
        p.sources.import_files([transcripts["int1"]], ImportOptions(kind="interview"))
    with Project.open(pg_url) as p:
        assert p.context.language == "de"
        assert p.context.settings().schema_version == schema.SCHEMA_VERSION
        assert [s.name for s in p.sources.all()] == ["int1"]
        assert p.context.coders() == ["postgres"]


def test_init_refuses_a_database_that_holds_a_project_or_other_tables(
    postgres: PostgresServer, pg_database: str, pg_url: str
):
    Project.create(pg_url).close()
    with pytest.raises(ProjectError, match="already holds a qualcode project"):
        Project.create(pg_url)
    other = postgres.create_database()
    with postgres.admin(other) as conn:
        conn.execute("CREATE TABLE invoices (id int)")
    with pytest.raises(ProjectError, match=r"is not empty .*invoices"):
        Project.create(postgres.url(other))
    with postgres.admin(other) as conn:
        tables = [
            r
            for (r,) in conn.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
        ]
    assert tables == ["invoices"]


def test_a_database_without_a_project_or_a_missing_one_is_a_one_line_error(
    postgres: PostgresServer, pg_url: str
):
    with pytest.raises(ProjectError, match="not a qualcode project"):
        Project.open(pg_url)
    missing = postgres.url("no_such_db")
    with pytest.raises(
        ProjectError,
        match=r'cannot connect to the server: .*"no_such_db" does not exist; .*createdb',
    ):
        Project.open(missing)
    with pytest.raises(ProjectError, match="names no database"):
        Project.open("postgresql://postgres@/")


def test_init_refuses_another_coder_name_and_leaves_the_database_empty(
    postgres: PostgresServer, pg_database: str, pg_url: str
):
    with pytest.raises(ProjectError, match="the coder is the role that connects"):
        Project.create(pg_url, coder="anna")
    with postgres.admin(pg_database) as conn:
        assert conn.execute(
            "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'"
        ).fetchone() == (0,)


def test_the_command_line_takes_a_url_everywhere_it_takes_a_file(
    pg_url: str, transcripts, qualcode
):
    created = qualcode("init", pg_url, "--language", "en")
    assert "Created" in created.stdout
    qualcode("import", pg_url, transcripts["int1"])
    text = transcripts["int1"].read_text()
    start = text.index("I had never heard of it")
    qualcode("code", pg_url, "int1", start, start + 23, "Awareness", "--new")
    codings = qualcode("codings", pg_url, "--format", "json")
    assert "I had never heard of it" in codings.stdout
    report = qualcode("report", pg_url, "frequencies", "--format", "csv")
    assert "Awareness" in report.stdout
    again = qualcode("init", pg_url, ok=False)
    assert again.returncode == 1
    assert again.stderr.startswith("qualcode: error: ") and again.stderr.count("\n") == 1
    assert "already holds a qualcode project" in again.stderr


def test_a_password_in_the_url_is_never_printed(postgres: PostgresServer):
    url = postgres.url("no_such_db").replace("postgres@", "postgres:s3cret@")
    url += "&password=s3cret"
    with pytest.raises(ProjectError, match="cannot connect") as info:
        Project.open(url)
    assert "s3cret" not in str(info.value)
    assert "postgres@" in str(info.value)


def test_a_role_that_may_not_create_tables_is_told_who_can_set_up(
    postgres: PostgresServer, pg_database: str
):
    with postgres.admin() as conn:
        conn.execute("CREATE ROLE nina LOGIN CREATEROLE")
    with pytest.raises(ProjectError, match="needs a role that may create tables") as info:
        Project.create(postgres.url(pg_database, "nina"))
    assert "\n" not in str(info.value)


def test_an_older_project_is_upgraded_by_a_lead_and_its_new_table_fenced(
    postgres: PostgresServer, pg_database: str, lead_url: str, monkeypatch
):
    with Project.create(lead_url) as p:
        p.team.add_coder("anna")

    def add_table(conn):
        conn.exec_driver_sql("CREATE TABLE reviews (id serial PRIMARY KEY, note text)")

    monkeypatch.setattr(schema, "SCHEMA_VERSION", schema.SCHEMA_VERSION + 1)
    monkeypatch.setitem(schema.MIGRATIONS, schema.SCHEMA_VERSION - 1, add_table)
    anna = postgres.url(pg_database, "anna")
    with pytest.raises(
        ProjectError, match="lena, who set it up and owns its tables, opens it once"
    ):
        Project.open(anna)
    with Project.open(lead_url) as p:
        assert p.context.settings().schema_version == schema.SCHEMA_VERSION
    with Project.open(anna) as p:
        assert p.context.settings().schema_version == schema.SCHEMA_VERSION
    with psycopg.connect(anna) as conn:
        assert conn.execute("SELECT count(*) FROM reviews").fetchone() == (0,)
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("INSERT INTO reviews (note) VALUES ('mine')")


def _counts(url: str) -> dict[str, int]:
    with Project.open(url) as p:
        return p.context.store.counts()


def test_a_refi_qda_project_imports_into_a_server_project(pg_url: str, qualcode):
    qualcode("init", pg_url)
    qualcode("import", pg_url, examples_root() / MANIFEST)
    anna = examples_root() / CODINGS / "anna.qdpx"
    before = _counts(pg_url)
    dry = qualcode("import", pg_url, anna, "--dry-run")
    assert "Dry run: nothing was written." in dry.stdout
    assert _counts(pg_url) == before
    qualcode("import", pg_url, anna)
    with Project.open(pg_url) as p:
        assert {c.coding.coder for c in p.coding.codings()} == {"anna"}
        assert p.context.store.counts()["codings"] > before["codings"]
