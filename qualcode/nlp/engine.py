"""Codebook and learned suggesters combined into one ranking, ``qualcode.combined.v1``.

For code *c* with *n* coded passages the score of a passage is

    λ · learned + (1 − λ) · codebook,   λ = n / (n + prior_strength)

so before anything is coded the codebook decides alone, and the learned model takes over
smoothly as examples come in (λ = 0.5 at ``prior_strength`` examples, 0.9 at nine times
that). Both parts are in [0, 1], so the blend is too. Each suggestion names the suggester
that contributed most to its score and carries evidence a person can check: the matched
keywords, the words it shares with the code's passages, the nearest coded example.

Each version keeps what it computes once registered (a project records the name it used):
``.v2`` adds the nearest coded passages' vote by overriding :meth:`CombinedSuggester.score`,
``.v3`` the codebook's name shares, a discount, the best sentence and the units' blend by
overriding it again, and a test pins every version's outputs on a small fixed data set.

Everything here takes plain lists; the project facade (or the evaluator) feeds it.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any, Self

from qualcode.nlp.codebook import CodebookSuggester, CodebookSuggesterV2, CodeDescription
from qualcode.nlp.learned import LearnedSuggester, LearnedSuggesterV2, LearnedSuggesterV3
from qualcode.nlp.params import Estimator
from qualcode.nlp.pipeline import analyse

if TYPE_CHECKING:
    from qualcode.nlp.pipeline import Analysis

NAME = "qualcode.combined.v1"
NAME_V2 = "qualcode.combined.v2"
NAME_V3 = "qualcode.combined.v3"
QUOTE_CHARS = 120
CHUNK = 1000  # passages scored at once


@dataclass(frozen=True, slots=True)
class Parts:
    """Spans of an analysed text (passages, or a passage's sentences for pooling), as lemma
    texts and every lemma of each."""

    lemma_texts: Sequence[str]
    lemmas: Sequence[Sequence[str]]

    @classmethod
    def of(cls, analysis: Analysis, spans: Sequence[tuple[int, int]]) -> Parts:
        """The parts at ``spans`` (character offsets) of an analysed text."""
        return cls(
            [analysis.lemma_text(a, b) for a, b in spans],
            [analysis.all_lemmas(a, b) for a, b in spans],
        )


@dataclass(frozen=True, slots=True)
class Ranked:
    """One suggested code for passage ``index`` of the list asked about."""

    index: int
    label: str
    score: float
    suggester: str
    evidence: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Scores:
    """A blend's scores of passages, ``(n_passages, n_codes)`` each, and what its evidence
    reads.

    Attributes:
        blended: the score of each code for each passage, in [0, 1].
        codebook: the codebook suggester's part of ``blended``.
        learned: the learned suggester's part (the nearest passages' vote included).
        matched: per passage, the keywords matched of each code that matched any.
        features: the passages as the shared TF-IDF features (a sparse matrix).
    """

    blended: Any
    codebook: Any
    learned: Any
    matched: list[dict[int, list[str]]]
    features: Any


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
        random_state: int = 0,
    ):
        self.language = language
        self.nlp_model = nlp_model
        self.prior_strength = prior_strength
        self.min_examples = min_examples
        self.class_weight = class_weight
        self.vectorizer = vectorizer
        self.function_words = function_words
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
    ) -> Self:
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
        self.codebook_ = self._codebook_part(vectorizer).fit(self.codes_)
        self.learned_: LearnedSuggester | None = None
        if examples:
            self.learned_ = self._learned_part(vectorizer).fit(
                lemma_texts,
                labels,
                self.labels_,
                rejected=rejected,
                words=[a.word_text() for a in analysed],
                contexts=self._contexts(contexts),
            )
        return self

    def _learned_part(self, vectorizer: Any) -> LearnedSuggester:
        """The learned suggester this blend fits (of ``learned_class``), not yet fitted."""
        return self.learned_class(
            min_examples=self.min_examples,
            class_weight=self.class_weight,
            vectorizer=vectorizer,
            function_words=self.function_words,
            random_state=self.random_state,
        )

    def _codebook_part(self, vectorizer: Any) -> CodebookSuggester:
        """The codebook suggester this blend fits (``qualcode.codebook.v1``)."""
        return CodebookSuggester(
            self.language, self.nlp_model, vectorizer=vectorizer, random_state=self.random_state
        )

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
        parts: Sequence[Parts] | None = None,
    ) -> Scores:
        """Blended scores and the parts needed for evidence; ``contexts`` are lemma texts
        (as :meth:`_contexts` makes them). ``parts`` (each passage's sentences) are read by
        :class:`CombinedSuggesterV3`, which pools them; this blend scores passages whole."""
        import numpy as np

        X = self.codebook_.vectorizer_.transform(lemma_texts)
        prior, matched = self.codebook_.score(lemma_texts, lemmas, X)
        if self.learned_ is None:
            return Scores(prior, prior, np.zeros_like(prior), matched, X)
        words = [" ".join(w for w in seq if w.isalpha()) for seq in lemmas]
        learned = self.learned_.score(X, words, contexts)
        n = self.learned_.counts_.astype(np.float32)
        lam = n / (n + self.prior_strength)
        # A code rejected for passages like this one loses what the codebook gave it too.
        prior = prior * (1.0 - np.clip(self.learned_.rejection(X) / 0.6, 0.0, 1.0))
        blended = lam * learned + (1.0 - lam) * prior
        return Scores(blended, (1.0 - lam) * prior, lam * learned, matched, X)

    def suggest(
        self,
        lemma_texts: Sequence[str],
        lemmas: Sequence[Sequence[str]],
        *,
        top: int = 5,
        min_score: float = 0.0,
        evidence: bool = True,
        contexts: Sequence[str] | None = None,
        parts: Sequence[Parts] | None = None,
    ) -> list[list[Ranked]]:
        """The ``top`` codes for each passage with a score of at least ``min_score``;
        ``contexts`` (raw texts) are what each passage answers, if the model learned them;
        ``parts`` each passage's sentences as lemma texts and lemmas (see :meth:`score`).

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
                None if parts is None else parts[lo:hi],
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
        parts: Sequence[Parts] | None,
    ) -> list[list[Ranked]]:
        import numpy as np

        if not self.labels_ or not lemma_texts:
            return [[] for _ in lemma_texts]
        scores = self.score(lemma_texts, lemmas, contexts, parts)
        blended = scores.blended
        k = min(top, blended.shape[1])
        order = np.argsort(-blended, axis=1, kind="stable")[:, :k]
        sims = None
        if evidence and self.learned_ is not None:
            sims = (scores.features @ self.learned_.X_.T).toarray()
        out: list[list[Ranked]] = []
        for i, row in enumerate(order):
            ranked = []
            for j in row:
                score = float(blended[i, j])
                if score <= 0.0 or score < min_score:
                    continue
                who = (
                    self.learned_class.name
                    if scores.learned[i, j] > scores.codebook[i, j]
                    else self.codebook_.name
                )
                why = self._evidence(i, int(j), lemmas[i], scores.matched, sims) if evidence else ()
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
        """:meth:`suggest` for raw texts (analysed here, with the cache), each with its
        sentences as its parts if the model pools them (see :meth:`_sentences`)."""
        analysed = analyse(texts, self.language, self.nlp_model)
        return self.suggest(
            [a.lemma_text() for a in analysed],
            [a.lemmas for a in analysed],
            top=top,
            min_score=min_score,
            evidence=evidence,
            contexts=contexts,
            parts=self._sentences(analysed, texts),
        )

    def _sentences(self, analysed: Sequence[Analysis], texts: Sequence[str]) -> list[Parts] | None:
        """Each text's sentences, for a blend that pools them; this one does not (None)."""
        return None

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
    passages. ``.v1`` stays as it was.

    Args:
        neighbour_vote: for a code with 1 to ``min_examples`` - 1 coded passages (no
            regression), the share of its score given by the vote of the passage's nearest
            coded passages (see :meth:`neighbour_votes`), once at least ``neighbours``
            passages are coded; 0 leaves the score as ``.v1`` blends it.
        neighbours: how many nearest coded passages vote.
        params: the parameters of :class:`CombinedSuggester`.
    """

    name = NAME_V2
    learned_class = LearnedSuggesterV2

    def __init__(
        self,
        language: str = "en",
        nlp_model: str | None = None,
        *,
        function_words: bool = True,
        neighbour_vote: float = 0.5,
        neighbours: int = 10,
        **params: Any,
    ):
        super().__init__(language, nlp_model, function_words=function_words, **params)
        self.neighbour_vote = neighbour_vote
        self.neighbours = neighbours

    def score(
        self,
        lemma_texts: Sequence[str],
        lemmas: Sequence[Sequence[str]],
        contexts: Sequence[str] | None = None,
        parts: Sequence[Parts] | None = None,
    ) -> Scores:
        """``.v1``'s blend, with the vote of the nearest coded passages for codes coded at
        least once but too rarely for a regression, once there are enough coded passages to
        be a neighbourhood."""
        import numpy as np

        found = super().score(lemma_texts, lemmas, contexts)
        learned = self.learned_
        if learned is None or not (
            self.neighbour_vote > 0.0 and learned.X_.shape[0] >= self.neighbours
        ):
            return found
        counts = learned.counts_
        rare = ((counts > 0) & (counts < self.min_examples)) * np.float32(self.neighbour_vote)
        vote = self.neighbour_votes(found.features)
        prior_part = (1 - rare) * found.codebook
        learned_part = (1 - rare) * found.learned + (rare * vote)
        return Scores(
            prior_part + learned_part, prior_part, learned_part, found.matched, found.features
        )

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


class CombinedSuggesterV3(Estimator, CombinedSuggesterV2):
    """``qualcode.combined.v3``: two blends, each scoring a passage whole and by its best
    sentence.

    * the blend of **coded spans** (what ``.v2`` is), with ``qualcode.codebook.v2`` and the
      ``rare_discount``;
    * with ``units``, a blend of the same kind fitted on the **units that hold the codings**
      (a transcript's turns, a survey's answers), each with every code coded in it: it learns
      what a whole answer with a code reads like, where the spans teach what the coded words
      are.

    Each blend scores a passage as a whole, and with ``pooled`` by its best sentence (the
    highest score of each code over the passage's sentences of 3 words or more): a code
    whose evidence is one sentence of a long answer is not drowned by the rest. The score is
    the mean of these (up to four) scores. A passage of one sentence scores as it did.
    Measured on the music data, p@3 0.797 with ``.v2`` against 0.826 (see the README).

    A scikit-learn estimator: ``__init__`` stores each parameter as it is and
    ``get_params()`` lists them all (``sklearn.base.clone`` copies it).

    Args:
        language: language of the texts (a spaCy language code).
        nlp_model: an installed spaCy pipeline to use instead of the blank one.
        prior_strength: examples at which the learned model and the codebook weigh the same.
        min_examples: examples a code needs for a logistic regression (else a centroid).
        class_weight: passed to the logistic regressions.
        vectorizer: a fitted vectorizer (see :func:`fit_vectorizer`) to use as it is.
        function_words: the learned part reads stop words too.
        neighbour_vote: the share of a rarely coded code's score from the vote of the
            nearest coded passages (see :class:`CombinedSuggesterV2`); 0 turns it off.
        neighbours: how many nearest coded passages vote.
        rare_discount: for a code the codebook gives only a name, coded n < ``min_examples``
            times, the score times ``(n + 1) / (n + 1 + rare_discount)`` once anything is
            coded (a name and a passage or two are weak evidence; a regression's score is a
            probability already); 0 leaves the scores as they are.
        pooled: score each passage by its best sentence too.
        name_shares: the codebook part is ``qualcode.codebook.v2`` (a phrase of a name made
            of several counts by its share); False gives it ``.v1``'s matching (the
            evaluator measures what the shares gain).
        random_state: seed, so results are reproducible.
    """

    name = NAME_V3
    learned_class = LearnedSuggesterV3
    MIN_SENTENCE_WORDS = 3

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
        random_state: int = 0,
    ):
        # Only stores its parameters (scikit-learn's rule), so no call of .v2's __init__.
        self.language = language
        self.nlp_model = nlp_model
        self.prior_strength = prior_strength
        self.min_examples = min_examples
        self.class_weight = class_weight
        self.vectorizer = vectorizer
        self.function_words = function_words
        self.neighbour_vote = neighbour_vote
        self.neighbours = neighbours
        self.rare_discount = rare_discount
        self.pooled = pooled
        self.name_shares = name_shares
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
        units: Sequence[str] = (),
        unit_labels: Sequence[Collection[str]] = (),
        unit_contexts: Sequence[str] | None = None,
    ) -> Self:
        """:meth:`CombinedSuggester.fit` on the coded spans, and with ``units`` (texts,
        ``unit_labels`` the codes coded in each, ``unit_contexts`` what each answers) a
        second blend on them, ``units_`` (one with the same parameters and features, and no
        units of its own)."""
        super().fit(codes, examples, labels, rejected=rejected, corpus=corpus, contexts=contexts)
        self.units_: CombinedSuggesterV3 | None = None
        if units:
            same = self._units_params()
            self.units_ = type(self)(**same).fit(codes, units, unit_labels, contexts=unit_contexts)
        return self

    def _units_params(self) -> dict[str, Any]:
        """The parameters of the units' blend: this one's, with its fitted features."""
        return {**self.get_params(deep=False), "vectorizer": self.codebook_.vectorizer_}

    def _codebook_part(self, vectorizer: Any) -> CodebookSuggester:
        """``qualcode.codebook.v2``, or ``.v1`` without ``name_shares``."""
        book = CodebookSuggesterV2 if self.name_shares else CodebookSuggester
        return book(
            self.language, self.nlp_model, vectorizer=vectorizer, random_state=self.random_state
        )

    def score(
        self,
        lemma_texts: Sequence[str],
        lemmas: Sequence[Sequence[str]],
        contexts: Sequence[str] | None = None,
        parts: Sequence[Parts] | None = None,
    ) -> Scores:
        """The mean of each blend's score of the passages whole and by their best sentence
        (see the class); the codebook and learned parts, the keywords matched and the
        features are those of the spans' blend of the passages whole, for the evidence."""
        import numpy as np

        whole = self.whole(lemma_texts, lemmas, contexts)
        blends = [whole.blended]
        if self.units_ is not None:
            blends.append(self.units_.whole(lemma_texts, lemmas, contexts).blended)
        if self.pooled and parts is not None:
            blends.extend(self._best_sentences(contexts, parts, blends))
        mean = np.mean(blends, axis=0).astype(np.float32)
        return replace(whole, blended=mean)

    def whole(
        self,
        lemma_texts: Sequence[str],
        lemmas: Sequence[Sequence[str]],
        contexts: Sequence[str] | None = None,
    ) -> Scores:
        """This blend's scores of the passages as a whole: ``.v2``'s, with the
        ``rare_discount``."""
        found = super().score(lemma_texts, lemmas, contexts)
        if self.learned_ is None or self.rare_discount <= 0.0:
            return found
        discount = self.discount()
        prior_part, learned_part = found.codebook * discount, found.learned * discount
        return Scores(
            prior_part + learned_part, prior_part, learned_part, found.matched, found.features
        )

    def discount(self) -> Any:
        """Per code, what its score is multiplied by (see ``rare_discount``), ``(k,)``."""
        import numpy as np

        assert self.learned_ is not None
        n = self.learned_.counts_.astype(np.float32)
        named_only = np.array([not c.described for c in self.codes_], dtype=bool)
        rare = named_only & (n < self.min_examples)
        return np.where(rare, (n + 1.0) / (n + 1.0 + self.rare_discount), 1.0).astype(np.float32)

    def _sentences(self, analysed: Sequence[Analysis], texts: Sequence[str]) -> list[Parts] | None:
        """Each text's sentences, if ``pooled``."""
        from qualcode.segments import split_sentences

        if not self.pooled:
            return None
        return [Parts.of(a, split_sentences(t)) for a, t in zip(analysed, texts, strict=True)]

    def _best_sentences(
        self,
        contexts: Sequence[str] | None,
        parts: Sequence[Parts],
        whole: Sequence[Any],
    ) -> list[Any]:
        """Per blend, each code's highest score over each passage's sentences (a passage
        without two sentences long enough takes its score as a whole)."""
        import numpy as np

        texts: list[str] = []
        seqs: list[Sequence[str]] = []
        asked: list[str] = []
        owner: list[int] = []
        for i, part in enumerate(parts):
            kept = [
                j
                for j, seq in enumerate(part.lemmas)
                if sum(w.isalpha() for w in seq) >= self.MIN_SENTENCE_WORDS
            ]
            if len(kept) < 2:
                continue
            texts.extend(part.lemma_texts[j] for j in kept)
            seqs.extend(part.lemmas[j] for j in kept)
            asked.extend([contexts[i]] * len(kept) if contexts is not None else [])
            owner.extend([i] * len(kept))
        models = [self] if self.units_ is None else [self, self.units_]
        out = []
        for model, scores in zip(models, whole, strict=True):
            best = np.array(scores, copy=True)
            if texts:
                found = model.whole(texts, seqs, asked if contexts is not None else None).blended
                rows = np.asarray(owner)
                starts = np.flatnonzero(np.r_[True, rows[1:] != rows[:-1]])
                best[rows[starts]] = np.maximum.reduceat(found, starts, axis=0)
            out.append(best)
        return out


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
