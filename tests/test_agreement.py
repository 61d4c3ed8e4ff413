"""Agreement statistics against hand-computed values, Krippendorff's worked example and the
``krippendorff`` package."""

from __future__ import annotations

import random

import pytest

from qualcode.analysis.agreement import (
    CodingSpan,
    character_cells,
    coded_spans,
    cohen_kappa,
    compare,
    krippendorff_alpha,
    patterns_of,
    percent_agreement,
    shared_sources,
    tally,
    unit_cells,
)
from qualcode.analysis.units import sentence_units

# Krippendorff (2011), "Computing Krippendorff's Alpha-Reliability", the example with four
# coders, twelve units and missing values: nominal alpha = 0.743.
K2011 = [
    [1, 2, 3, 3, 2, 1, 4, 1, 2, None, None, None],
    [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, None, 3],
    [None, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, None],
    [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, None],
]


def _units(coders: list[list[object]]) -> list[tuple[object, ...]]:
    return list(zip(*coders, strict=True))


def test_alpha_matches_krippendorffs_worked_example():
    alpha = krippendorff_alpha(patterns_of(_units(K2011)))
    assert alpha == pytest.approx(0.743, abs=5e-4)


def test_alpha_matches_the_krippendorff_package_on_random_data():
    krippendorff = pytest.importorskip("krippendorff")
    import numpy as np

    rng = random.Random(7)
    for _ in range(20):
        coders, units = rng.randint(2, 5), rng.randint(5, 40)
        data = [
            [rng.choice([0, 1, 2, None]) if rng.random() > 0.2 else None for _ in range(units)]
            for _ in range(coders)
        ]
        if sum(v is not None for v in data[0]) < 2:
            continue
        arr = np.array([[np.nan if v is None else v for v in row] for row in data], dtype=float)
        try:
            want = krippendorff.alpha(reliability_data=arr, level_of_measurement="nominal")
        except (ValueError, ZeroDivisionError):
            continue
        got = krippendorff_alpha(patterns_of(_units(data)))
        if got is None:
            assert np.isnan(want) or want == pytest.approx(1.0)
        else:
            assert got == pytest.approx(want, abs=1e-9)


def test_cohen_kappa_by_hand():
    # The textbook table: 20 yes/yes, 5 yes/no, 10 no/yes, 15 no/no.
    # po = 35/50 = 0.7; pe = 0.5*0.6 + 0.5*0.4 = 0.5; kappa = 0.2 / 0.5 = 0.4.
    patterns = {(1, 1): 20, (1, 0): 5, (0, 1): 10, (0, 0): 15}
    assert cohen_kappa(patterns) == pytest.approx(0.4)
    assert percent_agreement(patterns) == pytest.approx(0.7)


def test_statistics_undefined_when_only_one_category_is_used():
    patterns = {(0, 0): 10}
    assert cohen_kappa(patterns) is None and krippendorff_alpha(patterns) is None
    assert percent_agreement(patterns) == 1.0


def test_sentence_units_of_a_source_without_turns():
    text = "Dr. Weber said no. Really?  Yes!\nA line without a stop\n\n  e.g. this one."
    got = [text[a:b] for a, b in sentence_units(text, [])]
    assert got == [
        "Dr. Weber said no.",
        "Really?",
        "Yes!",
        "A line without a stop",
        "e.g. this one.",
    ]


def _compare(unit: str, spans: dict[str, list[tuple[int, int]]], text: str):
    codings = [CodingSpan(1, 7, coder, a, b) for coder, items in spans.items() for a, b in items]
    return compare(
        coders=list(spans),
        unit=unit,
        texts={1: text},
        names={1: "s"},
        turns={1: [(0, 50), (50, 100)]},
        codings=codings,
        code_paths={7: "Code"},
    )


