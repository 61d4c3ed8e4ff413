"""The codebook screen: browse and edit the tree, and read each code's coded passages.

Every edit is one call into the project (add, rename, move, merge, recolour, update, delete);
the tree is then read again, so it always shows what is stored.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import DataTable, Input, Label, Static, TextArea, Tree

from qualcode.model import Code, CodedSegment, Theme
from qualcode.tui.colors import code_colors, next_color
from qualcode.tui.screens.dialogs import CodeFinder, Confirm, Dialog, TextPrompt
from qualcode.tui.screens.themes import ThemesDialog
from qualcode.tui.widgets.code_tree import CodeTree
from qualcode.tui.widgets.footer import KeyLine
from qualcode.tui.widgets.status import StatusLine

if TYPE_CHECKING:
    from qualcode.tui.workbench import Workbench


class CodeForm(Dialog[dict[str, Any]]):
    """Edit a code's definition, inclusion, exclusion, keywords and examples."""

    BINDINGS = [Binding("ctrl+s", "save", "Save", id="form.save")]

    def __init__(self, code: Code) -> None:
        super().__init__()
        self.code = code

    def compose(self) -> ComposeResult:
        c = self.code
        with VerticalScroll(classes="dialog form"):
            yield Label(f"{c.name} — ctrl+s saves, escape cancels", classes="dialog-title")
            yield Label("Definition")
            yield TextArea(c.definition, id="definition")
            yield Label("Inclusion")
            yield TextArea(c.inclusion, id="inclusion")
            yield Label("Exclusion")
            yield TextArea(c.exclusion, id="exclusion")
            yield Label("Keywords (separated by ;)")
            yield Input("; ".join(c.keywords), id="keywords")
            yield Label("Examples (one per line)")
            yield TextArea("\n".join(c.examples), id="examples")

    def action_save(self) -> None:
        def area(name: str) -> str:
            return self.query_one(f"#{name}", TextArea).text.strip()

        self.dismiss(
            {
                "definition": area("definition"),
                "inclusion": area("inclusion"),
                "exclusion": area("exclusion"),
                "keywords": self.query_one("#keywords", Input).value.split(";"),
                "examples": area("examples").splitlines(),
            }
        )


