"""What each feature writes on a server, fenced per coder: the review queue, reconciling into
``agreed``, memos, suggestion feedback and undo history; who may write as which coder
(``--coder``); and a server refused as a merge input. Each fence is tried through the
command line or the facade and through raw SQL as the coder's role."""

from __future__ import annotations

import json

import psycopg
import pytest

from qualcode.errors import ProjectError
from qualcode.examples import CODINGS, examples_root
from qualcode.model import Suggestion
from qualcode.project import ImportOptions, Project
from tests.conftest import INTERVIEW, dump, span
from tests.server_team import Team

INSERT_PENDING = (
    'INSERT INTO pending_suggestions (source_id, start, "end", code_id, label, suggester, '
    "score, precision, evidence, created_at, coder_id) "
    'SELECT source_id, start, "end", code_id, label, suggester, score, precision, evidence, '
    "created_at, %s FROM pending_suggestions LIMIT 1"
)


def _refused(conn: psycopg.Connection, statement: str, params: tuple = ()) -> None:
    """``statement`` as raw SQL is refused by the server: a coder writes no table directly."""
    with pytest.raises(psycopg.errors.InsufficientPrivilege, match="permission denied for table"):
        conn.execute(statement, params)


def _ids(conn: psycopg.Connection, table: str) -> list[int]:
    return [int(i) for (i,) in conn.execute(f"SELECT id FROM {table}")]


def _coder_id(team: Team, name: str) -> int:
    with team.sql("lena") as lead:
        return int(lead.execute("SELECT id FROM coders WHERE name = %s", (name,)).fetchone()[0])


def _queue(team: Team, role: str, qualcode) -> int:
    out = qualcode(
        "suggest", team.url(role), "--all", "--min-precision", "0.4", "--format", "json"
    ).stdout
    return int(json.loads(out)[0]["queued"])


@pytest.fixture
def queued(team: Team, transcripts) -> Team:
    """The team with codes a suggester can suggest, on two sources."""
    with Project.open(team.url("lena")) as lead:
        lead.sources.import_files([transcripts["panel1"]], ImportOptions(kind="expert_panel"))
        lead.codebook.add_code("Time", definition="Lack of time", keywords=("time",))
        lead.codebook.update_code("Awareness", keywords=("never heard", "know the programme"))
    return team


def test_two_coders_queue_and_decide_without_touching_each_others_queue(queued: Team, qualcode):
    team = queued
    assert _queue(team, "anna", qualcode) > 0
    assert _queue(team, "bob", qualcode) > 0
    with Project.open(team.url("anna")) as anna, Project.open(team.url("bob")) as bob:
        mine, theirs = anna.suggestions.pending(), bob.suggestions.pending()
        assert {p.id for p in mine}.isdisjoint(p.id for p in theirs)
        times = [p.id for p in mine if p.suggestion.label == "Time"]
        assert anna.suggestions.decide_pending(times, accept=True) == len(times) > 0
        assert bob.suggestions.pending() == theirs
        # Bob deciding anna's suggestions decides nothing: they are not in his queue.
        rest = [p.id for p in anna.suggestions.pending()]
        assert bob.suggestions.decide_pending(rest, accept=False) == 0
        assert [p.id for p in anna.suggestions.pending()] == rest
        accepted = {c.coding.coder for c in anna.coding.codings() if c.code == "Time"}
        assert accepted == {"anna"}
    # Anna queues again: her queue is made anew, bob's stays.
    _queue(team, "anna", qualcode)
    with Project.open(team.url("bob")) as bob:
        assert bob.suggestions.pending() == theirs


def test_raw_sql_as_a_coder_cannot_touch_anothers_queue(queued: Team, qualcode):
    team = queued
    _queue(team, "bob", qualcode)
    bob = _coder_id(team, "bob")
    with team.sql("anna") as anna:
        assert anna.execute("SELECT count(*) FROM pending_suggestions").fetchone()[0] > 0
        _refused(anna, "DELETE FROM pending_suggestions")
        _refused(anna, "UPDATE pending_suggestions SET score = 1")
        _refused(anna, INSERT_PENDING, (bob,))
        # Through the write functions: bob's rows are not hers to touch.
        ids = _ids(anna, "pending_suggestions")
        update = "SELECT qualcode_update('pending_suggestions', %s, '{\"score\": 1}')"
        assert anna.execute(update, (ids,)).fetchone()[0] == 0
        delete = "SELECT count(*) FROM qualcode_delete('pending_suggestions', %s, NULL)"
        assert anna.execute(delete, (ids,)).fetchone()[0] == 0
        row = anna.execute(
            "SELECT to_jsonb(p) - 'id' FROM pending_suggestions p LIMIT 1"
        ).fetchone()[0]
        with pytest.raises(psycopg.errors.InsufficientPrivilege, match="may not write a row"):
            anna.execute(
                "SELECT qualcode_insert('pending_suggestions', %s, false)",
                (psycopg.types.json.Jsonb([{**row, "coder_id": bob}]),),
            )
    with Project.open(team.url("bob")) as p:
        assert all(x.suggestion.score < 1 for x in p.suggestions.pending())


