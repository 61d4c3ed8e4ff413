"""The themes dialog: candidate themes in the text no one has coded yet, ready to become codes.

Finding themes parses every source and clusters the uncoded sentences (seconds on a real
study), so it runs in a worker while the dialog shows a loading indicator; Escape closes it
at any time. Enter returns the highlighted theme; the codebook screen promotes it with
``project.suggestions.promote_theme`` (terms as keywords, quotes as examples).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Label, OptionList
from textual.widgets.option_list import Option
from textual.worker import Worker, WorkerState, get_current_worker

from qualcode.model import Theme
from qualcode.tui.screens.dialogs import Dialog
from qualcode.tui.workbench import ShowsWorkerErrors

if TYPE_CHECKING:
    from qualcode.tui.workbench import Workbench


class ThemesDialog(ShowsWorkerErrors, Dialog[Theme]):
    """Emergent themes, largest first; Enter picks one to promote to a code."""

    app: Workbench

    def __init__(self, count: int = 8) -> None:
        super().__init__()
        self.count = count
        self.themes: list[Theme] = []

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog themes"):
            yield Label(
                "Themes in the uncoded text — Enter makes one a code, escape closes",
                classes="dialog-title",
            )
            yield OptionList(id="themes")

    def on_mount(self) -> None:
        options = self.query_one(OptionList)
        options.loading = True
        options.focus()
        self._find()

    @work(thread=True, exclusive=True, group="themes", exit_on_error=False)
    def _find(self) -> None:
        themes = self.app.project.suggestions.themes(self.count)
        if not get_current_worker().is_cancelled:
            self.app.call_from_thread(self._show, themes)

    def _show(self, themes: list[Theme]) -> None:
        self.themes = themes
        options = self.query_one(OptionList)
        options.loading = False
        options.clear_options()
        for t in themes:
            quote = t.quotes[0] if t.quotes else ""
            options.add_option(
                Text.assemble(
                    (t.label, "bold"),
                    (f"  {t.size} passages, {t.weight:.0%} of the uncoded text", "dim"),
                    f"\n  {', '.join(t.terms)}",
                    (f"\n  “{_shorten(quote)}”" if quote else "", "italic dim"),
                )
            )
        if not themes:
            options.add_option(Option(Text("no themes: too little uncoded text"), disabled=True))
        else:
            options.highlighted = 0

    @on(Worker.StateChanged)
    def _worker_changed(self, event: Worker.StateChanged) -> None:
        """A failed search leaves the list idle; the app shows the error."""
        if event.worker.group == "themes" and event.state == WorkerState.ERROR:
            self.query_one(OptionList).loading = False

    @on(OptionList.OptionSelected)
    def _selected(self, event: OptionList.OptionSelected) -> None:
        if 0 <= event.option_index < len(self.themes):
            self.dismiss(self.themes[event.option_index])


def _shorten(quote: str, width: int = 100) -> str:
    """A quote cut at a word before ``width`` characters, marked as cut."""
    if len(quote) <= width:
        return quote
    return quote[:width].rsplit(" ", 1)[0].rstrip(",;:") + " …"
