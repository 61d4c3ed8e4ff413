"""``qualcode.combined.v4``: ``.v3`` with the context read for what it is.

``qualcode.combined.v3`` read every context (what a passage answers) as words and kept only
alphabetic ones, so a survey whose question column names questions by id ("Q5", "N3") lost
it. ``.v4`` reads the column's kind (:func:`qualcode.nlp.context.context_kind`) when it
fits: a category is one-hot in each code's regression (``qualcode.learned.v4``) and moves
every code's score by how much more or less often the code was coded in that category
(a per-category prior of the codes, which reaches the codes too rarely coded for a
regression); a number is one scaled feature; text is read as ``.v3`` reads it. Without a
context, or with a category that does not tell the codes apart, ``.v4`` is ``.v3`` without
a context.

The deductive part is named once, :attr:`CombinedSuggesterV4.codebook_class`, so another
codebook suggester is one line away.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import Any, Self

from qualcode.nlp.codebook import CodebookSuggester, CodebookSuggesterV2, CodeDescription
from qualcode.nlp.context import (
    CATEGORY,
    TEXT,
    Kind,
    category_token,
    context_kind,
    encoder,
    held_out_lift,
)
from qualcode.nlp.context import priors as context_priors
from qualcode.nlp.engine import CombinedSuggesterV3, Parts, Scores
from qualcode.nlp.learned import LearnedSuggester, LearnedSuggesterV3

NAME = "qualcode.combined.v4"
LEARNED = "qualcode.learned.v4"


class LearnedSuggesterV4(LearnedSuggesterV3):
    """``qualcode.learned.v4``: ``.v3`` with a context of any kind as its own features.

    Args:
        context_kind: what the contexts given to :meth:`fit` are: ``"category"`` (tokens,
            one-hot), ``"number"`` (one scaled feature) or ``"text"`` (lemma texts, TF-IDF
            words and pairs of words, as ``.v3`` reads them).
        params: the parameters of :class:`LearnedSuggesterV3`.
    """

    name = LEARNED

    def __init__(self, *, context_kind: Kind = TEXT, **params: Any):
        super().__init__(**params)
        self.context_kind = context_kind

    def _fit_blocks(
        self, n: int, words: Sequence[str] | None, contexts: Sequence[str] | None
    ) -> list[tuple[str, Any]]:
        """``.v3``'s function words, and the context encoded by its kind."""
        blocks = super()._fit_blocks(n, words, None)
        if contexts is not None and any(contexts):
            if len(contexts) != n:
                raise ValueError(f"{len(contexts)} contexts for {n} passages")
            blocks.append(("context", encoder(self.context_kind).fit(contexts)))
        return blocks


