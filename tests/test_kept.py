"""What the NLP keeps on disk between processes: analyses, fitted models, listed themes."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from qualcode.cli import app
from qualcode.model import join_path
from qualcode.nlp import kept, pipeline
from qualcode.nlp.engine import CombinedSuggesterV3
from qualcode.project import Project
from tests.conftest import span


@pytest.fixture
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A kept folder of this test's own, and no analysis in memory: a new process."""
    path = tmp_path / "kept"
    monkeypatch.setenv(kept.ENV, str(path))
    monkeypatch.setattr(pipeline, "_CACHE", type(pipeline._CACHE)())
    return path


@pytest.fixture
def coded(project: Project, folder: Path) -> Project:
    project.codebook.add_code("Awareness", keywords=("never heard", "know the programme"))
    project.codebook.add_code(
        "Time", definition="Lack of time: exams, work, schedules.", keywords=("time",)
    )
    text = project.sources.get("int1").text
    project.coding.apply("int1", *span(text, "Time, mostly."), "Time")
    return project


@pytest.fixture
def fits(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """One entry per fit of the suggestion model (its units' blend not counted)."""
    done: list[int] = []
    fit = CombinedSuggesterV3.fit

    def counted(self: CombinedSuggesterV3, *args: Any, **kwargs: Any) -> CombinedSuggesterV3:
        if kwargs.get("units"):
            done.append(1)
        return fit(self, *args, **kwargs)

    monkeypatch.setattr(CombinedSuggesterV3, "fit", counted)
    return done


def _reopened(p: Project) -> Project:
    """The same project opened afresh, with nothing in memory: as a new process opens it."""
    path = p.context.path
    assert path is not None
    p.close()
    pipeline._CACHE.clear()
    return Project.open(path)


def test_a_new_process_reads_the_model_and_the_analyses_instead_of_fitting(
    coded: Project, fits: list[int], monkeypatch: pytest.MonkeyPatch
):
    first = coded.suggestions.suggest_source(min_score=0.0)
    assert len(fits) == 1
    again = _reopened(coded)

    def no_spacy(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("spaCy was loaded for a text analysed before")

    monkeypatch.setattr(pipeline, "pipeline", no_spacy)
    with again:
        assert again.suggestions.suggest_source(min_score=0.0) == first
    assert len(fits) == 1


def test_a_new_coding_is_a_new_model_the_same_as_one_fitted_from_nothing(
    coded: Project, fits: list[int], monkeypatch: pytest.MonkeyPatch
):
    coded.suggestions.suggest_source(min_score=0.0)
    text = coded.sources.get("int1").text
    coded.coding.apply("int1", *span(text, "I had never heard of it"), "Awareness")
    changed = coded.suggestions.suggest_source(min_score=0.0)
    assert len(fits) == 2
    with _reopened(coded) as again:
        monkeypatch.setenv(kept.ENV, "off")  # nothing kept: fitted from nothing
        assert again.suggestions.suggest_source(min_score=0.0) == changed
    assert len(fits) == 3


def test_nothing_is_kept_when_keeping_is_off(
    coded: Project, folder: Path, fits: list[int], monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setenv(kept.ENV, "off")
    coded.suggestions.suggest_source(min_score=0.0)
    with _reopened(coded) as again:
        again.suggestions.suggest_source(min_score=0.0)
    assert len(fits) == 2 and not folder.exists()


def _run(*args: Any, ok: bool = True) -> Any:
    result = CliRunner().invoke(app, [str(a) for a in args])
    assert (result.exit_code == 0) is ok, result.output
    return result


def test_promote_theme_promotes_the_theme_the_list_showed(coded: Project, project_path: Path):
    coded.close()
    listed = json.loads(_run("themes", project_path, "--n", "2", "-f", "json").stdout)
    out = _run("promote-theme", project_path, "2").output
    assert "Theme 2 of the list `qualcode themes` showed" in out
    with Project.open(project_path) as p:
        [code] = p.codebook.book().find(join_path([listed[1]["label"]]))
        assert list(code.keywords) == listed[1]["terms"][:5]


def test_promote_theme_refuses_when_the_uncoded_text_changed_since_the_list(
    coded: Project, project_path: Path
):
    coded.close()
    _run("themes", project_path, "--n", "2")
    with Project.open(project_path) as p:
        text = p.sources.get("panel1").text
        p.coding.apply("panel1", *span(text, "I agree, the flyers do not reach them."), "Time")
        codes = len(p.codebook.book())
    refused = _run("promote-theme", project_path, "1", ok=False)
    assert "changed since `qualcode themes` listed the themes" in refused.output
    with Project.open(project_path) as p:
        assert len(p.codebook.book()) == codes
    _run("themes", project_path, "--n", "2")
    assert "of the list" in _run("promote-theme", project_path, "1").output
