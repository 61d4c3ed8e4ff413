"""The coding workbench driven through Textual's Pilot, with the results checked in the
project database through qualcode.project (never through the screen)."""

from __future__ import annotations

import pytest
from textual import events
from textual.widgets import Input

from qualcode.model import Suggestion
from qualcode.project import Project
from qualcode.tui.app import QualcodeApp
from qualcode.tui.screens.codebook import CodebookScreen
from qualcode.tui.screens.coding import CodingScreen
from qualcode.tui.screens.help import HelpScreen
from qualcode.tui.screens.themes import ThemesDialog
from qualcode.tui.widgets.code_tree import CodeTree
from qualcode.tui.widgets.suggestions import SuggestionPanel

SIZE = (100, 30)


@pytest.fixture
def demo(demo_project: Project) -> Project:
    return demo_project


def errors(app: QualcodeApp) -> list[str]:
    return [n.message for n in app._notifications if n.severity == "error"]


async def test_code_undo_recode_memo_and_merge(demo: Project):
    app = QualcodeApp(demo, source="interview_03")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, CodingScreen)
        await pilot.press("N", "enter", "down")  # first uncoded turn, its 1st, 2nd sentence
        span = screen.view.selection
        quote = demo.source("interview_03").text[span[0] : span[1]]
        assert quote == "Is it still a good time for you?"
        await pilot.press("a")  # Awareness
        assert [(c.code, c.text) for c in demo.codings()] == [
            ("Awareness and publicity/Awareness", quote)
        ]
        await pilot.press("ctrl+z")
        assert demo.codings() == []
        await pilot.press("a")
        await pilot.press("M")
        await pilot.pause()
        await pilot.press(*"asks about timing", "ctrl+s")
        await pilot.pause()
        await pilot.press("f4")
        await pilot.pause()
        codebook = app.screen
        assert isinstance(codebook, CodebookScreen)
        codebook.query_one(CodeTree).select_code(demo.code("Information channels").id)
        await pilot.press("g", *"Awareness", "enter")
        await pilot.pause()
        assert not errors(app)
    [seg] = demo.codings()
    assert (seg.code, seg.text, seg.coding.coder) == (
        "Awareness and publicity/Awareness",
        quote,
        "demo",
    )
    assert (seg.coding.start, seg.coding.end) == span
    assert seg.coding.memo == "asks about timing"
    assert not demo.codebook().find("Information channels")
    assert demo.summary()["codings"] == 1


async def test_memo_typed_after_tab_is_saved_and_listed(demo: Project):
    app = QualcodeApp(demo, source="interview_03")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("N", "enter", "a", "M")
        await pilot.pause()
        await pilot.press("tab", *"why now?", "ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, CodingScreen)
    [seg] = demo.codings(coder=demo.coder)
    assert seg.coding.memo == "why now?"
    assert [(m.target, m.text) for m in demo.memos(target="coding", target_id=seg.coding.id)] == [
        ("coding", "why now?")
    ]


async def test_an_empty_memo_is_not_saved(demo: Project):
    before = demo.memos()
    app = QualcodeApp(demo, source="interview_03")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("N", "enter", "M")
        await pilot.pause()
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert not isinstance(app.screen, CodingScreen)  # still asking for the text
        await pilot.press("escape")
    assert demo.memos() == before


async def test_select_by_turn_and_word_then_apply_by_number_and_finder(demo: Project):
    app = QualcodeApp(demo, source="interview_01")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, CodingScreen)
        text = demo.source("interview_01").text
        await pilot.press("right_square_bracket", "right_square_bracket")
        turn = screen.view.selection
        assert any((t.start, t.end) == turn for t in demo.turns("interview_01"))
        await pilot.press("enter")  # back to the turn's first sentence
        first = screen.view.selection
        await pilot.press("left", "shift+right")  # one word less at each end
        s, e = screen.view.selection
        assert first[0] < s and e < first[1]
        assert text[s:e] == text[s:e].strip()
        await pilot.press("2")  # the codebook's second code
        await pilot.press("space", *"brand new theme", "enter")
        await pilot.pause()
        panel = screen.query_one(SuggestionPanel)
        assert {seg.code for seg in panel.coded} == {
            demo.codebook().path(demo.codebook().codes[1]),
            "brand new theme",
        }
    assert len(demo.codings(start=s, end=e)) == 2
    assert demo.code("brand new theme").parent_id is None


