"""Suggestions of a project (``project.suggestions``) and the review queue: suggestions for
every uncoded sentence, decided by a coder in bulk.

``queue_suggestions`` scores every sentence no coding touches and keeps the suggestions whose
precision, measured on the project's own codings by cross-fitting (:mod:`qualcode.project.
crossfit`), reaches ``min_precision``; the queue promises what that rule reached on held-out
codings, never a mean of scores (scores calibrated elsewhere did not hold in a project: on the
example study a queue "expected" at 80% was right about one time in ten). With too little
coded data to measure, the queue holds the suggestions scored at least ``min_precision`` and
says that their precision is not measured. Each decision goes through
:meth:`Suggester.accept_suggestion` or :meth:`Suggester.reject_suggestion`, so it is
recorded as feedback like a decision on the coding screen, and leaves the queue.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from qualcode.analysis.units import overlapped
from qualcode.errors import ProjectError
from qualcode.model import PendingSuggestion, Suggestion, utc_now
from qualcode.project.crossfit import (
    MIN_CODED,
    MIN_KEPT,
    Calibration,
    CrossFit,
    Measures,
    cross_fit,
    keep_measured,
)
from qualcode.project.eligible import LeftOut

if TYPE_CHECKING:
    from qualcode.project.base import ProjectContext
    from qualcode.project.browse import Sources
    from qualcode.project.suggest import Suggester
    from qualcode.project.themes import Themes

# The suggester as a coder in ``agreement``: a name no person can take by coding (see
# :meth:`Suggestions.suggested_codings`).
SUGGESTED = "suggested"


@dataclass(frozen=True, slots=True)
class Queued:
    """What :meth:`Suggestions.queue_suggestions` stored."""

    suggestions: int  # in the queue now
    sentences: int  # uncoded sentences scored
    threshold: float  # lowest score kept
    precision: float  # promised: measured on held-out codings (0.0: not measured)
    questions: int = 0  # uncoded sentences of interviewers or moderators, not scored
    # uncoded sentences with nothing to code (headers, courtesies, too short), not scored
    left_out: LeftOut = field(default_factory=LeftOut)
    calibration: Calibration | None = None  # what was measured (None: not asked)
    measured_on: int = 0  # held-out suggestions the queue's rule kept, ``precision`` of them
    # queued suggestions before their source's last coding: text a coder read and left
    # uncoded, where the precision measured on text nobody had coded is optimistic
    read: int = 0
    uncoded_sources: int = 0  # sources no coding touches yet
    # when nothing was queued: the highest lower minimum that queues something, how many it
    # queues and the precision it promises (None: none would, or every source is coded)
    lower: tuple[float, int, float] | None = None
    reached: float = 0.0  # what the rule reached on held-out suggestions, queued or not

    @property
    def measured(self) -> bool:
        """Whether the precision was measured (enough coded data)."""
        return self.calibration is not None and self.calibration.enough

    def describe(self, min_precision: float) -> str:
        """What was queued, in one sentence (the command line and the Review screen)."""
        cal = self.calibration
        if cal is None or not cal.enough:
            coded = 0 if cal is None else cal.coded
            head = (
                f"Too little coded data to measure precision ({coded} coded sentences in coded "
                f"sources, {MIN_CODED} needed): "
            )
            if not self.suggestions:
                return head + f"nothing queued of {self.sentences} uncoded sentences."
            return head + (
                f"queued {self.suggestions} suggestions for {self.sentences} uncoded sentences "
                f"scored {self.threshold:.2f} or more; their precision is not measured."
            )
        measured = (
            f"precision {self.precision:.2f} measured on {self.measured_on} held-out "
            f"suggestions ({cal.basis()})"
        )
        if not self.suggestions:
            return self._nothing(min_precision, cal)
        said = (
            f"Queued {self.suggestions} suggestions for {self.sentences} uncoded sentences "
            f"(scores from {self.threshold:.2f}; {measured})."
        )
        if self.read:
            said += (
                f" {self.read} of them lie before their source's last coding, in text a coder "
                "read and left uncoded: the precision was measured on text nobody had coded, "
                "so expect fewer right there."
            )
        return said

    def _nothing(self, min_precision: float, cal: Calibration) -> str:
        """Why nothing was queued although the precision was measured, and what would."""
        none = f"measured right {min_precision:.0%} of the time on this project's codings"
        if not self.uncoded_sources:
            # What is left is what the coders read and chose not to code: a code there is a
            # second opinion against a first, not help with text nobody has read yet.
            return (
                f"No suggestions queued: every source has codings, so the {self.sentences} "
                "uncoded sentences left are text a coder read and left uncoded, and none has "
                f"a suggestion {none} ({cal.basis()}). The queue helps with sources not yet "
                "coded: import them and ask again."
            )
        said = (
            f"No suggestions queued: none of {self.sentences} uncoded sentences has one {none} "
            f"({cal.basis()}): "
        )
        if self.measured_on < MIN_KEPT:
            said += (
                f"{self.measured_on} held-out suggestions reach it, too few to measure "
                f"({MIN_KEPT} needed)."
            )
        else:
            said += (
                f"the {self.measured_on} held-out suggestions that reach it were right "
                f"{self.reached:.0%} of the time."
            )
        if self.lower is None:
            return f"{said} Code more sources for a measure to go on."
        minimum, n, precision = self.lower
        return (
            f"{said} --min-precision {minimum:.2f} would queue {n}, measured right "
            f"{precision:.0%} of the time."
        )


# The lower minima tried when nothing reaches the one asked, highest first.
LOWER = (0.95, 0.9, 0.85, 0.8, 0.75, 0.7, 0.65, 0.6, 0.55, 0.5)


class Suggestions:
    """Suggestions of a project: asked for, accepted or rejected, queued for the uncoded rest
    of the project and decided, and themes."""

    def __init__(
        self, ctx: ProjectContext, suggester: Suggester, themes: Themes, sources: Sources
    ) -> None:
        self._ctx = ctx
        self._suggester = suggester
        self._themes = themes
        self._sources = sources
        self._measures = Measures()
        # What the suggester and the theme finder answer, offered where a user looks for it.
        self.model = suggester.model
        self.suggest = suggester.suggest
        self.suggest_spans = suggester.suggest_spans
        self.why_none = suggester.why_none
        self.suggest_source = suggester.suggest_source
        self.accept_suggestion = suggester.accept_suggestion
        self.reject_suggestion = suggester.reject_suggestion
        self.suggestion_precision = suggester.suggestion_precision
        self.wait_for_model = suggester.wait_for_model
        self.codes_questions = suggester.codes_questions
        self.themes = themes.themes
        self.list_themes = themes.list_themes
        self.promote_theme = themes.promote_theme
        self.promote_listed = themes.promote_listed

    def queue_suggestions(
        self,
        *,
        min_precision: float = 0.8,
        top: int = 3,
        coder: str | None = None,
        progress: Callable[[float], None] | None = None,
        cancel: threading.Event | None = None,
    ) -> Queued:
        """Score every uncoded sentence and make the suggestions worth reviewing the queue
        of ``coder`` (default: :attr:`coder`); the other coders' queues stay as they are.

        Sentences of interviewers and moderators are not scored unless the project codes
        their turns (:meth:`codes_questions`); ``Queued.questions`` says how many were left.

        Args:
            min_precision: the share of queued suggestions expected to be right, 0..1.
            top: codes per sentence considered.
        """
        if not 0.0 < min_precision <= 1.0:
            raise ProjectError(f"--min-precision must be in (0, 1], not {min_precision}")
        coder = self._ctx.coder_as(coder or None)  # refused before the scoring, not after
        fitted = self.crossfit(top=top, cancel=cancel)
        assert fitted is not None  # made when not kept
        calibration = fitted.calibration
        found: list[Suggestion] = []
        scored = questions = 0
        left_out = LeftOut()
        last_coded: dict[int, int] = {}
        codes_questions = self._suggester.codes_questions()
        sources = self._ctx.store.list_sources()
        for i, src in enumerate(sources, 1):
            if cancel is not None and cancel.is_set():
                break
            codings = self._ctx.store.list_codings(source_id=src.id)
            last_coded[src.id] = max((c.end for c in codings), default=0)
            units = self._themes.units(src, "sentence")
            coded = {
                i for hit in overlapped(units, ((c.start, c.end) for c in codings)) for i in hit
            }
            uncoded = [u for i, u in enumerate(units) if i not in coded]
            free = self._suggester.answers(src, uncoded, codes_questions)
            questions += len(uncoded) - len(free)
            free = self._themes.substantive(src, free, left_out)
            scored += len(free)
            if src.id in fitted.sources:  # scored as the measured ones were, held out
                said = set(free)
                held = fitted.uncoded.get(src.id, [])
                found.extend(s for s in held if (s.start, s.end) in said)
            else:
                model = self._suggester.model()
                for row in self._suggester.rank(model, src, free, codings, top, 0.0):
                    found.extend(row)
            if progress is not None:
                progress(i / len(sources))
        if calibration.enough:
            measured = keep_measured(found, calibration, min_precision)
            kept = measured.suggestions
            precision = measured.precision if kept else 0.0  # an empty queue promises nothing
            measured_on, reached = measured.measured_on, measured.precision
        else:  # not measured: each suggestion's own score, and a promise of nothing
            kept = sorted((s for s in found if s.score >= min_precision), key=lambda s: -s.score)
            precision, measured_on, reached = 0.0, 0, 0.0
        threshold = round(kept[-1].score, 4) if kept else 1.0
        self._ctx.store.replace_pending(coder, kept, precision, utc_now())
        read = sum(1 for s in kept if s.end <= last_coded.get(s.source_id, 0))
        uncoded_sources = sum(1 for end in last_coded.values() if not end)
        lower = None
        if not kept and calibration.enough and uncoded_sources:
            lower = _lower(found, calibration, min_precision)
        return Queued(
            len(kept),
            scored,
            threshold,
            precision,
            questions,
            left_out,
            calibration,
            measured_on,
            read,
            uncoded_sources,
            lower,
            reached,
        )

    def crossfit(
        self,
        *,
        top: int = 3,
        cached_only: bool = False,
        cancel: threading.Event | None = None,
    ) -> CrossFit | None:
        """The queue's precision measured on the project's own codings by cross-fitting
        (:func:`qualcode.project.crossfit.cross_fit`), kept while the codings, codebook and
        feedback stay as they are; with ``cached_only``, None unless it is kept already."""
        key = Measures.key(self._ctx, self._themes, f"top={top}")
        kept = self._measures.get(key)
        if kept is not None or cached_only:
            return kept
        fitted = cross_fit(self._ctx, self._suggester, self._themes, top=top, cancel=cancel)
        if cancel is None or not cancel.is_set():  # a cut-short measure is not kept
            self._measures.put(key, fitted)
        return fitted

    def pending(
        self, code: str | int | None = None, coder: str | None = None
    ) -> list[PendingSuggestion]:
        """The review queue of ``coder`` (default: :attr:`coder`), best first (of one code,
        if given)."""
        code_id = None if code is None else self._ctx.code(code).id
        return self._ctx.store.list_pending(coder or self._ctx.coder, code_id=code_id)

    def decide_pending(self, ids: Sequence[int], accept: bool, coder: str | None = None) -> int:
        """Accept (code the passage) or reject the queued suggestions ``ids`` of ``coder``'s
        queue (default: :attr:`coder`), in one transaction; each decision is recorded as
        feedback. Ids not in that queue are left alone. Returns how many were decided."""
        coder = coder or self._ctx.coder
        todo = self._ctx.store.list_pending(coder, ids=ids)
        with self._ctx.store.atomic():
            for item in todo:
                if accept:
                    self._suggester.accept_suggestion(item.suggestion, coder)
                else:
                    self._suggester.reject_suggestion(item.suggestion, coder)
            self._ctx.store.remove_pending(coder, [item.id for item in todo])
        return len(todo)

    def suggested_codings(
        self, source_ids: Sequence[int], *, min_score: float = 0.5, top: int = 3
    ) -> list[tuple[int, int, int, int]]:
        """The suggester as a pseudo-coder, ``(source_id, code_id, start, end)``: on each
        sentence of these sources, the codes suggested with a score of at least
        ``min_score`` (more likely right than not, with calibrated scores). Each source is
        scored by a model that learned from every other source's codings and feedback,
        never from its own, which would flatter the machine."""
        book = self._ctx.codebook()
        questions = self._suggester.codes_questions()
        out: list[tuple[int, int, int, int]] = []
        for source_id in source_ids:
            model = self._suggester.training(book, exclude_source=source_id)()
            src = self._ctx.source(source_id)
            spans = self._suggester.answers(src, self._themes.units(src, "sentence"), questions)
            spans = self._themes.substantive(src, spans)
            for row in self._suggester.rank(model, src, spans, [], top, min_score):
                out.extend((s.source_id, s.code_id, s.start, s.end) for s in row if s.code_id)
        return out


def _lower(
    found: Sequence[Suggestion], calibration: Calibration, min_precision: float
) -> tuple[float, int, float] | None:
    """The highest minimum below ``min_precision`` (of :data:`LOWER`) at which something is
    queued: the minimum, how many and the precision promised; None if none."""
    for minimum in (m for m in LOWER if m < min_precision):
        measured = keep_measured(found, calibration, minimum)
        if measured.suggestions:
            return minimum, len(measured.suggestions), measured.precision
    return None
