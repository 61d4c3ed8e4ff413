"""Suggestions on the coding screen: asking the project for the passage under the cursor in
a worker, and accepting or rejecting one (``+``/``-`` from the transcript, Enter/``x`` in
the panel). Both decisions go through the project, which records them as feedback.

A mixin of :class:`CodingScreen`; the screen keeps the message handlers, which Textual
collects from the screen class itself.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Any, cast

from textual import work
from textual.timer import Timer
from textual.worker import get_current_worker

from qualcode.model import CodedSegment, Suggestion
from qualcode.tui.screens.coding_parts import CodingParts, Span
from qualcode.tui.widgets.suggestions import SuggestionPanel

if TYPE_CHECKING:
    from qualcode.project import ApplyResult

SHOWN = 5  # suggestions in the panel
SETTLE = 0.12  # seconds the cursor rests on a passage before its suggestions are asked for
# Seconds an ask runs before the panel says it is working: most answers come sooner, and
# saying so and then taking it back would repaint the panel twice for nothing.
SLOW = 0.25
# Seconds without a change to the codings before the suggester learns from them: a refit
# after every coding would be most of the CPU a fast coder uses.
PAUSE = 1.0


class Suggesting(CodingParts):
    """Suggestion actions; the screen provides the state below."""

    coded: list[CodedSegment]
    shown: list[Span]  # the sentences of the turns shown
    _suggesting: threading.Lock
    _settling: Timer | None  # the wait before asking for the passage under the cursor
    _working: Timer | None  # the wait before the panel says an ask is still running
    _pausing: Timer | None  # the wait for a pause in coding before the suggester refits
    # The suggestions of every passage shown, scored in one batch by the model fitted last,
    # and the generation they belong to (a refit or another source starts a new one).
    _scored: dict[Span, list[Suggestion]]
    _generation: int
    _batched: int  # the generation whose batch was started last
    answered: Span | None  # the passage whose suggestions the panel shows

    def _panel(self) -> SuggestionPanel:
        screen: Any = self  # the screen this mixes into
        return cast(SuggestionPanel, screen.query_one(SuggestionPanel))

    if TYPE_CHECKING:

        def reload(self) -> None: ...

        def show_applied(self, result: ApplyResult) -> None: ...

    def _suggest(self, span: Span) -> None:
        """Ask for the suggestions of ``span`` once the cursor has rested on it for
        :data:`SETTLE` seconds: a held arrow key passing a hundred passages asks for none of
        them (and costs no suggester work), the passage it stops on gets its list."""
        self._settle_stop()
        self._working_stop()  # an earlier passage's ask may still run; this one waits
        if self.source is not None and span[1] > span[0]:
            screen: Any = self  # the screen this mixes into
            self._settling = screen.set_timer(SETTLE, lambda: self._ask(span))

    def _settle_stop(self) -> None:
        """Ask for no passage's suggestions after all (the one waited for is left)."""
        if self._settling is not None:
            self._settling.stop()
            self._settling = None

    def _ask(self, span: Span) -> None:
        self._settling = None
        if self.source is not None and self.view.selection == span:
            if found := self._scored.get(span):  # scored in the batch: no worker needed
                self._show_suggestions(span, found)
                return
            self._working_stop()
            screen: Any = self  # the screen this mixes into
            self._working = screen.set_timer(SLOW, lambda: self._panel().set_pending(True))
            self._run_suggester(self.source.id, span)

    def _working_stop(self) -> None:
        """The answer came (or the ask failed): the panel is not working any more."""
        if self._working is not None:
            self._working.stop()
            self._working = None
        self._panel().set_pending(False)

    @work(thread=True, exclusive=True, group="suggest", exit_on_error=False)
    def _run_suggester(self, source_id: int, span: Span) -> None:
        # In a thread: the first call fits the features on every passage (seconds on a
        # large project); keys keep moving the selection meanwhile, and a newer move
        # cancels this one (exclusive), so only the latest passage's list is shown.
        # One at a time: a thread cannot be stopped, so threads of moves already passed
        # would otherwise all compute at once on a held arrow key. Each waits its turn and
        # gives up if a newer move has cancelled it meanwhile.
        # What gets none is said at once, not after the suggester's first fit, which the
        # lock below may be waiting for.
        reason = self.project.suggestions.why_none(source_id, span[0], span[1])
        if reason is not None:
            if not get_current_worker().is_cancelled:
                self.app.call_from_thread(self._show_suggestions, span, [], reason)
            return
        with self._suggesting:
            if get_current_worker().is_cancelled:
                return
            found = self._scored_for(source_id, span)
        if not get_current_worker().is_cancelled:
            self.app.call_from_thread(self._show_suggestions, span, found)

    def _scored_for(self, source_id: int, span: Span) -> list[Suggestion]:
        """The suggestions of ``span`` by the model fitted last (in the suggest worker): from
        the batch of every passage shown when it is scored, else asked alone (and the batch
        started beside, for the moves that follow). No ask starts a refit (see _pause)."""
        found = self._scored.get(span)
        if found is not None:
            return found
        if self._batched != self._generation:
            self._batched = self._generation
            self.app.call_from_thread(self._run_batch, source_id, self._generation)
        top = 2 * SHOWN  # a few more than shown: those already on the passage are left out
        return self.project.suggestions.suggest(source_id, span[0], span[1], top=top, refit=False)

    @work(thread=True, exclusive=True, group="batch", exit_on_error=False)
    def _run_batch(self, source_id: int, generation: int) -> None:
        # Its own worker, beside the asks: the passage the cursor rests on is answered
        # alone meanwhile, not after every passage of a long transcript.
        scored = self.project.suggestions.suggest_spans(source_id, self.shown, top=2 * SHOWN)
        if generation == self._generation:  # no refit or other source meanwhile
            self._scored = scored

    def _rescore(self) -> None:
        """The batch is of an older model or another source: asked again when needed."""
        self._generation += 1
        self._scored = {}

    def _pause(self) -> None:
        """The codings changed: the suggester learns from them once the coder pauses for
        :data:`PAUSE` seconds (each change restarts the wait)."""
        if self._pausing is not None:
            self._pausing.stop()
        screen: Any = self  # the screen this mixes into
        self._pausing = screen.set_timer(PAUSE, self._run_refit)

    @work(thread=True, exclusive=True, group="refit", exit_on_error=False)
    def _run_refit(self) -> None:
        suggestions = self.project.suggestions
        before = suggestions.model(wait=False, refit=False)
        if suggestions.model(wait=True) is not before:
            self.app.call_from_thread(self._refitted)

    def _refitted(self) -> None:
        """A model of the new codings: the passage under the cursor is asked again."""
        self._rescore()
        if self.answered == self.view.selection:
            self._suggest(self.view.selection)

    def _show_suggestions(
        self, span: Span, found: list[Suggestion], reason: str | None = None
    ) -> None:
        if self.view.selection == span:  # the selection moved on while it ran
            self.answered = span
            self._working_stop()
            self._panel().show_suggestions(self._new_codes(found, span)[:SHOWN], reason)

    def _new_codes(self, found: list[Suggestion], span: Span) -> list[Suggestion]:
        """The suggestions whose code is not already on the passage: not one of the codes
        the panel lists under "On this passage" (any coding touching it, by any coder)."""
        s, e = span
        here = {
            seg.coding.code_id for seg in self.coded if seg.coding.start < e and seg.coding.end > s
        }
        return [x for x in found if x.code_id is None or x.code_id not in here]

    def _drop_codes_on_passage(self, span: Span) -> None:
        """After a change, take codes now on the passage out of the suggestions shown."""
        panel = self._panel()
        kept = self._new_codes(panel.suggestions, span)
        if len(kept) < len(panel.suggestions):
            panel.show_suggestions(kept)

    def action_accept_suggestion(self) -> None:
        """``+``: accept the suggestion highlighted in the panel (the best one at first)."""
        s = self._panel().highlighted_suggestion
        if s is None:
            self.say("no suggestion for this passage")
        else:
            self.accept(s)

    def action_reject_suggestion(self) -> None:
        """``-``: reject the suggestion highlighted in the panel."""
        s = self._panel().highlighted_suggestion
        if s is None:
            self.say("no suggestion for this passage")
        else:
            self.reject(s)

    def accept(self, s: Suggestion) -> None:
        """Apply a suggested code. Through the project, not apply(): the acceptance is
        recorded as feedback, which the learned suggester trains on and
        ``suggestion_precision`` reports."""
        self._panel().drop(s)

        def accepted(result: ApplyResult) -> None:
            self._select((s.start, s.end))
            name = result.code.name
            self.say(f"already coded {name} here" if result.coding is None else f"coded {name}")
            self.show_applied(result)

        self.app.write(
            self.project.suggestions.accept_suggestion,
            s,
            coder=self.project.context.coder,
            then=accepted,
        )

    def reject(self, s: Suggestion) -> None:
        """Turn a suggestion down; recorded, so the passage becomes a negative example."""
        panel = self._panel()
        panel.drop(s)
        self.app.write(
            self.project.suggestions.reject_suggestion,
            s,
            coder=self.project.context.coder,
            then=lambda _: self._said_rejected(panel.code_name(s.code_id, s.label)),
        )

    def _said_rejected(self, name: str) -> None:
        self.say(f"rejected {name}")
        self._pause()  # a rejection is learned from too