async def test_search_filter_and_remove(demo: Project):
    app = QualcodeApp(demo, source="interview_03")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, CodingScreen)
        await pilot.press("slash", *"ambulance", "enter")
        await pilot.pause()
        hit = screen.view.selection
        assert demo.source("interview_03").text[hit[0] : hit[1]].lower() == "ambulance"
        await pilot.press("t")  # Time constraints
        await pilot.press("S")
        await pilot.pause()
        await pilot.press("down", "enter")  # the second speaker
        await pilot.pause()
        assert {t.speaker for t in screen.view.turns} == {demo.speakers("interview_03")[1]}
        await pilot.press("escape")
        await pilot.pause()
        assert len(screen.view.turns) == len(demo.turns("interview_03"))
        screen.view.select(hit)
        await pilot.press("delete")
        await pilot.pause()
    assert demo.codings() == []
    assert demo.undo() == "remove"


async def test_bad_input_is_a_notification_not_a_traceback(demo: Project):
    app = QualcodeApp(demo)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f4")
        await pilot.pause()
        app.screen.query_one(CodeTree).select_code(demo.code("Awareness").id)
        await pilot.press("r")
        app.screen.query_one(Input).value = "Information channels"
        await pilot.press("enter")
        await pilot.pause()
        assert errors(app) and "Information channels" in errors(app)[0]
    assert demo.code("Awareness").name == "Awareness"


async def test_sources_reports_and_help(demo: Project):
    app = QualcodeApp(demo)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("down", "enter")  # the second source
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, CodingScreen)
        assert screen.source is not None and screen.source.name == demo.sources()[1].name
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        table = app.screen.query_one("DataTable")
        described = {str(table.get_row_at(i)[1]) for i in range(table.row_count)}
        assert {"Next sentence", "Undo", "Memo", "Widen by a word (end)"} <= described
        await pilot.press("escape", "f5")
        await app.workers.wait_for_complete()
        await pilot.pause()
        table = app.screen.query_one("#frequencies")
        assert table.row_count == len(demo.codebook())
        assert app.screen.query_one("#charts")


async def test_the_panel_shows_suggestions_and_accepting_one_applies_it(demo: Project):
    app = QualcodeApp(demo, source="interview_03")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, CodingScreen)
        start, end = screen.view.selection
        code = demo.code("Awareness")
        offer = Suggestion(
            source_id=screen.source.id,  # type: ignore[union-attr]
            start=start,
            end=end,
            label="Awareness and publicity/Awareness",
            score=0.8,
            suggester="qualcode.test.v1",
            evidence=("heard of",),
            code_id=code.id,
        )
        await app.workers.wait_for_complete()  # the real suggestions, replaced below
        panel = screen.query_one(SuggestionPanel)
        panel.show_suggestions([offer, offer])
        await pilot.pause()
        panel.query_one("#suggestions").focus()
        await pilot.press("x")  # reject the first: it leaves the list, nothing is coded
        assert len(panel.suggestions) == 1 and demo.codings() == []
        await pilot.press("enter")
        await pilot.pause()
    [seg] = demo.codings()
    assert (seg.coding.code_id, seg.coding.start, seg.coding.end) == (code.id, start, end)


async def test_a_passage_in_the_codebook_opens_on_the_coding_screen(demo: Project):
    text = demo.source("interview_05").text
    start = text.index("Maya")
    demo.apply_code("interview_05", start, start + 4, "Awareness")
    app = QualcodeApp(demo)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f4")
        await pilot.pause()
        app.screen.query_one(CodeTree).select_code(demo.code("Awareness").id)
        await pilot.pause()
        app.screen.query_one("#code-passages").focus()
        await pilot.press("enter")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, CodingScreen)
        assert screen.source is not None and screen.source.name == "interview_05"
        assert screen.view.selection == (start, start + 4)


