"""Coding of a project (``project.coding``): codes applied and removed, undo and redo, memos."""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

from qualcode.errors import ProjectError
from qualcode.model import (
    Code,
    Codebook,
    CodedSegment,
    Coding,
    Memo,
    MemoTarget,
    NewCoding,
    NewMemo,
    Source,
    Turn,
    utc_now,
)
from qualcode.project.matching import MatchReport, SpeakerFilter, match_spans
from qualcode.project.new_codes import NewCodes

if TYPE_CHECKING:
    from qualcode.project.base import ProjectContext

MatchUnit = Literal["match", "sentence", "turn"]
MATCH_UNITS: tuple[str, ...] = ("match", "sentence", "turn")


@dataclass(frozen=True, slots=True)
class ApplyResult:
    """The coding made (None if the coder already had it), its code, and the codes made
    for it (the code and any parents its path named that no code was)."""

    coding: Coding | None
    code: Code
    made: NewCodes = field(default_factory=NewCodes)

    @property
    def code_created(self) -> bool:
        """Whether the code was new."""
        return bool(self.made)


@dataclass(frozen=True, slots=True)
class Place:
    """A coding an undo or redo put back or took away: its source (by id and name), its
    code (None if the code has been deleted since) and its span."""

    source_id: int
    source: str
    code: Code | None
    start: int
    end: int

    @property
    def code_name(self) -> str:
        return self.code.name if self.code is not None else "a deleted code"


@dataclass(frozen=True, slots=True)
class Step:
    """An undo or redo taken: ``op`` is the operation it reverted or repeated (``'apply'``
    or ``'remove'``), ``added`` says whether codings came back (True) or went (False), and
    ``places`` says which, where."""

    op: str
    added: bool
    places: tuple[Place, ...]

    @property
    def codes(self) -> str:
        """The names of the codes it put back or took away, sorted, comma-separated."""
        return ", ".join(sorted({p.code_name for p in self.places})) or "nothing"

    @property
    def action(self) -> str:
        """What it did to which codes, ready for a place: "removed Awareness from"."""
        return f"put back {self.codes} on" if self.added else f"removed {self.codes} from"

    def describe(self) -> str:
        """What it did, in words: "removed Awareness from interview_01, characters
        120–245" or "put back Awareness, Time on 3 passages in 2 sources"."""
        action = self.action
        if len(self.places) == 1:
            place = self.places[0]
            return f"{action} {place.source}, characters {place.start}–{place.end}"
        sources = len({p.source_id for p in self.places})
        return f"{action} {len(self.places)} passages in {sources} source{'s' * (sources != 1)}"


