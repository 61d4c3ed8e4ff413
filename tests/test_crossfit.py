"""The review queue's precision, measured by cross-fitting on the project's own codings."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from qualcode.cli import app as cli
from qualcode.model import Suggestion
from qualcode.project import Project
from qualcode.project.crossfit import (
    BINS,
    MIN_CODED,
    Calibration,
    Counts,
    keep_measured,
    monotone,
)
from tests.conftest import copy_project

runner = CliRunner()


def _counts(**bins: tuple[int, int]) -> Counts:
    """Counts from ``b9=(suggested, right)`` keyword bins."""
    suggested, right = [0] * BINS, [0] * BINS
    for name, (n, r) in bins.items():
        suggested[int(name[1:])], right[int(name[1:])] = n, r
    return Counts(tuple(suggested), tuple(right))


def _calibration(by_code: dict[int, Counts], coded: int = 200) -> Calibration:
    pooled = Counts(
        tuple(sum(c.suggested[b] for c in by_code.values()) for b in range(BINS)),
        tuple(sum(c.right[b] for c in by_code.values()) for b in range(BINS)),
    )
    return Calibration(5, "sources", 1000, coded, pooled, by_code, (1, 2, 3, 4, 5))


def _suggestion(code_id: int, score: float) -> Suggestion:
    return Suggestion(1, 0, 5, f"code{code_id}", score, "test", (), code_id)


def test_a_higher_score_never_reads_as_less_likely_right():
    assert monotone([0.2, 0.6, 0.4, 0.9], [1, 1, 1, 1]) == pytest.approx([0.2, 0.5, 0.5, 0.9])
    # Pooling keeps the weighted total.
    assert monotone([0.8, 0.2], [3, 1]) == pytest.approx([0.65, 0.65])


def test_the_queue_never_promises_more_than_was_measured():
    # Code 1 is right 45 of 50 times at 0.9+, code 2 only 10 of 50: a code's own record
    # counts, not the score.
    cal = _calibration({1: _counts(b9=(50, 45), b8=(40, 20)), 2: _counts(b9=(50, 10))})
    found = [_suggestion(1, 0.95), _suggestion(2, 0.97), _suggestion(1, 0.85)]
    kept = keep_measured(found, cal, 0.8)
    assert [(s.code_id, s.score) for s in kept.suggestions] == [(1, 0.95)]
    # What is promised is what the rule kept on held-out data: 45 right of 50.
    measured, right = cal.kept(0.8)
    assert (kept.measured_on, kept.precision) == (measured, right / measured) == (50, 0.9)
    assert all(cal.precision(s.code_id, s.score) >= 0.8 for s in kept.suggestions)
    # The table of what was measured: each bin with its count, pooled over the codes.
    assert [(r["scores"], r["suggested"], r["right"]) for r in cal.rows()] == [
        ("0.8-0.9", 40, 20),
        ("0.9-1.0", 100, 55),
    ]
    # Asked for more than any bin reached: nothing is kept, nothing promised above it.
    nothing = keep_measured(found, cal, 0.95)
    assert nothing.suggestions == [] and nothing.precision < 0.95


def test_a_code_with_few_held_out_suggestions_takes_the_pooled_figure():
    cal = _calibration({1: _counts(b9=(200, 190)), 2: _counts(b9=(1, 0))})
    # One wrong suggestion of code 2 does not sink it to 0: shrunk towards the pooled 0.94.
    assert 0.8 < cal.precision(2, 0.95) < cal.precision(1, 0.95)
    assert cal.precision(3, 0.95) == pytest.approx(190 / 201)  # never measured: pooled


def test_each_fold_is_judged_by_the_rule_measured_on_the_others():
    # Code 1 was right 20 of 20 times at 0.95 in one source and 3 of 5 in each of four
    # others: pooled, 32 of 40 (0.8), but only the first source's own outcomes lift the
    # rule to 0.8, and judged by the other folds' rule it keeps 20 suggestions, 12 right.
    scored = [(0, 1, 0.95, True)] * 20 + [
        (fold, 1, 0.95, i < 3) for fold in range(1, 5) for i in range(5)
    ]
    by_code = _counts(b9=(40, 32))
    cal = Calibration(
        5, "sources", 1000, 200, by_code, {1: by_code}, (1, 2, 3, 4, 5), tuple(scored)
    )
    assert cal.precision(1, 0.95) == pytest.approx(0.8)
    assert cal.kept(0.8) == (20, 12)
    kept = keep_measured([_suggestion(1, 0.95)], cal, 0.8)
    assert kept.suggestions == [] and kept.precision == 0.6  # promised nothing above 0.6


def test_too_little_coded_data_is_not_measured():
    cal = _calibration({1: _counts(b9=(50, 50))}, coded=MIN_CODED - 1)
    assert not cal.enough
    assert keep_measured([_suggestion(1, 0.99)], cal, 0.5).suggestions == []


@pytest.fixture(scope="module")
def anna_only(demo_file: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The example study with anna's codings only."""
    from qualcode.examples import CODINGS, examples_root

    path = copy_project(demo_file, tmp_path_factory.mktemp("anna"), "anna.qcdb")
    with Project.open(path) as p:
        p.exchange.merge_from([examples_root() / CODINGS / "anna.qdpx"])
    return path


