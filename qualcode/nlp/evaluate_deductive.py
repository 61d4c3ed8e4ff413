"""Measure the codebook (deductive) suggester alone: coding from a codebook before anything
is coded, ``python -m qualcode.nlp.evaluate DATA.csv ... --codebook FILE --deductive``.

Nothing is learned from the human coding, so there is no split: every passage is scored by
the codebook suggester named by ``--scorer`` (``qualcode.codebook.v3`` by default), fitted on
the codebook and on the data set's passages as the project's own (their word weights, and
for ``.v3`` each code's spread of scores over them). Only the codebook's codes are
suggested; a codebook's code matches a data set's code by path or name, as in the learned
evaluation. Figures:

* ``p_at_1``/``p_at_3``/``r_at_3`` over the passages carrying any of the codebook's codes,
  against those codes;
* ``calibration``: of the top-5 suggestions in each score band, the share that is right;
* ``kappa``: per codebook code, Cohen's kappa between the human coding (every passage) and
  the suggestions at the review queue's threshold (:mod:`qualcode.nlp.kappa`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Any, Protocol

from qualcode.errors import QualcodeError
from qualcode.nlp.codebook import CodeDescription
from qualcode.nlp.kappa import MIN_PRECISION, code_kappas, pooled
from qualcode.nlp.measures import calibration, calibration_lines, label_key, precision_recall


class Coded(Protocol):
    """A passage and the codes people gave it (:class:`qualcode.nlp.evaluate.Passage`)."""

    @property
    def text(self) -> str: ...

    @property
    def codes(self) -> frozenset[str]: ...


DEFAULT_SCORER = "qualcode.codebook.v3"


def codebook_codes(
    passages: Sequence[Coded], codebook: Sequence[CodeDescription]
) -> list[CodeDescription]:
    """The codebook's codes, each labelled as the data set names it where it does."""
    labels = {label_key(c): c for p in passages for c in p.codes}
    return [
        replace(d, label=labels.get(label_key(d.label)) or labels.get(label_key(d.name)) or d.name)
        for d in codebook
    ]


def evaluate_deductive(
    passages: Sequence[Coded],
    codebook: Sequence[CodeDescription],
    *,
    language: str = "en",
    scorer: str = DEFAULT_SCORER,
    min_precision: float = MIN_PRECISION,
) -> dict[str, Any]:
    """The figures of the module docstring for the codebook suggester ``scorer`` alone."""
    from qualcode.nlp import registry
    from qualcode.nlp.engine import Ranked, fit_vectorizer
    from qualcode.nlp.pipeline import analyse

    if not codebook:
        raise QualcodeError("--deductive needs a codebook (--codebook FILE)")
    if ".codebook." not in scorer:
        raise QualcodeError(f"--scorer names a codebook suggester, not {scorer!r}")
    codes = codebook_codes(passages, codebook)
    labels = [c.label for c in codes]
    analysed = analyse([p.text for p in passages], language)
    lemma_texts = [a.lemma_text() for a in analysed]
    vectorizer = fit_vectorizer(codes, lemma_texts, language)
    model = registry.get(scorer)(language, vectorizer=vectorizer).fit(codes, lemma_texts)
    scores, _ = model.score(lemma_texts, [list(a.lemmas) for a in analysed])
    ranked = []
    for i, row in enumerate(scores):
        order = sorted(range(len(labels)), key=lambda j: (-float(row[j]), j))[:5]
        ranked.append(
            [Ranked(i, labels[j], round(float(row[j]), 4), scorer) for j in order if row[j] > 0]
        )
    truth = [p.codes & set(labels) for p in passages]
    tested = [i for i, t in enumerate(truth) if t]
    if not tested:
        raise QualcodeError("no passage carries any of the codebook's codes")
    kappa = code_kappas(
        [[(r.label, r.score) for r in row] for row in ranked],
        truth,
        labels,
        min_precision=min_precision,
    )
    return {
        "passages": len(passages),
        "scorer": scorer,
        "codes": len(codes),
        "codes_in_data": sum(1 for c in labels if any(c in t for t in truth)),
        "test_passages": len(tested),
        **precision_recall(
            [[r.label for r in ranked[i]] for i in tested], [truth[i] for i in tested]
        ),
        "calibration": calibration(ranked, truth),
        "kappa": pooled([kappa], min_precision),
    }


def deductive_table(result: dict[str, Any]) -> str:
    """:func:`evaluate_deductive`'s figures for people."""
    lines = [
        f"{k:>24}: {v}"
        for k, v in result.items()
        if k not in ("calibration", "kappa") and not isinstance(v, dict | list)
    ]
    return "\n".join([*lines, *calibration_lines(result)])
