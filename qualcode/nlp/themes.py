"""Emergent themes (inductive), ``qualcode.themes.v1``: what uncoded text talks about.

Sentences (as lemma texts) are weighted by TF-IDF over words and factorised with NMF into
``n_themes`` parts. A theme's terms are its heaviest words, re-weighted by *keyness*: how
much more often the word occurs in the project than in general language (the word
probabilities spacy-lookups-data ships), so "mentor" outranks "think". Its label is its
two or three key terms; its quotes are the sentences that load most on it.
"""

from __future__ import annotations

import functools
import math
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

NAME = "qualcode.themes.v1"

# Words of talk rather than topic, frequent in transcripts but rare in the written language the
# general frequencies come from (so keyness alone would favour them). Lemmas, lower-cased.
FILLERS: dict[str, frozenset[str]] = {
    "en": frozenset(
        "um umm uh uhm erm er hmm mhm mm ah oh yeah yes yep no okay ok right well like "
        "maybe think know mean guess sort kind actually really just thing stuff laugh "
        "laughs laughter pause inaudible crosstalk speaker interviewer".split()
    ),
    "de": frozenset(
        "äh ähm hm hmm mhm ja nein okay ok also halt mal genau eben irgendwie quasi "
        "sozusagen eigentlich vielleicht glauben denken meinen wissen lachen lacht "
        "pause unverständlich sprecher interviewer".split()
    ),
}


@dataclass(frozen=True, slots=True)
class FoundTheme:
    """A theme over the fitted sentences: ``members`` and ``quotes`` are their indices."""

    label: str
    terms: tuple[str, ...]
    quotes: tuple[int, ...]
    members: tuple[int, ...]
    weight: float  # share of the sentences' total loading, 0..1


class ThemeFinder:
    """Finds themes in sentences.

    Args:
        n_themes: how many themes to look for.
        n_terms: top terms kept per theme.
        n_quotes: representative sentences kept per theme (3-5 reads well).
        language: for the general-language word frequencies of keyness.
        random_state: seed of NMF's initialisation.
    """

    name = NAME

    def __init__(
        self,
        n_themes: int = 8,
        n_terms: int = 8,
        n_quotes: int = 4,
        language: str = "en",
        random_state: int = 0,
    ):
        self.n_themes = n_themes
        self.n_terms = n_terms
        self.n_quotes = n_quotes
        self.language = language
        self.random_state = random_state

    def fit(self, lemma_texts: Sequence[str]) -> ThemeFinder:
        """Factorise the sentences; ``themes_`` is then the themes, largest first."""
        import numpy as np

        # scikit-learn is imported here so that importing qualcode stays fast.
        from sklearn.decomposition import NMF
        from sklearn.exceptions import ConvergenceWarning
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.preprocessing import normalize

        self.themes_: list[FoundTheme] = []
        texts = list(lemma_texts)
        if len(texts) < 2:
            return self
        min_df = 2 if len(texts) >= 20 else 1
        self.vectorizer_ = TfidfVectorizer(
            sublinear_tf=True,
            min_df=min_df,
            max_df=0.5,
            token_pattern=r"(?u)\b\w[\w'-]+\b",
            stop_words=sorted(FILLERS.get(self.language.split("-")[0], frozenset())) or None,
        )
        try:
            X = self.vectorizer_.fit_transform(texts)
        except ValueError:  # no word left after the document-frequency limits
            return self
        vocab = self.vectorizer_.get_feature_names_out()
        freq = np.asarray(X.astype(bool).sum(axis=0)).ravel() / X.shape[0]
        key = np.array(
            [_keyness(str(w), float(f), self.language) for w, f in zip(vocab, freq, strict=True)]
        )
        # Key words weigh more before factorising, so themes form around what is particular
        # to this text ("mentor", "exam") rather than around talk ("think", "know", "um").
        X = normalize(X.multiply(key).tocsr())
        k = max(1, min(self.n_themes, X.shape[0] - 1, X.shape[1]))
        self.nmf_ = NMF(
            n_components=k, init="nndsvda", random_state=self.random_state, max_iter=400
        )
        with warnings.catch_warnings():
            # Themes need a good factorisation, not a converged one: no warning to the user.
            warnings.simplefilter("ignore", ConvergenceWarning)
            W = self.nmf_.fit_transform(X)
        H = self.nmf_.components_
        owner = W.argmax(axis=1)
        total = float(W.sum()) or 1.0
        for t in range(k):
            members = np.flatnonzero((owner == t) & (W[:, t] > 0))
            if members.size == 0:
                continue
            ranked = np.argsort(-H[t])[: self.n_terms]
            terms = tuple(str(vocab[i]) for i in ranked if H[t, i] > 0)
            if not terms:
                continue
            best = members[np.argsort(-W[members, t])][: self.n_quotes]
            self.themes_.append(
                FoundTheme(
                    label=" / ".join(terms[:2]),
                    terms=terms,
                    quotes=tuple(int(i) for i in best),
                    members=tuple(int(i) for i in members),
                    weight=round(float(W[:, t].sum()) / total, 4),
                )
            )
        self.themes_.sort(key=lambda th: -th.weight)
        return self


def _keyness(word: str, share: float, language: str) -> float:
    """How much more frequent a word is here than in general language (squared log ratio:
    words of the topic, not of talk)."""
    probs = _general_probs(language)
    if probs is None:
        return 1.0
    general = probs.get(word)
    logp = float(general) if general is not None else -20.0
    return 0.05 + max(0.0, math.log(max(share, 1e-9)) - logp) ** 2


@functools.cache
def _general_probs(language: str) -> Any:
    """The language's word log-probabilities from spacy-lookups-data (None if it has none),
    as a plain dict kept on disk (:func:`qualcode.nlp.kept.word_table`): spaCy's lookup
    table took 3.5 s of CPU to build, for the few thousand words a list of themes asks."""
    from qualcode.nlp import kept

    def load() -> dict[str, Any]:
        from spacy.util import load_language_data, registry

        if language not in registry.lookups:
            raise KeyError(language)
        data = registry.lookups.get(language)
        return dict(load_language_data(data["lexeme_prob"]))

    try:
        return kept.word_table(f"lexeme_prob-{language}", load)
    except (ValueError, KeyError, OSError, ImportError):
        return None
