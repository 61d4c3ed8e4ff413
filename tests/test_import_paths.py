"""``import`` as people hold their files: a folder, a study, a sheet given as the wrong
thing. Checked through the CLI (what a user types) and the facade (what it stores)."""

from __future__ import annotations

import shutil
from dataclasses import replace
from pathlib import Path

import pytest

from qualcode.errors import ImportFormatError, ProjectError
from qualcode.project import ImportOptions, Project
from tests.conftest import dump
from tests.test_cli import run

EXAMPLES = Path(__file__).resolve().parent.parent / "transcripts_example"


@pytest.fixture
def empty(tmp_path: Path) -> Path:
    path = tmp_path / "p.qcdb"
    run("init", path, "--coder", "anna")
    return path


def test_a_study_folder_imports_codebook_kinds_languages_and_attributes(empty: Path):
    out = run("import", empty, EXAMPLES).output
    assert "Codebook: 23 code(s) added" in out
    assert "Imported 11 source(s)." in out
    with Project.open(empty) as p:
        sources = {s.name: s for s in p.context.store.list_sources()}
        assert len(sources) == 11
        assert sources["panel_01"].kind == "expert_panel"
        assert sources["interview_01"].kind == "interview"
        assert sources["interview_09_de"].language == "de"
        assert sources["interview_05"].language == "en"
        assert dict(p.sources.get("interview_01").attributes)["cohort"] == "2023"
        assert p.codebook.code("Awareness").name == "Awareness"
        assert p.context.settings().name == "Mentoring programme needs analysis"


def test_the_manifest_itself_imports_the_study_as_the_folder_does(empty: Path):
    run("import", empty, EXAMPLES / "study.yaml")
    with Project.open(empty) as p:
        assert len(p.sources.all()) == 11


def test_a_folder_without_a_manifest_imports_every_transcript(empty: Path, tmp_path: Path):
    folder = tmp_path / "calls"
    folder.mkdir()
    for name in ("interview_01.txt", "interview_02.docx", "interview_05.vtt", "attributes.csv"):
        shutil.copy(EXAMPLES / name, folder / name)
    out = run("import", empty, folder).output
    assert "Imported 3 source(s)." in out
    assert "attributes.csv" in out and "--attributes" in out
    run("import", empty, "--attributes", folder / "attributes.csv")
    with Project.open(empty) as p:
        assert sorted(s.name for s in p.sources.all()) == [
            "interview_01",
            "interview_02",
            "interview_05",
        ]
        assert dict(p.sources.get("interview_05").attributes)["site"] == "Campus South"


def test_attributes_given_as_a_codebook_say_to_use_attributes(empty: Path):
    before = dump(empty)
    result = run("import", empty, EXAMPLES / "attributes.csv", ok=False)
    assert result.exit_code == 1
    assert "holds case attributes" in result.output
    assert "--attributes attributes.csv" in result.output
    assert len(result.output.strip().splitlines()) == 1
    assert dump(empty) == before


def test_a_survey_sheet_without_text_column_lists_its_columns(empty: Path, tmp_path: Path):
    sheet = tmp_path / "answers.csv"
    sheet.write_text("respondent,answer,age\nr1,No time at all,22\n", encoding="utf-8")
    result = run("import", empty, sheet, ok=False)
    assert "--text-column" in result.output
    assert "'respondent', 'answer', 'age'" in result.output
    out = run("import", empty, sheet, "--text-column", "answer", "--id-column", "respondent")
    assert "Imported 1 response(s)." in out.output


def test_one_bad_file_in_a_folder_imports_nothing(tmp_path: Path):
    folder = tmp_path / "calls"
    folder.mkdir()
    shutil.copy(EXAMPLES / "interview_01.txt", folder / "interview_01.txt")
    (folder / "broken.docx").write_bytes(b"not a zip at all")
    with Project.create(tmp_path / "p.qcdb") as p:
        with pytest.raises(ImportFormatError, match=r"broken\.docx"):
            p.sources.import_paths([folder])
        assert p.sources.all() == []


