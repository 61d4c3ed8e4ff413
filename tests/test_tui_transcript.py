"""The transcript widget's pure parts: line layout and the coverage map of codings."""

from __future__ import annotations

from qualcode.model import Coding, Turn
from qualcode.tui.widgets.transcript import coverage, wrap_turns

TEXT = "A: one two three four five six\nB: seven\neight nine\n"


def _turns() -> list[Turn]:
    a = TEXT.index("one")
    b = TEXT.index("seven")
    return [
        Turn(1, 0, a, TEXT.index("\n"), "A", 65.0),
        Turn(1, 1, b, len(TEXT) - 1, "B"),
    ]


def test_wrap_turns_keeps_lines_within_width_and_every_word():
    lines = wrap_turns(TEXT, _turns(), 10)
    texts = [TEXT[ln.start : ln.end] for ln in lines]
    assert all(len(t) <= 10 for t in texts)
    assert (
        " ".join(t for t in texts if t).split() == TEXT.replace("A:", "").replace("B:", "").split()
    )
    assert lines[0].gutter == "A" and lines[1].gutter == "00:01:05"
    turn_b = next(ln for ln in lines if ln.gutter == "B")
    assert TEXT[turn_b.start : turn_b.end] == "seven"  # a line break inside a turn is kept


def test_a_word_longer_than_the_line_is_cut():
    text = "x" * 25
    lines = wrap_turns(text, [Turn(1, 0, 0, 25)], 10)
    assert [(ln.start, ln.end) for ln in lines] == [(0, 10), (10, 20), (20, 25)]


def test_coverage_cuts_at_every_boundary_newest_code_first():
    codings = [Coding(1, 1, 10, 0, 10, "a"), Coding(2, 1, 20, 5, 15, "a")]
    cuts, covers = coverage(codings)
    assert cuts == [0, 5, 10, 15]
    assert covers == [(10,), (20, 10), (20,), ()]
