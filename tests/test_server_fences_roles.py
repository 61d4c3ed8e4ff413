"""The fences that hold against any client, tried as raw SQL under each role, as a coder or a
lead with psql would: no table lock that freezes the others, ids from the sequence only, the
login identity as the coder whatever ``SET ROLE`` says, a lead never writing as a team member,
and ``SECURITY DEFINER`` functions no one outside the team runs (qualcode.store.fences)."""

from __future__ import annotations

import psycopg
import pytest
from psycopg.types.json import Jsonb

from qualcode.project import Project
from qualcode.store import server
from tests.conftest import INTERVIEW, span
from tests.server_team import Team

LOCKS = ("ACCESS EXCLUSIVE", "EXCLUSIVE", "SHARE ROW EXCLUSIVE", "SHARE", "ROW EXCLUSIVE")


def _coder_id(team: Team, name: str) -> int:
    with team.sql("lena") as lead:
        return int(lead.execute("SELECT id FROM coders WHERE name = %s", (name,)).fetchone()[0])


def _a_coding(team: Team, coder: str) -> dict:
    """A coding row of ``coder``, as JSON for the write functions (its id left out)."""
    with team.sql("lena") as lead:
        row = lead.execute(
            "SELECT to_jsonb(k) - 'id' FROM codings k JOIN coders c ON c.id = k.coder_id "
            "WHERE c.name = %s LIMIT 1",
            (coder,),
        ).fetchone()[0]
    return dict(row)


def _codings_of(team: Team, coder: str) -> int:
    with Project.open(team.url("lena")) as p:
        return sum(1 for c in p.context.store.list_codings() if c.coder == coder)


def test_a_coder_takes_no_lock_that_blocks_the_others(team: Team, qualcode):
    with team.sql("anna") as anna:
        for table in ("codings", "memos", "history", "decisions", "coders", "codes", "meta"):
            for mode in LOCKS:
                with anna.transaction(), pytest.raises(psycopg.errors.InsufficientPrivilege):
                    anna.execute(f"LOCK TABLE {table} IN {mode} MODE")
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            anna.execute("SELECT id FROM codings FOR UPDATE")
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            anna.execute("UPDATE codings SET memo = 'x'")
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            anna.execute("DELETE FROM codings")
    # qualcode's own coding, undo and redo still work, through the write functions.
    url = team.url("anna")
    start, end = span(INTERVIEW, "Time, mostly.")
    qualcode("code", url, "int1", start, end, "Awareness")
    qualcode("uncode", url, "int1", start, end, "Awareness")
    assert "Undid" in qualcode("undo", url).stdout
    assert "Redid" in qualcode("redo", url).stdout
    assert _codings_of(team, "anna") == 1