def test_a_manifest_naming_a_missing_file_is_refused_with_the_entry(tmp_path: Path):
    (tmp_path / "study.yaml").write_text(
        "name: X\nsources:\n  - {file: one.txt}\n  - {file: two.txt, kind: interview}\n",
        encoding="utf-8",
    )
    (tmp_path / "one.txt").write_text("I: Hello.\nR: Hi.\n", encoding="utf-8")
    with Project.create(tmp_path / "p.qcdb") as p:
        with pytest.raises(ImportFormatError, match=r"study.yaml, source 2: 'two.txt' is not"):
            p.sources.import_paths([tmp_path])
        assert p.sources.all() == []


def test_init_and_a_qdpx_import_give_the_same_default_coder(tmp_path: Path, demo_file: Path):
    exported = tmp_path / "study.qdpx"
    run("export", demo_file, exported)
    run("init", tmp_path / "a.qcdb")
    run("import", tmp_path / "b.qcdb", exported)  # creates the project
    said = [run("coder", tmp_path / n).output.split("(")[0] for n in ("a.qcdb", "b.qcdb")]
    assert said[0] == said[1]


def test_a_manifest_of_another_name_is_known_by_its_content(tmp_path: Path):
    (tmp_path / "pilot.yaml").write_text(
        "name: Pilot\nsources:\n  - {file: one.txt, kind: focus_group}\n", encoding="utf-8"
    )
    (tmp_path / "one.txt").write_text("A: Hello there.\nB: Hi.\n", encoding="utf-8")
    with Project.create(tmp_path / "p.qcdb") as p:
        report = p.sources.import_paths([tmp_path / "pilot.yaml"])
        assert report.added == ["one"]
        assert p.sources.get("one").kind == "focus_group"


def test_a_project_whose_filling_fails_leaves_no_file(tmp_path: Path):
    """Project.build, the one way a new project is built and filled: a failure removes the
    project and its -wal and -shm files, and nothing is left under a temporary name."""
    target = tmp_path / "p.qcdb"
    with pytest.raises(ImportFormatError), Project.build(target) as p:
        p.sources.import_paths([tmp_path / "missing.txt"])
    assert list(tmp_path.iterdir()) == []
    with Project.build(target, coder="anna") as p:
        p.codebook.add_code("Awareness")
    with Project.open(target) as p:
        assert (p.context.coder, [c.name for c in p.codebook.book()]) == ("anna", ["Awareness"])
    with pytest.raises(ProjectError, match="already exists"), Project.build(target):
        pass


ANSWERS = ["Yes, very much.", "Yes, a lot.", "Oh yes, quite a bit.", "Yes, I would say so.",
           "Very much, yes.", "A lot, really."]  # fmt: skip


def _two_questions(
    path: Path, questions: tuple[str, str] = ("Did it remind you of anything?", "Did you like it?")
) -> Path:
    """A long survey sheet: the same kinds of answer to two questions, coded by question."""
    lines = ["respondent,question,answer,codes"]
    for q, code in zip(questions, ("Memory", "Liking"), strict=True):
        lines += [f'{code[0]}{i},{q},"{a}",{code}' for i, a in enumerate(ANSWERS)]
        lines.append(f'{code[0]}x,{q},"Yes, so much.",')
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_question_column_keeps_each_answers_question_for_the_suggester(empty: Path, tmp_path: Path):
    sheet = _two_questions(tmp_path / "survey.csv")
    args = ["--text-column", "answer", "--id-column", "respondent", "--codes-column", "codes"]
    out = run("import", empty, sheet, *args, "--question-column", "Question").output
    assert "Imported 14 response(s)." in out
    with Project.open(empty) as p:
        assert p.context.settings().nlp_context == "question"
        assert dict(p.sources.get("Mx").attributes)["question"] == "Did it remind you of anything?"
        best = {}
        for name in ("Mx", "Lx"):  # the same answer, "Yes, so much.", to each question
            text = p.sources.get(name).text
            best[name] = p.suggestions.suggest(name, 0, len(text), top=1, fresh=True)[0].label
    assert best == {"Mx": "Memory", "Lx": "Liking"}


