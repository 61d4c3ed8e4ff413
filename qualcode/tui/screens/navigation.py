"""Moving the selection of the coding screen: by sentence, turn, page, word and search hit;
filtering the view to one code or one speaker; jumping to the next uncoded turn.

A mixin of :class:`CodingScreen`, kept apart so each module stays readable; it asks the
project for everything (sentences, hits, filtered turns) and the transcript widget only
shows the result.
"""

from __future__ import annotations

import bisect
from typing import TYPE_CHECKING

from qualcode import segments
from qualcode.model import Code, Turn
from qualcode.tui.screens.coding_parts import CodingParts, Span
from qualcode.tui.screens.dialogs import ChoiceDialog, CodeFinder, TextPrompt


class Navigation(CodingParts):
    """Selection, search and filter actions; the screen provides the state below."""

    turns: list[Turn]
    sentences: list[Span]
    shown: list[Span]
    hits: list[Span]
    filter_code: Code | None
    filter_speaker: str | None

    if TYPE_CHECKING:

        def _show_turns(self, turns: list[Turn]) -> None: ...

        def _update_status(self) -> None: ...

    def _turn_at(self, offset: int) -> Turn | None:
        i = bisect.bisect_right(self.turns, offset, key=_start) - 1
        return self.turns[i] if i >= 0 else None

    def _sentence_index(self, offset: int) -> int:
        return segments.index_at(self.shown, offset)

    def action_sentence(self, step: int) -> None:
        if not self.shown:
            return
        s, e = self.view.selection
        if step > 0:
            i = bisect.bisect_left(self.shown, e, key=_first)
            if i >= len(self.shown):
                return
        else:
            i = bisect.bisect_left(self.shown, s, key=_first) - 1
            if i < 0:
                return
        self._select(self.shown[i])

    def action_turn(self, step: int) -> None:
        shown = self.view.turns
        if not shown:
            return
        s, _ = self.view.selection
        starts = [t.start for t in shown]
        current = max(bisect.bisect_right(starts, s) - 1, 0)
        i = min(max(current + step, 0), len(shown) - 1)
        if step < 0 and shown[current].start < s:
            i = current  # back to the start of this turn first, as editors do
        self._select((shown[i].start, shown[i].end))

    def action_select_turn(self) -> None:
        s, e = self.view.selection
        turn = self._turn_at(s)
        if turn is None:
            return
        if (s, e) == (turn.start, turn.end):  # a second Enter goes back to the sentence
            self._select(self.shown[self._sentence_index(s)])
        else:
            self._select((turn.start, turn.end))

    def action_extend(self, step: int) -> None:
        s, e = self.view.selection
        if step > 0:
            later = [b for a, b in self.shown if b > e]
            if later:
                self._select((s, later[0]))
        else:
            earlier = [b for a, b in self.shown if s < b < e]
            if earlier:
                self._select((s, earlier[-1]))

    def action_word(self, side: str, step: int) -> None:
        if self.source is None:  # an empty project: nothing to act on
            return
        text, span = self.source.text, self.view.selection
        turn = self._turn_at(span[0])
        if turn is None:
            return
        if side == "end":
            if step > 0:
                new = segments.widen_end(text, span, turn.end)
            else:
                new = segments.narrow_end(text, span)
        else:
            if step > 0:
                new = segments.widen_start(text, span, turn.start)
            else:
                new = segments.narrow_start(text, span)
        self._select(new)

    def action_page(self, step: int) -> None:
        if not self.shown:
            return
        view = self.view
        line = view.line_of(view.selection[0]) + step * view.page_lines
        line = min(max(line, 0), len(view.lines) - 1)
        target = view.lines[line].start
        self._select(self.shown[self._sentence_index(target)])

    def action_edge(self, which: int) -> None:
        if self.shown:
            self._select(self.shown[which])

    # -- search and filters ------------------------------------------------------------------

    def action_search(self) -> None:
        self.app.push_screen(TextPrompt("Search this source", placeholder="words"), self._search)

    def _search(self, query: str | None) -> None:
        if query is None or self.source is None:
            return
        hits = self.app.attempt(self.project.sources.search, self.source.id, query)
        self.hits = hits or []
        self.view.set_hits(self.hits)
        if not self.hits:
            self.say(f"no '{query}' here")
        else:
            self.action_hit(1)
        self._update_status()

    def action_hit(self, step: int) -> None:
        if not self.hits:
            return
        s, _ = self.view.selection
        starts = [a for a, _ in self.hits]
        i = bisect.bisect_right(starts, s) if step > 0 else bisect.bisect_left(starts, s) - 1
        self._select(self.hits[i % len(self.hits)])

    def action_next_uncoded(self) -> None:
        if self.source is None:
            return
        # Within the speaker shown (S), so an interview is coded one respondent turn after
        # another without stopping at every question of the interviewer.
        source, at, speaker = self.source.id, self.view.selection[0], self.filter_speaker
        sources, context = self.project.sources, self.project.context
        found = self.app.attempt(
            lambda: [sources.next_uncoded_turn(source, at, coder=context.coder, speaker=speaker)]
        )
        if found is None:  # the read failed, and is shown
            return
        turn = found[0]
        if turn is None:
            self.say("every turn has a code")
            return
        if turn not in self.view.turns:
            self.action_clear_filters()
        self._select((turn.start, turn.end))

    def action_filter_code(self) -> None:
        book = self.app.attempt(self.project.codebook.book)
        if book is not None:
            finder = CodeFinder(book, "Show only turns with code", create=False)
            self.app.push_screen(finder, self._set_filter_code)

    def _set_filter_code(self, code: Code | str | None) -> None:
        if isinstance(code, Code):
            self.filter_code = code
            self._apply_filters()

    def action_filter_speaker(self) -> None:
        if self.source is None:
            return
        speakers = self.app.attempt(self.project.sources.speakers, self.source.id)
        if speakers is None:
            return

        def chosen(i: int | None) -> None:
            if i is not None:
                self.filter_speaker = speakers[i]
                self._apply_filters()

        self.app.push_screen(ChoiceDialog("Show only turns of", speakers), chosen)

    def _apply_filters(self) -> None:
        if self.source is None:  # an empty project: nothing to act on
            return
        turns = self.app.attempt(
            self.project.sources.filter_turns,
            self.source.id,
            code=self.filter_code.id if self.filter_code else None,
            speaker=self.filter_speaker,
        )
        if not turns:
            self.say("no turns match; showing all")
            self.filter_code = self.filter_speaker = None
            turns = self.turns
        self._show_turns(turns)
        self._select(self.shown[0] if self.shown else (0, 0))

    def action_clear_filters(self) -> None:
        if self.source is None:
            return
        self.hits = []
        self.view.set_hits([])
        if self.filter_code or self.filter_speaker:
            self.filter_code = self.filter_speaker = None
            selection = self.view.selection
            self._show_turns(self.turns)
            self._select(selection)
        self._update_status()


def _start(turn: Turn) -> int:
    return turn.start


def _first(span: Span) -> int:
    return span[0]
