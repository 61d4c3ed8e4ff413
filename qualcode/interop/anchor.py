"""Placing a coding by its quote when its source's text has changed.

A re-import of an edited transcript, or a merge where one coder fixed a typo, brings codings
whose offsets point into a text slightly different from the project's copy. Their offsets
are then only a hint: the quote is what the coder meant. :class:`Anchor` diffs the two texts
line by line (difflib; lines are long and mostly unique, so this stays fast on long
transcripts), maps an old offset to where it most likely went, and places the quote there:
exactly when the quote is still in the text (the occurrence nearest the mapped place), else
the closest similar passage near it, else not at all.
"""

from __future__ import annotations

import bisect
import difflib

SIMILAR = 0.8  # difflib ratio above which two texts are one source edited
QUOTE_SIMILAR = 0.75  # ... and a passage is an edited quote


def similar(a: str, b: str) -> bool:
    """Two texts are versions of one another: most of their characters match, counted over
    equal lines and, inside changed lines of moderate size, equal characters."""
    total = len(a) + len(b)
    if not total or min(len(a), len(b)) < SIMILAR * max(len(a), len(b)):
        return False
    same = 0
    for o1, o2, n1, n2, equal in _blocks(a, b):
        if equal:
            same += o2 - o1
        elif 0 < o2 - o1 <= 5000 and 0 < n2 - n1 <= 5000:
            chars = difflib.SequenceMatcher(None, a[o1:o2], b[n1:n2], autojunk=False)
            same += sum(x.size for x in chars.get_matching_blocks())
    if 2 * same / total >= SIMILAR:
        return True
    if total > 20_000:  # long texts have enough lines for the line diff to judge
        return False
    # A short text whose line diff aligned badly (a repeated line): compare characters.
    chars = difflib.SequenceMatcher(None, a, b, autojunk=False)
    return chars.quick_ratio() >= SIMILAR and chars.ratio() >= SIMILAR


def _blocks(old: str, new: str) -> list[tuple[int, int, int, int, bool]]:
    """A line diff as (old start, old end, new start, new end, equal) character spans."""
    old_lines, new_lines = old.splitlines(True), new.splitlines(True)
    starts_old, starts_new = [0], [0]
    for line in old_lines:
        starts_old.append(starts_old[-1] + len(line))
    for line in new_lines:
        starts_new.append(starts_new[-1] + len(line))
    matcher = difflib.SequenceMatcher(None, old_lines, new_lines, autojunk=False)
    return [
        (starts_old[i1], starts_old[i2], starts_new[j1], starts_new[j2], tag == "equal")
        for tag, i1, i2, j1, j2 in matcher.get_opcodes()
    ]


class Anchor:
    """Moves spans of ``old`` onto ``new`` by their text."""

    def __init__(self, old: str, new: str):
        self.old = old
        self.new = new
        self._blocks = _blocks(old, new)
        self._keys = [b[0] for b in self._blocks]

    def guess(self, offset: int) -> int:
        """Where ``offset`` of the old text most likely is in the new one."""
        if not self._blocks:
            return min(offset, len(self.new))
        k = max(bisect.bisect_right(self._keys, offset) - 1, 0)
        o1, o2, n1, n2, equal = self._blocks[k]
        if equal:
            return n1 + (offset - o1)
        if o2 == o1:
            return n1
        return n1 + round((offset - o1) * (n2 - n1) / (o2 - o1))

    def place(self, start: int, end: int) -> tuple[int, int] | None:
        """The span of the new text holding the old text's ``[start, end)``, or None."""
        quote = self.old[start:end]
        if not quote.strip():
            return None
        near = self.guess(start)
        best: int | None = None
        at = self.new.find(quote)
        while at >= 0:
            if best is None or abs(at - near) < abs(best - near):
                best = at
            at = self.new.find(quote, at + 1)
        if best is not None:
            return best, best + len(quote)
        # The quote itself was edited: the most similar passage around the mapped place.
        margin = max(40, len(quote) // 2)
        lo = max(0, near - margin)
        window = self.new[lo : self.guess(end) + margin]
        m = difflib.SequenceMatcher(None, quote, window, autojunk=False)
        blocks = [b for b in m.get_matching_blocks() if b.size]
        if not blocks:
            return None
        a = lo + blocks[0].b - blocks[0].a
        b = lo + blocks[-1].b + blocks[-1].size + (len(quote) - blocks[-1].a - blocks[-1].size)
        a, b = max(a, 0), min(b, len(self.new))
        if a >= b:
            return None
        ratio = difflib.SequenceMatcher(None, quote, self.new[a:b], autojunk=False).ratio()
        return (a, b) if ratio >= QUOTE_SIMILAR else None
