"""A small study whose every count is worked out by hand in the tests that use it.

Four sources: ``a`` and ``b`` and ``d`` are interviews (cohorts 2019, 2020, 2019), ``c`` is an
expert panel without a cohort, ``d`` is never coded. Codes, in codebook order: Awareness,
Barriers, Barriers/Time, Barriers/Money, Unused. Eleven codings, all by anna except one by ben:

======  ======  ==============  =============================  ===============
coding  source  code            quote                          speaker
======  ======  ==============  =============================  ===============
1       a       Awareness       I never heard of it            STUDENT
2       a       Awareness       never heard of it. I have      STUDENT
3       a       Time            no time at all                 STUDENT
4       a       Time            no time again                  STUDENT (turn 3)
5       a       Money           Money is tight                 STUDENT (turn 3)
6       a       Time (ben)      I have no time                 STUDENT
7       b       Money           it costs money                 RESPONDENT
8       b       Awareness       a friend told me               RESPONDENT
9       c       Awareness       Students never heard of it     Dr. Weber
10      c       Time            They have no time              Dr. Weber
11      c       Barriers        I agree with that              Prof. Lindqvist
======  ======  ==============  =============================  ===============
"""

from __future__ import annotations

from pathlib import Path

from qualcode.project import ImportOptions, Project

TEXTS = {
    "a": (
        "INTERVIEWER: Did you know the programme?\n"
        "STUDENT: I never heard of it. I have no time at all.\n"
        "INTERVIEWER: Anything else?\n"
        "STUDENT: Money is tight. And no time again.\n"
    ),
    "b": (
        "INTERVIEWER: Did you know the programme?\n"
        "RESPONDENT: Yes, a friend told me. But it costs money.\n"
    ),
    "c": (
        "Moderator: Welcome.\n"
        "Dr. Weber: Students never heard of it. They have no time.\n"
        "Prof. Lindqvist: I agree with that.\n"
    ),
    "d": "INTERVIEWER: Hello.\nSTUDENT: Nothing to say.\n",
}

CODINGS = [
    ("a", "I never heard of it", "Awareness", "anna"),
    ("a", "never heard of it. I have", "Awareness", "anna"),
    ("a", "no time at all", "Barriers/Time", "anna"),
    ("a", "no time again", "Barriers/Time", "anna"),
    ("a", "Money is tight", "Barriers/Money", "anna"),
    ("a", "I have no time", "Barriers/Time", "ben"),
    ("b", "it costs money", "Barriers/Money", "anna"),
    ("b", "a friend told me", "Awareness", "anna"),
    ("c", "Students never heard of it", "Awareness", "anna"),
    ("c", "They have no time", "Barriers/Time", "anna"),
    ("c", "I agree with that", "Barriers", "anna"),
]


def build_study(folder: Path, *, coded: bool = True) -> Project:
    """The study above as a project file in ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in TEXTS.items():
        (folder / f"{name}.txt").write_text(text, encoding="utf-8")
    sheet = folder / "attributes.csv"
    sheet.write_text("source,cohort\na,2019\nb,2020\nd,2019\n", encoding="utf-8")
    p = Project.create(folder / "study.qcdb", coder="anna")
    p.sources.import_files([folder / f"{n}.txt" for n in "abd"], ImportOptions(kind="interview"))
    p.sources.import_files([folder / "c.txt"], ImportOptions(kind="expert_panel"))
    p.sources.import_attributes(sheet)
    for name, parent in [
        ("Awareness", None),
        ("Barriers", None),
        ("Time", "Barriers"),
        ("Money", "Barriers"),
        ("Unused", None),
    ]:
        p.codebook.add_code(name, parent)
    if coded:
        for source, quote, code, coder in CODINGS:
            text = TEXTS[source]
            start = text.index(quote)
            p.coding.apply(source, start, start + len(quote), code, coder=coder)
    return p
