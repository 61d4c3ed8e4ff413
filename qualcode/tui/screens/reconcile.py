"""The reconcile screen: how far two or more coders agree, and settling where they differ.

At the top, the agreement per code (percentage, Cohen's kappa for two coders,
Krippendorff's alpha) on the sources every compared coder coded; below, each passage
where they differ on a code. A key settles the highlighted one (``a`` takes the first
coder's version, ``b`` the second's, ``p`` the whole passage, ``n`` none) through
``project.team.reconcile``, which records the decision and writes it as codings of the coder
``agreed``; ``A`` takes one coder's version of every disagreement not yet decided. A passage
already decided asks before its decision is replaced. Comparing parses sentences, so it runs
in a worker.

What is settled is read from the project's decision log (``project.team.reconciled``) after
every decision, so the marks and the count of open disagreements are the project's, at once.
With fewer than two coders the tables give way to a note saying why, and how a second
coder's codings come in.
"""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.coordinate import Coordinate
from textual.screen import Screen
from textual.widgets import DataTable, Static
from textual.worker import Worker, WorkerState, get_current_worker

from qualcode.model import Codebook
from qualcode.project.reconciling import AGREED
from qualcode.tui.screens.dialogs import ChoiceDialog, TextPrompt
from qualcode.tui.widgets.footer import KeyLine
from qualcode.tui.widgets.status import StatusLine
from qualcode.tui.workbench import ShowsWorkerErrors

if TYPE_CHECKING:
    from qualcode.analysis.agreement import AgreementReport, Disagreement
    from qualcode.model import Decision
    from qualcode.project import Reconciled
    from qualcode.tui.workbench import Workbench

UNITS = ("sentence", "turn", "character")


def _number(value: float | None, percent: bool = False) -> str:
    if value is None:
        return "—"
    return f"{value:.0%}" if percent else f"{value:.2f}"


def nothing_to_compare(coded: dict[str, int]) -> str:
    """Why there is nothing to reconcile (``coded``: codings per coder, fewer than two
    coders), and how a second coder's codings come in."""
    if not coded:
        who = "Nobody has coded yet."
    else:
        (name, count), *_ = coded.items()
        who = f"Only {name} has coded so far ({count:,} coding{'s' * (count != 1)})."
    return (
        f"{who} Agreement and disagreements need the codings of two coders on the same "
        "sources. Bring a colleague's in: merge their project into this one (qualcode merge "
        "OUT.qcdb THIS.qcdb THEIRS.qcdb, or their .qdpx), or pull from the team server "
        "(qualcode pull); or press c to name the coders to compare."
    )


