"""The codebook as a tree: each node carries its :class:`Code` in ``node.data``.

A tree has one line per code, so a name too long for the column is not cut at the edge
(mid-word, its count lost) but shortened at a word with "…", its count kept; the
highlighted code's whole path and count are the tree's tooltip, and the screens widen the
column to :meth:`CodeTree.wanted_width` where they have the room.
"""

from __future__ import annotations

from rich.cells import cell_len
from rich.color import Color as RichColor
from rich.color import ColorParseError
from rich.style import Style
from rich.text import Text
from textual.widget import Widget
from textual.widgets import Tree
from textual.widgets.tree import TreeNode

from qualcode.model import Code, Codebook
from qualcode.tui.widgets.labels import shorten_name


class CodeTree(Tree[Code]):
    """Codes with their colour, hotkey and count."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__("Codebook", id=id)
        self.show_root = False
        self.auto_expand = False
        self.guide_depth = 2
        self.book = Codebook()
        self.counts: dict[int, int] = {}
        self.tints: dict[int, str] = {}

    def load(self, book: Codebook, counts: dict[int, int], colors: dict[int, str]) -> None:
        """Rebuild the tree, keeping the highlighted code highlighted."""
        current = self.cursor_node.data if self.cursor_node is not None else None
        self.book, self.counts, self.tints = book, counts, colors
        self.clear()
        nodes: dict[int | None, TreeNode[Code]] = {None: self.root}
        for code in book:
            label = self.label_of(code, code.name)
            parent = nodes.get(code.parent_id, self.root)
            if book.children(code.id):
                nodes[code.id] = parent.add(label, data=code, expand=True)
            else:
                nodes[code.id] = parent.add_leaf(label, data=code)
        # The new nodes get their lines on the next refresh: move the cursor after it.
        if current is not None and current.id in {c.id for c in book}:
            self.call_after_refresh(self.select_code, current.id)
        elif len(book):
            self.call_after_refresh(setattr, self, "cursor_line", 0)

    def set_counts(self, counts: dict[int, int]) -> bool:
        """Show new counts without rebuilding the tree: only the lines whose count changed
        are labelled again. True if any changed (the widest label may have too)."""
        old, self.counts = self.counts, counts
        changed = False
        for node in _walk(self.root):
            code = node.data
            if code is not None and old.get(code.id) != counts.get(code.id):
                node.set_label(self.label_of(code, code.name))
                changed = True
        if changed:
            self.tooltip = self.describe(self.code)
        return changed

    def label_of(self, code: Code, name: str) -> Text:
        """A code's line: colour, hotkey, ``name`` and its count (none when 0)."""
        count = self.counts.get(code.id)
        tint = self.tints.get(code.id, "")
        # The hotkey first, on the code's colour (a key cap and a swatch in two cells, so
        # the name has the room), so it stays in view however the name is shortened.
        key = (code.hotkey, f"bold {ink(tint)} on {tint}") if code.hotkey and tint else None
        return Text.assemble(
            key or ("■", tint),
            " ",
            name,
            (f" {count}" if count else "", "dim"),
        )

    def render_label(self, node: TreeNode[Code], base_style: Style, style: Style) -> Text:
        """The node's label, its name shortened at a word (count kept) if the line is too
        narrow for it whole."""
        label = _text(node).copy()
        code = node.data
        if code is not None:
            room = self.scrollable_content_region.width - self._indent(node)
            if room > 0 and label.cell_len > room:
                rest = label.cell_len - cell_len(code.name)  # colour, hotkey and count
                label = self.label_of(code, shorten_name(code.name, max(room - rest, 4)))
        label.stylize(style)
        if not node.allow_expand:
            return label
        icon = self.ICON_NODE_EXPANDED if node.is_expanded else self.ICON_NODE
        return Text.assemble((icon, base_style + TOGGLE), label)

    def _indent(self, node: TreeNode[Code]) -> int:
        """The cells before a node's label: its guides, and its expand icon if it has one."""
        depth, parent = 0, node.parent
        while parent is not None and parent is not self.root:
            depth, parent = depth + 1, parent.parent
        return self.guide_depth * depth + (2 if node.allow_expand else 0)

    def wanted_width(self) -> int:
        """The width that shows every label whole: the widest, its guides and icon, and the
        scroll bar."""
        widest = max(
            (self._indent(n) + _text(n).cell_len for n in _walk(self.root) if n.data is not None),
            default=0,
        )
        return widest + self.styles.scrollbar_size_vertical

    def fit(self, column: Widget, usual: int) -> None:
        """Give ``column`` (this tree, or the column it fills) the width that shows every
        label whole, up to half the screen, and never less than ``usual``."""
        gutter = 0 if column is self else column.styles.gutter.width
        width = max(min(self.wanted_width() + gutter, self.app.size.width // 2), usual)
        if column.styles.width is None or column.styles.width.cells != width:
            column.styles.width = width

    def select_code(self, code_id: int) -> None:
        """Move the cursor to a code's node."""
        for node in _walk(self.root):
            if node.data is not None and node.data.id == code_id:
                self.move_cursor(node)
                return

    @property
    def code(self) -> Code | None:
        """The highlighted code."""
        node = self.cursor_node
        return node.data if node is not None else None

    def watch_cursor_line(self, previous_line: int, line: int) -> None:
        super().watch_cursor_line(previous_line, line)
        self.tooltip = self.describe(self.code)

    def describe(self, code: Code | None) -> str | None:
        """A code's whole path and count ("Parent/Child · 74 codings"), None for none."""
        if code is None:
            return None
        count = self.counts.get(code.id, 0)
        try:
            path = self.book.path(self.book.get(code.id))
        except KeyError:  # not in the codebook shown (deleted since)
            path = code.name
        return f"{path} · {count} coding{'s' * (count != 1)}"


def ink(color: str) -> str:
    """Black or white, whichever reads on ``color``."""
    try:
        r, g, b = RichColor.parse(color).get_truecolor()
    except (ColorParseError, ValueError):
        return "white"
    return "black" if 0.299 * r + 0.587 * g + 0.114 * b > 140 else "white"


# What makes a click on the icon expand or collapse a node (as Tree's own labels carry it).
TOGGLE = Style.from_meta({"toggle": True})


def _walk(node: TreeNode[Code]) -> list[TreeNode[Code]]:
    out = [node]
    for child in node.children:
        out.extend(_walk(child))
    return out


def _text(node: TreeNode[Code]) -> Text:
    """A node's label as Text (the tree keeps it so; its type says it may be a string)."""
    label = node.label
    return label if isinstance(label, Text) else Text(label)
