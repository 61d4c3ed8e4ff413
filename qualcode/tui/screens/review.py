"""The review screen: the queue of suggestions for the uncoded rest of the project.

``f`` here (or ``qualcode suggest P --all``) fills the queue, scoring every uncoded sentence in
a worker; a coder walks it, best score first:
``a`` accepts the highlighted suggestion (the passage is coded), ``r`` rejects it, ``s``
skips to the next; ``A`` and ``R`` accept or reject every queued suggestion of the
highlighted one's code at once. Each decision goes through the project, which records it as
feedback (what the learned suggester trains on) and takes it out of the queue.
"""

from __future__ import annotations

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable
from textual.worker import get_current_worker

from qualcode.model import Codebook, PendingSuggestion
from qualcode.project.review import Queued
from qualcode.segments import shorten
from qualcode.tui.widgets.footer import KeyLine
from qualcode.tui.widgets.status import StatusLine
from qualcode.tui.workbench import ShowsWorkerErrors, Workbench

QUOTE = 70  # characters of the passage shown
MIN_PRECISION = 0.8  # what ``f`` asks of the queue, as ``suggest --all`` does by default


class ReviewScreen(ShowsWorkerErrors, Screen[None]):
    TITLE = "Review"
    BINDINGS = [
        Binding("a", "decide(True)", "Accept", id="review.accept"),
        Binding("r", "decide(False)", "Reject", id="review.reject"),
        Binding("s", "skip", "Skip", id="review.skip"),
        Binding("A", "decide_code(True)", "Accept code", id="review.accept_code"),
        Binding("R", "decide_code(False)", "Reject code", id="review.reject_code"),
        # Enter reaches the table first (its own binding selects the row): the row's
        # RowSelected opens the passage, the binding only shows the key in the footer.
        Binding("enter", "open", "Open", id="review.open"),
        Binding("f", "fill", "Fill queue", id="review.fill"),
    ]

    app: Workbench

    def __init__(self) -> None:
        super().__init__()
        self.queue: list[PendingSuggestion] = []
        self.queued: Queued | None = None  # what ``f`` queued here last, with its measure
        self.book = Codebook()  # read with the queue

    def compose(self) -> ComposeResult:
        yield StatusLine(id="review-status", classes="status")
        yield DataTable(id="review", cursor_type="row", zebra_stripes=True)
        yield KeyLine()

    def on_mount(self) -> None:
        self.query_one(DataTable).add_columns("code", "score", "source", "passage")

    def on_screen_resume(self) -> None:
        self.reload()

    def reload(self) -> None:
        """Read the queue again, keeping the cursor's place; a read that fails is shown and
        the queue stays as it was."""
        read = self.app.attempt(self._read)
        if read is None:
            return
        self.queue, self.book, names, texts = read
        table = self.query_one(DataTable)
        row = table.cursor_row
        table.clear()
        for item in self.queue:
            s = item.suggestion
            quote = Text(shorten(texts[s.source_id][s.start : s.end], QUOTE))  # [brackets] stay
            table.add_row(
                s.label, f"{s.score:.2f}", names.get(s.source_id, "?"), quote, key=str(item.id)
            )
        if self.queue:
            table.move_cursor(row=min(max(row, 0), len(self.queue) - 1))
        self.say(self._summary())

    def _read(
        self,
    ) -> tuple[list[PendingSuggestion], Codebook, dict[int, str], dict[int, str]]:
        """What :meth:`reload` shows: the queue, the codebook, source names and texts."""
        project = self.app.project
        queue = project.suggestions.pending()
        book = project.codebook.book()
        names = {s.id: s.name for s in project.sources.all()}
        texts = project.sources.texts(sorted({p.suggestion.source_id for p in queue}))
        return queue, book, names, texts

    def _summary(self) -> str:
        if not self.queue:
            return (
                "The queue is empty: f fills it with suggestions for every uncoded sentence "
                "(or `qualcode suggest PROJECT --all`)."
            )
        return (
            f"{len(self.queue)} suggestions to review ({self._promise()}) · a accept · "
            "r reject · s skip · A/R the whole code"
        )

    def _promise(self) -> str:
        """What the queue promises and what that was measured on (see
        :mod:`qualcode.project.crossfit`)."""
        precision = self.queue[0].precision
        if not precision:
            return "precision not measured: too little coded data when queued"
        if self.queued is not None and self.queued.measured:
            cal = self.queued.calibration
            assert cal is not None
            return (
                f"precision {precision:.2f} measured on {self.queued.measured_on} held-out "
                f"suggestions, {cal.basis()}"
            )
        return f"precision {precision:.2f} measured on held-out codings when queued"

    def action_fill(self) -> None:
        """Score every uncoded sentence and queue the suggestions worth reviewing."""
        self.say(
            "Measuring precision on the coded sources (each held out in turn), then scoring "
            f"every uncoded sentence (suggestions measured right {MIN_PRECISION:.0%} of the time)…"
        )
        self._fill()

    @work(thread=True, exclusive=True, group="review-fill", exit_on_error=False)
    def _fill(self) -> None:
        worker = get_current_worker()
        queued = self.app.project.suggestions.queue_suggestions(min_precision=MIN_PRECISION)
        if not worker.is_cancelled:
            self.app.call_from_thread(self._filled, queued)

    def _filled(self, queued: Queued) -> None:
        self.queued = queued
        left_out = queued.left_out.describe("uncoded sentences")  # headers, courtesies...
        message = f"{queued.describe(MIN_PRECISION)} {left_out}".strip()
        self.reload()
        self.say(message if not self.queue else f"{message} · {self._summary()}")

    def say(self, message: str) -> None:
        self.query_one("#review-status", StatusLine).update(message)

    @property
    def highlighted(self) -> PendingSuggestion | None:
        table = self.query_one(DataTable)
        if not self.queue or not 0 <= table.cursor_row < len(self.queue):
            return None
        return self.queue[table.cursor_row]

    def action_skip(self) -> None:
        self.query_one(DataTable).action_cursor_down()

    def action_decide(self, accept: bool) -> None:
        """Accept or reject the highlighted suggestion."""
        item = self.highlighted
        if item is not None:
            self._decide([item.id], accept, self._code_name(item))

    def action_decide_code(self, accept: bool) -> None:
        """Accept or reject every queued suggestion of the highlighted one's code."""
        item = self.highlighted
        if item is None:
            return
        code_id = item.suggestion.code_id
        ids = [p.id for p in self.queue if p.suggestion.code_id == code_id]
        self._decide(ids, accept, self._code_name(item))

    def _code_name(self, item: PendingSuggestion) -> str:
        """The suggested code's own name, from the codebook read with the queue (its path if
        the code is gone meanwhile)."""
        return self.book.name_of(item.suggestion.code_id, item.suggestion.label)

    def _decide(self, ids: list[int], accept: bool, name: str) -> None:
        verb = "accepted" if accept else "rejected"

        def done(n: int) -> None:
            self.reload()
            self.say(f"{verb} {n} × {name} · {self._summary()}")

        project = self.app.project
        self.app.write(
            project.suggestions.decide_pending, ids, accept, coder=project.context.coder, then=done
        )

    @on(DataTable.RowSelected)
    def _row_selected(self, event: DataTable.RowSelected) -> None:
        """Enter on a queued suggestion opens its passage on the coding screen."""
        event.stop()
        self.action_open()

    def action_open(self) -> None:
        """Show the highlighted passage on the coding screen."""
        item = self.highlighted
        if item is not None:
            s = item.suggestion
            self.app.open_source(s.source_id, (s.start, s.end))