class CombinedSuggesterV4(CombinedSuggesterV3):
    """``qualcode.combined.v4``: :class:`CombinedSuggesterV3` with the context read for
    what it is (see the module).

    Args:
        context_kind: ``"category"``, ``"number"`` or ``"text"``; None reads it from the
            contexts given to :meth:`fit` (see :func:`~qualcode.nlp.context.context_kind`).
        context_prior: for a category, the weight of its prior of the codes: each code's
            score moves by this times the log of how much more often the code was coded
            in the passage's category than overall (on the log-odds scale, so a score stays
            in [0, 1]); 0 turns it off. A category is used (one-hot and prior) only where
            it tells the codes of the passages learned from better than their overall
            rates, each counted without the passage itself (see
            :func:`~qualcode.nlp.context.held_out_lift`); else ``.v4`` is ``.v3`` without
            a context.
        context_smoothing: passages at a code's overall rate added to each category's, so a
            category coded a few times moves the scores little.
        params: the parameters of :class:`CombinedSuggesterV3`.
    """

    name = NAME
    learned_class = LearnedSuggesterV4
    # The deductive part (the codebook alone); with ``name_shares`` off, ``.v1``'s matching.
    codebook_class: type[CodebookSuggester] = CodebookSuggesterV2

    def __init__(
        self,
        language: str = "en",
        nlp_model: str | None = None,
        *,
        prior_strength: float = 3.0,
        min_examples: int = 5,
        class_weight: str | None = "balanced",
        vectorizer: Any = None,
        function_words: bool = True,
        neighbour_vote: float = 0.5,
        neighbours: int = 10,
        rare_discount: float = 2.0,
        pooled: bool = True,
        name_shares: bool = True,
        context_kind: Kind | None = None,
        context_prior: float = 1.0,
        context_smoothing: float = 5.0,
        random_state: int = 0,
    ):
        super().__init__(
            language,
            nlp_model,
            prior_strength=prior_strength,
            min_examples=min_examples,
            class_weight=class_weight,
            vectorizer=vectorizer,
            function_words=function_words,
            neighbour_vote=neighbour_vote,
            neighbours=neighbours,
            rare_discount=rare_discount,
            pooled=pooled,
            name_shares=name_shares,
            random_state=random_state,
        )
        self.context_kind = context_kind
        self.context_prior = context_prior
        self.context_smoothing = context_smoothing

    def fit(
        self,
        codes: Sequence[CodeDescription],
        examples: Sequence[str] = (),
        labels: Sequence[Collection[str]] = (),
        *,
        rejected: Sequence[Collection[str]] | None = None,
        corpus: Sequence[str] = (),
        contexts: Sequence[str] | None = None,
        units: Sequence[str] = (),
        unit_labels: Sequence[Collection[str]] = (),
        unit_contexts: Sequence[str] | None = None,
    ) -> Self:
        """:meth:`CombinedSuggesterV3.fit`, with the contexts' kind read first
        (``context_kind_``), whether they are used (``context_used_``: a category that
        tells the codes apart) and, for a category, its prior of the codes (``priors_``),
        from the units if given (the answers holding the codings), else the coded passages."""
        given = [*(contexts or ()), *(unit_contexts or ())]
        self.context_kind_: Kind = self.context_kind or context_kind(given)
        by_unit = bool(units) and unit_contexts is not None
        asked, coded = (unit_contexts, unit_labels) if by_unit else (contexts, labels)
        # A category that does not tell the codes apart (two tracks coded alike) is left
        # out: its one-hot and its prior would only move the scores at random.
        self.context_used_ = asked is not None and (
            self.context_kind_ != CATEGORY
            or held_out_lift(
                [category_token(t or "") for t in asked],
                [list(codes) for codes in coded],
                self.context_smoothing,
            )
            > 0
        )
        super().fit(
            codes,
            examples,
            labels,
            rejected=rejected,
            corpus=corpus,
            contexts=contexts,
            units=units,
            unit_labels=unit_labels,
            unit_contexts=unit_contexts,
        )
        self.priors_: tuple[dict[str, int], Any] | None = None
        if self.context_kind_ == CATEGORY and self.context_used_ and self.context_prior > 0:
            index = {label: j for j, label in enumerate(self.labels_)}
            self.priors_ = context_priors(
                self._contexts(asked) or [],
                [[index[c] for c in codes if c in index] for codes in coded],
                len(self.labels_),
                self.context_smoothing,
            )
        return self

    def _units_params(self) -> dict[str, Any]:
        """``.v3``'s, with the context's kind as this blend read it."""
        return {**super()._units_params(), "context_kind": self.context_kind_}

    def _learned_part(self, vectorizer: Any) -> LearnedSuggester:
        """``qualcode.learned.v4``, told the context's kind."""
        return LearnedSuggesterV4(
            context_kind=self.context_kind_,
            min_examples=self.min_examples,
            class_weight=self.class_weight,
            vectorizer=vectorizer,
            function_words=self.function_words,
            random_state=self.random_state,
        )

    def _codebook_part(self, vectorizer: Any) -> CodebookSuggester:
        """``codebook_class``, or ``qualcode.codebook.v1`` without ``name_shares``."""
        book = self.codebook_class if self.name_shares else CodebookSuggester
        return book(
            self.language, self.nlp_model, vectorizer=vectorizer, random_state=self.random_state
        )

    def _contexts(self, texts: Sequence[str] | None) -> list[str] | None:
        """Raw contexts as the learned part reads them: a category as one token, a number
        as it is, text as ``.v3``'s lemma texts."""
        if texts is None or not self.context_used_:
            return None
        if self.context_kind_ == TEXT:
            return super()._contexts(texts)
        if self.context_kind_ == CATEGORY:
            return [category_token(t or "") for t in texts]
        return [(t or "").strip() for t in texts]

    def score(
        self,
        lemma_texts: Sequence[str],
        lemmas: Sequence[Sequence[str]],
        contexts: Sequence[str] | None = None,
        parts: Sequence[Parts] | None = None,
    ) -> Scores:
        """``.v3``'s scores, each moved by its category's prior of the code (see
        ``context_prior``); ``contexts`` are as :meth:`_contexts` makes them."""
        from dataclasses import replace

        import numpy as np

        found = super().score(lemma_texts, lemmas, contexts, parts)
        if self.priors_ is None or contexts is None:
            return found
        rows, log_lift = self.priors_
        shift = np.zeros_like(found.blended)
        for i, token in enumerate(contexts):
            if token in rows:
                shift[i] = log_lift[rows[token]]
        s = np.clip(found.blended, 1e-6, 1.0 - 1e-6)
        moved = 1.0 / (1.0 + np.exp(-(np.log(s / (1.0 - s)) + self.context_prior * shift)))
        blended = np.where(found.blended > 0.0, moved, 0.0).astype(np.float32)
        return replace(found, blended=blended)
