"""Quotes show what was said: a caption transcript's cue labels and timestamps are left out
of codings, report quotes and exports, while the offsets stay those of the stored text."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from qualcode.ingest.spoken import spoken_quote, spoken_text
from qualcode.project import Project

CODER = "quoter"  # the example study may arrive coded: these tests look at their own codings


@pytest.fixture
def demo(demo_project: Project) -> Project:
    return demo_project


def test_a_caption_quote_leaves_out_cue_labels_and_timestamps(demo: Project, tmp_path: Path):
    text = demo.sources.get("interview_05").text
    first, second = demo.sources.turns("interview_05")[1:3]
    assert "[00:00:10] Maya Okafor:" in text[first.start : first.end]
    demo.coding.apply("interview_05", first.start, second.end, "Awareness", coder=CODER)
    [seg] = demo.coding.codings(coder=CODER)
    said = "Yes, I can hear you.\nThe picture's frozen, but the sound is fine."
    # The speaker changes inside the quote: the new speaker's label stays, the timestamp not.
    assert seg.text.startswith(said + "\nInterviewer: That's fine, we only need the sound.")
    assert "[00:" not in seg.text and "Okafor:" not in seg.text
    assert (seg.coding.start, seg.coding.end) == (first.start, second.end)
    quotes = demo.reports.quotes(coder=[CODER])
    assert quotes["text"].tolist() == [seg.text]
    assert quotes["start"].tolist() == [first.start]
    demo.reports.export_tables(tmp_path / "q.json", {"quotes": quotes})
    [row] = json.loads((tmp_path / "q.json").read_text(encoding="utf-8"))["rows"]
    assert row["text"] == seg.text


def test_quotes_across_a_turn_without_a_speaker_agree_with_codings(demo: Project):
    first, second = demo.sources.turns("interview_01")[:2]
    assert first.speaker is None  # the header before the first label
    demo.coding.apply("interview_01", first.start, second.end, "Awareness", coder=CODER)
    [seg] = demo.coding.codings(coder=CODER)
    text = demo.sources.get("interview_01").text
    assert seg.text == text[first.start : second.end]  # the label of the new speaker stays
    assert "\nINTERVIEWER: Hello, is this a good time?" in seg.text
    assert demo.reports.quotes(coder=[CODER])["text"].tolist() == [seg.text]


def test_a_plain_quote_is_the_stored_text_unchanged(demo: Project):
    turn = demo.sources.turns("interview_01")[2]
    demo.coding.apply("interview_01", turn.start, turn.end, "Awareness", coder=CODER)
    text = demo.sources.get("interview_01").text
    assert [s.text for s in demo.coding.codings(coder=CODER)] == [text[turn.start : turn.end]]
    assert demo.reports.quotes(coder=[CODER])["text"].tolist() == [text[turn.start : turn.end]]


def test_spoken_quote_from_the_start_of_a_labelled_line():
    text = "[00:00:01] Ann: Hello there.\n[00:00:04] Ann: And [laughs] goodbye.\n"
    turns = [(16, 66, "Ann")]
    line = text.index("[00:00:04]")
    assert spoken_quote(text, line, 66, turns) == "And goodbye."
    assert spoken_quote(text, 16, 28, turns) == "Hello there."


@pytest.mark.parametrize("name", ["interview_01", "interview_05", "interview_08", "panel_01"])
def test_a_quote_says_the_words_the_nlp_reads_and_who_takes_over(demo: Project, name: str):
    # The example study's brackets are all transcriber notes, so a quote of three turns holds
    # the words the NLP reads, and the labels of the second and third turns' speakers.
    text = demo.sources.get(name).text
    turns = [(t.start, t.end, t.speaker) for t in demo.sources.turns(name)]
    spoken = spoken_text(text, turns)
    for i, ((a, _, _), (_, b, _)) in enumerate(zip(turns, turns[2:], strict=False)):
        quote = spoken_quote(text, a, b, turns)
        if spoken[a:b] == text[a:b]:
            assert quote == text[a:b]
        for _, _, speaker in turns[i + 1 : i + 3]:
            if speaker is not None:
                assert f"\n{speaker}: " in quote
                quote = quote.replace(f"\n{speaker}: ", "\n", 1)
        assert re.findall(r"\w+", quote) == re.findall(r"\w+", spoken[a:b])
