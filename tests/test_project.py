"""The project facade: import, coding, undo, codebook edits, memos, as a user would use them."""

from __future__ import annotations

from pathlib import Path

import pytest

from qualcode.errors import CodebookError, ImportFormatError, ProjectError, QualcodeError
from qualcode.project import ImportOptions, Project
from tests.conftest import dump, span


@pytest.fixture
def project_path(any_project_path: Path | str) -> Path | str:
    """Every test here runs on a project file and on a project on the server."""
    return any_project_path


def test_import_keeps_the_text_whole_and_finds_the_speakers(project: Project):
    src = project.sources.get("int1")
    assert src.kind == "interview"
    assert src.text.startswith("Telephone interview, 12 March\nINTERVIEWER:")
    turns = project.sources.turns("int1")
    assert [t.speaker for t in turns] == [
        None,
        "INTERVIEWER",
        "STUDENT",
        "INTERVIEWER",
        "STUDENT",
        "INTERVIEWER",
    ]
    assert src.text[turns[4].start : turns[4].end] == (
        "Time, mostly. During the exam period I have no time at all.\n"
        "And I work two evenings a week."
    )
    panel = {s.name: s for s in project.sources.all()}["panel1"]
    assert panel.kind == "expert_panel"
    assert panel.speakers == ("Moderator", "Dr. Weber", "Prof. Lindqvist", "Ms. Adeyemi")


def test_sources_are_found_by_name_id_or_file_name(project: Project):
    src = project.sources.get("int1")
    assert project.sources.get(src.id).name == "int1"
    assert project.sources.get(str(src.id)).name == "int1"
    assert project.sources.get("INT1.txt").name == "int1"
    with pytest.raises(ProjectError, match="no source 'int9'"):
        project.sources.get("int9")


def test_importing_the_same_file_twice_is_refused(
    project: Project, project_path: Path, transcripts
):
    before = dump(project_path)
    with pytest.raises(ProjectError, match="already in the project; use --replace"):
        project.sources.import_files([transcripts["int1"]])
    assert dump(project_path) == before


def test_the_same_text_under_another_name_is_refused(project: Project, transcripts, tmp_path: Path):
    copy = tmp_path / "copy_of_int1.txt"
    copy.write_bytes(transcripts["int1"].read_bytes())
    with pytest.raises(ProjectError, match="same text as source 'int1'"):
        project.sources.import_files([copy])


def test_replace_swaps_the_text_and_says_what_codings_went(project: Project, transcripts):
    text = project.sources.get("int1").text
    project.coding.apply("int1", *span(text, "never heard of it"), "Awareness", new=True)
    transcripts["int1"].write_text("INTERVIEWER: New version.\nSTUDENT: Yes.\n")
    report = project.sources.import_files([transcripts["int1"]], ImportOptions(replace=True))
    assert report.replaced == ["int1"]
    assert report.codings_dropped == 1
    assert project.sources.get("int1").text == "INTERVIEWER: New version.\nSTUDENT: Yes.\n"
    assert project.coding.codings(source="int1") == []


def test_one_bad_file_imports_nothing(project_path: Path, transcripts, tmp_path: Path):
    bad = tmp_path / "broken.docx"
    bad.write_bytes(b"PK\x03\x04 this is not really a docx")
    with Project.create(project_path, coder="anna") as p:
        before = dump(project_path)
        with pytest.raises(ImportFormatError) as info:
            p.sources.import_files([transcripts["int1"], bad])
        assert "broken.docx" in str(info.value)
        assert "\n" not in str(info.value)
        assert dump(project_path) == before


def test_attributes_come_from_a_sheet(project: Project, tmp_path: Path):
    sheet = tmp_path / "attributes.csv"
    sheet.write_text("source,cohort,role\nint1.txt,2021,student\nghost,2020,student\n")
    report_count = project.sources.import_attributes(sheet)
    assert report_count == 1
    assert dict(project.sources.get("int1").attributes) == {"cohort": "2021", "role": "student"}


