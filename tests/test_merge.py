"""Merging two coders' projects, agreement with hand-computed kappa and alpha, reconciling."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from qualcode.analysis.units import split_sentences
from qualcode.cli import app
from qualcode.errors import ProjectError
from qualcode.project import Project, merge_projects
from tests.conftest import INTERVIEW, PANEL, dump, span

AWARE = ("Have you heard of the mentoring programme?", "I had never heard of it before you called.")


def _coder_project(tmp: Path, coder: str, name: str) -> Path:
    """A coder's own project: the same transcripts (file names may differ), coded alone."""
    folder = tmp / coder
    folder.mkdir()
    (folder / f"{name}.txt").write_text(INTERVIEW, encoding="utf-8")
    (folder / "panel1.txt").write_text(PANEL, encoding="utf-8")
    path = tmp / f"{coder}.qcdb"
    with Project.create(path, coder=coder) as p:
        p.sources.import_files([folder / f"{name}.txt", folder / "panel1.txt"])
        p.codebook.add_code("Awareness", definition="Knowing the programme exists.")
        p.codebook.add_code("Time constraints")
        text = p.sources.get(name).text
        quotes = {
            "anna": [AWARE[0], AWARE[1]],
            "ben": [AWARE[1], "Honestly, no."],
        }[coder]
        for q in quotes:
            p.coding.apply(name, *span(text, q), "Awareness")
        made = p.coding.apply(name, *span(text, "Time, mostly."), "Time constraints")
        assert made.coding is not None
        p.coding.add_memo(f"{coder} on time", coding=made.coding.id)
        p.coding.add_memo(f"{coder} on the code", code="Awareness")
    return path


@pytest.fixture
def coders(tmp_path: Path) -> tuple[Path, Path]:
    return _coder_project(tmp_path, "anna", "int1"), _coder_project(tmp_path, "ben", "interview_b")


def test_merge_matches_sources_by_content_and_keeps_every_coding(tmp_path, coders):
    out = tmp_path / "team.qcdb"
    report = merge_projects(out, list(coders))
    assert report.sources_added == ["int1", "panel1"]
    assert sorted(report.sources_matched) == ["int1", "panel1"]  # ben's 'interview_b' is int1
    assert report.codings_added == 6 and not report.conflicts
    with Project.open(out) as p:
        assert [s.name for s in p.sources.all()] == ["int1", "panel1"]
        assert sorted(p.context.coders()) == ["anna", "ben"]
        by = {(s.coding.coder, s.text) for s in p.coding.codings()}
        assert ("ben", "Honestly, no.") in by and ("anna", AWARE[0]) in by
        on_codings = {m.text: m.target_id for m in p.coding.memos() if m.target == "coding"}
        time = {s.coding.coder: s.coding.id for s in p.coding.codings(code="Time constraints")}
        assert on_codings == {"anna on time": time["anna"], "ben on time": time["ben"]}
        assert {m.text for m in p.coding.memos() if m.target == "code"} == {
            "anna on the code",
            "ben on the code",
        }


def test_merging_twice_adds_nothing(tmp_path, coders):
    out = tmp_path / "team.qcdb"
    inputs_before = [dump(c) for c in coders]
    merge_projects(out, list(coders))
    assert [dump(c) for c in coders] == inputs_before  # the coders' files are only read
    before = dump(out)
    again = merge_projects(out, list(coders))
    assert not again.changed and again.codings_present == 6
    assert dump(out) == before


def test_agreement_of_the_merged_project_by_hand(tmp_path, coders):
    out = tmp_path / "team.qcdb"
    merge_projects(out, list(coders))
    assert len(split_sentences(INTERVIEW)) == 9
    with Project.open(out) as p:
        report = p.team.agreement(["anna", "ben"], unit="sentence")
    assert report.sources == ("int1",)  # the panel was coded by neither
    aware = next(c for c in report.codes if c.code == "Awareness")
    # Nine sentences: anna only 1, ben only 1, both 1, neither 6.
    # po = 7/9, pe = (2/9)^2 + (7/9)^2 = 53/81, kappa = (63 - 53) / (81 - 53) = 10/28.
    assert aware.kappa == pytest.approx(10 / 28)
    # Coincidences: o11 = 2, o00 = 12, o10 = o01 = 2; n1 = 4, n0 = 14, n = 18.
    # alpha = 1 - (n - 1) * (o10 + o01) / (2 * n1 * n0) = 1 - 17 * 4 / 112.
    assert aware.alpha == pytest.approx(1 - 68 / 112)
    assert aware.percent == pytest.approx(7 / 9)
    time = next(c for c in report.codes if c.code == "Time constraints")
    assert time.kappa == pytest.approx(1.0) and time.alpha == pytest.approx(1.0)
    # Overall pools 18 decisions: po = 16/18, pe = (3/18)^2 + (15/18)^2, kappa = 0.6.
    assert report.overall.kappa == pytest.approx(0.6)


