"""The screens' footer: Textual's, recomposed only when the keys it shows change.

Textual's footer rebuilds all its keys (a restyled widget each) whenever the screen's
bindings may have changed, which is on every focus change: half a dozen times while a
screen opens, with the same keys each time. This one compares what it would show first.
"""

from __future__ import annotations

from typing import Any

from textual.screen import Screen
from textual.widgets import Footer


class SteadyFooter(Footer):
    """A compact footer without the command palette's key, rebuilt only when its keys,
    their descriptions or whether they are enabled change."""

    def __init__(self) -> None:
        super().__init__(compact=True, show_command_palette=False)
        self._shown: tuple[Any, ...] | None = None

    def bindings_changed(self, screen: Screen[Any]) -> None:
        shown = tuple(
            (binding.key, binding.action, binding.description, enabled, tooltip, binding.group)
            for _node, binding, enabled, tooltip in screen.active_bindings.values()
            if binding.show
        )
        if shown == self._shown:
            return
        # Kept only when the footer recomposes now (the app focused and this screen's).
        if screen.app.app_focus and self.is_attached and screen is self.screen:
            self._shown = shown
        super().bindings_changed(screen)