def test_character_units_by_hand():
    # A codes [0, 50), B codes [25, 75) of 100 characters: 25 chars each of (1,0), (1,1),
    # (0,1), (0,0). po = 0.5, pe = 0.5, kappa = 0; alpha = 1 - 199 * 100 / (2 * 100 * 100).
    report, disagreements = _compare("character", {"a": [(0, 50)], "b": [(25, 75)]}, "x" * 100)
    code = report.codes[0]
    assert (code.code, code.code_id, report.overall.code_id) == ("Code", 7, None)
    assert code.units == 100 and code.coded == {"a": 50, "b": 50}
    assert code.percent == pytest.approx(0.5)
    assert code.kappa == pytest.approx(0.0)
    assert code.alpha == pytest.approx(1 - 199 * 100 / 20000)
    assert [(d.start, d.end, d.coded_by) for d in disagreements] == [
        (0, 25, ("a",)),
        (50, 75, ("b",)),
    ]


def test_character_units_agree_with_the_package():
    krippendorff = pytest.importorskip("krippendorff")
    import numpy as np

    spans = {"a": [(3, 40), (60, 70)], "b": [(10, 45), (65, 90)], "c": [(0, 20)]}
    report, _ = _compare("character", spans, "y" * 100)
    arr = np.zeros((3, 100))
    for k, items in enumerate(spans.values()):
        for a, b in items:
            arr[k, a:b] = 1
    want = krippendorff.alpha(reliability_data=arr, level_of_measurement="nominal")
    assert report.codes[0].alpha == pytest.approx(want)
    assert report.codes[0].kappa is None  # three coders: no Cohen's kappa


def test_turn_units_count_a_coding_touching_a_turn():
    report, _ = _compare("turn", {"a": [(10, 20)], "b": [(45, 55)]}, "z" * 100)
    code = report.codes[0]
    # Turn 1: a yes, b yes (45..55 touches it); turn 2: a no, b yes.
    assert code.units == 2 and code.coded == {"a": 1, "b": 2} and code.percent == 0.5


def test_compare_requires_a_known_unit():
    with pytest.raises(ValueError):
        _compare("paragraph", {"a": [], "b": []}, "x")


def test_a_unit_counts_for_each_coder_whose_coding_overlaps_it():
    units = [(0, 10), (12, 20), (22, 30)]
    # a: one coding across the first two units; b: a coding ending where unit 3 starts
    # (touching, not overlapping) and an empty one inside unit 1.
    cells = unit_cells(units, [[(5, 15)], [(18, 22), (3, 3)]])
    assert cells == [((0, 10), (1, 1), 1), ((12, 20), (1, 1), 1), ((22, 30), (0, 0), 1)]


def test_character_cells_are_runs_weighted_by_length_and_the_rest_is_one_cell():
    cells = character_cells(100, [[(10, 20), (15, 30)], [(20, 40)]])
    assert cells == [
        ((10, 20), (1, 0), 10),
        ((20, 30), (1, 1), 10),
        ((30, 40), (0, 1), 10),
        ((0, 0), (0, 0), 70),
    ]


def test_tally_counts_patterns_and_what_each_coder_coded():
    cells = [[((0, 5), (1, 0), 5), ((5, 9), (1, 1), 4)], [((0, 0), (0, 0), 11)]]
    counts, coded = tally(cells, ["a", "b"])
    assert counts == {(1, 0): 5, (1, 1): 4, (0, 0): 11}
    assert coded == {"a": 9, "b": 4}


def test_only_sources_every_coder_coded_are_compared():
    codings = [
        CodingSpan(1, 7, "a", 0, 5),
        CodingSpan(1, 8, "b", 0, 5),  # another code, but b coded source 1 too
        CodingSpan(2, 7, "a", 0, 5),
        CodingSpan(3, 7, "b", 0, 5),
        CodingSpan(1, 7, "c", 0, 5),  # not compared
        CodingSpan(4, 7, "a", 0, 5),  # no such text
    ]
    spans = coded_spans(["a", "b"], {1: "x", 2: "x", 3: "x"}, codings)
    assert spans[(1, 7)] == [[(0, 5)], []] and (4, 7) not in spans
    assert shared_sources(spans, 2) == [1]
