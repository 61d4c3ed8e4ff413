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
    It works on the few lines of the quote, not character by character: a report of many
    thousand quotes asks for it once per quote.

    Args:
        text: a source's normalised text.
        start: the quote's first character.
        end: one past its last.
        turns: ``(start, end, speaker)`` of the source's turns, in text order.
    """
    gaps = _left_out(text, start, end, turns)
    if not gaps:
        return text[start:end]
    parts: list[str] = []
    pos = start
    for a, b in gaps:
        parts.append(text[pos:a])
        parts.append("\n" * text.count("\n", a, b) or " ")  # line breaks stay
        pos = b
    parts.append(text[pos:end])
    lines = (" ".join(line.split()) for line in "".join(parts).split("\n"))
    return "\n".join(line for line in lines if line)


def _left_out(
    text: str, start: int, end: int, turns: Iterable[tuple[int, int, str | None]]
) -> list[tuple[int, int]]:
    """The spans of ``[start, end)`` that :func:`spoken_text` blanks, merged, in order."""
    out: list[tuple[int, int]] = []
    pos = start
    for t_start, t_end, speaker in turns:
        if t_end <= start or t_start >= end:
            continue
        a, b = max(t_start, start), min(t_end, end)
        if a > pos:
            out.append((pos, a))  # between turns: labels, headers
        for note in _NOTE.finditer(text, max(t_start, a - 62), min(t_end, b + 62)):
            out.append((note.start(), note.end()))
        key = speaker_key(speaker) if speaker else None
        newline = text.find("\n", max(t_start, a - 80), b)
        while newline != -1:
            line_start = newline + 1
            line_end = text.find("\n", line_start, t_end)
            label = find_label(text[line_start : line_end if line_end != -1 else t_end])
            if label is not None and (label.name is None or speaker_key(label.name) == key):
                out.append((line_start, line_start + label.end))
            newline = line_end if line_end != -1 and line_end < b else -1
        pos = max(pos, b)
    if pos < end:
        out.append((pos, end))
    merged: list[tuple[int, int]] = []
    for a, b in sorted((max(a, start), min(b, end)) for a, b in out):
        if b <= a or not text[a:b].strip(" \n"):
            continue  # nothing but spaces and line breaks: nothing to leave out
        if merged and a <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], b))
        else:
            merged.append((a, b))
    return merged
