"""Suggestions and themes through the project facade and the command line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from qualcode.cli import app
from qualcode.errors import QualcodeError
from qualcode.project import Project
from qualcode.store.settings import SettingKey
from tests.conftest import span

runner = CliRunner()


@pytest.fixture
def coded(project: Project) -> Project:
    project.codebook.add_code("Awareness", keywords=("never heard", "know the programme"))
    project.codebook.add_code(
        "Time", definition="Lack of time: exams, work, schedules.", keywords=("time",)
    )
    project.codebook.add_code("Recognition", definition="Mentors want their effort recognised.")
    return project


def test_suggestions_from_the_codebook_before_any_coding(coded: Project):
    text = coded.sources.get("int1").text
    start, end = span(text, "Honestly, no. I had never heard of it before you called.")
    [first, *rest] = coded.suggestions.suggest("int1", start, end, top=3)
    assert (first.label, first.start, first.end) == ("Awareness", start, end)
    assert first.suggester == "qualcode.codebook.v2"
    assert first.evidence == ("matched: never hear",)
    assert first.code_id == coded.codebook.code("Awareness").id
    assert all(0.0 <= s.score <= first.score for s in rest)
    assert coded.context.settings().nlp_suggesters.startswith("qualcode.combined.v4")


def test_a_project_that_recorded_an_earlier_version_gets_v4_and_says_so(
    coded: Project, project_path: Path
):
    old = "qualcode.combined.v3 (qualcode.codebook.v2 + qualcode.learned.v3)"
    coded.context.set_setting(SettingKey.NLP_SUGGESTERS, old)
    coded.coding.apply("int1", *span(coded.sources.get("int1").text, "Time, mostly."), "Time")
    coded.close()
    with Project.open(project_path) as p:  # the name is a record, not a pin
        text = p.sources.get("int1").text
        passage = span(text, "During the exam period I have no time at all.")
        assert p.suggestions.suggest("int1", *passage, fresh=True)
        recorded = p.context.settings().nlp_suggesters
    assert recorded == "qualcode.combined.v4 (qualcode.codebook.v2 + qualcode.learned.v4)"


def test_the_model_learns_from_the_turns_that_hold_the_codings(coded: Project):
    src = coded.sources.get("int1")
    text = src.text
    coded.coding.apply("int1", *span(text, "Time, mostly."), "Time")
    coded.coding.apply("int1", *span(text, "And I work two evenings a week."), "Time")
    honestly = span(text, "Honestly, no. I had never heard of it before you called.")
    coded.coding.apply("int1", *honestly, "Awareness")
    model = coded.suggestions.model()
    # The spans' blend learns the coded words, the units' blend the turns holding them.
    assert sorted(model.examples_) == sorted(
        [
            "Time, mostly.",
            "And I work two evenings a week.",
            "Honestly, no. I had never heard of it before you called.",
        ]
    )
    assert model.units_ is not None
    turn = (
        "Time, mostly. During the exam period I have no time at all.\n"
        "And I work two evenings a week."
    )
    assert sorted(model.units_.examples_) == [
        "Honestly, no. I had never heard of it before you called.",
        turn,
    ]
    assert model.units_.learned_ is not None
    counts = dict(zip(model.units_.labels_, model.units_.learned_.counts_.tolist(), strict=True))
    assert counts == {"Awareness": 1, "Time": 1, "Recognition": 0}  # two codings, one turn


def test_whole_turns_coded_are_learned_once(coded: Project):
    text = coded.sources.get("int1").text
    coded.coding.apply(
        "int1", *span(text, "Honestly, no. I had never heard of it before you called."), "Awareness"
    )
    assert coded.suggestions.model().units_ is None


def test_the_model_is_refitted_only_when_coding_changes(coded: Project):
    model = coded.suggestions.model()
    assert coded.suggestions.model() is model
    text = coded.sources.get("int1").text
    coded.coding.apply("int1", *span(text, "Time, mostly."), "Time")
    refitted = coded.suggestions.model()
    assert refitted is not model
    assert coded.suggestions.model() is refitted


def test_after_coding_the_previous_model_answers_while_a_new_one_is_fitted(coded: Project):
    text = coded.sources.get("int1").text
    passage = span(text, "And I work two evenings a week.")
    before = coded.suggestions.suggest("int1", *passage)
    first = coded.suggestions.model()
    coded.coding.apply("int1", *span(text, "Time, mostly."), "Time")
    assert coded.suggestions.suggest("int1", *passage) == before  # answered by the previous model
    coded.suggestions.wait_for_model()
    assert coded.suggestions.model(wait=False) is not first
    # Renaming a code changes what can be suggested: that refit is never left for later.
    coded.codebook.rename_code("Time", "Lack of time")
    assert "Lack of time" in [s.label for s in coded.suggestions.suggest("int1", *passage, top=3)]


def test_without_refit_the_model_fitted_last_answers_and_none_is_started(coded: Project):
    """A window chooses when to refit (once the coder pauses): asked with refit=False, the
    suggester answers with the model it has and starts no fit of its own."""
    text = coded.sources.get("int1").text
    passage = span(text, "And I work two evenings a week.")
    first = coded.suggestions.model()
    before = coded.suggestions.suggest("int1", *passage)
    coded.coding.apply("int1", *span(text, "Time, mostly."), "Time")
    assert coded.suggestions.suggest("int1", *passage, refit=False) == before
    coded.suggestions.wait_for_model()
    assert coded.suggestions.model(wait=False, refit=False) is first  # still: none started
    assert coded.suggestions.model() is not first  # asked for: fitted


def test_a_batch_of_passages_is_what_each_asked_alone_gets(coded: Project):
    """suggest_spans scores the passages a window shows in one go; each passage's list is
    the one suggest gives it, and a passage with nothing to code (a question, a courtesy)
    gets none, as suggest gives it none."""
    source = coded.sources.get("int1")
    coded.coding.apply("int1", *span(source.text, "Time, mostly."), "Time")
    coded.suggestions.model()
    spans = coded.sources.sentences(source.id)
    batch = coded.suggestions.suggest_spans("int1", spans, top=4)
    assert set(batch) == set(spans)
    alone = {s: coded.suggestions.suggest("int1", *s, top=4) for s in spans}
    assert batch == alone
    assert any(batch.values()) and not all(batch.values())


def test_accept_applies_the_code_and_records_feedback(coded: Project):
    text = coded.sources.get("int1").text
    start, end = span(text, "I had never heard of it before you called.")
    [best] = coded.suggestions.suggest("int1", start, end, top=1)
    result = coded.suggestions.accept_suggestion(best, coder="bea")
    assert result.coding is not None
    assert (result.coding.code_id, result.coding.coder) == (best.code_id, "bea")
    [fb] = coded.context.store.list_feedback()
    assert (fb.accepted, fb.label, fb.coder, fb.start, fb.end) == (
        True,
        "Awareness",
        "bea",
        start,
        end,
    )
    # Now coded there: not suggested again for the same passage.
    assert "Awareness" not in [s.label for s in coded.suggestions.suggest("int1", start, end)]
    assert coded.suggestions.suggestion_precision() == {
        "qualcode.codebook.v2": {"decided": 1, "accepted": 1, "precision": 1.0}
    }


def test_a_rejection_is_recorded_and_lowers_the_score(coded: Project):
    text = coded.sources.get("panel1").text
    for quote in ("Most students simply do not know the programme exists.",):
        coded.coding.apply("panel1", *span(text, quote), "Awareness")
    start, end = span(text, "And mentors need recognition for their time.")
    before = {s.label: s for s in coded.suggestions.suggest("panel1", start, end)}
    coded.suggestions.reject_suggestion(before["Time"])
    after = {s.label: s.score for s in coded.suggestions.suggest("panel1", start, end, fresh=True)}
    assert after.get("Time", 0.0) < before["Time"].score
    [fb] = coded.context.store.list_feedback(accepted=False)
    assert (fb.label, fb.coder) == ("Time", "anna")
    assert coded.coding.codings(code="Time") == []


def test_batch_suggestions_per_turn_and_per_sentence(coded: Project):
    turns = coded.suggestions.suggest_source("int1", top=2, min_score=0.0)
    spans = {(s.start, s.end) for s in turns}
    assert spans <= {(t.start, t.end) for t in coded.sources.turns("int1")}
    assert all(s.source_id == coded.sources.get("int1").id for s in turns)
    everything = coded.suggestions.suggest_source(top=1, min_score=0.0, unit="sentence")
    assert {s.source_id for s in everything} == {
        coded.sources.get(n).id for n in ("int1", "panel1")
    }
    # Two sentences in the student's answer about time: each gets its own suggestions.
    text = coded.sources.get("int1").text
    exam = span(text, "During the exam period I have no time at all.")
    assert any((s.start, s.end) == exam and s.label == "Time" for s in everything)
    assert coded.suggestions.suggest_source(top=3, min_score=0.99) == []
    with pytest.raises(QualcodeError, match="unit"):
        coded.suggestions.suggest_source(unit="paragraph")  # type: ignore[arg-type]


def test_themes_come_from_uncoded_text_and_promote_to_a_code(coded: Project):
    found = coded.suggestions.themes(n=3, quotes=3)
    assert found and all(t.quotes and len(t.quotes) == len(t.spans) <= 3 for t in found)
    for t in found:
        for (source_id, start, end), quote in zip(t.spans, t.quotes, strict=True):
            assert " ".join(coded.sources.get(source_id).text[start:end].split()) == quote
    code = coded.suggestions.promote_theme(found[0], name="Publicity", parent="Awareness")
    assert coded.codebook.book().path(code) == "Awareness/Publicity"
    assert code.keywords == found[0].terms[:5]
    assert code.examples == found[0].quotes[:3]
    assert coded.context.settings().nlp_themes == "qualcode.themes.v1"


def test_coded_sentences_are_not_themes(coded: Project):
    text = coded.sources.get("panel1").text
    quote = "Most students simply do not know the programme exists."
    coded.coding.apply("panel1", *span(text, quote), "Awareness")
    assert all(quote not in t.quotes for t in coded.suggestions.themes(n=4, quotes=5))


def test_sentence_suggestions_and_themes_are_the_workbenchs_sentences(coded: Project):
    # One cut of a text into sentences: what the coding screen moves by is what suggestions
    # by sentence are for and what themes quote.
    sentences = {
        (coded.sources.get(n).id, a, b)
        for n in ("int1", "panel1")
        for a, b in coded.sources.sentences(n)
    }
    suggested = coded.suggestions.suggest_source(top=1, min_score=0.0, unit="sentence")
    assert suggested and {(s.source_id, s.start, s.end) for s in suggested} <= sentences
    themes = coded.suggestions.themes(n=3, quotes=3)
    assert themes and {found for t in themes for found in t.spans} <= sentences


def test_an_unknown_nlp_model_setting_is_a_clear_error(coded: Project):
    coded.context.set_setting(SettingKey.NLP_MODEL, "xx_not_installed")
    with pytest.raises(QualcodeError, match="not installed"):
        coded.suggestions.suggest("int1", 0, 10)


def test_german_sources_get_suggestions(tmp_path: Path):
    doc = tmp_path / "de.txt"
    doc.write_text(
        "I: Kannten Sie das Mentoring-Programm?\n"
        "B: Nein, davon habe ich nie gehört. Die Prüfungen lassen mir keine Zeit.\n",
        encoding="utf-8",
    )
    with Project.create(tmp_path / "de.qcdb", language="de", coder="jo") as p:
        p.sources.import_files([doc])
        p.codebook.add_code("Zeitmangel", keywords=("keine Zeit", "Prüfung"))
        p.codebook.add_code("Bekanntheit", keywords=("nie hören",))
        turn = p.sources.turns("de")[-1]
        labels = [s.label for s in p.suggestions.suggest("de", turn.start, turn.end, top=2)]
        assert set(labels) == {"Zeitmangel", "Bekanntheit"}


# -- command line --------------------------------------------------------------------------


def run(*args: object, ok: bool = True):
    result = runner.invoke(app, [str(a) for a in args])
    if ok:
        assert result.exit_code == 0, result.output + str(result.exception)
    return result


def test_cli_suggest_themes_and_promote(coded: Project, project_path: Path):
    coded.close()
    rows = json.loads(  # what was left out, and why, is said on stderr
        run(
            "suggest", project_path, "int1", "--top", "1", "--min-score", "0.4", "-f", "json"
        ).stdout
    )
    assert rows and {r["source"] for r in rows} == {"int1"}
    [student] = [r for r in rows if "never heard" in r["text"]]
    assert (student["code"], student["evidence"]) == ("Awareness", ["matched: never hear"])
    themes = json.loads(run("themes", project_path, "--n", "2", "-f", "json").stdout)
    assert [t["n"] for t in themes] == list(range(1, len(themes) + 1))
    out = run("promote-theme", project_path, "1", "--name", "Emergent").output
    assert "is now the code 'Emergent'" in out
    bad = run("promote-theme", project_path, "99", ok=False)
    assert bad.exit_code == 1 and "there is no theme 99" in bad.output
    csv_out = run("suggest", project_path, "--format", "csv").output
    assert csv_out.splitlines()[0] == "source,start,end,code,score,suggester,evidence,text"


def test_themes_skip_the_interviewers_questions(coded: Project):
    asked = {
        (coded.sources.get(name).id, t.start, t.end)
        for name in ("int1", "panel1")
        for t in coded.sources.turns(name)
        if t.speaker in ("INTERVIEWER", "Moderator")
    }

    def in_questions(themes) -> bool:
        return any(
            sid == qs and qa <= a and b <= qb
            for t in themes
            for sid, a, b in t.spans
            for qs, qa, qb in asked
        )

    assert not in_questions(coded.suggestions.themes(n=4, quotes=5))
    assert in_questions(coded.suggestions.themes(n=4, quotes=5, skip_speakers=None))


def test_batch_reports_progress_and_stops_when_cancelled(coded: Project):
    import threading

    seen: list[float] = []
    coded.suggestions.suggest_source(min_score=0.0, progress=seen.append)
    assert seen == [0.5, 1.0]
    stop = threading.Event()
    stop.set()
    assert coded.suggestions.suggest_source(min_score=0.0, cancel=stop) == []


def test_an_installed_pipeline_named_in_the_settings_is_used(coded: Project, tmp_path: Path):
    import spacy

    # A pipeline on disk stands for an installed package: spacy.load takes either.
    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    nlp.to_disk(tmp_path / "my_pipeline")
    coded.context.set_setting(SettingKey.NLP_MODEL, str(tmp_path / "my_pipeline"))
    text = coded.sources.get("int1").text
    start, end = span(text, "Honestly, no. I had never heard of it before you called.")
    # Without a lemmatizer "heard" stays "heard": the keyword matches as written.
    [best] = coded.suggestions.suggest("int1", start, end, top=1)
    assert (best.label, best.evidence) == ("Awareness", ("matched: never heard",))


def test_themes_are_not_made_of_speaker_names(demo_file, tmp_path):
    path = tmp_path / "demo.qcdb"
    path.write_bytes(demo_file.read_bytes())
    with Project.open(path) as p:
        themes = p.suggestions.themes(6)
        assert themes
        words = {w.lower() for t in themes for w in (*t.terms, *t.label.split())}
        names = {"maya", "okafor", "jonas", "interviewer", "speaker"}
        assert not words & names
        quotes = " ".join(q for t in themes for q in t.quotes)
        assert "Maya Okafor:" not in quotes and "[00:" not in quotes
