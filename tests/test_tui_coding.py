"""The coding workbench driven through Textual's Pilot, with the results checked in the
project database through qualcode.project (never through the screen)."""

from __future__ import annotations

import pytest
from textual import events
from textual.widgets import Input

from qualcode.model import Suggestion
from qualcode.nlp.substance import is_substantive
from qualcode.project import Project
from qualcode.tui.app import QualcodeApp
from qualcode.tui.screens.codebook import CodebookScreen
from qualcode.tui.screens.coding import CodingScreen
from qualcode.tui.screens.help import HelpScreen
from qualcode.tui.screens.themes import ThemesDialog
from qualcode.tui.widgets.code_tree import CodeTree
from qualcode.tui.widgets.status import StatusLine
from qualcode.tui.widgets.suggestions import SuggestionPanel
from qualcode.tui.widgets.transcript import TranscriptView
from tests.conftest import coding_screen, suggestions_shown, toasts, wait_for, wait_for_toast

SIZE = (100, 30)


@pytest.fixture
def demo(demo_project: Project) -> Project:
    return demo_project


def status(screen: CodingScreen) -> str:
    return screen.query_one(StatusLine).text


async def first_uncoded_answer(pilot, screen: CodingScreen, project: Project) -> None:
    """Select the first uncoded turn that is not the interviewer's (whose questions get no
    suggestions in a project that does not code them) and says something ("Yes, that's
    fine." gets none either): ``N``, then ``]`` past the others."""
    await pilot.press("N")
    view = screen.query_one(TranscriptView)
    text = project.sources.get("interview_03").text
    for _ in range(8):
        start = view.selection[0]
        turn = next(t for t in project.sources.turns("interview_03") if t.end > start)
        if turn.speaker != "Interviewer" and is_substantive(text[turn.start : turn.end], "en"):
            return
        await pilot.press("right_square_bracket")
        await wait_for(pilot, lambda was=start: view.selection[0] != was, "the next turn")
    raise AssertionError("no answer after eight turns")


async def test_code_undo_recode_memo_and_merge(demo: Project):
    app = QualcodeApp(demo, source="interview_03")
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        screen = await coding_screen(pilot)
        await pilot.press("N", "enter", "down")  # first uncoded turn, its 1st, 2nd sentence
        span = screen.view.selection
        quote = demo.sources.get("interview_03").text[span[0] : span[1]]
        assert quote == "Is it still a good time for you?"
        await pilot.press("a")  # Awareness
        assert [(c.code, c.text) for c in demo.coding.codings()] == [
            ("Awareness and publicity/Awareness", quote)
        ]
        await pilot.press("ctrl+z")
        assert demo.coding.codings() == []
        await pilot.press("a")
        await pilot.press("M")
        await wait_for(pilot, lambda: not isinstance(app.screen, CodingScreen), "the memo")
        await pilot.press(*"asks about timing", "ctrl+s")
        await wait_for(pilot, lambda: status(screen).startswith("✓ memo saved"))
        await pilot.press("f4")
        await wait_for(pilot, lambda: isinstance(app.screen, CodebookScreen))
        codebook = app.screen
        tree = codebook.query_one(CodeTree)
        await wait_for(pilot, lambda: tree.code is not None, "the tree's cursor")
        tree.select_code(demo.codebook.code("Information channels").id)
        await pilot.press("g", *"Awareness", "enter")
        await wait_for(pilot, lambda: app.screen is codebook, "the finder to close")
        await wait_for_toast(pilot, "Merged Information channels into Awareness")
        assert not toasts(app, "error")
    [seg] = demo.coding.codings()
    assert (seg.code, seg.text, seg.coding.coder) == (
        "Awareness and publicity/Awareness",
        quote,
        "demo",
    )
    assert (seg.coding.start, seg.coding.end) == span
    assert seg.coding.memo == "asks about timing"
    assert not demo.codebook.book().find("Information channels")
    assert demo.summary()["codings"] == 1


