"""What was said: the text the NLP reads, and the quotes people read, offsets unchanged.

Speaker labels are words too: in a caption transcript whose cues of one speaker make one
turn, ``[00:02:11] Maya Okafor:`` stands at the start of every line of the turn, and a theme
called "okafor / maya" is the result. Two readings of a source leave such things out, each
for its reader:

- :func:`spoken_text`, for the NLP (themes, suggestions, language detection), keeps the
  text's length and newlines (so every offset stays valid) and blanks what lies outside the
  turns and, inside a turn, the turn's own label repeated or a lone timestamp at the start of
  a line, and every short square-bracketed passage. The brackets go whole: a transcriber's
  ``[laughs]`` is not speech, and neither is a researcher's ``[management is]`` or
  ``[hospital name]``; an anonymisation placeholder found in every interview would otherwise
  become a theme ("name"), and the researcher's words would count as the participant's.
- :func:`spoken_quote`, for people (``codings``, ``report quotes``, exports, the workbench),
  leaves out only what is certainly not speech: the quote's own line-start label, a label
  repeating the same speaker on a continuation line, lone timestamps, and the transcriber
  notes of the closed list in :mod:`qualcode.ingest.notes`. Every other bracket stays, and a
  speaker change inside a quote keeps its label (``Ben: ...`` on a line of its own).

Round brackets are left alone by both: people say things in parentheses too.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from qualcode.ingest.labels import find_label, speaker_key
from qualcode.ingest.notes import bracketed, transcriber_notes

Span = tuple[int, int]
_CLOSING = frozenset(".,;:!?…)")
Turns = Iterable[tuple[int, int, str | None]]


def spoken_text(text: str, turns: Turns) -> str:
    """``text`` with everything but the speech of ``turns`` turned into spaces (the NLP's
    reading: see the module docstring).

    Args:
        text: a source's normalised text.
        turns: ``(start, end, speaker)`` of each turn.

    Returns:
        A string of the same length, newlines where ``text`` has them.
    """
    out = [" " if ch != "\n" else "\n" for ch in text]
    for start, end, speaker in turns:
        out[start:end] = text[start:end]
        for a, b in (*bracketed(text, start, end), *own_labels(text, start, end, speaker)):
            out[a:b] = " " * (b - a)
    return "".join(out)


def labels_blanked(text: str, turns: Turns) -> str:
    """``text`` with only the labels that repeat a turn's speaker (and lone timestamps)
    inside the turns turned into spaces: words, notes, insertions and the labels that open
    a turn stay. Two pieces of one passage apart by such a label are one passage: reconcile
    reads its gaps this way, since sentence units start after these labels.
    """
    out = list(text)
    for start, end, speaker in turns:
        for a, b in own_labels(text, start, end, speaker):
            out[a:b] = " " * (b - a)
    return "".join(out)


def own_labels(
    text: str, start: int, end: int, speaker: str | None, lines: Span | None = None
) -> Iterator[Span]:
    """Inside the turn ``[start, end)`` of ``speaker``, the labels at the start of a line
    that repeat the speaker (a caption transcript labels every cue) or are a lone timestamp.

    Args:
        text: a source's normalised text.
        start: the turn's first character (after its opening label).
        end: one past its last.
        speaker: the turn's speaker, None for a turn without one (then only lone
            timestamps count).
        lines: only the lines that begin after a line break in ``[a, b)`` of the turn
            (default: the whole turn).
    """
    key = speaker_key(speaker) if speaker else None
    lo, hi = lines if lines is not None else (start, end)
    newline = text.find("\n", max(start, lo), min(end, hi))
    while newline != -1:
        line_start = newline + 1
        line_end = text.find("\n", line_start, end)
        label = find_label(text[line_start : line_end if line_end != -1 else end])
        if label is not None and (label.name is None or speaker_key(label.name) == key):
            yield line_start, line_start + label.end
        newline = line_end if line_end != -1 and line_end < hi else -1


def opening_speaker(text: str, start: int) -> str | None:
    """The name on the label that opens the turn starting at ``start``: on the same line
    before it, or alone on the line above (``Maya Okafor  0:03``, as Otter writes). None
    when there is no label, or it is a lone timestamp."""
    line_start = text.rfind("\n", 0, start) + 1
    if not text[line_start:start].strip():
        above = text[: max(line_start - 1, 0)].rstrip()  # the last line with something on it
        line_start = above.rfind("\n") + 1
        line = above[line_start:]
    else:
        line_end = text.find("\n", start)
        line = text[line_start : line_end if line_end != -1 else len(text)]
    label = find_label(line)
    return label.name if label is not None else None


def spoken_quote(text: str, start: int, end: int, turns: Turns) -> str:
    """What was said in ``text[start:end]``: a quote as people should read it.

    Left out: the quote's own opening label (what precedes its first turn), a label
    repeating the same speaker or a lone timestamp at the start of a line of a turn, and
    the transcriber notes of :data:`qualcode.ingest.notes.TRANSCRIBER_NOTES` that lie wholly
    inside the quote; the gaps they leave are closed (each line stripped, lines with nothing
    said dropped). Kept: every other square bracket, and where a turn of another speaker
    begins inside the quote, its label, as ``Name: `` at the start of its line. A quote with
    nothing to leave out is ``text[start:end]`` as it is. The offsets of a coding never
    change; only what is shown. It works on the few lines of the quote, not character by
    character: a report of many thousand quotes asks for it once per quote.

    Args:
        text: a source's normalised text.
        start: the quote's first character.
        end: one past its last.
        turns: ``(start, end, speaker)`` of the source's turns, in text order.
    """
    edits = _edits(text, start, end, turns)
    if not edits:
        return text[start:end]
    parts: list[str] = []
    pos = start
    for a, b, shown in edits:
        parts.append(text[pos:a])
        parts.append(shown)
        pos = b
    parts.append(text[pos:end])
    lines = (" ".join(line.split()) for line in "".join(parts).split("\n"))
    return "\n".join(line for line in lines if line)


def _before_punctuation(text: str, a: int, b: int, floor: int) -> int:
    """Where a note ``[a, b)`` left out starts its gap: before the spaces ahead of it when
    punctuation follows ("about it [laughs]." reads "about it.")."""
    if text[b : b + 1] not in _CLOSING:
        return a
    while a > floor and text[a - 1] in " \t":
        a -= 1
    return a


def _edits(text: str, start: int, end: int, turns: Turns) -> list[tuple[int, int, str]]:
    """What :func:`spoken_quote` changes in ``[start, end)``: ``(a, b, shown)`` spans in
    order, not overlapping, each shown as ``shown`` (line breaks, a space, or a label)."""
    out: list[tuple[int, int, str]] = []
    pos = start
    for t_start, t_end, speaker in turns:
        if t_end <= start or t_start >= end:
            continue
        a, b = max(t_start, start), min(t_end, end)
        if a > pos:  # before the turn: its label, unless it is the quote's own
            label = f"{speaker}: " if speaker and pos > start else ""
            out.append((pos, a, "\n" * max(text.count("\n", pos, a), bool(label)) + label))
        out.extend(
            (_before_punctuation(text, x, y, a), y, "") for x, y in transcriber_notes(text, a, b)
        )
        lines = (max(t_start, a - 80), b)  # a label the quote starts inside is left out too
        out.extend((x, y, "") for x, y in own_labels(text, t_start, t_end, speaker, lines))
        pos = max(pos, b)
    if pos < end:
        out.append((pos, end, ""))
    merged: list[tuple[int, int, str]] = []
    for a, b, shown in sorted((max(a, start), min(b, end), s) for a, b, s in out):
        if b <= a or text[a:b] == shown or (not shown and not text[a:b].strip(" \n")):
            continue  # shown as it is, or nothing but spaces and line breaks
        # Line breaks stay; words either side stay apart, but not from their punctuation.
        shown = shown or "\n" * text.count("\n", a, b) or " " * (text[b : b + 1] not in _CLOSING)
        if merged and a <= merged[-1][1]:
            last = merged[-1]
            merged[-1] = (last[0], max(last[1], b), last[2] + shown)
        else:
            merged.append((a, b, shown))
    return merged
