"""The browsing questions of the facade: sentences, search, uncoded turns, filters, usage."""

from __future__ import annotations

import pytest

from qualcode.errors import ProjectError
from tests.conftest import span


@pytest.fixture
def project_path(any_project_path):
    """Every test here runs on a project file and on a project on the server."""
    return any_project_path


def test_sentences_lie_inside_turns(project):
    text = project.sources.get("int1").text
    spans = project.sources.sentences("int1")
    assert text[slice(*spans[1])] == "Have you heard of the mentoring programme?"
    turns = project.sources.turns("int1")
    assert all(any(t.start <= s and e <= t.end for t in turns) for s, e in spans)


def test_search_finds_hits_in_what_was_said(project):
    text = project.sources.get("int1").text
    hits = project.sources.search("int1", "time")
    assert [text[s:e] for s, e in hits] == ["Time", "time"]
    assert project.sources.search("int1", "INTERVIEWER") == []  # labels are not what was said
    with pytest.raises(ProjectError, match="bad search pattern"):
        project.sources.search("int1", "(", regex=True)


def test_next_uncoded_turn_skips_coded_turns_and_wraps(project):
    text = project.sources.get("int1").text
    turns = [t for t in project.sources.turns("int1") if t.speaker]
    assert project.sources.next_uncoded_turn("int1") == turns[0]
    project.coding.apply("int1", *span(text, "Have you heard"), "Awareness", new=True)
    assert project.sources.next_uncoded_turn("int1") == turns[1]
    assert project.sources.next_uncoded_turn("int1", after=turns[-1].start) == turns[1]
    assert project.sources.next_uncoded_turn("int1", coder="bob") == turns[0]
    assert project.sources.next_uncoded_turn("int1", speaker="student") == turns[1]
    assert project.sources.next_uncoded_turn("int1", turns[1].start, speaker="student") == turns[3]


def test_filter_turns_by_speaker_and_code(project):
    text = project.sources.get("int1").text
    assert [t.speaker for t in project.sources.filter_turns("int1", speaker="student")] == [
        "STUDENT"
    ] * 2
    project.coding.apply(
        "int1", *span(text, "no time at all"), "Barriers/Time", new=True, parents=True
    )
    [turn] = project.sources.filter_turns("int1", code="Barriers")
    assert "no time at all" in text[turn.start : turn.end]
    assert project.sources.speakers("int1") == ["INTERVIEWER", "STUDENT"]


def test_code_usage_counts_codings_sources_and_coders(project):
    text = project.sources.get("int1").text
    panel = project.sources.get("panel1").text
    project.coding.apply("int1", *span(text, "never heard"), "Awareness", new=True)
    project.coding.apply("int1", *span(text, "Honestly"), "Awareness", coder="bob", new=True)
    project.coding.apply("panel1", *span(panel, "do not know"), "Awareness", new=True)
    project.codebook.add_code("Unused")
    usage = {u.path: u for u in project.codebook.code_usage()}
    assert (usage["Awareness"].codings, usage["Awareness"].sources) == (3, 2)
    assert usage["Awareness"].coders == 2
    assert usage["Unused"].codings == 0
