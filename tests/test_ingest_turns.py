"""Speaker turns: label shapes, the speaker rule, false positives, spans and timestamps."""

from __future__ import annotations

import pytest

from qualcode.errors import ImportFormatError
from qualcode.ingest import ParsedTurn, parse_turns


def said(text: str, speaker_pattern: str | None = None) -> list[tuple[str | None, str]]:
    """Each turn as (speaker, exactly what its span covers)."""
    return [(t.speaker, text[t.start : t.end]) for t in parse_turns(text, speaker_pattern)]


def times(text: str) -> list[float | None]:
    return [t.timestamp for t in parse_turns(text)]


def test_interview_with_preamble_continuation_lines_and_paragraphs():
    text = (
        "Telephone interview, 12 March\n"
        "Duration: 00:34:12\n"
        "\n"
        "INTERVIEWER: Have you heard of the mentoring programme?\n"
        "\n"
        "STUDENT: Honestly, no.\n"
        "I had never heard of it.\n"
        "\n"
        "And I work two evenings a week.  \n"
        "INTERVIEWER: Thank you.\n"
    )
    assert said(text) == [
        (None, "Telephone interview, 12 March\nDuration: 00:34:12"),
        ("INTERVIEWER", "Have you heard of the mentoring programme?"),
        ("STUDENT", "Honestly, no.\nI had never heard of it.\n\nAnd I work two evenings a week."),
        ("INTERVIEWER", "Thank you."),
    ]


def test_turn_spans_start_after_the_label_which_stays_in_the_text():
    text = "I: Hello.\nR:   Hi there.  \n"
    turns = parse_turns(text)
    assert turns == (ParsedTurn(3, 9, "I"), ParsedTurn(15, 24, "R"))
    assert text[: turns[1].start] == "I: Hello.\nR:   "


def test_lower_case_role_labels():
    text = "interviewer: what semester are you in?\nstudent: the fourth.\n"
    assert said(text) == [("interviewer", "what semester are you in?"), ("student", "the fourth.")]


def test_one_speaker_in_different_case_keeps_the_first_spelling():
    text = "Interviewer: One?\nStudent: Yes.\nINTERVIEWER: Two?\nSTUDENT: No.\n"
    assert [s for s, _ in said(text)] == ["Interviewer", "Student", "Interviewer", "Student"]


def test_consecutive_labels_of_one_speaker_form_one_turn_with_the_first_time():
    text = "[00:00:01] Anna: One.\n[00:00:05] Anna: Two.\n[00:00:09] Ben: Three.\n"
    assert said(text) == [("Anna", "One.\n[00:00:05] Anna: Two."), ("Ben", "Three.")]
    assert times(text) == [1.0, 9.0]


def test_notes_examples_and_colons_inside_a_turn_are_not_speakers():
    text = (
        "Interviewer: Tell me about the programme.\n"
        "Note: the recording was interrupted here.\n"
        "Respondent: There were three problems:\n"
        "time, money and: motivation.\n"
        "Example: nobody told us.\n"
        "Note: the line dropped again.\n"
        "So what I mean is: nobody knew.\n"
        "Interviewer: Thanks.\n"
    )
    assert said(text) == [
        (
            "Interviewer",
            "Tell me about the programme.\nNote: the recording was interrupted here.",
        ),
        (
            "Respondent",
            "There were three problems:\ntime, money and: motivation.\n"
            "Example: nobody told us.\nNote: the line dropped again.\n"
            "So what I mean is: nobody knew.",
        ),
        ("Interviewer", "Thanks."),
    ]


def test_a_plain_name_counts_once_repeated_but_not_alone():
    once = "Interviewer: Who told you?\nMaria: My tutor did.\n"
    assert said(once) == [("Interviewer", "Who told you?\nMaria: My tutor did.")]
    twice = once + "Interviewer: When?\nmaria: Last year.\n"
    assert [s for s, _ in said(twice)] == ["Interviewer", "Maria", "Interviewer", "Maria"]


