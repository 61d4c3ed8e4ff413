"""Code suggestions and emergent themes: the facade over :mod:`qualcode.nlp`.

The project feeds the suggesters plain lists: the codebook, the coded passages with their
codes (every coder's), the suggestions coders rejected, and the project's passages for word
weights. Two things are kept in memory: the TF-IDF features, fitted on every passage and
refitted only when the sources or the codebook change, and the per-code models, refitted
(milliseconds per code) when a fingerprint of the codings, codes and feedback changes. The
NLP analysis of each source is cached by its content hash (:mod:`qualcode.nlp.pipeline`),
so a transcript is parsed once per process. Which suggesters a project used is recorded in
the setting ``nlp.suggesters``.
"""

from __future__ import annotations

import hashlib
import re
import threading
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, Literal, cast

from qualcode.errors import ProjectError
from qualcode.model import Code, Coding, Source, Suggestion, Theme, utc_now
from qualcode.project.base import ProjectBase
from qualcode.project.coding import ApplyResult, CodingActions

if TYPE_CHECKING:
    from qualcode.nlp.codebook import CodeDescription
    from qualcode.nlp.engine import CombinedSuggester
    from qualcode.nlp.pipeline import Analysis

SUGGESTERS = "qualcode.combined.v1 (qualcode.codebook.v1 + qualcode.learned.v1)"
THEMES = "qualcode.themes.v1"
Unit = Literal["turn", "sentence"]
# Speakers whose turns are questions, not data: skipped when looking for themes.
INTERVIEWERS = (
    r"(the )?(interviewer|moderator|facilitator|interviewerin|moderatorin|int|i|q|mod)\d*"
)