def test_suggest_all_says_what_its_precision_was_measured_on(anna_only: Path, tmp_path: Path):
    path = copy_project(anna_only, tmp_path)
    result = runner.invoke(cli, ["suggest", str(path), "--all", "--min-precision", "0.5"])
    assert result.exit_code == 0, result.output
    # e.g. "Queued 21 suggestions for 401 uncoded sentences (scores from 0.63; precision 0.68
    # measured on 270 held-out suggestions (1613 held-out coded sentences, 10 folds over
    # sources))."
    assert result.output.startswith("Queued ")
    assert "held-out coded sentences, 10 folds over sources" in result.output
    with Project.open(path) as p:
        fitted = p.suggestions.crossfit()  # measured again: a new process keeps nothing
        assert fitted is not None and fitted.calibration.enough
        measured, right = fitted.calibration.kept(0.5)
        pending = p.suggestions.pending()
    promised = pending[0].precision
    assert f"precision {promised:.2f} measured on {measured} held-out suggestions" in result.output
    assert 0.5 <= promised == pytest.approx(right / measured, abs=1e-4)
    # anna coded every source: what is left lies in text she read and left uncoded, where
    # the figure measured on text nobody had coded is optimistic, and the line says so.
    read = sum(
        1
        for item in pending
        if any(
            c.coding.end >= item.suggestion.end for c in codings_of(path, item.suggestion.source_id)
        )
    )
    assert read > 0
    assert f"{read} of them lie before their source's last coding" in " ".join(
        result.output.split()
    )
    # Asked for 0.8, nothing is queued, and the line says why: every source has codings,
    # so all that is left is text anna read and left uncoded.
    with Project.open(path) as p:
        queued = p.suggestions.queue_suggestions(min_precision=0.8)
    said = queued.describe(0.8)
    assert queued.suggestions == 0
    assert said.startswith("No suggestions queued: every source has codings, so the ")
    assert "uncoded sentences left are text a coder read and left uncoded" in said
    assert "--min-precision" not in said  # a lower minimum would only queue more of the same


@pytest.fixture(scope="module")
def anna_first_six(anna_only: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The example study as anna has coded it up to its sixth source (of 11)."""
    path = copy_project(anna_only, tmp_path_factory.mktemp("six"), "six.qcdb")
    with Project.open(path) as p:
        later = {s.id for s in p.sources.all()[6:]}
        store = p.context.store
        with store.atomic():
            ids = [c.id for c in store.list_codings() if c.source_id in later]
            store.delete_codings(ids, record=False)
    return path


def test_the_queue_for_sources_not_yet_coded(anna_first_six: Path, tmp_path: Path):
    path = copy_project(anna_first_six, tmp_path)
    with Project.open(path) as p:
        queued = p.suggestions.queue_suggestions(min_precision=0.8)
        pending = p.suggestions.pending()
        # Each of the six coded sources held out in turn, as the five not yet coded are.
        assert queued.calibration is not None
        assert queued.calibration.basis().endswith("6 folds over sources")
        assert queued.suggestions >= 10 and len(pending) == queued.suggestions
        assert 0.8 <= queued.precision == pending[0].precision
        later = {s.id for s in p.sources.all()[6:]}
        assert sum(item.suggestion.source_id in later for item in pending) >= 10
        # Nothing for an interviewer's question, a header line, a courtesy or a fragment.
        for item in pending:
            s = item.suggestion
            assert p.suggestions.why_none(s.source_id, s.start, s.end) is None
        # Asked for more than anything measured, the line says what a lower minimum gives.
        nothing = p.suggestions.queue_suggestions(min_precision=0.99)
    said = nothing.describe(0.99)
    assert nothing.suggestions == 0 and nothing.lower is not None
    minimum, n, precision = nothing.lower
    assert n > 0 and precision >= minimum
    assert f"--min-precision {minimum:.2f} would queue {n}, measured right " in said


def codings_of(path: Path, source_id: int) -> list:
    with Project.open(path) as p:
        return p.coding.codings(source=source_id)
