"""A source's suggestions kept on disk (qualcode.project.answered): the same question of the
same project in a new process is answered without the model, exactly as it was computed,
and any change to what it depends on is asked afresh."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from qualcode.cli import app
from qualcode.model import Suggestion
from qualcode.project import Project
from qualcode.project.eligible import LeftOut
from qualcode.project.suggest import Suggester
from tests.conftest import copy_project


def _asked(path: Path, source: str = "interview_01") -> tuple[list[Suggestion], dict[str, int]]:
    """``suggest SOURCE`` in a project opened anew (as a new process opens it)."""
    left_out = LeftOut()
    with Project.open(path) as p:
        found = p.suggestions.suggest_source(source, left_out=left_out)
    return found, left_out.counts()


def _no_model(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(self: Suggester, *, wait: bool = True) -> None:
        raise AssertionError("the model was fitted or read")

    monkeypatch.setattr(Suggester, "model", refuse)


@pytest.fixture
def demo(coded_demo_file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("QUALCODE_CACHE_DIR", str(tmp_path / "kept"))
    return copy_project(coded_demo_file, tmp_path)


def test_the_kept_answer_is_the_one_computed_and_needs_no_model(
    demo: Path, monkeypatch: pytest.MonkeyPatch
):
    first = _asked(demo)
    assert first[0] and first[1]["short"] + first[1]["courtesy"] > 0
    monkeypatch.setenv("QUALCODE_CACHE_DIR", "off")
    fresh = _asked(demo)
    assert fresh == first
    monkeypatch.setenv("QUALCODE_CACHE_DIR", str(demo.parent / "kept"))
    _no_model(monkeypatch)
    assert _asked(demo) == first
    # Another question of the same project is not that answer.
    with pytest.raises(AssertionError, match="model was fitted"), Project.open(demo) as p:
        p.suggestions.suggest_source("interview_01", top=2)


def test_a_coding_changes_the_answer_not_the_kept_one(demo: Path, monkeypatch: pytest.MonkeyPatch):
    before, _ = _asked(demo)
    s = before[0]
    with Project.open(demo) as p:
        p.coding.apply(s.source_id, s.start, s.end, s.code_id)
    after, _ = _asked(demo)
    # The code is applied there now: never suggested for that turn again.
    assert not any((x.start, x.end, x.code_id) == (s.start, s.end, s.code_id) for x in after)
    assert after != before
    monkeypatch.setenv("QUALCODE_CACHE_DIR", "off")
    assert _asked(demo)[0] == after


def test_keeping_off_keeps_nothing(demo: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("QUALCODE_CACHE_DIR", "off")
    _asked(demo)
    assert not (demo.parent / "kept").exists()
    _no_model(monkeypatch)
    with pytest.raises(AssertionError, match="model was fitted"):
        _asked(demo)


def test_the_demo_command_prepares_the_first_suggest_and_themes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setenv("QUALCODE_CACHE_DIR", str(tmp_path / "kept"))
    path = tmp_path / "demo.qcdb"
    built = CliRunner().invoke(app, ["demo", "--project", str(path), "--no-tui"])
    assert built.exit_code == 0, built.output
    assert "Fitting the suggestions and finding the themes once" in built.output
    _no_model(monkeypatch)
    found, _ = _asked(path, "interview_03")
    assert found
    from qualcode.project import themes

    kept_themes = themes.found_themes

    def no_finding() -> list[object]:
        raise AssertionError("the themes were found again")

    monkeypatch.setattr(themes, "found_themes", lambda key, find: kept_themes(key, no_finding))
    with Project.open(path) as p:
        assert len(p.suggestions.list_themes()) == 8