def test_merge_of_a_qdpx_export_and_a_project(tmp_path, coders):
    anna, ben = coders
    with Project.open(anna) as p:
        p.exchange.export_qdpx(tmp_path / "anna.qdpx")
    out = tmp_path / "team.qcdb"
    report = merge_projects(out, [tmp_path / "anna.qdpx", ben])
    assert report.codings_added == 6
    again = merge_projects(out, [ben, tmp_path / "anna.qdpx"])
    assert not again.changed


def test_conflicts_and_near_duplicates_are_listed_not_resolved(tmp_path, coders):
    anna, _ = coders
    carl = tmp_path / "carl.qcdb"
    folder = tmp_path / "carl"
    folder.mkdir()
    (folder / "int1.txt").write_text("A different interview altogether.\n", encoding="utf-8")
    with Project.create(carl, coder="carl") as p:
        p.sources.import_files([folder / "int1.txt"])
        p.codebook.add_code("Awareness", definition="Something else entirely.")
        p.codebook.add_code("Time constraint")  # one letter off
        p.coding.apply("int1", 2, 11, "Awareness")
    out = tmp_path / "team.qcdb"
    report = merge_projects(out, [anna, carl])
    assert any("Awareness" in c and "another definition" in c for c in report.conflicts)
    assert any("'int1'" in c and "int1 (2)" in c for c in report.conflicts)
    assert ("Time constraint", "Time constraints") in report.near_duplicates
    with Project.open(out) as p:
        assert p.codebook.code("Awareness").definition == "Knowing the programme exists."
        assert {s.name for s in p.sources.all()} == {"int1", "panel1", "int1 (2)"}


def test_disagreements_and_reconciliation(tmp_path, coders):
    out = tmp_path / "team.qcdb"
    merge_projects(out, list(coders))
    both = ["anna", "ben"]
    with Project.open(out) as p:
        found = p.team.disagreements(both)
        assert [(d.text, d.coded_by) for d in found] == [
            (AWARE[0], ("anna",)),
            ("Honestly, no.", ("ben",)),
        ]
        first, second = found
        assert p.team.reconciled(found) == {}
        done = p.team.reconcile(first.id, "anna", coders=both)
        # The first reconcile brings what both coded alike: Awareness and Time, one each.
        assert done.agreements is not None and done.agreements.count == 2
        assert (done.codings, done.decisions[0].choice) == (1, "anna")
        assert list(p.team.reconciled(found)) == [first.id]
        assert p.team.reconcile(second.id, "none", coders=both).codings == 0
        with pytest.raises(ProjectError, match=r"already decided: decision #3, none, by "):
            p.team.reconcile(second.id, "passage", coders=both)
        changed = p.team.reconcile(second.id, "passage", coders=both, change=True)
        assert changed.codings == 1 and [d.id for d in changed.replaced] == [3]
        agreed = {s.text for s in p.coding.codings(coder="agreed")}
        # ben's "Honestly, no." joins the agreed sentence after it: one passage.
        assert agreed == {AWARE[0], f"Honestly, no. {AWARE[1]}", "Time, mostly."}
        assert p.coding.undo("agreed") == "reconcile"
        assert {s.text for s in p.coding.codings(coder="agreed")} == {
            AWARE[0],
            AWARE[1],
            "Time, mostly.",
        }
        assert [(d.id, d.status) for d in p.team.decisions()][-2:] == [(3, ""), (4, "undone")]
        assert p.team.reconciled(found)[second.id].choice == "none"
        with pytest.raises(ProjectError, match="choose one of the coders compared"):
            p.team.reconcile(first.id, "nobody", coders=both)
        for bad in ("99:1:0-5", "1:99:0-5", "1:1:0-99999", "nonsense"):
            with pytest.raises(ProjectError):
                p.team.reconcile(bad, "passage", coders=both)
        final = p.team.reconcile_all(both, "ben", into="final")
        assert len(final.decisions) == 2 and final.agreements is not None
        ben = {s.text for s in p.coding.codings(coder="ben")}
        assert {s.text for s in p.coding.codings(coder="final")} == {
            f"Honestly, no. {AWARE[1]}"
        } | (ben - {"Honestly, no.", AWARE[1]})
        assert p.context.settings().reconcile_into == "final"
        assert p.context.settings().reconcile_coders == ("anna", "ben")


