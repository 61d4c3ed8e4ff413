"""Whose codings a report counts, said in every output, on the coded demo (anna and ben each
coded every source); and filters that refuse a value the project does not have."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from qualcode.cli import app
from qualcode.project import Project
from tests.conftest import copy_project, dump

runner = CliRunner()
AWARENESS = "Awareness and publicity/Awareness"
POOLED = (
    "Pools 2 coders, anna and ben: a passage coded by both is one passage and two codings; "
    "--coder NAME counts one coder."
)


def run(*args: object, ok: bool = True):
    result = runner.invoke(app, [str(a) for a in args])
    if ok:
        assert result.exit_code == 0, result.output + str(result.exception)
    return result


def frequencies(demo: Path, *args: object) -> dict:
    """``report frequencies -f json``: the object with ``counted``, ``coders`` and ``rows``."""
    return json.loads(run("report", demo, "frequencies", "-f", "json", *args).stdout)


def codings(doc: dict) -> dict[str, int]:
    return {r["code"]: r["codings"] for r in doc["rows"]}


@pytest.fixture
def demo(coded_demo_file: Path, tmp_path: Path) -> Path:
    return copy_project(coded_demo_file, tmp_path)


def test_the_default_table_says_it_pools_anna_and_ben(demo: Path, tmp_path: Path):
    assert run("report", demo, "frequencies").stdout.splitlines()[0] == POOLED
    pooled = frequencies(demo)
    assert (pooled["counted"], pooled["coders"]) == (POOLED, ["anna", "ben"])
    anna, ben = (
        codings(frequencies(demo, "--coder", "anna")),
        codings(frequencies(demo, "--coder", "ben")),
    )
    # The counts are those of before: every coder's codings, anna's 21 and ben's 25.
    assert codings(pooled)[AWARENESS] == anna[AWARENESS] + ben[AWARENESS] == 21 + 25
    every = frequencies(demo, "--coder", "all")
    assert every["rows"] == pooled["rows"]
    assert every["counted"].startswith("Pools every coder (--coder all), 2: anna and ben;")
    target = tmp_path / "freq.xlsx"
    run("report", demo, "frequencies", "-o", target)
    about = pd.read_excel(target, sheet_name="about", header=None)
    fields = dict(zip(about[0], about[1], strict=True))
    assert (fields["counted"], fields["coders"], fields["filters"]) == (POOLED, "anna, ben", "none")
    assert fields["software"].startswith("qualcode ")


def test_after_reconciling_the_default_counts_the_agreed_coding(demo: Path):
    anna = frequencies(demo, "--coder", "anna")
    run("reconcile", demo, "--coders", "anna", "ben", "--accept", "anna")
    default, agreed = frequencies(demo), frequencies(demo, "--coder", "agreed")
    assert default["rows"] == agreed["rows"]
    # agreed took anna's version everywhere: the same codes in the same sources (two of
    # anna's pieces apart only by a label repeating the speaker are one passage there)
    assert [r["sources_text"] for r in agreed["rows"]] == [r["sources_text"] for r in anna["rows"]]
    assert default["coders"] == ["agreed"]
    assert default["counted"].startswith(
        "Counts the agreed coding (coder 'agreed', reconciled from anna and ben)"
    )
    line = run("report", demo, "frequencies").stdout.splitlines()[0]
    assert line == default["counted"]
    every = frequencies(demo, "--coder", "all")
    assert every["coders"] == ["anna", "ben", "agreed"]
    assert codings(every)[AWARENESS] == 21 + 25 + codings(agreed)[AWARENESS]
    by_coder = json.loads(run("report", demo, "frequencies", "--by", "coder", "-f", "json").stdout)
    assert by_coder["counted"] == "Counts each coder apart: anna, ben and agreed."


def test_the_agreed_coder_is_the_one_reconcile_wrote_into(coded_demo_project: Project):
    p = coded_demo_project
    assert p.reports.agreed_coder() is None  # nothing reconciled yet
    p.team.reconcile_all(["anna", "ben"], "ben", into="consensus")
    assert p.context.settings().reconcile_into == "consensus"  # reconcile names it
    assert p.reports.agreed_coder() == "consensus"
    counted = p.reports.counted()
    assert (counted.coders, counted.mode) == (("consensus",), "agreed")
    assert counted.text == (
        "Counts the agreed coding (coder 'consensus', reconciled from anna and ben); "
        "--coder all pools every coder."
    )
    table = p.reports.frequencies()
    assert table.attrs["coders"] == ["consensus"]
    assert table.equals(p.reports.frequencies(coder="consensus"))
    ben = p.reports.frequencies(coder="ben")  # consensus took ben's version everywhere
    for column in ("passages", "sources_text", "speakers"):
        assert table[column].tolist() == ben[column].tolist()
    assert p.reports.quotes().attrs["counted"] == counted.text
    assert p.reports.crosstab("kind").attrs["coders"] == ["consensus"]


@pytest.mark.parametrize("suffix", [".md", ".csv", ".parquet"])
def test_files_for_people_and_machines_say_it(demo: Path, tmp_path: Path, suffix: str):
    target = tmp_path / f"freq{suffix}"
    run("report", demo, "frequencies", "--where", "kind=interview", "-o", target)
    if suffix == ".md":
        head = target.read_text(encoding="utf-8").splitlines()
        assert head[:2] == [f"*{POOLED}*  ", "*Filters: kind = interview.*"]
    elif suffix == ".csv":
        assert set(pd.read_csv(target)["coders"]) == {"anna; ben"}
    else:
        assert pd.read_parquet(target).attrs["coders"] == ["anna", "ben"]


def test_a_chart_says_it_in_its_subtitle(demo: Path, tmp_path: Path):
    target = tmp_path / "freq.svg"
    run("report", demo, "frequencies", "--coder", "ben", "-o", target)
    assert "Counts the codings of ben." in target.read_text(encoding="utf-8")


def test_agreement_names_the_coders_the_sources_and_the_unit(demo: Path, tmp_path: Path):
    out = run("agreement", demo, "--coders", "anna", "ben").stdout
    first = out.splitlines()[0]
    assert first.startswith("Agreement of anna and ben on 11 source(s), unit: sentence (")
    doc = json.loads(run("agreement", demo, "--coders", "anna", "ben", "-f", "json").stdout)
    assert (doc["coders"], doc["unit"], len(doc["sources"])) == (["anna", "ben"], "sentence", 11)
    assert doc["about"] + "." == first and doc["rows"][-1]["code"] == "overall"
    target = tmp_path / "agreement.csv"
    run("agreement", demo, "--coders", "anna", "ben", "--unit", "turn", "-o", target)
    back = pd.read_csv(target)
    assert set(back["coders"]) == {"anna; ben"} and set(back["unit"]) == {"turn"}


@pytest.mark.parametrize(
    "args, message",
    [
        (["--where", "kind=intervew"], "no source has kind=intervew (did you mean 'interview'?)"),
        (["--where", "performance=strugling"], "(did you mean 'struggling'?)"),
        (["--where", "kind=interview", "--where", "kind=panel"], "no source has kind=panel"),
        (["--where", "phase=clinicl"], "no attribute 'phase' to filter on"),
        (["--where", "cohrt=2019"], "no attribute 'cohrt' to filter on (did you mean 'cohort'?)"),
        (["--coder", "ana"], "no coder 'ana' in the project (did you mean 'anna'?)"),
        (["--source", "intervew_02"], "no source 'intervew_02' in the project (did you mean"),
        (["--code", "Awarenes"], "no code 'Awarenes' in the codebook (did you mean 'Awareness'"),
        (["--coder", "all", "--coder", "anna"], "--coder all pools every coder: give it alone"),
    ],
)
def test_filters_refuse_what_does_not_exist(demo: Path, args: list[str], message: str):
    result = run("report", demo, "frequencies", *args, ok=False)
    assert result.exit_code == 1
    assert message in result.stderr
    assert result.stderr.count("\n") == 1 and not result.stdout


def test_an_attributes_sheet_that_names_no_source_is_refused(demo: Path, tmp_path: Path):
    sheet = tmp_path / "attributes.csv"
    sheet.write_text("source,phase\nintervew_01,clinical\nnobody,preclinical\n", encoding="utf-8")
    before = dump(demo)
    result = run("import", demo, "--attributes", sheet, ok=False)
    assert result.exit_code == 1
    assert "no row of the attributes sheet names a source" in result.stderr
    assert "(did you mean 'interview_01'" in result.stderr
    assert dump(demo) == before
    sheet.write_text("source,phase\ninterview_01,clinical\nnobody,preclinical\n", encoding="utf-8")
    out = run("import", demo, "--attributes", sheet).stdout
    assert "Case attributes set for 1 source(s)." in out
    assert "attributes for 'nobody': no such source, skipped" in out
    assert frequencies(demo, "--where", "phase=clinical")["rows"]  # interview_01 is coded


def test_without_the_setting_the_newest_standing_decision_names_the_agreed_coder(
    demo: Path,
):
    # On a server a coder reconciling into their own name may not write the project's
    # settings: the decision log alone must still make the reports count the agreed coding.
    import sqlite3

    with Project.open(demo) as p:
        p.team.reconcile_all(["anna", "ben"], "ben", into="consensus")
    with sqlite3.connect(demo) as conn:
        conn.execute("DELETE FROM meta WHERE key LIKE 'reconcile.%'")
    with Project.open(demo) as p:
        assert not p.context.settings().reconcile_into
        assert p.reports.agreed_coder() == "consensus"
        counted = p.reports.counted()
        assert counted.reconciled_from == ("anna", "ben")
        while p.coding.undo(coder="consensus"):  # every decision undone: none stands
            pass
        assert not [d for d in p.team.decisions() if not d.undone]
        assert p.reports.agreed_coder() is None
