"""What a coder's open window keeps of the codebook, the sources and its coder id on a server
(qualcode.store.catalog) follows every change the lead or anyone else makes: a code added,
renamed or deleted, a source replaced, the codebook renamed, a coder taken off the team, a
change rolled back. Each coder window below stays open across the change, as a workbench
does, and has coded once before it, so what it reads is kept."""

from __future__ import annotations

import pytest

from qualcode.errors import CodebookError, QualcodeError
from qualcode.project import ImportOptions, Project
from qualcode.store import server
from qualcode.store.settings import SettingKey
from tests.conftest import INTERVIEW, span
from tests.server_team import Team

TIME = span(INTERVIEW, "Time, mostly.")  # coded by no one yet
HONESTLY = span(INTERVIEW, "Honestly, no.")


@pytest.fixture
def anna(team: Team):
    """anna's window, open for the whole test, having coded once."""
    with Project.open(team.url("anna")) as p:
        p.coding.apply("int1", *HONESTLY, "Awareness")
        yield p


def test_a_code_the_lead_adds_is_there_for_an_open_window(team: Team, anna: Project):
    with Project.open(team.url("lena")) as lena:
        lena.codebook.add_code("Barriers")
    made = anna.coding.apply("int1", *TIME, "Barriers")
    assert made.coding is not None and made.code.name == "Barriers"
    assert [c.name for c in anna.codebook.book()] == ["Awareness", "Barriers"]
    found = {(c.code, c.coding.coder) for c in anna.coding.codings(code="Barriers")}
    assert found == {("Barriers", "anna")}


def test_a_renamed_code_is_coded_under_its_new_name_only(team: Team, anna: Project):
    with Project.open(team.url("lena")) as lena:
        lena.codebook.rename_code("Awareness", "Knowing of it")
    with pytest.raises(CodebookError, match="no code 'Awareness'"):
        anna.coding.apply("int1", *TIME, "Awareness")
    assert anna.context.store.counts()["codings"] == 4  # the team's three and anna's first
    made = anna.coding.apply("int1", *TIME, "Knowing of it")
    assert made.code.name == "Knowing of it" and made.coding is not None
    assert made.coding.code_id == anna.codebook.code("Knowing of it").id


def test_a_deleted_code_is_refused_not_coded(team: Team, anna: Project):
    with Project.open(team.url("lena")) as lena:
        lena.codebook.add_code("Doomed")
    anna.coding.apply("int1", *TIME, "Doomed")
    anna.coding.undo()
    with Project.open(team.url("lena")) as lena:
        lena.codebook.delete_code("Doomed")
    with pytest.raises(CodebookError, match="no code 'Doomed'"):
        anna.coding.apply("int1", *TIME, "Doomed")
    assert "Doomed" not in [c.name for c in anna.codebook.book()]


def test_a_replaced_source_is_checked_against_its_new_text(team: Team, anna: Project, tmp_path):
    shorter = tmp_path / "int1.txt"
    shorter.write_text("STUDENT: Yes.\n", encoding="utf-8")
    with Project.open(team.url("lena")) as lena:
        lena.sources.import_files([shorter], ImportOptions(kind="interview", replace=True))
        new_id = lena.sources.get("int1").id
    with pytest.raises(QualcodeError, match=r"outside source 'int1' \(its text is 0\.\.14\)"):
        anna.coding.apply("int1", *TIME, "Awareness")
    made = anna.coding.apply("int1", 9, 13, "Awareness")
    assert made.coding is not None and made.coding.source_id == new_id


def test_the_codebook_name_the_lead_sets_is_read(team: Team, anna: Project):
    assert anna.codebook.book().name == ""
    with Project.open(team.url("lena")) as lena:
        lena.context.set_setting(SettingKey.CODEBOOK_NAME, "Mentoring v2")
    assert anna.codebook.book().name == "Mentoring v2"


def test_a_coder_taken_off_the_team_can_no_longer_code_from_an_open_window(
    team: Team, anna: Project
):
    with Project.open(team.url("lena")) as lena:
        lena.team.remove_coder("anna")
    with pytest.raises(QualcodeError, match="refused by the server") as refused:
        anna.coding.apply("int1", *TIME, "Awareness")
    assert "\n" not in str(refused.value)
    with Project.open(team.url("lena")) as lena:
        assert [c.coding.coder for c in lena.coding.codings()].count("anna") == 2  # as before


def test_a_codebook_change_rolled_back_is_never_read_again(team: Team):
    with Project.open(team.url("lena")) as lena:
        with pytest.raises(RuntimeError), lena.context.store.atomic():
            lena.codebook.add_code("Ghost")
            assert "Ghost" in [c.name for c in lena.codebook.book()]  # read inside, then undone
            raise RuntimeError("changed my mind")
        assert "Ghost" not in [c.name for c in lena.codebook.book()]
        with Project.open(team.url("lena")) as other_window:
            other_window.codebook.add_code("Real")  # the version moves on once more
        assert [c.name for c in lena.codebook.book()] == ["Awareness", "Real"]


def test_a_coders_first_coding_rolled_back_leaves_no_coder_id_behind(team: Team, pg_database: str):
    team.server.admin(pg_database).execute(f'CREATE ROLE carl LOGIN IN ROLE "{pg_database}_coders"')
    with Project.open(team.url("carl")) as carl:
        with pytest.raises(CodebookError), carl.context.store.atomic():
            carl.coding.apply("int1", *TIME, "Awareness")  # carl's row in coders is added
            carl.coding.apply("int1", *TIME, "No such code")
        assert "carl" not in carl.context.coders()
        made = carl.coding.apply("int1", *TIME, "Awareness")
        assert made.coding is not None and made.coding.coder == "carl"
        assert "carl" in carl.context.coders()


def test_a_project_set_up_before_the_catalog_version_is_coded_and_then_upgraded(
    team: Team, pg_database: str, anna: Project
):
    with team.server.admin(pg_database) as conn:
        for table in server.CATALOG_TABLES:
            conn.execute(f"DROP TRIGGER qualcode_catalog_changed ON {table}")
        conn.execute("DELETE FROM meta WHERE key = %s", (server.CATALOG_KEY,))
    with Project.open(team.url("bob")) as bob:  # a coder may not install it: nothing kept
        bob.coding.apply("int1", *HONESTLY, "Awareness")
        with Project.open(team.url("lena")) as lena:  # the owner opening it installs it
            assert lena.context.settings().server_catalog_version is not None
            lena.codebook.rename_code("Awareness", "Knowing of it")
        assert bob.coding.apply("int1", *TIME, "Knowing of it").coding is not None
    with pytest.raises(CodebookError, match="no code 'Awareness'"):
        anna.coding.apply("int1", *TIME, "Awareness")


def test_coding_matches_again_on_a_server_adds_only_what_is_new(team: Team, anna: Project):
    first = anna.coding.code_matches("int1", r"heard", "Awareness")
    again = anna.coding.code_matches(None, r"heard|exam", "Awareness")
    # the interviewer's "Have you heard of ...?" is left out, as --match does by default
    assert len(first.codings) == 1 and len(again.codings) == 1 and again.already == 1
    mine = [c.coding for c in anna.coding.codings(code="Awareness", coder="anna")]
    assert len(mine) == len({(c.start, c.end) for c in mine}) == 4
    assert anna.coding.undo() == "apply"
    assert len(anna.coding.codings(code="Awareness", coder="anna")) == 3
