"""The learned (supervised) suggester, ``qualcode.learned.v1``: from what has been coded so far.

One binary model per code (a passage may carry several codes):

* a code with fewer than ``min_examples`` coded passages is scored by the cosine similarity
  of a passage to the code's centroid (the mean of its examples), less its similarity to
  the centroid of passages where the code's suggestion was rejected;
* a code with enough examples gets a logistic regression (liblinear, ``class_weight``
  balanced by default) over the same TF-IDF features; passages where the code was rejected
  are negatives with double weight. Class balancing inflates probabilities of rare codes, so
  each regression's decision values are Platt-scaled on 3-fold out-of-fold decisions: a
  score reads as the chance that the code applies.

All regressions are kept side by side as one coefficient matrix, so scoring every code is
one sparse-dense product. Fitting is cheap (tens of milliseconds per code on hundreds of
passages), so the project refits whenever its codings change, in a background thread.
"""

from __future__ import annotations

import functools
from collections.abc import Collection, Sequence
from typing import Any

from qualcode.nlp.features import fit_texts

NAME = "qualcode.learned.v1"
NAME_V2 = "qualcode.learned.v2"
NAME_V3 = "qualcode.learned.v3"


class LearnedSuggester:
    """Scores passages by the codes of similar coded passages.

    Args:
        min_examples: coded passages a code needs before it gets a logistic regression.
        C: inverse regularisation strength of the logistic regressions.
        class_weight: ``"balanced"`` or None, passed to ``LogisticRegression``.
        centroid_scale: centroid similarity that counts as a score of 1.
        calibrate: calibrate each regression's scores (sigmoid, 3-fold) when a code has
            enough examples, so a score reads as a probability.
        vectorizer: a fitted vectorizer to use as it is; else one is fitted on the texts.
        function_words: give the regressions the passage's every word too, stop words
            included ("not", "no", "me", "my"), which the shared features leave out but which
            tell "it reminds me of nothing" from "it reminds me of my family".
        random_state: seed for the solvers, so results are reproducible.
    """

    name = NAME
    solver = "liblinear"  # the regressions' solver (a parameter of ``.v3``)

    def __init__(
        self,
        min_examples: int = 5,
        C: float = 4.0,
        class_weight: str | None = "balanced",
        centroid_scale: float = 0.6,
        calibrate: bool = True,
        vectorizer: Any = None,
        function_words: bool = False,
        random_state: int = 0,
    ):
        self.min_examples = min_examples
        self.C = C
        self.class_weight = class_weight
        self.centroid_scale = centroid_scale
        self.calibrate = calibrate
        self.vectorizer = vectorizer
        self.function_words = function_words
        self.random_state = random_state

    def fit(
        self,
        lemma_texts: Sequence[str],
        labels: Sequence[Collection[str]],
        classes: Sequence[str],
        *,
        rejected: Sequence[Collection[str]] | None = None,
        corpus: Sequence[str] = (),
        words: Sequence[str] | None = None,
        contexts: Sequence[str] | None = None,
    ) -> LearnedSuggester:
        """Learn from passages (``lemma_texts``) and the codes each carries (``labels``).

        Args:
            classes: every code label that may be suggested (columns of the scores).
            rejected: per passage, codes a coder rejected for it (strong negatives).
            corpus: more lemma texts (uncoded passages) for the word weights only.
            words: per passage, every word's lemma (:meth:`Analysis.word_text`), read when
                ``function_words`` is set.
            contexts: per passage, the lemma text of what it answers (the survey question,
                the interviewer's turn before it): features of their own, so the regressions
                learn which codes go with which question.
        """
        import numpy as np

        self.classes_ = list(classes)
        index = {c: j for j, c in enumerate(self.classes_)}
        n, k = len(lemma_texts), len(self.classes_)
        Y = np.zeros((n, k), dtype=np.int8)
        R = np.zeros((n, k), dtype=bool)
        for i, codes in enumerate(labels):
            for c in codes:
                if c in index:
                    Y[i, index[c]] = 1
        for i, codes in enumerate(rejected or ()):
            for c in codes:
                if c in index and not Y[i, index[c]]:
                    R[i, index[c]] = True
        self.counts_ = Y.sum(axis=0)
        if self.vectorizer is not None:
            self.vectorizer_ = self.vectorizer
        else:
            self.vectorizer_ = fit_texts([*lemma_texts, *corpus])
        X = self.vectorizer_.transform(lemma_texts)
        self.X_ = X
        self.rows_ = [np.flatnonzero(Y[:, j]) for j in range(k)]  # each code's passages
        dim = X.shape[1]
        self.centroids_ = np.zeros((k, dim), dtype=np.float32)
        self.negatives_ = np.zeros((k, dim), dtype=np.float32)
        # The regressions learn on the passages' coordinates in the span of their own
        # vectors (see :func:`row_space`): the same solution, found many times faster.
        self.blocks_ = self._fit_blocks(n, words, contexts)
        features = self._features(X, words, contexts)
        Z, to_words = row_space(features)
        fitted = self._fit_codes(X, Y, R, Z)
        # The regressions side by side, so scoring every code is one matrix product.
        self.regressed_ = np.array([f[0] for f in fitted], dtype=np.int64)
        coef = np.zeros((Z.shape[1], len(fitted)), dtype=np.float64)
        for col, f in enumerate(fitted):
            coef[:, col] = f[1]
        self.coef_ = np.asarray(to_words(coef), dtype=np.float32).reshape(
            features.shape[1], len(fitted)
        )
        self.intercept_ = np.array([f[2] for f in fitted], dtype=np.float32)
        self.platt_ = np.array([[f[3], f[4]] for f in fitted], dtype=np.float32).reshape(-1, 2)
        self.terms_ = self._top_terms(X, Y)
        return self

    def _fit_codes(
        self, X: Any, Y: Any, R: Any, Z: Any
    ) -> list[tuple[int, Any, float, float, float]]:
        """Each code's centroid, or its regression (returned, by column ``j``), and the
        centroid of the passages where it was rejected."""
        import numpy as np

        regressed = []
        for j in range(Y.shape[1]):
            pos = Y[:, j] == 1
            if R[:, j].any():
                self.negatives_[j] = _unit(np.asarray(X[R[:, j]].mean(axis=0)).ravel())
            if not pos.any():
                continue
            if self.counts_[j] >= self.min_examples and (~pos).sum() >= self.min_examples:
                regressed.append(j)
                self.negatives_[j] = 0.0  # the regression has learned from the rejections
            else:
                self.centroids_[j] = _unit(np.asarray(X[pos].mean(axis=0)).ravel())
        with one_blas_thread():
            return [
                (j, *self._regression(Z, Y[:, j], np.where(R[:, j], 2.0, 1.0))) for j in regressed
            ]

    def _regression(self, X: Any, y: Any, weight: Any) -> tuple[Any, float, float, float]:
        """A logistic regression for one code: coefficients, intercept, and the Platt scaling
        ``(a, b)`` of its decision values (fitted on 3-fold out-of-fold decisions), so that
        ``sigmoid(a * decision + b)`` reads as a probability despite the class balancing."""
        import numpy as np
        from sklearn.linear_model import LogisticRegression
        from sklearn.model_selection import StratifiedKFold

        def model() -> Any:
            return LogisticRegression(
                C=self.C,
                class_weight=self.class_weight,
                solver=self.solver,
                max_iter=1000 if self.solver == "lbfgs" else 100,
                random_state=self.random_state,
            )

        final = model().fit(X, y, sample_weight=weight)
        a, b = 1.0, 0.0
        if self.calibrate and min(int(y.sum()), int((1 - y).sum())) >= 6:
            folds = StratifiedKFold(3, shuffle=True, random_state=self.random_state)
            decision = np.zeros(len(y), dtype=np.float64)
            for train, test in folds.split(np.zeros(len(y)), y):
                part = model().fit(X[train], y[train], sample_weight=weight[train])
                decision[test] = part.decision_function(X[test])
            a, b = platt(decision, y)
        return final.coef_.ravel(), float(final.intercept_[0]), a, b

    def _fit_blocks(
        self, n: int, words: Sequence[str] | None, contexts: Sequence[str] | None
    ) -> list[tuple[str, Any]]:
        """The extra feature blocks (function words, context), each its own word TF-IDF."""
        from sklearn.feature_extraction.text import TfidfVectorizer

        blocks = []
        for name, texts in (
            ("words", words if self.function_words else None),
            ("context", contexts),
        ):
            if texts is None or not any(texts):
                continue
            if len(texts) != n:
                raise ValueError(f"{len(texts)} {name} for {n} passages")
            vec = TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, token_pattern=r"\S+")
            blocks.append((name, vec.fit(texts)))
        return blocks

    def _features(self, X: Any, words: Sequence[str] | None, contexts: Sequence[str] | None) -> Any:
        """The shared features of the passages beside the extra blocks' (missing texts are
        empty: a model fitted with a context scores a passage without one by its words)."""
        if not self.blocks_:
            return X
        import numpy as np
        import scipy.sparse as sp

        given = {"words": words, "context": contexts}
        parts = [X]
        for name, vec in self.blocks_:
            texts = given[name] or [""] * X.shape[0]
            parts.append(vec.transform(texts))
        return sp.hstack(parts, format="csr", dtype=np.float32)

    def score(
        self, X: Any, words: Sequence[str] | None = None, contexts: Sequence[str] | None = None
    ) -> Any:
        """Scores ``(n_passages, n_classes)`` in [0, 1] for passages transformed by
        ``vectorizer_``, with their words and contexts if the model was fitted with them."""
        import numpy as np

        sim = np.asarray(X @ self.centroids_.T) - 0.5 * self.rejection(X)
        scores = np.clip(sim / self.centroid_scale, 0.0, 1.0)
        if self.regressed_.size:
            decision = np.asarray(self._features(X, words, contexts) @ self.coef_)
            decision += self.intercept_
            z = self.platt_[:, 0] * decision + self.platt_[:, 1]
            scores[:, self.regressed_] = 1.0 / (1.0 + np.exp(-z))
        return scores.astype(np.float32)

    def rejection(self, X: Any) -> Any:
        """How like the passages where a code was rejected each passage is, ``(n, k)``:
        for codes without a regression (which learns rejections as negatives)."""
        import numpy as np

        return np.clip(np.asarray(X @ self.negatives_.T), 0.0, 1.0)

    def _top_terms(self, X: Any, Y: Any, n: int = 30) -> list[frozenset[str]]:
        """Per code, the words most typical of its passages (for evidence a person reads)."""
        import numpy as np

        words = self.vectorizer_.steps[0][1].transformer_list[0][1]
        vocab = words.get_feature_names_out()
        W = X[:, : len(vocab)]
        overall = np.asarray(W.mean(axis=0)).ravel()
        out: list[frozenset[str]] = []
        for j in range(Y.shape[1]):
            pos = Y[:, j] == 1
            if not pos.any():
                out.append(frozenset())
                continue
            lift = np.asarray(W[pos].mean(axis=0)).ravel() - overall
            top = np.argsort(-lift)[:n]
            out.append(frozenset(str(vocab[t]) for t in top if lift[t] > 0 and " " not in vocab[t]))
        return out


