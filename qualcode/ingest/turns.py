"""Speaker turns: where each utterance of a transcript starts and ends, and who said it.

:func:`parse_turns` works on normalised text (``\\n`` newlines) and never changes it: the
labels and timestamps stay in the text, each :class:`ParsedTurn` points at what was said
just after them. Which line starts count as speaker labels is decided in
:mod:`qualcode.ingest.labels` (see its docstring for the rule).

How turns are formed:

- a speaker label starts a turn; lines (and paragraphs) without one continue it, so
  consecutive labels of the same speaker are merged into one turn, keeping the first
  timestamp;
- text before the first label is one turn without a speaker;
- a turn's ``[start, end)`` runs from the first to the last non-blank character after
  its label, so it never includes surrounding white space; labels with nothing said
  after them make no turn;
- a speaker keeps the spelling first seen: ``INTERVIEWER`` later in the document is the
  same speaker as an earlier ``Interviewer``;
- a document without any label gets one turn per paragraph (blank-line separated).

A user's own ``speaker_pattern`` replaces the rule: every line it matches (at the start of
the line) with a non-empty ``speaker`` group starts a turn, right after the match.
"""

from __future__ import annotations

import dataclasses
import re
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache

from qualcode.errors import ImportFormatError
from qualcode.ingest.labels import (
    LabelCandidate,
    find_label,
    is_speaker,
    parse_timestamp,
    series_stem,
    speaker_key,
)
from qualcode.ingest.types import ParsedTurn


@dataclass(frozen=True, slots=True)
class _Boundary:
    """Where a line starts a new turn."""

    line_start: int  # offset of the line in the text
    content_start: int  # offset just after the label
    speaker: str | None
    timestamp: float | None
    lone_timestamp: bool = False  # a bracketed timestamp without a speaker


def parse_turns(text: str, speaker_pattern: str | None = None) -> tuple[ParsedTurn, ...]:
    """Split a normalised transcript into speaker turns.

    Args:
        text: the normalised text (see :func:`qualcode.ingest.text.normalise`).
        speaker_pattern: a regular expression matched at the start of each line, with a
            named group ``speaker`` and optionally one named ``time`` (``hh:mm:ss``,
            ``mm:ss`` or seconds). ``None`` uses the built-in label rule.

    Returns:
        The turns in text order; ``text[turn.start:turn.end]`` is exactly what was said.

    Raises:
        ImportFormatError: ``speaker_pattern`` is not a valid regex or has no
            ``speaker`` group.
    """
    if speaker_pattern is None:
        boundaries = _label_boundaries(_lines(text))
    else:
        boundaries = _pattern_boundaries(_lines(text), compile_speaker_pattern(speaker_pattern))
    if not boundaries:
        return _paragraph_turns(_lines(text))
    return _assemble(text, boundaries)


@lru_cache(maxsize=32)
def compile_speaker_pattern(pattern: str) -> re.Pattern[str]:
    """Compile and check a user's speaker pattern.

    Args:
        pattern: the regular expression.

    Returns:
        The compiled pattern.

    Raises:
        ImportFormatError: invalid, or without a ``(?P<speaker>...)`` group.
    """
    try:
        compiled = re.compile(pattern)
    except re.error as exc:
        raise ImportFormatError(
            f"invalid speaker pattern {pattern!r}: {exc}", place="speaker pattern"
        ) from None
    if "speaker" not in compiled.groupindex:
        raise ImportFormatError(
            f"the speaker pattern {pattern!r} needs a named group (?P<speaker>...) "
            "around the speaker's name",
            place="speaker pattern",
        )
    return compiled


def _lines(text: str) -> Iterator[tuple[int, str]]:
    """Each line with the offset where it starts, one at a time: a long transcript split
    into a list of lines at once would be a second copy of it in memory."""
    offset = 0
    while (end := text.find("\n", offset)) != -1:
        yield offset, text[offset:end]
        offset = end + 1
    yield offset, text[offset:]