def test_ids_come_from_the_sequence_only(team: Team, qualcode):
    url = team.url("anna")
    start, end = span(INTERVIEW, "Time, mostly.")
    qualcode("code", url, "int1", start, end, "Awareness")
    qualcode("undo", url)  # her coding's id is now free, and her redo holds it
    with team.sql("lena") as lead:
        (undone,) = lead.execute(
            "SELECT (payload::jsonb->0->>'id')::int FROM history WHERE undone"
        ).fetchone()
        ahead = lead.execute("SELECT last_value + 1 FROM codings_id_seq").fetchone()[0]
        # A lead naming ids, with psql: the sequence gives them instead.
        for shift, taken in enumerate((undone, ahead + 5, 10**6), start=1):
            (given,) = lead.execute(
                'INSERT INTO codings (id, source_id, code_id, coder_id, start, "end", '
                'created_at, memo) SELECT %s, source_id, code_id, %s, start, "end" + %s, '
                "created_at, '' FROM codings LIMIT 1 RETURNING id",
                (taken, _coder_id(team, "lena"), shift),
            ).fetchone()
            assert given == ahead + shift - 1 != taken
        assert lead.execute("SELECT last_value FROM codings_id_seq").fetchone()[0] < 10**6
    bob_id = _coder_id(team, "bob")
    with team.sql("bob") as bob:
        # Nor may bob claim her undone coding's id as one of his own undo steps.
        bob.execute(
            "SELECT qualcode_record('apply', %s, %s, '')", (bob_id, f'[{{"id": {undone}}}]')
        )
        for taken in (ahead + 5, undone):
            row = {**_a_coding(team, "bob"), "id": taken, "start": start, "end": end + taken}
            (added,) = bob.execute(
                "SELECT * FROM qualcode_insert('codings', %s, false)", (Jsonb([row]),)
            ).fetchone()
            assert added["id"] != taken
    # Everyone's next coding goes in, and anna's redo restores hers.
    assert "Redid" in qualcode("redo", url).stdout
    with Project.open(url) as p:
        # Restored (under a new id, as bob's forged step names her old one too).
        assert [c.start for c in p.context.store.list_codings(coder="anna")].count(start) == 1
    other = span(INTERVIEW, "I had never heard of it")
    qualcode("code", team.url("bob"), "int1", other[0], other[1] + 1, "Awareness")
    assert "Undid" in qualcode("undo", team.url("bob")).stdout
    with Project.open(url) as p:
        assert [c.start for c in p.context.store.list_codings(coder="anna")].count(start) == 1
    bobs = _codings_of(team, "bob")
    assert "Undid" in qualcode("undo", url).stdout  # her undo takes back hers, no one else's
    assert _codings_of(team, "bob") == bobs
    with Project.open(url) as p:
        assert [c.start for c in p.context.store.list_codings(coder="anna")].count(start) == 0


def test_set_role_to_the_group_writes_nothing_as_the_group(team: Team):
    """PostgreSQL 15 cannot refuse ``SET ROLE`` to a group a role is a member of (16's
    ``WITH SET FALSE`` can): the fences ask who logged in, which SET ROLE does not change."""
    group, leads = server.group_names(team.database)
    anna = _coder_id(team, "anna")
    with team.sql("anna") as conn:
        conn.execute(f"SET ROLE {group}")
        assert conn.execute("SELECT current_user, session_user").fetchone() == (group, "anna")
        with pytest.raises(psycopg.errors.InsufficientPrivilege, match="may not write a row"):
            conn.execute("SELECT qualcode_insert('coders', %s, false)", (Jsonb([{"name": group}]),))
        with pytest.raises(psycopg.errors.InsufficientPrivilege, match="may not write a row"):
            row = {**_a_coding(team, "anna"), "coder_id": _coder_id(team, "bob"), "start": 0}
            conn.execute("SELECT qualcode_insert('codings', %s, false)", (Jsonb([row]),))
        row = {**_a_coding(team, "anna"), "start": 0, "coder_id": anna}
        (added,) = conn.execute(
            "SELECT * FROM qualcode_insert('codings', %s, false)", (Jsonb([row]),)
        ).fetchone()
        assert added["coder_id"] == anna  # hers, not the group's
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute(f"SET ROLE {leads}")
    with Project.open(team.url("lena")) as p:
        assert group not in p.context.coders()


def test_a_lead_cannot_write_as_a_team_member(team: Team, qualcode):
    anna = _coder_id(team, "anna")
    with team.sql("lena") as lead:
        (theirs,) = lead.execute("SELECT id FROM codings WHERE coder_id = %s", (anna,)).fetchone()
        for statement in (
            'INSERT INTO codings (source_id, code_id, coder_id, start, "end", created_at, memo) '
            "SELECT source_id, code_id, coder_id, 0, 5, created_at, '' FROM codings "
            f"WHERE id = {theirs}",
            f"UPDATE codings SET memo = 'in her name' WHERE id = {theirs}",
            f"UPDATE codings SET start = start + 1 WHERE id = {theirs}",
            f"DELETE FROM codings WHERE id = {theirs}",
            f"INSERT INTO memos (target, text, created_at, coder_id) VALUES "
            f"('project', 'in her name', '', {anna})",
            f"DELETE FROM history WHERE coder_id = {anna}",
        ):
            with pytest.raises(psycopg.errors.InsufficientPrivilege, match="qualcode fence"):
                lead.execute(statement)
        # Nor after making herself a member of anna's role (CREATEROLE lets her).
        lead.execute("GRANT anna TO lena")
        lead.execute("SET ROLE anna")
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            lead.execute(f"UPDATE codings SET memo = 'as anna' WHERE id = {theirs}")
        lead.execute("RESET ROLE")
        lead.execute("REVOKE anna FROM lena")
    assert _codings_of(team, "anna") == 1
    # What the README lets a lead do: code as ``agreed``, and delete a code with its codings.
    start, end = span(INTERVIEW, "Time, mostly.")
    qualcode("code", team.url("lena"), "int1", start, end, "Awareness", "--coder", "agreed")
    qualcode("delete-code", team.url("lena"), "Awareness", "--with-codings")
    assert _codings_of(team, "anna") == 0


