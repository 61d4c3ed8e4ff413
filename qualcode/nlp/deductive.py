"""The deductive suggester that reads the whole codebook, ``qualcode.codebook.v3``.

``.v1`` and ``.v2`` score a passage by keyword and name matches (one match about 0.5) plus a
TF-IDF similarity to the code's description. On a codebook of one-line definitions hardly a
passage names a code, so their scores stay low and mean different things from one codebook
to the next: a fixed threshold (the review queue's, or 0.5) keeps almost nothing. ``.v3``
weighs every part of a code's entry, and then calibrates:

* **Evidence.** Each code's entry becomes weighted lemmas: its name and keywords fully, its
  inclusion text and definition (split into phrases) 0.6, its examples 0.3. A passage's
  evidence for a code is the weight of the code's lemmas it holds, each counted by how
  specific it is to some passages of the project (a word in most passages says little) and to
  this code among the codebook's (a word of every definition says nothing about which code
  it is); a whole multi-word name or keyword adds 0.5, and the TF-IDF similarity (word and
  character n-grams, so "lyrical" is near "lyrics") to the whole entry up to 1.5 more. One
  full match of a name is about 1.
* **Exclusion lowers.** Each lemma of the exclusion text that the code's own entry does not
  use takes its weight away, and a passage reading more like the exclusion than like the
  entry loses up to 1 more.
* **Calibration.** Two things that mean the same in any codebook make a code's odds for a
  passage: how far its evidence stands above the code's usual evidence over the project's
  passages (in standard deviations; ``corpus`` in :meth:`fit`), and the evidence itself, in
  matches. Two standard deviations above the usual with one full match are even odds; each
  further deviation or match multiplies them by e. The codes then compete for the passage:
  the score is ``odds / (1 + odds + competition * rivals)``, the rivals being the other
  codes' odds, each counted up to the code's own. A passage plainly about one code scores
  high for it; one with about as much evidence for several scores lower for each (it reads
  like several codes at once, or like none of them plainly); a strong second code is not
  drowned by a stronger first; a passage with no evidence scores 0. Measured on three data sets with
  ``python -m qualcode.nlp.evaluate ... --deductive`` (see the README): the review queue's
  threshold falls at 0.54-0.61 and gives 26-39% of the passages a code, where ``.v2``'s
  gives none a code on two of them; without the competition it gives more, but fewer are
  right (44% against 63% on the example study).

The interface is ``.v2``'s (``fit(codes, corpus)``, ``score(lemma_texts, lemmas, X)``,
``vectorizer_``, ``labels_``), so a blend can take it as its codebook part. Without a corpus
each code's usual evidence is taken as 0 with a spread of 1, so the evidence alone decides.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from typing import Any, Self

from qualcode.nlp.codebook import CodeDescription, description_texts
from qualcode.nlp.features import find_phrases, fit_texts, name_phrases, word_specificity
from qualcode.nlp.params import Estimator
from qualcode.nlp.pipeline import analyse, pipeline

NAME = "qualcode.codebook.v3"

# What one lemma of each part of a code's entry weighs.
PART_WEIGHTS = {"name": 1.0, "keyword": 1.0, "inclusion": 0.6, "definition": 0.6, "example": 0.3}
# A definition's phrases: split at punctuation and at the words that join a list.
_PHRASE_SPLIT = re.compile(r"\s*(?:[.,;:()/]|\bor\b|\band\b|\bsuch as\b|\be\.g\.)\s*", re.I)
MIN_SPREAD = 0.25  # a code's evidence spread is at least this (a code nothing matches)
# Without a corpus a code's usual evidence is taken as 0 with this spread (about the largest
# measured on the shared data sets' codes, 0.25-0.53), and a corpus this size weighs as much.
PRIOR_SPREAD = 0.5
PRIOR_PASSAGES = 20
MAX_STANDING = 3.0  # standard deviations beyond relative_offset that still add


class CodebookSuggesterV3(Estimator):
    """Scores passages against each code's whole codebook entry, calibrated over the project.

    A scikit-learn estimator: ``__init__`` stores each parameter as it is.

    Args:
        language: language of the texts (a spaCy language code).
        nlp_model: an installed spaCy pipeline to use instead of the blank one.
        similarity_weight: evidence given by a TF-IDF similarity of ``similarity_scale``.
        similarity_scale: cosine similarity that counts as a full match of the entry.
        exclusion_weight: evidence one exclusion lemma takes away, relative to its weight.
        phrase_bonus: extra evidence for a whole multi-word name or keyword.
        relative_offset: standard deviations above the code's usual evidence at which
            (with ``evidence_offset`` matches) a passage scores 0.5.
        evidence_offset: matches at which (with ``relative_offset``) a passage scores 0.5.
        competition: how much the passage's odds for the other codes count against a code:
            0 scores each code alone, 1 makes the codes (and "none of them") alternatives.
        vectorizer: a fitted vectorizer to use as it is (shared with other suggesters);
            else one is fitted on the codes' texts and ``corpus``.
        random_state: unused (nothing is random); kept so all suggesters take the same params.
    """

    name = NAME

    def __init__(
        self,
        language: str = "en",
        nlp_model: str | None = None,
        similarity_weight: float = 1.0,
        similarity_scale: float = 0.35,
        exclusion_weight: float = 1.0,
        phrase_bonus: float = 0.5,
        relative_offset: float = 2.0,
        evidence_offset: float = 1.0,
        competition: float = 0.5,
        vectorizer: Any = None,
        random_state: int = 0,
    ):
        self.language = language
        self.nlp_model = nlp_model
        self.similarity_weight = similarity_weight
        self.similarity_scale = similarity_scale
        self.exclusion_weight = exclusion_weight
        self.phrase_bonus = phrase_bonus
        self.relative_offset = relative_offset
        self.evidence_offset = evidence_offset
        self.competition = competition
        self.vectorizer = vectorizer
        self.random_state = random_state

    def fit(self, codes: Sequence[CodeDescription], corpus: Sequence[str] = ()) -> Self:
        """Learn each code's weighted lemmas, phrases and entry vectors and, from ``corpus``
        (lemma texts of the project's passages), how its evidence spreads over them."""
        import numpy as np

        self.labels_ = [c.label for c in codes]
        described, excluded = description_texts(codes, self.language, self.nlp_model)
        if self.vectorizer is not None:
            self.vectorizer_ = self.vectorizer
        else:
            self.vectorizer_ = fit_texts([*described, *excluded, *corpus])
        self.description_ = self.vectorizer_.transform(described)
        self.exclusion_ = self.vectorizer_.transform(excluded)
        bags, against, phrases = self._entries(codes)
        self._weigh(bags, against)
        self.phrases_: dict[str, list[tuple[str, ...]]] = {}
        self.phrase_codes_: dict[tuple[str, ...], set[int]] = {}
        for j, found in enumerate(phrases):
            for phrase in found:
                self.phrase_codes_.setdefault(phrase, set()).add(j)
                if phrase not in self.phrases_.get(phrase[0], []):
                    self.phrases_.setdefault(phrase[0], []).append(phrase)
        self.centre_ = np.zeros(len(codes), dtype=np.float32)
        self.spread_ = np.full(len(codes), PRIOR_SPREAD, dtype=np.float32)
        if corpus:
            # A small corpus says little about a code's spread: its mean and variance are
            # shrunk towards the prior's, as if PRIOR_PASSAGES passages had shown them.
            raw, _ = self.evidence(corpus, [t.split() for t in corpus])
            share = len(corpus) / (len(corpus) + PRIOR_PASSAGES)
            variance = share * raw.var(axis=0) + (1.0 - share) * PRIOR_SPREAD**2
            self.centre_ = (share * raw.mean(axis=0)).astype(np.float32)
            self.spread_ = np.maximum(np.sqrt(variance), MIN_SPREAD).astype(np.float32)
        return self

    def _entries(
        self, codes: Sequence[CodeDescription]
    ) -> tuple[list[dict[str, float]], list[set[str]], list[list[tuple[str, ...]]]]:
        """Per code: its content lemmas, each with the weight of the heaviest part holding
        it; the lemmas of its exclusion text that its entry does not use; and its
        multi-word names and keywords as lemma tuples."""
        parts: list[tuple[int, str, str]] = []
        for j, c in enumerate(codes):
            parts.extend((j, "name", p) for p in name_phrases(c.name))
            parts.extend((j, "keyword", k) for k in c.keywords if k)
            parts.extend((j, "definition", p) for p in split_phrases(c.definition))
            parts.extend((j, "inclusion", p) for p in split_phrases(c.inclusion))
            parts.extend((j, "example", e) for e in c.examples if e)
            parts.extend((j, "exclusion", p) for p in split_phrases(c.exclusion))
        analysed = analyse([p for _, _, p in parts], self.language, self.nlp_model)
        # A passage is matched on all its lemmas, so a lemma that is a stop word elsewhere
        # ("have" of "not having") would match nearly every passage.
        stops = pipeline(self.language, self.nlp_model).Defaults.stop_words
        bags: list[dict[str, float]] = [{} for _ in codes]
        against: list[set[str]] = [set() for _ in codes]
        phrases: list[list[tuple[str, ...]]] = [[] for _ in codes]
        for (j, kind, _), a in zip(parts, analysed, strict=True):
            content = [
                lem
                for lem, word in zip(a.lemmas, a.content, strict=True)
                if word and lem not in stops
            ]
            if kind == "exclusion":
                against[j].update(content)
                continue
            for lem in content:
                bags[j][lem] = max(bags[j].get(lem, 0.0), PART_WEIGHTS[kind])
            if kind in ("name", "keyword") and len(content) > 1:
                phrases[j].append(tuple(lem for lem in a.lemmas if any(ch.isalnum() for ch in lem)))
        return bags, [a - set(b) for a, b in zip(against, bags, strict=True)], phrases

    def _weigh(self, bags: list[dict[str, float]], against: list[set[str]]) -> None:
        """``terms_`` (a lemma's index) and ``weights_`` ``(n_terms, n_codes)``: each code's
        lemmas, weighed by their part, their specificity to some of the project's passages
        and to the code among the codebook's; exclusion lemmas weigh against (negative)."""
        import numpy as np

        k = len(bags)
        holders: dict[str, int] = {}
        for bag in bags:
            for lem in bag:
                holders[lem] = holders.get(lem, 0) + 1
        vocabulary = sorted(set().union(*bags, *against)) if bags else []
        self.terms_ = {lem: i for i, lem in enumerate(vocabulary)}
        self.weights_ = np.zeros((len(vocabulary), k), dtype=np.float32)
        for j, bag in enumerate(bags):
            for lem, w in bag.items():
                distinct = 1.0
                if holders[lem] > 1 and k > 2:
                    distinct = max(0.0, 1.0 - math.log(holders[lem]) / math.log(k + 1))
                specific = word_specificity(self.vectorizer_, [lem])
                self.weights_[self.terms_[lem], j] = w * distinct * specific
            for lem in against[j]:
                specific = word_specificity(self.vectorizer_, [lem])
                self.weights_[self.terms_[lem], j] = -self.exclusion_weight * specific

    def evidence(
        self, lemma_texts: Sequence[str], lemmas: Sequence[Sequence[str]], X: Any = None
    ) -> tuple[Any, list[dict[int, list[str]]]]:
        """Evidence ``(n_passages, n_codes)``, before calibration (see the module), and per
        passage the matched terms of each code that matched any."""
        import numpy as np
        from scipy.sparse import csr_matrix

        n, k = len(lemma_texts), len(self.labels_)
        held = [sorted({self.terms_[lem] for lem in seq if lem in self.terms_}) for seq in lemmas]
        rows = [i for i, terms in enumerate(held) for _ in terms]
        present = csr_matrix(
            (np.ones(len(rows), dtype=np.float32), (rows, [t for ts in held for t in ts])),
            shape=(n, len(self.terms_)),
        )
        raw = np.asarray(present @ self.weights_, dtype=np.float32).reshape(n, k)
        vocabulary = list(self.terms_)
        codes_of = [[int(j) for j in np.flatnonzero(w > 0)] for w in self.weights_]
        matched: list[dict[int, list[str]]] = []
        for i, seq in enumerate(lemmas):
            found: dict[int, list[str]] = {}
            for t in held[i]:
                for code in codes_of[t]:
                    found.setdefault(code, []).append(vocabulary[t])
            for phrase in set(find_phrases(seq, self.phrases_)):
                for code in self.phrase_codes_[phrase]:
                    raw[i, code] += self.phrase_bonus
                    found.setdefault(code, []).append(" ".join(phrase))
            matched.append(found)
        if n and k:
            if X is None:
                X = self.vectorizer_.transform(lemma_texts)
            sim = np.asarray((X @ self.description_.T).todense())
            excl = np.asarray((X @ self.exclusion_.T).todense())
            scale = self.similarity_scale
            raw += self.similarity_weight * np.clip(sim / scale, 0.0, 1.5)
            raw -= self.similarity_weight * np.clip((excl - sim) / scale, 0.0, 1.0)
        return raw, matched

    def score(
        self, lemma_texts: Sequence[str], lemmas: Sequence[Sequence[str]], X: Any = None
    ) -> tuple[Any, list[dict[int, list[str]]]]:
        """Scores ``(n_passages, n_codes)`` in [0, 1], calibrated (see the module), and per
        passage the matched terms of each code that matched any.

        Args:
            lemma_texts: content lemmas of each passage, joined by spaces.
            lemmas: every lemma of each passage in order (phrases are matched on these).
            X: the passages already transformed by this suggester's ``vectorizer_``.
        """
        import numpy as np

        raw, matched = self.evidence(lemma_texts, lemmas, X)
        standing = np.minimum(
            (raw - self.centre_) / self.spread_ - self.relative_offset, MAX_STANDING
        )
        strength = np.minimum(raw, 3.0) - self.evidence_offset
        odds = np.where(raw > 0.0, np.exp(standing + strength), 0.0)
        scores = odds / (1.0 + odds + self.competition * _rivals(odds))
        return scores.astype(np.float32), matched


def _rivals(odds: Any) -> Any:
    """Per passage and code, the other codes' odds, each counted up to the code's own: a
    rival as strong or stronger counts as much as the code, a weaker one by its own odds.
    ``(n, k)``; the sum over the others of ``min(odds[j'], odds[j])``, from the sorted row."""
    import numpy as np

    n, k = odds.shape
    order = np.argsort(odds, axis=1, kind="stable")
    below = np.cumsum(np.take_along_axis(odds, order, axis=1), axis=1)
    rank = np.empty_like(order)
    np.put_along_axis(rank, order, np.arange(k)[None, :].repeat(n, axis=0), axis=1)
    smaller = np.take_along_axis(below, rank, axis=1) - odds  # the codes sorted before it
    return smaller + odds * (k - 1 - rank)


def split_phrases(text: str) -> list[str]:
    """The phrases of a definition, inclusion or exclusion text: split at punctuation and
    at the words that join a list ("or", "and", "such as")."""
    return [p for p in _PHRASE_SPLIT.split(text or "") if p and p.strip()]