async def test_memo_typed_after_tab_is_saved_and_listed(demo: Project):
    app = QualcodeApp(demo, source="interview_03")
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        screen = await coding_screen(pilot)
        await pilot.press("N", "enter", "a", "M")
        await wait_for(pilot, lambda: app.screen is not screen, "the memo")
        await pilot.press("tab", *"why now?", "ctrl+s")
        await wait_for(pilot, lambda: status(screen).startswith("✓ memo saved"))
        assert app.screen is screen
    [seg] = demo.coding.codings(coder=demo.context.coder)
    assert seg.coding.memo == "why now?"
    assert [
        (m.target, m.text) for m in demo.coding.memos(target="coding", target_id=seg.coding.id)
    ] == [("coding", "why now?")]


async def test_an_empty_memo_is_not_saved(demo: Project):
    before = demo.coding.memos()
    app = QualcodeApp(demo, source="interview_03")
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        screen = await coding_screen(pilot)
        await pilot.press("N", "enter", "M")
        await wait_for(pilot, lambda: app.screen is not screen, "the memo")
        await pilot.press("ctrl+s")
        await wait_for_toast(pilot, "type the memo first", "warning")
        assert not isinstance(app.screen, CodingScreen)  # still asking for the text
        await pilot.press("escape")
    assert demo.coding.memos() == before


async def test_select_by_turn_and_word_then_apply_by_number_and_finder(demo: Project):
    app = QualcodeApp(demo, source="interview_01")
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        screen = await coding_screen(pilot)
        text = demo.sources.get("interview_01").text
        await pilot.press("right_square_bracket", "right_square_bracket")
        turn = screen.view.selection
        assert any((t.start, t.end) == turn for t in demo.sources.turns("interview_01"))
        await pilot.press("enter")  # back to the turn's first sentence
        first = screen.view.selection
        await pilot.press("left", "shift+right")  # one word less at each end
        s, e = screen.view.selection
        assert first[0] < s and e < first[1]
        assert text[s:e] == text[s:e].strip()
        await pilot.press("2")  # the codebook's second code
        await pilot.press("space", *"brand new theme", "enter")
        await wait_for(pilot, lambda: "(a new code)" in status(screen))
        panel = screen.query_one(SuggestionPanel)
        assert {seg.code for seg in panel.coded} == {
            demo.codebook.book().path(demo.codebook.book().codes[1]),
            "brand new theme",
        }
    assert len(demo.coding.codings(start=s, end=e)) == 2
    assert demo.codebook.code("brand new theme").parent_id is None


async def test_search_filter_and_remove(demo: Project):
    app = QualcodeApp(demo, source="interview_03")
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        screen = await coding_screen(pilot)
        await pilot.press("slash", *"ambulance", "enter")
        await wait_for(pilot, lambda: bool(screen.hits), "the search")
        hit = screen.view.selection
        assert demo.sources.get("interview_03").text[hit[0] : hit[1]].lower() == "ambulance"
        await pilot.press("t")  # Time constraints
        await pilot.press("S")
        await wait_for(pilot, lambda: app.screen is not screen, "the speakers")
        await pilot.press("down", "enter")  # the second speaker
        await wait_for(pilot, lambda: screen.filter_speaker is not None, "the filter")
        assert {t.speaker for t in screen.view.turns} == {demo.sources.speakers("interview_03")[1]}
        await pilot.press("escape")
        await wait_for(pilot, lambda: screen.filter_speaker is None, "the filter cleared")
        assert len(screen.view.turns) == len(demo.sources.turns("interview_03"))
        screen.view.select(hit)
        await pilot.press("delete")
        await wait_for(pilot, lambda: status(screen).startswith("✓ removed Time constraints"))
    assert demo.coding.codings() == []
    assert demo.coding.undo() == "remove"


async def test_bad_input_is_a_notification_not_a_traceback(demo: Project):
    app = QualcodeApp(demo)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await pilot.press("f4")
        await wait_for(pilot, lambda: isinstance(app.screen, CodebookScreen))
        tree = app.screen.query_one(CodeTree)
        await wait_for(pilot, lambda: tree.code is not None, "the tree's cursor")
        tree.select_code(demo.codebook.code("Awareness").id)
        await pilot.press("r")
        app.screen.query_one(Input).value = "Information channels"
        await pilot.press("enter")
        await wait_for_toast(pilot, "Information channels", "error")
    assert demo.codebook.code("Awareness").name == "Awareness"