async def test_a_code_typed_right_after_a_move_codes_the_new_passage(demo: Project):
    app = QualcodeApp(demo, source="interview_03")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, CodingScreen)
        # All four keys queued at once, as a fast typist (or a paste) delivers them;
        # Pilot.press would wait for the screen between keys.
        for key, char in (("down", None), ("a", "a"), ("down", None), ("t", "t")):
            app.post_message(events.Key(key, char))
        await pilot.pause()
        sentences = demo.sentences("interview_03")
    got = sorted(
        (seg.coding.start, seg.coding.end, seg.code.rsplit("/")[-1]) for seg in demo.codings()
    )
    assert got == [(*sentences[1], "Awareness"), (*sentences[2], "Time constraints")]


async def test_suggestions_accepted_or_rejected_are_recorded_as_feedback(demo: Project):
    app = QualcodeApp(demo, source="interview_03")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, CodingScreen)
        await pilot.press("N")  # the first uncoded turn
        await app.workers.wait_for_complete()
        await pilot.pause()
        panel = screen.query_one(SuggestionPanel)
        assert panel.suggestions, "the suggest worker filled the panel"
        first = panel.suggestions[0]
        panel.query_one("#suggestions").focus()
        await pilot.press("enter")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert panel.suggestions and first.code_id not in {s.code_id for s in panel.suggestions}
        second = panel.suggestions[0]
        panel.query_one("#suggestions").focus()
        await pilot.press("x")
        await pilot.pause()
        assert not errors(app)
    [seg] = demo.codings()
    assert (seg.coding.code_id, seg.coding.start, seg.coding.end, seg.coding.coder) == (
        first.code_id,
        first.start,
        first.end,
        "demo",
    )
    feedback = demo.store.list_feedback()
    assert [(f.code_id, f.accepted, f.coder) for f in feedback] == [
        (first.code_id, True, "demo"),
        (second.code_id, False, "demo"),
    ]
    assert demo.suggestion_precision()[first.suggester]["accepted"] >= 1


async def test_plus_and_minus_accept_and_reject_from_the_transcript(demo: Project):
    app = QualcodeApp(demo, source="interview_03")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, CodingScreen)
        await pilot.press("N")
        await app.workers.wait_for_complete()
        await pilot.pause()
        panel = screen.query_one(SuggestionPanel)
        assert panel.suggestions
        first = panel.suggestions[0]
        await pilot.press("plus")  # no Tab to the panel: the best suggestion is taken
        await app.workers.wait_for_complete()
        await pilot.pause()
        second = panel.suggestions[0]
        await pilot.press("minus")
        await pilot.pause()
        assert not errors(app)
    [seg] = demo.codings()
    assert (seg.coding.code_id, seg.coding.start, seg.coding.end) == (
        first.code_id,
        first.start,
        first.end,
    )
    feedback = demo.store.list_feedback()
    assert [(f.code_id, f.accepted) for f in feedback] == [
        (first.code_id, True),
        (second.code_id, False),
    ]


async def test_a_theme_found_in_the_uncoded_text_becomes_a_code(demo: Project):
    before = {c.id for c in demo.codebook()}
    app = QualcodeApp(demo)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f4", "t")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, ThemesDialog)
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert dialog.themes and not dialog.query_one("#themes").loading
        await pilot.press("down")
        theme = dialog.themes[1]
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, CodebookScreen)
        selected = app.screen.query_one(CodeTree).code
        await pilot.press("t", "escape")  # closed before the themes are found
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert isinstance(app.screen, CodebookScreen) and not errors(app)
    [code] = [c for c in demo.codebook() if c.id not in before]
    assert selected is not None and selected.id == code.id  # shown in the tree at once
    assert code.parent_id is None and code.name == theme.label.replace("/", "-")
    assert code.keywords == theme.terms[:5] and code.examples == theme.quotes[:3]


async def test_moves_are_not_held_up_by_suggestions_and_only_the_last_passage_shows(
    demo: Project,
):
    app = QualcodeApp(demo, source="interview_03")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, CodingScreen)
        # The first suggestion fits the features on every passage (seconds): the moves
        # are taken meanwhile.
        await pilot.press("down", "down", "down")
        sentences = demo.sentences("interview_03")
        assert screen.view.selection == sentences[3]
        await app.workers.wait_for_complete()
        await pilot.pause()
        panel = screen.query_one(SuggestionPanel)
        assert panel.suggestions
        assert {(s.start, s.end) for s in panel.suggestions} == {sentences[3]}
