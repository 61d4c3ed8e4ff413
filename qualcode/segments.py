"""Pure text helpers for moving through a transcript: sentences, words and search hits.

Everything works on offsets into a source's normalised text and never crosses a turn: a
sentence is cut at the end of its turn, so a selection made by sentence always lies inside
what one speaker said. The sentence splitter is a regular expression, not spaCy, because it
runs on every source the coding screen opens and must take milliseconds on 50,000 words; it
errs towards longer sentences (abbreviations such as "Dr." and "e.g." do not end one).
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable, Sequence

Span = tuple[int, int]

# A sentence ends at . ! ? … (and any closing quotes or brackets after them) before white
# space, or at a line break. A full stop after a common abbreviation or a single initial does
# not end one ("Dr. Weber", "J. Smith", "e.g. this", "z.B. so"). Candidates are found by one
# simple pattern and only full stops are then checked against the word before them:
# lookbehinds in the pattern would be tried at every character, many times slower.
_CANDIDATE = re.compile(r"[.!?…]+[\"'”’»)\]]*(?=\s)|\n")
_ABBREVIATIONS = frozenset(
    "dr prof mr mrs ms st vs etc e.g i.e cf z.b bzw ca nr fig jr sr dipl med".split()
)
_WORD = re.compile(r"\w[\w'’-]*|[^\w\s]+")


def split_sentences(text: str, start: int = 0, end: int | None = None) -> list[Span]:
    """Sentences of ``text[start:end]`` as absolute spans without surrounding white space.

    The one sentence splitter of qualcode: the coding screen moves by these sentences, and
    the reports and the agreement statistics count by them, so all three mean the same.

    >>> split_sentences("I agree. Dr. Weber said so!\\nYes")
    [(0, 8), (9, 27), (28, 31)]
    """
    stop = len(text) if end is None else end
    out: list[Span] = []
    pos = start
    for m in _CANDIDATE.finditer(text, start, stop):
        if text[m.start()] == "." and _abbreviated(text, m.start()):
            continue
        _add_trimmed(text, pos, m.end(), out)
        pos = m.end()
    _add_trimmed(text, pos, stop, out)
    return out


def _abbreviated(text: str, dot: int) -> bool:
    before = text[max(0, dot - 6) : dot].split()
    if not before:
        return False
    word = before[-1].lstrip("([\"'“‘")
    initial = len(word) == 1 and word.isupper() and word != "I"
    return initial or word.casefold() in _ABBREVIATIONS


def sentence_spans(text: str, turns: Iterable[Span]) -> list[Span]:
    """The sentences of each turn ``[start, end)``, trimmed of surrounding whitespace.

    A line of a turn that opens with the turn's speaker's label again (one speaker's two
    lines in a row make one turn: ``Student 12: And I would want...``) or with a lone
    timestamp starts its sentence after that label, as :func:`qualcode.ingest.spoken.spoken_text`
    blanks it; a line holding nothing else gives no sentence.

    Args:
        text: the source's text.
        turns: the turns' spans, in order.

    Returns:
        Sentence spans in text order; every one lies inside a single turn.
    """
    out: list[Span] = []
    for start, end in turns:
        found = split_sentences(text, start, end)
        if text.find("\n", start, end) != -1:
            found = _after_labels(text, start, end, found)
        out.extend(found)
    return out


def _after_labels(text: str, start: int, end: int, sentences: list[Span]) -> list[Span]:
    """``sentences`` of the turn ``[start, end)`` without the speaker's repeated labels."""
    # Deferred: the label rule lives with the readers, which most callers of this module
    # (the coding screen's word moves) never need.
    from qualcode.ingest.spoken import opening_speaker, own_labels

    labels = list(own_labels(text, start, end, opening_speaker(text, start)))
    if not labels:
        return sentences
    out: list[Span] = []
    for a, b in sentences:
        for x, y in labels:
            if x <= a < y:  # the sentence starts in a label: it starts after it
                a = y
        _add_trimmed(text, a, b, out)
    return out


def _add_trimmed(text: str, start: int, end: int, out: list[Span]) -> None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if end > start:
        out.append((start, end))


def word_spans(text: str, start: int, end: int) -> list[Span]:
    """Words (and runs of punctuation) of ``text[start:end]`` as absolute spans."""
    return [m.span() for m in _WORD.finditer(text, start, end)]


def widen_end(text: str, span: Span, limit: int) -> Span:
    """``span`` with its end moved past the next word, but not beyond ``limit``."""
    start, end = span
    m = _WORD.search(text, end, limit)
    return (start, m.end()) if m else span


def narrow_end(text: str, span: Span) -> Span:
    """``span`` without its last word; a one-word span stays as it is."""
    start, end = span
    words = word_spans(text, start, end)
    return (start, words[-2][1]) if len(words) > 1 else span


def widen_start(text: str, span: Span, floor: int) -> Span:
    """``span`` with its start moved back over the previous word, not before ``floor``."""
    start, end = span
    words = word_spans(text, floor, start)
    return (words[-1][0], end) if words else span


def narrow_start(text: str, span: Span) -> Span:
    """``span`` without its first word; a one-word span stays as it is."""
    start, end = span
    words = word_spans(text, start, end)
    return (words[1][0], end) if len(words) > 1 else span


def find_all(text: str, query: str, within: Iterable[Span], *, regex: bool = False) -> list[Span]:
    """Case-insensitive hits of ``query`` inside the given spans (usually the turns).

    Raises:
        re.error: for a bad regular expression when ``regex`` is true.
    """
    if not query:
        return []
    pattern = re.compile(query if regex else re.escape(query), re.IGNORECASE)
    return [
        m.span() for s, e in within for m in pattern.finditer(text, s, e) if m.end() > m.start()
    ]


def shorten(text: str, width: int) -> str:
    """``text`` on one line (runs of white space as one space), cut to ``width`` characters
    with an ellipsis if longer: a quote in a listing or a message."""
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


def index_at(spans: Sequence[Span], offset: int) -> int:
    """Index of the span containing ``offset``, else of the first span after it (clamped)."""
    if not spans:
        return -1
    i = bisect.bisect_right([e for _, e in spans], offset)
    return min(i, len(spans) - 1)
