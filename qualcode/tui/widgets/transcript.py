"""The transcript: speaker turns with a gutter, coded spans in colour, a selection to code.

A Line API widget: the text is wrapped once per width into a list of ``(start, end)`` offsets
(a C-level ``rfind`` per line, milliseconds for 50,000 words), and only the visible lines are
rendered, each from those offsets. A cursor move repaints the lines the old and new
selection touch, never the whole text. Coded spans are looked up in a coverage map (the
source cut at every coding boundary), built again only when the codings change.

The widget holds view state only (what is shown, what is selected); the screen above it
asks the project for sentences, codings and search hits and hands them down.
"""

from __future__ import annotations

import bisect
import itertools
from collections.abc import Sequence
from dataclasses import dataclass

from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.binding import Binding
from textual.color import Color
from textual.geometry import Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

from qualcode.model import Coding, Turn, clock

Span = tuple[int, int]
GUTTER = 12  # speaker name or timestamp, then a space (in a transcript under 70 columns)
WIDE_GUTTER = 17
WIDE_TEXT = 70  # a transcript this wide can give whole speaker names room


@dataclass(frozen=True, slots=True)
class Line:
    """One screen line: a slice of the text, or the gutter-only lines around turns."""

    turn: int  # index into the shown turns
    start: int
    end: int
    gutter: str = ""
    gutter_kind: str = ""  # "speaker", "time" or ""


def abbreviate(name: str, width: int) -> str:
    """A speaker's name in ``width`` characters: whole if it fits, else the last name cut to
    its initial ("Prof. L."), else initials ("P.L."), else cut with an ellipsis. The status
    line shows the whole name of the turn the selection is in."""
    if len(name) <= width:
        return name
    words = name.split()
    if len(words) > 1:
        for short in (
            " ".join([*words[:-1], words[-1][0] + "."]),
            ".".join(w[0] for w in words) + ".",
        ):
            if len(short) <= width:
                return short
    return name[: max(width - 1, 0)] + "…"


def wrap_turns(text: str, turns: Sequence[Turn], width: int, gutter: int = GUTTER) -> list[Line]:
    """Lay the turns out in lines of at most ``width`` characters, a blank line between."""
    width = max(width, 8)
    lines: list[Line] = []
    for ti, turn in enumerate(turns):
        if ti:
            lines.append(Line(ti, turn.start, turn.start))
        first = len(lines)
        pos = turn.start
        while pos < turn.end:
            nl = text.find("\n", pos, turn.end)
            para_end = turn.end if nl < 0 else nl
            while para_end - pos > width:
                cut = text.rfind(" ", pos, pos + width + 1)
                if cut <= pos:
                    cut = pos + width
                    lines.append(Line(ti, pos, cut))
                    pos = cut
                else:
                    lines.append(Line(ti, pos, cut))
                    pos = cut + 1
            lines.append(Line(ti, pos, para_end))
            pos = para_end + 1
        if len(lines) == first:
            lines.append(Line(ti, turn.start, turn.end))
        # the gutter: the speaker on the turn's first line, its timestamp on the second
        speaker = abbreviate(turn.speaker or "", gutter - 1)
        lines[first] = Line(ti, lines[first].start, lines[first].end, speaker, "speaker")
        if turn.timestamp is not None:
            stamp = clock(turn.timestamp)
            if first + 1 < len(lines):
                ln = lines[first + 1]
                lines[first + 1] = Line(ti, ln.start, ln.end, stamp, "time")
            else:
                lines.append(Line(ti, turn.end, turn.end, stamp, "time"))
    return lines


def coverage(codings: Sequence[Coding]) -> tuple[list[int], list[tuple[int, ...]]]:
    """The text cut at every coding boundary: ``cuts`` and the code ids covering each piece
    ``[cuts[i], cuts[i + 1])``, most recently applied first. One sweep over the boundaries."""
    starts: dict[int, list[Coding]] = {}
    ends: dict[int, list[Coding]] = {}
    for c in codings:
        starts.setdefault(c.start, []).append(c)
        ends.setdefault(c.end, []).append(c)
    cuts = sorted(starts.keys() | ends.keys())
    active: dict[int, int] = {}  # coding id -> code id
    covers: list[tuple[int, ...]] = []
    for cut in cuts:
        for c in ends.get(cut, ()):
            active.pop(c.id, None)
        for c in starts.get(cut, ()):
            active[c.id] = c.code_id
        ordered = (active[k] for k in sorted(active, reverse=True))
        covers.append(tuple(dict.fromkeys(ordered)))
    return cuts, covers


