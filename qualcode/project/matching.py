"""What ``code --match`` codes: the units (match, sentence or turn) that a regular
expression's matches give, and whose turns they are in.

A match belongs to the turn it starts in (one in a speaker label, outside every turn, to
the turn the label opens). By default the turns of interviewers and moderators are left out
(named so, :mod:`qualcode.project.speakers`, or else the one who clearly asks, as
:func:`qualcode.project.eligible.asking_speakers` finds them for suggestions): their
questions echo the participants' words ("You said the tutors seem busy?") and are not the
participants' data. ``speakers`` codes only
the named speakers' turns (an interviewer's too, if named), ``not_speakers`` leaves the
named ones out; either replaces the default. What was left out is counted and said.
"""

from __future__ import annotations

import bisect
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

from qualcode.analysis.units import Span, overlapped, text_units
from qualcode.errors import ProjectError
from qualcode.ingest.labels import speaker_key
from qualcode.model import Coding, Source, Turn
from qualcode.project.base import did_you_mean
from qualcode.project.eligible import asking_speakers
from qualcode.project.new_codes import NewCodes
from qualcode.project.speakers import INTERVIEWERS, roles

_NOUNS = {"match": ("match", "matches"), "sentence": ("sentence", "sentences"),
          "turn": ("turn", "turns")}  # fmt: skip
NO_SPEAKER = "no speaker"  # a match outside every turn, where no turn follows


def units_of(n: int, unit: str) -> str:
    """``1 sentence``, ``3 matches``: a count of ``unit`` with its noun."""
    one, many = _NOUNS[unit]
    return f"{n} {one if n == 1 else many}"


@dataclass(frozen=True, slots=True)
class SpeakerFilter:
    """Whose turns are coded: only ``speakers`` if any are named, never ``not_speakers``;
    with neither, everyone but interviewers and moderators."""

    speakers: tuple[str, ...] = ()
    not_speakers: tuple[str, ...] = ()

    @property
    def by_default(self) -> bool:
        return not self.speakers and not self.not_speakers

    def check(self, turns: Sequence[Turn], label: str) -> None:
        """Refuse a name that no turn of the sources searched has: a typo would otherwise
        code nothing, or everything, without a word."""
        known = {speaker_key(t.speaker): t.speaker for t in turns if t.speaker}
        for name in (*self.speakers, *self.not_speakers):
            if speaker_key(name) not in known:
                raise ProjectError(
                    f"no speaker {name!r} in the sources searched"
                    + did_you_mean(name, known.values()),
                    file=label,
                )

    def keeps(self, speaker: str | None, asking: set[str]) -> bool:
        """Whether a match in ``speaker``'s turn is coded; ``asking``: the speakers of its
        source who ask (left out by default)."""
        if self.by_default:
            return speaker not in asking
        key = speaker_key(speaker) if speaker else None
        if self.speakers and key not in {speaker_key(s) for s in self.speakers}:
            return False
        return key not in {speaker_key(s) for s in self.not_speakers}


@dataclass(slots=True)
class MatchReport:
    """What ``code_matches`` did: the codings made, the units the coder had already coded,
    and the units left out by speaker (their label, or :data:`NO_SPEAKER`)."""

    unit: str
    filter: SpeakerFilter
    code: str = ""  # its path, as the codebook shows it
    made: NewCodes = field(default_factory=NewCodes)  # codes made for it, parents included
    codings: list[Coding] = field(default_factory=list)
    already: int = 0
    left_out: Counter[str] = field(default_factory=Counter)

    def summary(self) -> str:
        """One line: ``12 sentences coded with 'Time', 3 interviewer sentences left out.``
        (the codes made for it are said by ``made.describe()``)."""
        line = f"{units_of(len(self.codings), self.unit)} coded with {self.code!r}"
        if self.already:
            line += f" ({self.already} already were)"
        skipped = sum(self.left_out.values())
        if skipped and self.filter.by_default:
            one, many = _NOUNS[self.unit]
            noun = one if skipped == 1 else many
            line += f", {skipped} {roles(self.left_out)} {noun} left out"
        elif skipped:
            by_key: Counter[str] = Counter()  # STUDENT and Student are one speaker
            spelt: dict[str, str] = {}
            for name, n in self.left_out.items():
                by_key[speaker_key(name)] += n
                spelt.setdefault(speaker_key(name), name)
            names = [spelt[k] for k, _ in sorted(by_key.items(), key=lambda i: (-i[1], i[0]))]
            who = ", ".join(names[:3]) + (f" and {len(names) - 3} more" if len(names) > 3 else "")
            line += f", {units_of(skipped, self.unit)} of {who} left out"
        return line + "."


def match_spans(
    source: Source,
    turns: Sequence[Turn],
    regex: re.Pattern[str],
    unit: str,
    speakers: SpeakerFilter,
    report: MatchReport,
) -> list[Span]:
    """The spans ``unit`` gives for the matches in a source that ``speakers`` keeps, each
    once, in text order; the units of matches left out are counted in ``report``."""
    hits = [m.span() for m in regex.finditer(source.text) if m.end() > m.start()]
    if not hits:
        return []
    # Named as interviewers or moderators, or else the one who clearly asks ("Speaker 1"):
    # as suggestions and themes tell them.
    asking = asking_speakers(turns, source.text, INTERVIEWERS) if speakers.by_default else set()
    spans = [(t.start, t.end) for t in turns]
    ends = [e for _, e in spans]
    units = text_units(source.text, spans, unit) if unit != "match" else []
    found: dict[Span, None] = {}
    dropped: dict[Span, str] = {}
    for (a, b), touched in zip(hits, overlapped(units, hits), strict=True):
        # Every unit the match touches (a match across a sentence end codes both); a match
        # in a speaker label, outside every turn, codes the match itself.
        places = [units[i] for i in touched] or [(a, b)]
        i = bisect.bisect_right(ends, a)  # the turn it starts in, or the one after a label
        speaker = turns[i].speaker if i < len(turns) else None
        if speakers.keeps(speaker, asking):
            found.update(dict.fromkeys(places))
        else:
            dropped.update(dict.fromkeys(places, speaker or NO_SPEAKER))
    for place, speaker in dropped.items():
        if place not in found:  # a unit kept for another match is coded, not left out
            report.left_out[speaker] += 1
    return sorted(found)
