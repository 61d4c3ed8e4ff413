"""Code suggestions: the facade over the suggesters of :mod:`qualcode.nlp`.

The project feeds the suggesters plain lists: the codebook, the coded passages with their
codes (every coder's), the suggestions coders rejected, and the project's passages for word
weights. Two things are kept in memory: the TF-IDF features, fitted on every passage and
refitted only when the sources or the codebook change, and the per-code models, refitted
(milliseconds per code) when a fingerprint of the codings, codes and feedback changes. The
NLP analysis of each source is cached by its content hash (:mod:`qualcode.nlp.pipeline`),
so a transcript is parsed once per process. Both are kept on disk too
(:mod:`qualcode.nlp.kept`): a new process (each command of the command line) reads the
model fitted on the same inputs, by the suggester's name and a hash of all it learns from,
instead of parsing every source and fitting again. Which suggesters a project used is
recorded in the setting ``nlp.suggesters``.
"""

from __future__ import annotations

import hashlib
import re
import threading
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from qualcode.model import Codebook, Coding, Source, Suggestion, join_path, utc_now
from qualcode.nlp import kept
from qualcode.project.coding import ApplyResult
from qualcode.project.themes import INTERVIEWERS, Unit
from qualcode.store.settings import SettingKey

# What the coding screen's panel says for a passage that gets no suggestions, by reason.
NOTHING_SAID = {
    "short": "none: fewer than 3 content words",
    "courtesy": "none for a courtesy or backchannel",
    "header": "none for a header or metadata line",
}

if TYPE_CHECKING:
    from qualcode.nlp.codebook import CodeDescription
    from qualcode.nlp.combined_v4 import CombinedSuggesterV4
    from qualcode.project.base import ProjectContext
    from qualcode.project.coding import Codings
    from qualcode.project.eligible import LeftOut
    from qualcode.project.themes import Themes

# The suggester fitted, looked up by this name in qualcode.nlp.registry, and what the
# project records it used (the setting ``nlp.suggesters``, with its parts' names). The name
# is a record, not a pin: a project that recorded an earlier version gets this one's
# suggestions from its next fit on, and the setting says so (models are fitted afresh from
# the codings, never stored).
SUGGESTER = "qualcode.combined.v4"
# Interviewers' and moderators' turns are questions, not answers: they get no suggestions
# unless the project codes them, which it does when at least this share of its codings
# starts in one (a stray coding there does not make every question a candidate).
ASKED_CODED_SHARE = 0.05


def suggesters() -> str:
    """What the project records it used: the suggester's name and its parts' (the
    deductive and the learned one), e.g. ``qualcode.combined.v4 (qualcode.codebook.v2 +
    qualcode.learned.v4)``."""
    from qualcode.nlp import registry

    combined: type[CombinedSuggesterV4] = registry.get(SUGGESTER)
    return f"{SUGGESTER} ({combined.codebook_class.name} + {combined.learned_class.name})"


