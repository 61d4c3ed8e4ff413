"""Moving through a source: sentences, search hits, uncoded turns, filtered views, usage.

These are the questions the coding screen asks on every key press; they live here so the CLI
and tests can ask them too, and the TUI stays free of domain logic.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from qualcode import segments
from qualcode.errors import ProjectError
from qualcode.model import Code, Turn
from qualcode.project.base import ProjectBase

Span = tuple[int, int]


@dataclass(frozen=True, slots=True)
class CodeUsage:
    """How a code is used: its codings, and in how many sources and by how many coders."""

    code: Code
    path: str
    depth: int
    codings: int
    sources: int
    coders: int


class BrowseActions(ProjectBase):
    def sentences(self, source: str | int) -> list[Span]:
        """The sentences of a source, each inside one turn, in text order (the sentence
        units of :mod:`qualcode.analysis.units`, which reports and agreement count)."""
        from qualcode.analysis.units import sentence_units

        src = self.source(source)
        turns = self.store.turns(src.id)
        return sentence_units(src.text, [(t.start, t.end) for t in turns])

    def search(self, source: str | int, query: str, *, regex: bool = False) -> list[Span]:
        """Case-insensitive hits of ``query`` in what was said (turns, not labels)."""
        src = self.source(source)
        turns = [(t.start, t.end) for t in self.store.turns(src.id)]
        try:
            return segments.find_all(src.text, query, turns, regex=regex)
        except re.error as exc:
            raise ProjectError(f"bad search pattern {query!r}: {exc}") from None

    def next_uncoded_turn(
        self,
        source: str | int,
        after: int = -1,
        *,
        coder: str | None = None,
        speaker: str | None = None,
    ) -> Turn | None:
        """The first turn starting after offset ``after`` that no coding touches (only
        ``coder``'s codings count when given, only ``speaker``'s turns when given); turns
        with no speaker (headers) are skipped. Wraps around to the start of the source;
        None when every turn is coded."""
        sid = self._source_id(source)
        turns = [t for t in self.store.turns(sid) if t.speaker is not None and t.end > t.start]
        if speaker is not None:
            turns = [t for t in turns if (t.speaker or "").casefold() == speaker.casefold()]
        coded = [(c.start, c.end) for c in self.store.list_codings(source_id=sid, coder=coder)]

        def uncoded(t: Turn) -> bool:
            return not any(s < t.end and e > t.start for s, e in coded)

        later = [t for t in turns if t.start > after]
        earlier = [t for t in turns if t.start <= after]
        return next((t for t in later + earlier if uncoded(t)), None)

    def filter_turns(
        self,
        source: str | int,
        *,
        code: str | int | None = None,
        speaker: str | None = None,
        coder: str | None = None,
    ) -> list[Turn]:
        """The turns of a source said by ``speaker`` and/or touched by a coding of ``code``
        (or a code below it)."""
        sid = self._source_id(source)
        turns = self.store.turns(sid)
        if speaker is not None:
            turns = [t for t in turns if (t.speaker or "").casefold() == speaker.casefold()]
        if code is not None:
            target = self.code(code)
            ids = [target.id] + [c.id for c in self.codebook().descendants(target.id)]
            spans = [
                (c.start, c.end)
                for c in self.store.list_codings(source_id=sid, code_ids=ids, coder=coder)
            ]
            turns = [t for t in turns if any(s < t.end and e > t.start for s, e in spans)]
        return turns

    def speakers(self, source: str | int) -> list[str]:
        """The speakers of a source, in order of first appearance."""
        turns = self.store.turns(self._source_id(source))
        return list(dict.fromkeys(t.speaker for t in turns if t.speaker))

    def code_usage(self) -> list[CodeUsage]:
        """Every code in codebook order with its codings, sources and coders."""
        book = self.codebook()
        usage = self.store.code_usage()
        return [
            CodeUsage(c, book.path(c), book.depth(c), *usage.get(c.id, (0, 0, 0))) for c in book
        ]
