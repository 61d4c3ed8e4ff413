"""Codebook files: YAML and CSV reading, validation with file and line, round trips."""

from __future__ import annotations

from pathlib import Path

import pytest

from qualcode.codebook import (
    dump_csv,
    dump_yaml,
    load_codebook,
    normalize_color,
    parse_csv,
    parse_yaml,
    save_codebook,
    validate,
)
from qualcode.errors import CodebookError
from qualcode.model import Code, Codebook

# Line numbers in the comments are the ones the tests expect in messages.
MENTORING = """\
name: Mentoring programme needs analysis
codes:
  - name: Awareness and publicity
    color: "#1F77B4"
    definition: How students learn of the programme.
    children:
      - name: Awareness
        definition: Whether students know the programme exists.
        inclusion: Statements about knowing or not knowing.
        exclusion: Opinions of the programme itself.
        keywords: [heard of, never heard, know about, flyer]
        examples:
          - "Honestly I had never heard of it before you called."
        color: "#4c78a8"
        hotkey: a
      - name: Publicity
        keywords: flyer; poster; email
        color: orange
  - name: Barriers
    color: "#F00"
    children:
      - name: Time
        hotkey: 1
"""


def write(tmp_path: Path, name: str, text: str | bytes) -> Path:
    path = tmp_path / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def load_error(tmp_path: Path, name: str, text: str | bytes) -> str:
    path = write(tmp_path, name, text)
    with pytest.raises(CodebookError) as caught:
        load_codebook(path)
    return str(caught.value)


def paths(codebook: Codebook) -> list[str]:
    return [codebook.path(code) for code in codebook]


def test_nested_yaml(tmp_path: Path) -> None:
    cb = load_codebook(write(tmp_path, "mentoring.yaml", MENTORING))
    assert cb.name == "Mentoring programme needs analysis"
    assert paths(cb) == [
        "Awareness and publicity",
        "Awareness and publicity/Awareness",
        "Awareness and publicity/Publicity",
        "Barriers",
        "Barriers/Time",
    ]
    assert [(c.id, c.parent_id) for c in cb] == [(1, None), (2, 1), (3, 1), (4, None), (5, 4)]
    awareness = cb.codes[1]
    assert awareness == Code(
        id=2,
        name="Awareness",
        parent_id=1,
        definition="Whether students know the programme exists.",
        inclusion="Statements about knowing or not knowing.",
        exclusion="Opinions of the programme itself.",
        keywords=("heard of", "never heard", "know about", "flyer"),
        examples=("Honestly I had never heard of it before you called.",),
        color="#4c78a8",
        hotkey="a",
    )
    assert cb.codes[2].keywords == ("flyer", "poster", "email")
    assert cb.codes[4].hotkey == "1"


def test_colours_normalised(tmp_path: Path) -> None:
    cb = load_codebook(write(tmp_path, "mentoring.yaml", MENTORING))
    assert [c.color for c in cb] == ["#1f77b4", "#4c78a8", "#ffa500", "#ff0000", None]


@pytest.mark.parametrize(
    ("given", "expected"),
    [("#ABC", "#aabbcc"), ("#1F77B4", "#1f77b4"), ("Teal", "#008080"), (" grey ", "#808080")],
)
def test_normalize_color(given: str, expected: str) -> None:
    assert normalize_color(given) == expected


@pytest.mark.parametrize("bad", ["#12", "#12345g", "1f77b4", "blurple", ""])
def test_normalize_color_refuses(bad: str) -> None:
    with pytest.raises(ValueError, match="bad color"):
        normalize_color(bad)


def test_flat_yaml_parent_after_child_and_by_path() -> None:
    text = """\
codes:
  - name: Time
    parent: Barriers
  - name: Awareness
    parent: Awareness and publicity
  - name: Barriers
  - name: Awareness and publicity
  - name: Word of mouth
    parent: Awareness and publicity/Awareness
"""
    cb = parse_yaml(text, "flat.yaml")
    # Tree order: roots in file order, each followed by its children in file order.
    assert paths(cb) == [
        "Barriers",
        "Barriers/Time",
        "Awareness and publicity",
        "Awareness and publicity/Awareness",
        "Awareness and publicity/Awareness/Word of mouth",
    ]
    assert [(c.id, c.parent_id) for c in cb] == [(1, None), (2, 1), (3, None), (4, 3), (5, 4)]


def test_yaml_scalars_stay_text() -> None:
    text = "codes:\n  - name: 2020\n    hotkey: y\n    keywords: [yes, no, 1.5]\n    color: ~\n"
    (code,) = parse_yaml(text, "t.yaml")
    assert (code.name, code.hotkey, code.keywords, code.color) == (
        "2020",
        "y",
        ("yes", "no", "1.5"),
        None,
    )