class CodebookScreen(Screen[None]):
    TITLE = "Codebook"
    BINDINGS = [
        Binding("a", "add", "Add", id="codebook.add"),
        Binding("r", "rename", "Rename", id="codebook.rename"),
        Binding("m", "move", "Move", id="codebook.move"),
        Binding("g", "merge", "Merge", tooltip="Merge into another code", id="codebook.merge"),
        Binding("e", "edit", "Edit", id="codebook.edit"),
        Binding("c", "recolour", "Colour", show=False, id="codebook.colour"),
        Binding("k", "hotkey", "Hotkey", show=False, id="codebook.hotkey"),
        Binding("t", "themes", "Themes", id="codebook.themes"),
        Binding("delete", "delete", "Delete", show=False, id="codebook.delete"),
    ]

    app: Workbench

    def __init__(self) -> None:
        super().__init__()
        # A code to highlight once the tree is rebuilt (a new one), until it is highlighted:
        # the screen may be read again in between (on resume) and keep the old one.
        self.pending_code: int | None = None
        self.passages: list[CodedSegment] = []  # the passage table's rows, in order

    def compose(self) -> ComposeResult:
        yield StatusLine(id="codebook-status", classes="status")
        with Horizontal(id="codebook-body"):
            yield CodeTree(id="codebook-tree")
            with Vertical(id="code-side"):
                with VerticalScroll(id="code-details"):
                    yield Static("", id="code-text")
                yield DataTable(id="code-passages", cursor_type="row", zebra_stripes=True)
        yield KeyLine()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_columns("source", "speaker", "coder", "passage")

    def on_screen_resume(self) -> None:
        self.reload()
        self.query_one(CodeTree).focus()

    @property
    def code_tree(self) -> CodeTree:
        return self.query_one(CodeTree)

    def reload(self) -> None:
        """Read the codebook again; a read that fails is shown and the tree stays as it was."""
        codebook = self.app.project.codebook
        read = self.app.attempt(lambda: (codebook.book(), codebook.code_counts()))
        if read is None:
            return
        book, counts = read
        self.code_tree.load(book, counts, code_colors(book))
        self.fit_tree()
        if self.pending_code is not None:
            self.code_tree.call_after_refresh(self.code_tree.select_code, self.pending_code)
        self.query_one("#codebook-status", StatusLine).update(
            f"{len(book)} codes · a add · r rename · m move · g merge · e edit · c colour"
            " · t themes"
        )
        self._show(self.code_tree.code)

    def fit_tree(self) -> None:
        """The tree as wide as its names need (to half the screen), else its usual 40%."""
        self.code_tree.fit(self.code_tree, round(self.app.size.width * 0.4))

    def on_resize(self) -> None:
        self.fit_tree()

    @on(Tree.NodeHighlighted)
    def _highlighted(self, event: Tree.NodeHighlighted[Code]) -> None:
        if event.node.data is not None and event.node.data.id == self.pending_code:
            self.pending_code = None
        self._show(event.node.data)

    def _show(self, code: Code | None) -> None:
        details = self.query_one("#code-text", Static)
        table = self.query_one(DataTable)
        if code is None:
            table.clear()
            self.passages = []
            details.update("No codes yet: press a to add one.")
            return
        project = self.app.project
        book = self.app.attempt(project.codebook.book)
        if book is None:
            return
        try:
            code = book.get(code.id)
        except KeyError:
            table.clear()
            self.passages = []
            return
        passages = self.app.attempt(project.coding.codings, code=code.id)
        if passages is None:
            return
        table.clear()
        text = Text()
        text.append(book.path(code) + "\n", style="bold")
        counts = self.code_tree.counts
        count = counts.get(code.id, 0)
        below = count + sum(counts.get(c.id, 0) for c in book.descendants(code.id))
        meta = [
            f"{count} coding{'s' * (count != 1)}"
            + (f" ({below} with the codes below it)" if below != count else ""),
            f"colour {code.color}" if code.color else "",
            f"key {code.hotkey}" if code.hotkey else "",
        ]
        text.append(" · ".join(m for m in meta if m) + "\n", style="dim")
        for title, body in (
            ("Definition", code.definition),
            ("Inclusion", code.inclusion),
            ("Exclusion", code.exclusion),
            ("Keywords", ", ".join(code.keywords)),
            ("Examples", "\n".join(f"“{e}”" for e in code.examples)),
        ):
            if body:
                text.append(f"{title}: ", style="bold")
                text.append(body + "\n")
        details.update(text)
        self.passages = passages
        for seg in self.passages:
            # Text, not markup: a quote keeps the researcher's [brackets].
            quote = Text(" ".join(seg.text.split())[:120])
            table.add_row(seg.source, seg.speaker or "", seg.coding.coder, quote)

    @on(DataTable.RowSelected)
    def _passage_selected(self, event: DataTable.RowSelected) -> None:
        """Enter on a passage opens it on the coding screen, selected."""
        if 0 <= event.cursor_row < len(self.passages):
            c = self.passages[event.cursor_row].coding
            self.app.open_source(c.source_id, (c.start, c.end))

    # -- edits ---------------------------------------------------------------------------------

    def _edit(self, func: Any, *args: Any, **kwargs: Any) -> None:
        self.app.write(func, *args, then=lambda _: self.reload(), **kwargs)

    def action_add(self) -> None:
        parent = self.code_tree.code
        where = f" under {parent.name}" if parent else ""

        def add(name: str | None) -> None:
            if name:
                self._edit(self.app.project.codebook.add_code, name, parent.id if parent else None)

        self.app.push_screen(TextPrompt(f"New code{where}", placeholder="name"), add)

    def action_rename(self) -> None:
        code = self.code_tree.code
        if code is not None:
            self.app.push_screen(
                TextPrompt(f"Rename {code.name}", code.name),
                lambda name: (
                    self._edit(self.app.project.codebook.rename_code, code.id, name)
                    if name
                    else None
                ),
            )

    def action_move(self) -> None:
        code = self.code_tree.code
        if code is None:
            return

        def move(target: Code | str | None) -> None:
            if target == "":
                self._edit(self.app.project.codebook.move_code, code.id, None)
            elif isinstance(target, Code):
                self._edit(self.app.project.codebook.move_code, code.id, target.id)

        book = self.app.attempt(self.app.project.codebook.book)
        if book is not None:
            finder = CodeFinder(book, f"Move {code.name} under", create=False, extra="(top level)")
            self.app.push_screen(finder, move)

    def action_merge(self) -> None:
        code = self.code_tree.code
        if code is None:
            return

        def merge(target: Code | str | None) -> None:
            if isinstance(target, Code):
                moved = self.app.attempt(self.app.project.codebook.merge_codes, code.id, target.id)
                if moved is not None:
                    self.notify(f"Merged {code.name} into {target.name} ({moved} codings).")
                    self.reload()
                    self.code_tree.select_code(target.id)

        book = self.app.attempt(self.app.project.codebook.book)
        if book is not None:
            self.app.push_screen(CodeFinder(book, f"Merge {code.name} into", create=False), merge)

    def action_edit(self) -> None:
        code = self.code_tree.code
        if code is not None:
            self.app.push_screen(
                CodeForm(code),
                lambda fields: (
                    self._edit(self.app.project.codebook.update_code, code.id, **fields)
                    if fields
                    else None
                ),
            )

    def action_recolour(self) -> None:
        code = self.code_tree.code
        book = None if code is None else self.app.attempt(self.app.project.codebook.book)
        if code is not None and book is not None:
            suggestion = next_color(book)
            self.app.push_screen(
                TextPrompt(f"Colour of {code.name} (#rrggbb or a name)", code.color or suggestion),
                lambda color: (
                    self._edit(self.app.project.codebook.update_code, code.id, color=color)
                    if color
                    else None
                ),
            )

    def action_hotkey(self) -> None:
        code = self.code_tree.code
        if code is not None:
            self.app.push_screen(
                TextPrompt(f"Hotkey of {code.name} (a letter or digit)", code.hotkey or ""),
                lambda key: (
                    self._edit(self.app.project.codebook.update_code, code.id, hotkey=key)
                    if key is not None
                    else None
                ),
            )

    def action_delete(self) -> None:
        code = self.code_tree.code
        if code is not None:
            self.app.push_screen(
                Confirm(f"Delete {code.name} and the codes below it?"),
                lambda yes: (
                    self._edit(self.app.project.codebook.delete_code, code.id) if yes else None
                ),
            )

    def action_themes(self) -> None:
        """Emergent themes in the uncoded text; the one picked becomes a top-level code."""

        def promote(theme: Theme | None) -> None:
            if theme is None:
                return
            code = self.app.attempt(self.app.project.suggestions.promote_theme, theme)
            if code is not None:
                self.notify(f"Made the theme a code: {code.name}.", timeout=4)
                self.pending_code = code.id
                self.reload()

        self.app.push_screen(ThemesDialog(), promote)
