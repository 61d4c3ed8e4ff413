"""A context read for what it is (``qualcode.nlp.context``, ``qualcode.combined.v4``)."""

from __future__ import annotations

import numpy as np
import pytest

from qualcode.nlp.codebook import CodeDescription
from qualcode.nlp.combined_v4 import CombinedSuggesterV4
from qualcode.nlp.context import (
    OneHot,
    Scaled,
    category_token,
    context_kind,
    held_out_lift,
    priors,
)
from qualcode.nlp.evaluate import Passage, evaluate
from tests.survey_sheet import question_answers


@pytest.mark.parametrize(
    ("values", "kind"),
    [
        (["Q5", "N3", "Q5", "Q12", ""], "category"),  # ids
        (["a", "b", "a", "b"], "category"),  # a track
        (["opening", "middle", "closing"], "category"),  # one word each
        (["1", "2", "14", "3"], "category"),  # question numbers
        (["Why art?", "Why art?", "Why art?", "Did you like it?"] * 3, "category"),  # wording
        (["23", "41", "35.5", "67", "19"], "number"),  # ages
        ([str(x) for x in range(18, 60)], "number"),  # too many whole numbers for questions
        (["2,5", "3,75", "1,0"], "number"),  # decimal commas
        (["How did you hear of it?", "And then what?", "Why did you stop?"], "text"),
        (["", "  "], "text"),  # nothing given: read as v3 reads it
    ],
)
def test_context_kind(values: list[str], kind: str):
    assert context_kind(values) == kind


def test_a_category_is_one_hot_and_an_unknown_one_is_nothing():
    tokens = [category_token(v) for v in ["Q1", "q1 ", "N3", "Q9", ""]]
    onehot = OneHot().fit(tokens[:3])
    assert onehot.transform(tokens).toarray().tolist() == [[0, 1], [0, 1], [1, 0], [0, 0], [0, 0]]


def test_a_number_is_one_scaled_feature_and_a_missing_one_is_the_median():
    scaled = Scaled().fit(["20", "30", "40", "not said"])
    got = scaled.transform(["30", "40", "", "1000"]).toarray().ravel()
    assert got.tolist() == pytest.approx([0.0, 0.5, 0.0, 1.0])  # spread: 3 x 20/3


def test_priors_lift_the_codes_of_a_category_and_know_nothing_of_uncoded_codes():
    rows, log_lift = priors(["q1"] * 4 + ["q2"] * 4, [[0]] * 4 + [[1]] * 4, 3, strength=0.0)
    assert rows == {"q1": 0, "q2": 1}
    lift = np.exp(log_lift)
    assert lift[rows["q1"]].tolist() == pytest.approx([2.0, 0.001, 1.0])
    assert lift[rows["q2"]].tolist() == pytest.approx([0.001, 2.0, 1.0])


def _survey(**params: int) -> list[Passage]:
    return [
        Passage(who, answer, frozenset(codes), question)
        for who, question, answer, codes in question_answers(**params)
    ]


def test_question_ids_raise_precision_where_the_question_decides_the_code():
    # Each word is evidence of a different code in each question: only the id tells which.
    result = evaluate(_survey(questions=4, participants=40, answered=2), seeds=(0,))
    assert result["suggester"] == "qualcode.combined.v4"
    gain = result["gain"]["context"]
    assert gain["with"]["p_at_1"] >= gain["without"]["p_at_1"] + 0.25
    assert gain["p_at_3"] >= 0.08


def test_v4_fits_the_units_blend_with_the_kind_it_read():
    rows = question_answers(questions=3, participants=10, answered=2)
    labels = sorted({c for *_, codes in rows for c in codes})

    model = CombinedSuggesterV4(random_state=0).fit(
        [CodeDescription(c, c) for c in labels],
        [a for _, _, a, _ in rows],
        [set(c) for *_, c in rows],
        contexts=[q for _, q, _, _ in rows],
        units=[a for _, _, a, _ in rows],
        unit_labels=[set(c) for *_, c in rows],
        unit_contexts=[q for _, q, _, _ in rows],
    )
    assert model.context_kind_ == "category"
    assert model.units_ is not None and model.units_.context_kind_ == "category"
    assert model.priors_ is not None and set(model.priors_[0]) == {"q1", "q2", "q3"}


def test_a_category_that_does_not_tell_the_codes_apart_is_left_out():
    # Two tracks coded alike: the track's one-hot and prior would be noise.
    texts = ["I love the beat of it.", "It reminds me of my sister.", "Nothing at all."] * 8
    codes = [{"Beat"}, {"Family"}, {"None"}] * 8
    tracks = ["a", "b"] * 12
    labels = [CodeDescription(c, c) for c in ("Beat", "Family", "None")]
    model = CombinedSuggesterV4(random_state=0).fit(labels, texts, codes, contexts=tracks)
    bare = CombinedSuggesterV4(random_state=0).fit(labels, texts, codes)
    assert (model.context_kind_, model.context_used_, model.priors_) == ("category", False, None)
    query = ["The beat, and my sister."]
    assert model.suggest_texts(query, contexts=["a"]) == bare.suggest_texts(query)
    rows = question_answers(questions=3, participants=10, answered=2)
    asked, found = [category_token(q) for _, q, _, _ in rows], [c for *_, c in rows]
    assert held_out_lift(asked, found, 5.0) > 0.5  # 3 questions: up to log 3
    assert held_out_lift(tracks, [list(c) for c in codes], 5.0) <= 0.0


def test_a_number_context_is_one_feature_of_the_regressions():
    texts = ["I love the beat of it.", "It reminds me of my sister.", "Nothing at all."] * 8
    codes = [{"Beat"}, {"Family"}, {"None"}] * 8
    ages = [str(18 + 2 * i) for i in range(24)]
    labels = [CodeDescription(c, c) for c in ("Beat", "Family", "None")]
    model = CombinedSuggesterV4(random_state=0).fit(labels, texts, codes, contexts=ages)
    assert (model.context_kind_, model.context_used_, model.priors_) == ("number", True, None)
    assert model.learned_ is not None
    [context] = [vec for name, vec in model.learned_.blocks_ if name == "context"]
    assert isinstance(context, Scaled) and context.median_ == 41.0
    [[first, *_]] = model.suggest_texts(["The beat!"], contexts=["30"])
    assert first.label == "Beat"
