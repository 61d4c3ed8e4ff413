"""Quotes show what was said: a caption transcript's cue labels and timestamps are left out
of codings, report quotes and exports, while the offsets stay those of the stored text."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from qualcode.ingest.spoken import spoken_quote, spoken_text
from qualcode.project import Project

CODER = "quoter"  # the example study may arrive coded: these tests look at their own codings


@pytest.fixture
def demo(demo_project: Project) -> Project:
    return demo_project


def test_a_caption_quote_leaves_out_cue_labels_and_timestamps(demo: Project, tmp_path: Path):
    text = demo.source("interview_05").text
    first, second = demo.turns("interview_05")[1:3]
    assert "[00:00:10] Maya Okafor:" in text[first.start : first.end]
    demo.apply_code("interview_05", first.start, second.end, "Awareness", coder=CODER)
    [seg] = demo.codings(coder=CODER)
    said = "Yes, I can hear you.\nThe picture's frozen, but the sound is fine."
    assert seg.text.startswith(said + "\nThat's fine, we only need the sound.")
    assert "[00:" not in seg.text and "Okafor:" not in seg.text and "Interviewer:" not in seg.text
    assert (seg.coding.start, seg.coding.end) == (first.start, second.end)
    quotes = demo.quotes(coder=[CODER])
    assert quotes["text"].tolist() == [seg.text]
    assert quotes["start"].tolist() == [first.start]
    demo.export_tables(tmp_path / "q.json", {"quotes": quotes})
    [row] = json.loads((tmp_path / "q.json").read_text(encoding="utf-8"))["rows"]
    assert row["text"] == seg.text


def test_quotes_across_a_turn_without_a_speaker_agree_with_codings(demo: Project):
    first, second = demo.turns("interview_01")[:2]
    assert first.speaker is None  # the header before the first label
    demo.apply_code("interview_01", first.start, second.end, "Awareness", coder=CODER)
    [seg] = demo.codings(coder=CODER)
    assert "INTERVIEWER:" not in seg.text
    assert demo.quotes(coder=[CODER])["text"].tolist() == [seg.text]


def test_a_plain_quote_is_the_stored_text_unchanged(demo: Project):
    turn = demo.turns("interview_01")[2]
    demo.apply_code("interview_01", turn.start, turn.end, "Awareness", coder=CODER)
    text = demo.source("interview_01").text
    assert [s.text for s in demo.codings(coder=CODER)] == [text[turn.start : turn.end]]
    assert demo.quotes(coder=[CODER])["text"].tolist() == [text[turn.start : turn.end]]


def test_spoken_quote_from_the_start_of_a_labelled_line():
    text = "[00:00:01] Ann: Hello there.\n[00:00:04] Ann: And [laughs] goodbye.\n"
    turns = [(16, 66, "Ann")]
    line = text.index("[00:00:04]")
    assert spoken_quote(text, line, 66, turns) == "And goodbye."
    assert spoken_quote(text, 16, 28, turns) == "Hello there."


def _tidy(text: str) -> str:
    lines = (" ".join(line.split()) for line in text.split("\n"))
    return "\n".join(line for line in lines if line)


@pytest.mark.parametrize("name", ["interview_01", "interview_05", "interview_08", "panel_01"])
def test_a_quote_follows_the_rule_the_nlp_reads_by(demo: Project, name: str):
    text = demo.source(name).text
    turns = [(t.start, t.end, t.speaker) for t in demo.turns(name)]
    spoken = spoken_text(text, turns)
    for (a, _, _), (_, b, _) in zip(turns, turns[2:], strict=False):  # three turns at a time
        quote = spoken_quote(text, a, b, turns)
        assert quote == (_tidy(spoken[a:b]) if spoken[a:b] != text[a:b] else text[a:b])
