"""The coding screen: a transcript, the codebook beside it, and what is on the passage.

Keys move a selection by sentence, turn or search hit and widen or narrow it by word; a code
is applied to the selection by its hotkey (a letter), its number (a digit), Enter on the
codebook tree, or the finder (space). Every change is a call into the project, saved at once.
Lowercase letters and digits are reserved for codes, so commands use other keys.
"""

from __future__ import annotations

import bisect
import threading
from typing import TYPE_CHECKING

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Tree
from textual.worker import Worker, WorkerState

from qualcode.model import Code, Codebook, CodedSegment, Coding, Source, Suggestion, Turn
from qualcode.project import ApplyResult, NewCodes, Project, Step
from qualcode.tui.colors import code_colors
from qualcode.tui.screens.coding_parts import Span
from qualcode.tui.screens.dialogs import ChoiceDialog, CodeFinder, MemoDialog
from qualcode.tui.screens.navigation import Navigation
from qualcode.tui.screens.suggesting import Suggesting
from qualcode.tui.widgets.code_tree import CodeTree
from qualcode.tui.widgets.footer import KeyLine
from qualcode.tui.widgets.status import StatusLine, turn_place
from qualcode.tui.widgets.suggestions import SuggestionPanel
from qualcode.tui.widgets.transcript import TranscriptView
from qualcode.tui.workbench import ShowsWorkerErrors

if TYPE_CHECKING:
    from qualcode.tui.workbench import Workbench