def test_security_definer_functions_are_the_teams_only(team: Team):
    with team.sql("postgres") as admin:
        admin.execute("CREATE ROLE eve LOGIN")
        admin.execute(f'GRANT CONNECT ON DATABASE "{team.database}" TO eve')
        definers = admin.execute(
            "SELECT p.oid::regprocedure::text, p.proconfig FROM pg_proc p "
            "WHERE p.prosecdef AND p.pronamespace = 'public'::regnamespace"
        ).fetchall()
        assert {name for name, _ in definers} >= {
            "qualcode_catalog_changed()",
            "qualcode_insert(text,jsonb,boolean)",
        }
        for name, config in definers:
            assert any(c.startswith("search_path=") for c in config), name
            assert not admin.execute(
                "SELECT has_function_privilege('eve', %s, 'EXECUTE')", (name,)
            ).fetchone()[0], name
        catalog = "SELECT has_function_privilege(%s, 'qualcode_catalog_changed()', 'EXECUTE')"
        assert not admin.execute(catalog, ("anna",)).fetchone()[0]
    try:
        with team.sql("eve") as eve, pytest.raises(psycopg.errors.InsufficientPrivilege):
            eve.execute("SELECT qualcode_insert('coders', '[{\"name\": \"eve\"}]', false)")
        with team.sql("anna") as anna, pytest.raises(psycopg.errors.InsufficientPrivilege):
            anna.execute("CREATE TEMP TABLE t (x int)")
    finally:
        with team.sql("postgres") as admin:
            admin.execute(f'REVOKE CONNECT ON DATABASE "{team.database}" FROM eve')
            admin.execute("DROP ROLE eve")


def test_a_project_set_up_by_an_older_qualcode_is_fenced_when_its_owner_opens_it(
    team: Team, qualcode
):
    group, _leads = server.group_names(team.database)
    with team.sql("lena") as lead:  # as qualcode before the fences left it
        lead.execute(f'GRANT INSERT, UPDATE, DELETE ON codings TO "{group}"')
        lead.execute("DROP TRIGGER qualcode_fence ON codings")
        lead.execute("UPDATE meta SET value = '6' WHERE key = 'schema_version'")
    with team.sql("anna") as anna, anna.transaction():
        anna.execute("LOCK TABLE codings IN ACCESS EXCLUSIVE MODE")  # the old hole
    refused = qualcode("codings", team.url("anna"), ok=False)
    assert refused.returncode == 1 and "opens it once to upgrade it" in refused.stderr
    qualcode("codings", team.url("lena"))  # the owner's open upgrades it
    with (
        team.sql("anna") as anna,
        anna.transaction(),
        pytest.raises(psycopg.errors.InsufficientPrivilege),
    ):
        anna.execute("LOCK TABLE codings IN ACCESS EXCLUSIVE MODE")
    with team.sql("lena") as lead:
        assert lead.execute(
            "SELECT count(*) FROM pg_trigger WHERE tgname = 'qualcode_fence'"
        ).fetchone()[0] == len(("codings", "memos", "history", "suggestion_feedback",
                                "pending_suggestions", "decisions", "coders"))  # fmt: skip
    assert "Awareness" in qualcode("codings", team.url("anna")).stdout
