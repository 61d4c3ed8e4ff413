"""Coders are database roles, fenced in the database: a coder writes only their own codings,
memos and undo history, the codebook and the sources are the lead's, everyone reads all.
Each fence is tried through the command line and through raw SQL as the coder's role."""

from __future__ import annotations

import json

import psycopg
import pytest
from psycopg.types.json import Jsonb

from qualcode.errors import ProjectError
from qualcode.project import Project
from tests.conftest import INTERVIEW, span
from tests.server_team import Team


def counts(url: str) -> dict[str, int]:
    with Project.open(url) as p:
        return p.context.store.counts()


def test_the_lead_adds_lists_and_removes_coders(team: Team, qualcode):
    url = team.url("lena")
    listed = json.loads(qualcode("team", "list", url, "--format", "json").stdout)
    assert listed == [
        {"coder": "anna", "lead": False, "codings": 1},
        {"coder": "bob", "lead": False, "codings": 1},
        {"coder": "lena", "lead": True, "codings": 1},
    ]
    added = qualcode("team", "add", url, "carl", "--lead")
    assert "Created role carl" in added.stdout and "no password" in added.stdout
    qualcode("team", "remove", url, "bob")
    names = {
        r["coder"]: r["lead"]
        for r in json.loads(qualcode("team", "list", url, "-f", "json").stdout)
    }
    assert names == {"anna": False, "carl": True, "lena": True}
    # bob's role and codings stay; he may no longer connect to the project.
    assert [c.coder for c in Project.open(url).context.store.list_codings()].count("bob") == 1
    refused = qualcode("codings", team.url("bob"), ok=False)
    assert refused.returncode == 1 and "cannot connect" in refused.stderr


def test_a_coder_cannot_change_the_team(team: Team, qualcode):
    before = team.server.roles()
    result = qualcode("team", "add", team.url("anna"), "carl", ok=False)
    assert result.returncode == 1
    assert result.stderr.count("\n") == 1
    assert "only a lead may add coders; anna is a coder" in result.stderr
    assert team.server.roles() == before
    removed = qualcode("team", "remove", team.url("anna"), "bob", ok=False)
    assert "only a lead may remove coders" in removed.stderr


def test_a_coder_codes_as_their_role_and_never_as_another(team: Team, qualcode):
    url = team.url("anna")
    start, end = span(INTERVIEW, "Time, mostly.")
    qualcode("code", url, "int1", start, end, "Awareness")
    before = counts(url)
    result = qualcode("code", url, "int1", 0, 9, "Awareness", "--coder", "bob", ok=False)
    assert result.returncode == 1 and result.stderr.count("\n") == 1
    assert "you code as the role you connect as (anna), not as 'bob'" in result.stderr
    assert counts(url) == before
    with Project.open(url) as p:
        assert {c.coder for c in p.context.store.list_codings() if c.start == start} == {"anna"}


def test_a_coder_cannot_remove_or_annotate_another_coders_coding(team: Team, qualcode):
    url = team.url("anna")
    start, end = span(INTERVIEW, "I had never heard of it")
    result = qualcode("uncode", url, "int1", start, end, "Awareness", "--coder", "bob", ok=False)
    assert result.returncode == 1 and "not as 'bob'" in result.stderr
    with Project.open(url) as p:
        bobs = next(c for c in p.context.store.list_codings() if c.coder == "bob")
        with pytest.raises(ProjectError, match="not as 'bob'"):
            p.coding.remove_coding(bobs.id)
        with pytest.raises(ProjectError, match="another coder's"):
            p.coding.set_coding_memo(bobs.id, "mine now")
        assert next(c for c in p.context.store.list_codings() if c.id == bobs.id) == bobs
        # What a coder may do: a memo of their own on it.
        p.coding.add_memo("see bob's coding", coding=bobs.id)
        assert [m.coder for m in p.coding.memos() if m.text == "see bob's coding"] == ["anna"]


def test_the_codebook_and_the_sources_are_the_leads(team: Team, transcripts, qualcode):
    url = team.url("anna")
    before = counts(url)
    new_code = qualcode("code", url, "int1", 0, 9, "Recognition", "--new", ok=False)
    assert new_code.returncode == 1 and new_code.stderr.count("\n") == 1
    assert "the codebook is the lead's to change: you may code with its codes" in new_code.stderr
    imported = qualcode("import", url, transcripts["panel1"], ok=False)
    assert imported.returncode == 1
    assert "importing and changing sources is the lead's" in imported.stderr
    renamed = qualcode("rename-code", url, "Awareness", "Knowing", ok=False)
    assert "the codebook is the lead's" in renamed.stderr
    assert counts(url) == before
    # The lead may.
    qualcode("code", team.url("lena"), "int1", 0, 9, "Recognition", "--new")