class TranscriptView(ScrollView, can_focus=True):
    """A source's turns; the selection is what the next code is applied to.

    The movement keys are bound here, so they win over the scrolling keys of ScrollView;
    they call the screen's actions, which know the sentences and turns.
    """

    BINDINGS = [
        Binding("down", "screen.sentence(1)", "Next sentence", show=False),
        Binding("up", "screen.sentence(-1)", "Previous sentence", show=False),
        Binding("right_square_bracket", "screen.turn(1)", "Next turn", show=False),
        Binding("left_square_bracket", "screen.turn(-1)", "Previous turn", show=False),
        Binding("enter", "screen.select_turn", "Select the whole turn", show=False),
        Binding("shift+down", "screen.extend(1)", "Widen by a sentence", show=False),
        Binding("shift+up", "screen.extend(-1)", "Narrow by a sentence", show=False),
        Binding("right", "screen.word('end', 1)", "Widen by a word (end)", show=False),
        Binding("left", "screen.word('end', -1)", "Narrow by a word (end)", show=False),
        Binding("shift+left", "screen.word('start', 1)", "Widen by a word (start)", show=False),
        Binding("shift+right", "screen.word('start', -1)", "Narrow by a word (start)", show=False),
        Binding("greater_than_sign", "screen.hit(1)", "Next search hit", show=False),
        Binding("less_than_sign", "screen.hit(-1)", "Previous search hit", show=False),
        Binding("pagedown", "screen.page(1)", "Page down", show=False),
        Binding("pageup", "screen.page(-1)", "Page up", show=False),
        Binding("home", "screen.edge(0)", "First sentence", show=False),
        Binding("end", "screen.edge(-1)", "Last sentence", show=False),
    ]

    class Clicked(Message):
        """The user clicked at a text offset (the screen selects the sentence there)."""

        def __init__(self, offset: int) -> None:
            super().__init__()
            self.offset = offset

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.text = ""
        self.turns: list[Turn] = []
        self.lines: list[Line] = []
        self._line_starts: list[int] = []
        self._wrapped_width: tuple[int, int] | None = None
        self.gutter_width = GUTTER
        self.selection: Span = (0, 0)
        self.tints: dict[int, str] = {}
        self._cuts: list[int] = []
        self._covers: list[tuple[int, ...]] = []
        self.hits: list[Span] = []
        self._hit_starts: list[int] = []
        self._styles: dict[object, Style] = {}
        self._base_style = Style()
        self._rich: Style | None = None  # rich_style, kept until the CSS changes

    # -- what is shown (called by the screen) ----------------------------------------------

    def show(self, text: str, turns: Sequence[Turn]) -> None:
        """Show ``turns`` of ``text`` (all of a source's, or a filtered few)."""
        self.text = text
        self.turns = list(turns)
        self._wrapped_width = None
        if self.size.width:  # else wrapped once its width is known (on_resize)
            self._layout()
        self.refresh()

    def set_codings(
        self, codings: Sequence[Coding], colors: dict[int, str], *, span: Span | None = None
    ) -> None:
        """Show ``codings`` in ``colors``; with ``span`` (the one place that changed, the
        colours the same) only the lines it covers are painted again."""
        self._cuts, self._covers = coverage(codings)
        if span is None or colors != self.tints:
            self.tints = colors
            self._styles.clear()
            self.refresh()
            return
        self._refresh_span(span)

    def set_hits(self, hits: Sequence[Span]) -> None:
        self.hits = list(hits)
        self._hit_starts = [s for s, _ in self.hits]
        self.refresh()

    def select(self, span: Span, *, scroll: bool = True) -> None:
        """Select ``span``; repaint only the lines it and the old selection touch."""
        old = self.selection
        self.selection = span
        self._refresh_span(old)
        self._refresh_span(span)
        if scroll:
            self.scroll_to_selection()

    def scroll_to_selection(self) -> None:
        """Bring the selection into view with a few lines of context. A selection already in
        view does not scroll; one out of view goes a third of the way down the view, so a
        held arrow key scrolls by pages, not a line per key press (each scroll repaints
        every line shown), and the passages after it are in view."""
        first, last = self._lines_of(self.selection)
        height = self.size.height
        context = 3 if height > 12 else 1
        top = self.scroll_offset.y
        if first >= top + context and last < top + height - context:
            return
        target = first - height // 3
        if last - target >= height - context:  # a long passage: its start near the top
            target = first - context
        self.scroll_to(y=max(target, 0), animate=False, immediate=True)

    def _lines_of(self, span: Span) -> tuple[int, int]:
        """The first and last screen lines showing ``span``."""
        return self.line_of(span[0]), self.line_of(max(span[0], span[1] - 1))

    def _refresh_span(self, span: Span) -> None:
        """Paint again only the lines showing ``span``."""
        first, last = self._lines_of(span)
        self.refresh_lines(first, last - first + 1)

    def line_of(self, offset: int) -> int:
        """The screen line showing text offset ``offset`` (the nearest one if hidden)."""
        if not self.lines:
            return 0
        return max(bisect.bisect_right(self._line_starts, offset) - 1, 0)

    @property
    def page_lines(self) -> int:
        return max(self.size.height - 1, 1)

    # -- layout and painting -----------------------------------------------------------------

    def _layout(self) -> None:
        # Wide terminals get room for whole speaker names; narrow ones keep it for the text.
        longest = max((len(t.speaker or "") for t in self.turns), default=0) + 1
        room = WIDE_GUTTER if self.size.width >= WIDE_TEXT else GUTTER
        self.gutter_width = max(min(longest, room), 9)
        width = max(self.size.width - self.gutter_width - 1, 20) if self.size.width else 60
        if (width, self.gutter_width) == self._wrapped_width:
            return
        self._wrapped_width = (width, self.gutter_width)
        self.lines = wrap_turns(self.text, self.turns, width, self.gutter_width)
        # Blank separator lines share their turn's start; keep the starts non-decreasing.
        self._line_starts = [ln.start for ln in self.lines]
        self.virtual_size = Size(self.size.width, len(self.lines))

    def on_resize(self, _event: events.Resize) -> None:
        self._layout()
        self.refresh()

    def _style(self, key: object) -> Style:
        cached = self._styles.get(key)
        if cached is None:
            cached = self._styles[key] = self._make_style(key)
        return cached

    def _make_style(self, key: object) -> Style:
        base = self._base_style
        bg = Color.from_rich_color(base.bgcolor) if base.bgcolor else Color(0, 0, 0)
        kind, *rest = key if isinstance(key, tuple) else (key,)
        if kind == "speaker":
            return base + Style(bold=True, color=self.app.current_theme.primary)
        if kind == "time":
            return base + Style(dim=True)
        selected, hit, codes = rest
        style = base
        if codes:
            tint = Color.parse(self.tints.get(codes[0], "#888888"))
            mixed = bg.blend(tint, 0.45)
            style += Style(bgcolor=mixed.rich_color, color=mixed.get_contrast_text().rich_color)
            if len(codes) > 1:
                style += Style(underline=True)
        if hit:
            style += Style(bgcolor="yellow", color="black")
        if selected:
            style += Style(reverse=True, bold=True)
        return style

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._rich = None  # the theme, the focus or a parent's style changed

    def render_line(self, y: int) -> Strip:
        index = y + self.scroll_offset.y
        width = self.size.width
        # rich_style walks every ancestor's styles: once per change, not once per line.
        if self._rich is None:
            self._rich = self.rich_style
        base = self._rich
        if base != self._base_style:  # the theme changed: blend the code colours again
            self._styles.clear()
            self._base_style = base
        if index >= len(self.lines):
            return Strip.blank(width, base)
        line = self.lines[index]
        gutter = line.gutter.ljust(self.gutter_width)
        out = [Segment(gutter, self._style(line.gutter_kind) if line.gutter else base)]
        out.extend(self._text_segments(line.start, line.end))
        return Strip(out).adjust_cell_length(width, base)

    def _text_segments(self, start: int, end: int) -> list[Segment]:
        if end <= start:
            return []
        sel_s, sel_e = self.selection
        points = {start, end}
        for p in (sel_s, sel_e):
            if start < p < end:
                points.add(p)
        i = bisect.bisect_right(self._cuts, start)
        while i < len(self._cuts) and self._cuts[i] < end:
            points.add(self._cuts[i])
            i += 1
        h = bisect.bisect_left(self._hit_starts, start) - 1
        for hs, he in self.hits[max(h, 0) :]:
            if hs >= end:
                break
            for p in (hs, he):
                if start < p < end:
                    points.add(p)
        cuts = sorted(points)
        out = []
        for a, b in itertools.pairwise(cuts):
            ci = bisect.bisect_right(self._cuts, a) - 1
            codes = self._covers[ci] if 0 <= ci < len(self._covers) else ()
            hit = self._in_hit(a)
            selected = sel_s <= a < sel_e
            chunk = self.text[a:b].replace("\t", " ").replace("\n", " ")
            out.append(Segment(chunk, self._style(("text", selected, hit, codes))))
        return out

    def _in_hit(self, offset: int) -> bool:
        h = bisect.bisect_right(self._hit_starts, offset) - 1
        return h >= 0 and self.hits[h][1] > offset

    # -- mouse -----------------------------------------------------------------------------

    def on_click(self, event: events.Click) -> None:
        index = event.y + self.scroll_offset.y
        if not (0 <= index < len(self.lines)) or event.x < self.gutter_width:
            return
        line = self.lines[index]
        offset = min(line.start + event.x - self.gutter_width, max(line.end - 1, line.start))
        self.post_message(self.Clicked(offset))


__all__ = ["Line", "TranscriptView", "coverage", "wrap_turns"]
