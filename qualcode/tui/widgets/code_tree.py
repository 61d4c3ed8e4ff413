"""The codebook as a tree: each node carries its :class:`Code` in ``node.data``."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Tree
from textual.widgets.tree import TreeNode

from qualcode.model import Code, Codebook


class CodeTree(Tree[Code]):
    """Codes with their colour, hotkey and count."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__("Codebook", id=id)
        self.show_root = False
        self.auto_expand = False
        self.guide_depth = 2

    def load(self, book: Codebook, counts: dict[int, int], colors: dict[int, str]) -> None:
        """Rebuild the tree, keeping the highlighted code highlighted."""
        current = self.cursor_node.data if self.cursor_node is not None else None
        self.clear()
        nodes: dict[int | None, TreeNode[Code]] = {None: self.root}
        for code in book:
            # The hotkey first, so it stays visible when a narrow column cuts the name off.
            label = Text.assemble(
                ("■ ", colors.get(code.id, "")),
                (f"{code.hotkey or ' '} ", "bold reverse" if code.hotkey else ""),
                code.name,
                (f" {counts.get(code.id, 0)}" if counts.get(code.id) else "", "dim"),
            )
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


def _walk(node: TreeNode[Code]) -> list[TreeNode[Code]]:
    out = [node]
    for child in node.children:
        out.extend(_walk(child))
    return out