def test_parent_path_disambiguates_and_full_path_wins() -> None:
    text = """\
codes:
  - name: Other
  - name: Group
    children:
      - name: Other
  - name: Child
    parent: Group/Other
  - name: Top child
    parent: Other
"""
    cb = parse_yaml(text, "t.yaml")
    assert cb.path(cb.find("Child")[0]) == "Group/Other/Child"
    assert cb.path(cb.find("Top child")[0]) == "Other/Top child"


CSV_TEXT = """\
name,parent,definition,keywords,examples,color,hotkey
Awareness,Awareness and publicity,"Whether students
know it exists",heard of;never heard,,teal,a
Awareness and publicity,,,,,#1F77B4,
Time,Barriers,,,"I have no time\\; none",,1
Barriers,,,,,,
"""


def test_csv_parents_after_children() -> None:
    cb = parse_csv(CSV_TEXT, "codes.csv")
    assert cb.name == "codes"
    assert paths(cb) == [
        "Awareness and publicity",
        "Awareness and publicity/Awareness",
        "Barriers",
        "Barriers/Time",
    ]
    awareness = cb.codes[1]
    assert awareness.definition == "Whether students\nknow it exists"
    assert awareness.keywords == ("heard of", "never heard")
    assert (awareness.color, awareness.hotkey) == ("#008080", "a")
    assert cb.codes[0].color == "#1f77b4"
    assert cb.codes[3].examples == ("I have no time; none",)


def test_csv_utf8_bom_and_cp1252(tmp_path: Path) -> None:
    bom = load_codebook(write(tmp_path, "bom.csv", "\ufeffName,Color\nCafé,red\n".encode()))
    assert [(c.name, c.color) for c in bom] == [("Café", "#ff0000")]
    legacy = "name,definition\nCafé,naïve – “quoted”\n".encode("cp1252")
    (code,) = load_codebook(write(tmp_path, "legacy.csv", legacy))
    assert (code.name, code.definition) == ("Café", "naïve – “quoted”")


def test_csv_empty_columns_ignored() -> None:
    (code,) = parse_csv("name,color,,\nA,red,,\n", "sheet.csv")
    assert (code.name, code.color) == ("A", "#ff0000")


def test_csv_semicolon_delimited() -> None:
    cb = parse_csv('name;parent;keywords\nGroup;;\nChild;Group;"a;b"\n', "excel.csv")
    assert paths(cb) == ["Group", "Group/Child"]
    assert cb.codes[1].keywords == ("a", "b")


def test_empty_codebooks_load() -> None:
    assert parse_yaml("codes: []\n", "e.yaml") == Codebook()
    assert parse_csv("name,parent\n", "e.csv") == Codebook(name="e")


TRICKY = Codebook(
    name="Tricky",
    codes=(
        Code(id=1, name="2020", definition="Line one\nline two", color="#00ff00", guid="G-1"),
        Code(
            id=2,
            name="yes",
            parent_id=1,
            keywords=("no", "a, b", "[x]"),
            examples=('She said "fine; really"', "C:\\temp\\; odd"),
            hotkey="n",
        ),
        Code(id=3, name="Zeta: part # 2", parent_id=2),
        Code(id=4, name="Ärger", inclusion="ä ö ü 漢字"),
    ),
)


@pytest.mark.parametrize("suffix", [".yaml", ".yml", ".csv"])
def test_round_trip(tmp_path: Path, suffix: str) -> None:
    for codebook in (TRICKY, load_codebook(write(tmp_path, "m.yaml", MENTORING))):
        path = tmp_path / f"out{suffix}"
        save_codebook(codebook, path)
        again = load_codebook(path)
        assert again.codes == codebook.codes
        assert again.name == (codebook.name if suffix != ".csv" else "out")


def test_round_trip_yaml_csv_yaml(tmp_path: Path) -> None:
    original = load_codebook(write(tmp_path, "m.yaml", MENTORING))
    save_codebook(original, tmp_path / "m.csv")
    via_csv = load_codebook(tmp_path / "m.csv")
    save_codebook(via_csv, tmp_path / "back.yaml")
    assert load_codebook(tmp_path / "back.yaml").codes == original.codes


def test_dump_yaml_reads_like_the_documented_format() -> None:
    text = dump_yaml(parse_yaml(MENTORING, "m.yaml"))
    assert text.startswith("name: Mentoring programme needs analysis\ncodes:\n  - name: Awar")
    assert "        keywords: [heard of, never heard, know about, flyer]\n" in text
    assert "        hotkey: a\n" in text
    assert "color: '#1f77b4'" in text