class Suggester:
    """The suggester of a project: fitted on the codings and feedback, it suggests codes for
    passages and learns from the coder's decisions."""

    def __init__(self, ctx: ProjectContext, themes: Themes, codings: Codings) -> None:
        self._ctx = ctx
        self._themes = themes
        self._codings = codings

    # -- the model -----------------------------------------------------------------------

    def model(self, *, wait: bool = True, refit: bool = True) -> CombinedSuggesterV4:
        """The fitted model for the current codings, codes and feedback.

        With ``wait`` False and only codings or feedback changed since the last fit, the last
        model is returned at once and the new one is fitted in a background thread (about a
        second for hundreds of coded passages), so the passage under the cursor never waits;
        with ``refit`` False too, no fit is started: the caller refits when it chooses (a
        window refits once the coder pauses, not after every coding).
        """
        book = self._ctx.codebook()
        context = self._ctx.settings().nlp_context or ""
        book_key = "\n".join([repr(book.codes), self._themes.nlp_model or "", context])
        key = hashlib.sha256(
            "\n".join([self._ctx.store.coding_fingerprint(), book_key]).encode()
        ).hexdigest()

        def prepare() -> Callable[[], CombinedSuggesterV4]:
            fit = self.training(book)  # reads the store here, in the caller's thread
            self._ctx.note_setting(SettingKey.NLP_SUGGESTERS, suggesters())
            return fit

        return self._ctx.nlp.model(key, book_key, prepare, wait=wait, refit=refit)

    def training(
        self,
        book: Codebook,
        *,
        exclude_source: int | None = None,
        leave_out: Callable[[int, int, int], bool] | None = None,
    ) -> Callable[[], CombinedSuggesterV4]:
        """Gather what the model learns from, and return the fit to run (store-free);
        ``exclude_source``'s codings and feedback are left out (to test on that source), and
        those ``leave_out(source_id, start, end)`` is true of (a cross-fit's held-out fold)."""
        from qualcode.nlp import registry
        from qualcode.nlp.codebook import CodeDescription

        def left(sid: int, a: int, b: int) -> bool:
            return sid == exclude_source or (leave_out is not None and leave_out(sid, a, b))

        suggester: type[CombinedSuggesterV4] = registry.get(SUGGESTER)
        sources = {s.id: s for s in self._ctx.store.list_sources()}
        passages: dict[tuple[int, int, int], tuple[set[str], set[str]]] = {}
        for c in self._ctx.store.list_codings():
            if left(c.source_id, c.start, c.end):
                continue
            passages.setdefault((c.source_id, c.start, c.end), (set(), set()))[0].add(
                book.path(c.code_id)
            )
        for f in self._ctx.store.list_feedback(accepted=False):
            if (
                f.code_id is not None
                and f.source_id in sources
                and not left(f.source_id, f.start, f.end)
            ):
                passages.setdefault((f.source_id, f.start, f.end), (set(), set()))[1].add(
                    book.path(f.code_id)
                )
        keys = sorted(passages)
        codes = [
            CodeDescription(
                book.path(c), c.name, c.definition, c.inclusion, c.exclusion, c.keywords, c.examples
            )
            for c in book
        ]
        held = self._holding_units(sources, {k: passages[k][0] for k in keys if passages[k][0]})
        learns: dict[str, Any] = {
            "examples": [sources[sid].text[a:b] for sid, a, b in keys],
            "labels": [passages[k][0] for k in keys],
            "rejected": [passages[k][1] for k in keys],
            "contexts": self._contexts([sources[sid] for sid, _, _ in keys]),
            "units": [sources[sid].text[a:b] for sid, a, b in held],
            "unit_labels": list(held.values()),
            "unit_contexts": self._contexts([sources[sid] for sid, _, _ in held]),
        }
        language, nlp_model = self._ctx.language, self._themes.nlp_model
        corpus = self._corpus_key(sources)

        def fit() -> CombinedSuggesterV4:
            vectorizer = self._vectorizer(codes, sources, corpus)
            model = suggester(language, nlp_model, vectorizer=vectorizer)
            return model.fit(codes, **learns)

        if exclude_source is not None:  # one of many held-out fits: not worth a place on disk
            return fit
        # A new process gets the model fitted on the same inputs before, from disk.
        return kept.fitted(SUGGESTER, [language, nlp_model, corpus, codes, learns], fit)

    def _holding_units(
        self, sources: dict[int, Source], coded: dict[tuple[int, int, int], set[str]]
    ) -> dict[tuple[int, int, int], set[str]]:
        """The turns (a sheet's answers) that hold the coded passages, each with the codes
        coded in it (a passage across turns is held by the turns it overlaps, one in none
        by itself); none when every coded passage is a whole turn already, as the spans'
        model would be learned twice."""
        from qualcode.analysis.units import overlapped

        held: dict[tuple[int, int, int], set[str]] = {}
        by_source: dict[int, list[tuple[int, int]]] = {}
        for sid, a, b in coded:
            by_source.setdefault(sid, []).append((a, b))
        for sid, spans in by_source.items():
            turns = self._themes.units(sources[sid], "turn")
            for (a, b), covered in zip(spans, overlapped(turns, spans), strict=True):
                start, end = (turns[covered[0]][0], turns[covered[-1]][1]) if covered else (a, b)
                held.setdefault((sid, start, end), set()).update(coded[(sid, a, b)])
        if set(held) == set(coded):
            return {}
        return held

    def _contexts(self, sources: Sequence[Source]) -> list[str] | None:
        """What each of these sources answers (the attribute the setting ``nlp.context``
        names, from ``import --question-column``), or None when the project has no context."""
        name = self._ctx.settings().nlp_context
        if not name:
            return None
        return [src.attributes.get(name, "") for src in sources]

    def wait_for_model(self, timeout: float | None = None) -> None:
        """Wait for a background refit (see :meth:`suggest`) to finish."""
        self._ctx.nlp.wait(timeout)

    def _corpus_key(self, sources: dict[int, Source]) -> str:
        """A hash of what the shared TF-IDF features read of the sources: their texts,
        languages and turns (one query, whatever the number of sources)."""
        turns = self._ctx.store.turn_fingerprints()
        return kept.digest(
            [
                (sid, src.content_hash, src.language, turns.get(sid, ""))
                for sid, src in sorted(sources.items())
            ]
        )

    def _vectorizer(
        self, codes: Sequence[CodeDescription], sources: dict[int, Source], corpus: str
    ) -> Any:
        """The shared TF-IDF features, refitted only when the sources (``corpus``, their
        :meth:`_corpus_key`) or the codebook change (the expensive part: every passage of the
        project), not after each coding."""
        from qualcode.nlp.engine import fit_vectorizer

        key = kept.digest(corpus, repr(codes), self._themes.nlp_model or "")

        def build() -> Any:
            texts: list[str] = []
            for src in sources.values():  # one analysis per source, not one per turn
                analysis = self._themes.analysis(src)
                texts.extend(analysis.lemma_text(a, b) for a, b in self._themes.units(src, "turn"))
            return fit_vectorizer(codes, texts, self._ctx.language, self._themes.nlp_model)

        return self._ctx.nlp.vectorizer(key, build)

    # -- who asks ------------------------------------------------------------------------

    def codes_questions(self) -> bool:
        """Whether this project codes its interviewers' and moderators' turns: at least
        ``ASKED_CODED_SHARE`` of its codings start in one (a coding belongs to the turn it
        starts in, as in the reports). If not, their sentences get no suggestions."""
        import numpy as np

        codings = self._ctx.store.codings_frame()  # kept between calls while nothing changes
        if codings.empty:
            return False
        frame = self._ctx.store.turns_frame()  # ordered by source and turn
        asking = re.compile(INTERVIEWERS, re.IGNORECASE)
        names = {n for n in frame["speaker"].dropna().unique() if asking.fullmatch(n.strip())}
        if not names:
            return False
        asks = frame["speaker"].isin(names).to_numpy()
        # Turns and codings keyed by (source, offset) in one sorted array: the first turn
        # ending after a coding's start is the one it starts in (an offset in a speaker
        # label belongs to the turn that follows).
        shift = np.int64(1) << 40
        sources = frame["source_id"].to_numpy(np.int64)
        ends = sources * shift + frame["end"].to_numpy(np.int64)
        coded_in = codings["source_id"].to_numpy(np.int64)
        starts = coded_in * shift + codings["start"].to_numpy(np.int64)
        found = np.searchsorted(ends, starts, side="right")
        inside = found < len(ends)
        found = np.minimum(found, len(ends) - 1)
        asked = int((inside & (sources[found] == coded_in) & asks[found]).sum())
        return asked >= ASKED_CODED_SHARE * len(codings)

    def answers(
        self,
        src: Source,
        spans: Sequence[tuple[int, int]],
        codes_questions: bool,
        left_out: LeftOut | None = None,
    ) -> list[tuple[int, int]]:
        """``spans`` without those in interviewers' or moderators' turns (unless the
        project codes them, see :meth:`codes_questions`); ``left_out`` counts those."""
        if codes_questions:
            return list(spans)
        asked = self._questions(src)
        kept = [(a, b) for a, b in spans if not any(s <= a and b <= e for s, e in asked)]
        if left_out is not None:
            left_out.add("interviewer", len(spans) - len(kept))
        return kept

    def _questions(self, src: Source) -> list[tuple[int, int]]:
        """The spans of the interviewers' and moderators' turns of a source (or of the
        speaker who clearly asks, where none is named so)."""
        return self._themes.asking(src)

    # -- suggestions ---------------------------------------------------------------------

    def suggest(
        self,
        source: str | int,
        start: int,
        end: int,
        *,
        top: int = 5,
        min_score: float = 0.0,
        fresh: bool = False,
        refit: bool = True,
    ) -> list[Suggestion]:
        """Codes for ``[start, end)`` of a source, best first, with evidence.

        Codes already applied to a coding that covers the passage are left out. After new
        codings or feedback the model is refitted in a background thread and the previous
        one answers meanwhile, so this stays fast while coding goes on; ``fresh`` waits for
        a model of the current codings instead (as :meth:`suggest_source` always does);
        ``refit`` False starts no refit (see :meth:`model`).
        A passage in an interviewer's or moderator's turn gets none, unless the project codes
        such turns (:meth:`codes_questions`); nor does a header line, a courtesy or a
        passage of fewer than three content words (:meth:`Themes.substantive`).
        """
        src = self._ctx.source(source)
        self._ctx.check_span(src.id, start, end)
        if self._asked(src, start, end):
            return []
        model = self.model(wait=fresh, refit=refit)
        if self._says_nothing(src, start, end) is not None:
            return []  # a header line, a courtesy, fewer than three content words
        codings = self._ctx.store.list_codings(source_id=src.id, start=start, end=end)
        return self.rank(model, src, [(start, end)], codings, top, min_score)[0]

    def suggest_spans(
        self, source: str | int, spans: Sequence[tuple[int, int]], *, top: int = 5
    ) -> dict[tuple[int, int], list[Suggestion]]:
        """What :meth:`suggest` answers for each of ``spans`` (with ``refit`` False), scored
        in one batch: a window asks once for every passage of the source it shows, and a
        cursor resting on one of them reads its list (a few milliseconds each asked alone,
        a fraction of one in the batch). A span :meth:`why_none` gives a reason for maps to
        an empty list."""
        src = self._ctx.source(source)
        wanted = sorted({(a, b) for a, b in spans if a < b})
        if not wanted:
            return {}
        # If any span reaches outside the text, the first or the one ending last does.
        for a, b in dict.fromkeys([wanted[0], max(wanted, key=lambda s: s[1])]):
            self._ctx.check_span(src.id, a, b)
        # What suggest checks of one passage, checked of all at once (as the queue does).
        said = self._themes.substantive(src, self.answers(src, wanted, self.codes_questions()))
        found: dict[tuple[int, int], list[Suggestion]] = {span: [] for span in wanted}
        if said:
            model = self.model(wait=False, refit=False)
            codings = self._ctx.store.list_codings(source_id=src.id)
            found.update(zip(said, self.rank(model, src, said, codings, top, 0.0), strict=True))
        return found

    def why_none(self, source: str | int, start: int, end: int) -> str | None:
        """Why ``[start, end)`` of a source gets no suggestions, when that is known without
        the suggester (so a screen can say so at once, not after the first fit): a passage
        in an interviewer's or moderator's turn in a project that does not code those, a
        header line, a courtesy, fewer than three content words."""
        src = self._ctx.source(source)
        if self._asked(src, start, end):
            return "none for an interviewer's or moderator's turn"
        return self._says_nothing(src, start, end)

    def _asked(self, src: Source, start: int, end: int) -> bool:
        """Whether the passage is in an interviewer's or moderator's turn of a project that
        does not code those."""
        # Whether the project codes questions is asked only for a question: an answer, the
        # passage under the cursor mostly, pays nothing for it.
        asked = any(s <= start and end <= e for s, e in self._questions(src))
        return asked and not self.codes_questions()

    def _says_nothing(self, src: Source, start: int, end: int) -> str | None:
        """Why the passage says nothing a code could be about, or None if it does."""
        from qualcode.project.eligible import LeftOut

        left_out = LeftOut()
        if self._themes.substantive(src, [(start, end)], left_out):
            return None
        reason = next((r for r, n in left_out.counts().items() if n), "")
        return NOTHING_SAID.get(reason, "none for a passage that says nothing to code")

    def suggest_source(
        self,
        source: str | int | None = None,
        *,
        top: int = 3,
        min_score: float = 0.3,
        unit: Unit = "turn",
        progress: Callable[[float], None] | None = None,
        cancel: threading.Event | None = None,
        left_out: LeftOut | None = None,
    ) -> list[Suggestion]:
        """Suggestions for every turn (or sentence) of one source, or of all, in one batch.

        ``progress`` is called with the share of sources done; when ``cancel`` is set, the
        suggestions for the sources done so far are returned. Interviewers' and moderators'
        turns get none unless the project codes them (:meth:`codes_questions`), nor do
        header lines, courtesies and passages of fewer than three content words;
        ``left_out`` counts the passages left out, by reason.
        """
        from qualcode.project.answered import Answers
        from qualcode.project.eligible import LeftOut

        sources = (
            [self._ctx.source(source)] if source is not None else self._ctx.store.list_sources()
        )
        # A source asked the same of the same project state before answers from disk,
        # without the model or the analyses (qualcode.project.answered).
        answers = Answers(self._ctx, SUGGESTER) if kept.cache_dir() is not None else None
        fitted: tuple[CombinedSuggesterV4, bool] | None = None
        out: list[Suggestion] = []
        for i, src in enumerate(sources, 1):
            if cancel is not None and cancel.is_set():
                break
            key = answers.key(src, unit, top, min_score) if answers is not None else ""
            found = answers.get(key, left_out) if answers is not None else None
            if found is None:
                if fitted is None:
                    fitted = (self.model(), self.codes_questions())
                own = LeftOut()
                found = self._suggest_in(src, fitted, unit, top, min_score, own)
                if answers is not None:
                    answers.put(key, found, own)
                if left_out is not None:
                    for reason, n in own.counts().items():
                        left_out.add(reason, n)
            out.extend(found)
            if progress is not None:
                progress(i / len(sources))
        if fitted is None and answers is not None:
            self._ctx.note_setting(SettingKey.NLP_SUGGESTERS, suggesters())
        return out

    def _suggest_in(
        self,
        src: Source,
        fitted: tuple[CombinedSuggesterV4, bool],
        unit: Unit,
        top: int,
        min_score: float,
        left_out: LeftOut,
    ) -> list[Suggestion]:
        """:meth:`suggest_source` for one source, with the fitted model and whether the
        project codes questions."""
        model, questions = fitted
        spans = self.answers(src, self._themes.units(src, unit), questions, left_out)
        spans = self._themes.substantive(src, spans, left_out)
        codings = self._ctx.store.list_codings(source_id=src.id)
        return [s for found in self.rank(model, src, spans, codings, top, min_score) for s in found]

    def rank(
        self,
        model: CombinedSuggesterV4,
        src: Source,
        spans: Sequence[tuple[int, int]],
        codings: Sequence[Coding],
        top: int,
        min_score: float,
    ) -> list[list[Suggestion]]:
        from qualcode.nlp.engine import Parts
        from qualcode.segments import split_sentences

        if not spans:
            return []
        analysis = self._themes.analysis(src)
        book = self._ctx.codebook()
        by_path = {book.path(c): c.id for c in book}
        done = _covering(spans, codings)
        passages = Parts.of(analysis, spans)
        ranked = model.suggest(
            passages.lemma_texts,
            passages.lemmas,
            top=top + max((len(d) for d in done), default=0),
            min_score=min_score,
            contexts=self._contexts([src] * len(spans)),
            parts=[Parts.of(analysis, split_sentences(src.text, a, b)) for a, b in spans],
        )
        out = []
        for (a, b), found, skip in zip(spans, ranked, done, strict=True):
            row = [
                Suggestion(
                    src.id, a, b, r.label, r.score, r.suggester, r.evidence, by_path[r.label]
                )
                for r in found
                if by_path[r.label] not in skip
            ]
            out.append(row[:top])
        return out

    def accept_suggestion(self, s: Suggestion, coder: str | None = None) -> ApplyResult:
        """Apply the suggested code (a theme's label becomes a new code of that name, its
        " / " kept: no parent is made of its first word) and record it."""
        code: str | int = s.code_id if s.code_id is not None else join_path([s.label])
        result = self._codings.apply(
            s.source_id, s.start, s.end, code, coder=coder, new=s.code_id is None
        )
        self._feedback(s, True, coder, result.code.id)
        return result

    def reject_suggestion(self, s: Suggestion, coder: str | None = None) -> None:
        """Record that the code does not fit the passage: it becomes a negative example."""
        self._feedback(s, False, coder, s.code_id)

    def _feedback(self, s: Suggestion, accepted: bool, coder: str | None, code_id: Any) -> None:
        with self._ctx.store.atomic() as store:
            store.add_feedback(
                {
                    "source_id": s.source_id,
                    "start": s.start,
                    "end": s.end,
                    "code_id": code_id,
                    "label": s.label,
                    "suggester": s.suggester,
                    "score": float(s.score),
                    "accepted": accepted,
                    "coder_id": store.coder_id(self._ctx.coder_as(coder or None)),
                    "created_at": utc_now(),
                },
            )

    def suggestion_precision(self) -> dict[str, dict[str, float]]:
        """Per suggester: suggestions decided, accepted, and the share accepted."""
        out: dict[str, dict[str, float]] = {}
        for f in self._ctx.store.list_feedback():
            row = out.setdefault(f.suggester, {"decided": 0, "accepted": 0, "precision": 0.0})
            row["decided"] += 1
            row["accepted"] += int(f.accepted)
        for row in out.values():
            row["precision"] = round(row["accepted"] / row["decided"], 4)
        return out


def _covering(spans: Sequence[tuple[int, int]], codings: Sequence[Coding]) -> list[set[int]]:
    """Per span, the codes of codings that cover most of it (already coded there)."""
    ordered = sorted(codings, key=lambda c: c.start)
    out = []
    for a, b in spans:
        need = (b - a) / 2
        out.append(
            {
                c.code_id
                for c in ordered
                if c.start < b and c.end > a and min(b, c.end) - max(a, c.start) > need
            }
        )
    return out