async def test_sources_reports_and_help(demo: Project):
    app = QualcodeApp(demo)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await wait_for(pilot, lambda: app.screen.query_one("#sources").row_count > 1)
        await pilot.press("down", "enter")  # the second source
        screen = await coding_screen(pilot)
        assert screen.source is not None and screen.source.name == demo.sources.all()[1].name
        await pilot.press("question_mark")
        await wait_for(pilot, lambda: isinstance(app.screen, HelpScreen))
        assert isinstance(app.screen, HelpScreen)
        table = app.screen.query_one("DataTable")
        described = {str(table.get_row_at(i)[1]) for i in range(table.row_count)}
        assert {"Next sentence", "Undo", "Memo", "Widen by a word (end)"} <= described
        await pilot.press("escape", "f5")
        await wait_for(pilot, lambda: app.screen.query("#frequencies"), "the reports")
        table = app.screen.query_one("#frequencies")
        await wait_for(pilot, lambda: table.row_count and not table.loading, "the table")
        assert table.row_count == len(demo.codebook.book())
        assert app.screen.query_one("#charts")


async def test_the_panel_shows_suggestions_and_accepting_one_applies_it(demo: Project):
    app = QualcodeApp(demo, source="interview_03")
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        screen = await coding_screen(pilot)
        start, end = screen.view.selection
        code = demo.codebook.code("Awareness")
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
        await suggestions_shown(pilot, screen)  # the real suggestions, replaced below
        panel = screen.query_one(SuggestionPanel)
        panel.show_suggestions([offer, offer])
        panel.query_one("#suggestions").focus()
        await pilot.press("x")  # reject the first: it leaves the list, nothing is coded
        assert len(panel.suggestions) == 1 and demo.coding.codings() == []
        await pilot.press("enter")
        await wait_for(pilot, lambda: status(screen).startswith("✓ coded Awareness"))
    [seg] = demo.coding.codings()
    assert (seg.coding.code_id, seg.coding.start, seg.coding.end) == (code.id, start, end)


async def test_a_passage_in_the_codebook_opens_on_the_coding_screen(demo: Project):
    text = demo.sources.get("interview_05").text
    start = text.index("Maya")
    demo.coding.apply("interview_05", start, start + 4, "Awareness")
    app = QualcodeApp(demo)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await pilot.press("f4")
        await wait_for(pilot, lambda: isinstance(app.screen, CodebookScreen))
        tree = app.screen.query_one(CodeTree)
        await wait_for(pilot, lambda: tree.code is not None, "the tree's cursor")
        tree.select_code(demo.codebook.code("Awareness").id)
        passages = app.screen.query_one("#code-passages")
        await wait_for(pilot, lambda: passages.row_count == 1, "the code's passage")
        passages.focus()
        await pilot.press("enter")
        screen = await coding_screen(pilot)
        assert screen.source is not None and screen.source.name == "interview_05"
        assert screen.view.selection == (start, start + 4)


async def test_a_code_typed_right_after_a_move_codes_the_new_passage(demo: Project):
    app = QualcodeApp(demo, source="interview_03")
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        screen = await coding_screen(pilot)
        # All four keys queued at once, as a fast typist (or a paste) delivers them;
        # Pilot.press would wait for the screen between keys.
        for key, char in (("down", None), ("a", "a"), ("down", None), ("t", "t")):
            app.post_message(events.Key(key, char))
        await wait_for(pilot, lambda: status(screen).startswith("✓ coded Time constraints"))
        sentences = demo.sources.sentences("interview_03")
    got = sorted(
        (seg.coding.start, seg.coding.end, seg.code.rsplit("/")[-1])
        for seg in demo.coding.codings()
    )
    assert got == [(*sentences[1], "Awareness"), (*sentences[2], "Time constraints")]