def test_reconciling_into_agreed_is_a_leads_and_fenced(team: Team, qualcode):
    coders = ["--coders", "anna", "bob"]
    refused = qualcode("reconcile", team.url("anna"), *coders, "--accept", "anna", ok=False)
    assert refused.returncode == 1 and refused.stderr.count("\n") == 1
    assert "only a lead writes as a coder that is no role" in refused.stderr
    done = qualcode("reconcile", team.url("lena"), *coders, "--accept", "anna")
    assert "agreed gets the 1 sentence anna and bob coded alike (decision #1)." in done.stdout
    agreed = _coder_id(team, "agreed")
    with team.sql("anna") as anna:
        _refused(anna, "DELETE FROM codings WHERE coder_id = %s", (agreed,))
        _refused(anna, "DELETE FROM history WHERE coder_id = %s", (agreed,))
        for table in ("codings", "history"):
            delete = f"SELECT count(*) FROM qualcode_delete('{table}', NULL, %s)"
            assert anna.execute(delete, (agreed,)).fetchone()[0] == 0
    with Project.open(team.url("lena")) as p:
        assert [c.coder for c in p.context.store.list_codings()].count("agreed") == 1
    # The decision log: everyone reads it, a coder writes only decisions they made.
    with team.sql("anna") as anna:
        assert anna.execute("SELECT decided_by, kind FROM decisions").fetchall() == [
            ("lena", "agreements")
        ]
        _refused(anna, "UPDATE decisions SET undone = true")
        _refused(anna, "DELETE FROM decisions")
        ids = _ids(anna, "decisions")
        update = "SELECT qualcode_update('decisions', %s, '{\"undone\": true}')"
        assert anna.execute(update, (ids,)).fetchone()[0] == 0
        decision = {
            "kind": "pick", "choice": "none", "into_id": agreed, "coders": "anna,bob",
            "unit": "sentence", "decided_by": "lena", "created_at": "", "count": 1,
        }  # fmt: skip
        with pytest.raises(psycopg.errors.InsufficientPrivilege, match="may not write a row"):
            anna.execute(
                "SELECT qualcode_insert('decisions', %s, false)",
                (psycopg.types.json.Jsonb([decision]),),
            )
    refused = qualcode("undo", team.url("anna"), "--coder", "agreed", ok=False)
    assert refused.returncode == 1 and "only a lead writes as a coder that is no role" in (
        refused.stderr
    )
    with Project.open(team.url("anna")) as p:  # a coder reads the log, as the team screen does
        assert [(d.decided_by, d.status) for d in p.team.decisions()] == [("lena", "")]
        assert p.team.reconciled(p.team.disagreements(["anna", "bob"])) == {}


def test_memos_are_each_coders_own(team: Team, qualcode):
    qualcode("memo", team.url("bob"), "bob's thought", "--source", "int1")
    refused = qualcode("memo", team.url("anna"), "in bob's name", "--coder", "bob", ok=False)
    assert refused.returncode == 1 and "not as 'bob': bob is a role" in refused.stderr
    with team.sql("anna") as anna:
        _refused(anna, "UPDATE memos SET text = 'mine'")
        _refused(anna, "DELETE FROM memos")
        ids = _ids(anna, "memos")
        update = "SELECT qualcode_update('memos', %s, '{\"text\": \"mine\"}')"
        assert anna.execute(update, (ids,)).fetchone()[0] == 0
        delete = "SELECT count(*) FROM qualcode_delete('memos', %s, NULL)"
        assert anna.execute(delete, (ids,)).fetchone()[0] == 0
    with Project.open(team.url("lena")) as p:
        assert [(m.coder, m.text) for m in p.coding.memos()] == [("bob", "bob's thought")]