def test_focus_group_with_six_speakers():
    text = (
        "Focus group 2, Campus North\n"
        "Moderator: Welcome, everyone.\n"
        "Dr. Weber: Students do not know the programme exists.\n"
        "Prof. Anna Lindqvist: The flyers do not reach them.\n"
        "Tom Berger: I only heard of it in my third year.\n"
        "Ms. Adeyemi: We should announce it in the first week.\n"
        "Student 2: Or in the lectures.\n"
        "Tom Berger: Yes, in anatomy.\n"
        "Dr. Weber: And mentors need recognition.\n"
        "Moderator: Thank you all.\n"
    )
    assert [s for s, _ in said(text)] == [
        None,
        "Moderator",
        "Dr. Weber",
        "Prof. Anna Lindqvist",
        "Tom Berger",
        "Ms. Adeyemi",
        "Student 2",
        "Tom Berger",
        "Dr. Weber",
        "Moderator",
    ]
    assert said(text)[3] == ("Prof. Anna Lindqvist", "The flyers do not reach them.")


@pytest.mark.parametrize(
    ("line", "speaker", "seconds"),
    [
        ("[00:01:23] Anna Weber: Hello there.", "Anna Weber", 83.0),
        ("(00:01:23) Anna Weber: Hello there.", "Anna Weber", 83.0),
        ("00:01:23 Anna Weber: Hello there.", "Anna Weber", 83.0),
        ("Anna Weber (00:01:23): Hello there.", "Anna Weber", 83.0),
        ("Anna Weber [00:01:23]: Hello there.", "Anna Weber", 83.0),
        ("[01:23] Anna Weber: Hello there.", "Anna Weber", 83.0),
        ("[1:02:03.250] Anna Weber: Hello there.", "Anna Weber", 3723.25),
        ("[00:01:23,5] Anna Weber: Hello there.", "Anna Weber", 83.5),
        ("[00:00:05] Weber, Anna: Hello there.", "Weber, Anna", 5.0),
    ],
)
def test_timestamped_labels(line: str, speaker: str, seconds: float):
    # A timestamp marks a speaker label even when the name occurs only once.
    turns = parse_turns(line + "\n")
    assert turns == (ParsedTurn(len(line) - len("Hello there."), len(line), speaker, seconds),)


@pytest.mark.parametrize(
    "text",
    [
        "**Interviewer:** Hello.\n**Participant:** Hi.\n",
        "**Interviewer**: Hello.\n**Participant**: Hi.\n",
    ],
)
def test_markdown_bold_labels(text: str):
    assert said(text) == [("Interviewer", "Hello."), ("Participant", "Hi.")]


def test_markdown_bold_lead_ins_are_not_speakers_by_themselves():
    text = "**Interviewer:** Hello.\n**Background:** she is in year 4.\n**Participant:** Hi.\n"
    assert said(text) == [
        ("Interviewer", "Hello.\n**Background:** she is in year 4."),
        ("Participant", "Hi."),
    ]


@pytest.mark.parametrize(
    ("labels", "expected"),
    [
        (("Interviewerin", "Befragte"), ["Interviewerin", "Befragte"]),
        (("I", "B"), ["I", "B"]),
        (("I", "R"), ["I", "R"]),
        (("Q", "A"), ["Q", "A"]),
        (("Moderator", "P3"), ["Moderator", "P3"]),
        (("Speaker 1", "Speaker 2"), ["Speaker 1", "Speaker 2"]),
        (("Interviewer", "Participant #4"), ["Interviewer", "Participant #4"]),
        (("Enquêteur", "Enquêtée"), ["Enquêteur", "Enquêtée"]),
        (("Frau Albrecht", "Studentin"), ["Frau Albrecht", "Studentin"]),
        (("Ms. van der Berg", "Mr J. Smith"), ["Ms. van der Berg", "Mr J. Smith"]),
    ],
)
def test_well_known_roles_and_titles_count_at_once(labels: tuple[str, str], expected: list[str]):
    text = f"{labels[0]}: Wie war das?\n{labels[1]}: Gut, danke.\n"
    assert said(text) == list(zip(expected, ["Wie war das?", "Gut, danke."], strict=True))


def test_speaker_names_are_normalised_in_white_space():
    text = "Dr.  Weber:\tYes.\n  Dr. Weber : No.\nInterviewer: Ok.\n"
    assert said(text) == [("Dr. Weber", "Yes.\n  Dr. Weber : No."), ("Interviewer", "Ok.")]