def test_dump_csv_writes_full_parent_paths() -> None:
    lines = dump_csv(parse_yaml(MENTORING, "m.yaml")).splitlines()
    assert lines[0] == "name,parent,definition,inclusion,exclusion,keywords,examples,color,hotkey"
    assert lines[3] == "Publicity,Awareness and publicity,,,,flyer; poster; email,,#ffa500,"


def test_csv_saved_with_bom(tmp_path: Path) -> None:
    save_codebook(TRICKY, tmp_path / "t.csv")
    assert (tmp_path / "t.csv").read_bytes().startswith(b"\xef\xbb\xbfname,")


# Errors: each names the file and the line.

YAML_ERRORS = [
    (
        "duplicate name",
        "codes:\n  - name: G\n    children:\n      - name: A\n      - name: a\n",
        5,
        "duplicate code 'a' under 'G' (first at line 4)",
    ),
    (
        "duplicate top-level name",
        "codes:\n  - name: A\n  - name: B\n  - name: A\n",
        4,
        "duplicate code 'A' at the top level (first at line 2)",
    ),
    (
        "cycle",
        "codes:\n  - name: Root\n  - name: A\n    parent: B\n  - name: B\n    parent: A\n",
        3,
        "parent cycle: 'A' -> 'B' -> 'A'",
    ),
    (
        "self parent",
        "codes:\n  - name: A\n    parent: A\n",
        2,
        "parent cycle: 'A' -> 'A'",
    ),
    (
        "missing parent",
        "codes:\n  - name: Awareness\n  - name: Flyer\n    parent: Awarenes\n",
        3,
        "parent 'Awarenes' of 'Flyer' does not exist; did you mean 'Awareness'?",
    ),
    (
        "ambiguous parent",
        "codes:\n  - name: G\n    children:\n      - name: X\n  - name: H\n    children:\n"
        "      - name: X\n  - name: C\n    parent: X\n",
        8,
        "parent 'X' of 'C' is ambiguous (lines 4, 7)",
    ),
    (
        "bad color",
        "codes:\n  - name: A\n    definition: x\n    color: blurple\n",
        4,
        "'A': bad color 'blurple'",
    ),
    (
        "duplicate hotkey",
        "codes:\n  - name: A\n    hotkey: a\n  - name: G\n    children:\n"
        "      - name: B\n        hotkey: a\n",
        6,
        "hotkey 'a' of 'G/B' is already used by 'A' (first at line 2)",
    ),
    (
        "bad hotkey",
        "codes:\n  - name: A\n    hotkey: ctrl+a\n",
        3,
        "hotkey 'ctrl+a' of 'A' is not a single letter or digit",
    ),
    (
        "unknown key",
        "codes:\n  - name: A\n    colour: red\n",
        3,
        "unknown key 'colour' in a code; did you mean 'color'?",
    ),
    ("unknown top key", "title: x\ncodes: []\n", 1, "unknown key 'title'"),
    ("duplicate key", "codes:\n  - name: A\n    name: B\n", 3, "duplicate key 'name'"),
    ("empty name", "codes:\n  - name: A\n  - name: ''\n", 3, "a code has no name"),
    ("no name", "codes:\n  - definition: x\n", 2, "a code needs a 'name'"),
    (
        "unescaped slash in a parent path",
        "codes:\n  - name: A/B\n  - name: C\n    parent: A/B\n",
        3,
        "parent 'A/B' of 'C' does not exist; did you mean 'A\\/B'?",
    ),
    (
        "nested with parent",
        "codes:\n  - name: G\n    children:\n      - name: A\n        parent: G\n",
        5,
        "a nested code cannot also have a 'parent'",
    ),
    (
        "syntax error",
        "codes:\n  - name: A\n   definition: x\n",
        3,
        "YAML syntax error: expected <block end>",
    ),
    (
        "unclosed quote",
        'codes:\n  - name: A\n    definition: "open\n  - name: B\n',
        5,
        "while scanning a quoted scalar at line 3",
    ),
    (
        "control character",
        "codes:\n  - name: A\n  - name: B\x07\n",
        3,
        "control character U+0007 is not allowed",
    ),
    (
        "python tag",
        "codes:\n  - !!python/object/apply:os.system [ls]\n",
        2,
        "unsupported YAML tag",
    ),
    ("not a mapping", "- name: A\n", 1, "expected the codebook"),
    ("no codes", "name: x\n", 1, "the codebook has no 'codes:' list"),
    ("list as name", "codes:\n  - name: [A]\n", 2, "expected text here"),
    ("alias reused", "codes:\n  - &x {name: A}\n  - *x\n", 2, "this code appears twice"),
]


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [case[1:] for case in YAML_ERRORS],
    ids=[case[0] for case in YAML_ERRORS],
)
def test_yaml_errors(tmp_path: Path, text: str, line: int, message: str) -> None:
    error = load_error(tmp_path, "codes.yaml", text)
    assert error.startswith(f"{tmp_path / 'codes.yaml'}, line {line}: ")
    assert message in error