def test_suggestion_feedback_is_each_coders_own(team: Team):
    start, end = span(INTERVIEW, "Time, mostly.")
    with Project.open(team.url("bob")) as bob:
        code = bob.codebook.code("Awareness")
        found = Suggestion(
            bob.sources.get("int1").id, start, end, code.name, 0.7, "test", (), code.id
        )
        bob.suggestions.reject_suggestion(found)
        with pytest.raises(ProjectError, match="not as 'anna'"):
            bob.suggestions.reject_suggestion(found, coder="anna")
    bob_id = _coder_id(team, "bob")
    with team.sql("anna") as anna:
        _refused(anna, "UPDATE suggestion_feedback SET accepted = true")
        _refused(anna, "DELETE FROM suggestion_feedback")
        ids = _ids(anna, "suggestion_feedback")
        update = "SELECT qualcode_update('suggestion_feedback', %s, '{\"accepted\": true}')"
        assert anna.execute(update, (ids,)).fetchone()[0] == 0
        _refused(
            anna,
            'INSERT INTO suggestion_feedback (source_id, start, "end", code_id, label, '
            "suggester, score, accepted, coder_id, created_at) "
            'SELECT source_id, start, "end", code_id, label, suggester, score, true, %s, '
            "created_at FROM suggestion_feedback",
            (bob_id,),
        )
    with team.sql("lena") as lead:
        rows = lead.execute("SELECT coder_id, accepted FROM suggestion_feedback").fetchall()
    assert rows == [(bob_id, False)]


def test_undo_history_is_each_coders_own(team: Team, qualcode):
    mark = "SELECT qualcode_update('history', %s, '{\"undone\": true}')"
    with team.sql("anna") as anna:
        _refused(anna, "UPDATE history SET undone = true")
        ids = _ids(anna, "history")
        assert anna.execute(mark, (ids,)).fetchone()[0] == 1  # her own, through the function
        anna.execute(mark.replace("true", "false"), (ids,))
    qualcode("undo", team.url("anna"))
    with team.sql("anna") as anna:
        others = anna.execute(
            "SELECT id FROM history WHERE coder_id <> (SELECT id FROM coders WHERE name = 'anna')"
        ).fetchall()
        assert others and anna.execute(mark, ([i for (i,) in others],)).fetchone()[0] == 0
    with Project.open(team.url("bob")) as bob:
        assert bob.coding.undo() == "apply"  # bob's own coding, untouched by anna's undo


def test_a_lead_writes_as_a_coder_that_is_no_role_never_as_a_team_member(team: Team, qualcode):
    url = team.url("lena")
    start, end = span(INTERVIEW, "Time, mostly.")
    before = dump(url)
    refused = qualcode("code", url, "int1", start, end, "Awareness", "--coder", "anna", ok=False)
    assert refused.returncode == 1 and refused.stderr.count("\n") == 1
    assert (
        "you code as the role you connect as (lena), not as 'anna': anna is a role of the "
        "server, and only anna writes as anna, a lead neither" in refused.stderr
    )
    assert dump(url) == before
    qualcode("code", url, "int1", start, end, "Awareness", "--coder", "agreed")
    with Project.open(url) as p:
        assert {c.coder for c in p.context.store.list_codings() if c.start == start} == {"agreed"}


def test_an_import_bringing_a_team_members_codings_is_refused(team: Team, qualcode):
    url = team.url("lena")
    anna_file = examples_root() / CODINGS / "anna.qdpx"  # coded by a coder named anna
    before = dump(url)
    refused = qualcode("import", url, anna_file, ok=False)
    assert refused.returncode == 1 and refused.stderr.count("\n") == 1
    assert "not as 'anna': anna is a role of the server" in refused.stderr
    assert dump(url) == before


def test_a_server_is_merged_into_but_not_from(team: Team, tmp_path, qualcode):
    out = tmp_path / "merged.qcdb"
    url = team.url("lena")
    refused = qualcode("merge", out, url, ok=False)
    assert refused.returncode == 1 and refused.stderr.count("\n") == 1
    assert "is a project on a server" in refused.stderr
    assert "clone it first (qualcode clone URL LOCAL.qcdb)" in refused.stderr
    assert not out.exists()
    ben = examples_root() / CODINGS / "ben.qdpx"
    merged = qualcode("merge", url, ben)
    assert "ben" in merged.stdout
    with Project.open(url) as p:
        assert "ben" in p.context.coders()
