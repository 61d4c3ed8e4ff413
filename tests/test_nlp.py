"""The suggesters on plain lists: pipeline, codebook, learned, combined, themes."""

from __future__ import annotations

import pytest

from qualcode.errors import QualcodeError
from qualcode.nlp.codebook import CodebookSuggester, CodebookSuggesterV2, CodeDescription
from qualcode.nlp.engine import CombinedSuggester, CombinedSuggesterV2, CombinedSuggesterV3
from qualcode.nlp.features import find_phrases, name_phrases
from qualcode.nlp.learned import LearnedSuggester, LearnedSuggesterV2
from qualcode.nlp.pipeline import analyse, lemmatise, pipeline
from qualcode.nlp.themes import ThemeFinder

AWARENESS = CodeDescription(
    "Awareness",
    "Awareness",
    definition="Whether students know the programme exists.",
    exclusion="Opinions about the programme's content.",
    keywords=("never heard", "heard of"),
    examples=("Honestly I had never heard of it before you called.",),
)
TIME = CodeDescription("Barriers/Time", "Time", keywords=("busy", "no time"))


def test_english_lemmas_sentences_and_offsets():
    text = "The students were running. They had never heard of mentors!"
    [a] = analyse([text])
    assert a.lemmas[:4] == ("the", "student", "be", "run")
    assert a.sentences == ((0, 26), (27, 59))
    assert a.lemma_text() == "student run hear mentor"
    # Tokens that overlap the span count: "students were running" is 4..25.
    assert a.lemma_text(4, 25) == "student run"
    assert a.all_lemmas(27, 58) == ["they", "have", "never", "hear", "of", "mentor"]
    assert a.sentence_spans(10, 40) == [(10, 26), (27, 40)]


def test_german_lemmas_come_from_the_lookup_tables():
    [a] = analyse(["Ich habe die Häuser gesehen. Die Mentoren helfen."], "de")
    assert "haus" in a.lemmas and "sehen" in a.lemmas
    assert len(a.sentences) == 2


def test_analyses_are_cached_by_content():
    first = analyse(["A cached sentence about mentors."])[0]
    assert analyse(["A cached sentence about mentors."])[0] is first


def test_a_named_pipeline_that_is_not_installed_is_a_clear_error():
    with pytest.raises(QualcodeError, match=r"nlp\.model"):
        pipeline("en", "xx_no_such_pipeline")


def test_name_phrases_and_phrase_matching():
    assert name_phrases("Time or Stage in Life") == ["Time", "Stage in Life"]
    assert name_phrases("Song Structure/Composition") == ["Song Structure", "Composition"]
    phrases = {"never": [("never", "hear")], "hear": [("hear", "of")]}
    found = list(find_phrases(["i", "have", "never", "hear", "of", "it"], phrases))
    assert found == [("never", "hear"), ("hear", "of")]


def test_codebook_suggester_matches_keywords_on_lemmas():
    model = CodebookSuggester().fit([AWARENESS, TIME])
    texts = ["I had never heard of the programme.", "I am always so busy, there is no time."]
    analysed = analyse(texts)
    scores, matched = model.score([a.lemma_text() for a in analysed], [a.lemmas for a in analysed])
    assert sorted(matched[0][0]) == ["hear of", "never hear"]
    assert sorted(matched[1][1]) == ["busy", "no time", "time"]  # "Time" is the code's name
    assert scores[0, 0] > 0.7 > scores[0, 1]
    assert scores[1, 1] > 0.8 > scores[1, 0]
    # Two keywords: 1 - 0.5 * 0.6 = 0.7 at least, before any similarity.
    assert scores[0, 0] >= 0.7


def test_the_exclusion_text_counts_against_a_code():
    plain = CodeDescription("A", "Awareness", keywords=("programme",))
    excluding = CodeDescription(
        "A", "Awareness", keywords=("programme",), exclusion="content of the programme sessions"
    )
    text = ["The content of the programme sessions was dull and boring."]
    lemmas = [a.lemmas for a in analyse(text)]
    lemma_texts = lemmatise(text)
    with_excl = CodebookSuggester().fit([excluding]).score(lemma_texts, lemmas)[0][0, 0]
    without = CodebookSuggester().fit([plain]).score(lemma_texts, lemmas)[0][0, 0]
    assert with_excl < without