def test_merge_into_a_new_project_that_fails_leaves_no_file(tmp_path, coders):
    out = tmp_path / "team.qcdb"
    bad = tmp_path / "bad.qdpx"
    bad.write_text("nope")
    with pytest.raises(Exception, match="zip"):
        merge_projects(out, [coders[0], bad])
    assert not out.exists()


def test_cli_merge_agreement_disagreements_reconcile(tmp_path, coders):
    runner = CliRunner()
    out = tmp_path / "team.qcdb"
    result = runner.invoke(app, ["merge", str(out), *map(str, coders)])
    assert result.exit_code == 0, result.output
    assert "Sources: 2 added, 2 matched" in result.output
    again = runner.invoke(app, ["merge", str(out), *map(str, coders)])
    assert "Nothing new" in again.output
    table = runner.invoke(app, ["agreement", str(out), "--coders", "anna", "ben"])
    assert table.exit_code == 0, table.output
    assert "Awareness" in table.output and "0.3571" in table.output
    as_json = runner.invoke(
        app, ["agreement", str(out), "--coders", "anna,ben", "--unit", "turn", "-f", "json"]
    )
    listed = json.loads(as_json.output)
    assert (listed["coders"], listed["unit"]) == (["anna", "ben"], "turn")
    assert listed["rows"][-1]["code"] == "overall"
    csv_out = tmp_path / "dis.csv"
    dis = runner.invoke(
        app, ["disagreements", str(out), "--coders", "anna", "ben", "-o", str(csv_out)]
    )
    assert dis.exit_code == 0 and "2 disagreement(s)" in dis.output
    header = csv_out.read_text(encoding="utf-8").splitlines()[0]
    assert header.startswith("id,source_id,source,code_id,code,start,end,text,coded_by")
    listing = runner.invoke(
        app, ["disagreements", str(out), "--coders", "anna", "ben", "-f", "json"]
    )
    first = json.loads(listing.output)[0]["id"]
    rec = runner.invoke(
        app, ["reconcile", str(out), "--coders", "anna", "ben", "--pick", f"{first}=anna"]
    )
    assert rec.exit_code == 0, rec.output
    allof = runner.invoke(
        app, ["reconcile", str(out), "--coders", "anna", "ben", "--accept", "ben", "--into", "x"]
    )
    assert "x gets the 2 sentences anna and ben coded alike" in allof.output
    assert "x gets ben's version of 2 disagreement(s)." in allof.output
    one = runner.invoke(app, ["agreement", str(out), "--coders", "anna"])
    assert one.exit_code == 1 and "two or more coders" in one.stderr


def test_two_codes_of_one_file_with_the_same_name_stay_apart(tmp_path):
    from qualcode.interop.refi import RefiProject
    from qualcode.model import Code

    g1, g2 = "11111111-0000-4000-8000-000000000001", "11111111-0000-4000-8000-000000000002"
    codes = [Code(1, "Coke", guid=g1), Code(2, "coke", guid=g2)]
    with Project.create(tmp_path / "p.qcdb") as p:
        report = p.exchange.merge_refi(RefiProject(codes=list(codes)), "vendor.qdpx")
        assert sorted(c.name for c in p.codebook.book()) == ["Coke", "coke (2)"]
        assert any("two codes named" in c for c in report.conflicts)
        again = p.exchange.merge_refi(RefiProject(codes=list(codes)), "vendor.qdpx")
        assert not again.codes_added  # matched by GUID the second time


def test_one_code_guid_twice_in_a_file_is_one_code(tmp_path):
    from qualcode.interop.refi import RefiProject
    from qualcode.model import Code

    g = "11111111-0000-4000-8000-000000000003"
    codes = [Code(1, "A", guid=g), Code(2, "A", definition="d", guid=g)]
    with Project.create(tmp_path / "p.qcdb") as p:
        p.exchange.merge_refi(RefiProject(codes=codes), "x")
        assert [(c.name, c.definition) for c in p.codebook.book()] == [("A", "d")]


def test_merging_a_named_pipe_says_what_it_is_in_one_line(tmp_path: Path):
    import os

    pipe = tmp_path / "anna.qcdb"
    os.mkfifo(pipe)
    result = CliRunner().invoke(app, ["merge", str(tmp_path / "out.qcdb"), str(pipe)])
    assert result.exit_code == 1
    assert "named pipe" in result.output and "None" not in result.output
    assert result.output.count("\n") == 1
    assert not (tmp_path / "out.qcdb").exists()