async def test_suggestions_accepted_or_rejected_are_recorded_as_feedback(demo: Project):
    app = QualcodeApp(demo, source="interview_03")
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        screen = await coding_screen(pilot)
        await first_uncoded_answer(pilot, screen, demo)
        panel = screen.query_one(SuggestionPanel)
        await suggestions_shown(pilot, screen)
        assert panel.suggestions, "the suggest worker filled the panel"
        first = panel.suggestions[0]
        panel.query_one("#suggestions").focus()
        await pilot.press("enter")
        await wait_for(pilot, lambda: status(screen).startswith("✓ coded"), "the coding")
        await suggestions_shown(pilot, screen)
        assert panel.suggestions and first.code_id not in {s.code_id for s in panel.suggestions}
        second = panel.suggestions[0]
        panel.query_one("#suggestions").focus()
        await pilot.press("x")
        await wait_for(pilot, lambda: status(screen).startswith("✓ rejected"), "the rejection")
        assert not toasts(app, "error")
    [seg] = demo.coding.codings()
    assert (seg.coding.code_id, seg.coding.start, seg.coding.end, seg.coding.coder) == (
        first.code_id,
        first.start,
        first.end,
        "demo",
    )
    feedback = demo.context.store.list_feedback()
    assert [(f.code_id, f.accepted, f.coder) for f in feedback] == [
        (first.code_id, True, "demo"),
        (second.code_id, False, "demo"),
    ]
    assert demo.suggestions.suggestion_precision()[first.suggester]["accepted"] >= 1


async def test_plus_and_minus_accept_and_reject_from_the_transcript(demo: Project):
    app = QualcodeApp(demo, source="interview_03")
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        screen = await coding_screen(pilot)
        await first_uncoded_answer(pilot, screen, demo)
        await suggestions_shown(pilot, screen)
        panel = screen.query_one(SuggestionPanel)
        assert panel.suggestions
        first = panel.suggestions[0]
        await pilot.press("plus")  # no Tab to the panel: the best suggestion is taken
        await wait_for(pilot, lambda: status(screen).startswith("✓ coded"), "the coding")
        await suggestions_shown(pilot, screen)
        second = panel.suggestions[0]
        await pilot.press("minus")
        await wait_for(pilot, lambda: status(screen).startswith("✓ rejected"), "the rejection")
        assert not toasts(app, "error")
    [seg] = demo.coding.codings()
    assert (seg.coding.code_id, seg.coding.start, seg.coding.end) == (
        first.code_id,
        first.start,
        first.end,
    )
    feedback = demo.context.store.list_feedback()
    assert [(f.code_id, f.accepted) for f in feedback] == [
        (first.code_id, True),
        (second.code_id, False),
    ]


async def test_a_theme_found_in_the_uncoded_text_becomes_a_code(demo: Project):
    before = {c.id for c in demo.codebook.book()}
    app = QualcodeApp(demo)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await pilot.press("f4", "t")
        await wait_for(pilot, lambda: isinstance(app.screen, ThemesDialog))
        dialog = app.screen
        assert isinstance(dialog, ThemesDialog)
        await wait_for(pilot, lambda: not dialog.query_one("#themes").loading, "the themes")
        assert dialog.themes
        await pilot.press("down")
        theme = dialog.themes[1]
        await pilot.press("enter")
        await wait_for_toast(pilot, "Made the theme a code")
        codebook = app.screen
        assert isinstance(codebook, CodebookScreen)
        tree = codebook.query_one(CodeTree)
        await wait_for(pilot, lambda: codebook.pending_code is None, "the new code highlighted")
        selected = tree.code
        await pilot.press("t", "escape")  # closed before the themes are found
        await app.workers.wait_for_complete()
        await wait_for(pilot, lambda: app.screen is codebook, "the dialog closed")
        assert not toasts(app, "error")
    [code] = [c for c in demo.codebook.book() if c.id not in before]
    assert selected is not None and selected.id == code.id  # shown in the tree at once
    assert code.parent_id is None and code.name == theme.label  # "a / b" kept as written
    assert code.keywords == theme.terms[:5] and code.examples == theme.quotes[:3]


