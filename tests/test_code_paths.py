"""Code names keep '/' (and '\\') as written; a code path escapes them, in every way in and out.

Real codebooks have names such as "Social/Political Advocacy". The name is stored and
exchanged as written; only a path (``Parent/Child``, what users type and tables show)
escapes it: ``Advocacy/Social\\/Political Advocacy``, and a backslash as ``\\\\``.
"""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest
from typer.testing import CliRunner

from qualcode.cli import app
from qualcode.codebook import load_codebook, save_codebook
from qualcode.model import Code, Codebook, join_path, split_path
from qualcode.project import Project
from tests.conftest import dump
from tests.refi_helpers import CODE, SOURCE, make_qdpx, simple_qde

runner = CliRunner()

SLASH = "Social/Political Advocacy"
BACKSLASH = "Either\\or"  # the name Either\or


def run(*args: object, ok: bool = True):
    result = runner.invoke(app, [str(a) for a in args])
    if ok:
        assert result.exit_code == 0, result.output + str(result.exception)
    return result


# -- the one rule ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("names", "path"),
    [
        (["A"], "A"),
        (["Advocacy", SLASH], "Advocacy/Social\\/Political Advocacy"),
        ([BACKSLASH, "x"], "Either\\\\or/x"),
        (["ends with \\", "x"], "ends with \\\\/x"),
        (["a/b", "c\\/d"], "a\\/b/c\\\\\\/d"),
    ],
)
def test_split_path_gives_back_the_names_join_path_escaped(names: list[str], path: str):
    assert join_path(names) == path
    assert split_path(path) == names


def test_a_lone_backslash_in_a_typed_path_is_part_of_the_name():
    assert split_path("Group/Either\\or") == ["Group", BACKSLASH]


def test_find_reads_a_ref_as_an_escaped_path_then_as_a_name():
    book = Codebook(
        (Code(1, "Advocacy"), Code(2, SLASH, 1), Code(3, "Social"), Code(4, "Political", 3))
    )
    assert book.path(2) == "Advocacy/Social\\/Political Advocacy"
    assert book.depth(book.get(2)) == 1
    assert [c.id for c in book.find("advocacy/social\\/political advocacy")] == [2]
    assert [c.id for c in book.find("Social\\/Political Advocacy")] == [2]  # its name
    assert [c.id for c in book.find("Social/Political")] == [4]  # a path, unescaped


# -- the command line ---------------------------------------------------------------------------


@pytest.fixture
def cli_project(any_project_path: Path | str, transcripts) -> Path | str:
    """A project made through the command line, once a file and once on the server."""
    path = any_project_path
    run("init", path, "--coder", "anna")
    run("import", path, transcripts["int1"])
    return path


def test_add_code_keeps_a_slash_and_code_takes_the_escaped_path(cli_project: Path | str):
    run("add-code", cli_project, "Advocacy")
    out = run("add-code", cli_project, SLASH, "--parent", "Advocacy").output
    assert "Added code 'Advocacy/Social\\/Political Advocacy'" in out
    out = run("code", cli_project, "int1", 0, 29, "Advocacy/Social\\/Political Advocacy").output
    assert "with 'Advocacy/Social\\/Political Advocacy'" in out
    rows = json.loads(run("codebook", cli_project, "-f", "json").output)
    assert [r["path"] for r in rows] == ["Advocacy", "Advocacy/Social\\/Political Advocacy"]
    coded = json.loads(
        run(
            "codings", cli_project, "--code", "Advocacy/Social\\/Political Advocacy", "-f", "json"
        ).output
    )
    assert [(r["code"], r["start"], r["end"]) for r in coded] == [
        ("Advocacy/Social\\/Political Advocacy", 0, 29)
    ]
    # By its bare name (escaped), and by its own name under --parent for a child.
    run("add-code", cli_project, "Online", "--parent", "Social\\/Political Advocacy")
    assert json.loads(run("codebook", cli_project, "-f", "json").output)[-1]["path"] == (
        "Advocacy/Social\\/Political Advocacy/Online"
    )


