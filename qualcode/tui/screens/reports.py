"""The reports screen: how often each code was applied, and in how many sources.

The table comes from :meth:`Project.code_usage`; the charts and exports of the analysis
module go in the ``#charts`` container below it when they land.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Label

from qualcode.tui.colors import code_colors

if TYPE_CHECKING:
    from qualcode.tui.app import QualcodeApp


class ReportsScreen(Screen[None]):
    TITLE = "Reports"

    app: QualcodeApp

    def compose(self) -> ComposeResult:
        yield Label("Frequencies: codings and sources per code", classes="status")
        yield DataTable(id="frequencies", cursor_type="row", zebra_stripes=True)
        with Vertical(id="charts"):  # the analysis module's charts widget goes here
            yield Label(
                "Charts and exports appear here with the analysis module.", classes="placeholder"
            )
        yield Footer(compact=True, show_command_palette=False)

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_columns("code", "codings", "sources", "share of sources", "coders")

    def on_screen_resume(self) -> None:
        self.reload()

    def reload(self) -> None:
        project = self.app.project
        usage = project.code_usage()
        colors = code_colors(project.codebook())
        total = len(project.sources())
        table = self.query_one(DataTable)
        table.clear()
        for u in usage:
            name = Text.assemble("  " * u.depth, ("■ ", colors.get(u.code.id, "")), u.code.name)
            share = f"{u.sources} of {total} ({u.sources / total:.0%})" if total else "—"
            table.add_row(name, str(u.codings), str(u.sources), share, str(u.coders))
