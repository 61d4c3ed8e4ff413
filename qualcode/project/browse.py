"""The sources of a project (``project.sources``): listed, read, moved through, imported.

Moving through a source (sentences, search hits, uncoded turns, filtered views) is what the
coding screen asks on every key press; it lives here so the CLI and tests can ask it too, and
the TUI stays free of domain logic. Imports are read by :class:`~qualcode.project.importing.
Imports` and :class:`~qualcode.project.sourcing.SourceFiles`, offered here by name.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING

from qualcode import segments
from qualcode.errors import ProjectError
from qualcode.model import Source, SourceSummary, Turn

if TYPE_CHECKING:
    from qualcode.project.base import ProjectContext
    from qualcode.project.importing import Imports
    from qualcode.project.sourcing import SourceFiles

Span = tuple[int, int]


class Sources:
    """The sources of a project: listed, read, moved through, and imported."""

    def __init__(self, ctx: ProjectContext, imports: Imports, files: SourceFiles) -> None:
        self._ctx = ctx
        # What an import reads, offered where a user looks for it.
        self.import_paths = imports.import_paths
        self.transcript_paths = imports.transcript_paths
        self.import_files = files.import_files
        self.import_attributes = files.import_attributes
        self.import_responses = files.import_responses

    def all(self) -> list[SourceSummary]:
        """Every source, with its counts, in the order they were added."""
        return self._ctx.store.source_summaries()

    def get(self, ref: str | int) -> Source:
        """A source by name or id."""
        return self._ctx.source(ref)

    def turns(self, ref: str | int) -> list[Turn]:
        return list(self._ctx.turns(self._ctx.source(ref)))

    def texts(self, source_ids: Sequence[int]) -> dict[int, str]:
        """The texts of these sources by id (for quoting what a listing points into)."""
        return self._ctx.texts(source_ids)

    def sentences(self, source: str | int) -> list[Span]:
        """The sentences of a source, each inside one turn, in text order (the sentence
        units of :mod:`qualcode.analysis.units`, which reports and agreement count)."""
        from qualcode.analysis.units import sentence_units

        src = self._ctx.source(source)
        turns = self._ctx.turns(src)
        return sentence_units(src.text, [(t.start, t.end) for t in turns])

    def search(self, source: str | int, query: str, *, regex: bool = False) -> list[Span]:
        """Case-insensitive hits of ``query`` in what was said (turns, not labels)."""
        src = self._ctx.source(source)
        turns = [(t.start, t.end) for t in self._ctx.turns(src)]
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
        sid = self._ctx.source_id(source)
        turns = [t for t in self._ctx.store.turns(sid) if t.speaker is not None and t.end > t.start]
        if speaker is not None:
            turns = [t for t in turns if (t.speaker or "").casefold() == speaker.casefold()]
        coded = [(c.start, c.end) for c in self._ctx.store.list_codings(source_id=sid, coder=coder)]

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
        sid = self._ctx.source_id(source)
        turns = self._ctx.store.turns(sid)
        if speaker is not None:
            turns = [t for t in turns if (t.speaker or "").casefold() == speaker.casefold()]
        if code is not None:
            target = self._ctx.code(code)
            ids = [target.id] + [c.id for c in self._ctx.codebook().descendants(target.id)]
            spans = [
                (c.start, c.end)
                for c in self._ctx.store.list_codings(source_id=sid, code_ids=ids, coder=coder)
            ]
            turns = [t for t in turns if any(s < t.end and e > t.start for s, e in spans)]
        return turns

    def speakers(self, source: str | int) -> list[str]:
        """The speakers of a source, in order of first appearance."""
        turns = self._ctx.store.turns(self._ctx.source_id(source))
        return list(dict.fromkeys(t.speaker for t in turns if t.speaker))


# END
