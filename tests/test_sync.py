"""clone, push and pull between a local copy and the project it came from.

The origin here is a project file: the sync code does not know which engine is behind a
project, and tests/test_sync_server.py runs the same round trip against a real PostgreSQL.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from qualcode.cli import app
from qualcode.errors import ProjectError
from qualcode.project import Project
from qualcode.project.sync import clone, pull, push
from tests.conftest import dump, span

QUIET = "Honestly, no."
NEVER = "I had never heard of it before you called."
TIME = "Time, mostly."
EXAMS = "During the exam period I have no time at all."


@pytest.fixture
def origin(project: Project, project_path: Path) -> Path:
    """The team's project: a codebook, and codings by anna and ben."""
    text = project.sources.get("int1").text
    project.codebook.add_code("Awareness", definition="Knowing the programme exists.")
    project.codebook.add_code("Time constraints")
    project.coding.apply("int1", *span(text, QUIET), "Awareness", coder="anna")
    project.coding.apply("int1", *span(text, NEVER), "Awareness", coder="ben")
    project.coding.apply("int1", *span(text, TIME), "Time constraints", coder="ben")
    project.coding.add_memo("lead's note on awareness", code="Awareness")
    return project_path


def _quotes(path: Path, coder: str | None = None) -> set[tuple[str, str, str]]:
    with Project.open(path) as p:
        return {
            (s.coding.coder, p.codebook.code(s.coding.code_id).name, s.text)
            for s in p.coding.codings()
            if coder is None or s.coding.coder == coder
        }


def _code(path: Path, quote: str, code: str, coder: str, **kw: object) -> None:
    with Project.open(path) as p:
        p.coding.apply("int1", *span(p.sources.get("int1").text, quote), code, coder=coder, **kw)


def _uncode(path: Path, quote: str, code: str, coder: str) -> None:
    with Project.open(path) as p:
        p.coding.remove("int1", *span(p.sources.get("int1").text, quote), code, coder=coder)


def _undated(lines: list[str]) -> list[str]:
    """A dump without the time of the last pull, which a pull records even when it brings
    nothing."""
    return [line for line in lines if "'sync.pulled_at'" not in line]


def test_clone_copies_everything_and_remembers_its_origin(origin: Path, tmp_path: Path):
    local = tmp_path / "anna.qcdb"
    report = clone(str(origin), local, coder="anna")
    assert report.summary() == f"cloned {origin} for anna: 3 codings, 1 memo"
    assert _quotes(local) == _quotes(origin)
    with Project.open(local) as p, Project.open(origin) as o:
        settings = p.context.settings()
        assert settings.sync_origin == str(origin) and settings.sync_coder == "anna"
        assert settings.sync_cloned_at and p.context.coder == "anna"
        assert [s.name for s in p.sources.all()] == [s.name for s in o.sources.all()]
        assert p.sources.get("int1").text == o.sources.get("int1").text
        assert [m.text for m in p.coding.memos()] == ["lead's note on awareness"]
    with pytest.raises(ProjectError, match="already exists"):
        clone(str(origin), local)


def test_push_sends_new_and_removed_codings_and_twice_changes_nothing(origin, tmp_path):
    local = tmp_path / "anna.qcdb"
    clone(str(origin), local, coder="anna")
    _code(local, TIME, "Time constraints", "anna")
    _code(local, EXAMS, "Time constraints", "anna", memo="exams")
    _uncode(local, QUIET, "Awareness", "anna")
    with Project.open(local) as p:
        p.coding.add_memo("anna: time is the main barrier", code="Time constraints")

    report = push(local)
    assert report.summary() == "pushed 2 new codings, 1 removal, 1 memo"
    assert not report.conflicts and not report.notes
    assert _quotes(origin, "anna") == {
        ("anna", "Time constraints", TIME),
        ("anna", "Time constraints", EXAMS),
    }
    assert _quotes(origin, "ben") == _quotes(local, "ben")  # ben's work untouched
    with Project.open(origin) as o:
        assert "anna: time is the main barrier" in {m.text for m in o.coding.memos()}
        assert "exams" in {m.text for m in o.coding.memos(target="coding")}
    before = dump(origin)
    again = push(local)
    assert again.summary() == "pushed 0 new codings, 0 removals, 0 memos"
    assert dump(origin) == before


def test_push_sends_only_the_clones_coder_and_says_so(origin, tmp_path):
    local = tmp_path / "anna.qcdb"
    clone(str(origin), local, coder="anna")
    _code(local, EXAMS, "Time constraints", "carl")
    _uncode(local, NEVER, "Awareness", "ben")
    report = push(local)
    assert report.summary() == "pushed 0 new codings, 0 removals, 0 memos"
    assert report.notes == [
        "1 coding by carl made in this copy is not pushed: a push sends only anna's work",
        "1 coding by ben removed in this copy is not pushed: a push sends only anna's work",
    ]
    assert ("ben", "Awareness", NEVER) in _quotes(origin)
    assert "carl" not in {c for c, _, _ in _quotes(origin)}


def test_pull_brings_others_work_and_their_removals(origin, tmp_path):
    local = tmp_path / "anna.qcdb"
    clone(str(origin), local, coder="anna")
    _code(origin, EXAMS, "Time constraints", "ben")
    _uncode(origin, TIME, "Time constraints", "ben")
    with Project.open(origin) as o:
        o.codebook.add_code("Recognition", definition="Mentors want their time recognised.")
        o.sources.import_files(
            [_write(tmp_path, "int2.txt", "STUDENT: I would need credit for it.\n")]
        )
        o.coding.apply("int2", 0, 8, "Recognition", coder="ben")
    report = pull(local)
    assert report.summary() == "pulled 2 new codings, 1 removal, 0 memos"
    assert _quotes(local) == _quotes(origin)
    with Project.open(local) as p:
        assert p.codebook.code("Recognition").definition == "Mentors want their time recognised."
        assert "int2" in {s.name for s in p.sources.all()}
    before = _undated(dump(local))
    assert pull(local).summary() == "pulled 0 new codings, 0 removals, 0 memos"
    assert _undated(dump(local)) == before  # all but when it last pulled


