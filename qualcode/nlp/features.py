"""Text features shared by the suggesters: TF-IDF over lemmas, word and character n-grams.

Inputs are *lemma texts* (content lemmas joined by spaces, from :mod:`qualcode.nlp.pipeline`),
so "mentors" and "mentor", "Häuser" and "Haus" are one feature. Character n-grams within
words catch compounds and spelling variants (German, transcription slips) that words miss.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Any

_NAME_SPLIT = re.compile(r"\s*(?:[/,;&+()|]|\bor\b|\band\b|\boder\b|\bund\b|-\s)\s*", re.I)


def make_vectorizer(*, char: bool = True, min_df: int = 1) -> Any:
    """A TF-IDF vectorizer: words (1-2 grams) plus, with ``char``, character 3-5 grams in
    words; rows are L2-normalised so a dot product is a cosine similarity."""
    # scikit-learn is imported here, not at module level, so `qualcode --help` stays fast.
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.pipeline import FeatureUnion, make_pipeline
    from sklearn.preprocessing import Normalizer

    words = TfidfVectorizer(
        ngram_range=(1, 2),
        sublinear_tf=True,
        min_df=min_df,
        token_pattern=r"(?u)\b\w[\w'-]+\b",
        dtype=_float32(),
    )
    if not char:
        return words
    chars = TfidfVectorizer(
        analyzer="char_wb",
        ngram_range=(3, 5),
        sublinear_tf=True,
        min_df=min_df,
        max_features=60000,
        dtype=_float32(),
    )
    return make_pipeline(
        FeatureUnion([("words", words), ("chars", chars)], transformer_weights=None),
        Normalizer(copy=False),
    )


def fit_texts(texts: Sequence[str]) -> Any:
    """A :func:`make_vectorizer` fitted on ``texts``, remembering how many there were
    (``n_documents_``): word weights from a handful of texts say little about a word."""
    vectorizer = make_vectorizer().fit(list(texts) or [""])
    vectorizer.n_documents_ = len(texts)
    return vectorizer


def word_specificity(vectorizer: Any, lemmas: Sequence[str], *, min_documents: int = 50) -> float:
    """How specific a keyword is to some passages, 0..1, from the word weights (IDF) the
    vectorizer learned on the project's passages: a word in nearly every passage (such as
    "mentor" in a mentoring study) is weak evidence, one in 5% of them or fewer is full
    evidence. 1 when the vectorizer saw fewer than ``min_documents`` texts or not the word."""
    import math

    if getattr(vectorizer, "n_documents_", 0) < min_documents:
        return 1.0
    words = vectorizer.steps[0][1].transformer_list[0][1]
    idf = [words.idf_[words.vocabulary_[w]] for w in lemmas if w in words.vocabulary_]
    if not idf:
        return 1.0
    return min(1.0, max(0.0, (max(idf) - 1.0) / math.log(20.0)))


def _float32() -> Any:
    import numpy as np

    return np.float32


def name_phrases(name: str) -> list[str]:
    """The phrases a code's name is made of: ``"Time or Stage in Life"`` gives
    ``["Time", "Stage in Life"]``; a name is a keyword of its own code."""
    return [p.strip() for p in _NAME_SPLIT.split(name) if p and len(p.strip()) > 1]


def find_phrases(
    lemmas: Sequence[str], phrases: dict[str, list[tuple[str, ...]]]
) -> Iterable[tuple[str, ...]]:
    """The phrases (lemma tuples, indexed by their first lemma) that occur in ``lemmas``.

    This is what spaCy's ``PhraseMatcher(attr="LEMMA")`` does on lower-cased lemmas, done on
    the cached lemma lists so a passage is matched without building a ``Doc`` again.
    """
    for i, lemma in enumerate(lemmas):
        for phrase in phrases.get(lemma, ()):
            if tuple(lemmas[i : i + len(phrase)]) == phrase:
                yield phrase
