"""The codebook (deductive) suggester, ``qualcode.codebook.v1``: useful before anything is coded.

Two signals per code, from what the codebook says about it:

* **keywords**: the code's keywords and the phrases of its name, matched on lower-cased
  lemmas (so "never heard" matches "had never heard"); each distinct match adds evidence,
  less for a word found in most of the project's passages;
* **similarity**: cosine of the passage to the code's name, definition, inclusion text and
  examples (TF-IDF over lemmas, word and character n-grams); similarity to the exclusion
  text, beyond its similarity to the description, counts against the code.

Scores are in [0, 1]: one keyword match alone gives about 0.5, two about 0.7; a passage
that reads like the definition and examples adds up to 0.5 more.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from qualcode.nlp.features import find_phrases, fit_texts, name_phrases, word_specificity
from qualcode.nlp.pipeline import analyse

if TYPE_CHECKING:
    from qualcode.model import Code

NAME = "qualcode.codebook.v1"
NAME_V2 = "qualcode.codebook.v2"


@dataclass(frozen=True, slots=True)
class CodeDescription:
    """What the codebook says about a code, as plain text: the suggesters' view of a Code.

    A type of its own because it holds other data than :class:`~qualcode.model.Code`: the
    label a suggestion names the code by (its path) in place of the store's id and parent,
    and none of colour, hotkey or guid. An evaluation also describes codes that are in no
    codebook, by their label alone.
    """

    label: str
    name: str
    definition: str = ""
    inclusion: str = ""
    exclusion: str = ""
    keywords: tuple[str, ...] = ()
    examples: tuple[str, ...] = ()

    @classmethod
    def of(cls, code: Code, label: str) -> CodeDescription:
        """The description of a codebook's code, suggested as ``label`` (its path)."""
        return cls(
            label,
            code.name,
            code.definition,
            code.inclusion,
            code.exclusion,
            code.keywords,
            code.examples,
        )

    @property
    def described(self) -> bool:
        """True if the codebook says more about the code than its name."""
        return bool(self.definition or self.inclusion or self.keywords or self.examples)