class CodingScreen(ShowsWorkerErrors, Navigation, Suggesting, Screen[None]):
    """Code one source at a time."""

    TITLE = "Coding"
    BINDINGS = [
        Binding("space", "find_code", "Code…", id="coding.find"),
        Binding("backspace,delete", "remove_code", "Uncode", id="coding.remove"),
        Binding("ctrl+z", "undo", "Undo", id="coding.undo"),
        Binding("ctrl+y", "redo", "Redo", show=False, id="coding.redo"),
        Binding(
            "plus",
            "accept_suggestion",
            "Accept",
            tooltip="Accept the suggested code",
            id="coding.accept",
        ),
        Binding("minus", "reject_suggestion", "Reject suggestion", show=False, id="coding.reject"),
        Binding("M", "memo", "Memo", show=False, id="coding.memo"),
        Binding("slash", "search", "Search", id="coding.search"),
        Binding(
            "N",
            "next_uncoded",
            "Uncoded",
            tooltip="Next uncoded turn",
            show=False,
            id="coding.uncoded",
        ),
        Binding("F", "filter_code", "Show only a code", show=False),
        Binding("S", "filter_speaker", "Show only a speaker", show=False),
        Binding("escape", "clear_filters", "Show all, clear search", show=False),
        Binding("O", "open_source", "Open another source", show=False),
        Binding("C", "set_coder", "Set the coder", show=False),
    ]

    app: Workbench

    def __init__(self) -> None:
        super().__init__()
        self.source: Source | None = None
        self.turns: list[Turn] = []
        self.sentences: list[Span] = []
        self.shown: list[Span] = []  # sentences of the turns shown
        self.coded: list[CodedSegment] = []
        self.tints: dict[int, str] = {}
        self.hits: list[Span] = []
        self.filter_code: Code | None = None
        self.filter_speaker: str | None = None
        self.message = ""
        self.book = Codebook()
        self.coder = ""
        self._suggesting = threading.Lock()
        self._settling: Timer | None = None
        self._working: Timer | None = None
        self._pausing: Timer | None = None
        self._scored: dict[Span, list[Suggestion]] = {}
        self._generation = 0
        self._batched = -1
        self.answered: Span | None = None
        self._just_opened = False

    def compose(self) -> ComposeResult:
        yield StatusLine(id="coding-status", classes="status")
        with Horizontal(id="coding-body"):
            yield TranscriptView(id="transcript")
            with Vertical(id="coding-side"):
                yield CodeTree(id="coding-tree")
                yield SuggestionPanel(id="panel")
        yield KeyLine()

    @property
    def view(self) -> TranscriptView:
        return self.query_one(TranscriptView)

    @property
    def project(self) -> Project:
        return self.app.project

    # -- loading -----------------------------------------------------------------------------

    def open_source(self, ref: str | int) -> None:
        """Show a source from its first sentence."""
        source = self.app.attempt(self.project.sources.get, ref)
        if source is None:
            return
        sources = self.project.sources
        read = self.app.attempt(lambda: (sources.turns(source.id), sources.sentences(source.id)))
        if read is None:
            return
        self.source = source
        self.turns, self.sentences = read
        self._rescore()
        self.filter_code = self.filter_speaker = None
        self.hits = []
        self.view.set_hits([])
        self._show_turns(self.turns)
        self.reload()
        self.view.scroll_to(0, 0, animate=False)
        self._select(self.shown[0] if self.shown else (0, 0))
        # Its suggestions are asked once the source is painted: the suggester's first fit,
        # in its thread, would otherwise take turns with the first paint.
        self._settle_stop()
        self.call_after_refresh(lambda: self._suggest(self.view.selection))
        self.view.focus()
        # Textual resumes a mode's screen twice when it first shows it: the second resume,
        # already queued, finds all read just now. Any later one reads the project again.
        self._just_opened = True
        self.call_later(setattr, self, "_just_opened", False)

    def reload(self) -> None:
        """Read the codebook and this source's codings again (after any change, or another
        window's). A read that fails is shown and the screen keeps what it showed."""
        read = self.app.attempt(self._read)
        if read is None:
            return
        self.coder, book, counts, coded = read  # the coder read once per change, not per key
        self.book = book
        self.tints = code_colors(book)
        self.query_one(CodeTree).load(book, counts, self.tints)
        self.fit_side()
        self.query_one(SuggestionPanel).set_codebook(book, self.tints)
        if coded is None:
            return
        self.coded = coded
        self.view.set_codings([seg.coding for seg in self.coded], self.tints)
        self._update_panel(self.view.selection)
        # The codebook or others' codings may have changed: the batch is scored again, and
        # the suggester refits if the codings did (the refit compares).
        self._rescore()
        self._pause()

    def _read(self) -> tuple[str, Codebook, dict[int, int], list[CodedSegment] | None]:
        """What :meth:`reload` shows: the coder, the codebook, its counts and this source's
        codings (None without a source)."""
        project = self.project
        coder, book = project.context.coder, project.codebook.book()
        counts = project.codebook.code_counts()
        if self.source is None:
            return coder, book, counts, None
        return coder, book, counts, project.coding.codings(source=self.source.id)

    def fit_side(self) -> None:
        """The codebook column as wide as its names need (to half the screen), else its
        usual 30% (28 to 48 columns)."""
        usual = min(max(round(self.app.size.width * 0.3), 28), 48)
        self.query_one(CodeTree).fit(self.query_one("#coding-side"), usual)

    def on_resize(self) -> None:
        self.fit_side()

    def on_screen_resume(self) -> None:
        ref = self.app.pending_source
        opened = ref is not None
        if ref is not None:
            self.app.pending_source = None
            self.open_source(ref)
            span, self.app.pending_span = self.app.pending_span, None
            if span is not None:
                self._select(span)
        if self.source is None:  # none asked for, or the one asked for could not be read
            first = self.app.attempt(self.project.sources.all)
            if first:
                self.open_source(first[0].id)
        elif not opened and not self._just_opened:
            self.reload()

    def _show_turns(self, turns: list[Turn]) -> None:
        if self.source is None:  # an empty project: nothing to act on
            return
        self.view.show(self.source.text, turns)
        spans = [(t.start, t.end) for t in turns]
        starts = [s for s, _ in spans]
        self.shown = [
            (s, e)
            for s, e in self.sentences
            if (i := bisect.bisect_right(starts, s) - 1) >= 0 and e <= spans[i][1]
        ]

    # -- the selection -----------------------------------------------------------------------

    def _select(self, span: Span) -> None:
        # The last action's message goes with the move that follows it: cleared here, in
        # order, not when the widget's message arrives (a code typed right after a move
        # would have its own message cleared then).
        self.message = ""
        self.view.select(span)
        # The status line and panel follow in the same handler, so a move is painted in one
        # frame with the transcript's lines (a message would paint them a frame later).
        self._update_panel(span)
        if found := self._scored.get(span):  # scored in the batch: shown in the same frame
            self._settle_stop()
            self._show_suggestions(span, found)
            return
        # The last passage's suggestions would be wrong here: cleared until the new ones come.
        self.query_one(SuggestionPanel).show_suggestions([])
        self.answered = None
        self._suggest(span)

    def _update_panel(self, span: Span) -> None:
        """Show the codes on the passage; the last action's message stays until a move."""
        s, e = span
        here = [seg for seg in self.coded if seg.coding.start < e and seg.coding.end > s]
        self.query_one(SuggestionPanel).show_codings(here)
        self._drop_codes_on_passage(span)
        self._update_status()

    def _update_status(self) -> None:
        if self.source is None:
            self.query_one("#coding-status", StatusLine).update("No sources: import some first.")
            return
        s, e = self.view.selection
        # The last action's message first: the line is cut at the terminal's width.
        parts = [f"✓ {self.message}" if self.message else "", self.source.name]
        last = self.turns[-1].index if self.turns else 0
        *where, chars = turn_place(self._turn_at(s), last, (s, e))
        parts += [*where, self.app.coder_label(self.coder), chars]
        if self.filter_code is not None:
            parts.append(f"only code {self.filter_code.name}")
        if self.filter_speaker is not None:
            parts.append(f"only {self.filter_speaker}")
        if self.hits:
            parts.append(f"{len(self.hits)} hit{'s' * (len(self.hits) != 1)}")
        self.query_one("#coding-status", StatusLine).update(" · ".join(p for p in parts if p))

    def say(self, message: str) -> None:
        """Feedback on the last action, in the status line until the next one."""
        self.message = message
        self._update_status()

    @on(TranscriptView.Clicked)
    def _clicked(self, event: TranscriptView.Clicked) -> None:
        if self.shown:
            self._select(self.shown[self._sentence_index(event.offset)])

    # -- coding ------------------------------------------------------------------------------

    def hotkey(self, char: str) -> bool:
        """Apply the code with hotkey ``char``, or for a digit the code of that number
        (when the transcript or the codebook has the focus); True if one was applied.

        The app calls this once a key has passed the bindings: keys reach the app in the
        order they were typed, so a code typed right after a move codes the new passage.
        """
        if len(char) != 1 or not char.isalnum() or self.source is None:
            return False
        if not isinstance(self.focused, TranscriptView | CodeTree):
            return False
        book = self.book
        code = next((c for c in book if c.hotkey == char), None)
        if code is None and char.isdigit() and char != "0" and int(char) <= len(book):
            code = book.codes[int(char) - 1]
        if code is None:
            return False
        self.apply(code)
        return True

    def apply(self, code: Code | str) -> None:
        """Apply a code (or a new code name) to the selection."""
        if self.source is None:  # an empty project: nothing to act on
            return
        s, e = self.view.selection
        if e <= s:
            self.say("select a passage first")
            return
        # A name (not a Code) comes only from the finder's explicit "+ new code" choice,
        # which says which parents it makes, if any: so they are made.
        ref, new = (code.id, False) if isinstance(code, Code) else (code, True)
        self.app.write(
            self.project.coding.apply,
            self.source.id,
            s,
            e,
            ref,
            new=new,
            parents=new,
            then=self._applied,
        )

    def _applied(self, result: ApplyResult) -> None:
        # Said in the status line, not a toast: a toast would cover the text being coded.
        name = result.code.name
        if result.coding is None:
            self.say(f"already coded {name} here")
        else:
            self.say(f"coded {name}" + _made(result.made))
        self.show_applied(result)

    def show_applied(self, result: ApplyResult) -> None:
        """Show what an apply changed: a new code needs the codebook read again; a coding
        alone is added in place; nothing (already coded) changes nothing."""
        if result.code_created:
            self.reload()
        elif result.coding is not None:
            self.add_coding(result.coding)

    def add_coding(self, coding: Coding) -> None:
        """Show one coding just made here without reading anything again: its segment made
        from the source and codebook shown, its code's count one more, and only the
        transcript lines it covers painted again. Others' changes come by the live feed,
        which reads the whole source again."""
        source = self.source
        if source is None or coding.source_id != source.id or coding.code_id not in self.tints:
            self.reload()  # not this source's, or a code this screen has not read yet
            return
        seg = self.app.attempt(self.project.coding.segment, coding, source, self.book)
        if seg is None:
            self.reload()
            return
        # In the order a full read gives (by start, end and id).
        bisect.insort(self.coded, seg, key=lambda x: (x.coding.start, x.coding.end, x.coding.id))
        tree = self.query_one(CodeTree)
        counts = {**tree.counts, coding.code_id: tree.counts.get(coding.code_id, 0) + 1}
        if tree.set_counts(counts):
            self.fit_side()
        self.view.set_codings(
            [x.coding for x in self.coded], self.tints, span=(coding.start, coding.end)
        )
        self._update_panel(self.view.selection)
        self._pause()

    def action_find_code(self) -> None:
        book = self.app.attempt(self.project.codebook.book)
        if book is not None:
            self.app.push_screen(CodeFinder(book), self._found)

    def _found(self, choice: Code | str | None) -> None:
        if choice:
            self.apply(choice)

    @on(Tree.NodeSelected)
    def _tree_selected(self, event: Tree.NodeSelected[Code]) -> None:
        if event.node.data is not None and self.source is not None:
            self.apply(event.node.data)

    def action_remove_code(self) -> None:
        s, e = self.view.selection
        mine = [
            seg
            for seg in self.coded
            if seg.coding.start < e
            and seg.coding.end > s
            and seg.coding.coder == self.project.context.coder
        ]
        if not mine:
            self.say(f"no coding of {self.project.context.coder} here")
            return
        exact = [seg for seg in mine if (seg.coding.start, seg.coding.end) == (s, e)]
        if len(exact) == 1 or len(mine) == 1:
            self._remove((exact or mine)[0])
            return
        labels = [Text(f"{seg.code}: {seg.text[:40]}") for seg in mine]  # [brackets] stay
        self.app.push_screen(
            ChoiceDialog("Remove which coding?", labels),
            lambda i: self._remove(mine[i]) if i is not None else None,
        )

    def _remove(self, seg: CodedSegment) -> None:
        def removed(_count: int) -> None:
            self.say(f"removed {self.book.get(seg.coding.code_id).name}")
            self.reload()

        self.app.write(self.project.coding.remove_coding, seg.coding.id, then=removed)

    def action_undo(self) -> None:
        self.app.write(
            self.project.coding.undo_step,
            then=lambda step: self._step(step, "undid", "nothing to undo"),
        )

    def action_redo(self) -> None:
        self.app.write(
            self.project.coding.redo_step,
            then=lambda step: self._step(step, "redid", "nothing to redo"),
        )

    def _step(self, step: Step | None, verb: str, nothing: str) -> None:
        """Say which code an undo or redo took away or put back, and where; a single passage
        of the open source is selected, so the change is in view."""
        self.reload()
        if step is None:
            self.say(nothing)
            return
        here = [p for p in step.places if self.source is not None and p.source_id == self.source.id]
        if len(step.places) == 1 and here:
            start, end = here[0].start, here[0].end
            turn = self._turn_at(start)
            self._select((start, end))
            where = f"turn {turn.index}, {start}–{end}" if turn else f"{start}–{end}"
            self.say(f"{verb}: {step.action} {where}")
            return
        self.say(f"{verb}: {step.describe()}")

    def action_memo(self) -> None:
        if self.source is None:
            return
        s, e = self.view.selection
        here = [seg for seg in self.coded if seg.coding.start < e and seg.coding.end > s]
        targets = [Text(f"coding {seg.code}: {seg.text[:30]}…") for seg in here]
        targets.append(Text(f"source {self.source.name}"))
        text = here[0].coding.memo if here else ""

        def save(result: tuple[int, str] | None) -> None:
            if result is None or self.source is None:
                return
            index, memo = result

            def saved(_: object) -> None:
                self.say("memo saved")
                self.reload()

            if index < len(here):
                coding_id = here[index].coding.id
                self.app.write(self.project.coding.set_coding_memo, coding_id, memo, then=saved)
            else:
                self.app.write(
                    self.project.coding.add_memo, memo, source=self.source.id, then=saved
                )

        self.app.push_screen(MemoDialog(targets, text), save)

    # -- search, filters, coder --------------------------------------------------------------

    def action_open_source(self) -> None:
        sources = self.app.attempt(self.project.sources.all)
        if sources is None:
            return
        self.app.push_screen(
            ChoiceDialog("Open source", [s.name for s in sources]),
            lambda i: self.open_source(sources[i].id) if i is not None else None,
        )

    def action_set_coder(self) -> None:
        self.app.action_set_coder()

    # -- suggestions (the actions are in Suggesting; Textual's handlers stay here) ----------

    @on(Worker.StateChanged)
    def _worker_changed(self, event: Worker.StateChanged) -> None:
        """A failed suggester leaves the panel idle; the app shows the error."""
        if event.worker.group == "suggest" and event.state == WorkerState.ERROR:
            self._working_stop()

    @on(SuggestionPanel.Accepted)
    def _accepted(self, event: SuggestionPanel.Accepted) -> None:
        self.accept(event.suggestion)

    @on(SuggestionPanel.Rejected)
    def _rejected(self, event: SuggestionPanel.Rejected) -> None:
        self.reject(event.suggestion)


def _made(made: NewCodes) -> str:
    """What the status line adds for the codes an apply made: `` (a new code)``, or each
    code made when a path made parents too."""
    if len(made.paths) > 1:
        return f". {made.describe()}"
    return " (a new code)" if made else ""
