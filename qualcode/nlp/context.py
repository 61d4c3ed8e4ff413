"""A passage's context read for what it is: a category, a number or text.

A survey sheet's question column most often names its questions by id ("Q5", "N3"), a
track or a group by a letter ("a", "b"); sometimes it holds the question's wording, a
number (an age, a rating) or free text (the interviewer's turn before an answer). Each is
evidence of its own kind, and each is encoded as such for the regressions of the learned
suggester:

* a **category** (ids, codes, few distinct values) is one-hot: each value its own weight
  in each code's regression, so the codes of one question are not suggested for another;
* a **number** is one feature, centred on the median and scaled by the spread;
* **text** is words (TF-IDF), as ``qualcode.combined.v3`` read every context, which kept only
  alphabetic words and so dropped ids altogether.

scikit-learn and SciPy are imported inside the functions that need them (the CLI starts
without them).
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Hashable, Sequence
from typing import Any, Literal

Kind = Literal["category", "number", "text"]
CATEGORY: Kind = "category"
NUMBER: Kind = "number"
TEXT: Kind = "text"
KINDS: tuple[Kind, ...] = (CATEGORY, NUMBER, TEXT)
# Whole numbers with at most this many distinct values are a category (question numbers,
# a 1-5 rating, a year), not a quantity.
MAX_NUMBERED_CATEGORIES = 20
# Values of several words are a category when each is given this many times on average
# (a question's wording repeated for each answer), else text.
MIN_REPEATS = 3


def context_kind(values: Sequence[str]) -> Kind:
    """What a context column holds, from its values (empty ones ignored).

    * ``"number"``: every value is a number, and they are not a few whole numbers;
    * ``"category"``: ids and codes (every value one token: "Q5", "N3", "a", "opening"),
      a few whole numbers ("1" ... "14"), or a few values repeated (a question's wording
      given with each answer);
    * ``"text"``: anything else (the interviewer's turn before each answer), and a column
      with no values.
    """
    given = [v.strip() for v in values if v and v.strip()]
    if not given:
        return TEXT
    distinct = set(given)
    numbers = [_number(v) for v in distinct]
    if all(x is not None for x in numbers):
        whole = all(x is not None and x.is_integer() for x in numbers)
        return CATEGORY if whole and len(distinct) <= MAX_NUMBERED_CATEGORIES else NUMBER
    if all(len(v.split()) == 1 for v in distinct) or len(given) >= MIN_REPEATS * len(distinct):
        return CATEGORY
    return TEXT


def category_token(value: str) -> str:
    """A category value as one token: case and spacing do not make another category."""
    return "_".join(value.casefold().split())


def _number(value: str) -> float | None:
    """The value as a finite number, a decimal comma allowed ("1,5"), else None."""
    text = value.strip().replace(",", ".") if value.count(",") == 1 else value.strip()
    try:
        x = float(text)
    except ValueError:
        return None
    return x if math.isfinite(x) else None


class OneHot:
    """Category tokens as one-hot columns; a value not seen when fitted (or none) is a row
    of zeros, so a passage of a question nobody coded is scored by its words alone."""

    def fit(self, tokens: Sequence[str]) -> OneHot:
        """Learn the categories (``vocabulary_``: token -> column)."""
        self.vocabulary_ = {t: j for j, t in enumerate(sorted({t for t in tokens if t}))}
        return self

    def transform(self, tokens: Sequence[str]) -> Any:
        """``(n, n_categories)`` sparse, one 1 per row whose category is known."""
        import numpy as np
        import scipy.sparse as sp

        rows = [(i, self.vocabulary_[t]) for i, t in enumerate(tokens) if t in self.vocabulary_]
        data = np.ones(len(rows), dtype=np.float32)
        i, j = (np.array(x, dtype=np.int64) for x in zip(*rows, strict=True)) if rows else ([], [])
        return sp.csr_matrix((data, (i, j)), shape=(len(tokens), len(self.vocabulary_)))


class Scaled:
    """A number as one column: ``(x - median) / spread``, clipped to [-1, 1] (the spread is
    three times the mean absolute deviation from the median, so outliers do not dominate);
    a value that is not a number is 0, the median."""

    def fit(self, values: Sequence[str]) -> Scaled:
        """Learn the median and spread of the values that are numbers."""
        import numpy as np

        found = np.array([x for x in map(_number, values) if x is not None], dtype=np.float64)
        self.median_ = float(np.median(found)) if found.size else 0.0
        spread = 3.0 * float(np.abs(found - self.median_).mean()) if found.size else 0.0
        self.spread_ = spread or 1.0
        return self

    def transform(self, values: Sequence[str]) -> Any:
        """``(n, 1)`` sparse."""
        import numpy as np
        import scipy.sparse as sp

        x = np.array(
            [self.median_ if (v := _number(s)) is None else v for s in values], dtype=np.float64
        )
        col = np.clip((x - self.median_) / self.spread_, -1.0, 1.0).astype(np.float32)
        return sp.csr_matrix(col.reshape(-1, 1))


def encoder(kind: Kind) -> Any:
    """An unfitted encoder of a context of this kind (``fit(values)``, ``transform(values)``):
    words by TF-IDF for text, as ``qualcode.learned.v3`` reads them."""
    if kind == CATEGORY:
        return OneHot()
    if kind == NUMBER:
        return Scaled()
    from sklearn.feature_extraction.text import TfidfVectorizer

    return TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, token_pattern=r"\S+")


def priors(
    tokens: Sequence[str], labels: Sequence[Sequence[int]], n_codes: int, strength: float
) -> tuple[dict[str, int], Any]:
    """How much more (or less) often each code is coded in each category than overall.

    Returns the categories (token -> row) and their log lifts ``(n_categories, n_codes)``:
    ``log((n_tc + m·p_c) / ((n_t + m)·p_c))`` for category t, code c, ``m`` = ``strength``
    pseudo-passages at the code's overall rate ``p_c``, so a category seen a few times says
    little. A code never coded has lift 1 (log 0) everywhere: nothing is known of it.
    """
    import numpy as np

    rows = {t: i for i, t in enumerate(sorted({t for t in tokens if t}))}
    counts = np.zeros((len(rows), n_codes), dtype=np.float64)
    sizes = np.zeros(len(rows), dtype=np.float64)
    for t, codes in zip(tokens, labels, strict=True):
        if t in rows:
            sizes[rows[t]] += 1
            counts[rows[t], list(codes)] += 1
    total = max(float(sizes.sum()), 1.0)
    rate = counts.sum(axis=0) / total
    coded = rate > 0
    lift = np.ones_like(counts)
    smoothed = counts[:, coded] + strength * rate[coded]
    lift[:, coded] = smoothed / ((sizes[:, None] + strength) * rate[coded])
    # A lift of 0 (never coded in a category, with no smoothing) is a very low one.
    return rows, np.log(np.maximum(lift, 1e-3)).astype(np.float32)


def held_out_lift(
    tokens: Sequence[str], labels: Sequence[Sequence[Hashable]], strength: float
) -> float:
    """The mean log lift (see :func:`priors`) of the codes each passage carries in its
    category, counted without that passage (leave-one-out): above 0 if the category tells
    a passage's codes better than their overall rates, at or below 0 if it is noise (two
    tracks the same codes are coded for), when it would move the scores at random."""
    sizes: Counter[str] = Counter()
    coded: Counter[Hashable] = Counter()
    together: Counter[tuple[str, Hashable]] = Counter()
    for t, codes in zip(tokens, labels, strict=True):
        if t:
            sizes[t] += 1
            coded.update(codes)
            together.update((t, c) for c in codes)
    total = sum(sizes.values())
    found = []
    for t, codes in zip(tokens, labels, strict=True):
        for c in codes if t else ():
            rate = (coded[c] - 1) / max(total - 1, 1)
            if rate > 0:
                lift = (together[(t, c)] - 1 + strength * rate) / ((sizes[t] - 1 + strength) * rate)
                found.append(math.log(max(lift, 1e-3)))
    return sum(found) / len(found) if found else 0.0