def test_pull_keeps_a_removal_waiting_to_be_pushed(origin, tmp_path):
    local = tmp_path / "anna.qcdb"
    clone(str(origin), local, coder="anna")
    _uncode(local, QUIET, "Awareness", "anna")
    report = pull(local)
    assert report.summary() == "pulled 0 new codings, 0 removals, 0 memos"
    assert report.notes == [
        "1 coding removed here and still on the server stays removed here; push to remove "
        "them there"
    ]
    assert ("anna", "Awareness", QUIET) not in _quotes(local)
    assert push(local).codings_removed == 1
    assert ("anna", "Awareness", QUIET) not in _quotes(origin)


def test_push_lists_conflicts_and_never_resolves_them(origin, tmp_path):
    local = tmp_path / "anna.qcdb"
    clone(str(origin), local, coder="anna")
    # offline: a code the server lacks, a source the server lacks, a coding on a good code
    _code(local, EXAMS, "Workload", "anna", new=True)
    with Project.open(local) as p:
        p.sources.import_files([_write(tmp_path, "int3.txt", "STUDENT: My own interview.\n")])
        p.coding.apply("int3", 0, 7, "Awareness", coder="anna")
    _code(local, TIME, "Time constraints", "anna")
    # meanwhile on the server: the lead changes the codebook and removes anna's coding
    with Project.open(origin) as o:
        o.codebook.add_code("Recognition")
        o.codebook.update_code("Awareness", definition="Has heard of the programme.")
    _uncode(origin, QUIET, "Awareness", "anna")

    report = push(local)
    assert report.summary() == "pushed 1 new coding, 0 removals, 0 memos; 4 conflicts:"
    assert report.conflicts == [
        "the codebook changed on the server since this copy last synced (added "
        "'Recognition'; redefined 'Awareness'); pull to get it",
        "1 coding of code 'Workload', which the server's codebook does not have (removed "
        "there, or added here): not pushed; the lead adds codes",
        "1 coding of source 'int3', whose text the server does not have (it differs there, "
        "or the source is not there): not pushed",
        "1 coding of yours was removed on the server since this copy last synced (e.g. "
        "'Awareness' on 'Honestly, no.' in 'int1'): not pushed again; pull to remove them "
        "here",
    ]
    with Project.open(origin) as o:
        assert "Workload" not in {c.name for c in o.codebook.book()}
        assert "int3" not in {s.name for s in o.sources.all()}
    assert _quotes(origin, "anna") == {("anna", "Time constraints", TIME)}
    before = dump(origin)
    again = push(local)
    assert again.codings_added == 0 and len(again.conflicts) == 4
    assert dump(origin) == before
    # a pull settles the server's side: its removal and its codebook come here
    pulled = pull(local)
    assert pulled.codings_removed == 1
    assert ("anna", "Awareness", QUIET) not in _quotes(local)
    after = push(local)
    assert len(after.conflicts) == 2  # the local code and the local source remain


def test_a_project_that_is_not_a_clone_is_refused(origin, tmp_path):
    with pytest.raises(ProjectError, match="is not a copy of a server project"):
        push(origin)


def test_the_commands_print_counts_and_conflicts(origin, tmp_path):
    runner = CliRunner()
    local = tmp_path / "anna.qcdb"
    result = runner.invoke(app, ["clone", str(origin), str(local), "--coder", "anna"])
    assert result.exit_code == 0, result.output
    assert result.output == f"cloned {origin} for anna: 3 codings, 1 memo\n"
    _code(local, EXAMS, "Workload", "anna", new=True)
    _code(local, TIME, "Time constraints", "anna")
    result = runner.invoke(app, ["push", str(local)])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [
        "pushed 1 new coding, 0 removals, 0 memos; 1 conflict:",
        "  1 coding of code 'Workload', which the server's codebook does not have (removed "
        "there, or added here): not pushed; the lead adds codes",
    ]
    result = runner.invoke(app, ["pull", str(local)])
    assert result.output == "pulled 0 new codings, 0 removals, 0 memos\n"
    result = runner.invoke(app, ["push", str(origin)])
    assert result.exit_code == 1
    assert result.output.startswith(f"qualcode: error: {origin}: is not a copy of a server")


def _write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def test_codings_of_a_child_code_are_pushed_and_removed_under_its_path(origin, tmp_path):
    with Project.open(origin) as o:
        o.codebook.add_code("Exams", parent="Time constraints")
    local = tmp_path / "anna.qcdb"
    clone(str(origin), local, coder="anna")
    _code(local, EXAMS, "Time constraints/Exams", "anna")
    assert push(local).summary() == "pushed 1 new coding, 0 removals, 0 memos"
    with Project.open(origin) as o:
        [coding] = [s for s in o.coding.codings() if s.coding.coder == "anna" and s.text == EXAMS]
        assert o.codebook.book().path(coding.coding.code_id) == "Time constraints/Exams"
    _uncode(local, EXAMS, "Time constraints/Exams", "anna")
    assert push(local).summary() == "pushed 0 new codings, 1 removal, 0 memos"
    assert EXAMS not in {text for _, _, text in _quotes(origin, "anna")}