def test_code_then_codings_gives_back_the_exact_quote(project: Project):
    text = project.sources.get("int1").text
    start, end = span(text, "I had never heard of it before you called.")
    result = project.coding.apply("int1", start, end, "Awareness", memo="clear case", new=True)
    assert result.code_created
    assert result.coding is not None and result.coding.coder == "anna"
    [seg] = project.coding.codings(code="Awareness")
    assert seg.text == "I had never heard of it before you called."
    assert (seg.coding.start, seg.coding.end, seg.coding.memo) == (start, end, "clear case")
    assert seg.speaker == "STUDENT"
    assert seg.source == "int1"


def test_applying_the_same_code_twice_is_a_no_op(project: Project):
    start, end = span(project.sources.get("int1").text, "Time, mostly.")
    assert project.coding.apply("int1", start, end, "Time", new=True).coding is not None
    assert project.coding.apply("int1", start, end, "Time", new=True).coding is None
    assert len(project.coding.codings()) == 1
    # ...but another coder may code the same span
    assert (
        project.coding.apply("int1", start, end, "Time", coder="ben", new=True).coding is not None
    )
    assert sorted(s.coding.coder for s in project.coding.codings()) == ["anna", "ben"]


def test_a_new_code_path_creates_its_parents(project: Project):
    start, end = span(project.sources.get("int1").text, "exam period")
    project.coding.apply("int1", start, end, "Barriers/Time constraints", new=True, parents=True)
    book = project.codebook.book()
    assert [book.path(c) for c in book] == ["Barriers", "Barriers/Time constraints"]
    project.coding.apply("int1", start, end + 1, "Time constraints", new=True)  # by name now
    assert len(project.codebook.book()) == 2


@pytest.mark.parametrize(
    "start,end,message",
    [
        (-1, 5, "outside source 'int1'"),
        (5, 5, "start must be before end"),
        (10, 3, "start must be before end"),
        (0, 10_000, "outside source 'int1'"),
    ],
)
def test_offsets_outside_the_source_are_refused(
    project: Project, project_path: Path, start: int, end: int, message: str
):
    before = dump(project_path)
    with pytest.raises(ProjectError, match=message):
        project.coding.apply("int1", start, end, "Awareness", new=True)
    assert dump(project_path) == before


def test_uncode_and_undo_restore_the_previous_state(project: Project, project_path: Path):
    text = project.sources.get("int1").text
    before = dump(project_path)
    a = span(text, "never heard of it")
    project.coding.apply("int1", *a, "Awareness", new=True)
    after_apply = [s.text for s in project.coding.codings()]
    assert project.coding.undo() == "apply"
    assert project.coding.codings() == []
    assert project.coding.redo() == "apply"
    assert [s.text for s in project.coding.codings()] == after_apply
    assert project.coding.remove("int1", *a, "Awareness") == 1
    assert project.coding.codings() == []
    assert project.coding.undo() == "remove"
    assert [s.text for s in project.coding.codings()] == after_apply
    assert project.coding.undo() == "apply"
    assert project.coding.undo() is None
    # back to the start, but for the code the first apply created and the history
    assert project.coding.codings() == []
    assert len(dump(project_path)) > len(before)


def test_undo_is_per_coder(project: Project):
    text = project.sources.get("int1").text
    project.coding.apply("int1", *span(text, "Time, mostly."), "Time", coder="anna", new=True)
    project.coding.apply("int1", *span(text, "exam period"), "Time", coder="ben", new=True)
    assert project.coding.undo(coder="anna") == "apply"
    assert [s.coding.coder for s in project.coding.codings()] == ["ben"]


