"""Sheets: case attributes and survey responses from csv and xlsx, everything as text."""

from __future__ import annotations

from pathlib import Path

import pytest

from qualcode.errors import ImportFormatError
from qualcode.ingest import Response, read_attributes, read_responses, read_table


def write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_bytes(text.encode(encoding))
    return path


def make_xlsx(path: Path, rows: list[list[object]]) -> Path:
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    workbook.create_sheet("ignored").append(["other", "sheet"])
    workbook.save(path)
    return path


@pytest.mark.parametrize(
    ("text", "encoding"),
    [
        ("source;Kohorte;Rolle\r\nint_01;2019;Studentin\r\nint_02;007;Müller & Co\r\n", "cp1252"),
        ("source,Kohorte,Rolle\nint_01,2019,Studentin\nint_02,007,Müller & Co\n", "utf-8-sig"),
        ("source\tKohorte\tRolle\nint_01\t2019\tStudentin\nint_02\t007\tMüller & Co\n", "utf-16"),
    ],
)
def test_read_table_sniffs_encoding_and_delimiter_and_keeps_text(
    tmp_path: Path, text: str, encoding: str
):
    frame = read_table(write(tmp_path / "a.csv", text, encoding))
    assert list(frame.columns) == ["source", "Kohorte", "Rolle"]
    assert frame.to_dict("records") == [
        {"source": "int_01", "Kohorte": "2019", "Rolle": "Studentin"},
        {"source": "int_02", "Kohorte": "007", "Rolle": "Müller & Co"},
    ]


def test_read_table_csv_quotes_empties_and_na(tmp_path: Path):
    text = 'id,text,note\n1,"Yes, a lot; really",NA\n2,,\n3,"two\nlines",null\n'
    frame = read_table(write(tmp_path / "r.csv", text))
    assert frame.to_dict("records") == [
        {"id": "1", "text": "Yes, a lot; really", "note": "NA"},
        {"id": "2", "text": "", "note": ""},
        {"id": "3", "text": "two\nlines", "note": "null"},
    ]


def test_read_table_single_column_csv_keeps_commas(tmp_path: Path):
    frame = read_table(write(tmp_path / "r.csv", "answer\nI liked it, a lot\nNo; never\n"))
    assert frame["answer"].tolist() == ["I liked it, a lot", "No; never"]


def test_read_table_xlsx_first_sheet_as_text(tmp_path: Path):
    import datetime as dt

    rows = [
        ["name", "cohort", "score", "interviewed", "note"],
        ["int_01", 2019, 3.5, dt.datetime(2024, 5, 14), None],
        ["int_02", 2020.0, None, dt.datetime(2024, 5, 15, 14, 30), "late"],
    ]
    frame = read_table(make_xlsx(tmp_path / "a.xlsx", rows))
    assert frame.to_dict("records") == [
        {
            "name": "int_01",
            "cohort": "2019",
            "score": "3.5",
            "interviewed": "2024-05-14",
            "note": "",
        },
        {
            "name": "int_02",
            "cohort": "2020",
            "score": "",
            "interviewed": "2024-05-15 14:30:00",
            "note": "late",
        },
    ]


def test_read_attributes_by_key_column_with_file_suffixes_reduced(tmp_path: Path):
    text = (
        "cohort,Document,role\n"
        "2019,interview_01.txt,student\n"
        ",,\n"
        "2020,panels/Panel_02.DOCX,expert\n"
    )
    assert read_attributes(write(tmp_path / "a.csv", text)) == {
        "interview_01": {"cohort": "2019", "role": "student"},
        "Panel_02": {"cohort": "2020", "role": "expert"},
    }


def test_read_attributes_falls_back_to_the_first_column(tmp_path: Path):
    rows = [["Interview", "semester"], ["int 1.5", 4], ["int_02.vtt", 6]]
    assert read_attributes(make_xlsx(tmp_path / "a.xlsx", rows)) == {
        "int 1.5": {"semester": "4"},
        "int_02": {"semester": "6"},
    }


def test_read_attributes_duplicate_key_names_the_row(tmp_path: Path):
    lines = ["source,cohort"] + [f"int_{i:02d},2019" for i in range(1, 6)] + ["int_02.txt,2020"]
    path = write(tmp_path / "a.csv", "\n".join(lines) + "\n")
    with pytest.raises(ImportFormatError) as info:
        read_attributes(path)
    assert str(info.value) == f"{path}, row 7: source 'int_02' is listed twice (first in row 3)"


