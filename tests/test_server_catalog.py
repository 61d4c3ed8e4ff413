"""What a coder's open window keeps of the codebook, the sources and its coder id on a server
(qualcode.store.catalog) follows every change the lead or anyone else makes: a code added,
renamed or deleted, a source replaced, the codebook renamed, a coder taken off the team, a
change rolled back. Each coder window below stays open across the change, as a workbench
does, and has coded once before it, so what it reads is kept."""

from __future__ import annotations

import pytest

from qualcode.errors import CodebookError, QualcodeError
from qualcode.project import Project
from qualcode.store import server
from tests.conftest import INTERVIEW, span
from tests.server_team import Team

TIME = span(INTERVIEW, "Time, mostly.")  # coded by no one yet
HONESTLY = span(INTERVIEW, "Honestly, no.")


@pytest.fixture
def anna(team: Team):
    """anna's window, open for the whole test, having coded once."""
    with Project.open(team.url("anna")) as p:
        p.apply_code("int1", *HONESTLY, "Awareness")
        yield p


def test_a_code_the_lead_adds_is_there_for_an_open_window(team: Team, anna: Project):
    with Project.open(team.url("lena")) as lena:
        lena.add_code("Barriers")
    made = anna.apply_code("int1", *TIME, "Barriers")
    assert made.coding is not None and made.code.name == "Barriers"
    assert [c.name for c in anna.codebook()] == ["Awareness", "Barriers"]
    found = {(c.code, c.coding.coder) for c in anna.codings(code="Barriers")}
    assert found == {("Barriers", "anna")}


def test_a_renamed_code_is_coded_under_its_new_name_only(team: Team, anna: Project):
    with Project.open(team.url("lena")) as lena:
        lena.rename_code("Awareness", "Knowing of it")
    with pytest.raises(CodebookError, match="no code 'Awareness'"):
        anna.apply_code("int1", *TIME, "Awareness")
    assert anna.store.counts()["codings"] == 4  # the team's three and anna's first
    made = anna.apply_code("int1", *TIME, "Knowing of it")
    assert made.code.name == "Knowing of it" and made.coding is not None
    assert made.coding.code_id == anna.code("Knowing of it").id


def test_a_deleted_code_is_refused_not_coded(team: Team, anna: Project):
    with Project.open(team.url("lena")) as lena:
        lena.add_code("Doomed")
    anna.apply_code("int1", *TIME, "Doomed")
    anna.undo()
    with Project.open(team.url("lena")) as lena:
        lena.delete_code("Doomed")
    with pytest.raises(CodebookError, match="no code 'Doomed'"):
        anna.apply_code("int1", *TIME, "Doomed")
    assert "Doomed" not in [c.name for c in anna.codebook()]


def test_a_replaced_source_is_checked_against_its_new_text(team: Team, anna: Project, tmp_path):
    shorter = tmp_path / "int1.txt"
    shorter.write_text("STUDENT: Yes.\n", encoding="utf-8")
    with Project.open(team.url("lena")) as lena:
        lena.import_files([shorter], kind="interview", replace=True)
        new_id = lena.source("int1").id
    with pytest.raises(QualcodeError, match=r"outside source 'int1' \(its text is 0\.\.14\)"):
        anna.apply_code("int1", *TIME, "Awareness")
    made = anna.apply_code("int1", 9, 13, "Awareness")
    assert made.coding is not None and made.coding.source_id == new_id


def test_the_codebook_name_the_lead_sets_is_read(team: Team, anna: Project):
    assert anna.codebook().name == ""
    with Project.open(team.url("lena")) as lena:
        lena.set_setting("codebook_name", "Mentoring v2")
    assert anna.codebook().name == "Mentoring v2"


def test_a_coder_taken_off_the_team_can_no_longer_code_from_an_open_window(
    team: Team, anna: Project
):
    with Project.open(team.url("lena")) as lena:
        lena.remove_coder("anna")
    with pytest.raises(QualcodeError, match="refused by the server") as refused:
        anna.apply_code("int1", *TIME, "Awareness")
    assert "\n" not in str(refused.value)
    with Project.open(team.url("lena")) as lena:
        assert [c.coding.coder for c in lena.codings()].count("anna") == 2  # as before


def test_a_codebook_change_rolled_back_is_never_read_again(team: Team):
    with Project.open(team.url("lena")) as lena:
        with pytest.raises(RuntimeError), lena.store.atomic():
            lena.add_code("Ghost")
            assert "Ghost" in [c.name for c in lena.codebook()]  # read inside, then undone
            raise RuntimeError("changed my mind")
        assert "Ghost" not in [c.name for c in lena.codebook()]
        with Project.open(team.url("lena")) as other_window:
            other_window.add_code("Real")  # the version moves on once more
        assert [c.name for c in lena.codebook()] == ["Awareness", "Real"]


def test_a_coders_first_coding_rolled_back_leaves_no_coder_id_behind(team: Team, pg_database: str):
    team.server.admin(pg_database).execute(f'CREATE ROLE carl LOGIN IN ROLE "{pg_database}_coders"')
    with Project.open(team.url("carl")) as carl:
        with pytest.raises(CodebookError), carl.store.atomic():
            carl.apply_code("int1", *TIME, "Awareness")  # carl's row in coders is added
            carl.apply_code("int1", *TIME, "No such code")
        assert "carl" not in carl.coders()
        made = carl.apply_code("int1", *TIME, "Awareness")
        assert made.coding is not None and made.coding.coder == "carl"
        assert "carl" in carl.coders()


def test_a_project_set_up_before_the_catalog_version_is_coded_and_then_upgraded(
    team: Team, pg_database: str, anna: Project
):
    with team.server.admin(pg_database) as conn:
        for table in server.CATALOG_TABLES:
            conn.execute(f"DROP TRIGGER qualcode_catalog_changed ON {table}")
        conn.execute("DELETE FROM meta WHERE key = %s", (server.CATALOG_KEY,))
    with Project.open(team.url("bob")) as bob:  # a coder may not install it: nothing kept
        bob.apply_code("int1", *HONESTLY, "Awareness")
        with Project.open(team.url("lena")) as lena:  # the owner opening it installs it
            assert server.CATALOG_KEY in lena.settings()
            lena.rename_code("Awareness", "Knowing of it")
        assert bob.apply_code("int1", *TIME, "Knowing of it").coding is not None
    with pytest.raises(CodebookError, match="no code 'Awareness'"):
        anna.apply_code("int1", *TIME, "Awareness")


def test_coding_matches_again_on_a_server_adds_only_what_is_new(team: Team, anna: Project):
    first = anna.code_matches("int1", r"heard", "Awareness")
    again = anna.code_matches(None, r"heard|exam", "Awareness")
    assert len(first) == 2 and len(again) == 1
    mine = [c.coding for c in anna.codings(code="Awareness", coder="anna")]
    assert len(mine) == len({(c.start, c.end) for c in mine}) == 5
    assert anna.undo() == "apply"
    assert len(anna.codings(code="Awareness", coder="anna")) == 4
