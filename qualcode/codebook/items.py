"""Codebook items as read from a file, before they become a Codebook: lists, parents, order."""

from __future__ import annotations

import dataclasses
import difflib
import unicodedata
from collections.abc import Mapping
from typing import Any

from qualcode.codebook.rules import (
    _LIST_KEYS,
    _SPLIT,
    _TEXT_KEYS,
    _check,
    _color_problem,
    _hotkey_problem,
    _name_problem,
    normalize_color,
)
from qualcode.errors import CodebookError, quoted
from qualcode.model import Code, Codebook, join_path, split_path

# Reading: both formats turn their rows or nodes into _Items, and _build makes the tree.


@dataclasses.dataclass
class _Item:
    line: int
    name: str
    fields: dict[str, Any]  # Code's other fields
    parent_ref: str | None = None  # flat: a path or name, resolved by _resolve_parents
    parent_index: int | None = None  # nested: the enclosing item


Value = str | list[str] | None


def _split(value: Value) -> tuple[str, ...]:
    """A list, or a ``;``-separated string (with ``\\;`` and ``\\\\`` escapes), as items."""
    if isinstance(value, list):
        parts = value
    else:
        # re.split with one group yields text, group, text, ...: the group is the escaped
        # character, or None where a bare ";" separated two items.
        pieces = _SPLIT.split(value or "")
        parts, current = [], [pieces[0]]
        for escaped, text in zip(pieces[1::2], pieces[2::2], strict=True):
            if escaped is None:
                parts.append("".join(current))
                current = []
            else:
                current.append(escaped)
            current.append(text)
        parts.append("".join(current))
    return tuple(p.strip() for p in parts if p.strip())


def _join(items: tuple[str, ...]) -> str:
    return "; ".join(i.replace("\\", "\\\\").replace(";", "\\;") for i in items)


def _make_item(
    values: Mapping[str, Value], line: int, file: str, key_lines: Mapping[str, int] | None = None
) -> _Item:
    """One code's values as read, checked field by field (the tree is checked later)."""

    def text(key: str) -> str:
        value = values.get(key)
        return value.strip() if isinstance(value, str) else ""

    def fail(problem: str, key: str) -> CodebookError:
        at = (key_lines or {}).get(key, line)
        return CodebookError(problem, file=file, place=f"line {at}")

    name = text("name")
    color = text("color") or None
    hotkey = text("hotkey") or None
    problem = _name_problem(name)
    if problem:
        raise fail(problem, "name")
    if problem := _color_problem(name, color):
        raise fail(problem, "color")
    if problem := _hotkey_problem(name, hotkey):
        raise fail(problem, "hotkey")
    fields: dict[str, Any] = {key: text(key) for key in _TEXT_KEYS}
    fields |= {key: _split(values.get(key)) for key in _LIST_KEYS}
    fields |= {"color": color and normalize_color(color), "hotkey": hotkey}
    fields["guid"] = text("guid") or None
    return _Item(line, name, fields, parent_ref=text("parent") or None)


def _resolve_parents(items: list[_Item], file: str) -> list[int | None]:
    """The index of each item's parent; a flat ``parent`` may name one anywhere in the file."""
    by_name: dict[str, list[int]] = {}
    for index, item in enumerate(items):
        by_name.setdefault(item.name.casefold(), []).append(index)
    resolved: dict[int, int | None] = {}
    busy: set[int] = set()

    def fail(problem: str, item: _Item) -> CodebookError:
        return CodebookError(problem, file=file, place=f"line {item.line}")

    def parent_of(index: int) -> int | None:
        if index not in resolved:
            item = items[index]
            if item.parent_ref is None:
                resolved[index] = item.parent_index
            else:
                if index in busy:
                    raise fail(
                        f"parent {item.parent_ref!r} of {item.name!r} leads back to it", item
                    )
                busy.add(index)
                resolved[index] = resolve(item, item.parent_ref)
        return resolved[index]

    def ends_with(index: int, segments: list[str]) -> int | None:
        """The top ancestor matched if the path of ``index`` ends with ``segments``."""
        node: int | None = index
        for depth, segment in enumerate(reversed(segments)):
            if node is None or items[node].name.casefold() != segment:
                return None
            if depth < len(segments) - 1:
                node = parent_of(node)
        return node

    def resolve(item: _Item, ref: str) -> int:
        names = split_path(ref)
        segments = [s.strip().casefold() for s in names]
        if not all(segments):
            raise fail(f"parent path {ref!r} of {item.name!r} has an empty part", item)
        found = [
            (i, top)
            for i in by_name.get(segments[-1], [])
            if (top := ends_with(i, segments)) is not None
        ]
        if not found:
            # Names as a path writes them: an unescaped "A/B" is close to the name 'A\/B'.
            escaped = [join_path([it.name]) for it in items]
            close = difflib.get_close_matches(ref.strip(), escaped, 1) or difflib.get_close_matches(
                join_path([names[-1].strip()]), escaped, 1
            )
            hint = f"; did you mean {quoted(close[0])}?" if close else ""
            raise fail(f"parent {quoted(ref)} of {item.name!r} does not exist{hint}", item)
        if len(found) > 1:  # a full path from the top wins over a mere suffix
            found = [(i, top) for i, top in found if parent_of(top) is None] or found
        if len(found) > 1:
            lines = ", ".join(str(items[i].line) for i, _ in found)
            raise fail(
                f"parent {ref!r} of {item.name!r} is ambiguous (lines {lines}): "
                "give its path, Group/Sub",
                item,
            )
        return found[0][0]

    return [parent_of(index) for index in range(len(items))]


def _build(items: list[_Item], name: str, file: str) -> Codebook:
    """Check the items as a tree, then number them in tree order."""
    parents = _resolve_parents(items, file)
    codes = [
        Code(id=i + 1, name=item.name, parent_id=None if p is None else p + 1, **item.fields)
        for i, (item, p) in enumerate(zip(items, parents, strict=True))
    ]
    # Checked in file order, so that "first at line N" means the first in the file.
    _check(Codebook(tuple(codes), name), file, {i + 1: item.line for i, item in enumerate(items)})
    children: dict[int | None, list[Code]] = {}
    for code in codes:
        children.setdefault(code.parent_id, []).append(code)
    ordered: list[Code] = []
    stack = list(reversed(children.get(None, [])))
    while stack:  # depth first without recursion: flat files can nest arbitrarily deep
        code = stack.pop()
        ordered.append(code)
        stack.extend(reversed(children.get(code.id, [])))
    new_id = {code.id: i + 1 for i, code in enumerate(ordered)}
    return Codebook(
        tuple(
            dataclasses.replace(
                code,
                id=new_id[code.id],
                parent_id=None if code.parent_id is None else new_id[code.parent_id],
            )
            for code in ordered
        ),
        name,
    )


def _normalise(text: str) -> str:
    text = text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    return unicodedata.normalize("NFC", text)