class Codings:
    """Coding of a project: codes applied to passages, removed, undone and redone, and memos."""

    def __init__(self, ctx: ProjectContext) -> None:
        self._ctx = ctx

    def apply(
        self,
        source: str | int,
        start: int,
        end: int,
        code: str | int,
        *,
        coder: str | None = None,
        memo: str = "",
        new: bool = False,
        parents: bool = False,
    ) -> ApplyResult:
        """Code ``[start, end)`` of a source; the same coder applying the same code to the
        same span is a no-op.

        Args:
            code: a code's id, name or ``Parent/Child`` path.
            new: add ``code`` to the codebook if no code has that name; without it an
                unknown name is refused with the closest names, so a typo never becomes a
                code of its own.
            parents: with ``new``, add the parents a ``Parent/Child`` path names that no
                code is; without it such a path is refused (a typo in a parent's name would
                fork the codebook), naming the closest codes. ``ApplyResult.made`` says
                every code made.
        """
        # One transaction, and on a server what it reads of the source, the codebook and
        # the coder is kept from the last coding while none of them changed (see
        # qualcode.store.catalog): the coding itself is most of what travels.
        with self._ctx.store.atomic() as store:
            source_id = self._ctx.source_id(source)
            self._ctx.check_span(source_id, start, end)
            name = self._ctx.coder_as(coder or None)
            code_id, made = self._ctx.code_id(code, new=new, parents=parents)
            target = self._ctx.codebook().get(code_id)
            row = NewCoding(source_id, code_id, store.coder_id(name), start, end, utc_now(), memo)
            coding = store.add_coding(row, coder=name)
        return ApplyResult(coding, target, made)

    def code_matches(
        self,
        source: str | int | None,
        pattern: str,
        code: str | int,
        *,
        coder: str | None = None,
        unit: MatchUnit = "sentence",
        new: bool = False,
        parents: bool = False,
        flags: int = re.IGNORECASE,
        speakers: Sequence[str] = (),
        not_speakers: Sequence[str] = (),
    ) -> MatchReport:
        """Code every match of a regular expression, in one source or all, as one undo step.

        Args:
            source: a source, or None for every source.
            unit: what is coded for a match: ``sentence`` (the sentence it is in, by the one
                sentence splitter of :mod:`qualcode.segments`), ``turn`` (its speaker turn) or
                ``match`` (the matched characters only). Several matches in one unit code
                it once.
            new: add ``code`` to the codebook if no code has that name.
            parents: with ``new``, add the parents its path names that no code is (as
                :meth:`apply`).
            speakers: code only matches in these speakers' turns.
            not_speakers: leave out matches in these speakers' turns. With neither, the
                turns of interviewers and moderators are left out (see
                :mod:`qualcode.project.matching`).

        Returns:
            The codings made and what was left out, with a line that says so.
        """
        if unit not in MATCH_UNITS:
            raise ProjectError(f"unit must be one of {', '.join(MATCH_UNITS)}, not {unit!r}")
        try:
            regex = re.compile(pattern, flags)
        except re.error as exc:
            raise ProjectError(f"bad --match pattern {pattern!r}: {exc}") from None
        sources = (
            [self._ctx.source(source)] if source is not None else self._ctx.store.list_sources()
        )
        turns = {s.id: list(self._ctx.turns(s)) for s in sources}
        who = SpeakerFilter(tuple(speakers), tuple(not_speakers))
        who.check([t for ts in turns.values() for t in ts], self._ctx.label)
        report = MatchReport(unit, who)
        spans = {s.id: match_spans(s, turns[s.id], regex, unit, who, report) for s in sources}
        with self._ctx.store.atomic() as store:
            coder_id = store.coder_id(self._ctx.coder_as(coder or None))
            code_id, report.made = self._ctx.code_id(code, new=new, parents=parents)
            report.code = self._ctx.codebook().path(code_id)
            now = utc_now()
            rows = [
                NewCoding(source_id, code_id, coder_id, a, b, now)
                for source_id, found in spans.items()
                for a, b in found
            ]
            ids = set(store.add_codings(rows, coder_id=coder_id))
        report.codings = [
            c for c in self._ctx.store.list_codings(code_ids=[code_id]) if c.id in ids
        ]
        report.already = len(rows) - len(report.codings)
        return report

    def remove(
        self, source: str | int, start: int, end: int, code: str | int, *, coder: str | None = None
    ) -> int:
        """Remove the coder's coding of ``code`` on exactly ``[start, end)``; returns 0 or 1."""
        src = self._ctx.source(source)
        self._ctx.check_span(src.id, start, end)
        target = self._ctx.code(code)
        name = coder or self._ctx.coder
        hits = [
            c.id
            for c in self._ctx.store.list_codings(
                source_id=src.id, code_ids=[target.id], coder=name
            )
            if c.start == start and c.end == end
        ]
        if not hits:
            raise ProjectError(
                f"{name} has no coding of {target.name!r} at {start}..{end} in {src.name!r}",
                file=self._ctx.label,
            )
        with self._ctx.store.atomic() as store:
            return store.delete_codings(hits, coder_id=store.coder_id(name))

    def remove_coding(self, coding_id: int) -> int:
        """Remove one coding by id (undoable by the coder who owned it)."""
        with self._ctx.store.atomic() as store:
            found = store.list_codings(ids=[coding_id])
            if not found:
                raise ProjectError(f"no coding with id {coding_id}", file=self._ctx.label)
            return store.delete_codings([coding_id], coder_id=store.coder_id(found[0].coder))

    def undo(self, coder: str | None = None) -> str | None:
        """Undo the coder's last coding operation; returns what was undone, or None."""
        return self._ctx.store.undo(self._ctx.store.coder_id(self._ctx.coder_as(coder or None)))

    def redo(self, coder: str | None = None) -> str | None:
        return self._ctx.store.redo(self._ctx.store.coder_id(self._ctx.coder_as(coder or None)))

    def undo_step(self, coder: str | None = None) -> Step | None:
        """Undo like :meth:`undo` and say which codes it removed (or put back), where."""
        return self._take_step(coder, forward=False)

    def redo_step(self, coder: str | None = None) -> Step | None:
        """Redo like :meth:`redo` and say which codes it put back (or removed), where."""
        return self._take_step(coder, forward=True)

    def _take_step(self, coder: str | None, *, forward: bool) -> Step | None:
        with self._ctx.store.atomic() as store:
            coder_id = store.coder_id(self._ctx.coder_as(coder or None))
            step = store.next_step(coder_id, forward=forward)
            if step is None:
                return None
            if forward:
                store.redo(coder_id)
            else:
                store.undo(coder_id)
        op, codings = step
        codes = {c.id: c for c in self._ctx.codebook()}
        names = {s.id: s.name for s in self._ctx.store.list_sources(with_text=False)}
        places = tuple(
            Place(
                c.source_id,
                names.get(c.source_id, "a deleted source"),
                codes.get(c.code_id),
                c.start,
                c.end,
            )
            for c in codings
        )
        # A reconcile adds codings like an apply: undoing it takes them away.
        return Step(op, (op != "remove") == forward, places)

    def codings(
        self,
        *,
        code: str | int | None = None,
        source: str | int | None = None,
        coder: str | None = None,
        start: int | None = None,
        end: int | None = None,
        subtree: bool = False,
    ) -> list[CodedSegment]:
        """Coded segments with their quotes (what was said: repeated cue labels, caption
        timestamps and transcriber notes left out, other brackets kept) and their exact
        text, offsets as stored, filtered by code, source, coder and span."""
        book = self._ctx.codebook()
        code_ids = None
        if code is not None:
            target = self._ctx.code(code)
            code_ids = [target.id] + (
                [c.id for c in book.descendants(target.id)] if subtree else []
            )
        source_id = self._ctx.source_id(source) if source is not None else None
        found = self._ctx.store.list_codings(
            source_id=source_id, code_ids=code_ids, coder=coder, start=start, end=end
        )
        sources = [self._ctx.store.get_source(i) for i in sorted({c.source_id for c in found})]
        quoting = {src.id: self._quoting(src) for src in sources if src is not None}
        return [quoting[c.source_id](c, book) for c in found]

    def segment(self, coding: Coding, source: Source, book: Codebook) -> CodedSegment:
        """``coding`` (of ``source``) with its quote, code path and speaker, as
        :meth:`codings` lists it, from what the caller has read (the source's turns are the
        context's, read once per import): an open window shows a coding it just made
        without reading the source again."""
        return self._quoting(source)(coding, book)

    def _quoting(self, source: Source) -> Callable[[Coding, Codebook], CodedSegment]:
        """What makes a coding of ``source`` a :class:`CodedSegment`."""
        # Deferred: the ingest package loads the readers, which opening a project need not.
        from qualcode.ingest.spoken import spoken_quote

        turns = self._ctx.turns(source)
        spans = [(t.start, t.end, t.speaker) for t in turns]
        ends = [t.end for t in turns]

        def quote(c: Coding, book: Codebook) -> CodedSegment:
            return CodedSegment(
                coding=c,
                source=source.name,
                code=book.path(c.code_id),
                text=spoken_quote(source.text, c.start, c.end, spans),
                speaker=_speaker_at(turns, ends, c.start),
                verbatim=source.text[c.start : c.end],
            )

        return quote

    def set_coding_memo(self, coding_id: int, memo: str) -> None:
        self._ctx.store.set_coding_memo(coding_id, memo)

    # -- memos ---------------------------------------------------------------------------

    def add_memo(
        self,
        text: str,
        *,
        source: str | int | None = None,
        code: str | int | None = None,
        coding: int | None = None,
        coder: str | None = None,
    ) -> Memo:
        """Write a memo on the project, a source, a code or a coding."""
        if not text.strip():
            raise ProjectError("a memo needs some text")
        if sum(x is not None for x in (source, code, coding)) > 1:
            raise ProjectError("a memo is attached to one thing at most")
        target: MemoTarget = "project"
        target_id: int | None = None
        if source is not None:
            target, target_id = "source", self._ctx.source_id(source)
        elif code is not None:
            target, target_id = "code", self._ctx.code(code).id
        elif coding is not None:
            if not self._ctx.store.list_codings(ids=[coding]):
                raise ProjectError(f"no coding with id {coding}", file=self._ctx.label)
            target, target_id = "coding", coding
        with self._ctx.store.atomic() as store:
            coder_id = store.coder_id(self._ctx.coder_as(coder or None))
            memo = NewMemo(target, target_id, text, coder_id, utc_now())
            memo_id = store.add_memos([memo])[0]
        return next(m for m in self._ctx.store.list_memos() if m.id == memo_id)

    def memos(self, *, target: str | None = None, target_id: int | None = None) -> list[Memo]:
        """Every memo, oldest first, including the memos written on a coding when it was
        made or later (``code --memo``, the workbench's ``M``): those live on the coding
        itself and are listed with id 0 and target ``coding``."""
        found = self._ctx.store.list_memos(target, target_id)
        if target in (None, "coding"):
            codings = self._ctx.store.list_codings(
                ids=[target_id] if target_id is not None else None
            )
            found += [
                Memo(0, "coding", c.id, c.memo, c.coder, c.created_at) for c in codings if c.memo
            ]
        return sorted(found, key=lambda m: m.created_at)

    def memo_places(self, memos: Sequence[Memo]) -> list[str]:
        """What each memo is on, in words (see :func:`memo_places`), in the order given."""
        ids = sorted({m.target_id for m in memos if m.target == "coding" and m.target_id})
        codings = self._ctx.store.list_codings(ids=ids) if ids else []
        sources = {i: n for n, i in self._ctx.store.source_ids().items()}
        return memo_places(memos, self._ctx.codebook(), sources, codings)


