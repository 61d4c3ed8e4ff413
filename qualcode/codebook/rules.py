"""What makes a codebook valid: names, hotkeys, colours, a tree without cycles."""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path

from qualcode.errors import CodebookError
from qualcode.model import Code, Codebook

SUPPORTED_SUFFIXES = (".yaml", ".yml", ".csv")
# The header dump_csv writes; only "name" is required when reading.
CSV_COLUMNS: tuple[str, ...] = ("name", "parent", "definition", "inclusion", "exclusion")
CSV_COLUMNS += ("keywords", "examples", "color", "hotkey")
CSV_OPTIONAL: tuple[str, ...] = ("guid",)  # written only when a code has one
_TEXT_KEYS = ("definition", "inclusion", "exclusion")
_LIST_KEYS = ("keywords", "examples")
_ITEM_KEYS = ("name", "parent", *_TEXT_KEYS, *_LIST_KEYS, "color", "hotkey", "guid", "children")
_TOP_KEYS = ("name", "codes")
# YAML's plain types; anything else (!!python/..., !!binary, !custom) is refused.
_YAML_TAGS = {
    f"tag:yaml.org,2002:{tag}"
    for tag in ("str", "int", "float", "bool", "null", "timestamp", "seq", "map")
}
_NULL = "tag:yaml.org,2002:null"

# CSS colour names, the basic sixteen and a few common extras.
COLOR_NAMES: dict[str, str] = {
    "black": "#000000", "white": "#ffffff", "gray": "#808080", "grey": "#808080",
    "silver": "#c0c0c0", "red": "#ff0000", "maroon": "#800000", "crimson": "#dc143c",
    "orange": "#ffa500", "gold": "#ffd700", "yellow": "#ffff00", "olive": "#808000",
    "lime": "#00ff00", "green": "#008000", "teal": "#008080", "cyan": "#00ffff",
    "aqua": "#00ffff", "turquoise": "#40e0d0", "blue": "#0000ff", "navy": "#000080",
    "purple": "#800080", "indigo": "#4b0082", "violet": "#ee82ee", "magenta": "#ff00ff",
    "fuchsia": "#ff00ff", "pink": "#ffc0cb", "brown": "#a52a2a", "coral": "#ff7f50",
    "salmon": "#fa8072", "khaki": "#f0e68c",
}  # fmt: skip
_HEX = re.compile(r"#([0-9a-fA-F]{3}|[0-9a-fA-F]{6})")
_SPLIT = re.compile(r"\\([\\;])|;")


def normalize_color(value: str) -> str:
    """Lower-case ``#rrggbb`` for ``#rgb``, ``#rrggbb`` or a name in ``COLOR_NAMES``.

    Raises:
        ValueError: for anything else, with a message saying what is accepted.
    """
    text = value.strip()
    if _HEX.fullmatch(text):
        digits = text[1:].lower()
        return "#" + (digits if len(digits) == 6 else "".join(d * 2 for d in digits))
    if text.lower() in COLOR_NAMES:
        return COLOR_NAMES[text.lower()]
    raise ValueError(f"bad color {value!r}: use #rgb, #rrggbb or a name such as red or teal")


def _name_problem(name: str) -> str | None:
    if not name.strip():
        return "a code has no name"
    return None  # a name with '/' is kept as written; a path escapes it


def _hotkey_problem(name: str, hotkey: str | None) -> str | None:
    if hotkey is None or (len(hotkey) == 1 and hotkey.isalnum()):
        return None
    return f"hotkey {hotkey!r} of {name!r} is not a single letter or digit"


def _color_problem(name: str, color: str | None) -> str | None:
    try:
        if color is not None:
            normalize_color(color)
    except ValueError as exc:
        return f"{name!r}: {exc}"
    return None


def validate(codebook: Codebook, file: str | Path | None = None) -> None:
    """Check that a codebook can be stored and saved.

    Args:
        codebook: the codes to check.
        file: the file the codebook came from or goes to, for the error message.

    Raises:
        CodebookError: for a duplicate id, a parent that does not exist, a parent cycle, an
            empty name, a bad colour or hotkey, two siblings with the
            same name (case-insensitively: paths are matched so) or a hotkey used twice
            (case-sensitively: ``a`` and ``A`` are different keys).
    """
    _check(codebook, file, {})


def _check(codebook: Codebook, file: str | Path | None, lines: Mapping[int, int]) -> None:
    """``validate``, naming each code by its line in ``file`` when ``lines`` knows it."""

    def fail(message: str, code: Code) -> CodebookError:
        place = f"line {lines[code.id]}" if code.id in lines else f"code {code.name!r}"
        return CodebookError(message, file=file, place=place)

    def first_at(code: Code) -> str:
        return f"first at line {lines[code.id]}" if code.id in lines else f"first is id {code.id}"

    by_id: dict[int, Code] = {}
    for code in codebook:
        if code.id in by_id:
            raise fail(f"duplicate code id {code.id}", code)
        by_id[code.id] = code
    for code in codebook:
        if code.parent_id is not None and code.parent_id not in by_id:
            raise fail(f"parent id {code.parent_id} of {code.name!r} does not exist", code)
    position = {code.id: index for index, code in enumerate(codebook)}
    done: set[int] = set()  # codes whose ancestry is known to end at the top
    for code in codebook:
        chain: dict[int, Code] = {}  # insertion-ordered: the code, its parent, ...
        node: Code | None = code
        while node is not None and node.id not in done:
            if node.id in chain:  # rotate the cycle to start at its first code, report there
                ids = list(chain)
                cycle = ids[ids.index(node.id) :]
                start = min(range(len(cycle)), key=lambda i: position[cycle[i]])
                cycle = [*cycle[start:], *cycle[:start], cycle[start]]
                names = " -> ".join(repr(by_id[i].name) for i in cycle)
                cyclic = f"parent cycle: {names} (each code is followed by its parent)"
                raise fail(cyclic, by_id[cycle[0]])
            chain[node.id] = node
            node = None if node.parent_id is None else by_id[node.parent_id]
        done.update(chain)
    siblings: dict[tuple[int | None, str], Code] = {}
    hotkeys: dict[str, Code] = {}
    for code in codebook:
        problem = (
            _name_problem(code.name)
            or _color_problem(code.name, code.color)
            or _hotkey_problem(code.name, code.hotkey)
        )
        if problem:
            raise fail(problem, code)
        first = siblings.setdefault((code.parent_id, code.name.casefold()), code)
        if first is not code:
            under = "at the top level"
            if code.parent_id is not None:
                under = f"under {codebook.path(code.parent_id)!r}"
            raise fail(f"duplicate code {code.name!r} {under} ({first_at(first)})", code)
        if code.hotkey is not None:
            first = hotkeys.setdefault(code.hotkey, code)
            if first is not code:
                raise fail(
                    f"hotkey {code.hotkey!r} of {codebook.path(code)!r} is already used by "
                    f"{codebook.path(first)!r} ({first_at(first)})",
                    code,
                )
