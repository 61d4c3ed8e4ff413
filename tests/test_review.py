"""The review queue: `suggest --all`, deciding queued suggestions, and the Review screen."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from typer.testing import CliRunner

from qualcode.cli import app as cli
from qualcode.errors import QualcodeError
from qualcode.project import Project
from qualcode.tui.app import QualcodeApp
from qualcode.tui.screens.review import ReviewScreen
from tests.conftest import INTERVIEW, PANEL, span, wait_for

runner = CliRunner()


@pytest.fixture
def coded(project: Project) -> Project:
    project.codebook.add_code("Awareness", keywords=("never heard", "know the programme"))
    project.codebook.add_code(
        "Time", definition="Lack of time: exams, work, schedules.", keywords=("time",)
    )
    project.codebook.add_code("Recognition", keywords=("recognition",))
    return project


def _feedback(path: Path) -> list[tuple[str, int]]:
    with sqlite3.connect(path) as db:
        return db.execute("SELECT label, accepted FROM suggestion_feedback ORDER BY id").fetchall()


def _codings(path: Path) -> list[tuple[str, str, int, int]]:
    with sqlite3.connect(path) as db:
        return db.execute(
            'SELECT codes.name, coders.name, start, "end" FROM codings '
            "JOIN codes ON codes.id = code_id JOIN coders ON coders.id = coder_id "
            "ORDER BY start"
        ).fetchall()


def test_with_little_coded_data_the_queue_promises_nothing(coded: Project):
    coded.coding.apply("int1", *span(INTERVIEW, "Time, mostly."), "Time")
    queued = coded.suggestions.queue_suggestions(min_precision=0.6)
    pending = coded.suggestions.pending()
    assert queued.suggestions == len(pending) > 0
    scores = [p.suggestion.score for p in pending]
    assert scores == sorted(scores, reverse=True)
    # One coded sentence is too little to measure a precision: the queue holds what scored
    # at least the minimum, and promises no precision.
    assert not queued.measured
    assert queued.precision == 0.0
    assert min(scores) >= 0.6
    assert queued.threshold == pytest.approx(min(scores), abs=1e-3)
    assert all(p.precision == 0.0 for p in pending)
    assert queued.describe(0.6).startswith("Too little coded data to measure precision")
    assert "not measured" in queued.describe(0.6)
    coded_span = span(INTERVIEW, "Time, mostly.")
    assert all(
        p.suggestion.end <= coded_span[0] or p.suggestion.start >= coded_span[1]
        for p in pending
        if p.suggestion.source_id == coded.sources.get("int1").id
    )
    # A stricter run replaces the queue with fewer, better suggestions.
    strict = coded.suggestions.queue_suggestions(min_precision=0.75)
    assert strict.suggestions <= queued.suggestions
    assert len(coded.suggestions.pending()) == strict.suggestions
    with pytest.raises(QualcodeError, match="min-precision"):
        coded.suggestions.queue_suggestions(min_precision=1.5)


def test_deciding_records_feedback_and_codes_the_accepted(coded: Project, project_path: Path):
    coded.suggestions.queue_suggestions(min_precision=0.4)
    time_ids = [p.id for p in coded.suggestions.pending("Time")]
    awareness = coded.suggestions.pending("Awareness")
    assert coded.suggestions.decide_pending(time_ids, accept=True) == len(time_ids) > 0
    assert coded.suggestions.decide_pending([awareness[0].id], accept=False) == 1
    assert coded.suggestions.pending("Time") == []
    assert len(coded.suggestions.pending("Awareness")) == len(awareness) - 1
    assert _feedback(project_path) == [("Time", 1)] * len(time_ids) + [("Awareness", 0)]
    assert [c[:2] for c in _codings(project_path)] == [("Time", "anna")] * len(time_ids)
    # A decision already made is not made twice.
    assert coded.suggestions.decide_pending(time_ids, accept=True) == 0


def test_suggest_all_on_the_command_line(coded: Project, project_path: Path):
    coded.close()
    result = runner.invoke(cli, ["suggest", str(project_path), "--all", "--min-precision", "0.5"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("Too little coded data to measure precision (0 coded")
    assert "not measured" in result.output
    result = runner.invoke(cli, ["suggest", str(project_path), "--all", "--format", "json"])
    [row] = json.loads(result.output)
    assert (row["measured"], row["expected_precision"], row["coded_sentences_held_out"]) == (
        False,
        0.0,
        0,
    )
    assert row["said"].startswith("Too little coded data to measure precision")  # the why
    result = runner.invoke(cli, ["suggest", str(project_path), "int1", "--all"])
    assert result.exit_code == 1
    assert "--all scores every source" in result.output


async def test_bulk_accept_and_reject_on_the_review_screen(coded: Project, project_path: Path):
    coded.suggestions.queue_suggestions(min_precision=0.4)
    times = len(coded.suggestions.pending("Time"))
    awareness = len(coded.suggestions.pending("Awareness"))
    assert times > 1 and awareness > 1
    app = QualcodeApp(coded)
    async with app.run_test(size=(110, 30)) as pilot:
        await pilot.press("f7")
        await wait_for(pilot, lambda: isinstance(app.screen, ReviewScreen), "the Review screen")
        screen = app.screen
        assert isinstance(screen, ReviewScreen)
        assert len(screen.queue) == len(coded.suggestions.pending())
        # To the first Time suggestion, then accept every Time suggestion at once.
        while screen.highlighted is not None and screen.highlighted.suggestion.label != "Time":
            await pilot.press("s")
        await pilot.press("A")
        await wait_for(pilot, lambda: len(_feedback(project_path)) == times, "the bulk accept")
        assert not any(p.suggestion.label == "Time" for p in screen.queue)
        assert _feedback(project_path) == [("Time", 1)] * times
        assert [c[:2] for c in _codings(project_path)] == [("Time", "anna")] * times
        # Then reject every Awareness suggestion: feedback, no codings.
        while screen.highlighted is not None and screen.highlighted.suggestion.label != (
            "Awareness"
        ):
            await pilot.press("s")
        await pilot.press("R")
        await wait_for(
            pilot, lambda: len(_feedback(project_path)) == times + awareness, "the bulk reject"
        )
        assert not any(p.suggestion.label == "Awareness" for p in screen.queue)
        assert _feedback(project_path)[times:] == [("Awareness", 0)] * awareness
        assert {c[0] for c in _codings(project_path)} == {"Time"}
        assert len(coded.suggestions.pending()) == len(screen.queue)


async def test_one_suggestion_accepted_and_one_rejected(coded: Project, project_path: Path):
    coded.suggestions.queue_suggestions(min_precision=0.4)
    first, second = coded.suggestions.pending()[:2]
    app = QualcodeApp(coded)
    async with app.run_test(size=(110, 30)) as pilot:
        await pilot.press("f7")
        await wait_for(pilot, lambda: isinstance(app.screen, ReviewScreen), "the Review screen")
        await pilot.press("a")
        await wait_for(pilot, lambda: len(_feedback(project_path)) == 1, "the accept")
        await pilot.press("r")
        await wait_for(pilot, lambda: len(_feedback(project_path)) == 2, "the reject")
    assert _feedback(project_path) == [
        (first.suggestion.label, 1),
        (second.suggestion.label, 0),
    ]
    s = first.suggestion
    assert _codings(project_path) == [(s.label, "anna", s.start, s.end)]


def test_an_older_project_gets_the_queue_on_open(coded: Project, project_path: Path):
    coded.close()
    with sqlite3.connect(project_path) as db:
        db.execute("DROP TABLE pending_suggestions")
        db.execute("UPDATE meta SET value = '3' WHERE key = 'schema_version'")
    with Project.open(project_path) as p:
        assert p.suggestions.pending() == []
        assert p.suggestions.queue_suggestions(min_precision=0.4).suggestions > 0


def test_the_suggester_as_a_coder_in_agreement(coded: Project, project_path: Path):
    from tests.conftest import PANEL

    coded.coding.apply(
        "int1", *span(INTERVIEW, "I had never heard of it before you called."), "Awareness"
    )
    coded.coding.apply("int1", *span(INTERVIEW, "I have no time at all."), "Time")
    coded.coding.apply("panel1", *span(PANEL, "do not know the programme exists."), "Awareness")
    coded.coding.apply("panel1", *span(PANEL, "And mentors need recognition"), "Recognition")
    # Each source is scored by a model that never saw its codings.
    found = coded.suggestions.suggested_codings([coded.sources.get("panel1").id], min_score=0.5)
    assert (coded.codebook.code("Awareness").id) in {c for _, c, _, _ in found}
    report = coded.team.agreement(["anna", "suggested"])
    by_code = {r["code"]: r for r in report.rows()}
    assert {"Awareness", "Time"} <= set(by_code)
    # The keyword "recognition" is where anna coded it, and nowhere else.
    assert (by_code["Recognition"]["coded_by_suggested"], by_code["Recognition"]["kappa"]) == (1, 1)
    # Not the interviewer's "Have you heard of the mentoring programme?": a question.
    assert by_code["Awareness"]["coded_by_suggested"] == 1
    assert by_code["Awareness"]["kappa"] > 0
    assert list(report.sources) == ["int1", "panel1"]
    assert "suggested" not in coded.context.coders()  # nothing was written for the machine
    result = runner.invoke(cli, ["agreement", str(project_path), "--coders", "anna", "suggested"])
    assert result.exit_code == 0, result.output
    assert "Agreement of anna and suggested on 2 source(s)" in result.output


async def test_the_review_screen_fills_its_own_queue(coded_demo_project: Project):
    from qualcode.tui.widgets.status import StatusLine

    app = QualcodeApp(coded_demo_project)
    async with app.run_test(size=(110, 30)) as pilot:
        await pilot.press("f7")
        await wait_for(pilot, lambda: isinstance(app.screen, ReviewScreen), "the Review screen")
        screen = app.screen
        assert isinstance(screen, ReviewScreen)
        assert screen.queue == []
        status = screen.query_one("#review-status", StatusLine)
        assert "f fills it" in status.text
        await pilot.press("f")
        await wait_for(pilot, lambda: screen.queued is not None, "the queue filled", timeout=900)
        queued = screen.queued
        assert queued is not None and queued.measured and queued.calibration is not None
        # The status says what the precision was measured on, whether or not anything
        # reached it, and what was left out as saying nothing to code.
        basis = queued.calibration.basis()
        assert "10 folds over sources" in basis
        assert basis in status.text
        assert "Left out " in status.text and "header or metadata lines" in status.text
        assert [p.id for p in coded_demo_project.suggestions.pending()] == [
            p.id for p in screen.queue
        ]
        assert all(p.precision >= 0.8 for p in screen.queue)


def _asked(p: Project) -> set[tuple[int, int, int]]:
    """The interviewer's and the moderator's turns of the test project."""
    return {
        (p.sources.get(name).id, t.start, t.end)
        for name in ("int1", "panel1")
        for t in p.sources.turns(name)
        if t.speaker in ("INTERVIEWER", "Moderator")
    }


def _in(asked: set[tuple[int, int, int]], sid: int, a: int, b: int) -> bool:
    return any(sid == qs and qa <= a and b <= qb for qs, qa, qb in asked)


def test_questions_get_no_suggestions_unless_the_project_codes_them(coded: Project):
    asked = _asked(coded)
    question = span(INTERVIEW, "Have you heard of the mentoring programme?")
    # Nothing coded yet: the interviewer's question is not offered the code it asks about.
    assert coded.suggestions.codes_questions() is False
    assert coded.suggestions.suggest("int1", *question) == []
    queued = coded.suggestions.queue_suggestions(min_precision=0.01)
    assert queued.questions == 5  # the interviewer's three sentences, the moderator's two
    assert not any(
        _in(asked, s.source_id, s.start, s.end) for s in coded.suggestions.suggest_source()
    )
    assert not any(
        _in(asked, p.suggestion.source_id, p.suggestion.start, p.suggestion.end)
        for p in coded.suggestions.pending()
    )
    # A project that codes its questions (here 2 of 3 codings) gets suggestions for them
    # (for those that say something: "Have you heard of the mentoring programme?").
    asks = span(INTERVIEW, "What would stop you from taking part?")
    coded.coding.apply("int1", *asks, "Time")
    coded.coding.apply("panel1", *span(PANEL, "Let us start with publicity."), "Awareness")
    coded.coding.apply("int1", *span(INTERVIEW, "Time, mostly."), "Time")
    assert coded.suggestions.codes_questions() is True
    assert coded.suggestions.suggest("int1", *question, fresh=True) != []
    again = coded.suggestions.queue_suggestions(min_precision=0.01)
    assert again.questions == 0
    assert any(
        _in(asked, p.suggestion.source_id, p.suggestion.start, p.suggestion.end)
        for p in coded.suggestions.pending()
    )


def test_suggest_all_says_how_many_questions_it_left(coded: Project, project_path: Path):
    coded.close()
    result = runner.invoke(cli, ["suggest", str(project_path), "--all", "--min-precision", "0.01"])
    assert result.exit_code == 0, result.output
    assert "5 uncoded sentences of interviewers or moderators were not scored" in result.output
    result = runner.invoke(
        cli, ["suggest", str(project_path), "--all", "--min-precision", "0.01", "--format", "json"]
    )
    assert json.loads(result.output)[0]["questions_skipped"] == 5


async def test_enter_opens_the_queued_passage_on_the_coding_screen(coded: Project):
    from qualcode.tui.screens.coding import CodingScreen

    coded.suggestions.queue_suggestions(min_precision=0.4)
    second = coded.suggestions.pending()[1]
    app = QualcodeApp(coded)
    async with app.run_test(size=(110, 30)) as pilot:
        await pilot.press("f7")
        await wait_for(pilot, lambda: isinstance(app.screen, ReviewScreen), "the Review screen")
        await pilot.press("s", "enter")  # the second queued suggestion
        await wait_for(pilot, lambda: isinstance(app.screen, CodingScreen), "the Coding screen")
        screen = app.screen
        assert isinstance(screen, CodingScreen)
        s = second.suggestion
        assert screen.source is not None and screen.source.id == s.source_id
        assert screen.view.selection == (s.start, s.end)
