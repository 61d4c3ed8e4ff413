"""The project screen: the sources with kind, speakers, words, how much is coded and by whom.

Enter opens a source on the coding screen; ``i`` imports files in a worker, with a progress
bar, so a large import never freezes the screen. The files are routed as the CLI's ``import``
routes them (``project.sources.import_paths``: transcripts, a codebook, a sheet, a REFI-QDA
project, a folder or a study), the kind is asked for only when there are transcripts, and
what was done is shown in the CLI's words.
"""

from __future__ import annotations

import glob
from pathlib import Path
from typing import TYPE_CHECKING

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable, ProgressBar
from textual.worker import Worker, WorkerState

from qualcode.model import SOURCE_KINDS, SourceSummary
from qualcode.project.importing import report_lines
from qualcode.project.options import ImportOptions
from qualcode.tui.screens.dialogs import ChoiceDialog, TextPrompt
from qualcode.tui.widgets.footer import KeyLine
from qualcode.tui.widgets.status import StatusLine
from qualcode.tui.workbench import ShowsWorkerErrors

if TYPE_CHECKING:
    from qualcode.tui.workbench import Workbench


# Survey answers (kind "response") come from a sheet with its own options: use the CLI.
FILE_KINDS = [k for k in SOURCE_KINDS if k != "response"]


class SourcesScreen(ShowsWorkerErrors, Screen[None]):
    TITLE = "Sources"
    BINDINGS = [
        Binding("enter", "open", "Open", id="sources.open"),
        Binding("i", "import", "Import", id="sources.import"),
        Binding("c,C", "set_coder", "Coder", id="sources.coder"),
    ]

    app: Workbench

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[SourceSummary] = []  # the table's rows, in order

    def compose(self) -> ComposeResult:
        yield StatusLine(id="sources-status", classes="status")
        yield DataTable(id="sources", cursor_type="row", zebra_stripes=True)
        yield ProgressBar(id="import-progress", show_eta=False)
        yield KeyLine()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_columns("source", "kind", "words", "coded", "codings", "coders", "speakers")
        self.query_one(ProgressBar).display = False

    def on_screen_resume(self) -> None:
        self.reload()

    def reload(self) -> None:
        """Read the sources again; a read that fails is shown and the table stays as it was."""
        project = self.app.project
        read = self.app.attempt(
            lambda: (project.sources.all(), project.summary(), project.context.coder)
        )
        if read is None:
            return
        rows, info, coder = read
        self.rows = rows
        table = self.query_one(DataTable)
        row = table.cursor_row
        table.clear()
        for s in rows:
            table.add_row(
                s.name,
                s.kind.replace("_", " "),
                f"{s.words:,}",
                f"{s.coded_share:.0%}",
                str(s.codings),
                ", ".join(s.coders),
                ", ".join(s.speakers),
            )
        if rows:
            table.move_cursor(row=min(row, len(rows) - 1))
        who = self.app.coder_label(coder)
        self.query_one("#sources-status", StatusLine).update(
            f"{who} · {info['sources']} sources · {info['words']:,} words · "
            f"{info['codes']} codes · {info['codings']} codings · Enter opens a source"
        )

    @on(DataTable.RowSelected)
    def _row_selected(self, event: DataTable.RowSelected) -> None:
        self._open(event.cursor_row)

    def action_open(self) -> None:
        self._open(self.query_one(DataTable).cursor_row)

    def _open(self, row: int) -> None:
        if 0 <= row < len(self.rows):
            self.app.open_source(self.rows[row].id)

    def action_set_coder(self) -> None:
        self.app.action_set_coder()

    def action_import(self) -> None:
        from qualcode.ingest.formats import importable

        self.app.push_screen(
            TextPrompt(
                f"Import {importable()}",
                placeholder="files or patterns, e.g. ~/study/*.docx",
            ),
            self._import_chosen,
        )

    def _import_chosen(self, value: str | None) -> None:
        if not value:
            return
        paths: list[str] = []
        for part in value.split():
            expanded = str(Path(part).expanduser())
            paths.extend(sorted(glob.glob(expanded)) or [expanded])
        transcripts = self.app.attempt(self.app.project.sources.transcript_paths, paths)
        if transcripts is None:
            return
        if not transcripts:  # a codebook, a REFI-QDA project ...: no kind to ask for
            self._start_import(paths, ImportOptions())
            return

        def kind_chosen(index: int | None) -> None:
            if index is not None:
                self._start_import(paths, ImportOptions(kind=FILE_KINDS[index]))

        kinds = [k.replace("_", " ") for k in FILE_KINDS]
        self.app.push_screen(
            ChoiceDialog(f"{len(transcripts)} transcript(s): what kind?", kinds), kind_chosen
        )

    def _start_import(self, paths: list[str], options: ImportOptions) -> None:
        bar = self.query_one(ProgressBar)
        bar.update(total=100, progress=0)
        bar.display = True
        self._import(paths, options)

    @work(thread=True, exclusive=True, group="import", exit_on_error=False)
    def _import(self, paths: list[str], options: ImportOptions) -> list[str]:
        bar = self.query_one(ProgressBar)

        def progress(share: float) -> None:
            self.app.call_from_thread(bar.update, progress=share * 100)

        report = self.app.project.sources.import_paths(paths, options, progress=progress)
        return report_lines(report)

    @on(Worker.StateChanged)
    def _worker_changed(self, event: Worker.StateChanged) -> None:
        """Put the screen right after an import; a failure is shown by the app."""
        if event.worker.group != "import":
            return
        if event.state in (WorkerState.SUCCESS, WorkerState.ERROR):
            self.query_one(ProgressBar).display = False
        if event.state == WorkerState.SUCCESS:
            lines = event.worker.result or []
            self.notify("\n".join(lines), title="Imported", timeout=8, markup=False)
            self.reload()