def test_an_unescaped_slash_is_a_path_and_the_error_shows_the_escaped_name(cli_project: Path | str):
    run("add-code", cli_project, SLASH)
    before = dump(cli_project)
    result = run("code", cli_project, "int1", 0, 29, SLASH, ok=False)
    assert result.exit_code == 1
    assert "did you mean 'Social\\/Political Advocacy'?" in result.output
    assert dump(cli_project) == before


def test_a_name_with_a_backslash(cli_project: Path | str):
    out = run("add-code", cli_project, BACKSLASH).output
    assert "Added code 'Either\\\\or'" in out
    run("code", cli_project, "int1", 0, 29, "Either\\\\or")
    run("code", cli_project, "int1", 30, 40, BACKSLASH)  # a lone backslash is itself
    rows = json.loads(run("codings", cli_project, "-f", "json").output)
    assert [r["code"] for r in rows] == ["Either\\\\or", "Either\\\\or"]
    with Project.open(cli_project) as p:
        assert [c.name for c in p.codebook.book()] == [BACKSLASH]


def test_code_new_with_an_escaped_path_makes_one_code_not_two(cli_project: Path | str):
    run("code", cli_project, "int1", 0, 29, "Social\\/Political Advocacy", "--new")
    with Project.open(cli_project) as p:
        assert [(c.name, c.parent_id) for c in p.codebook.book()] == [(SLASH, None)]


def test_rename_and_move_take_and_keep_names_with_a_slash(cli_project: Path | str):
    run("add-code", cli_project, "Advocacy")
    run("add-code", cli_project, "Social")
    out = run("rename-code", cli_project, "Social", SLASH).output
    assert "Renamed to 'Social\\/Political Advocacy'." in out
    out = run("move-code", cli_project, "Social\\/Political Advocacy", "Advocacy").output
    assert "Moved to 'Advocacy/Social\\/Political Advocacy'." in out
    with Project.open(cli_project) as p:
        assert [(c.name, c.parent_id) for c in p.codebook.book()] == [
            ("Advocacy", None),
            (SLASH, p.codebook.code("Advocacy").id),
        ]


def test_reports_show_the_escaped_path_to_machines_and_the_name_to_people(
    cli_project: Path | str, tmp_path: Path
):
    run("add-code", cli_project, "Advocacy")
    run("add-code", cli_project, SLASH, "--parent", "Advocacy")
    run("code", cli_project, "int1", 0, 29, "Advocacy/Social\\/Political Advocacy")
    rows = json.loads(
        run(
            "report", cli_project, "frequencies", "--code", "Advocacy/Social\\/Political Advocacy",
            "-f", "json",
        ).output
    )["rows"]  # fmt: skip
    assert [(r["code"], r["parent"], r["codings"]) for r in rows] == [
        ("Advocacy/Social\\/Political Advocacy", "Advocacy", 1)
    ]
    people = tmp_path / "freq.md"
    run("report", cli_project, "frequencies", "-o", people)
    lines = people.read_text(encoding="utf-8").splitlines()
    assert any(line.startswith("| Advocacy ") for line in lines)
    [row] = [line for line in lines if SLASH in line]
    assert "\\" not in row  # the name as written, indented under its parent


# -- codebook files -----------------------------------------------------------------------------


def _book() -> Codebook:
    return Codebook(
        (
            Code(1, "Advocacy"),
            Code(2, SLASH, 1, definition="Speaking up."),
            Code(3, BACKSLASH, 2),
            Code(4, "Social"),
        ),
        name="Names",
    )


@pytest.mark.parametrize("suffix", [".yaml", ".csv"])
def test_a_codebook_file_round_trips_names_with_slash_and_backslash(tmp_path: Path, suffix):
    path = tmp_path / f"book{suffix}"
    save_codebook(_book(), path)
    again = load_codebook(path)
    assert [(c.name, again.path(c)) for c in again] == [
        ("Advocacy", "Advocacy"),
        (SLASH, "Advocacy/Social\\/Political Advocacy"),
        (BACKSLASH, "Advocacy/Social\\/Political Advocacy/Either\\\\or"),
        ("Social", "Social"),
    ]