class LearnedSuggesterV2(LearnedSuggester):
    """``qualcode.learned.v2``: :class:`LearnedSuggester` with the function words on.

    They measured a gain wherever a regression has enough to learn from (+0.028 p@3 on the
    music data, +0.017 on the two-question survey, +0.025 on the example interviews; see the
    README). ``.v1`` is left as it was, so a project's recorded ``.v1`` keeps its meaning.
    """

    name = NAME_V2

    def __init__(self, *, function_words: bool = True, **params: Any):
        super().__init__(function_words=function_words, **params)


class LearnedSuggesterV3(LearnedSuggesterV2):
    """``qualcode.learned.v3``: :class:`LearnedSuggesterV2` with the ``lbfgs`` solver.

    The same regressions but for the intercept, which lbfgs leaves unpenalised; fitted ten
    times faster where a project has thousands of coded passages (music data's 2,000
    excerpts: 160 s of liblinear per split, 17 s with lbfgs).

    Args:
        solver: the regressions' solver: ``"lbfgs"`` (which leaves the intercept
            unpenalised, and is ten times faster on the dense coordinates the regressions
            learn on when thousands of passages are coded) or ``"liblinear"`` (``.v2``'s,
            which penalises it too).
        params: the parameters of :class:`LearnedSuggester`.
    """

    name = NAME_V3

    def __init__(self, *, solver: str = "lbfgs", **params: Any):
        super().__init__(**params)
        self.solver = solver