def test_raw_sql_as_a_coder_meets_the_same_fences(team: Team):
    with team.sql("lena") as lead:
        bob = lead.execute("SELECT id FROM coders WHERE name = 'bob'").fetchone()[0]
        row = lead.execute("SELECT * FROM codings WHERE coder_id = %s", (bob,)).fetchone()
        history = lead.execute("SELECT count(*) FROM history").fetchone()[0]
    with team.sql("anna") as anna:
        # No table is written directly (qualcode.store.fences), another's rows not even
        # through the write functions: nothing is updated or deleted.
        for statement in (
            'UPDATE codings SET "end" = "end" + 1 WHERE coder_id = %s',
            "DELETE FROM codings WHERE coder_id = %s",
            "DELETE FROM history WHERE coder_id = %s",
            'INSERT INTO codings (source_id, code_id, coder_id, start, "end", created_at, '
            "memo) SELECT source_id, code_id, %s, 0, 5, 'now', '' FROM codings LIMIT 1",
            "INSERT INTO memos (target, text, coder_id, created_at) "
            "VALUES ('project', 'x', %s, 'now')",
        ):
            with pytest.raises(psycopg.errors.InsufficientPrivilege, match="permission denied"):
                anna.execute(statement, (bob,))
        for table in ("codings", "history"):
            delete = f"SELECT count(*) FROM qualcode_delete('{table}', NULL, %s)"
            assert anna.execute(delete, (bob,)).fetchone()[0] == 0
        update = "SELECT qualcode_update('codings', %s, '{\"end\": 99}')"
        assert anna.execute(update, ([row[0]],)).fetchone()[0] == 0
        memo = {"target": "project", "text": "x", "coder_id": bob, "created_at": "now"}
        with pytest.raises(psycopg.errors.InsufficientPrivilege, match="may not write a row"):
            anna.execute("SELECT qualcode_insert('memos', %s, false)", (Jsonb([memo]),))
        with pytest.raises(psycopg.errors.InsufficientPrivilege, match="permission denied"):
            anna.execute("INSERT INTO codes (name) VALUES ('Mine')")
        with pytest.raises(psycopg.errors.InsufficientPrivilege, match="permission denied"):
            anna.execute("UPDATE sources SET text = ''")
        with pytest.raises(psycopg.errors.InsufficientPrivilege, match="permission denied"):
            anna.execute("UPDATE coders SET name = 'mallory'")
        with pytest.raises(psycopg.errors.InsufficientPrivilege, match="permission denied"):
            anna.execute("DELETE FROM meta")
        # Everyone reads everything.
        assert anna.execute("SELECT count(*) FROM codings").fetchone()[0] == 3
    with team.sql("lena") as lead:
        assert lead.execute("SELECT * FROM codings WHERE coder_id = %s", (bob,)).fetchone() == row
        assert lead.execute("SELECT count(*) FROM history").fetchone()[0] == history


def test_undo_is_per_coder(team: Team):
    with Project.open(team.url("anna")) as anna, Project.open(team.url("bob")) as bob:
        start, end = span(INTERVIEW, "Time, mostly.")
        anna.coding.apply("int1", start, end, "Awareness")
        bob.coding.apply("int1", start, end, "Awareness")
        assert anna.coding.undo() == "apply"
        assert [c.coder for c in bob.context.store.list_codings() if c.start == start] == ["bob"]
        assert anna.coding.undo() == "apply"  # anna's first coding, made in the fixture
        assert bob.coding.undo() == "apply"
        assert sorted(c.coder for c in bob.context.store.list_codings()) == ["bob", "lena"]


def test_a_lead_without_createrole_is_told_who_creates_roles(team: Team, qualcode):
    with team.server.admin() as conn:
        conn.execute("CREATE ROLE mia LOGIN")
    qualcode("team", "add", team.url("lena"), "mia", "--lead")
    result = qualcode("team", "add", team.url("mia"), "nora", ok=False)
    assert "there is no role 'nora' on the server, and mia may not create roles" in result.stderr
    with team.server.admin() as conn:
        conn.execute("CREATE ROLE nora LOGIN")
    added = qualcode("team", "add", team.url("mia"), "nora")
    assert "nora is now a coder" in added.stdout


def test_team_commands_on_a_project_file_say_what_they_are_for(project_path, qualcode):
    qualcode("init", project_path)
    result = qualcode("team", "list", project_path, ok=False)
    assert "the team is for a project on a server" in result.stderr
