"""One identity per person: coders whose names differ only in case (``Lena`` and ``lena``,
two roles on a server, or two coders of a project file merged from two REFI-QDA files) are
two people in every table, clone, push, pull and merge; ``team add`` refuses a new one."""

from __future__ import annotations

import json
import sqlite3
import zlib
from pathlib import Path

import pytest

from qualcode.project import ImportOptions, Project
from qualcode.project.sync import clone, pull, push
from qualcode.store.server import group_names
from tests.conftest import INTERVIEW, span
from tests.server_team import Team

TIME = "Time, mostly."
QUIET = "Honestly, no."
NEVER = "I had never heard of it"


def twin(team: Team, name: str) -> str:
    """A role ``name`` in the coders' group, made by the server's administrator (as a project
    set up before ``team add`` refused case twins may have); its URL."""
    coders, _ = group_names(team.database)
    with team.server.admin(team.database) as conn:
        conn.execute(f'CREATE ROLE "{name}" LOGIN')
        conn.execute(f'GRANT "{coders}" TO "{name}"')
    return team.url(name)


def codings(url: str | Path) -> set[tuple[str, str]]:
    with Project.open(url) as p:
        return {(s.coding.coder, s.text) for s in p.coding.codings()}


def test_team_add_refuses_a_case_twin_in_one_line(team: Team, qualcode):
    before = team.server.roles()
    refused = qualcode("team", "add", team.url("lena"), "Anna", ok=False)
    assert refused.returncode == 1 and refused.stderr.count("\n") == 1
    assert "differs from anna only in case" in refused.stderr
    assert team.server.roles() == before
    lead = qualcode("team", "add", team.url("lena"), "LENA", "--lead", ok=False)
    assert "differs from lena only in case" in lead.stderr


def test_a_lead_removing_her_own_coding_never_removes_her_case_twins(team: Team, tmp_path: Path):
    lena_twin = twin(team, "Lena")
    with Project.open(lena_twin) as p:
        p.coding.apply("int1", *span(INTERVIEW, TIME), "Awareness")
    local = tmp_path / "lena.qcdb"
    clone(team.url("lena"), local)
    with Project.open(local) as p:
        mine = {s.text for s in p.coding.codings() if s.coding.coder == "lena"}
        assert mine == {NEVER}  # Lena's coding is not listed as lena's
        for s in p.coding.codings():
            if s.coding.coder == "lena":
                p.coding.remove("int1", s.coding.start, s.coding.end, "Awareness")
    assert push(local).summary() == "pushed 0 new codings, 1 removal, 0 memos"
    assert ("Lena", TIME) in codings(team.url("lena"))
    assert ("lena", NEVER) not in codings(team.url("lena"))


def test_case_twins_are_kept_apart_through_clone_push_and_pull(team: Team, tmp_path: Path):
    anna_twin = twin(team, "Anna")
    with Project.open(anna_twin) as p:
        p.coding.apply("int1", *span(INTERVIEW, NEVER), "Awareness")  # the span anna coded too
    local = tmp_path / "anna.qcdb"
    assert clone(team.url("anna"), local).codings_added == 4
    with Project.open(local) as p:
        p.coding.apply("int1", *span(INTERVIEW, TIME), "Awareness")
    assert push(local).summary() == "pushed 1 new coding, 0 removals, 0 memos"
    with Project.open(anna_twin) as p:
        p.coding.remove("int1", *span(INTERVIEW, NEVER), "Awareness")
    assert pull(local).summary() == "pulled 0 new codings, 1 removal, 0 memos"
    expected = {("anna", NEVER), ("anna", TIME), ("bob", NEVER), ("lena", NEVER)}
    assert codings(local) == expected == codings(team.url("lena"))


