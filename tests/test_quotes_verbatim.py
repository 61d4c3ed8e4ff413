"""Quotes are what was coded: the researcher's brackets stay in every quote shown, only
transcriber notes of a closed list and repeated labels are left out, a new speaker's label
stays, ``--verbatim`` gives the exact text, and REFI-QDA exports are verbatim."""

from __future__ import annotations

import csv
import json
import random
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

import openpyxl
import pytest
from textual.widgets import DataTable

from qualcode.ingest.notes import is_transcriber_note
from qualcode.ingest.spoken import spoken_quote
from qualcode.project import ImportOptions, Project
from qualcode.tui.app import QualcodeApp
from qualcode.tui.screens.codebook import CodebookScreen
from qualcode.tui.widgets.code_tree import CodeTree
from tests.conftest import span, wait_for
from tests.test_cli import run

PASSAGE = (
    "I think in general [management is] very positive about it [laughs]. "
    "I worked at [hospital name] for ten years."
)
SHOWN = (
    "I think in general [management is] very positive about it. "
    "I worked at [hospital name] for ten years."
)
TRANSCRIPT = f"""\
Interviewer: How do people at work see the programme?
Student 12: {PASSAGE}
Interviewer: And the students?
Student 12: I would want a mentor.
Student 12: And I would want time for it [pause] really.
"""
GERMAN = """\
Interviewerin: Wo haben Sie gearbeitet?
Befragte: Ich war bei [Klinikname] [lacht] zehn Jahre, [unv.] ja.
"""


@pytest.fixture
def study(tmp_path: Path) -> Project:
    (tmp_path / "int12.txt").write_text(TRANSCRIPT, encoding="utf-8")
    (tmp_path / "int_de.txt").write_text(GERMAN, encoding="utf-8")
    p = Project.create(tmp_path / "q.qcdb", language="en", coder="anna")
    p.sources.import_files(
        [tmp_path / "int12.txt", tmp_path / "int_de.txt"], ImportOptions(kind="interview")
    )
    yield p
    p.close()


def _line(text: str, quote: str) -> tuple[int, int]:
    """The whole line holding ``quote``, its speaker label included (offsets)."""
    start, end = span(text, quote)
    return text.rfind("\n", 0, start) + 1, end


def test_the_bracketed_passage_keeps_the_researchers_words(study: Project):
    text = study.sources.get("int12").text
    start, end = _line(text, PASSAGE)  # coded from the line start: "Student 12: I think ..."
    study.coding.apply("int12", start, end, "Awareness", new=True)
    [seg] = study.coding.codings()
    assert seg.text == SHOWN
    assert seg.verbatim == text[start:end] and seg.verbatim.startswith("Student 12: I think")
    [quote] = study.reports.quotes().to_dict(orient="records")
    assert (quote["text"], quote["verbatim"]) == (SHOWN, text[start:end])
    assert study.reports.quotes(verbatim=True)["text"].tolist() == [text[start:end]]


def test_codings_on_the_command_line_table_json_and_verbatim(study: Project):
    text = study.sources.get("int12").text
    start, end = span(text, PASSAGE)
    study.coding.apply("int12", start, end, "Awareness", new=True)
    path = study.context.path
    table = run("codings", path).output
    assert "[management is] very positive about it." in table
    [row] = json.loads(run("codings", path, "--format", "json").output)
    assert (row["text"], row["verbatim"]) == (SHOWN, PASSAGE)
    [exact] = json.loads(run("codings", path, "--format", "json", "--verbatim").output)
    assert exact["text"] == exact["verbatim"] == text[start:end] == PASSAGE
    assert "[management is] very positive about it [" in run("codings", path, "--verbatim").output


