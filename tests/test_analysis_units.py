"""Sentence splitting, unit lookup, passage merging and roll-up, on hand-made arrays."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from qualcode.analysis.passages import merge_passages, passage_spans, rolled_up
from qualcode.analysis.units import (
    locate,
    overlapped,
    sentence_frame,
    sentence_units,
    sorted_units,
    split_sentences,
    text_units,
    turn_units,
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


DIALOGUE = "A: Hi. Well\nB: No. Ok."  # turns "Hi. Well" [3, 11) and "No. Ok." [15, 22)
TURNS = [(3, 11), (15, 22)]


def test_sentences_are_cut_within_turns_and_leave_the_speaker_labels_out():
    assert [DIALOGUE[a:b] for a, b in sentence_units(DIALOGUE, TURNS)] == [
        "Hi.",
        "Well",
        "No.",
        "Ok.",
    ]
    texts = pd.DataFrame({"source_id": [4, 5], "text": [DIALOGUE, "One. Two."]})
    turns = pd.DataFrame({"source_id": [4, 4], "start": [3, 15], "end": [11, 22]})
    assert sentence_frame(texts, turns).values.tolist() == [
        [4, 0, 3, 6],
        [4, 1, 7, 11],
        [4, 2, 15, 18],
        [4, 3, 19, 22],
        [5, 0, 0, 4],  # no turns: the whole text
        [5, 1, 5, 9],
    ]


def test_turn_units_skip_empty_turns_and_stand_in_for_a_source_without_turns():
    assert turn_units(DIALOGUE, [(3, 11), (11, 11), (15, 22)]) == TURNS
    assert turn_units("Just text.", []) == [(0, 10)]
    assert turn_units("  \n ", []) == []
    assert text_units(DIALOGUE, TURNS, "turn") == TURNS
    with pytest.raises(ValueError, match="sentence, turn"):
        text_units(DIALOGUE, TURNS, "paragraph")


def test_a_span_overlaps_the_units_it_starts_before_the_end_of_and_ends_after_the_start_of():
    units = [(0, 10), (12, 20), (22, 30)]
    spans = [(5, 15), (10, 12), (18, 22), (3, 3), (30, 40)]
    assert [list(r) for r in overlapped(units, spans)] == [[0, 1], [], [1], [0], []]


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