class SuggestActions(ProjectBase):
    """Suggest codes for passages, learn from the coder's decisions, find themes."""

    # -- the model -----------------------------------------------------------------------

    @property
    def nlp_model(self) -> str | None:
        """The installed spaCy pipeline named by the setting ``nlp.model``, if any."""
        return self.settings().get("nlp.model") or None

    def _analysis(self, source: Source) -> Analysis:
        # Deferred: spaCy loads only when a suggestion is asked for.
        from qualcode.nlp.pipeline import analyse

        return analyse([source.text], source.language or self.language, self.nlp_model)[0]

    def _suggester(self) -> CombinedSuggester:
        book = self.codebook()
        key = hashlib.sha256(
            "\n".join(
                [self.store.coding_fingerprint(), repr(book.codes), self.nlp_model or ""]
            ).encode()
        ).hexdigest()
        cached: tuple[str, CombinedSuggester] | None = getattr(self, "_nlp_cache", None)
        if cached is not None and cached[0] == key:
            return cached[1]
        from qualcode.nlp.codebook import CodeDescription
        from qualcode.nlp.engine import CombinedSuggester

        sources = {s.id: s for s in self.store.list_sources()}
        passages: dict[tuple[int, int, int], tuple[set[str], set[str]]] = {}
        for c in self.store.list_codings():
            passages.setdefault((c.source_id, c.start, c.end), (set(), set()))[0].add(
                book.path(c.code_id)
            )
        for f in self.store.list_feedback(accepted=False):
            if f.code_id is not None and f.source_id in sources:
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
        model = CombinedSuggester(
            self.language, self.nlp_model, vectorizer=self._vectorizer(codes, sources)
        ).fit(
            codes,
            [sources[sid].text[a:b] for sid, a, b in keys],
            [passages[k][0] for k in keys],
            rejected=[passages[k][1] for k in keys],
        )
        self._nlp_cache = (key, model)
        if self.settings().get("nlp.suggesters") != SUGGESTERS:
            self.set_setting("nlp.suggesters", SUGGESTERS)
        return model

    def _vectorizer(self, codes: Sequence[CodeDescription], sources: dict[int, Source]) -> Any:
        """The shared TF-IDF features, refitted only when the sources or the codebook
        change (the expensive part: every passage of the project), not after each coding."""
        from qualcode.nlp.engine import fit_vectorizer

        key = hashlib.sha256(
            "\n".join(
                [
                    *sorted(s.content_hash for s in sources.values()),
                    repr(codes),
                    self.nlp_model or "",
                ]
            ).encode()
        ).hexdigest()
        cached: tuple[str, Any] | None = getattr(self, "_nlp_vectorizer", None)
        if cached is not None and cached[0] == key:
            return cached[1]
        corpus = [
            self._analysis(src).lemma_text(start, end)
            for src in sources.values()
            for start, end in self._units(src, "turn")
        ]
        vectorizer = fit_vectorizer(codes, corpus, self.language, self.nlp_model)
        self._nlp_vectorizer = (key, vectorizer)
        return vectorizer

    def _units(self, source: Source, unit: Unit) -> list[tuple[int, int]]:
        """The passages of a source: its speaker turns, or their sentences."""
        turns = [(t.start, t.end) for t in self.store.turns(source.id) if t.end > t.start]
        if not turns:
            turns = [(0, len(source.text))] if source.text.strip() else []
        if unit == "turn":
            return turns
        if unit != "sentence":
            raise ProjectError(f"unit must be 'turn' or 'sentence', not {unit!r}")
        analysis = self._analysis(source)
        return [s for a, b in turns for s in analysis.sentence_spans(a, b)]

    # -- suggestions ---------------------------------------------------------------------

    def suggest(
        self,
        source: str | int,
        start: int,
        end: int,
        *,
        top: int = 5,
        min_score: float = 0.0,
    ) -> list[Suggestion]:
        """Codes for ``[start, end)`` of a source, best first, with evidence.

        Codes already applied to a coding that covers the passage are left out.
        """
        src = self.source(source)
        self._check_span(src, start, end)
        model = self._suggester()
        codings = self.store.list_codings(source_id=src.id, start=start, end=end)
        return self._rank(model, src, [(start, end)], codings, top, min_score)[0]

    def suggest_source(
        self,
        source: str | int | None = None,
        *,
        top: int = 3,
        min_score: float = 0.3,
        unit: Unit = "turn",
        progress: Callable[[float], None] | None = None,
        cancel: threading.Event | None = None,
    ) -> list[Suggestion]:
        """Suggestions for every turn (or sentence) of one source, or of all, in one batch.

        ``progress`` is called with the share of sources done; when ``cancel`` is set, the
        suggestions for the sources done so far are returned.
        """
        model = self._suggester()
        sources = [self.source(source)] if source is not None else self.store.list_sources()
        out: list[Suggestion] = []
        for i, src in enumerate(sources, 1):
            if cancel is not None and cancel.is_set():
                break
            spans = self._units(src, unit)
            codings = self.store.list_codings(source_id=src.id)
            for found in self._rank(model, src, spans, codings, top, min_score):
                out.extend(found)
            if progress is not None:
                progress(i / len(sources))
        return out

    def _rank(
        self,
        model: CombinedSuggester,
        src: Source,
        spans: Sequence[tuple[int, int]],
        codings: Sequence[Coding],
        top: int,
        min_score: float,
    ) -> list[list[Suggestion]]:
        if not spans:
            return []
        analysis = self._analysis(src)
        book = self.codebook()
        by_path = {book.path(c): c.id for c in book}
        done = _covering(spans, codings)
        ranked = model.suggest(
            [analysis.lemma_text(a, b) for a, b in spans],
            [analysis.all_lemmas(a, b) for a, b in spans],
            top=top + max((len(d) for d in done), default=0),
            min_score=min_score,
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
        """Apply the suggested code (a theme's label becomes a new code) and record it."""
        code: str | int = s.code_id if s.code_id is not None else s.label
        result = cast(CodingActions, self).apply_code(
            s.source_id, s.start, s.end, code, coder=coder
        )
        self._feedback(s, True, coder, result.code.id)
        return result

    def reject_suggestion(self, s: Suggestion, coder: str | None = None) -> None:
        """Record that the code does not fit the passage: it becomes a negative example."""
        self._feedback(s, False, coder, s.code_id)

    def _feedback(self, s: Suggestion, accepted: bool, coder: str | None, code_id: Any) -> None:
        with self.store.atomic() as conn:
            self.store.add_feedback(
                conn,
                {
                    "source_id": s.source_id,
                    "start": s.start,
                    "end": s.end,
                    "code_id": code_id,
                    "label": s.label,
                    "suggester": s.suggester,
                    "score": float(s.score),
                    "accepted": accepted,
                    "coder_id": self.store.coder_id(conn, coder or self.coder),
                    "created_at": utc_now(),
                },
            )

    def suggestion_precision(self) -> dict[str, dict[str, float]]:
        """Per suggester: suggestions decided, accepted, and the share accepted."""
        out: dict[str, dict[str, float]] = {}
        for f in self.store.list_feedback():
            row = out.setdefault(f.suggester, {"decided": 0, "accepted": 0, "precision": 0.0})
            row["decided"] += 1
            row["accepted"] += int(f.accepted)
        for row in out.values():
            row["precision"] = round(row["accepted"] / row["decided"], 4)
        return out

    # -- themes --------------------------------------------------------------------------

    def themes(
        self,
        n: int = 8,
        *,
        source: str | int | None = None,
        quotes: int = 4,
        terms: int = 8,
        skip_speakers: str | None = INTERVIEWERS,
    ) -> list[Theme]:
        """Candidate themes in the sentences no coding touches, largest first.

        Args:
            n: how many themes to look for.
            source: only this source's text (default: every source).
            quotes: representative quotes per theme.
            terms: top terms per theme.
            skip_speakers: a regular expression (case-insensitive, whole name) for speakers
                whose turns are not searched: by default interviewers and moderators, whose
                questions are not what a study's themes are about. None searches every turn.
        """
        from qualcode.nlp.themes import ThemeFinder

        skip = re.compile(skip_speakers, re.IGNORECASE) if skip_speakers else None
        sources = [self.source(source)] if source is not None else self.store.list_sources()
        spans: list[tuple[Source, int, int]] = []
        texts: list[str] = []
        for src in sources:
            analysis = self._analysis(src)
            coded = [(c.start, c.end) for c in self.store.list_codings(source_id=src.id)]
            turns = self.store.turns(src.id)
            asked = [
                (t.start, t.end)
                for t in turns
                if skip is not None and t.speaker and skip.fullmatch(t.speaker.strip())
            ]
            for a, b in self._units(src, "sentence"):
                if any(s < b and e > a for s, e in [*coded, *asked]):
                    continue
                lemma_text = analysis.lemma_text(a, b)
                if len(lemma_text.split()) >= 3:
                    spans.append((src, a, b))
                    texts.append(lemma_text)
        finder = ThemeFinder(n, terms, quotes, self.language).fit(texts)
        if self.settings().get("nlp.themes") != THEMES:
            self.set_setting("nlp.themes", THEMES)
        return [
            Theme(
                label=t.label,
                terms=t.terms,
                quotes=tuple(
                    " ".join(spans[i][0].text[spans[i][1] : spans[i][2]].split()) for i in t.quotes
                ),
                spans=tuple((spans[i][0].id, spans[i][1], spans[i][2]) for i in t.quotes),
                size=len(t.members),
                weight=t.weight,
            )
            for t in finder.themes_
        ]

    def promote_theme(
        self, theme: Theme, name: str | None = None, parent: str | int | None = None
    ) -> Code:
        """Make a theme a code in one step: its terms become keywords, its quotes examples."""
        return cast(CodingActions, self).add_code(
            (name or theme.label).replace("/", "-").strip(),
            parent,
            definition=f"Emergent theme: {', '.join(theme.terms)}.",
            keywords=theme.terms[:5],
            examples=theme.quotes[:3],
        )


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
