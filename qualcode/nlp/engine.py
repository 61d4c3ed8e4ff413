"""Codebook and learned suggesters combined into one ranking, ``qualcode.combined.v1``.

For code *c* with *n* coded passages the score of a passage is

    λ · learned + (1 − λ) · codebook,   λ = n / (n + prior_strength)

so before anything is coded the codebook decides alone, and the learned model takes over
smoothly as examples come in (λ = 0.5 at ``prior_strength`` examples, 0.9 at nine times
that). Both parts are in [0, 1], so the blend is too. Each suggestion names the suggester
that contributed most to its score and carries evidence a person can check: the matched
keywords, the words it shares with the code's passages, the nearest coded example.

Everything here takes plain lists; the project facade (or the evaluator) feeds it.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import Any

from qualcode.nlp.codebook import NAME as CODEBOOK
from qualcode.nlp.codebook import CodebookSuggester, CodeDescription
from qualcode.nlp.learned import LearnedSuggester, LearnedSuggesterV2
from qualcode.nlp.pipeline import analyse

NAME = "qualcode.combined.v1"
NAME_V2 = "qualcode.combined.v2"
QUOTE_CHARS = 120
CHUNK = 1000  # passages scored at once


@dataclass(frozen=True, slots=True)
class Ranked:
    """One suggested code for passage ``index`` of the list asked about."""

    index: int
    label: str
    score: float
    suggester: str
    evidence: tuple[str, ...] = ()


class CombinedSuggester:
    """The codebook suggester blended with the learned one, code by code.

    Args:
        language: language of the texts (a spaCy language code).
        nlp_model: an installed spaCy pipeline to use instead of the blank one.
        prior_strength: examples at which the learned model and the codebook weigh the same.
        min_examples: examples a code needs for a logistic regression (else a centroid).
        class_weight: passed to the logistic regressions.
        vectorizer: a fitted vectorizer (see :func:`fit_vectorizer`) to use as it is: the
            project keeps one while its texts do not change, so a refit after coding only
            fits the per-code models; else one is fitted here.
        function_words: the learned part reads stop words too (see
            :class:`LearnedSuggester`).
        neighbour_vote: for a code with 1 to ``min_examples`` - 1 coded passages (no
            regression), the share of its score given by the vote of the passage's nearest
            coded passages (see :meth:`neighbour_votes`), once at least ``neighbours``
            passages are coded; 0 leaves the score as it was.
        neighbours: how many nearest coded passages vote.
        random_state: seed, so results are reproducible.
    """

    name = NAME
    learned_class: type[LearnedSuggester] = LearnedSuggester  # the learned part's version

    def __init__(
        self,
        language: str = "en",
        nlp_model: str | None = None,
        prior_strength: float = 3.0,
        min_examples: int = 5,
        class_weight: str | None = "balanced",
        vectorizer: Any = None,
        function_words: bool = False,
        neighbour_vote: float = 0.0,
        neighbours: int = 10,
        random_state: int = 0,
    ):
        self.language = language
        self.nlp_model = nlp_model
        self.prior_strength = prior_strength
        self.min_examples = min_examples
        self.class_weight = class_weight
        self.vectorizer = vectorizer
        self.function_words = function_words
        self.neighbour_vote = neighbour_vote
        self.neighbours = neighbours
        self.random_state = random_state

    def fit(
        self,
        codes: Sequence[CodeDescription],
        examples: Sequence[str] = (),
        labels: Sequence[Collection[str]] = (),
        *,
        rejected: Sequence[Collection[str]] | None = None,
        corpus: Sequence[str] = (),
        contexts: Sequence[str] | None = None,
    ) -> CombinedSuggester:
        """Fit on the codebook and the coded passages.

        Args:
            codes: every code that may be suggested.
            examples: coded passages (their text); ``labels[i]`` the code labels of passage i.
            rejected: per passage, code labels a coder rejected for it.
            corpus: lemma texts of the project's other passages, for word weights.
            contexts: per passage, the text it answers (a survey question, the interviewer's
                turn before it), learned from as features of their own.
        """
        self.codes_ = list(codes)
        self.labels_ = [c.label for c in codes]
        self.examples_ = list(examples)
        analysed = analyse(examples, self.language, self.nlp_model)
        lemma_texts = [a.lemma_text() for a in analysed]
        vectorizer = self.vectorizer
        if vectorizer is None:
            vectorizer = fit_vectorizer(
                self.codes_, [*lemma_texts, *corpus], self.language, self.nlp_model
            )
        self.codebook_ = CodebookSuggester(
            self.language, self.nlp_model, vectorizer=vectorizer, random_state=self.random_state
        ).fit(self.codes_)
        self.learned_: LearnedSuggester | None = None
        if examples:
            self.learned_ = self.learned_class(
                min_examples=self.min_examples,
                class_weight=self.class_weight,
                vectorizer=vectorizer,
                function_words=self.function_words,
                random_state=self.random_state,
            ).fit(
                lemma_texts,
                labels,
                self.labels_,
                rejected=rejected,
                words=[a.word_text() for a in analysed],
                contexts=self._contexts(contexts),
            )
        return self

    def _contexts(self, texts: Sequence[str] | None) -> list[str] | None:
        """Raw context texts as lemma texts (stop words kept: "why", "how", "not")."""
        if texts is None:
            return None
        return [a.word_text() for a in analyse(texts, self.language, self.nlp_model)]

    def score(
        self,
        lemma_texts: Sequence[str],
        lemmas: Sequence[Sequence[str]],
        contexts: Sequence[str] | None = None,
    ) -> Any:
        """Blended scores ``(n_passages, n_codes)`` and the parts needed for evidence;
        ``contexts`` are lemma texts (as :meth:`_contexts` makes them)."""
        import numpy as np

        X = self.codebook_.vectorizer_.transform(lemma_texts)
        prior, matched = self.codebook_.score(lemma_texts, lemmas, X)
        if self.learned_ is None:
            return prior, prior, np.zeros_like(prior), matched, X
        words = [" ".join(w for w in seq if w.isalpha()) for seq in lemmas]
        learned = self.learned_.score(X, words, contexts)
        n = self.learned_.counts_.astype(np.float32)
        lam = n / (n + self.prior_strength)
        # A code rejected for passages like this one loses what the codebook gave it too.
        prior = prior * (1.0 - np.clip(self.learned_.rejection(X) / 0.6, 0.0, 1.0))
        prior_part, learned_part = (1.0 - lam) * prior, lam * learned
        # The vote of the nearest coded passages, for codes coded at least once but too
        # rarely for a regression, once there are enough coded passages to be a neighbourhood.
        if self.neighbour_vote > 0.0 and self.learned_.X_.shape[0] >= self.neighbours:
            counts = self.learned_.counts_
            rare = ((counts > 0) & (counts < self.min_examples)) * np.float32(self.neighbour_vote)
            vote = self.neighbour_votes(X)
            prior_part, learned_part = (
                (1 - rare) * prior_part,
                (1 - rare) * learned_part + (rare * vote),
            )
        return prior_part + learned_part, prior_part, learned_part, matched, X

    def neighbour_votes(self, X: Any) -> Any:
        """Per passage and code, the share of the similarity of its ``neighbours`` nearest
        coded passages held by those that carry the code, ``(n, k)`` in [0, 1]: a code
        coded once is suggested where its one passage is the nearest of all, however far
        it is (the centroid similarity needs it to be near in absolute terms)."""
        import numpy as np

        assert self.learned_ is not None
        sims = (X @ self.learned_.X_.T).toarray()
        k = min(self.neighbours, sims.shape[1])
        near = np.argpartition(-sims, k - 1, axis=1)[:, :k]
        weight = np.take_along_axis(sims, near, axis=1)
        carries = np.zeros((sims.shape[1], len(self.labels_)), dtype=np.float32)
        for j, rows in enumerate(self.learned_.rows_):
            carries[rows, j] = 1.0
        votes = np.einsum("ik,ikj->ij", weight, carries[near])
        return votes / np.maximum(weight.sum(axis=1, keepdims=True), 1e-9)

    def suggest(
        self,
        lemma_texts: Sequence[str],
        lemmas: Sequence[Sequence[str]],
        *,
        top: int = 5,
        min_score: float = 0.0,
        evidence: bool = True,
        contexts: Sequence[str] | None = None,
    ) -> list[list[Ranked]]:
        """The ``top`` codes for each passage with a score of at least ``min_score``;
        ``contexts`` (raw texts) are what each passage answers, if the model learned them.

        Passages are scored in chunks, so a whole project's batch needs bounded memory for
        the similarities to coded passages behind the "like: ..." evidence.
        """
        out: list[list[Ranked]] = []
        for lo in range(0, len(lemma_texts), CHUNK):
            hi = min(lo + CHUNK, len(lemma_texts))
            found = self._suggest_chunk(
                lemma_texts[lo:hi],
                lemmas[lo:hi],
                top,
                min_score,
                evidence,
                None if contexts is None else self._contexts(contexts[lo:hi]),
            )
            out.extend([Ranked(lo + r.index, *_rest(r)) for r in row] for row in found)
        return out

    def _suggest_chunk(
        self,
        lemma_texts: Sequence[str],
        lemmas: Sequence[Sequence[str]],
        top: int,
        min_score: float,
        evidence: bool,
        contexts: Sequence[str] | None,
    ) -> list[list[Ranked]]:
        import numpy as np

        if not self.labels_ or not lemma_texts:
            return [[] for _ in lemma_texts]
        blended, prior_part, learned_part, matched, X = self.score(lemma_texts, lemmas, contexts)
        k = min(top, blended.shape[1])
        order = np.argsort(-blended, axis=1, kind="stable")[:, :k]
        sims = None
        if evidence and self.learned_ is not None:
            sims = (X @ self.learned_.X_.T).toarray()
        out: list[list[Ranked]] = []
        for i, row in enumerate(order):
            ranked = []
            for j in row:
                score = float(blended[i, j])
                if score <= 0.0 or score < min_score:
                    continue
                who = self.learned_class.name if learned_part[i, j] > prior_part[i, j] else CODEBOOK
                why = self._evidence(i, int(j), lemmas[i], matched, sims) if evidence else ()
                ranked.append(Ranked(i, self.labels_[j], round(score, 4), who, why))
            out.append(ranked)
        return out

    def suggest_texts(
        self,
        texts: Sequence[str],
        *,
        top: int = 5,
        min_score: float = 0.0,
        evidence: bool = True,
        contexts: Sequence[str] | None = None,
    ) -> list[list[Ranked]]:
        """:meth:`suggest` for raw texts (analysed here, with the cache)."""
        analysed = analyse(texts, self.language, self.nlp_model)
        return self.suggest(
            [a.lemma_text() for a in analysed],
            [a.lemmas for a in analysed],
            top=top,
            min_score=min_score,
            evidence=evidence,
            contexts=contexts,
        )

    def _evidence(
        self,
        i: int,
        j: int,
        lemmas: Sequence[str],
        matched: list[dict[int, list[str]]],
        sims: Any,
    ) -> tuple[str, ...]:
        why = []
        if matched[i].get(j):
            why.append("matched: " + ", ".join(sorted(set(matched[i][j]))))
        if self.learned_ is not None and sims is not None:
            shared = sorted(self.learned_.terms_[j] & set(lemmas))[:5]
            if shared:
                why.append("words of its passages: " + ", ".join(shared))
            rows = self.learned_.rows_[j]
            if rows.size:
                near = int(rows[int(sims[i, rows].argmax())])
                why.append("like: " + _quote(self.examples_[near]))
        return tuple(why)


class CombinedSuggesterV2(CombinedSuggester):
    """``qualcode.combined.v2``: the blend of ``qualcode.codebook.v1`` and
    ``qualcode.learned.v2`` (the learned part reads function words too), with half the score
    of a code coded fewer than ``min_examples`` times from the vote of the nearest coded
    passages. New suggestions in a project come from it; ``.v1`` stays as it was."""

    name = NAME_V2
    learned_class = LearnedSuggesterV2

    def __init__(
        self,
        language: str = "en",
        nlp_model: str | None = None,
        *,
        function_words: bool = True,
        neighbour_vote: float = 0.5,
        **params: Any,
    ):
        super().__init__(
            language,
            nlp_model,
            function_words=function_words,
            neighbour_vote=neighbour_vote,
            **params,
        )


def fit_vectorizer(
    codes: Sequence[CodeDescription],
    corpus: Sequence[str],
    language: str = "en",
    nlp_model: str | None = None,
) -> Any:
    """The TF-IDF features both suggesters share, fitted on the project's passages
    (``corpus``, lemma texts) and the codes' descriptions."""
    from qualcode.nlp.codebook import description_texts
    from qualcode.nlp.features import fit_texts

    described, excluded = description_texts(codes, language, nlp_model)
    return fit_texts([*corpus, *described, *excluded])


def _rest(r: Ranked) -> tuple[str, float, str, tuple[str, ...]]:
    return r.label, r.score, r.suggester, r.evidence


def _quote(text: str) -> str:
    text = " ".join(text.split())
    return f"“{text[: QUOTE_CHARS - 1]}…”" if len(text) > QUOTE_CHARS else f"“{text}”"
