"""The panel beside the transcript: the codes on the selected passage, and suggestions.

The screen fills the second list with :meth:`SuggestionPanel.show_suggestions` (from its
suggestion worker) and handles the typed messages the panel posts when the user accepts
(Enter) or rejects (x) one; the panel itself never touches the project.
"""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.geometry import Size
from textual.message import Message
from textual.reactive import Reactive
from textual.widgets import Label, OptionList
from textual.widgets.option_list import Option

from qualcode.model import Codebook, CodedSegment, Suggestion


class FixedList(OptionList):
    """An option list whose height the CSS fixes: new options repaint it and ask for no
    layout pass of the whole screen.

    Textual lays out the screen again whenever a widget's scrollable size changes, which
    for these lists is on every passage whose codes or suggestions differ in number. Their
    own size does not change then; only their scroll bar may appear or go, and that asks
    for the layout pass itself (``show_vertical_scrollbar`` does).
    """

    virtual_size = Reactive(Size(0, 0), layout=False)


class SuggestionList(FixedList):
    BINDINGS = [
        Binding("enter", "accept", "Accept", id="suggestion.accept"),
        Binding("x,delete", "reject", "Reject", id="suggestion.reject"),
    ]

    def action_accept(self) -> None:
        panel = self.screen.query_one(SuggestionPanel)
        if (s := panel.highlighted_suggestion) is not None:
            self.post_message(SuggestionPanel.Accepted(s))

    def action_reject(self) -> None:
        panel = self.screen.query_one(SuggestionPanel)
        if (s := panel.highlighted_suggestion) is not None:
            self.post_message(SuggestionPanel.Rejected(s))


class SuggestionPanel(Vertical):
    """Codes already on the passage under the cursor, then ranked suggestions for it."""

    class Accepted(Message):
        """The user accepted a suggestion: apply its code to its span."""

        def __init__(self, suggestion: Suggestion) -> None:
            super().__init__()
            self.suggestion = suggestion

    class Rejected(Message):
        """The user rejected a suggestion: record it, and drop it from the list."""

        def __init__(self, suggestion: Suggestion) -> None:
            super().__init__()
            self.suggestion = suggestion

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.coded: list[CodedSegment] = []
        self.suggestions: list[Suggestion] = []
        self.book = Codebook()
        self.tints: dict[int, str] = {}
        self._stale = True  # the codings list needs drawing even if the codings are the same
        self._none = ""  # what the suggestions list says while it holds none

    def compose(self) -> ComposeResult:
        yield Label("On this passage", classes="panel-title")
        yield FixedList(id="on-passage")
        yield Label("Suggestions", classes="panel-title", id="suggestions-title")
        yield SuggestionList(id="suggestions")

    def set_pending(self, pending: bool) -> None:
        """Say that suggestions for the passage are being computed (the first ones, while
        the suggester learns from the project's codings, can take a while)."""
        title = "Suggestions (working…)" if pending else "Suggestions"
        label = self.query_one("#suggestions-title", Label)
        if str(label.content) != title:  # the title's width is fixed: no layout pass
            label.update(title, layout=False)

    def set_codebook(self, book: Codebook, colors: dict[int, str]) -> None:
        """The codes to name and colour the lists by (after the codebook was read)."""
        self.book, self.tints = book, colors
        self._stale = True

    def code_name(self, code_id: int | None, label: str = "") -> str:
        """A code's own name (a full path would wrap the panel); ``label`` for a code the
        codebook does not hold, such as a candidate theme."""
        return self.book.name_of(code_id, label)

    def show_codings(self, coded: Sequence[CodedSegment]) -> None:
        """The codings overlapping the selection (code, coder, memo mark)."""
        if self.is_mounted and list(coded) == self.coded and not self._stale:
            return  # unchanged: a cursor move within a passage costs no repaint
        self._stale = False
        self.coded = list(coded)
        shown: list[Text | Option] = [
            Text.assemble(
                ("■ ", self.tints.get(seg.coding.code_id, "")),
                self.code_name(seg.coding.code_id, seg.code),
                (f"  {seg.coding.coder}", "dim"),
                ("  ✎" if seg.coding.memo else "", "bold"),
            )
            for seg in coded
        ]
        if not coded:
            shown.append(Option(Text("not coded yet", style="dim"), disabled=True))
        # One replacement, in a list of fixed height: no layout pass of the screen per move.
        self.query_one("#on-passage", OptionList).set_options(shown)

    def show_suggestions(
        self, suggestions: Sequence[Suggestion], reason: str | None = None
    ) -> None:
        """Ranked suggestions for the passage: score, code, suggester and evidence; with
        none, ``reason`` says why (else "none yet")."""
        options = self.query_one("#suggestions", OptionList)
        none = reason or "none yet"
        if not suggestions and not self.suggestions and none == self._none:
            return  # still none: a move between passages costs no repaint
        self.suggestions = list(suggestions)
        self._none = none
        shown: list[Text | Option] = [
            Text.assemble(
                (f"{s.score:.2f} ", "bold"),
                self.code_name(s.code_id, s.label),
                (f"  {s.suggester}", "dim"),
                (f"\n  {'; '.join(s.evidence[:2])}" if s.evidence else "", "italic dim"),
            )
            for s in suggestions
        ]
        if not suggestions:
            shown.append(Option(Text(none, style="dim"), disabled=True))
        options.set_options(shown)
        if suggestions:
            options.highlighted = 0

    def drop(self, suggestion: Suggestion) -> None:
        """Take one suggestion off the list (after it was accepted or rejected)."""
        index = next((i for i, s in enumerate(self.suggestions) if s is suggestion), None)
        if index is not None:
            highlighted = self.query_one("#suggestions", OptionList).highlighted or 0
            self.show_suggestions(self.suggestions[:index] + self.suggestions[index + 1 :])
            if self.suggestions:
                self.query_one("#suggestions", OptionList).highlighted = min(
                    highlighted, len(self.suggestions) - 1
                )

    @property
    def highlighted_suggestion(self) -> Suggestion | None:
        index = self.query_one("#suggestions", OptionList).highlighted
        if index is None or not (0 <= index < len(self.suggestions)):
            return None
        return self.suggestions[index]

    def on_mount(self) -> None:
        self.show_codings([])
        self.show_suggestions([])
