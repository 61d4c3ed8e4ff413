"""``qualcode report``: tables printed and written to every format, charts, errors."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from qualcode.cli import app
from tests.analysis_study import build_study

runner = CliRunner()


def run(*args: object, ok: bool = True):
    result = runner.invoke(app, [str(a) for a in args])
    if ok:
        assert result.exit_code == 0, result.output + str(result.exception)
    return result


@pytest.fixture(scope="module")
def study(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("cli-study")
    build_study(folder).close()
    return folder / "study.qcdb"


def test_frequencies_as_json_with_filters(study: Path):
    out = run(
        "report", study, "frequencies", "--by", "kind", "--where", "cohort=2019",
        "--where", "cohort=2020", "--code", "Awareness", "--format", "json",
    ).output  # fmt: skip
    rows = json.loads(out)["rows"]
    assert [(r["kind"], r["sources_text"]) for r in rows] == [("interview", "2 of 3 (67%)")]
    assert rows[0]["sources_pct"] == pytest.approx(200 / 3)


def test_table_format_is_for_reading(study: Path):
    out = run("report", study, "frequencies", "--no-rollup", "--coder", "anna").output
    assert out.splitlines()[0] == "Counts the codings of anna."
    header = out.splitlines()[1].split()
    assert header == ["code", "codings", "passages", "sources_text", "speakers"]
    assert "1 of 4 (25%)" in out  # Barriers' own coding, not rolled up


def test_cooccurrence_by_sentence_as_csv(study: Path):
    result = run("report", study, "cooccurrence", "--unit", "sentence", "-f", "csv")
    lines = result.stdout.splitlines()  # whose codings: on stderr, the CSV stays clean
    assert result.stderr.startswith("Pools 2 coders, anna and ben")
    assert lines[0] == "code_a_id,code_a,code_b_id,code_b,count,jaccard"
    assert lines[1].split(",")[1:5] == ["Awareness", "3", "Barriers/Time", "1"]


def test_matrix_crosstab_and_quotes(study: Path):
    m = json.loads(run("report", study, "matrix", "--value", "sources", "-f", "json").output)
    m = m["rows"]
    assert m[0] == {"code_id": 1, "code": "Awareness", "a": 1, "b": 1, "d": 0, "c": 1}
    x = json.loads(run("report", study, "crosstab", "--by", "cohort", "-f", "json").output)
    x = x["rows"]
    assert x[0]["2019"] == "1 of 2 (50%)" and x[0]["total"] == "3 of 4 (75%)"
    q = run("report", study, "quotes", "--code", "Barriers/Money", "--source", "b").output
    assert "b, RESPONDENT" in q and "it costs money" in q


def test_every_table_to_one_workbook(study: Path, tmp_path: Path):
    target = tmp_path / "tables.xlsx"
    run("report", study, "all", "--by", "cohort", "-o", target)
    sheets = pd.read_excel(target, sheet_name=None)
    assert list(sheets) == [
        "frequencies",
        "frequencies_by_cohort",
        "cooccurrence",
        "matrix",
        "crosstab",
        "quotes",
        "about",  # whose codings the tables count
    ]
    assert sheets["frequencies"]["Sources"].tolist()[0] == "3 of 4 (75%)"
    from openpyxl import load_workbook

    widths = load_workbook(target)["quotes"].column_dimensions
    assert 10 < widths["A"].width <= 60  # the code paths are readable, not cut to 8.43


@pytest.mark.parametrize("suffix", [".csv", ".json", ".md", ".parquet"])
def test_one_table_to_each_format(study: Path, tmp_path: Path, suffix: str):
    target = tmp_path / f"freq{suffix}"
    run("report", study, "frequencies", "-o", target)
    if suffix == ".csv":
        back = pd.read_csv(target)
    elif suffix == ".parquet":
        back = pd.read_parquet(target)
    elif suffix == ".json":
        back = pd.DataFrame(json.loads(target.read_text(encoding="utf-8"))["rows"])
    else:
        text = target.read_text(encoding="utf-8")
        assert text.startswith("*Pools 2 coders, anna and ben: ")
        assert "## Frequencies\n\n| Code | Codings | Passages | Sources |" in text
        assert "| 3 of 4 (75%) |" in text
        return
    assert back["code"].tolist()[:2] == ["Awareness", "Barriers"]
    assert back["passages"].tolist() == [3, 6, 3, 2]


def test_several_tables_to_csv_write_one_file_each(study: Path, tmp_path: Path):
    out = run("report", study, "all", "-o", tmp_path / "t.csv").output
    assert "t-quotes.csv" in out
    assert (tmp_path / "t-cooccurrence.csv").is_file()


@pytest.mark.parametrize("table", ["frequencies", "cooccurrence"])
@pytest.mark.parametrize("suffix", [".png", ".svg"])
def test_charts(study: Path, tmp_path: Path, table: str, suffix: str):
    target = tmp_path / f"{table}{suffix}"
    run("report", study, table, "-o", target)
    head = target.read_bytes()[:200]
    assert head.startswith(b"\x89PNG") if suffix == ".png" else b"<svg" in target.read_bytes()


def test_empty_results_print_headers(study: Path):
    # Both filters exist; no source has both.
    result = run("report", study, "quotes", "--where", "cohort=2019", "--source", "b", "-f", "csv")
    assert result.stdout.strip() == (
        "code,source,kind,speaker,turn,start,end,coder,text,verbatim,reference,coding_id"
    )


@pytest.mark.parametrize(
    "args, message",
    [
        (["frequencies", "--by", "semester"], "cannot break down by 'semester'"),
        (["frequencies", "--where", "cohort"], "--where takes ATTRIBUTE=VALUE"),
        (["frequencies", "--coder", "zoe"], "no coder 'zoe'"),
        (["frequencies", "--code", "Nope"], "no code 'Nope'"),
        (["matrix", "-o", "m.png"], "charts are drawn of frequencies"),
        (["frequencies", "-o", "f.txt"], "cannot write tables to 'f.txt'"),
        (["quotes", "--by", "kind"], "--by breaks down frequencies"),
        (["frequencies", "--value", "codings", "-o", "f.png"], "--value is for tables"),
        (["cooccurrence", "--value", "sources", "-o", "c.svg"], "shows jaccard or count"),
    ],
)
def test_errors_are_one_line(study: Path, args: list[str], message: str):
    result = run("report", study, *args, ok=False)
    assert result.exit_code == 1
    assert message in result.output
    assert result.output.count("\n") == 1
