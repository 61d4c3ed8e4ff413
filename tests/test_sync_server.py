"""clone, push and pull against a real PostgreSQL server, each coder connecting as their own
role, with the row-level security of a team project in force."""

from __future__ import annotations

from pathlib import Path

import pytest

from qualcode.project import Project
from qualcode.project.sync import clone, pull, push
from qualcode.store.server import group_names
from tests.conftest import span
from tests.postgres import PostgresServer

QUIET = "Honestly, no."
NEVER = "I had never heard of it before you called."
TIME = "Time, mostly."


def add_coder(postgres: PostgresServer, database: str, name: str) -> str:
    """A login role in the project's coders' group; its URL."""
    coders, _ = group_names(database)
    with postgres.admin(database) as conn:
        conn.execute(f'CREATE ROLE "{name}" LOGIN')
        conn.execute(f'GRANT "{coders}" TO "{name}"')
    return postgres.url(database, name)


@pytest.fixture
def team(postgres: PostgresServer, pg_database: str, pg_url: str, transcripts) -> dict[str, str]:
    """A server project set up by its lead, with coders anna and ben; their URLs."""
    with Project.create(pg_url) as lead:
        lead.import_files([transcripts["int1"]], kind="interview")
        lead.add_code("Awareness", definition="Knowing the programme exists.")
        lead.add_code("Time constraints")
    urls = {"lead": pg_url}
    for name in ("anna", "ben"):
        urls[name] = add_coder(postgres, pg_database, name)
    with Project.open(urls["ben"]) as ben:
        ben.apply_code("int1", *span(ben.source("int1").text, NEVER), "Awareness")
    return urls


def _codings(url: str) -> set[tuple[str, str]]:
    with Project.open(url) as p:
        return {(s.coding.coder, s.text) for s in p.codings()}


def test_clone_code_offline_push_twice_and_pull(team: dict[str, str], tmp_path: Path):
    local = tmp_path / "anna.qcdb"
    report = clone(team["anna"], local)
    assert report.coder == "anna" and report.codings_added == 1
    with Project.open(local) as p:  # offline: a file, coded as anna
        assert p.coder == "anna"
        text = p.source("int1").text
        p.apply_code("int1", *span(text, QUIET), "Awareness")
        p.apply_code("int1", *span(text, TIME), "Time constraints")
        p.add_memo("anna: time first", code="Time constraints")

    assert push(local).summary() == "pushed 2 new codings, 0 removals, 1 memo"
    assert _codings(team["lead"]) == {("ben", NEVER), ("anna", QUIET), ("anna", TIME)}
    assert push(local).summary() == "pushed 0 new codings, 0 removals, 0 memos"
    assert len(_codings(team["lead"])) == 3

    with Project.open(local) as p:
        p.remove_code("int1", *span(p.source("int1").text, TIME), "Time constraints")
    with Project.open(team["ben"]) as ben:
        ben.apply_code("int1", *span(ben.source("int1").text, TIME), "Time constraints")
    assert push(local).summary() == "pushed 0 new codings, 1 removal, 0 memos"
    assert pull(local).summary() == "pulled 1 new coding, 0 removals, 0 memos"
    assert (
        _codings(str(local))
        == _codings(team["lead"])
        == {
            ("ben", NEVER),
            ("ben", TIME),
            ("anna", QUIET),
        }
    )


def test_a_clone_is_its_roles_and_never_changes_the_codebook_or_another_coder(
    team: dict[str, str], tmp_path: Path
):
    local = tmp_path / "anna.qcdb"
    with pytest.raises(Exception, match="connect as 'ben'"):
        clone(team["anna"], local, coder="ben")
    clone(team["anna"], local)
    with Project.open(local) as p:
        text = p.source("int1").text
        p.apply_code("int1", *span(text, QUIET), "Workload", new=True)
        p.remove_code("int1", *span(text, NEVER), "Awareness", coder="ben")
    report = push(local)
    assert report.summary() == "pushed 0 new codings, 0 removals, 0 memos; 1 conflict:"
    assert "code 'Workload', which the server's codebook does not have" in report.conflicts[0]
    assert report.notes == [
        "1 coding by ben removed in this copy is not pushed: a push sends only anna's work"
    ]
    with Project.open(team["lead"]) as lead:
        assert [c.name for c in lead.codebook()] == ["Awareness", "Time constraints"]
    assert ("ben", NEVER) in _codings(team["lead"])