TRAIN = [
    ("I never knew the programme existed.", {"Awareness"}),
    ("Nobody told us about it, I had not heard of it.", {"Awareness"}),
    ("I only found out from a friend by chance.", {"Awareness"}),
    ("Exams take all my time, I am too busy.", {"Time"}),
    ("I work evenings so I have no time left.", {"Time"}),
    ("With the exams and my job I am busy all week.", {"Time"}),
    ("My mentor listened and gave good advice.", {"Mentor"}),
    ("A mentor who listens would help me a lot.", {"Mentor"}),
]


def test_learned_suggester_uses_centroids_then_regressions():
    texts = lemmatise([t for t, _ in TRAIN])
    labels = [codes for _, codes in TRAIN]
    model = LearnedSuggester(min_examples=3).fit(texts, labels, ["Awareness", "Time", "Mentor"])
    assert model.regressed_.tolist() == [0, 1]  # three examples each: logistic regressions
    assert model.counts_.tolist() == [3, 3, 2]  # Mentor has two: a centroid
    X = model.vectorizer_.transform(lemmatise(["I am far too busy with exams."]))
    scores = model.score(X)[0]
    assert scores.argmax() == 1
    assert scores.min() >= 0.0 and scores.max() <= 1.0


def test_rejections_lower_a_codes_score():
    texts = lemmatise([t for t, _ in TRAIN])
    labels = [codes for _, codes in TRAIN]
    rejected = [set() for _ in TRAIN]
    query = lemmatise(["A mentor gave advice about exams."])
    base = LearnedSuggester(min_examples=5).fit(texts, labels, ["Time", "Mentor"])
    rejected[3] = {"Mentor"}
    rejected[5] = {"Mentor"}
    less = LearnedSuggester(min_examples=5).fit(
        texts, labels, ["Time", "Mentor"], rejected=rejected
    )
    before = base.score(base.vectorizer_.transform(query))[0, 1]
    after = less.score(less.vectorizer_.transform(query))[0, 1]
    assert after < before


def test_combined_suggester_works_before_and_after_coding():
    codes = [AWARENESS, TIME, CodeDescription("Mentor", "Mentor")]
    query = ["Honestly, I had never heard of it.", "My job keeps me busy, no time."]
    cold = CombinedSuggester(random_state=0).fit(codes)
    ranked = cold.suggest_texts(query, top=2)
    assert ranked[0][0].label == "Awareness"
    assert ranked[0][0].suggester == "qualcode.codebook.v1"
    assert ranked[0][0].evidence[0] == "matched: hear of, never hear"
    assert ranked[1][0].label == "Barriers/Time"
    labels = [{"Barriers/Time" if c == "Time" else c for c in codes} for _, codes in TRAIN]
    warm = CombinedSuggester(min_examples=3, random_state=0).fit(
        codes, [t for t, _ in TRAIN], labels
    )
    ranked = warm.suggest_texts(["She listened and gave me good advice."], top=3)
    assert ranked[0][0].label == "Mentor"
    assert ranked[0][0].suggester == "qualcode.learned.v1"  # the name "Mentor" is not in it
    assert "like: “My mentor listened and gave good advice.”" in ranked[0][0].evidence
    assert [r.score for r in ranked[0]] == sorted((r.score for r in ranked[0]), reverse=True)
    assert warm.suggest_texts(["She listened."], top=3, min_score=0.99) == [[]]


def test_combined_suggester_is_deterministic():
    codes = [AWARENESS, TIME, CodeDescription("Mentor", "Mentor")]
    labels = [{"Barriers/Time" if c == "Time" else c for c in codes} for _, codes in TRAIN]
    runs = [
        CombinedSuggester(min_examples=3, random_state=7)
        .fit(codes, [t for t, _ in TRAIN], labels)
        .suggest_texts(["Too busy with exams to meet a mentor."], top=3)
        for _ in range(2)
    ]
    assert runs[0] == runs[1]


