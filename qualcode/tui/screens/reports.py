"""The reports screen: the frequency table of ``project.reports.frequencies``, its charts, and
an export of every table to one file.

The tables are computed by the analysis module (pandas) in a worker, so the screen shows at
once and a large project never freezes it; ``b`` breaks the table down (by kind, speaker,
coder, source or a case attribute), ``o`` chooses whose codings are counted (the default
rule, each coder, all pooled; the line above the table says which), ``x`` writes all
tables (xlsx by default) with a progress bar, one step per table, and ``w`` writes the study
report (.html, .docx, or .pdf with WeasyPrint) to share with co-authors, counting the same
coders. The charts under the table are the terminal ones of
:mod:`qualcode.tui.widgets.charts`: sources per code, and code co-occurrence.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, ScrollableContainer, VerticalScroll
from textual.screen import Screen
from textual.widgets import DataTable, ProgressBar, Static
from textual.worker import Worker, WorkerState, get_current_worker

from qualcode.model import Code, Codebook
from qualcode.project.analysis import TABLES
from qualcode.tui.colors import code_colors
from qualcode.tui.screens.dialogs import ChoiceDialog, TextPrompt
from qualcode.tui.widgets.charts import CooccurrenceHeatMap, FrequencyChart
from qualcode.tui.widgets.footer import KeyLine
from qualcode.tui.widgets.labels import wrap_name
from qualcode.tui.widgets.status import StatusLine
from qualcode.tui.workbench import ShowsWorkerErrors

if TYPE_CHECKING:
    import pandas as pd

    from qualcode.tui.workbench import Workbench

NO_BREAKDOWN = "no breakdown"
NAME_WIDTH = 36  # a longer name wraps: the counts must fit beside it in 80 columns


def name_cell(code: Code, depth: int, color: str) -> Text:
    """A code's own name, indented under its parent, with its colour; wrapped at words
    onto more lines (never cut) when it is longer than :data:`NAME_WIDTH`."""
    indent = "  " * depth
    parts = wrap_name(code.name, NAME_WIDTH)
    cell = Text.assemble(indent, ("■ ", color), parts[0])
    for part in parts[1:]:
        cell.append(f"\n{indent}  {part}")
    return cell


class ReportsScreen(ShowsWorkerErrors, Screen[None]):
    """Per code: passages, codings, sources "n of N (p%)" and speakers; charts below."""

    TITLE = "Reports"
    BINDINGS = [
        Binding("b", "breakdown", "Break down", id="reports.by"),
        Binding("o", "coders", "Coders", id="reports.coders"),
        Binding("x", "export", "Export", id="reports.export"),
        Binding("w", "study", "Study report", id="reports.study"),
    ]

    app: Workbench

    def __init__(self) -> None:
        super().__init__()
        self.by: str | None = None
        self.attributes: list[str] = []
        # Whose codings are counted: None (the default rule), a coder's name, or "all".
        self.coder: str | None = None
        self.coded_by: list[str] = []

    def compose(self) -> ComposeResult:
        yield StatusLine(id="reports-status", classes="status")
        yield Static(id="reports-counted")
        yield DataTable(id="frequencies", cursor_type="row", zebra_stripes=True)
        yield ProgressBar(id="export-progress", show_eta=False)
        # Each chart is as large as its content and scrolls: every code is reachable.
        with Horizontal(id="charts"):
            with VerticalScroll(id="frequency-scroll"):
                yield FrequencyChart(id="frequency-chart")
            with ScrollableContainer(id="cooccurrence-scroll"):
                yield CooccurrenceHeatMap(id="cooccurrence-chart")
        yield KeyLine()

    def on_mount(self) -> None:
        self.query_one(ProgressBar).display = False

    def on_screen_resume(self) -> None:
        self.reload()

    def reload(self) -> None:
        """Compute the tables again (in a worker) and show them when they are ready."""
        self.query_one(DataTable).loading = True
        self._compute(self.by, self.coder)

    # -- the tables --------------------------------------------------------------------------

    @work(thread=True, exclusive=True, group="report", exit_on_error=False)
    def _compute(self, by: str | None, coder: str | None) -> None:
        project = self.app.project
        # Every code is listed (zeros), in codebook order, so the table reads like the
        # codebook. Broken down, each code applied anywhere gets a row for every group, a
        # group without codings of it too ("0 of 4 (0%)"): a breakdown that left those out
        # would hide exactly the groups that differ.
        table = project.reports.frequencies(by=by, zeros=True, coder=coder)
        overall = table if by is None else project.reports.frequencies(coder=coder)
        if by is not None:
            table = table[table["code_id"].isin(overall["code_id"])].reset_index(drop=True)
        pairs = project.reports.cooccurrence(coder=coder)
        attributes = project.reports.study_data().attributes
        self.coded_by = project.reports.coded_by()
        book = project.codebook.book()
        if not get_current_worker().is_cancelled:
            self.app.call_from_thread(self._show, by, table, overall, pairs, attributes, book)

    def _show(
        self,
        by: str | None,
        table: pd.DataFrame,
        overall: pd.DataFrame,
        pairs: pd.DataFrame,
        attributes: list[str],
        book: Codebook,
    ) -> None:
        self.attributes = attributes
        self.query_one("#reports-counted", Static).update(str(table.attrs.get("counted", "")))
        colors = code_colors(book)
        view = self.query_one(DataTable)
        view.loading = False
        view.clear(columns=True)
        head = [by] if by else []
        view.add_columns(*head, "code", "passages", "codings", "sources", "speakers")
        cut = [str(v) for v in table[by].tolist()] if by else [""] * len(table)
        for group, row in zip(cut, table.itertuples(index=False), strict=True):
            row_: Any = row
            # Indented names, not whole paths: the counts must fit beside them in 80 columns.
            code_id = int(row_.code_id)
            code = name_cell(book.get(code_id), int(row_.depth), colors.get(code_id, ""))
            cells: list[str | Text] = [group] if by else []
            cells += [code, str(row_.passages), str(row_.codings), str(row_.sources_text)]
            view.add_row(*cells, str(row_.speakers), height=len(code.plain.splitlines()))
        self.query_one(FrequencyChart).show_table(overall[overall["codings"] > 0])
        self.query_one(CooccurrenceHeatMap).show_table(pairs)
        coded = int((overall["codings"] > 0).sum())
        self.query_one(StatusLine).update(
            f"Frequencies · {coded} codes applied · "
            + (f"by {by}" if by else "no breakdown (b)")
            + " · o coders · x exports every table · w writes the study report"
        )

    def action_coders(self) -> None:
        """Count the next coders: the default rule, each coder alone, then all pooled."""
        choices: list[str | None] = [None, *self.coded_by, "all"]
        at = choices.index(self.coder) if self.coder in choices else 0
        self.coder = choices[(at + 1) % len(choices)]
        self.reload()

    def action_breakdown(self) -> None:
        choices = [NO_BREAKDOWN, "kind", "source", "speaker", "coder", *self.attributes]

        def chosen(index: int | None) -> None:
            if index is None:
                return
            self.by = None if index == 0 else choices[index]
            self.reload()

        self.app.push_screen(ChoiceDialog("Break the frequencies down by", choices), chosen)

    # -- export ------------------------------------------------------------------------------

    def action_export(self) -> None:
        def start(target: Path) -> None:
            bar = self.query_one(ProgressBar)
            bar.update(total=len(TABLES) + 1, progress=0)
            bar.display = True
            self._export(target, self.by, self.coder)

        self._ask_target(
            "Export every table to (.xlsx .docx .md .csv .json ...)",
            "tables.xlsx",
            self.app.project.reports.table_target,
            start,
        )

    def _ask_target(
        self, title: str, name: str, check: Callable[[Path], Path], then: Callable[[Path], None]
    ) -> None:
        """Ask for a file to write (``STEM-NAME`` beside the project by default); a name
        ``check`` refuses is refused now, not after the work, else ``then(path)``."""
        project = self.app.project
        folder = Path(project.context.path).parent if project.context.path else Path.cwd()
        stem = Path(project.context.path).stem if project.context.path else "qualcode"

        def chosen(path: str | None) -> None:
            if path and path.strip():
                target = self.app.attempt(check, Path(path.strip()).expanduser())
                if target is not None:
                    then(target)

        self.app.push_screen(TextPrompt(title, str(folder / f"{stem}-{name}")), chosen)

    @work(thread=True, exclusive=True, group="export", exit_on_error=False)
    def _export(self, path: Path, by: str | None, coder: str | None) -> list[Path]:
        project = self.app.project
        bar = self.query_one(ProgressBar)
        tables: dict[str, pd.DataFrame] = {}
        for name in TABLES:  # one at a time, so the bar moves per table
            tables.update(project.reports.report_tables([name], by=by, coder=coder))
            self.app.call_from_thread(bar.advance, 1)
        written = project.reports.export_tables(path, tables)
        self.app.call_from_thread(bar.advance, 1)
        return written

    # -- the study report --------------------------------------------------------------------

    def action_study(self) -> None:
        def start(target: Path) -> None:
            self.notify(f"Writing the study report to {target} …", timeout=4)
            self._study(target, self.coder)

        self._ask_target(
            "Write the study report to (.html .docx .pdf)",
            "study.html",
            self.app.project.reports.study_target,
            start,
        )

    @work(thread=True, exclusive=True, group="study", exit_on_error=False)
    def _study(self, path: Path, coder: str | None) -> Path:
        return self.app.project.reports.study_report(path, coder=coder)

    @on(Worker.StateChanged)
    def _worker_changed(self, event: Worker.StateChanged) -> None:
        """Put the screen right after a worker; a failure is shown by the app."""
        group = event.worker.group
        if event.state == WorkerState.ERROR and group == "report":
            self.query_one(DataTable).loading = False
        if group == "study" and event.state == WorkerState.SUCCESS:
            self.notify(f"Wrote the study report to {event.worker.result}.", timeout=8)
        if group != "export" or event.state not in (WorkerState.SUCCESS, WorkerState.ERROR):
            return
        self.query_one(ProgressBar).display = False
        if event.state == WorkerState.SUCCESS:
            files: list[Path] = event.worker.result or []
            where = str(files[0]) if len(files) == 1 else f"{len(files)} files"
            self.notify(f"Wrote the tables to {where}.", title="Exported", timeout=6)