def test_a_label_alone_on_its_line_and_labels_with_nothing_said():
    text = "Interviewer:\n\nWhat did you study?\n\nStudent:\nStudent: Medicine.\nI:\n"
    assert said(text) == [("Interviewer", "What did you study?"), ("Student", "Medicine.")]


def test_text_without_labels_is_one_turn_per_paragraph():
    text = "\n  First paragraph,\nstill first.  \n\n \n\tSecond: with a colon.\n\nThird.\n\n"
    assert said(text) == [
        (None, "First paragraph,\nstill first."),
        (None, "Second: with a colon."),
        (None, "Third."),
    ]


def test_lone_timestamps_start_turns_only_when_nobody_is_talking():
    text = (
        "[00:00:01] Welcome to the recording.\n"
        "[00:00:04] Please state your names.\n"
        "[00:00:09] Anna: I am Anna.\n"
        "[00:00:12] and I study medicine.\n"
    )
    assert said(text) == [
        (None, "Welcome to the recording."),
        (None, "Please state your names."),
        ("Anna", "I am Anna.\n[00:00:12] and I study medicine."),
    ]
    assert times(text) == [1.0, 4.0, 9.0]


def test_sentences_links_and_clock_times_are_not_labels():
    text = (
        "Interviewer: Go on.\n"
        "https://example.org: the page\n"
        "Well, you know: it was hard.\n"
        "What happened then? He said: no.\n"
        "Dr. Weber said: be patient.\n"
        "12:30 was the time.\n"
    )
    assert [s for s, _ in said(text)] == ["Interviewer"]


def test_user_speaker_pattern_with_time():
    text = "Intro line\n>> ANNA @ 01:05 | Hello.\n>> BEN @ 01:09 | Hi.\n>> anna @ 01:20 | Bye.\n"
    pattern = r">> (?P<speaker>\w+) @ (?P<time>[\d:]+) \|"
    assert said(text, pattern) == [
        (None, "Intro line"),
        ("ANNA", "Hello."),
        ("BEN", "Hi."),
        ("ANNA", "Bye."),
    ]
    assert [t.timestamp for t in parse_turns(text, pattern)] == [None, 65.0, 69.0, 80.0]


def test_user_speaker_pattern_replaces_the_built_in_rule():
    text = "Interviewer: hello\n- Anna - hi\n"
    assert said(text, r"- (?P<speaker>\w+) -") == [(None, "Interviewer: hello"), ("Anna", "hi")]


@pytest.mark.parametrize(
    ("pattern", "message"),
    [
        (r"(?P<speaker>\w+", "invalid speaker pattern"),
        (r"(\w+):", "needs a named group (?P<speaker>...)"),
    ],
)
def test_bad_speaker_patterns(pattern: str, message: str):
    with pytest.raises(ImportFormatError) as info:
        parse_turns("Anna: hi\n", pattern)
    assert message in str(info.value)
    assert info.value.place == "speaker pattern"


def test_every_turn_is_trimmed_non_empty_and_in_order():
    text = (
        "  Preface  \n\n[00:00:01]   \nINTERVIEWER:   \n  Hi  \n\n"
        "Student:\t\tYes \n\n\nStudent: more\n(00:01:00) Dr. Weber (00:01:02): x\n"
    )
    turns = parse_turns(text)
    ends = [0] + [t.end for t in turns]
    for previous_end, turn in zip(ends, turns, strict=False):
        span = text[turn.start : turn.end]
        assert span and span == span.strip()
        assert previous_end <= turn.start < turn.end
    assert [t.speaker for t in turns] == [None, "INTERVIEWER", "Student", "Dr. Weber"]
    assert turns[-1].timestamp == 60.0


