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

# A sentence ends after . ! ? or … (with closing quotes or brackets), before whitespace, or at
# a line break; a short abbreviation ("Dr.", "e.g.", "Prof.") does not end one.
_ABBREV = (
    r"(?<!\bDr)(?<!\bMr)(?<!\bMs)(?<!\bMrs)(?<!\bProf)(?<!\be\.g)(?<!\bi\.e)(?<!\bvs)(?<!\bz\.B)"
)
_SENTENCE_END = re.compile(_ABBREV + r"(?:[.!?…]+[\"'”’)\]]*(?=\s)|(?=\n))")
_WORD = re.compile(r"\w[\w'’-]*|[^\w\s]+")


def sentence_spans(text: str, turns: Iterable[Span]) -> list[Span]:
    """The sentences of each turn ``[start, end)``, trimmed of surrounding whitespace.

    Args:
        text: the source's text.
        turns: the turns' spans, in order.

    Returns:
        Sentence spans in text order; every one lies inside a single turn.
    """
    out: list[Span] = []
    for start, end in turns:
        pos = start
        for m in _SENTENCE_END.finditer(text, start, end):
            _add_trimmed(text, pos, m.end(), out)
            pos = m.end()
        _add_trimmed(text, pos, end, out)
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


def index_at(spans: Sequence[Span], offset: int) -> int:
    """Index of the span containing ``offset``, else of the first span after it (clamped)."""
    if not spans:
        return -1
    i = bisect.bisect_right([e for _, e in spans], offset)
    return min(i, len(spans) - 1)