def test_a_question_column_of_ids_decides_the_suggestions_as_its_wording_does(
    empty: Path, tmp_path: Path
):
    # Survey exports name their questions by id far more often than by wording: "Q1" is no
    # word, but a category of its own.
    sheet = _two_questions(tmp_path / "survey.csv", ("Q1", "N3"))
    args = ["--text-column", "answer", "--id-column", "respondent", "--codes-column", "codes"]
    run("import", empty, sheet, *args, "--question-column", "question")
    with Project.open(empty) as p:
        assert dict(p.sources.get("Lx").attributes)["question"] == "N3"
        best = {}
        for name in ("Mx", "Lx"):  # the same answer, "Yes, so much.", to each question
            text = p.sources.get(name).text
            [first] = p.suggestions.suggest(name, 0, len(text), top=1, fresh=True)
            best[name] = first.label, first.score
        recorded = p.context.settings().nlp_suggesters
    assert {name: label for name, (label, _) in best.items()} == {"Mx": "Memory", "Lx": "Liking"}
    assert all(score > 0.5 for _, score in best.values())
    assert recorded.startswith("qualcode.combined.v4 ")


def test_question_column_is_checked_before_anything_is_written(empty: Path, tmp_path: Path):
    sheet = _two_questions(tmp_path / "survey.csv")
    before = dump(empty)
    result = run("import", empty, sheet, "--text-column", "answer", "--question-column", "topic",
                 ok=False)  # fmt: skip
    assert f"{sheet}: has no column 'topic'; the columns are: 'respondent', 'question'" in (
        result.output
    )
    result = run("import", empty, sheet, "--question-column", "question", ok=False)
    assert "--question-column is for a survey sheet: give --text-column too" in result.output
    result = run(
        "import", empty, sheet, "--text-column", "answer", "--question-column", "answer", ok=False
    )
    assert "column 'answer' cannot be the question and the answer, id or codes" in result.output
    assert dump(empty) == before


def test_the_options_given_once_reach_every_transcript_of_a_folder(tmp_path: Path):
    folder = tmp_path / "calls"
    folder.mkdir()
    (folder / "one.txt").write_text("MOD: Hallo zusammen.\nP1: Hallo.\n", encoding="utf-8")
    (folder / "two.txt").write_text("MOD: Noch eine Runde.\nP2: Gut.\n", encoding="utf-8")
    options = ImportOptions(kind="focus_group", language="de")
    with Project.create(tmp_path / "p.qcdb") as p:
        p.sources.import_paths([folder], options)
        got = {s.name: (s.kind, s.language) for s in map(p.sources.get, ("one", "two"))}
        assert got == {"one": ("focus_group", "de"), "two": ("focus_group", "de")}
        (folder / "one.txt").write_text("MOD: Neu.\nP1: Ja.\n", encoding="utf-8")
        with pytest.raises(ProjectError, match="--replace"):
            p.sources.import_paths([folder / "one.txt"], options)
        report = p.sources.import_paths([folder / "one.txt"], replace(options, replace=True))
        assert report.replaced == ["one"]


def test_a_dry_run_of_anything_but_refi_files_is_refused_and_writes_nothing(tmp_path: Path):
    (tmp_path / "one.txt").write_text("I: Hello.\nR: Hi.\n", encoding="utf-8")
    with Project.create(tmp_path / "p.qcdb") as p:
        with pytest.raises(ProjectError, match="--dry-run is for REFI-QDA files"):
            p.sources.import_paths([tmp_path / "one.txt"], ImportOptions(dry_run=True))
        assert p.sources.all() == []
