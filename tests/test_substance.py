"""Nothing for what was not said about anything: the rule that decides which passages may get
a suggestion, a theme quote or a queue entry (qualcode.nlp.substance), in every language
with a list of talk, and what it leaves out of the demo's queue and themes."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from qualcode.cli import app
from qualcode.model import Turn
from qualcode.nlp.substance import is_substantive, judge, talk_spans
from qualcode.project import Project
from qualcode.project.eligible import LeftOut, asking_speakers, heading_end

runner = CliRunner()

LEFT_OUT = {
    "en": [
        ("Maybe.", "courtesy"),
        ("Exactly.", "courtesy"),
        ("Thank you for taking part.", "courtesy"),
        ("Thank you very much for taking the time to talk to me today.", "courtesy"),
        ("Yeah, sure.", "courtesy"),
        ("Okay, thanks a lot.", "courtesy"),
        ("Mm-hm.", "courtesy"),
        ("Campus South.", "short"),
        ("That could work.", "short"),
        ("I have no time at all.", "short"),
        ("- Participant: student, 4th semester", "header"),
        ("Telephone interview, duration 00:34:12", "header"),
        ("Date: 12 March 2024", "header"),
        ("Interviewer: AB", "header"),
        ("# Interview 03", "header"),
        ("14 May 2024", "header"),
    ],
    "de": [
        ("Genau.", "courtesy"),
        ("Danke schön.", "courtesy"),
        ("Vielen Dank, dass Sie mitmachen.", "courtesy"),
        ("Ja, klar, das ist okay.", "courtesy"),
        ("Das weiß man nicht.", "short"),
        ("Datum: 12. März 2024", "header"),
        ("Telefoninterview, Dauer 00:41:03", "header"),
    ],
    "fr": [
        ("D'accord.", "courtesy"),
        ("Oui, bien sûr, pas de problème.", "courtesy"),
        ("Merci beaucoup pour votre temps.", "courtesy"),
        ("C'est vrai.", "short"),
        ("Date : 12 mars 2024", "header"),
    ],
    "es": [
        ("Claro.", "courtesy"),
        ("Vale, muchas gracias.", "courtesy"),
        ("Sí, de acuerdo.", "courtesy"),
        ("Eso es.", "short"),
        ("Fecha: 12 de marzo de 2024", "header"),
    ],
}

SAID = {
    "en": [
        "I had never heard of it before you called.",
        "During the exam period I have no time at all.",
        "Thanks to my mentor I passed anatomy.",
        "Time: that's the main problem.",  # a colon in speech is not a metadata line
        "I started on 12 March 2024, right after the exams, and it was hard.",
    ],
    "de": [
        "Die Prüfungen lassen mir keine Zeit.",  # "Zeit" is a stop word to spaCy, not here
        "Ich hab davon nie was gehört.",
        "Dank der Mentorin habe ich das Physikum bestanden.",
    ],
    "fr": [
        "Je n'avais jamais entendu parler du programme.",
        "Les examens ne me laissent pas de temps.",
    ],
    "es": [
        "Nunca había oído hablar del programa de mentoría.",
        "Los exámenes no me dejan tiempo libre.",
    ],
}


@pytest.mark.parametrize(
    ("language", "text", "reason"),
    [(lang, text, reason) for lang, cases in LEFT_OUT.items() for text, reason in cases],
)
def test_what_says_nothing_to_code_is_left_out_with_its_reason(
    language: str, text: str, reason: str
):
    verdict = judge(text, language)
    assert (verdict.substantive, verdict.reason) == (False, reason)
    assert not is_substantive(text, language)


@pytest.mark.parametrize(
    ("language", "text"), [(lang, text) for lang, texts in SAID.items() for text in texts]
)
def test_what_says_something_is_kept(language: str, text: str):
    verdict = judge(text, language)
    assert verdict.reason is None and len(verdict.content) >= 3, verdict


def test_a_negation_counts_once_and_words_count_once():
    assert judge("I had never heard of it before you called.", "en").content == (
        "heard",
        "called",
        "not",
    )
    # "ne ... pas" is one negation; "No, no, no." one word.
    assert judge("Je ne sais pas.", "fr").reason == "short"
    assert judge("No, no, no, no, no.", "en").reason == "short"


def test_a_language_without_a_list_of_talk_is_judged_by_its_stop_words_and_the_rules():
    assert judge("Dziękuję.", "pl").reason == "short"
    assert judge("Data: 12.03.2024", "pl").reason == "header"
    assert judge("Nigdy nie słyszałam o programie mentorskim.", "pl").substantive
    # A language spaCy does not know is cut by its multi-language tokenizer.
    assert judge("Telephone interview, duration 00:34:12", "zz").reason == "header"
    assert judge("Ni ṣe ni mo gbọ nipa eto naa ni ọsẹ to kọja", "yo").substantive


def test_talk_spans_are_the_words_of_talk():
    text = "Sorry, I'm a bit out of breath."
    assert [text[a:b] for a, b in talk_spans(text, "en")] == ["Sorry", "a", "bit"]
    german = "Vielen Dank, ein bisschen."
    assert [german[a:b] for a, b in talk_spans(german, "de")] == [
        "Vielen",
        "Dank",
        "ein",
        "bisschen",
    ]


def test_left_out_says_how_many_and_why_in_one_line():
    left = LeftOut()
    assert left.describe() == ""
    left.add("short", 3)
    left.add("header")
    left.add("interviewer", 2)
    assert left.total == 6
    assert left.describe("sentences") == (
        "Left out 6 sentences with nothing to code: 3 too short (fewer than 3 content words), "
        "1 header or metadata lines, 2 of interviewers or moderators."
    )


def _turns(*spoken: tuple[str | None, str]) -> tuple[list[Turn], str]:
    text, turns = "", []
    for i, (speaker, said) in enumerate(spoken):
        turns.append(Turn(1, i, len(text), len(text) + len(said), speaker))
        text += said + "\n"
    return turns, text


def test_the_speaker_who_asks_is_the_interviewer_when_none_is_named():
    pattern = r"(the )?(interviewer|moderator)\d*"
    q, a = "What do you think about it?", "I think mentors help."
    turns, text = _turns(*[("Speaker 1", q), ("Speaker 2", a)] * 6)
    assert asking_speakers(turns, text, pattern) == {"Speaker 1"}
    # A named interviewer is the one; nobody asks clearly more: nobody.
    turns, text = _turns(*[("Interviewer", a), ("Speaker 2", q)] * 6)
    assert asking_speakers(turns, text, pattern) == {"Interviewer"}
    turns, text = _turns(*[("A", q), ("B", q)] * 6)
    assert asking_speakers(turns, text, pattern) == set()


def test_a_transcripts_heading_is_its_text_before_the_first_speaker():
    turns, _ = _turns((None, "Interview 06"), (None, "14 May 2024"), ("I", "Hi."), (None, "x"))
    assert heading_end(turns) == turns[1].end
    document, _ = _turns((None, "A text without speakers."), (None, "More of it."))
    assert heading_end(document) == 0


# -- the demo ------------------------------------------------------------------------------

# The demo's interviewers and moderators, named here by hand (interview_08's interviewer is
# its "Speaker 1").
ASKING = {"INTERVIEWER", "I", "Interviewer", "Interviewerin", "Moderator", "Speaker 1"}


def _speaker_at(p: Project, source_id: int, start: int) -> str | None:
    for t in p.context.store.turns(source_id):
        if t.start <= start < t.end:
            return t.speaker
    return None


def test_the_demo_queue_at_80_percent_holds_only_what_says_something(
    coded_demo_project: Project,
):
    p = coded_demo_project
    queued = p.suggestions.queue_suggestions(min_precision=0.8)
    pending = p.suggestions.pending()
    assert queued.suggestions == len(pending)
    sources = {s.id: s for s in p.context.store.list_sources()}
    for item in pending:
        s = item.suggestion
        src = sources[s.source_id]
        quote = " ".join(src.text[s.start : s.end].split())
        speaker = _speaker_at(p, s.source_id, s.start)
        assert speaker is not None, f"a header line is queued: {quote!r}"
        assert speaker not in ASKING, f"an interviewer's question is queued: {quote!r}"
        verdict = judge(quote, src.language or "en")
        assert verdict.substantive, f"{quote!r} is queued: {verdict}"
        assert len(verdict.content) >= 3
    assert queued.left_out.short and queued.left_out.courtesy and queued.left_out.header


def test_the_demo_themes_are_not_made_of_headers_or_talk_or_two_languages(demo_project: Project):
    p = demo_project
    themes = p.suggestions.themes(8)
    assert themes
    sources = {s.id: s for s in p.context.store.list_sources()}
    for theme in themes:
        for sid, start, _ in theme.spans:
            assert _speaker_at(p, sid, start) not in (None, *ASKING), theme
        assert len({sources[sid].language for sid, _, _ in theme.spans}) == 1, theme
        words = set(theme.terms) | set(theme.label.split(" / "))
        assert not words & {"telephone", "march", "duration", "bite", "sorry"}, theme


def test_suggest_and_themes_say_what_they_left_out(demo_file: Path, tmp_path: Path):
    path = tmp_path / "demo.qcdb"
    path.write_bytes(demo_file.read_bytes())
    out = runner.invoke(app, ["suggest", str(path), "interview_03", "--unit", "sentence"])
    assert out.exit_code == 0, out.output
    assert "Left out " in out.output and "header or metadata lines" in out.output
    out = runner.invoke(app, ["themes", str(path), "--n", "3"])
    assert out.exit_code == 0, out.output
    assert "of interviewers or moderators" in out.output.splitlines()[-1]


def test_a_survey_answer_or_a_document_keeps_its_short_passages_but_not_its_headers():
    from qualcode.project.eligible import substantive

    text = "Date: 12 March 2024\nYes, very much.\nMaybe."
    spans = [(0, 19), (20, 35), (36, 42)]
    left = LeftOut()
    assert substantive(text, "en", spans, 0, left, spoken_by=False) == spans[1:]
    assert left.counts() == {"short": 0, "courtesy": 0, "header": 1, "interviewer": 0}
    assert substantive(text, "en", spans, 0, spoken_by=True) == []
