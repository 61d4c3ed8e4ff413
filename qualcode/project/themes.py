"""Emergent themes in uncoded text, and promoting one to a code: the facade over
:mod:`qualcode.nlp.themes`."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Literal

from qualcode.errors import ProjectError
from qualcode.model import Code, Source, Theme
from qualcode.project.speakers import INTERVIEWERS  # skipped when looking for themes
from qualcode.store.settings import SettingKey

if TYPE_CHECKING:
    from qualcode.nlp.engine import CombinedSuggesterV3
    from qualcode.nlp.pipeline import Analysis
    from qualcode.nlp.themes import ThemeFinder
    from qualcode.project.base import ProjectContext
    from qualcode.project.cache import SuggesterCache
    from qualcode.project.codes import Codes

Unit = Literal["turn", "sentence"]

THEMES = "qualcode.themes.v1"  # looked up in qualcode.nlp.registry, recorded as ``nlp.themes``


class Themes:
    """Themes, and what suggestions share with them: the NLP analysis of a source, and its
    passages (turns or sentences)."""

    def __init__(self, ctx: ProjectContext, codes: Codes) -> None:
        self._ctx = ctx
        self._codes = codes

    _nlp: SuggesterCache[CombinedSuggesterV3]  # set by Project.__init__

    @property
    def nlp_model(self) -> str | None:
        """The installed spaCy pipeline named by the setting ``nlp.model``, if any."""
        return self._ctx.settings().nlp_model or None

    def analysis(self, source: Source) -> Analysis:
        # Deferred: spaCy loads only when a suggestion is asked for.
        from qualcode.nlp.pipeline import analyse

        spoken = self.spoken(source)
        return analyse([spoken], source.language or self._ctx.language, self.nlp_model)[0]

    def spoken(self, source: Source) -> str:
        """The source's text with speaker labels and timestamps blanked (same offsets): the
        NLP must not take a speaker's name for a word of the study. Kept per text."""
        from qualcode import ingest

        def build() -> str:
            turns = [(t.start, t.end, t.speaker) for t in self._ctx.store.turns(source.id)]
            return ingest.spoken_text(source.text, turns) if turns else source.text

        return self._ctx.nlp.spoken_text((source.id, source.content_hash), build)

    def units(self, source: Source, unit: Unit) -> list[tuple[int, int]]:
        """The passages of a source: its speaker turns, or their sentences, as
        :mod:`qualcode.analysis.units` cuts them for every other count."""
        from qualcode.analysis.units import text_units

        turns = [(t.start, t.end) for t in self._ctx.store.turns(source.id)]
        try:
            return text_units(source.text, turns, unit)
        except ValueError as exc:
            raise ProjectError(str(exc)) from None

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
        from qualcode.nlp import registry

        finder: type[ThemeFinder] = registry.get(THEMES)
        skip = re.compile(skip_speakers, re.IGNORECASE) if skip_speakers else None
        sources = (
            [self._ctx.source(source)] if source is not None else self._ctx.store.list_sources()
        )
        spans: list[tuple[Source, int, int]] = []
        texts: list[str] = []
        for src in sources:
            analysis = self.analysis(src)
            coded = [(c.start, c.end) for c in self._ctx.store.list_codings(source_id=src.id)]
            turns = self._ctx.store.turns(src.id)
            asked = [
                (t.start, t.end)
                for t in turns
                if skip is not None and t.speaker and skip.fullmatch(t.speaker.strip())
            ]
            for a, b in self.units(src, "sentence"):
                if any(s < b and e > a for s, e in [*coded, *asked]):
                    continue
                lemma_text = analysis.lemma_text(a, b)
                if len(lemma_text.split()) >= 3:
                    spans.append((src, a, b))
                    texts.append(lemma_text)
        found = finder(n, terms, quotes, self._ctx.language).fit(texts)
        self._ctx.note_setting(SettingKey.NLP_THEMES, THEMES)
        return [
            Theme(
                label=t.label,
                terms=t.terms,
                quotes=tuple(
                    " ".join(self.spoken(spans[i][0])[spans[i][1] : spans[i][2]].split())
                    for i in t.quotes
                ),
                spans=tuple((spans[i][0].id, spans[i][1], spans[i][2]) for i in t.quotes),
                size=len(t.members),
                weight=t.weight,
            )
            for t in found.themes_
        ]

    def promote_theme(
        self, theme: Theme, name: str | None = None, parent: str | int | None = None
    ) -> Code:
        """Make a theme a code in one step: its terms become keywords, its quotes examples."""
        return self._codes.add_code(
            (name or theme.label).replace("/", "-").strip(),
            parent,
            definition=f"Emergent theme: {', '.join(theme.terms)}.",
            keywords=theme.terms[:5],
            examples=theme.quotes[:3],
        )
