"""The demo arrives coded by two coders, from files that say what ``codings.txt`` says."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
from typer.testing import CliRunner

from qualcode.cli import app
from qualcode.examples import CODERS, build_demo
from qualcode.project import Project
from tests.demo_coding.build import build, read_lines, spans


@pytest.fixture
def coded(coded_demo_file: Path) -> Project:
    with Project.open(coded_demo_file) as p:
        yield p


def _codings(p: Project) -> Counter:
    return Counter(
        (x.source, x.coding.start, x.coding.end, x.code, x.coding.coder) for x in p.coding.codings()
    )


def test_the_shipped_files_hold_what_codings_txt_says(coded: Project):
    assert _codings(coded) == Counter(spans(coded, read_lines()))


def test_both_coders_and_their_counts(coded: Project):
    assert coded.context.coders() == ["anna", "ben"]
    # counted off codings.txt: 349 lines for both, 99 for anna alone, 86 for ben alone
    assert Counter(x.coding.coder for x in coded.coding.codings()) == {"anna": 448, "ben": 435}
    by_source = Counter(x.source for x in coded.coding.codings())
    assert set(by_source) == {s.name for s in coded.sources.all()}  # every source is coded


def test_agreement_runs_on_the_demo_and_finds_real_disagreements(coded: Project):
    report = coded.team.agreement(list(CODERS))
    assert len(report.sources) == 11 and len(report.codes) == 18  # every leaf code was used
    assert 0.8 < report.overall.kappa < 0.95  # good, not perfect: two people coded it
    worst = min(report.codes, key=lambda c: c.kappa)
    assert worst.code == "Mentoring relationship/Expectations of the mentor"
    found = coded.team.disagreements(list(CODERS))
    # a turn anna coded and ben left out (interview_01, "big anatomy lecture")
    assert any(
        d.source == "interview_01"
        and d.code.endswith("Information channels")
        and d.coded_by == ("anna",)
        and "big anatomy lecture" in d.text
        for d in found
    )
    assert {d.coded_by for d in found} == {("anna",), ("ben",)}


def test_the_paper_table_counts_interviews(coded: Project):
    table = coded.reports.frequencies(by="kind").set_index(["kind", "code"])
    row = table.loc[("interview", "Counselling needs/International students")]
    assert row["sources_text"] == "4 of 9 (44%)"
    row = table.loc[("interview", "Participation/Motivation to participate")]
    assert row["sources_text"] == "9 of 9 (100%)"


def test_the_build_script_writes_one_file_per_coder(tmp_path: Path):
    written = build(tmp_path)
    assert [p.name for p in written] == ["anna.qdpx", "ben.qdpx"]
    with build_demo(tmp_path / "demo.qcdb", coded=False) as p:
        p.exchange.merge_from(written)
        assert Counter(x.coding.coder for x in p.coding.codings()) == {"anna": 448, "ben": 435}


def test_demo_command_builds_coded_or_blank(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()
    coded = runner.invoke(app, ["demo"])
    assert coded.exit_code == 0, coded.output
    assert "coded by anna and ben" in coded.output
    assert "883 codings" in coded.output
    blank = runner.invoke(app, ["demo", "--blank"])
    assert blank.exit_code == 0, blank.output
    assert "0 codings" in blank.output
    assert {p.name for p in tmp_path.glob("*.qcdb")} == {
        "qualcode-demo.qcdb",
        "qualcode-demo-blank.qcdb",
    }
    agreement = runner.invoke(app, ["agreement", "qualcode-demo.qcdb", "--coders", "anna", "ben"])
    assert agreement.exit_code == 0, agreement.output
    assert "Awareness and publicity/Awareness" in agreement.output