def test_report_quotes_in_every_file_keeps_the_brackets(study: Project, tmp_path: Path):
    text = study.sources.get("int12").text
    study.coding.apply("int12", *span(text, PASSAGE), "Awareness", new=True)
    path = study.context.path
    [row] = json.loads(run("report", path, "quotes", "--format", "json").output)["rows"]
    assert (row["text"], row["verbatim"]) == (SHOWN, PASSAGE)
    shown = run("report", path, "quotes", "--format", "json", "--verbatim").output
    [exact] = json.loads(shown)["rows"]
    assert exact["text"] == PASSAGE
    assert "[management is]" in run("report", path, "quotes").output
    run("report", path, "quotes", "-o", tmp_path / "q.csv")
    with (tmp_path / "q.csv").open(encoding="utf-8") as f:
        [from_csv] = list(csv.DictReader(f))
    assert (from_csv["text"], from_csv["verbatim"]) == (SHOWN, PASSAGE)
    run("report", path, "quotes", "-o", tmp_path / "q.json")
    [from_json] = json.loads((tmp_path / "q.json").read_text(encoding="utf-8"))["rows"]
    assert (from_json["text"], from_json["verbatim"]) == (SHOWN, PASSAGE)
    for flags, quote in (((), SHOWN), (("--verbatim",), PASSAGE)):
        run("report", path, "quotes", *flags, "-o", tmp_path / "q.xlsx")
        sheet = openpyxl.load_workbook(tmp_path / "q.xlsx")["quotes"]
        header = [c.value for c in sheet[1]]
        assert [r[header.index("Quote")] for r in sheet.iter_rows(min_row=2, values_only=True)] == [
            quote
        ]
    assert run("report", path, "frequencies", "--verbatim", ok=False).exit_code == 1


def test_a_german_note_goes_and_an_anonymisation_stays(study: Project):
    text = study.sources.get("int_de").text
    start = text.index("Ich war bei")
    study.coding.apply("int_de", start, text.index("ja.") + 3, "Awareness", new=True)
    [seg] = study.coding.codings()
    assert seg.text == "Ich war bei [Klinikname] zehn Jahre, ja."
    assert "[lacht]" in seg.verbatim and "[unv.]" in seg.verbatim


def test_a_new_speaker_inside_a_quote_keeps_the_label(study: Project):
    text = study.sources.get("int12").text
    start = text.index("I worked at")
    end = text.index("And the students?") + len("And the students?")
    study.coding.apply("int12", start, end, "Awareness", new=True)
    expected = "I worked at [hospital name] for ten years.\nInterviewer: And the students?"
    assert [s.text for s in study.coding.codings()] == [expected]
    assert study.reports.quotes()["text"].tolist() == [expected]
    # A continuation line of the same speaker does not repeat the label.
    start, end = _line(text, "I would want a mentor.")
    end = text.index("really.") + len("really.")
    study.coding.apply("int12", start, end, "Barriers", new=True)
    [seg] = study.coding.codings(code="Barriers")
    assert seg.text == "I would want a mentor.\nAnd I would want time for it really."
    assert study.reports.quotes(code="Barriers")["text"].tolist() == [seg.text]


def test_a_doubled_label_line_does_not_start_a_sentence(study: Project):
    text = study.sources.get("int12").text
    sentences = [text[a:b] for a, b in study.sources.sentences("int12")]
    assert "And I would want time for it [pause] really." in sentences
    assert not any(s.startswith("Student 12:") for s in sentences)
    # ... nor a disagreement between two coders on it.
    a, b = span(text, "And I would want time")
    study.coding.apply("int12", a, b, "Barriers", coder="anna", new=True)
    study.coding.apply("int12", *span(text, "I would want a mentor."), "Barriers", coder="ben")
    found = study.team.disagreements(["anna", "ben"])
    assert sorted(d.text for d in found) == [
        "And I would want time for it [pause] really.",
        "I would want a mentor.",
    ]