def test_themes_group_sentences_and_pick_representative_quotes():
    sentences = [
        "The exam period leaves no time for anything.",
        "Before exams I cannot meet anyone.",
        "Exams and revision take every evening.",
        "The library is closed during the exam weeks.",
        "My mentor from the clinic was wonderful.",
        "A mentor from the clinic would help with placements.",
        "The clinic mentor showed me the wards.",
        "Clinic placements need a mentor nearby.",
    ]
    finder = ThemeFinder(n_themes=2, n_quotes=3, random_state=0).fit(lemmatise(sentences))
    assert len(finder.themes_) == 2
    groups = {frozenset(t.members) for t in finder.themes_}
    assert groups == {frozenset({0, 1, 2, 3}), frozenset({4, 5, 6, 7})}
    for theme in finder.themes_:
        assert len(theme.quotes) == 3 and set(theme.quotes) <= set(theme.members)
        assert theme.label == " / ".join(theme.terms[:2])
    labels = " ".join(t.label for t in finder.themes_)
    assert "exam" in labels and ("mentor" in labels or "clinic" in labels)


def test_themes_of_too_little_text_are_none():
    assert ThemeFinder().fit(["one sentence only"]).themes_ == []


def test_suggesters_are_registered_under_versioned_names():
    from qualcode.nlp import registry

    assert registry.get("qualcode.codebook.v1") is CodebookSuggester
    assert registry.get("qualcode.learned.v1") is LearnedSuggester
    assert registry.get("qualcode.combined.v1") is CombinedSuggester
    assert registry.get("qualcode.learned.v2") is LearnedSuggesterV2
    assert registry.get("qualcode.combined.v2") is CombinedSuggesterV2
    assert registry.get("qualcode.combined.v3") is CombinedSuggesterV3
    assert registry.get("qualcode.codebook.v2") is CodebookSuggesterV2
    assert registry.get("qualcode.learned.v3")().solver == "lbfgs"
    assert registry.get("qualcode.themes.v1") is ThemeFinder
    with pytest.raises(QualcodeError, match=r"no suggester 'qualcode\.codebook\.v9'"):
        registry.get("qualcode.codebook.v9")


MEMORIES = [
    ("It reminded me of my family.", "Memory"),
    ("That song reminded me of my father.", "Memory"),
    ("It made me think of my school days.", "Memory"),
    ("The tune reminded me of my first car.", "Memory"),
    ("It reminded me of my holiday.", "Memory"),
    ("It made me think of my sister.", "Memory"),
    ("It did not remind me of anything.", "No memory"),
    ("That song reminded me of nothing.", "No memory"),
    ("It made me think of nothing at all.", "No memory"),
    ("The tune did not remind me of anything.", "No memory"),
    ("It reminded me of nothing.", "No memory"),
    ("No, it did not make me think of anything.", "No memory"),
]


def test_v2_reads_the_function_words_that_v1_leaves_out():
    codes = [CodeDescription("Memory", "Memory"), CodeDescription("No memory", "No memory")]
    texts, labels = [t for t, _ in MEMORIES], [{c} for _, c in MEMORIES]
    query = ["The song did not make me think of anything.", "It reminded me of my grandmother."]
    v1 = CombinedSuggester(random_state=0).fit(codes, texts, labels).suggest_texts(query, top=1)
    v2 = CombinedSuggesterV2(random_state=0).fit(codes, texts, labels).suggest_texts(query, top=1)
    # "not", "anything", "my" are stop words to the shared features: v1 cannot tell them apart.
    assert [row[0].label for row in v1] == ["Memory", "Memory"]
    assert [row[0].label for row in v2] == ["No memory", "Memory"]
    assert {row[0].suggester for row in v2} == {"qualcode.learned.v2"}
    assert LearnedSuggesterV2().function_words and not LearnedSuggester().function_words