def one_blas_thread() -> Any:
    """A block in which BLAS runs on one thread: the regressions' solver multiplies a
    passages-by-passages matrix by a vector a few hundred times per code, work too small to
    share, and OpenBLAS's threads wait on each other for it: on two busy cores a fit took six
    times the CPU time it takes on one thread, and the eigendecomposition of :func:`row_space`
    several times too (the music data with ``--excerpt``: 7 minutes, now 72 s of CPU). Each
    matrix-vector product sums in the same order either way (the coefficients are the same to
    the last bit); the eigenvectors may differ in their last bits, which moves no figure: the
    evaluator's JSON output on the music data with ``--excerpt`` is the same with one thread
    or two, and the games data's figures are the README's."""
    return _blas().limit(limits=1, user_api="blas")


@functools.cache
def _blas() -> Any:
    """The process's thread pools, found once: finding them reads every loaded library's
    symbols, a quarter of a small refit's time when done for each."""
    # threadpoolctl comes with scikit-learn, which a fit has loaded already (and with it
    # the BLAS library whose threads are limited).
    from threadpoolctl import ThreadpoolController

    return ThreadpoolController()


def _unit(v: Any) -> Any:
    import numpy as np

    norm = float(np.linalg.norm(v))
    return v / norm if norm else v


def row_space(X: Any, max_rows: int = 4000) -> tuple[Any, Any]:
    """Coordinates of the rows of ``X`` in an orthonormal basis of the space they span, and
    the map from coefficients in that basis back to coefficients of ``X``'s columns.

    With far fewer passages (n) than features (d), an L2-regularised linear model's weights
    lie in the span of the passages' vectors (the representer theorem), and the norm of the
    weights is the norm of their coordinates in an orthonormal basis of it. So a regression
    on the dense ``n x r`` coordinates ``Z`` (r <= n) has the same solution as one on the
    sparse ``n x d`` matrix, intercept included, and liblinear finds it in milliseconds
    instead of a second per code. The basis comes from the eigenvectors of ``X Xᵀ``; the
    same holds for any subset of the rows (the folds of the calibration). Without fewer
    rows than columns (or with very many rows), ``X`` is used as it is.
    """
    import numpy as np

    n, d = X.shape
    if n == 0 or n >= d or n > max_rows:
        return X, lambda coef: coef
    gram = np.asarray((X @ X.T).todense(), dtype=np.float64)
    with one_blas_thread():  # see there: on busy cores, threads cost more than they save
        values, vectors = np.linalg.eigh(gram)
    keep = values > max(float(values.max()), 1e-12) * 1e-9
    root = np.sqrt(values[keep])
    Z = vectors[:, keep] * root
    back = vectors[:, keep] / root  # n x r: X.T @ back is the orthonormal basis (d x r)

    def to_words(coef: Any) -> Any:
        return np.asarray(X.T @ (back @ coef))

    return Z, to_words


def platt(decision: Any, y: Any, iterations: int = 50) -> tuple[float, float]:
    """Platt scaling ``(a, b)``: the logistic regression of ``y`` (0/1) on one feature, the
    decision values, with the objective of scikit-learn's ``LogisticRegression(C=1.0)`` (the
    slope penalised by ``a² / 2``, the intercept not). Newton's method on two parameters
    converges in a few steps, where the general solver spent most of the fit's time."""
    import numpy as np

    x = np.asarray(decision, dtype=np.float64)
    t = np.asarray(y, dtype=np.float64)
    a, b = 0.0, 0.0
    for _ in range(iterations):
        p = 1.0 / (1.0 + np.exp(-(a * x + b)))
        r = p - t
        w = p * (1.0 - p)
        grad = np.array([a + r @ x, r.sum()])
        hess = np.array([[1.0 + w @ (x * x), w @ x], [w @ x, w.sum() + 1e-12]])
        step = np.linalg.solve(hess, grad)
        a, b = a - float(step[0]), b - float(step[1])
        if float(np.abs(step).max()) < 1e-10:
            break
    return a, b
