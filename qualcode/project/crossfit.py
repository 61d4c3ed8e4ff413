"""The precision a review queue may promise, measured on the project's own codings.

A suggester's scores are calibrated on the data it was evaluated on, not on this project: on
the example study a queue built on "a mean score of 0.8" was right about one time in ten,
judged by a second coder. So the queue's precision is measured here, by cross-fitting: the
coded sources are split into ``k`` folds (the coded turns, when there are too few coded
sources); for each fold the model is fitted on the codings and feedback of the others and
every sentence of the fold is scored as the queue scores an uncoded sentence. A suggestion is
right when the fold's own codings put that code on that sentence; a sentence of a coded
source that nobody coded is a sentence the coders read and gave no code, so a suggestion
there counts as wrong.

The result (:class:`Calibration`) counts the held-out suggestions by score bin, pooled and
per code. The precision of a code at a score is its bin's, shrunk towards the pooled bin by
``PRIOR`` suggestions' worth (a code with few held-out suggestions takes the pooled figure),
then made non-decreasing in the score (pool-adjacent-violators, weights the counts), so a
higher score never reads as less likely right. The queue keeps a suggestion only where that
precision reaches the minimum asked, and the precision it promises is what the same rule
kept among the held-out suggestions, each fold judged by the rule as measured on the other
folds (a rule judged on the outcomes that shaped it flatters itself): never more than was
measured.

The measuring costs ``k`` fits and a scoring of every coded source, so :class:`Measures`
keeps the result per model state (the codings, codebook and feedback it was measured on) in
memory: it reads the project and writes nothing, so it works the same for a coder on a
server who may write only their own rows.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from qualcode.analysis.units import overlapped
from qualcode.nlp.calibration import BINS, monotone, score_bin

if TYPE_CHECKING:
    from qualcode.model import Suggestion
    from qualcode.project.base import ProjectContext
    from qualcode.project.suggest import Suggester
    from qualcode.project.themes import Themes

# One coded source per fold up to this many: each fold's model learns from all coded sources
# but one, as near as can be to the queue's model, which learns from all (with five folds
# over six coded sources, held-out scores were lower than the queue's and too few reached
# 0.7 to measure for one of the example study's coders).
FOLDS = 10
PRIOR = 10.0  # a code's bin is shrunk towards the pooled bin by this many suggestions
# Too little to measure: fewer coded sentences held out than this, or fewer held-out
# suggestions than this among those the queue would keep.
MIN_CODED = 40
MIN_KEPT = 10
# Cross-fit over sources when at least this many are coded, else over coded turns.
MIN_SOURCES = 3


@dataclass(frozen=True, slots=True)
class Counts:
    """Held-out suggestions per score bin, and how many of them were right."""

    suggested: tuple[int, ...] = (0,) * BINS
    right: tuple[int, ...] = (0,) * BINS

    def add(self, score: float, ok: bool) -> Counts:
        b = score_bin(score)
        s, r = list(self.suggested), list(self.right)
        s[b] += 1
        r[b] += int(ok)
        return Counts(tuple(s), tuple(r))


@dataclass(frozen=True, slots=True)
class Calibration:
    """What cross-fitting measured: held-out suggestions by score bin, pooled and per code.

    Attributes:
        folds: how many folds (0: nothing was measured).
        over: what the folds were made of: ``"sources"`` or ``"turns"``.
        sentences: held-out sentences scored.
        coded: of those, sentences some coding touches.
        pooled: every code's held-out suggestions.
        by_code: each code's (by id).
        source_ids: the coded sources, held out in turn.
    """

    folds: int
    over: str
    sentences: int
    coded: int
    pooled: Counts = field(default_factory=Counts)
    by_code: dict[int, Counts] = field(default_factory=dict)
    source_ids: tuple[int, ...] = ()  # the coded sources measured on
    # each held-out suggestion: its fold, code id, score and whether it was right
    scored: tuple[tuple[int, int, float, bool], ...] = ()

    @property
    def enough(self) -> bool:
        """Whether there was enough coded data to measure a precision at all."""
        return self.folds > 1 and self.coded >= MIN_CODED

    def curve(self, code_id: int | None) -> list[float]:
        """Precision per score bin of a code (None: pooled), shrunk towards the pooled bin
        and non-decreasing in the score."""
        s, r = self.pooled.suggested, self.pooled.right
        pooled = monotone(
            [r[b] / s[b] if s[b] else 0.0 for b in range(BINS)], [float(n) for n in s]
        )
        if code_id is None:
            return pooled
        own = self.by_code.get(code_id, Counts())
        shrunk = [
            (own.right[b] + PRIOR * pooled[b]) / (own.suggested[b] + PRIOR) for b in range(BINS)
        ]
        return monotone(shrunk, [own.suggested[b] + PRIOR for b in range(BINS)])

    def precision(self, code_id: int | None, score: float) -> float:
        """The measured precision of a suggestion of this code at this score."""
        return self.curve(code_id)[score_bin(score)]

    def kept(self, min_precision: float) -> tuple[int, int]:
        """Among the held-out suggestions, how many the queue's rule keeps at
        ``min_precision`` and how many of those were right.

        Each fold's suggestions are judged by the rule as measured on the other folds (the
        curves a fold's own outcomes shaped would flatter it: on the example study, a rule
        promised 0.95 from its own fold was right 0.83 of the time on the coder's later
        codings). Counts without the suggestions behind them are judged in-sample.
        """
        if not self.scored:
            return _kept_by(self, min_precision, self.by_code)
        kept = right = 0
        for fold in sorted({f for f, _, _, _ in self.scored}):
            rest = _tally(s for s in self.scored if s[0] != fold)
            mine = _tally(s for s in self.scored if s[0] == fold)
            k, r = _kept_by(rest, min_precision, mine.by_code)
            kept, right = kept + k, right + r
        return kept, right

    def rows(self) -> list[dict[str, object]]:
        """The table of what was measured: per bin, pooled, with counts."""
        return [
            {
                "scores": f"{b / BINS:.1f}-{(b + 1) / BINS:.1f}",
                "suggested": self.pooled.suggested[b],
                "right": self.pooled.right[b],
                "precision": round(p, 3),
            }
            for b, p in enumerate(self.curve(None))
            if self.pooled.suggested[b]
        ]

    def basis(self) -> str:
        """Where the figures come from, for a sentence ("312 held-out coded sentences, 5
        folds")."""
        return f"{self.coded} held-out coded sentences, {self.folds} folds over {self.over}"


def _tally(scored: Iterable[tuple[int, int, float, bool]]) -> Calibration:
    """The counts of these held-out suggestions, as a calibration of their own."""
    pooled, by_code = Counts(), dict[int, Counts]()
    for _, code_id, score, ok in scored:
        pooled = pooled.add(score, ok)
        by_code[code_id] = by_code.get(code_id, Counts()).add(score, ok)
    return Calibration(2, "sources", 0, 0, pooled, by_code)


def _kept_by(rule: Calibration, min_precision: float, judged: dict[int, Counts]) -> tuple[int, int]:
    """How many of the suggestions counted in ``judged`` the curves of ``rule`` keep at
    ``min_precision``, and how many of those were right."""
    kept = right = 0
    for code_id, counts in judged.items():
        curve = rule.curve(code_id)
        for b in range(BINS):
            if curve[b] >= min_precision:
                kept += counts.suggested[b]
                right += counts.right[b]
    return kept, right


@dataclass(frozen=True, slots=True)
class Kept:
    """What the queue keeps at a minimum precision, and what it may promise."""

    suggestions: list[Suggestion]
    precision: float  # measured on the held-out suggestions the same rule keeps
    measured_on: int  # how many held-out suggestions that is


def keep_measured(
    found: Sequence[Suggestion], calibration: Calibration, min_precision: float
) -> Kept:
    """The suggestions whose measured precision (their code's, at their score) is at least
    ``min_precision``, best first, with the precision the rule reached on held-out data.

    Nothing is kept when the rule kept fewer than ``MIN_KEPT`` held-out suggestions or they
    were right less often than ``min_precision``: the queue never promises more than it
    measured.
    """
    measured, right = calibration.kept(min_precision)
    precision = right / measured if measured else 0.0
    if not calibration.enough or measured < MIN_KEPT or precision < min_precision:
        return Kept([], round(precision, 4), measured)
    curves: dict[int | None, list[float]] = {}
    kept = []
    for s in found:
        curve = curves.setdefault(s.code_id, calibration.curve(s.code_id))
        if curve[score_bin(s.score)] >= min_precision:
            kept.append(s)
    kept.sort(key=lambda s: -s.score)
    return Kept(kept, round(precision, 4), measured)


# -- measuring -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CrossFit:
    """A cross-fit: what it measured, and its suggestions for the held-out sentences no
    coding touches, by source (each scored by a model that never saw that source's codings,
    or its turn's, as the measured ones were: a model fitted on a coded turn scores its
    uncoded sentences far higher than it would score them in a new source)."""

    calibration: Calibration
    uncoded: dict[int, list[Suggestion]] = field(default_factory=dict)

    @property
    def sources(self) -> frozenset[int]:
        """The sources cross-fitted: their uncoded sentences are scored here."""
        return frozenset(self.calibration.source_ids)


def cross_fit(
    ctx: ProjectContext,
    suggester: Suggester,
    themes: Themes,
    *,
    folds: int = FOLDS,
    top: int = 3,
    cancel: threading.Event | None = None,
) -> CrossFit:
    """Measure the queue's precision on the project's coded sources (see the module)."""
    book = ctx.codebook()
    codings = ctx.store.list_codings()
    coded_ids = sorted({c.source_id for c in codings})
    sources = [src for src in ctx.store.list_sources() if src.id in set(coded_ids)]
    questions = suggester.codes_questions()
    truth: dict[int, list[tuple[int, int, int]]] = {}
    for c in codings:
        truth.setdefault(c.source_id, []).append((c.start, c.end, c.code_id))
    # The held-out units: each coded source's answer sentences that say something (the
    # queue's own units: no interviewer, header, courtesy or too short a passage), with the
    # fold they are in.
    over = "sources" if len(sources) >= max(MIN_SOURCES, 2) else "turns"
    units: list[tuple[int, int, int, int]] = []  # fold, source id, start, end
    for i, src in enumerate(sources):
        answers = themes.substantive(
            src, suggester.answers(src, themes.units(src, "sentence"), questions)
        )
        if over == "sources":
            units.extend((i % folds, src.id, a, b) for a, b in answers)
            continue
        turns = themes.units(src, "turn")
        for (a, b), hit in zip(answers, overlapped(turns, answers), strict=True):
            if hit:
                units.append((hit[0] % folds, src.id, a, b))
    used = sorted({f for f, _, _, _ in units})  # few coded turns may fill fewer folds
    k = len(used)
    ids = tuple(src.id for src in sources)
    if k < 2 or not units:
        return CrossFit(Calibration(0, over, len(units), 0, source_ids=ids))
    pooled, by_code = Counts(), dict[int, Counts]()
    scored: list[tuple[int, int, float, bool]] = []
    uncoded: dict[int, list[Suggestion]] = {}
    sentences = coded = 0
    for fold in used:
        if cancel is not None and cancel.is_set():
            break
        held = [(sid, a, b) for f, sid, a, b in units if f == fold]
        spans = _spans_of(held)
        model = suggester.training(book, leave_out=_inside(spans))()
        for src in sources:
            mine = spans.get(src.id, [])
            if not mine:
                continue
            marks = truth.get(src.id, [])
            hits = list(overlapped(mine, ((a, b) for a, b, _ in marks)))
            codes_on: list[set[int]] = [set() for _ in mine]
            for (_, _, code_id), hit in zip(marks, hits, strict=True):
                for u in hit:
                    codes_on[u].add(code_id)
            sentences += len(mine)
            coded += sum(1 for c in codes_on if c)
            for row, codes in zip(
                suggester.rank(model, src, mine, [], top, 0.0), codes_on, strict=True
            ):
                if not codes:
                    uncoded.setdefault(src.id, []).extend(row)
                for s in row:
                    if s.code_id is None:
                        continue
                    ok = s.code_id in codes
                    scored.append((fold, s.code_id, s.score, ok))
                    pooled = pooled.add(s.score, ok)
                    by_code[s.code_id] = by_code.get(s.code_id, Counts()).add(s.score, ok)
    calibration = Calibration(k, over, sentences, coded, pooled, by_code, ids, tuple(scored))
    return CrossFit(calibration, uncoded)


def _spans_of(held: Sequence[tuple[int, int, int]]) -> dict[int, list[tuple[int, int]]]:
    out: dict[int, list[tuple[int, int]]] = {}
    for sid, a, b in held:
        out.setdefault(sid, []).append((a, b))
    for spans in out.values():
        spans.sort()
    return out


def _inside(spans: dict[int, list[tuple[int, int]]]) -> Callable[[int, int, int], bool]:
    """Whether a coded passage touches a held-out unit (its codings and feedback are the
    fold's, not the training's)."""

    def touches(sid: int, a: int, b: int) -> bool:
        mine = spans.get(sid)
        if not mine:
            return False
        return any(True for hit in overlapped(mine, [(a, b)]) for _ in hit)

    return touches


class Measures:
    """The last cross-fit of a project, kept for the model state it was measured on."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._kept: tuple[str, CrossFit] | None = None

    @staticmethod
    def key(ctx: ProjectContext, themes: Themes, extra: str = "") -> str:
        """The model state: codings, codes and feedback, codebook, NLP model and context."""
        book = ctx.codebook()
        parts = [
            ctx.store.coding_fingerprint(),
            repr(book.codes),
            themes.nlp_model or "",
            ctx.settings().nlp_context or "",
            extra,
        ]
        return hashlib.sha256("\n".join(parts).encode()).hexdigest()

    def get(self, key: str) -> CrossFit | None:
        """The cross-fit made for ``key``, if it is the one kept."""
        with self._lock:
            return self._kept[1] if self._kept is not None and self._kept[0] == key else None

    def put(self, key: str, fitted: CrossFit) -> None:
        """Keep ``fitted`` as the cross-fit for ``key`` (the last one is dropped)."""
        with self._lock:
            self._kept = (key, fitted)
