"""A one-line status bar whose updates repaint it without a layout pass (it changes on
every cursor move, and a layout pass of the whole screen per key press is measurable)."""

from __future__ import annotations

from textual.reactive import reactive
from textual.widget import Widget


class StatusLine(Widget):
    text: reactive[str] = reactive("", layout=False)

    def render(self) -> str:
        return self.text

    def update(self, text: str) -> None:
        self.text = text
