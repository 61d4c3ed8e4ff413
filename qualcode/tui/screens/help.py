"""``?``: every key of the screen underneath, generated from its bindings."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen, Screen
from textual.widgets import DataTable, Label


class HelpScreen(ModalScreen[None]):
    BINDINGS = [Binding("escape,question_mark,q", "dismiss", "Close", id="help.close")]

    def __init__(self, screen: Screen, notes: str = "") -> None:
        super().__init__()
        self.under, self.notes = screen, notes

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog help"):
            yield Label(
                f"Keys — {self.under.title or 'qualcode'} (escape closes)", classes="dialog-title"
            )
            if self.notes:
                yield Label(self.notes, classes="help-notes")
            yield DataTable(cursor_type="row", zebra_stripes=True)

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_columns("key", "does")
        seen: set[str] = set()
        for _key, active in self.under.active_bindings.items():
            binding = active.binding
            if not binding.description or (binding.description in seen and not binding.show):
                continue
            seen.add(binding.description)
            # A footer entry is short so that the footer fits in 80 columns; its tooltip,
            # where it has one, says the same at length.
            table.add_row(self.app.get_key_display(binding), binding.tooltip or binding.description)
        table.focus()