def test_undo_and_redo_steps_name_the_code_and_the_place(project: Project):
    text = project.sources.get("int1").text
    a = span(text, "exam period")
    project.codebook.add_code("Barriers")
    time = project.codebook.add_code("Time", parent="Barriers")
    project.coding.apply("int1", *a, "Barriers/Time")
    undone = project.coding.undo_step()
    assert undone is not None and (undone.op, undone.added) == ("apply", False)
    [place] = undone.places
    assert (place.code, place.source, place.start, place.end) == (time, "int1", *a)
    redone = project.coding.redo_step()
    assert redone is not None and redone.added
    assert [p.code for p in redone.places] == [time]
    project.codebook.delete_code("Barriers", with_codings=True)
    gone = project.coding.undo_step()
    assert gone is not None and [p.code_name for p in gone.places] == ["a deleted code"]


def test_a_new_operation_ends_the_redo_chain(project: Project):
    text = project.sources.get("int1").text
    project.coding.apply("int1", *span(text, "Time, mostly."), "Time", new=True)
    project.coding.undo()
    project.coding.apply("int1", *span(text, "exam period"), "Time", new=True)
    assert project.coding.redo() is None
    assert [s.text for s in project.coding.codings()] == ["exam period"]


def test_remove_of_a_coding_that_is_not_there(project: Project):
    project.codebook.add_code("Awareness")
    with pytest.raises(ProjectError, match="no coding of 'Awareness'"):
        project.coding.remove("int1", 0, 5, "Awareness")


def test_code_every_match_of_a_pattern(project: Project):
    made = project.coding.code_matches(None, r"\btime\b", "Time", unit="match", new=True)
    quotes = sorted(s.text for s in project.coding.codings(code="Time"))
    assert len(made.codings) == 3
    assert quotes == ["Time", "time", "time"]
    assert project.coding.undo() == "apply"
    assert project.coding.codings() == []


def test_match_codes_sentences_by_default_and_refuses_a_typo(project: Project):
    project.codebook.add_code("Time")
    with pytest.raises(CodebookError, match="did you mean 'Time'"):
        project.coding.code_matches("int1", r"time", "Tme")
    project.coding.code_matches("int1", r"\btime\b|\bno\b", "Time")
    quotes = [s.text for s in project.coding.codings(code="Time")]
    # "no time" matches twice in one sentence, which is coded once.
    assert sorted(quotes) == [
        "During the exam period I have no time at all.",
        "Honestly, no.",
        "Time, mostly.",
    ]


def test_rename_move_merge_and_delete_codes(project: Project):
    text = project.sources.get("int1").text
    project.codebook.add_code("Barriers")
    project.codebook.add_code(
        "Time", "Barriers", definition="Lack of time", keywords=("exam", "busy")
    )
    project.codebook.add_code("Workload")
    project.coding.apply("int1", *span(text, "Time, mostly."), "Time", new=True)
    project.coding.apply("int1", *span(text, "work two evenings"), "Workload", new=True)
    project.coding.apply("int1", *span(text, "Time, mostly."), "Workload", new=True)
    project.codebook.rename_code("Barriers/Time", "Time constraints")
    assert project.codebook.code("Time constraints").definition == "Lack of time"
    project.codebook.move_code("Workload", "Barriers")
    assert project.codebook.book().path(project.codebook.code("Workload")) == "Barriers/Workload"
    moved = project.codebook.merge_codes("Workload", "Time constraints")
    assert moved == 1  # the span both codes had is kept once
    quotes = sorted(s.text for s in project.coding.codings(code="Time constraints"))
    assert quotes == ["Time, mostly.", "work two evenings"]
    with pytest.raises(CodebookError):
        project.codebook.code("Workload")
    with pytest.raises(CodebookError, match="has 2 coding"):
        project.codebook.delete_code("Barriers")
    assert project.codebook.delete_code("Barriers", with_codings=True) == 2
    assert len(project.codebook.book()) == 0 and project.coding.codings() == []