def memo_places(
    memos: Sequence[Memo], book: Codebook, sources: Mapping[int, str], codings: Sequence[Coding]
) -> list[str]:
    """What each memo is on, as a person reads it: ``project``, ``source interview_03``,
    ``code Awareness and publicity/Awareness`` or ``coding of <code path> in <source> at
    264..309``; a target deleted since is said to be gone, with its id.

    Args:
        memos: the memos, in the order wanted.
        book: the codebook, for code paths.
        sources: source names by id.
        codings: the codings the memos on a coding are on (others are ignored).
    """
    by_id = {c.id: c for c in codings}
    known = {c.id for c in book}

    def code(code_id: int) -> str:
        return book.path(code_id) if code_id in known else f"a deleted code (id {code_id})"

    def place(memo: Memo) -> str:
        target = memo.target_id
        if memo.target == "project" or target is None:
            return "project"
        if memo.target == "source":
            return f"source {sources.get(target, f'(deleted, id {target})')}"
        if memo.target == "code":
            return f"code {code(target)}"
        coding = by_id.get(target)
        if coding is None:
            return f"a removed coding (id {target})"
        source = sources.get(coding.source_id, f"a deleted source (id {coding.source_id})")
        return f"coding of {code(coding.code_id)} in {source} at {coding.start}..{coding.end}"

    return [place(m) for m in memos]


def _speaker_at(turns: Sequence[Turn], ends: Sequence[int], offset: int) -> str | None:
    """The speaker of the turn an offset falls in (a label belongs to the turn it opens);
    ``ends`` are the turns' ends."""
    i = bisect.bisect_right(ends, offset)
    return turns[i].speaker if i < len(turns) else None