def test_a_csv_parent_column_is_an_escaped_path(tmp_path: Path):
    path = tmp_path / "book.csv"
    save_codebook(_book(), path)
    text = path.read_text(encoding="utf-8-sig")
    assert "Either\\or,Advocacy/Social\\/Political Advocacy," in text
    flat = tmp_path / "flat.csv"
    flat.write_text(f"name,parent\nOnline,Social\\/Political Advocacy\n{SLASH},\n", "utf-8")
    book = load_codebook(flat)
    assert [book.path(c) for c in book] == [
        "Social\\/Political Advocacy",
        "Social\\/Political Advocacy/Online",
    ]


def test_a_yaml_codebook_with_a_slash_imports_into_a_project(tmp_path: Path):
    path = tmp_path / "book.yaml"
    path.write_text(f"codes:\n  - name: Advocacy\n    children:\n      - name: {SLASH}\n")
    with Project.create(tmp_path / "p.qcdb") as p:
        report = p.codebook.import_codebook(path)
        assert report.codes_created == ["Advocacy", "Advocacy/Social\\/Political Advocacy"]
        assert [(c.name, c.parent_id is None) for c in p.codebook.book()] == [
            ("Advocacy", True),
            (SLASH, False),
        ]
        again = tmp_path / "again.yaml"
        p.codebook.export_codebook(again)
    assert f"- name: {SLASH}\n" in again.read_text(encoding="utf-8")


# -- REFI-QDA -----------------------------------------------------------------------------------


def test_refi_export_and_import_keep_the_names_as_written(tmp_path: Path, transcripts):
    out = tmp_path / "out.qdpx"
    with Project.create(tmp_path / "a.qcdb", coder="anna") as p:
        p.sources.import_files([transcripts["int1"]])
        p.codebook.add_code("Advocacy")
        p.codebook.add_code(SLASH, "Advocacy")
        p.codebook.add_code(BACKSLASH, "Advocacy/Social\\/Political Advocacy")
        p.coding.apply("int1", 0, 29, "Either\\\\or")
        p.exchange.export_qdpx(out)
    with zipfile.ZipFile(out) as zf:
        qde = zf.read("project.qde").decode("utf-8")
    assert f'name="{SLASH}"' in qde and f'name="{BACKSLASH}"' in qde
    with Project.create(tmp_path / "b.qcdb", coder="ben") as p:
        p.exchange.import_qdpx(out)
        book = p.codebook.book()
        assert [c.name for c in book] == ["Advocacy", SLASH, BACKSLASH]
        [segment] = p.coding.codings()
        assert segment.code == "Advocacy/Social\\/Political Advocacy/Either\\\\or"


def test_another_tools_slash_in_a_code_name_imports_as_written(tmp_path: Path):
    qde = simple_qde().replace('name="Time"', f'name="{SLASH}"')
    qdpx = make_qdpx(tmp_path / "other.qdpx", qde, {f"Sources/{SOURCE}.txt": b"Some text here."})
    with Project.create(tmp_path / "p.qcdb") as p:
        report = p.exchange.import_qdpx(qdpx)
        [code] = p.codebook.book()
        assert code.name == SLASH and code.guid == CODE
        assert report.codes_added == ["Social\\/Political Advocacy"]


def test_a_name_stored_with_u2215_still_opens_as_it_is(tmp_path: Path):
    """Earlier imports turned '/' into '∕' (U+2215): such a name stays, and is found."""
    with Project.create(tmp_path / "p.qcdb") as p:
        p.codebook.add_code("Social∕Political")
    with Project.open(tmp_path / "p.qcdb") as p:
        assert [c.name for c in p.codebook.book()] == ["Social∕Political"]
        assert p.codebook.code("Social∕Political").name == "Social∕Political"
