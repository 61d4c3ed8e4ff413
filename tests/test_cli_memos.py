"""`qualcode memos` says what each memo is on in words (a source, a code path, a coded
passage), not ``target_id 1``; its JSON keeps the ids for scripts."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from qualcode.cli import app

runner = CliRunner()


def run(*args: object) -> str:
    result = runner.invoke(app, [str(a) for a in args])
    assert result.exit_code == 0, result.output + str(result.exception)
    return result.output


@pytest.fixture
def memo_project(tmp_path: Path, transcripts) -> Path:
    path = tmp_path / "study.qcdb"
    run("init", path, "--coder", "anna")
    run("import", path, transcripts["int1"])
    run("import", path, transcripts["panel1"])
    run("add-code", path, "Barriers")
    run("add-code", path, "Time", "--parent", "Barriers")
    run("code", path, "int1", 10, 40, "Barriers/Time", "--memo", "time again")
    run("memo", path, "why this panel", "--source", "panel1")
    run("memo", path, "a code to split", "--code", "Time")
    run("memo", path, "the whole study")
    return path


def test_memos_name_the_source_the_code_path_and_the_coded_passage(memo_project: Path):
    table = run("memos", memo_project)
    assert "source panel1" in table
    assert "code Barriers/Time" in table
    assert "coding of Barriers/Time in int1 at 10..40" in table
    assert "target_id" not in table
    rows = json.loads(run("memos", memo_project, "-f", "json"))
    by_text = {r["text"]: r for r in rows}
    assert by_text["why this panel"]["on"] == "source panel1"
    assert by_text["why this panel"]["target"] == "source"
    assert isinstance(by_text["why this panel"]["target_id"], int)
    assert by_text["a code to split"]["on"] == "code Barriers/Time"
    assert by_text["time again"]["on"] == "coding of Barriers/Time in int1 at 10..40"
    assert by_text["the whole study"]["on"] == "project"


def test_a_memo_on_a_removed_coding_says_so(memo_project: Path):
    coding = json.loads(run("codings", memo_project, "-f", "json"))[0]["id"]
    run("memo", memo_project, "on the passage", "--coding", coding)
    run("uncode", memo_project, "int1", 10, 40, "Barriers/Time")
    rows = json.loads(run("memos", memo_project, "-f", "json"))
    [row] = [r for r in rows if r["text"] == "on the passage"]
    assert row["on"] == f"a removed coding (id {coding})"