def _label_boundaries(lines: Iterable[tuple[int, str]]) -> list[_Boundary]:
    """Boundaries by the built-in rule: shapes first, then evidence from the whole text."""
    candidates: list[tuple[int, LabelCandidate]] = []
    for offset, line in lines:
        candidate = find_label(line)
        if candidate is not None:
            candidates.append((offset, candidate))
    occurrences = Counter(speaker_key(c.name) for _, c in candidates if c.name is not None)
    # The stems of lettered or numbered speakers ("Nurse A", "Nurse B"), so a member of the
    # series who speaks once ("Nurse C") is a speaker too.
    series = frozenset(
        stem
        for _, c in candidates
        if c.name is not None
        and (stem := series_stem(c.name)) is not None
        and is_speaker(c.name, strong=c.strong, occurrences=occurrences[speaker_key(c.name)])
    )
    spellings: dict[str, str] = {}
    boundaries = []
    for offset, c in candidates:
        if c.name is not None and is_speaker(
            c.name,
            strong=c.strong,
            occurrences=occurrences[speaker_key(c.name)],
            series=series,
        ):
            speaker = spellings.setdefault(speaker_key(c.name), c.name)
            boundaries.append(_Boundary(offset, offset + c.end, speaker, c.timestamp))
        elif c.lone_timestamp_end is not None:
            boundaries.append(
                _Boundary(offset, offset + c.lone_timestamp_end, None, c.timestamp, True)
            )
    return boundaries


def _pattern_boundaries(
    lines: Iterable[tuple[int, str]], pattern: re.Pattern[str]
) -> list[_Boundary]:
    """Boundaries where a user's pattern matches with a non-empty speaker."""
    has_time = "time" in pattern.groupindex
    spellings: dict[str, str] = {}
    boundaries = []
    for offset, line in lines:
        match = pattern.match(line)
        if match is None:
            continue
        name = " ".join((match["speaker"] or "").split())
        if not name:
            continue
        speaker = spellings.setdefault(speaker_key(name), name)
        timestamp = parse_timestamp(match["time"]) if has_time else None
        boundaries.append(_Boundary(offset, offset + match.end(), speaker, timestamp))
    return boundaries


def _assemble(text: str, boundaries: list[_Boundary]) -> tuple[ParsedTurn, ...]:
    """Turns from the boundaries: preamble, lone timestamps inside turns, merging."""
    kept: list[_Boundary] = []
    # Whether nothing has been said yet in the last kept turn; once something has, it is not
    # checked again, so merging a long run of one speaker's labels stays linear.
    nothing_said = False
    for boundary in boundaries:
        # A lone timestamp while someone is talking is part of their turn (subtitles
        # name the speaker only when it changes).
        if boundary.lone_timestamp and kept and kept[-1].speaker is not None:
            continue
        # The same speaker again: one turn, with the first label's timestamp; a first label
        # with nothing said after it gives way to the second.
        if kept and boundary.speaker is not None and kept[-1].speaker == boundary.speaker:
            previous = kept[-1]
            if nothing_said and not text[previous.content_start : boundary.line_start].strip():
                timestamp = boundary.timestamp if previous.timestamp is None else previous.timestamp
                kept[-1] = dataclasses.replace(
                    previous, content_start=boundary.content_start, timestamp=timestamp
                )
            else:
                nothing_said = False
            continue
        kept.append(boundary)
        nothing_said = True

    spans: list[tuple[int, int, str | None, float | None]] = [(0, kept[0].line_start, None, None)]
    for boundary, following in zip(kept, [*kept[1:], None], strict=True):
        end = following.line_start if following is not None else len(text)
        spans.append((boundary.content_start, end, boundary.speaker, boundary.timestamp))

    turns = []
    for start, end, speaker, timestamp in spans:
        trimmed = _trim(text, start, end)
        if trimmed is not None:
            turns.append(ParsedTurn(trimmed[0], trimmed[1], speaker, timestamp))
    return tuple(turns)


def _trim(text: str, start: int, end: int) -> tuple[int, int] | None:
    """``[start, end)`` without white space at either end; None if nothing is left."""
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return (start, end) if start < end else None


def _paragraph_turns(lines: Iterable[tuple[int, str]]) -> tuple[ParsedTurn, ...]:
    """One speakerless turn per blank-line separated paragraph."""
    turns = []
    start: int | None = None
    end = 0
    for offset, line in lines:
        stripped = line.strip()
        if not stripped:
            if start is not None:
                turns.append(ParsedTurn(start, end))
                start = None
            continue
        if start is None:
            start = offset + (len(line) - len(line.lstrip()))
        end = offset + len(line.rstrip())
    if start is not None:
        turns.append(ParsedTurn(start, end))
    return tuple(turns)
