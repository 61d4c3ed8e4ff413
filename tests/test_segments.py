"""Sentence, word and search helpers of qualcode.segments, with hand-computed offsets."""

from __future__ import annotations

from qualcode import segments

TEXT = "I: Hello there. Dr. Weber said no! Really?\nR: Yes, e.g. the flyer.\n"
#        0123456789...


def _turns() -> list[tuple[int, int]]:
    first = TEXT.index("Hello")
    second = TEXT.index("Yes")
    return [(first, TEXT.index("\n")), (second, len(TEXT) - 1)]


def test_sentences_split_within_turns_and_skip_abbreviations():
    spans = segments.sentence_spans(TEXT, _turns())
    assert [TEXT[s:e] for s, e in spans] == [
        "Hello there.",
        "Dr. Weber said no!",
        "Really?",
        "Yes, e.g. the flyer.",
    ]


def test_a_line_break_ends_a_sentence_without_punctuation():
    text = "first line\nsecond line"
    assert segments.sentence_spans(text, [(0, len(text))]) == [(0, 10), (11, 22)]


def test_widen_and_narrow_by_word():
    text = "one two three four"
    assert segments.widen_end(text, (0, 3), len(text)) == (0, 7)
    assert segments.widen_end(text, (0, 18), len(text)) == (0, 18)
    assert segments.narrow_end(text, (0, 13)) == (0, 7)
    assert segments.narrow_end(text, (0, 3)) == (0, 3)
    assert segments.widen_start(text, (8, 13), 0) == (4, 13)
    assert segments.widen_start(text, (8, 13), 8) == (8, 13)
    assert segments.narrow_start(text, (4, 13)) == (8, 13)


def test_find_all_is_case_insensitive_and_stays_in_the_spans():
    text = "Time: no time. TIME"
    assert segments.find_all(text, "time", [(6, len(text))]) == [(9, 13), (15, 19)]
    assert segments.find_all(text, "t.me", [(0, len(text))], regex=True)[0] == (0, 4)
    assert segments.find_all(text, "", [(0, 5)]) == []


def test_index_at():
    spans = [(0, 5), (10, 15)]
    assert segments.index_at(spans, 3) == 0
    assert segments.index_at(spans, 7) == 1
    assert segments.index_at(spans, 99) == 1
    assert segments.index_at([], 0) == -1
