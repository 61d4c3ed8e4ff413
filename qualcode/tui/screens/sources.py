"""The project screen: the sources with kind, speakers, words, how much is coded and by whom.

Enter opens a source on the coding screen; ``i`` imports transcripts in a worker, with a
progress bar, so a large import never freezes the screen.
"""

from __future__ import annotations

import glob
from pathlib import Path
from typing import TYPE_CHECKING

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable, Footer, ProgressBar
from textual.worker import Worker, WorkerState

from qualcode.errors import QualcodeError
from qualcode.model import SOURCE_KINDS
from qualcode.tui.screens.dialogs import ChoiceDialog, TextPrompt
from qualcode.tui.widgets.status import StatusLine

if TYPE_CHECKING:
    from qualcode.tui.app import QualcodeApp


# Survey answers (kind "response") come from a sheet with its own options: use the CLI.
FILE_KINDS = [k for k in SOURCE_KINDS if k != "response"]


class SourcesScreen(Screen[None]):
    TITLE = "Sources"
    BINDINGS = [
        Binding("enter", "open", "Open", id="sources.open"),
        Binding("i", "import", "Import", id="sources.import"),
        Binding("c,C", "set_coder", "Coder", id="sources.coder"),
    ]

    app: QualcodeApp

    def compose(self) -> ComposeResult:
        yield StatusLine(id="sources-status", classes="status")
        yield DataTable(id="sources", cursor_type="row", zebra_stripes=True)
        yield ProgressBar(id="import-progress", show_eta=False)
        yield Footer(compact=True, show_command_palette=False)

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_columns("source", "kind", "words", "coded", "codings", "coders", "speakers")
        self.query_one(ProgressBar).display = False

    def on_screen_resume(self) -> None:
        self.reload()

    def reload(self) -> None:
        project = self.app.project
        rows = project.sources()
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
                key=str(s.id),
            )
        if rows:
            table.move_cursor(row=min(row, len(rows) - 1))
        info = project.summary()
        self.query_one("#sources-status", StatusLine).update(
            f"coder {project.coder} · {info['sources']} sources · {info['words']:,} words · "
            f"{info['codes']} codes · {info['codings']} codings · Enter opens a source"
        )

    @on(DataTable.RowSelected)
    def _row_selected(self, event: DataTable.RowSelected) -> None:
        if event.row_key.value is not None:
            self.app.open_source(int(event.row_key.value))

    def action_open(self) -> None:
        table = self.query_one(DataTable)
        if table.row_count:
            key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
            if key is not None:
                self.app.open_source(int(key))

    def action_set_coder(self) -> None:
        self.app.action_set_coder()

    def action_import(self) -> None:
        self.app.push_screen(
            TextPrompt("Import transcripts", placeholder="files or patterns, e.g. ~/study/*.docx"),
            self._import_chosen,
        )

    def _import_chosen(self, value: str | None) -> None:
        if not value:
            return
        paths: list[str] = []
        for part in value.split():
            expanded = str(Path(part).expanduser())
            paths.extend(sorted(glob.glob(expanded)) or [expanded])

        def kind_chosen(index: int | None) -> None:
            if index is None:
                return
            bar = self.query_one(ProgressBar)
            bar.update(total=100, progress=0)
            bar.display = True
            self._import(paths, FILE_KINDS[index])

        kinds = [k.replace("_", " ") for k in FILE_KINDS]
        self.app.push_screen(ChoiceDialog(f"{len(paths)} file(s): what kind?", kinds), kind_chosen)

    @work(thread=True, exclusive=True, group="import", exit_on_error=False)
    def _import(self, paths: list[str], kind: str) -> str:
        bar = self.query_one(ProgressBar)

        def progress(share: float) -> None:
            self.app.call_from_thread(bar.update, progress=share * 100)

        report = self.app.project.import_files(paths, kind=kind, progress=progress)
        return f"Imported {len(report.added) + len(report.replaced)} source(s)."

    @on(Worker.StateChanged)
    def _worker_changed(self, event: Worker.StateChanged) -> None:
        if event.worker.group != "import":
            return
        if event.state == WorkerState.SUCCESS:
            self.query_one(ProgressBar).display = False
            self.notify(str(event.worker.result))
            self.reload()
        elif event.state == WorkerState.ERROR:
            self.query_one(ProgressBar).display = False
            error = event.worker.error
            text = str(error) if isinstance(error, QualcodeError) else repr(error)
            self.notify(text, title="Cannot import", severity="error", timeout=8)
