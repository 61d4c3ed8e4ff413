"""The span arithmetic of a reconcile decision, on a small text with hand-computed spans."""

from __future__ import annotations

from qualcode.analysis.reconciling import alike, clip, cut, decided, joined

#       0         1         2         3
#       0123456789012345678901234567890123456789
TEXT = "One two. Three four. Five.\nB: Six seven."
ONE, TWO, THREE = (0, 8), (9, 20), (21, 26)  # three sentences of a turn
SIX = (30, 40)  # after the label "B: "


def test_a_coders_version_is_clipped_to_the_span():
    assert clip([(0, 26)], *TWO) == [TWO]
    assert clip([(4, 12), (15, 30)], *TWO) == [(9, 12), (15, 20)]
    assert clip([SIX], *TWO) == []


def test_none_cuts_the_span_out_and_keeps_both_sides_without_the_space_between():
    assert cut([(0, 26)], *TWO, TEXT) == [ONE, THREE]
    assert cut([ONE, SIX], *TWO, TEXT) == [ONE, SIX]
    assert cut([TWO], *TWO, TEXT) == []


def test_pieces_apart_by_white_space_only_are_one_coding_and_a_label_keeps_them_apart():
    assert joined([ONE, TWO, THREE], TEXT) == [(0, 26)]
    assert joined([THREE, SIX], TEXT) == [THREE, SIX]  # "\nB: " is not white space only
    assert joined([(0, 5), (3, 8)], TEXT) == [ONE]


def test_a_decision_changes_its_span_only():
    assert decided([ONE, THREE], [(0, 26)], *TWO, TEXT) == [(0, 26)]
    assert decided([(0, 26)], [], *TWO, TEXT) == [ONE, THREE]
    assert decided([(0, 26)], [(12, 16)], *TWO, TEXT) == [ONE, (12, 16), THREE]


def test_what_coders_coded_alike_is_their_intersection_else_their_union():
    assert alike([[(0, 26)], [(12, 20)]], *TWO) == [(12, 20)]
    assert alike([[(9, 12)], [(15, 20)]], *TWO) == [(9, 12), (15, 20)]
