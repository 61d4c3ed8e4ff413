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

from collections.abc import Collection, Sequence
from typing import Any

from qualcode.nlp.features import fit_texts

NAME = "qualcode.learned.v1"


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
        random_state: seed for the solvers, so results are reproducible.
    """

    name = NAME

    def __init__(
        self,
        min_examples: int = 5,
        C: float = 4.0,
        class_weight: str | None = "balanced",
        centroid_scale: float = 0.6,
        calibrate: bool = True,
        vectorizer: Any = None,
        random_state: int = 0,
    ):
        self.min_examples = min_examples
        self.C = C
        self.class_weight = class_weight
        self.centroid_scale = centroid_scale
        self.calibrate = calibrate
        self.vectorizer = vectorizer
        self.random_state = random_state

    def fit(
        self,
        lemma_texts: Sequence[str],
        labels: Sequence[Collection[str]],
        classes: Sequence[str],
        *,
        rejected: Sequence[Collection[str]] | None = None,
        corpus: Sequence[str] = (),
    ) -> LearnedSuggester:
        """Learn from passages (``lemma_texts``) and the codes each carries (``labels``).

        Args:
            classes: every code label that may be suggested (columns of the scores).
            rejected: per passage, codes a coder rejected for it (strong negatives).
            corpus: more lemma texts (uncoded passages) for the word weights only.
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
        fitted: list[tuple[int, Any, float, float, float]] = []
        for j in range(k):
            pos = Y[:, j] == 1
            if R[:, j].any():
                self.negatives_[j] = _unit(np.asarray(X[R[:, j]].mean(axis=0)).ravel())
            if not pos.any():
                continue
            if self.counts_[j] >= self.min_examples and (~pos).sum() >= self.min_examples:
                fitted.append((j, *self._regression(X, Y[:, j], np.where(R[:, j], 2.0, 1.0))))
                self.negatives_[j] = 0.0  # the regression has learned from the rejections
            else:
                self.centroids_[j] = _unit(np.asarray(X[pos].mean(axis=0)).ravel())
        # The regressions side by side, so scoring every code is one matrix product.
        self.regressed_ = np.array([f[0] for f in fitted], dtype=np.int64)
        self.coef_ = np.zeros((dim, len(fitted)), dtype=np.float32)
        for col, f in enumerate(fitted):
            self.coef_[:, col] = f[1]
        self.intercept_ = np.array([f[2] for f in fitted], dtype=np.float32)
        self.platt_ = np.array([[f[3], f[4]] for f in fitted], dtype=np.float32).reshape(-1, 2)
        self.terms_ = self._top_terms(X, Y)
        return self

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
                solver="liblinear",
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
            platt = LogisticRegression(C=1.0).fit(decision.reshape(-1, 1), y)
            a, b = float(platt.coef_[0, 0]), float(platt.intercept_[0])
        return final.coef_.ravel(), float(final.intercept_[0]), a, b

    def score(self, X: Any) -> Any:
        """Scores ``(n_passages, n_classes)`` in [0, 1] for passages transformed by
        ``vectorizer_``."""
        import numpy as np

        sim = np.asarray(X @ self.centroids_.T) - 0.5 * self.rejection(X)
        scores = np.clip(sim / self.centroid_scale, 0.0, 1.0)
        if self.regressed_.size:
            decision = np.asarray(X @ self.coef_) + self.intercept_
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


def _unit(v: Any) -> Any:
    import numpy as np

    norm = float(np.linalg.norm(v))
    return v / norm if norm else v
