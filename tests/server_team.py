"""A team on the test server, for the tests of its fences: a project led by ``lena`` (not a
superuser, so row-level security applies to her), with coders ``anna`` and ``bob``, each of
whom has coded the same passage once. A pytest plugin (see conftest's ``pytest_plugins``)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import psycopg
import pytest

from qualcode.project import ImportOptions
from tests.postgres import PostgresServer


@dataclass
class Team:
    """The team's database on the server, reached as any of its roles."""

    server: PostgresServer
    database: str

    def url(self, role: str) -> str:
        return self.server.url(self.database, role)

    def sql(self, role: str) -> psycopg.Connection:
        """A raw connection as ``role``, as a coder with psql would have."""
        return psycopg.connect(
            host=str(self.server.socket_dir), user=role, dbname=self.database, autocommit=True
        )


@pytest.fixture
def team(
    postgres: PostgresServer, pg_database: str, lead_url: str, transcripts: dict[str, Path]
) -> Team:
    from qualcode.project import Project
    from tests.conftest import INTERVIEW, span  # the conftest, loaded before its plugins run

    t = Team(postgres, pg_database)
    with Project.create(lead_url) as p:
        p.sources.import_files([transcripts["int1"]], ImportOptions(kind="interview"))
        p.team.add_coder("anna")
        p.team.add_coder("bob")
        start, end = span(INTERVIEW, "I had never heard of it")
        p.coding.apply("int1", start, end, "Awareness", new=True)
    for coder in ("anna", "bob"):
        with Project.open(t.url(coder)) as p:
            p.coding.apply("int1", start, end, "Awareness")
    return t