async def test_moves_are_not_held_up_by_suggestions_and_only_the_last_passage_shows(
    demo: Project,
):
    app = QualcodeApp(demo, source="interview_03")
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        screen = await coding_screen(pilot)
        # The first suggestion fits the features on every passage (seconds): the moves
        # are taken meanwhile, to the first answer that says something.
        sentences = demo.sources.sentences("interview_03")
        text = demo.sources.get("interview_03").text
        asked = [t for t in demo.sources.turns("interview_03") if t.speaker == "Interviewer"]
        answer = next(
            i
            for i, (a, b) in enumerate(sentences)
            if is_substantive(text[a:b], "en") and not any(t.start <= a < t.end for t in asked)
        )
        await pilot.press(*["down"] * answer)
        assert screen.view.selection == sentences[answer]
        await suggestions_shown(pilot, screen)
        panel = screen.query_one(SuggestionPanel)
        assert panel.suggestions
        assert {(s.start, s.end) for s in panel.suggestions} == {sentences[answer]}


async def test_a_code_applied_shows_as_a_full_read_of_the_project_would(
    coded_demo_project: Project,
):
    """Applying a code updates the screen in place (nothing read again: the coding's quote
    made from the source shown, its code's count one more, the lines it covers painted):
    counts, panel, the segments and transcript must be what reading everything again
    shows, with the other coders' codings on the passage too."""
    demo = coded_demo_project
    app = QualcodeApp(demo, source="interview_01")
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        screen = await coding_screen(pilot)
        tree = screen.query_one(CodeTree)
        before = dict(tree.counts)
        await pilot.press("down", "down", "1")
        await wait_for(pilot, lambda: status(screen).startswith("✓ coded"))
        await pilot.press("2")
        await wait_for(
            pilot, lambda: status(screen).count("✓ coded") == 1 and tree.counts != before
        )
        await pilot.pause()

        def shown() -> tuple[object, ...]:
            nodes, labels = list(tree.root.children), []
            while nodes:
                node = nodes.pop(0)
                labels.append(str(node.label))
                nodes[:0] = node.children
            lines = [list(screen.view.render_line(y)) for y in range(screen.view.size.height)]
            panel = [(s.coding.id, s.code) for s in screen.query_one(SuggestionPanel).coded]
            return labels, lines, panel, list(screen.coded), dict(tree.counts)

        applied = shown()
        screen.reload()
        await pilot.pause()
        assert shown() == applied
    first, second = demo.codebook.book().codes[:2]
    counts = demo.codebook.code_counts()
    assert tree.counts == counts
    assert (counts[first.id], counts[second.id]) == (
        before.get(first.id, 0) + 1,
        before.get(second.id, 0) + 1,
    )


async def test_the_transcript_follows_the_focus_and_the_theme(demo: Project):
    """The transcript keeps its base style between repaints; a change of focus (its tint)
    or of theme is painted all the same."""
    app = QualcodeApp(demo, source="interview_01")
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        screen = await coding_screen(pilot)

        def background() -> object:
            [first, *_] = screen.view.render_line(screen.view.size.height - 1)
            return first.style.bgcolor

        focused = background()
        screen.query_one(CodeTree).focus()
        await pilot.pause()
        unfocused = background()
        assert unfocused != focused
        app.theme = "textual-light" if app.theme != "textual-light" else "textual-dark"
        await pilot.pause()
        assert background() not in (focused, unfocused)


async def test_the_suggester_learns_once_the_coder_pauses(demo: Project):
    """A code applied refits nothing at once (a fast coder would pay a refit per key); once
    the coder pauses, the suggester learns from it and the passage under the cursor is asked
    again."""
    app = QualcodeApp(demo, source="interview_03")
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        screen = await coding_screen(pilot)
        source = screen.source
        assert source is not None
        sentence = next(s for s in screen.shown if demo.suggestions.why_none(source.id, *s) is None)
        screen._select(sentence)
        await suggestions_shown(pilot, screen)
        await wait_for(pilot, lambda: bool(screen._scored), "every sentence shown, in a batch")
        model = demo.suggestions.model(wait=False, refit=False)
        generation = screen._generation
        await pilot.press("1")
        assert status(screen).startswith("✓ coded")
        assert demo.suggestions.model(wait=False, refit=False) is model
        await wait_for(
            pilot,
            lambda: demo.suggestions.model(wait=False, refit=False) is not model,
            "the refit once coding paused",
        )
        await wait_for(pilot, lambda: screen._generation > generation, "the batch dropped")
        # Asked again: the passages shown scored by the new model.
        await wait_for(pilot, lambda: bool(screen._scored), "the passage asked again")
        await suggestions_shown(pilot, screen)