def test_read_attributes_row_without_key(tmp_path: Path):
    path = write(tmp_path / "a.csv", "source,cohort\nint_01,2019\n,2020\n")
    with pytest.raises(ImportFormatError, match=r"row 3: has no source name in column 'source'"):
        read_attributes(path)


def test_read_responses(tmp_path: Path):
    text = (
        "Respondent,Answer,Cohort,Codes\n"
        'r1,"  I never hea\u0301rd of it.\r\n ",2019,Awareness; Publicity;;Awareness\n'
        "r2,,2020,\n"
        "r3,No time.,2020,\n"
    )
    responses = read_responses(
        write(tmp_path / "survey.csv", text),
        text_column="answer",
        id_column="Respondent",
        codes_column="Codes",
    )
    assert responses == [
        Response("r1", "I never heárd of it.", {"Cohort": "2019"}, ("Awareness", "Publicity"), 2),
        Response("r3", "No time.", {"Cohort": "2020"}, (), 4),
    ]


def test_read_responses_numbers_rows_without_an_id_column(tmp_path: Path):
    rows = [["text", "group"], ["Yes", "a"], [None, "b"], ["No", "c"]]
    responses = read_responses(make_xlsx(tmp_path / "s.xlsx", rows), text_column="text")
    assert [(r.id, r.text, dict(r.attributes), r.row) for r in responses] == [
        ("2", "Yes", {"group": "a"}, 2),
        ("4", "No", {"group": "c"}, 4),
    ]


def test_read_responses_missing_column_lists_the_columns(tmp_path: Path):
    path = write(tmp_path / "s.csv", "id;antwort\n1;ja\n")
    with pytest.raises(ImportFormatError) as info:
        read_responses(path, text_column="text", id_column="id")
    assert str(info.value) == f"{path}: has no column 'text'; the columns are: 'id', 'antwort'"


def test_read_responses_duplicate_id_names_the_row(tmp_path: Path):
    path = write(tmp_path / "s.csv", "id,text\n1,a\n2,b\n1,c\n")
    with pytest.raises(ImportFormatError) as info:
        read_responses(path, text_column="text", id_column="id")
    assert str(info.value) == f"{path}, row 4: id '1' is used twice (first in row 2)"


def test_read_responses_ten_thousand_rows(tmp_path: Path):
    lines = ["id,text,cohort,codes"]
    lines += [f'r{i},"Answer {i}, with a comma",{i % 5},A;B' for i in range(10_000)]
    path = write(tmp_path / "big.csv", "\n".join(lines) + "\n")
    responses = read_responses(path, text_column="text", id_column="id", codes_column="codes")
    assert len(responses) == 10_000
    assert responses[-1] == Response(
        "r9999", "Answer 9999, with a comma", {"cohort": "4"}, ("A", "B"), 10_001
    )


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("a.json", "{}", "cannot read '.json' files as a sheet"),
        ("missing.csv", None, "no such file"),
        ("empty.csv", "", "is empty"),
        ("bad.csv", "a,b\n1,2\n3,4,5\n", "line 3: is not a well-formed CSV file"),
        ("fake.xlsx", "a,b\n", "is not an Excel .xlsx file"),
        ("binary.csv", "\x00\x01\x02PK", "binary"),
    ],
)
def test_bad_sheets_name_the_file(tmp_path: Path, name: str, content: str | None, message: str):
    path = tmp_path / name
    if content is not None:
        write(path, content, "latin-1")
    with pytest.raises(ImportFormatError) as info:
        read_attributes(path)
    assert str(info.value).startswith(str(path))
    assert message in str(info.value)


def test_read_responses_keeps_each_answers_question(tmp_path: Path):
    text = "id,Question ,answer\n1,Why art?,It moved me.\n2,Why art?,\n3, Any memory? ,My father.\n"
    responses = read_responses(
        write(tmp_path / "s.csv", text), text_column="answer", question_column="question"
    )
    assert [(r.id, r.question, dict(r.attributes)) for r in responses] == [
        ("2", "Why art?", {"id": "1", "Question": "Why art?"}),  # numbered by row
        ("4", "Any memory?", {"id": "3", "Question": "Any memory?"}),
    ]