def test_spoken_text_blanks_labels_and_keeps_every_offset():
    from qualcode.ingest import spoken_text

    text = (
        "Study header\n"
        "[00:00:02] Maya Okafor: Yes, I can hear you.\n"
        "[00:00:05] Maya Okafor: The picture froze.\n"
        "Note: the line dropped here.\n"
        "[00:00:09] Interviewer: Fine."
    )
    turns = parse_turns(text)
    spoken = spoken_text(text, [(t.start, t.end, t.speaker) for t in turns])
    assert len(spoken) == len(text)
    assert [i for i, ch in enumerate(spoken) if ch == "\n"] == [
        i for i, ch in enumerate(text) if ch == "\n"
    ]
    assert "Okafor" not in spoken and "Interviewer" not in spoken and "00:00" not in spoken
    assert (
        spoken.split()
        == (
            "Study header Yes, I can hear you. The picture froze. "
            "Note: the line dropped here. Fine."
        ).split()
    )
    start = text.index("The picture")
    assert spoken[start : start + 11] == "The picture"


def test_name_and_time_on_a_line_of_their_own_as_otter_and_teams_write_them():
    text = (
        "Maya Okafor  0:03\n"
        "So I never heard of the programme before.\n"
        "Really never.\n"
        "\n"
        "Interviewer  0:15\n"
        "Why do you think that is?\n"
        "\n"
        "Maya Okafor  1:02:20\n"
        "Nobody told us.\n"
    )
    turns = parse_turns(text)
    assert [(t.speaker, t.timestamp) for t in turns] == [
        ("Maya Okafor", 3.0),
        ("Interviewer", 15.0),
        ("Maya Okafor", 3740.0),
    ]
    assert [text[t.start : t.end] for t in turns] == [
        "So I never heard of the programme before.\nReally never.",
        "Why do you think that is?",
        "Nobody told us.",
    ]


def test_a_time_at_the_end_of_a_line_of_prose_is_not_a_speaker():
    text = "Notes from the day\nWe met at 10:30\nand talked about the programme.\n"
    turns = parse_turns(text)
    assert [t.speaker for t in turns] == [None]


def test_speaker_and_text_in_two_tab_separated_columns():
    text = (
        "00:00:05\tInterviewer\tHello.\n"
        "00:00:09\tRespondent\tFine, thanks.\n"
        "00:00:12\tInterviewer\tGood.\n"
    )
    turns = parse_turns(text)
    assert [(t.speaker, t.timestamp, text[t.start : t.end]) for t in turns] == [
        ("Interviewer", 5.0, "Hello."),
        ("Respondent", 9.0, "Fine, thanks."),
        ("Interviewer", 12.0, "Good."),
    ]
    plain = "Interviewer\tHow are you?\nStudent\tBusy.\nInterviewer\tI see.\n"
    assert [t.speaker for t in parse_turns(plain)] == ["Interviewer", "Student", "Interviewer"]
    once = "Summary\tThe call went well.\nAnd it was short.\n"
    assert [t.speaker for t in parse_turns(once)] == [None]


def test_spoken_text_leaves_out_the_transcribers_notes():
    from qualcode.ingest import spoken_text

    text = "R: Well [pause] for all students [laughs], I think (maybe not). [inaudible 00:12:03]"
    turns = parse_turns(text)
    spoken = spoken_text(text, [(t.start, t.end, t.speaker) for t in turns])
    assert len(spoken) == len(text)
    assert spoken.split() == "Well for all students , I think (maybe not).".split()


def test_a_lettered_speaker_who_speaks_once_is_one_of_the_series():
    """A focus group of "Nurse A".."Nurse D": C and D speak once, A and B twice. Their words
    are theirs, not the turn of the nurse before them."""
    text = (
        "Moderator: How does handover work on your ward?\n"
        "Nurse A: It depends on who is in charge.\n"
        "Nurse B: Yeah.\n"
        "Nurse C: The verbal handover loses things at night.\n"
        "Nurse D: Short staffed is every night.\n"
        "Moderator: What would help?\n"
        "Nurse B: A written checklist.\n"
        "Nurse A: Exactly.\n"
        "Step 1: a numbered line of someone's notes stays in the turn.\n"
    )
    speakers = [t.speaker for t in parse_turns(text)]
    assert speakers == [
        "Moderator", "Nurse A", "Nurse B", "Nurse C", "Nurse D", "Moderator", "Nurse B", "Nurse A",
    ]  # fmt: skip
    said = {t.speaker: text[t.start : t.end] for t in parse_turns(text)}
    assert said["Nurse C"] == "The verbal handover loses things at night."