class CodebookSuggester:
    """Scores passages against each code's description.

    Args:
        language: language of the texts (a spaCy language code).
        nlp_model: an installed spaCy pipeline to use instead of the blank one.
        similarity_scale: cosine similarity that counts as a full match of the description.
        exclusion_weight: how much a passage like the exclusion text lowers the score.
        vectorizer: a fitted vectorizer to use as it is (shared with other suggesters and
            kept while the texts do not change); else one is fitted on the texts given.
        random_state: unused (nothing is random); kept so all suggesters take the same params.
    """

    name = NAME
    name_shares = False  # each phrase of a name counts fully (a parameter of ``.v2``)

    def __init__(
        self,
        language: str = "en",
        nlp_model: str | None = None,
        similarity_scale: float = 0.35,
        exclusion_weight: float = 0.5,
        vectorizer: Any = None,
        random_state: int = 0,
    ):
        self.language = language
        self.nlp_model = nlp_model
        self.similarity_scale = similarity_scale
        self.exclusion_weight = exclusion_weight
        self.vectorizer = vectorizer
        self.random_state = random_state

    def fit(
        self, codes: Sequence[CodeDescription], corpus: Sequence[str] = ()
    ) -> CodebookSuggester:
        """Learn the codes' phrases and description vectors; ``corpus`` (lemma texts of the
        project's passages) makes the word weights those of the project's language."""
        self.labels_ = [c.label for c in codes]
        phrases: dict[str, list[tuple[str, ...]]] = {}
        # Per phrase, the codes it is evidence for and how much: a keyword fully, a phrase of
        # a name made of several (``"combination of music, visuals"``) by its share of them.
        self.phrase_codes_: dict[tuple[str, ...], dict[int, float]] = {}
        raw: list[tuple[int, str, float]] = []
        for i, c in enumerate(codes):
            parts = name_phrases(c.name)
            raw.extend((i, p, 1.0) for p in c.keywords if p)
            share = 1.0 / len(parts) if self.name_shares and parts else 1.0
            raw.extend((i, p, share) for p in parts if p)
        for (i, _, share), a in zip(
            raw, analyse([p for _, p, _ in raw], self.language, self.nlp_model), strict=True
        ):
            lemmas = tuple(lem for lem in a.lemmas if any(ch.isalnum() for ch in lem))
            if not lemmas:
                continue
            weights = self.phrase_codes_.setdefault(lemmas, {})
            weights[i] = max(weights.get(i, 0.0), share)
            if lemmas not in phrases.get(lemmas[0], []):
                phrases.setdefault(lemmas[0], []).append(lemmas)
        self.phrases_ = phrases
        described, excluded = description_texts(codes, self.language, self.nlp_model)
        if self.vectorizer is not None:
            self.vectorizer_ = self.vectorizer
        else:
            self.vectorizer_ = fit_texts([*described, *excluded, *corpus])
        self.weights_ = {
            " ".join(p): word_specificity(self.vectorizer_, p) for p in self.phrase_codes_
        }
        self.description_ = self.vectorizer_.transform(described)
        self.exclusion_ = self.vectorizer_.transform(excluded)
        return self

    def score(
        self, lemma_texts: Sequence[str], lemmas: Sequence[Sequence[str]], X: Any = None
    ) -> tuple[Any, list[dict[int, list[str]]]]:
        """Scores ``(n_passages, n_codes)`` in [0, 1], and per passage the matched terms of
        each code that matched any.

        Args:
            lemma_texts: content lemmas of each passage, joined by spaces.
            lemmas: every lemma of each passage in order (phrases are matched on these).
            X: the passages already transformed by this suggester's ``vectorizer_``.
        """
        import numpy as np

        n, k = len(lemma_texts), len(self.labels_)
        hits = np.zeros((n, k), dtype=np.float32)
        matched: list[dict[int, list[str]]] = []
        for row, seq in enumerate(lemmas):
            found: dict[int, list[str]] = {}
            for phrase in set(find_phrases(seq, self.phrases_)):
                for code, share in self.phrase_codes_[phrase].items():
                    found.setdefault(code, []).append(" ".join(phrase))
                    hits[row, code] += share * self.weights_[" ".join(phrase)]
            matched.append(found)
        # One full match 0.5, two 0.7, three 0.82 ...; weaker matches (common words) less.
        keyword = np.where(hits >= 1, 1.0 - 0.5 * 0.6 ** (hits - 1), 0.5 * hits)
        if k == 0 or n == 0:
            return np.zeros((n, k), dtype=np.float32), matched
        if X is None:
            X = self.vectorizer_.transform(lemma_texts)
        sim = np.asarray((X @ self.description_.T).todense())
        excl = np.asarray((X @ self.exclusion_.T).todense())
        similar = 0.5 * np.clip(sim / self.similarity_scale, 0.0, 1.0)
        # The exclusion counts against a code insofar as the passage reads more like the
        # exclusion than like the code: a word both texts share is no reason to exclude.
        against = self.exclusion_weight * np.clip((excl - sim) / self.similarity_scale, 0.0, 1.0)
        scores = (1.0 - (1.0 - keyword) * (1.0 - similar)) * (1.0 - against)
        return np.clip(scores, 0.0, 1.0).astype(np.float32), matched


class CodebookSuggesterV2(CodebookSuggester):
    """``qualcode.codebook.v2``: :class:`CodebookSuggester` with ``name_shares`` on.

    Where codes are named by what they say (``"combination of writing, music, visuals"``,
    as in-vivo and free-text codes are), a passage that mentions music matched every name
    with "music" in it as fully as the code called "music". Counting a name's phrase by its
    share of the name measured p@1 +0.04 on the games-as-art data (see the README); names
    of one phrase, and keywords, count as before. ``.v1`` is left as it was.

    Args:
        name_shares: a phrase of a name made of several (``"combination of music,
            visuals"``) counts by its share of them, so a passage that names one of them
            is more evidence for the code called ``"music"``; False counts each fully
            (as ``.v1``).
        params: the parameters of :class:`CodebookSuggester`.
    """

    name = NAME_V2

    def __init__(
        self,
        language: str = "en",
        nlp_model: str | None = None,
        *,
        name_shares: bool = True,
        **params: Any,
    ) -> None:
        super().__init__(language, nlp_model, **params)
        self.name_shares = name_shares


def description_texts(
    codes: Sequence[CodeDescription], language: str = "en", nlp_model: str | None = None
) -> tuple[list[str], list[str]]:
    """Lemma texts of each code's description (name, definition, inclusion, examples,
    keywords) and of its exclusion text."""
    descriptions = [
        " ".join([c.name, c.definition, c.inclusion, *c.examples, *c.keywords]) for c in codes
    ]
    analysed = analyse([*descriptions, *(c.exclusion for c in codes)], language, nlp_model)
    texts = [a.lemma_text() for a in analysed]
    return texts[: len(codes)], texts[len(codes) :]
