"""What was said: a source's text with everything else blanked, offsets unchanged.

The NLP reads words, and speaker labels are words too: in a caption transcript whose cues
of one speaker make one turn, ``[00:02:11] Maya Okafor:`` stands at the start of every line
of the turn, and a theme called "okafor / maya" is the result. :func:`spoken_text` keeps
the text's length and newlines (so every offset and every quote stays valid) and replaces
with spaces what lies outside the turns and, inside a turn, the turn's own speaker label or
a lone timestamp at the start of a line, and the transcriber's notes in square brackets
(``[laughs]``, ``[pause]``, ``[crosstalk]``, ``[inaudible 00:12:03]``), which are not speech.
Round brackets are left alone: people say things in parentheses too.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from qualcode.ingest.labels import find_label, speaker_key

_NOTE = re.compile(r"\[[^\[\]\n]{1,60}\]")


def spoken_text(text: str, turns: Iterable[tuple[int, int, str | None]]) -> str:
    """``text`` with everything but the speech of ``turns`` turned into spaces.

    Args:
        text: a source's normalised text.
        turns: ``(start, end, speaker)`` of each turn.

    Returns:
        A string of the same length, newlines where ``text`` has them.
    """
    out = [" " if ch != "\n" else "\n" for ch in text]
    for start, end, speaker in turns:
        out[start:end] = text[start:end]
        for note in _NOTE.finditer(text, start, end):
            out[note.start() : note.end()] = " " * (note.end() - note.start())
        key = speaker_key(speaker) if speaker else None
        line_start = text.find("\n", start, end)
        while line_start != -1:
            line_start += 1
            line_end = text.find("\n", line_start, end)
            line = text[line_start : line_end if line_end != -1 else end]
            label = find_label(line)
            if label is not None and (label.name is None or speaker_key(label.name) == key):
                out[line_start : line_start + label.end] = " " * label.end
            line_start = line_end
    return "".join(out)


def spoken_quote(
    text: str, start: int, end: int, turns: Iterable[tuple[int, int, str | None]]
) -> str:
    """What was said in ``text[start:end]``: a quote as people should read it.

    The rule of :func:`spoken_text` (labels, lone timestamps, notes and whatever lies between
    turns left out), applied to the quote alone, then the gaps it leaves closed: each line
    stripped, lines with nothing said dropped. A quote with nothing to leave out is
    ``text[start:end]`` as it is. The offsets of a coding never change; only what is shown.

    Args:
        text: a source's normalised text.
        start: the quote's first character.
        end: one past its last.
        turns: ``(start, end, speaker)`` of the source's turns.
    """
    raw = text[start:end]
    # From the newline before the quote's line, so a label opening that line is seen as one
    # (spoken_text looks for labels after a newline inside a turn).
    line = text.rfind("\n", 0, start)
    lo = line if line >= 0 else 0
    clipped = [
        (max(a, lo) - lo, min(b, end) - lo, who) for a, b, who in turns if a < end and b > lo
    ]
    spoken = spoken_text(text[lo:end], clipped)[start - lo :]
    if spoken == raw:
        return raw
    kept = "".join(o for o, s in zip(raw, spoken, strict=True) if s != " " or o.isspace())
    lines = (" ".join(part.split()) for part in kept.split("\n"))
    return "\n".join(part for part in lines if part)
