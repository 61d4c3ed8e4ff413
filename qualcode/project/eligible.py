"""Which passages of a source may get a suggestion, a theme quote or a queue entry, and how
many were left out and why.

:func:`qualcode.nlp.substance.judge` decides for a passage's words (too short, a courtesy, a
header line); here the project adds what only a source's turns tell: the text before the
first speaker of a transcript with speakers is its heading (title, date, mode), and the
turns of the one who asks are questions. Both the suggester and the theme finder take their
passages through :func:`substantive`, before any versioned model sees them, and say how many
they left out (:class:`LeftOut`), so nothing is dropped silently.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, fields
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from qualcode.model import Turn
    from qualcode.nlp.pipeline import Analysis

Span = tuple[int, int]

# Who asks, when no speaker is named as interviewer or moderator ("Speaker 1", "A"): the one
# speaker of a source whose turns hold a question this often, and at least twice as often as
# anyone else's, over at least this many turns.
ASKS_SHARE = 0.4
ASKS_TURNS = 5


@dataclass(slots=True)
class LeftOut:
    """Passages left out because they say nothing to code, counted by reason."""

    short: int = 0  # fewer than three content words
    courtesy: int = 0  # backchannels and courtesies
    header: int = 0  # transcript headings and metadata lines
    interviewer: int = 0  # turns of interviewers or moderators

    def add(self, reason: str, n: int = 1) -> None:
        setattr(self, reason, getattr(self, reason) + n)

    @property
    def total(self) -> int:
        return sum(self.counts().values())

    def counts(self) -> dict[str, int]:
        """Per reason, how many were left out (every reason, zeros included)."""
        return {f.name: getattr(self, f.name) for f in fields(self)}

    def describe(self, units: str = "passages") -> str:
        """One sentence for the user, or "" when nothing was left out."""
        said = {
            "short": "too short (fewer than 3 content words)",
            "courtesy": "courtesies or backchannels",
            "header": "header or metadata lines",
            "interviewer": "of interviewers or moderators",
        }
        parts = [f"{n} {said[reason]}" for reason, n in self.counts().items() if n]
        if not parts:
            return ""
        return f"Left out {self.total} {units} with nothing to code: {', '.join(parts)}."


def substantive(
    spoken: str,
    language: str,
    spans: Sequence[Span],
    heading_end: int,
    left_out: LeftOut | None = None,
    *,
    spoken_by: bool = True,
) -> list[Span]:
    """The spans of a source that say something (see :func:`qualcode.nlp.substance.judge`);
    a span that ends by ``heading_end`` is a header line.

    Args:
        spoken: the source's text with speaker labels and timestamps blanked.
        language: the source's language.
        spans: passages of the source, ``[start, end)``.
        heading_end: where the source's heading ends (see :func:`heading_end`).
        left_out: counts the spans left out, by reason, if given.
        spoken_by: whether the source is a conversation (it has speakers). Only there are
            short passages and courtesies left out: a survey's answer or a document has no
            backchannels, and "Yes, very much." answers its question.
    """
    from qualcode.nlp.substance import reasons

    judged = iter(reasons([spoken[a:b] for a, b in spans if b > heading_end], language))
    kept: list[Span] = []
    for a, b in spans:
        reason = "header" if b <= heading_end else next(judged)
        if reason is not None and reason != "header" and not spoken_by:
            reason = None
        if reason is None:
            kept.append((a, b))
        elif left_out is not None:
            left_out.add(reason)
    return kept


def heading_end(turns: Sequence[Turn]) -> int:
    """Where the heading of a transcript ends: the end of its turns without a speaker before
    the first speaker's turn (title, date, mode of the interview); 0 when it has none, or
    has no speakers at all (a document's text is its content)."""
    end = 0
    for t in turns:
        if t.speaker:
            return end
        end = t.end
    return 0


def asking_speakers(turns: Sequence[Turn], text: str, pattern: str) -> set[str]:
    """The speakers of a source whose turns are questions, not data: those named as
    interviewers or moderators (``pattern``, whole name, case-insensitive); when none is, the
    one who clearly asks (a question in at least ``ASKS_SHARE`` of their turns and twice as
    often as anyone else, as "Speaker 1" of a transcription tool does)."""
    named = re.compile(pattern, re.IGNORECASE)
    speakers = {t.speaker for t in turns if t.speaker}
    found = {s for s in speakers if named.fullmatch(s.strip())}
    if found or len(speakers) < 2:
        return found
    shares = []
    for s in speakers:
        said = [text[t.start : t.end] for t in turns if t.speaker == s]
        if len(said) >= ASKS_TURNS:
            shares.append((sum("?" in x for x in said) / len(said), s))
    shares.sort(reverse=True)
    if not shares or shares[0][0] < ASKS_SHARE:
        return set()
    if len(shares) > 1 and shares[0][0] < 2 * shares[1][0]:
        return set()
    return {shares[0][1]}


def topic_texts(analysis: Analysis, spoken: str, spans: Sequence[Span], language: str) -> list[str]:
    """Per span ``[start, end)``, its content lemmas without its words of talk ("sorry", "a
    bit"): what themes are formed from, so that apologies and hedges, said in every
    interview, do not make a theme ("bite / sorry", from the lemma of "a bit")."""
    from qualcode.nlp.substance import talk_spans_of

    out = []
    for (start, end), said in zip(
        spans, talk_spans_of([spoken[a:b] for a, b in spans], language), strict=True
    ):
        talk = [(start + a, start + b) for a, b in said]
        i, j = analysis.token_range(start, end)
        out.append(
            " ".join(
                analysis.lemmas[k]
                for k in range(i, j)
                if analysis.content[k]
                and not any(a <= analysis.starts[k] and analysis.ends[k] <= b for a, b in talk)
            )
        )
    return out