def test_tree_edits_that_would_break_the_tree_are_refused(project: Project, project_path):
    project.codebook.add_code("A")
    project.codebook.add_code("B", "A")
    project.codebook.add_code("D")
    project.codebook.add_code("B", "D")
    project.codebook.add_code("C", "A")
    before = dump(project_path)
    with pytest.raises(CodebookError, match="under itself"):
        project.codebook.move_code("A", "A/B")
    with pytest.raises(CodebookError, match="already exists"):
        project.codebook.rename_code("A/C", "b")  # sibling names are unique whatever their case
    with pytest.raises(CodebookError, match="already exists"):
        project.codebook.move_code("A/B", "D")
    with pytest.raises(CodebookError, match="ambiguous"):
        project.codebook.code("B")
    with pytest.raises(CodebookError, match="into itself"):
        project.codebook.merge_codes("A", "A")
    assert dump(project_path) == before


def test_memos_on_project_source_code_and_coding(project: Project):
    r = project.coding.apply("int1", 0, 9, "Context", new=True)
    assert r.coding is not None
    project.coding.add_memo("First impressions")
    project.coding.add_memo("Short call", source="int1")
    project.coding.add_memo("Covers the setting", code="Context")
    project.coding.add_memo("Check this", coding=r.coding.id)
    assert [(m.target, m.text, m.coder) for m in project.coding.memos()] == [
        ("project", "First impressions", "anna"),
        ("source", "Short call", "anna"),
        ("code", "Covers the setting", "anna"),
        ("coding", "Check this", "anna"),
    ]
    with pytest.raises(ProjectError):
        project.coding.add_memo("   ")


def test_a_memo_made_with_a_coding_is_listed_with_the_memos(project: Project):
    r = project.coding.apply("int1", 0, 9, "Context", memo="made while coding", new=True)
    assert r.coding is not None
    project.coding.add_memo("On the project")
    later = project.coding.apply("int1", 10, 20, "Context")
    assert later.coding is not None
    project.coding.set_coding_memo(later.coding.id, "written afterwards")
    listed = [(m.target, m.target_id, m.text) for m in project.coding.memos()]
    assert ("coding", r.coding.id, "made while coding") in listed
    assert ("coding", later.coding.id, "written afterwards") in listed
    assert ("project", None, "On the project") in listed
    assert [m.text for m in project.coding.memos(target="coding", target_id=r.coding.id)] == [
        "made while coding"
    ]


def test_survey_answers_import_with_their_codes(tmp_path: Path):
    sheet = tmp_path / "answers.csv"
    sheet.write_text(
        "id,answer,cohort,codes\n"
        "s1,I never heard of the programme,2021,awareness\n"
        "s2,No time during exams,2022,time; exams\n"
        "s3,No time during exams,2022,time\n"
        "s4,,2022,\n",
        encoding="utf-8",
    )
    with Project.create(tmp_path / "survey.qcdb") as p:
        report = p.sources.import_responses(
            sheet,
            ImportOptions(
                text_column="answer", id_column="id", codes_column="codes", coder="rater1"
            ),
        )
        assert report.added == ["s1", "s2", "s3"]
        assert sorted(report.codes_created) == ["awareness", "exams", "time"]
        assert report.codings_added == 4
        s2 = p.sources.get("s2")
        assert (s2.kind, dict(s2.attributes)) == ("response", {"cohort": "2022"})
        segs = p.coding.codings(source="s2")
        assert sorted(s.code for s in segs) == ["exams", "time"]
        assert all(s.text == "No time during exams" and s.coding.coder == "rater1" for s in segs)
        with pytest.raises(QualcodeError, match="already in the project"):
            p.sources.import_responses(sheet, ImportOptions(text_column="answer", id_column="id"))


def test_a_german_project_keeps_its_language(tmp_path: Path):
    f = tmp_path / "interview_de.txt"
    f.write_text(
        "Interviewerin: Kennen Sie das Mentoringprogramm?\n"
        "Studentin: Ähm, nein, davon habe ich noch nie gehört.\n",
        encoding="utf-8",
    )
    with Project.create(tmp_path / "de.qcdb", language="de") as p:
        p.sources.import_files([f])
        assert p.sources.get("interview_de").language == "de"
        assert [t.speaker for t in p.sources.turns("interview_de")] == [
            "Interviewerin",
            "Studentin",
        ]