def test_a_qdpx_export_holds_the_exact_text(study: Project, tmp_path: Path):
    text = study.sources.get("int12").text
    start, end = span(text, PASSAGE)
    study.coding.apply("int12", start, end, "Awareness", new=True)
    study.exchange.export_qdpx(tmp_path / "out.qdpx")
    with zipfile.ZipFile(tmp_path / "out.qdpx") as z:
        root = ET.fromstring(z.read("project.qde"))
        ns = {"q": root.tag.split("}")[0][1:]}
        [source] = [s for s in root.iterfind(".//q:TextSource", ns) if s.get("name") == "int12"]
        [selection] = source.iterfind("q:PlainTextSelection", ns)
        path = source.get("plainTextPath", "").removeprefix("internal://")
        exported = z.read(f"sources/{path}").decode("utf-8")
    a, b = int(selection.get("startPosition", "")), int(selection.get("endPosition", ""))
    assert exported[a:b] == PASSAGE
    assert "[laughs]" in selection.get("name", "") and "[management is]" in selection.get(
        "name", ""
    )


# -- the closed list --------------------------------------------------------------------------

NOTES = [
    "laughs", "Laughing", " laughter ", "pause", "long pause", "Short-Pause", "crosstalk",
    "inaudible 00:12:03", "unclear", "unclear: two words", "unintelligible", "coughs", "sighs",
    "silence", "overlapping", "background noise", "?", "00:12:03", "12:03", "lacht", "lachen",
    "Lachen", "Pause", "unverständlich, ca. 3 Sek.", "unv.", "räuspert sich", "seufzt", "hustet",
    "gleichzeitig", "durcheinander", "Stille", "rires", "rire", "pausa", "risas", "silencio",
    "pause 3 sec", "Pause, 00:02", "laughs.",
]  # fmt: skip
NOT_NOTES = [
    "management is", "hospital name", "Name", "sic", "the programme", "...", "2", "Klinikname",
    "laughs and says yes", "pause the programme", "noise level", "unclearly", "P3",
]  # fmt: skip


@pytest.mark.parametrize("inner", NOTES)
def test_a_listed_note_is_a_note(inner: str):
    assert is_transcriber_note(inner)


@pytest.mark.parametrize("inner", NOT_NOTES)
def test_the_researchers_words_are_not_notes(inner: str):
    assert not is_transcriber_note(inner)


def test_a_quote_never_loses_a_bracket_not_on_the_list():
    rng = random.Random(19)
    words = "the it programme hospital name Dr Weber management is sic was we".split()
    for _ in range(300):
        inserted = [f"[{' '.join(rng.sample(words, rng.randint(1, 3)))}]" for _ in range(3)]
        notes = [f"[{rng.choice(NOTES).strip()}]" for _ in range(2)]
        pieces = [*inserted, *notes, *rng.sample(words, 5)]
        rng.shuffle(pieces)
        line = " ".join(pieces)
        text = f"Ann: {line}\nAnn: {line}\nBen: {line}\n"
        turns = [(5, text.index("\nBen"), "Ann"), (text.index("\nBen") + 6, len(text) - 1, "Ben")]
        quote = spoken_quote(text, 0, len(text), turns)
        for bracket in inserted:
            assert quote.count(bracket) == 3 * inserted.count(bracket), (text, quote)
        assert quote.count("Ann:") == 0 and quote.count("\nBen: ") == 1


async def test_the_codebook_screen_shows_the_brackets(study: Project):
    text = study.sources.get("int12").text
    study.coding.apply("int12", *span(text, PASSAGE), "Awareness", new=True)
    app = QualcodeApp(study)
    async with app.run_test(size=(160, 30), notifications=True) as pilot:
        await pilot.press("f4")
        await wait_for(pilot, lambda: isinstance(app.screen, CodebookScreen))
        tree = app.screen.query_one(CodeTree)
        await wait_for(pilot, lambda: tree.code is not None, "the tree's cursor")
        tree.select_code(study.codebook.code("Awareness").id)
        passages = app.screen.query_one("#code-passages", DataTable)
        await wait_for(pilot, lambda: passages.row_count == 1, "the code's passage")
        await pilot.pause()
        row = passages.render_line(1).text  # under the header
        assert "[management is] very positive" in row