@pytest.mark.parametrize("first", ["Anna", "anna"])
def test_a_project_file_keeps_coders_apart_that_differ_only_in_case(
    tmp_path: Path, transcripts, first: str
):
    files = []
    for name in (first, first.swapcase()[0] + first[1:]):
        path = tmp_path / f"{name}-{len(files)}.qcdb"
        with Project.create(path, coder=name) as p:
            p.sources.import_files([transcripts["int1"]], ImportOptions(kind="interview"))
            p.coding.apply("int1", *span(INTERVIEW, NEVER), "Awareness", new=True)
            p.coding.add_memo(f"{name}'s memo", coding=p.coding.codings()[0].coding.id)
        files.append(tmp_path / f"{name}.qdpx")
        with Project.open(path) as p:
            p.exchange.export_qdpx(files[-1])
    merged = tmp_path / "merged.qcdb"
    with Project.create(merged, coder="lead") as p:
        for f in files:
            p.exchange.import_qdpx(f)
        assert sorted(p.context.store.coders()) == ["Anna", "anna"]
        assert {(s.coding.coder, s.text) for s in p.coding.codings()} == {
            ("Anna", NEVER),
            ("anna", NEVER),
        }
        memos = {(m.text, m.coder) for m in p.coding.memos()}
        assert memos == {("Anna's memo", "Anna"), ("anna's memo", "anna")}


def _to_folded_record(local: Path) -> None:
    """Make a clone's record of the last sync look as one written before coders were told
    apart by case: its coders case-folded, and no word of how they are kept."""
    conn = sqlite3.connect(local)
    (data,) = conn.execute("SELECT data FROM sync_base").fetchone()
    raw = json.loads(zlib.decompress(data))
    del raw["coders"]

    def fold(key: list) -> list:
        return [key[0], key[1], key[2].casefold(), *key[3:]]

    raw["codings"] = [fold(k) for k in raw["codings"]]
    raw["coding_memos"] = [fold(k) for k in raw["coding_memos"]]
    raw["memos"] = [
        [kind, json.dumps(fold(json.loads(t))) if kind == "coding" else t, c.casefold(), x]
        for kind, t, c, x in raw["memos"]
    ]
    conn.execute("UPDATE sync_base SET data = ?", (zlib.compress(json.dumps(raw).encode()),))
    conn.commit()
    conn.close()


def test_an_old_record_of_the_last_sync_gives_each_coder_their_name(team: Team, tmp_path: Path):
    carla = twin(team, "Carla")
    local = tmp_path / "carla.qcdb"
    clone(carla, local)
    with Project.open(local) as p:
        p.coding.apply("int1", *span(INTERVIEW, TIME), "Awareness", memo="time first")
        p.coding.apply("int1", *span(INTERVIEW, QUIET), "Awareness")
        p.coding.add_memo("Carla's plan")
    assert push(local).summary() == "pushed 2 new codings, 0 removals, 1 memo"
    _to_folded_record(local)
    with Project.open(local) as p:
        p.coding.remove("int1", *span(INTERVIEW, QUIET), "Awareness")
    pushed = push(local)
    assert pushed.summary() == "pushed 0 new codings, 1 removal, 0 memos" and not pushed.notes
    assert ("Carla", QUIET) not in codings(team.url("lena"))
    assert pull(local).summary() == "pulled 0 new codings, 0 removals, 0 memos"
    assert codings(local) == codings(team.url("lena"))


def test_an_old_record_that_cannot_tell_twins_apart_removes_nothing_and_says_so(
    team: Team, tmp_path: Path
):
    anna_twin = twin(team, "Anna")
    with Project.open(anna_twin) as p:
        p.coding.apply("int1", *span(INTERVIEW, TIME), "Awareness")
    local = tmp_path / "anna.qcdb"
    clone(team.url("anna"), local)
    _to_folded_record(local)
    with Project.open(anna_twin) as p:
        p.coding.remove("int1", *span(INTERVIEW, TIME), "Awareness")
    pulled = pull(local)
    assert pulled.summary() == "pulled 0 new codings, 0 removals, 0 memos"
    assert pulled.notes == [
        "this copy's record of the last sync was made before Anna and anna were told apart: "
        "their codings and memos are compared as if never synced, so none is removed at "
        "either end (a removal since the last sync is made again by hand)"
    ]
    assert ("Anna", TIME) in codings(local)
    assert push(local).summary() == "pushed 0 new codings, 0 removals, 0 memos"
    assert codings(team.url("anna")) == codings(local) - {("Anna", TIME)}
    assert pull(local).notes == []  # the record is written anew, with the names