class ReconcileScreen(ShowsWorkerErrors, Screen[None]):
    """Agreement between coders, and their disagreements to settle one by one."""

    TITLE = "Reconcile"
    BINDINGS = [
        Binding("a", "take(0)", "A's", tooltip="The first coder's version", id="reconcile.first"),
        Binding("b", "take(1)", "B's", tooltip="The second coder's version", id="reconcile.second"),
        Binding("o", "take_other", "Another coder's version", show=False, id="reconcile.other"),
        Binding(
            "p", "settle('passage')", "Passage", tooltip="The whole passage", id="reconcile.passage"
        ),
        Binding("n", "settle('none')", "None", id="reconcile.none"),
        Binding(
            "A", "accept_all", "All", tooltip="One coder's version everywhere", id="reconcile.all"
        ),
        Binding("c", "choose_coders", "Coders", id="reconcile.coders"),
        Binding(
            "u",
            "next_unit",
            "Unit",
            tooltip="Compare by another unit",
            show=False,
            id="reconcile.unit",
        ),
    ]

    app: Workbench

    def __init__(self) -> None:
        super().__init__()
        self.coders: list[str] = []
        self.unit = "sentence"
        self.disagreements: list[Disagreement] = []
        self.settled: dict[str, str] = {}  # id -> the choice of the decision standing on it
        self.report: AgreementReport | None = None
        self.book = Codebook()

    def compose(self) -> ComposeResult:
        yield StatusLine(id="reconcile-status", classes="status")
        yield DataTable(id="agreement", cursor_type="none", zebra_stripes=True)
        yield DataTable(id="disagreements", cursor_type="row", zebra_stripes=True)
        # The passage in full: the table can only show its start, and a lead coder has to
        # read what they settle.
        yield Static(id="disagreement-passage")
        # Shown instead of the tables when there are no two coders to compare.
        yield Static(id="reconcile-empty", classes="placeholder")
        yield KeyLine()

    def on_mount(self) -> None:
        self.query_one("#agreement", DataTable).add_columns(
            "code", "units", "% agreement", "kappa", "alpha"
        )
        self.query_one("#disagreements", DataTable).add_columns(
            "settled", "source", "code", "coded by", "not by", "passage"
        )

    def on_screen_resume(self) -> None:
        self.reload()
        self.query_one("#disagreements", DataTable).focus()

    @property
    def table(self) -> DataTable:
        return self.query_one("#disagreements", DataTable)

    # -- reading -----------------------------------------------------------------------------

    def reload(self) -> None:
        """Compare the coders again (in a worker)."""
        for table in self.query(DataTable):
            table.loading = True
        self._compare(list(self.coders), self.unit)

    @work(thread=True, exclusive=True, group="reconcile", exit_on_error=False)
    def _compare(self, coders: list[str], unit: str) -> None:
        project = self.app.project
        counts: Counter[str] = Counter()
        if len(coders) < 2:
            # The two who coded most, the agreed coding itself left out.
            counts = Counter(seg.coding.coder for seg in project.coding.codings())
            counts.pop(AGREED, None)
            coders = [c for c, _ in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))][:2]
        book = project.codebook.book()
        if len(coders) < 2:
            self.app.call_from_thread(self._show_nothing, dict(counts))
            return
        report, found = project.team.compare_coders(coders, unit=unit)
        done = project.team.reconciled(found)
        if not get_current_worker().is_cancelled:
            self.app.call_from_thread(self._show, coders, book, report, found, done)

    def _show(
        self,
        coders: list[str],
        book: Codebook,
        report: AgreementReport,
        found: list[Disagreement],
        done: dict[str, Decision],
    ) -> None:
        self.coders, self.book, self.disagreements = coders, book, found
        self.report = report
        self.settled = {k: d.choice for k, d in done.items()}
        summary = self.query_one("#agreement", DataTable)
        summary.clear()
        table = self.table
        row = table.cursor_row
        table.clear()
        for t in (summary, table):
            t.loading = False
        self._show_panes(True)
        # Codes by their own names (whole paths where two share one), so that kappa and
        # alpha are in view in 80 columns.
        own = [book.get(c.code_id).name for c in report.codes if c.code_id is not None]
        for c in (*report.codes, report.overall):
            label = book.get(c.code_id).name if c.code_id is not None else c.code
            label = c.code if own.count(label) > 1 else label
            name = Text(label, style="bold" if c is report.overall else "")
            summary.add_row(
                name, str(c.units), _number(c.percent, True), _number(c.kappa), _number(c.alpha)
            )
        for d in found:
            table.add_row(*self._cells(d), key=d.id)
        if found:
            table.move_cursor(row=min(row, len(found) - 1))
        self.show_passage()
        self._show_status()

    def _show_nothing(self, coded: dict[str, int]) -> None:
        """No two coders to compare: say why the screen is empty, and what fills it."""
        self.coders, self.disagreements, self.report, self.settled = [], [], None, {}
        for table in self.query(DataTable):
            table.clear()
            table.loading = False
        self._show_panes(False)
        self.query_one("#reconcile-status", StatusLine).update(
            "Nothing to compare: agreement needs the codings of two coders."
        )
        self.query_one("#reconcile-empty", Static).update(nothing_to_compare(coded))

    def _show_panes(self, shown: bool) -> None:
        """The tables and the passage, or (``shown`` False) the note saying why not."""
        for pane in self.query("#agreement, #disagreements, #disagreement-passage"):
            pane.display = shown
        self.query_one("#reconcile-empty").display = not shown

    def _show_status(self) -> None:
        report, coders, found = self.report, self.coders, self.disagreements
        if report is None:
            return
        open_ = sum(1 for d in found if d.id not in self.settled)
        self.query_one("#reconcile-status", StatusLine).update(
            f"a = {coders[0]} · b = {coders[1]}"
            + (f" · also {', '.join(coders[2:])}" if coders[2:] else "")
            + f" · by {self.unit} · sources {len(report.sources)}"
            + f" · {len(found)} disagreements, {open_} open · agreed coding goes to '{AGREED}'"
        )

    def refresh_settled(self) -> None:
        """Read what is settled from the decision log again; update the marks and counts."""
        done = self.app.attempt(self.app.project.team.reconciled, self.disagreements)
        if done is None:
            return
        self.settled = {k: d.choice for k, d in done.items()}
        for row, d in enumerate(self.disagreements):
            self.table.update_cell_at(Coordinate(row, 0), self._cells(d)[0])
        self.show_passage()
        self._show_status()

    def _cells(self, d: Disagreement) -> list[str | Text]:
        choice = self.settled.get(d.id)
        mark = Text(f"✓ {choice}", style="bold green") if choice else Text("·", style="dim")
        quote = " ".join(d.text.split())
        return [
            mark,
            d.source,
            self._code_name(d),
            ", ".join(d.coded_by),
            ", ".join(d.not_coded_by),
            Text(quote[:100]),  # not markup: a quote keeps its [brackets]
        ]

    def _code_name(self, d: Disagreement) -> str:
        """The code's own name: the path is in the passage shown below the table."""
        try:
            return self.book.get(d.code_id).name
        except KeyError:  # deleted since the comparison
            return d.code

    @on(DataTable.RowHighlighted, "#disagreements")
    def _highlighted(self) -> None:
        self.show_passage()

    def show_passage(self) -> None:
        """Show the highlighted disagreement in full below the table."""
        d = self.current
        pane = self.query_one("#disagreement-passage", Static)
        if d is None:
            pane.update("")
            return
        choice = self.settled.get(d.id)
        head = Text.assemble(
            (f"{d.source} {d.start}–{d.end} · ", "dim"),
            (d.code, "bold"),
            (f" · coded by {', '.join(d.coded_by)}, not by {', '.join(d.not_coded_by)}", "dim"),
            (f" · settled: {choice}" if choice else "", "green"),
        )
        pane.update(Text.assemble(head, "\n", " ".join(d.text.split())))

    # -- settling ----------------------------------------------------------------------------

    @property
    def current(self) -> Disagreement | None:
        row = self.table.cursor_row
        if not self.disagreements or not 0 <= row < len(self.disagreements):
            return None
        return self.disagreements[row]

    def action_take(self, index: int) -> None:
        if index < len(self.coders):
            self.action_settle(self.coders[index])

    def action_take_other(self) -> None:
        self.app.push_screen(
            ChoiceDialog("Take whose version?", self.coders),
            lambda i: self.action_settle(self.coders[i]) if i is not None else None,
        )

    def action_settle(self, choice: str) -> None:
        """Settle the highlighted disagreement with ``choice`` and go to the next one; one
        already decided is replaced only when the coder says so."""
        d = self.current
        if d is None:
            return
        earlier = self.settled.get(d.id)
        if earlier is None:
            self._decide(d, choice, change=False)
            return

        def answered(index: int | None) -> None:
            if index == 0:
                self._decide(d, choice, change=True)

        self.app.push_screen(
            ChoiceDialog(
                f"Already decided ({earlier}). Replace that decision with {choice}?",
                [f"Replace it with {choice}", f"Keep {earlier}"],
            ),
            answered,
        )

    def _decide(self, d: Disagreement, choice: str, *, change: bool) -> None:
        row = self.table.cursor_row

        def settled(done: Reconciled) -> None:
            if done.agreements is not None:
                n, unit = done.agreements.count, done.agreements.unit
                self.notify(f"'{AGREED}' gets the {n:,} {unit}(s) coded alike.", timeout=5)
            self.refresh_settled()
            if row + 1 < len(self.disagreements):
                self.table.move_cursor(row=row + 1)

        self.app.write(
            self.app.project.team.reconcile,
            d.id,
            choice,
            coders=self.coders,
            unit=self.unit,
            change=change,
            then=settled,
        )

    def action_accept_all(self) -> None:
        if len(self.coders) < 2:
            return

        def chosen(index: int | None) -> None:
            if index is None:
                return
            accept = self.coders[index]

            def copied(done: Reconciled) -> None:
                kept = f"; kept {len(done.kept)} earlier decision(s)" if done.kept else ""
                self.notify(
                    f"'{AGREED}' gets {accept}'s version of {len(done.decisions)} "
                    f"disagreement(s){kept}.",
                    timeout=5,
                )
                self.refresh_settled()

            self.app.write(
                self.app.project.team.reconcile_all,
                self.coders,
                accept,
                unit=self.unit,
                then=copied,
            )

        self.app.push_screen(ChoiceDialog("Accept whose version everywhere?", self.coders), chosen)

    # -- what is compared --------------------------------------------------------------------

    def action_choose_coders(self) -> None:
        coders = self.app.attempt(self.app.project.context.coders)
        if coders is None:
            return
        known = [c for c in coders if c != AGREED]

        def chosen(text: str | None) -> None:
            if text is None:
                return
            names = [n.strip() for n in text.split(",") if n.strip()]
            self.coders = names if len(names) >= 2 else []
            self.settled.clear()
            self.reload()

        self.app.push_screen(
            TextPrompt(
                f"Coders to compare, separated by commas (coders: {', '.join(known)})",
                ", ".join(self.coders),
            ),
            chosen,
        )

    def action_next_unit(self) -> None:
        self.unit = UNITS[(UNITS.index(self.unit) + 1) % len(UNITS)]
        self.settled.clear()
        self.reload()

    @on(Worker.StateChanged)
    def _worker_changed(self, event: Worker.StateChanged) -> None:
        """A failed comparison leaves the tables idle; the app shows the error."""
        if event.worker.group == "reconcile" and event.state == WorkerState.ERROR:
            for table in self.query(DataTable):
                table.loading = False