def test_v2_suggests_a_code_coded_once_where_its_passage_is_the_nearest():
    # Codes coded once each (a vote needs ten coded passages to be a neighbourhood).
    once = [
        ("The drawings were rich and strange.", "richness of visuals"),
        ("I cried at the ending.", "emotional ending"),
        ("The soundtrack stayed with me for weeks.", "memorable music"),
        ("Every choice I made changed the story.", "player agency"),
        ("The colours of the sky at dusk.", "colour"),
        ("It asked what it means to be human.", "humanity"),
        ("Fighting felt like a dance.", "combat as dance"),
        ("The city felt alive and lonely.", "atmosphere"),
        ("I thought about my own father.", "personal memory"),
        ("The puzzles were clever.", "puzzle design"),
    ]
    codes = [CodeDescription(c, c) for _, c in once]
    texts, labels = [t for t, _ in once], [{c} for _, c in once]
    query = ["Every single choice felt like it changed things."]
    v1 = CombinedSuggester(random_state=0).fit(codes, texts, labels)
    v2 = CombinedSuggesterV2(random_state=0).fit(codes, texts, labels)
    [[first]] = v2.suggest_texts(query, top=1)
    assert first.label == "player agency"
    X = v2.codebook_.vectorizer_.transform(lemmatise(query))
    votes = v2.neighbour_votes(X)[0]
    assert votes.argmax() == 3 and votes.min() >= 0.0 and votes.max() <= 1.0
    # With nine coded passages there is no vote: v2 scores as v1 with function words.
    lemma_texts = lemmatise(query)
    lemmas = [lemma_texts[0].split()]
    fewer = [
        model.fit(codes[:9], texts[:9], labels[:9]).score(lemma_texts, lemmas)[0]
        for model in (
            CombinedSuggesterV2(random_state=0),
            CombinedSuggester(function_words=True, random_state=0),
        )
    ]
    assert fewer[0].tolist() == fewer[1].tolist()
    # Its score is higher than v1's centroid similarity gives it.
    [[v1_first]] = v1.suggest_texts(query, top=1)
    assert first.score > v1_first.score


def test_estimators_only_store_their_parameters():
    model = CombinedSuggester("de", prior_strength=2.0, random_state=3)
    assert vars(model) == {
        "language": "de",
        "nlp_model": None,
        "prior_strength": 2.0,
        "min_examples": 5,
        "class_weight": "balanced",
        "vectorizer": None,
        "function_words": False,
        "neighbour_vote": 0.0,
        "neighbours": 10,
        "rare_discount": 0.0,
        "random_state": 3,
    }
    v3 = CombinedSuggesterV3(pooled=False)
    assert vars(v3) == {**vars(CombinedSuggesterV3()), "pooled": False}
    assert v3.codebook_type().name == "qualcode.codebook.v2"
    assert CombinedSuggesterV3(name_shares=False).codebook_type().name == "qualcode.codebook.v1"


def test_a_keyword_in_nearly_every_passage_is_weak_evidence():
    corpus = lemmatise(
        [f"The mentor talked about topic {i} and week {i % 7}." for i in range(60)]
        + ["Exams leave me no time.", "I failed the oral exam."]
    )
    code = CodeDescription("C", "C", keywords=("mentor", "exam"))
    model = CodebookSuggester().fit([code], corpus)
    assert model.weights_["mentor"] < 0.1  # in 60 of 62 passages
    assert model.weights_["exam"] == 1.0  # in 2 of 62
    texts = ["My mentor was kind.", "The exam was hard."]
    analysed = analyse(texts)
    scores, _ = model.score([a.lemma_text() for a in analysed], [a.lemmas for a in analysed])
    # "mentor" adds almost nothing to what similarity gives (at most 0.5); "exam" a full match.
    assert scores[0, 0] < 0.5 <= scores[1, 0]


def test_regressions_on_the_row_space_equal_those_on_the_words():
    """The speed-up changes no figure: the same decisions as a regression on the sparse words."""
    import numpy as np
    from sklearn.linear_model import LogisticRegression

    from qualcode.nlp.features import fit_texts
    from qualcode.nlp.learned import platt, row_space

    texts = [f"exam {i % 3} time busy week {i}" if i % 2 else f"mentor kind {i}" for i in range(40)]
    X = fit_texts(texts).transform(texts)
    y = np.array([i % 2 for i in range(40)])
    Z, to_words = row_space(X)
    assert Z.shape[1] <= 40 < X.shape[1]

    def model():
        return LogisticRegression(C=4.0, solver="liblinear", tol=1e-8)

    direct, reduced = model().fit(X, y), model().fit(Z, y)
    coef = to_words(reduced.coef_.T).ravel()
    assert np.allclose(X @ coef + reduced.intercept_, direct.decision_function(X), atol=1e-4)
    # Platt scaling by Newton's method: scikit-learn's LogisticRegression(C=1.0) objective.
    d = direct.decision_function(X) + np.linspace(-1, 1, 40)
    ref = LogisticRegression(C=1.0, tol=1e-10).fit(d.reshape(-1, 1), y)
    assert platt(d, y) == pytest.approx((ref.coef_[0, 0], ref.intercept_[0]), abs=1e-4)


