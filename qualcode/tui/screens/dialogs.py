"""Small modal dialogs: a text prompt, a confirmation, a memo, and the code finder.

Each is a ``Dialog[T]``, a ``ModalScreen[T | None]`` that returns its result (a ``T``) to
the caller's callback, or None when cancelled with Escape; none of them touches the project.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Generic, TypeVar

from rich.text import Text
from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.fuzzy import Matcher
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, OptionList, Select, TextArea
from textual.widgets.option_list import Option

from qualcode.model import PATH_SEPARATOR, Code, Codebook, join_path, split_path
from qualcode.project.new_codes import existing_part, one_name

ResultT = TypeVar("ResultT")


class Dialog(ModalScreen[ResultT | None], Generic[ResultT]):
    """A modal question whose answer is a ``ResultT``, or None when cancelled."""

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="dialog.cancel")]

    def action_cancel(self) -> None:
        self.dismiss(None)


class TextPrompt(Dialog[str]):
    """Ask for one line of text."""

    def __init__(self, title: str, value: str = "", placeholder: str = "") -> None:
        super().__init__()
        self.title_text, self.value, self.placeholder = title, value, placeholder

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(self.title_text, classes="dialog-title")
            yield Input(self.value, placeholder=self.placeholder, id="prompt")

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        self.dismiss(event.value)


class Confirm(Dialog[bool]):
    """Ask yes or no; returns True, or None when cancelled."""

    BINDINGS = [Binding("y", "yes", "Yes", id="confirm.yes"), Binding("n", "cancel", "No")]

    def __init__(self, question: str) -> None:
        super().__init__()
        self.question = question

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(self.question, classes="dialog-title")
            with Horizontal(classes="buttons"):
                yield Button("Yes (y)", id="yes", variant="error")
                yield Button("No (n)", id="no")

    def action_yes(self) -> None:
        self.dismiss(True)

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        self.dismiss(True if event.button.id == "yes" else None)


class MemoDialog(Dialog[tuple[int, str]]):
    """Write a memo on one of several targets; returns ``(target index, text)``."""

    BINDINGS = [Binding("ctrl+s", "save", "Save memo", id="memo.save")]

    def __init__(self, targets: Sequence[str | Text], text: str = "") -> None:
        super().__init__()
        self.targets, self.text = list(targets), text

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog memo"):
            yield Label("Memo — ctrl+s saves, escape cancels", classes="dialog-title")
            yield Select([(t, i) for i, t in enumerate(self.targets)], value=0, allow_blank=False)
            yield TextArea(self.text, id="memo-text")

    def on_mount(self) -> None:
        self.query_one(TextArea).focus()

    def on_key(self, event: events.Key) -> None:
        """Typing goes into the memo wherever the focus is: after Tab has moved it to the
        target list, what is typed next is still the memo, not lost."""
        select = self.query_one(Select)
        area = self.query_one(TextArea)
        if self.focused is area or select.expanded:
            return
        if event.character and event.is_printable:
            event.stop()
            event.prevent_default()
            area.focus()
            area.insert(event.character)

    def action_save(self) -> None:
        target = self.query_one(Select).value
        text = self.query_one(TextArea).text
        if not text.strip() and not self.text.strip():
            self.notify("type the memo first (escape cancels)", severity="warning")
            return
        if isinstance(target, int):  # always: the list has no blank entry
            self.dismiss((target, text))


class CodeFinder(Dialog[Code | str]):
    """Type part of a code's name (fuzzy) or its number; Enter picks it. With ``create``,
    a name no code has is offered as a new code; returns a Code, a new name, or None."""

    BINDINGS = [
        Binding("down", "move(1)", "Next", show=False),
        Binding("up", "move(-1)", "Previous", show=False),
    ]

    def __init__(
        self, book: Codebook, title: str = "Apply code", *, create: bool = True, extra: str = ""
    ) -> None:
        super().__init__()
        self.book, self.title_text, self.create = book, title, create
        self.extra = extra  # an extra first choice such as "(top level)", returned as ""
        self.shown: list[Code | str] = []

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog finder"):
            yield Label(self.title_text, classes="dialog-title")
            yield Input(placeholder="name, part of it, or number", id="finder-query")
            yield OptionList(id="finder-options")

    def on_mount(self) -> None:
        self._fill("")

    @on(Input.Changed)
    def _changed(self, event: Input.Changed) -> None:
        self._fill(event.value)

    def _fill(self, query: str) -> None:
        query = query.strip()
        codes = list(self.book)
        ranked = ranked_codes(self.book, query) if query else codes
        # The extra choice ("(top level)") leads an empty query; once something is typed the
        # matches lead, so Enter takes the first match, and the extra follows if it matches.
        extra = bool(self.extra) and (not query or Matcher(query).match(self.extra) > 0)
        self.shown = [""] if extra and not query else []
        self.shown += ranked
        if extra and query:
            self.shown.append("")
        made: dict[str, str] = {}
        if self.create and query and not self.book.find(query) and not query.isdigit():
            made = dict(new_code_choices(self.book, query))
            self.shown += list(made)
        options = self.query_one(OptionList)
        options.clear_options()
        for item in self.shown:
            if isinstance(item, Code):
                number = codes.index(item) + 1
                hot = f" [{item.hotkey}]" if item.hotkey else ""
                options.add_option(
                    Option(
                        Text.assemble((f"{number:>2} ", "dim"), self.book.path(item), (hot, "bold"))
                    )
                )
            elif item == "":
                options.add_option(Option(Text(self.extra, style="italic")))
            else:
                options.add_option(Option(Text(made[item], style="bold")))
        if self.shown:
            options.highlighted = 0
        else:
            options.add_option(
                Option(Text(f"nothing matches '{query}'", style="dim"), disabled=True)
            )

    def action_move(self, step: int) -> None:
        options = self.query_one(OptionList)
        if options.option_count:
            options.highlighted = ((options.highlighted or 0) + step) % options.option_count

    @on(Input.Submitted)
    def _submitted(self) -> None:
        index = self.query_one(OptionList).highlighted
        if index is not None and 0 <= index < len(self.shown):
            self.dismiss(self.shown[index])
        elif not self.shown:
            query = self.query_one(Input).value.strip()
            self.notify(f"No code matches '{query}'.", title="Nothing matched", severity="warning")

    @on(OptionList.OptionSelected)
    def _selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(self.shown[event.option_index])


def new_code_choices(book: Codebook, query: str) -> list[tuple[str, str]]:
    """The new codes the finder offers for a name no code has, as (the path applied with
    its parents made, the choice's label). A path whose parent is no code offers both
    readings, each saying what it makes: the child with its new parents, and one code
    whose name keeps the '/' (see :mod:`qualcode.project.new_codes`)."""
    names = [n.strip() for n in split_path(query)]
    *above, name = names
    _, depth = existing_part(book, names)
    if depth >= len(names) - 1:
        under = f" under '{join_path(above)}'" if above else ""
        return [(query, f"+ new code '{name}'{under}")]
    missing = " and ".join(f"'{join_path(names[: n + 1])}'" for n in range(depth, len(above)))
    plural = "s" if len(above) - depth > 1 else ""
    kept = join_path(names[:depth])
    return [
        (
            query,
            f"+ new code '{name}' under '{join_path(above)}', with new parent{plural} {missing}",
        ),
        (
            one_name(names, depth),
            f"+ new code '{PATH_SEPARATOR.join(names[depth:])}'"
            + (f" under '{kept}'" if kept else "")
            + " (one name, '/' and all)",
        ),
    ]


def ranked_codes(book: Codebook, query: str) -> list[Code]:
    """The codes matching what was typed in the finder, best first: the code numbered so
    (``7``), then an exact name or path (case aside), then names that begin with it
    (the shorter first: "aware" is "Awareness" before "Awareness and publicity"), then
    paths that begin with it, then fuzzy matches of the path; ties in codebook order."""
    codes = list(book)
    folded = query.casefold()
    exact = {c.id for c in book.find(query)} | {c.id for c in codes if c.name.casefold() == folded}
    matcher = Matcher(query)
    ranked: list[tuple[int, int, float, int, Code]] = []
    for i, code in enumerate(codes):
        path = book.path(code)
        score = matcher.match(path)
        name = code.name.casefold()
        if code.id in exact:
            tier = 4
        elif name.startswith(folded):
            tier = 3
        elif path.casefold().startswith(folded):
            tier = 2
        elif score > 0:
            tier = 1
        else:
            continue
        ranked.append((tier, len(name) if tier == 3 else 0, score, i, code))
    ranked.sort(key=lambda r: (-r[0], r[1], -r[2], r[3]))
    numbered = [codes[int(query) - 1]] if query.isdigit() and 1 <= int(query) <= len(codes) else []
    return list(dict.fromkeys([*numbered, *(r[-1] for r in ranked)]))


class ChoiceDialog(Dialog[int]):
    """Pick one of a few labelled choices; returns its index."""

    def __init__(self, title: str, choices: Sequence[str | Text]) -> None:
        super().__init__()
        self.title_text, self.choices = title, list(choices)

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(self.title_text, classes="dialog-title")
            yield OptionList(*self.choices)

    @on(OptionList.OptionSelected)
    def _selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option_index)
