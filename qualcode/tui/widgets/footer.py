"""The screens' footer: their keys, drawn as one line of text by one widget.

Textual's footer is a container of a widget per key (a dozen on the coding screen, half the
screen's widgets), each restyled when the screen's bindings may have changed, which is on
every focus change; every message the screen's widgets are sent is sent to each of them too.
This one draws the same keys, in the footer's theme colours, as one line: a click on a key
presses it, and the pointer over a key shows its tooltip.
"""

from __future__ import annotations

from itertools import groupby
from typing import Any, NamedTuple

from rich.style import Style
from rich.text import Text
from textual import events
from textual.screen import Screen
from textual.widget import Widget


class Key(NamedTuple):
    """One entry of the footer: the key to press, how it is shown, what it does."""

    key: str
    display: str
    description: str
    enabled: bool
    tooltip: str


class KeyLine(Widget, can_focus=False):
    """The keys of the screen's active bindings (those shown), in one line."""

    ALLOW_SELECT = False
    COMPONENT_CLASSES = {"key-line--key", "key-line--description"}
    DEFAULT_CSS = """
    KeyLine {
        dock: bottom;
        height: 1;
        width: 100%;
        color: $footer-foreground;
        background: $footer-background;
        text-wrap: nowrap;
        text-overflow: clip;
        & > .key-line--key {
            color: $footer-key-foreground;
            background: $footer-key-background;
            text-style: bold;
        }
        & > .key-line--description {
            color: $footer-description-foreground;
            background: $footer-description-background;
        }
    }
    """

    def __init__(self) -> None:
        super().__init__()
        self.keys: tuple[Key | str, ...] = ()  # a str is a group's description
        self._spans: list[tuple[int, int, Key]] = []  # where each key is drawn

    def on_mount(self) -> None:
        self.screen.bindings_updated_signal.subscribe(self, self.bindings_changed)
        self.bindings_changed(self.screen)

    def on_unmount(self) -> None:
        self.screen.bindings_updated_signal.unsubscribe(self)

    def bindings_changed(self, screen: Screen[Any]) -> None:
        """Draw the keys again if they changed (a focus change mostly leaves them)."""
        if screen is not self.screen:
            return
        keys = self._keys(screen)
        if keys != self.keys:
            self.keys = keys
            self.refresh()

    def _keys(self, screen: Screen[Any]) -> tuple[Key | str, ...]:
        """As Textual's footer lists them: one entry per action (its first key), and a run
        of two or more of one group as their keys then the group's description."""
        first: dict[str, tuple[Any, bool, str]] = {}
        for _node, binding, enabled, tooltip in screen.active_bindings.values():
            if binding.show:
                first.setdefault(binding.action, (binding, enabled, tooltip))
        out: list[Key | str] = []
        for group, run in groupby(first.values(), key=lambda entry: entry[0].group):
            entries = list(run)
            grouped = group is not None and len(entries) > 1
            for b, enabled, tooltip in entries:
                words = "" if grouped else b.description
                display = self.app.get_key_display(b)
                out.append(Key(b.key, display, words, enabled, tooltip or b.description))
            if grouped:
                out.append(group.description)
        return tuple(out)

    def render(self) -> Text:
        key_style = self.get_component_rich_style("key-line--key")
        words_style = self.get_component_rich_style("key-line--description")
        line = Text(no_wrap=True, overflow="crop", end="")
        spans: list[tuple[int, int, Key]] = []
        for entry in self.keys:
            if line:
                line.append(" ")
            if isinstance(entry, str):  # a group's description, after its keys
                line.append(entry, words_style)
                continue
            start = len(line)
            dim = Style() if entry.enabled else Style(dim=True)
            line.append(entry.display, key_style + dim)
            if entry.description:
                line.append(" " + entry.description, words_style + dim)
            spans.append((start, len(line), entry))
        line.stylize_before(self.rich_style)  # the footer's colours under the keys'
        self._spans = spans
        return line

    def key_at(self, x: int) -> Key | None:
        """The key drawn at column ``x``, if any."""
        return next((key for start, end, key in self._spans if start <= x < end), None)

    def on_click(self, event: events.Click) -> None:
        key = self.key_at(event.x)
        if key is None:
            return
        if key.enabled:
            self.app.simulate_key(key.key)
        else:
            self.app.bell()

    def on_mouse_move(self, event: events.MouseMove) -> None:
        key = self.key_at(event.x)
        self.tooltip = key.tooltip if key is not None and key.tooltip else None

    @property
    def text_width(self) -> int:
        """How many columns the keys take (the line is cut at the screen's width)."""
        return self.render().cell_len


__all__ = ["Key", "KeyLine"]