def test_codebook_v2_counts_a_phrase_of_a_long_name_by_its_share():
    codes = [
        CodeDescription("combination", "combination of writing, music, visuals"),
        CodeDescription("music", "music"),
    ]
    texts = ["The music carried every scene."]
    analysed = analyse(texts)
    args = ([a.lemma_text() for a in analysed], [a.lemmas for a in analysed])
    v1, _ = CodebookSuggester().fit(codes).score(*args)
    v2, matched = CodebookSuggesterV2().fit(codes).score(*args)
    # v1: "music" is as much a match of the long name as of the code called "music".
    assert v1[0, 0] == pytest.approx(v1[0, 1], abs=0.05)
    # v2: a third of the long name is a third of the evidence; the short name keeps all.
    assert v2[0, 1] == pytest.approx(v1[0, 1])
    assert v2[0, 0] < v1[0, 0] - 0.15
    assert matched[0] == {0: ["music"], 1: ["music"]}


def test_v3_discounts_a_rarely_coded_code_the_codebook_only_names():
    named = [CodeDescription(c, c) for c in ("Time", "Money", "Mentor")]
    described = [*named[:2], CodeDescription("Mentor", "Mentor", definition="About mentors.")]
    texts = [f"Exams leave me no time {i}." for i in range(6)] + ["My mentor helped me."]
    labels = [{"Time"}] * 6 + [{"Mentor"}]
    for codes in (named, described):
        model = CombinedSuggesterV3(random_state=0).fit(codes, texts, labels)
        factor = dict(zip(model.labels_, model.discount().tolist(), strict=True))
        assert factor["Time"] == 1.0  # a regression's probability is left as it is
        assert factor["Money"] == pytest.approx(1 / 3)  # never coded: (0 + 1) / (0 + 3)
        # Coded once: (1 + 1) / (1 + 3), unless the codebook describes it.
        assert factor["Mentor"] == (0.5 if codes is named else 1.0)
    # v2 does not discount.
    v2 = CombinedSuggesterV2(random_state=0).fit(named, texts, labels)
    assert v2.rare_discount == 0.0


def test_v3_scores_a_long_answer_by_its_best_sentence_too():
    codes = [CodeDescription(c, c) for c in ("Gift", "Sound")]
    gift = [f"My sister gave me this record for my birthday {i}." for i in range(6)]
    sound = [f"The guitars and drums sound warm and loud {i}." for i in range(6)]
    texts, labels = [*gift, *sound], [{"Gift"}] * 6 + [{"Sound"}] * 6
    answer = (
        "The guitars and drums sound warm and loud. The drums are loud and the guitars "
        "warm. My sister gave me this record for my birthday."
    )
    whole = CombinedSuggesterV3(pooled=False, random_state=0).fit(codes, texts, labels)
    pooled = CombinedSuggesterV3(random_state=0).fit(codes, texts, labels)
    [w] = whole.suggest_texts([answer], evidence=False)
    [p] = pooled.suggest_texts([answer], evidence=False)
    score = {r.label: r.score for r in p}
    before = {r.label: r.score for r in w}
    # The one sentence about the gift counts as a sentence, not a third of the answer.
    assert score["Gift"] > before["Gift"] + 0.1
    # A passage of one sentence is scored as it was.
    one = ["My sister gave me this record."]
    assert pooled.suggest_texts(one, evidence=False) == whole.suggest_texts(one, evidence=False)


def test_v3_learns_from_the_units_that_hold_the_coded_words():
    codes = [CodeDescription(c, c) for c in ("Memory", "No memory")]
    spans = [t for t, _ in MEMORIES]
    labels = [{c} for _, c in MEMORIES]
    units = [f"I listen on the bus. {t}" for t in spans]
    model = CombinedSuggesterV3(random_state=0).fit(
        codes, spans, labels, units=units, unit_labels=labels
    )
    assert model.units_ is not None and model.units_.units_ is None
    assert model.units_.examples_ == units
    query = ["The song did not make me think of anything."]
    alone = CombinedSuggesterV3(random_state=0).fit(codes, spans, labels)
    [[best]] = model.suggest_texts(query, top=1)
    [[single]] = alone.suggest_texts(query, top=1)
    assert best.label == single.label == "No memory"
    assert best.score != single.score  # the units' blend has its say