@pytest.mark.parametrize("text", ["", "\n# only a comment\n"])
def test_empty_yaml_file(tmp_path: Path, text: str) -> None:
    error = load_error(tmp_path, "codes.yaml", text)
    assert (
        error == f"{tmp_path / 'codes.yaml'}: the file is empty; a codebook needs a 'codes:' list"
    )


CSV_ERRORS = [
    (
        "duplicate after multi-line field",
        'name,definition\nA,"one\ntwo\nthree"\nB,\na,x\n',
        6,
        "duplicate code 'a' at the top level (first at line 2)",
    ),
    ("cycle", "name,parent\nA,B\nB,A\n", 2, "parent cycle: 'A' -> 'B' -> 'A'"),
    ("under a cycle", "name,parent\nC,A\nB,A\nA,B\n", 3, "parent cycle: 'B' -> 'A' -> 'B'"),
    ("missing parent", "name,parent\nA,\nB,C\n", 3, "parent 'C' of 'B' does not exist"),
    ("bad color", "name,color\nA,#12\n", 2, "bad color '#12'"),
    ("duplicate hotkey", "name,hotkey\nA,x\nB,x\n", 3, "hotkey 'x' of 'B' is already used"),
    ("unknown column", "name,colour\n", 1, "unknown column 'colour'; did you mean 'color'?"),
    ("no name column", "parent,color\n", 1, "the header has no 'name' column"),
    ("twice a column", "name,color,Color\n", 1, "column 'color' twice"),
    ("too many fields", "name,color\nA,red,extra\n", 2, "a value in a column without a header"),
    ("value under no header", "name,,color\nA,x,red\n", 2, "a value in a column without"),
    (
        "unescaped slash in a parent path",
        "name,parent\nGroup/Sub,\nC,Group/Sub\n",
        3,
        "parent 'Group/Sub' of 'C' does not exist; did you mean 'Group\\/Sub'?",
    ),
]


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [case[1:] for case in CSV_ERRORS],
    ids=[case[0] for case in CSV_ERRORS],
)
def test_csv_errors(tmp_path: Path, text: str, line: int, message: str) -> None:
    error = load_error(tmp_path, "codes.csv", text)
    assert error.startswith(f"{tmp_path / 'codes.csv'}, line {line}: ")
    assert message in error


def test_empty_csv_file(tmp_path: Path) -> None:
    error = load_error(tmp_path, "codes.csv", "\n\n")
    assert (
        error == f"{tmp_path / 'codes.csv'}: the file is empty; a CSV codebook needs a header row"
    )


def test_undecodable_file(tmp_path: Path) -> None:
    error = load_error(tmp_path, "codes.csv", b"name\nA\x81\n")  # 0x81: in neither encoding
    assert error == f"{tmp_path / 'codes.csv'}, byte offset 6: not UTF-8 or Windows-1252 text"


def test_unknown_suffix_and_missing_file(tmp_path: Path) -> None:
    error = load_error(tmp_path, "codes.qdc", "<CodeBook/>")
    assert "unsupported codebook format '.qdc'; supported: .yaml, .yml, .csv" in error
    with pytest.raises(CodebookError, match="no such file"):
        load_codebook(tmp_path / "missing.yaml")


def test_validate_built_codebooks() -> None:
    validate(TRICKY)
    validate(Codebook((Code(1, "A", color="red"),)))  # any accepted colour form
    cases = [
        ((Code(1, "A", parent_id=9),), "code 'A': parent id 9 of 'A' does not exist"),
        ((Code(1, "A", parent_id=2), Code(2, "B", parent_id=1)), "code 'A': parent cycle"),
        ((Code(1, "A", hotkey="k"), Code(2, "B", hotkey="k")), "(first is id 1)"),
        ((Code(1, "A"), Code(1, "B")), "code 'B': duplicate code id 1"),
        ((Code(1, " "),), "a code has no name"),
    ]
    for codes, message in cases:
        with pytest.raises(CodebookError) as caught:
            validate(Codebook(codes), file="x.yaml")
        assert str(caught.value).startswith("x.yaml, ")
        assert message in str(caught.value)


def test_save_refuses_an_invalid_codebook(tmp_path: Path) -> None:
    bad = Codebook((Code(1, "A", hotkey="k"), Code(2, "B", hotkey="k")))
    with pytest.raises(CodebookError, match="hotkey 'k'"):
        save_codebook(bad, tmp_path / "bad.yaml")
    with pytest.raises(CodebookError, match="unsupported codebook format"):
        save_codebook(TRICKY, tmp_path / "bad.txt")
    assert list(tmp_path.iterdir()) == []
