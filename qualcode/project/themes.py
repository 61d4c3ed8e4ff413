"""Emergent themes in uncoded text, and promoting one to a code: the facade over
:mod:`qualcode.nlp.themes`."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Literal

from qualcode.errors import ProjectError
from qualcode.model import Code, Source, Theme
from qualcode.project.speakers import INTERVIEWERS  # skipped when looking for themes
from qualcode.project.theme_list import (
    Listed,
    found_themes,
    inputs_key,
    listed,
    remember_listing,
)
from qualcode.store.settings import SettingKey

if TYPE_CHECKING:
    from qualcode.nlp.combined_v4 import CombinedSuggesterV4
    from qualcode.nlp.pipeline import Analysis
    from qualcode.nlp.themes import ThemeFinder
    from qualcode.project.base import ProjectContext
    from qualcode.project.cache import SuggesterCache
    from qualcode.project.codes import Codes
    from qualcode.project.eligible import LeftOut

Unit = Literal["turn", "sentence"]

THEMES = "qualcode.themes.v1"  # looked up in qualcode.nlp.registry, recorded as ``nlp.themes``


class Themes:
    """Themes, and what suggestions share with them: the NLP analysis of a source, and its
    passages (turns or sentences)."""

    def __init__(self, ctx: ProjectContext, codes: Codes) -> None:
        self._ctx = ctx
        self._codes = codes

    _nlp: SuggesterCache[CombinedSuggesterV4]  # set by Project.__init__

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
            turns = [(t.start, t.end, t.speaker) for t in self._ctx.turns(source)]
            return ingest.spoken_text(source.text, turns) if turns else source.text

        return self._ctx.nlp.spoken_text((source.id, source.content_hash), build)

    def units(self, source: Source, unit: Unit) -> list[tuple[int, int]]:
        """The passages of a source: its speaker turns, or their sentences, as
        :mod:`qualcode.analysis.units` cuts them for every other count."""
        from qualcode.analysis.units import text_units

        turns = [(t.start, t.end) for t in self._ctx.turns(source)]
        try:
            return text_units(source.text, turns, unit)
        except ValueError as exc:
            raise ProjectError(str(exc)) from None

    def substantive(
        self, source: Source, spans: Sequence[tuple[int, int]], left_out: LeftOut | None = None
    ) -> list[tuple[int, int]]:
        """The ``spans`` of a source that say something a code could be about: no header
        line, and in a conversation no courtesy or passage of fewer than three content
        words (see :mod:`qualcode.project.eligible`); ``left_out`` counts the others by
        reason."""
        from qualcode.project.eligible import heading_end, substantive

        language = source.language or self._ctx.language
        turns = self._ctx.turns(source)
        spoken = self.spoken(source)
        talked = any(t.speaker for t in turns)
        return substantive(spoken, language, spans, heading_end(turns), left_out, spoken_by=talked)

    def asking(self, source: Source, pattern: str = INTERVIEWERS) -> list[tuple[int, int]]:
        """The turns of a source's interviewers and moderators: the speakers ``pattern``
        names, or, when none is named, the one who clearly asks the questions."""
        from qualcode.project.eligible import asking_speakers

        turns = self._ctx.turns(source)
        asks = asking_speakers(turns, source.text, pattern)
        return [(t.start, t.end) for t in turns if t.speaker in asks]

    # -- themes --------------------------------------------------------------------------

    def themes(
        self,
        n: int = 8,
        *,
        source: str | int | None = None,
        quotes: int = 4,
        terms: int = 8,
        skip_speakers: str | None = INTERVIEWERS,
        left_out: LeftOut | None = None,
    ) -> list[Theme]:
        """Candidate themes in the sentences no coding touches, largest first.

        Args:
            n: how many themes to look for.
            source: only this source's text (default: every source).
            quotes: representative quotes per theme.
            terms: top terms per theme.
            skip_speakers: a regular expression (case-insensitive, whole name) for speakers
                whose turns are not searched: by default interviewers and moderators, whose
                questions are not what a study's themes are about (when none is named so,
                the speaker who clearly asks). None searches every turn.
            left_out: counts the uncoded sentences left out, by reason, if given: header
                lines, courtesies, passages of fewer than three content words, questions.
        """
        return self._themes(n, source, quotes, terms, skip_speakers, left_out)[0]

    def _themes(
        self,
        n: int,
        source: str | int | None,
        quotes: int,
        terms: int,
        skip_speakers: str | None,
        left_out: LeftOut | None = None,
        *,
        only_key: bool = False,
    ) -> tuple[list[Theme], str]:
        """:meth:`themes`, and the key of what they were found in (see
        :func:`qualcode.project.theme_list.inputs_key`); with ``only_key``, no themes."""
        from qualcode.nlp import registry

        finder: type[ThemeFinder] = registry.get(THEMES)
        sources = (
            [self._ctx.source(source)] if source is not None else self._ctx.store.list_sources()
        )
        # Each language's sentences are factorised apart, with that language's fillers and
        # general word frequencies: an interview in German among English ones neither
        # forms a theme of its own words nor lends them to an English one.
        by_language: dict[str, tuple[list[tuple[Source, int, int]], list[str]]] = {}
        for src in sources:
            language = src.language or self._ctx.language
            spans, texts = by_language.setdefault(language, ([], []))
            for a, b, text in self._theme_texts(src, skip_speakers, left_out):
                spans.append((src, a, b))
                texts.append(text)
        fingerprints = self._ctx.store.turn_fingerprints()
        read = [
            (language, [(s.id, s.content_hash, fingerprints.get(s.id, ""), a, b) for s, a, b in sp])
            for language, (sp, _) in sorted(by_language.items())
        ]
        texts_read = [texts for _, (_, texts) in sorted(by_language.items())]
        key = inputs_key(THEMES, [n, terms, quotes, self._ctx.language, texts_read, read])
        if only_key:
            return [], key

        def find() -> list[Theme]:
            total = sum(len(texts) for _, texts in by_language.values()) or 1
            found: list[Theme] = []
            for language, (spans, texts) in by_language.items():
                share = len(texts) / total
                fitted = finder(max(1, round(n * share)), terms, quotes, language).fit(texts)
                found.extend(
                    Theme(
                        label=t.label,
                        terms=t.terms,
                        quotes=tuple(
                            " ".join(self.spoken(spans[i][0])[spans[i][1] : spans[i][2]].split())
                            for i in t.quotes
                        ),
                        spans=tuple((spans[i][0].id, spans[i][1], spans[i][2]) for i in t.quotes),
                        size=len(t.members),
                        weight=t.weight if share == 1 else round(t.weight * share, 4),
                    )
                    for t in fitted.themes_
                )
            return sorted(found, key=lambda t: -t.weight)[:n]

        self._ctx.note_setting(SettingKey.NLP_THEMES, THEMES)
        # The same texts found the same themes before: read them (no NMF, no scikit-learn).
        return found_themes(key, find), key

    def _theme_texts(
        self, src: Source, skip_speakers: str | None, left_out: LeftOut | None
    ) -> list[tuple[int, int, str]]:
        """The sentences of a source themes are looked for in, each with the lemmas of its
        words of topic: no coding touches it, no interviewer said it (``skip_speakers``),
        it says something (:meth:`substantive`), and it keeps three words without talk."""
        from qualcode.project.eligible import topic_texts

        language = src.language or self._ctx.language
        analysis = self.analysis(src)
        coded = [(c.start, c.end) for c in self._ctx.store.list_codings(source_id=src.id)]
        asked = self.asking(src, skip_speakers) if skip_speakers else []
        free = [
            (a, b)
            for a, b in self.units(src, "sentence")
            if not any(s < b and e > a for s, e in coded)
        ]
        answers = [(a, b) for a, b in free if not any(s < b and e > a for s, e in asked)]
        if left_out is not None:
            left_out.add("interviewer", len(free) - len(answers))
        said = self.substantive(src, answers, left_out)
        texts = topic_texts(analysis, self.spoken(src), said, language)
        return [
            (a, b, text) for (a, b), text in zip(said, texts, strict=True) if len(text.split()) >= 3
        ]

    def promote_theme(
        self, theme: Theme, name: str | None = None, parent: str | int | None = None
    ) -> Code:
        """Make a theme a code in one step: its terms become keywords, its quotes examples."""
        return self._codes.add_code(
            (name or theme.label).strip(),
            parent,
            definition=f"Emergent theme: {', '.join(theme.terms)}.",
            keywords=theme.terms[:5],
            examples=theme.quotes[:3],
        )

    # -- the list shown ------------------------------------------------------------------

    def list_themes(
        self, n: int = 8, *, source: str | int | None = None, left_out: LeftOut | None = None
    ) -> list[Theme]:
        """:meth:`themes`, remembered as the list shown for this project, which
        :meth:`promote_listed` promotes from; ``left_out`` as for :meth:`themes`."""
        source_id = None if source is None else self._ctx.source(source).id
        found, key = self._themes(n, source_id, 4, 8, INTERVIEWERS, left_out)
        remember_listing(self._identity(), Listed(found, n, source_id, key))
        return found

    def promote_listed(
        self,
        number: int,
        *,
        n: int | None = None,
        source: str | int | None = None,
        name: str | None = None,
        parent: str | int | None = None,
    ) -> tuple[Code, str]:
        """Promote theme ``number`` (from 1) of the list :meth:`list_themes` showed last,
        while the uncoded text is as it was then; without such a list (or for another
        ``n`` or ``source`` than it had), of the themes found now.

        Returns:
            The new code, and a sentence saying which list the theme came from.

        Raises:
            ProjectError: the uncoded text changed since the list was shown (its N-th
                theme may not be the one read), or the list has no theme ``number``.
        """
        source_id = None if source is None else self._ctx.source(source).id
        last = listed(self._identity())
        if last is not None and n in (None, last.n) and source_id in (None, last.source):
            _, key = self._themes(last.n, last.source, 4, 8, INTERVIEWERS, only_key=True)
            if key != last.key:
                raise ProjectError(
                    "the uncoded text changed since `qualcode themes` listed the themes (a "
                    "coding or an import since), so theme numbers may have moved; list them "
                    "again, then promote one",
                    file=self._ctx.label,
                )
            found, note = last.themes, "of the list `qualcode themes` showed"
        else:
            found = self.themes(n or 8, source=source_id)
            note = "of the themes found now (no list was shown for these settings)"
        if not 1 <= number <= len(found):
            raise ProjectError(f"there is no theme {number}; the list has 1..{len(found)}")
        return self.promote_theme(found[number - 1], name=name, parent=parent), note

    def _identity(self) -> str:
        """The project as the remembered list is filed under: its file or its URL."""
        return str(self._ctx.path.resolve()) if self._ctx.path is not None else self._ctx.label
