"""Sentence splitting, unit lookup, passage merging and roll-up, on hand-made arrays."""

from __future__ import annotations

import numpy as np
import pandas as pd

from qualcode.analysis.passages import merge_passages, passage_spans, rolled_up
from qualcode.analysis.units import (
    locate,
    sentence_frame,
    sorted_units,
    split_sentences,
    unit_memberships,
)


def sentences(text: str) -> list[str]:
    return [text[a:b] for a, b in split_sentences(text)]


def test_sentences_end_at_stops_and_line_breaks():
    assert sentences("I agree. It works!  Really?\nYes") == [
        "I agree.",
        "It works!",
        "Really?",
        "Yes",
    ]


def test_abbreviations_initials_and_numbers_do_not_end_a_sentence():
    text = "Dr. Weber and Prof. Lindqvist met J. Smith, e.g. at 3.5 pm. Then they left."
    assert sentences(text) == [
        "Dr. Weber and Prof. Lindqvist met J. Smith, e.g. at 3.5 pm.",
        "Then they left.",
    ]


def test_closing_quotes_stay_with_their_sentence_and_blank_text_has_none():
    assert sentences('He said "no." She left…  ') == ['He said "no."', "She left…"]
    assert split_sentences("") == []
    assert split_sentences(" \n\n ") == []


def test_sentence_frame_numbers_sentences_per_source():
    texts = pd.DataFrame({"source_id": [7, 9], "text": ["Yes. No.", "C"]})
    frame = sentence_frame(texts)
    assert frame.values.tolist() == [[7, 0, 0, 4], [7, 1, 5, 8], [9, 0, 0, 1]]


UNITS = sorted_units(
    pd.DataFrame(
        {
            "source_id": [1, 1, 1, 2],
            "idx": [0, 1, 2, 0],
            "start": [5, 12, 30, 0],
            "end": [10, 25, 40, 8],
        }
    )
)


def test_an_offset_belongs_to_the_first_unit_ending_after_it():
    src = np.array([1, 1, 1, 1, 1, 2, 2, 3])
    off = np.array([0, 9, 10, 26, 40, 7, 8, 0])
    # 0 and 9 in unit 0; 10 (a label between units) and 26 go to the unit that follows;
    # 40 is past the last unit; source 2 ends at 8; source 3 has no units.
    assert locate(UNITS, src, off).tolist() == [0, 0, 1, 2, -1, 3, -1, -1]
    assert locate(UNITS, src, off, last=True).tolist() == [0, 0, 1, 2, 2, 3, 3, -1]


def test_a_coding_belongs_to_every_unit_it_overlaps():
    row, unit = unit_memberships(
        UNITS, np.array([1, 1, 2]), np.array([8, 41, 1]), np.array([31, 45, 3])
    )
    assert list(zip(row.tolist(), unit.tolist(), strict=True)) == [(0, 0), (0, 1), (0, 2), (2, 3)]


def test_overlapping_codings_merge_touching_ones_do_not():
    z = np.zeros(5, dtype=np.int64)
    start = np.array([0, 5, 10, 20, 25])
    end = np.array([10, 8, 20, 30, 26])
    m = merge_passages(z, z, z, start, end)
    # [0,10) holds [5,8); [10,20) only touches it; [25,26) lies inside [20,30).
    assert m.new.tolist() == [True, False, True, True, False]
    spans = passage_spans(z, z, start, end)
    assert spans[["start", "end"]].values.tolist() == [[0, 10], [10, 20], [20, 30]]


def test_passages_are_per_group_source_and_code():
    group = np.array([0, 0, 1, 0])
    source = np.array([1, 1, 1, 2])
    code = np.array([3, 4, 3, 3])
    start = np.array([0, 0, 0, 0])
    end = np.array([5, 5, 5, 5])
    assert int(merge_passages(group, source, code, start, end).new.sum()) == 4


def test_roll_up_repeats_a_coding_for_each_ancestor():
    ancestors = np.array([[0, 0], [1, 1], [1, 0], [2, 2], [2, 1], [2, 0]])
    row, code = rolled_up(np.array([2, 0]), ancestors)
    assert sorted(zip(row.tolist(), code.tolist(), strict=True)) == [
        (0, 0),
        (0, 1),
        (0, 2),
        (1, 0),
    ]
