"""Codebook files: read, validate and write YAML and CSV codebooks.

A codebook read from a file carries file-local ids ``1..n`` in tree order: each code is
followed by its children (depth first), siblings keep their file order. Saving and loading
again gives an equal ``Codebook`` in every format (CSV cannot hold the codebook's own name:
it is read as the file's stem). Errors are ``CodebookError`` naming the file and the line.

YAML (``codebooks/mentoring.yaml``)::

    name: Mentoring programme needs analysis
    codes:
      - name: Awareness and publicity
        color: "#1f77b4"
        children:
          - name: Awareness
            definition: Whether students know the programme exists.
            inclusion: ...
            exclusion: ...
            keywords: [heard of, never heard]      # or "heard of; never heard"
            examples:
              - "Honestly I had never heard of it before you called."
            color: teal                            # #rgb, #rrggbb or a name; saved as #rrggbb
            hotkey: a                              # one letter or digit, unique
            guid: ...                              # optional, REFI-QDA

A flat list works too: a top-level item may say ``parent: Group/Sub`` (a path, or the
suffix of one, down to a bare name) instead of being nested; a parent may come after its
children. Keys other than those above are errors, since a typo would otherwise vanish.
The file is composed, never constructed, with the safe loader: every scalar is read as the
text written (``hotkey: y`` is ``"y"``, not ``True``) and tags beyond YAML's plain types are
refused.

CSV: a header row with ``name`` and any of ``parent, definition, inclusion, exclusion,
keywords, examples, color, hotkey, guid`` (case-insensitive); one row per code; ``parent``
as in YAML; ``keywords``/``examples`` separated by ``;`` (``\\;`` is a literal ``;`` and
``\\\\`` a literal backslash, so quotes survive a round trip). Commas delimit, unless the
header uses ``;`` or tabs (as European spreadsheets save). Lines count from the header
(line 1) and a row's line is where it starts, quoted multi-line fields included.

Files are UTF-8 with or without a BOM, else Windows-1252; CSV is saved with a BOM so that
spreadsheets detect UTF-8. Names, ids and order follow ``qualcode.model``.
"""

from __future__ import annotations

import codecs
import csv
import dataclasses
import difflib
import io
import itertools
import os
import re
import unicodedata
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, TypeVar

import yaml

from qualcode.errors import CodebookError
from qualcode.model import PATH_SEPARATOR, Code, Codebook

SUPPORTED_SUFFIXES = (".yaml", ".yml", ".csv")
# The header dump_csv writes; only "name" is required when reading.
CSV_COLUMNS: tuple[str, ...] = ("name", "parent", "definition", "inclusion", "exclusion")
CSV_COLUMNS += ("keywords", "examples", "color", "hotkey")
_CSV_OPTIONAL = ("guid",)
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
    if PATH_SEPARATOR in name:
        return (
            f"code name {name!r} contains {PATH_SEPARATOR!r}, the path separator; "
            "nest the code under its parent instead"
        )
    return None


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
            empty name or one containing ``/``, a bad colour or hotkey, two siblings with the
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
        segments = [s.strip().casefold() for s in ref.split(PATH_SEPARATOR)]
        if not all(segments):
            raise fail(f"parent path {ref!r} of {item.name!r} has an empty part", item)
        found = [
            (i, top)
            for i in by_name.get(segments[-1], [])
            if (top := ends_with(i, segments)) is not None
        ]
        if not found:
            names = [it.name for it in items]
            close = difflib.get_close_matches(ref.split(PATH_SEPARATOR)[-1].strip(), names, 1)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            raise fail(f"parent {ref!r} of {item.name!r} does not exist{hint}", item)
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


class _YamlReader:
    """Walks the composed node tree, keeping each node's line for the errors."""

    def __init__(self, file: str) -> None:
        self.file = file
        self.items: list[_Item] = []
        self.seen: set[int] = set()

    def fail(self, problem: str, node: yaml.Node) -> CodebookError:
        return CodebookError(problem, file=self.file, place=f"line {node.start_mark.line + 1}")

    def mapping(self, node: yaml.Node, allowed: tuple[str, ...], what: str) -> dict[str, Any]:
        self.tag(node)
        if not isinstance(node, yaml.MappingNode):
            raise self.fail(f"expected {what} (a mapping with keys such as 'name')", node)
        out: dict[str, yaml.Node] = {}
        for key_node, value_node in node.value:
            key = self.scalar(key_node)
            if key not in allowed:
                close = difflib.get_close_matches(key, allowed, 1)
                hint = f"did you mean {close[0]!r}? " if close else ""
                expected = ", ".join(allowed)
                raise self.fail(
                    f"unknown key {key!r} in {what}; {hint}expected: {expected}", key_node
                )
            if key in out:
                raise self.fail(f"duplicate key {key!r}", key_node)
            out[key] = value_node
        return out

    def tag(self, node: yaml.Node) -> None:
        if node.tag not in _YAML_TAGS:
            raise self.fail(f"unsupported YAML tag {node.tag!r}: a codebook is plain text", node)

    def scalar(self, node: yaml.Node) -> str:
        self.tag(node)
        if not isinstance(node, yaml.ScalarNode):
            raise self.fail("expected text here, not a list or mapping", node)
        return "" if node.tag == _NULL else str(node.value)

    def sequence(self, node: yaml.Node, what: str) -> list[yaml.Node]:
        self.tag(node)
        if isinstance(node, yaml.ScalarNode) and node.tag == _NULL:
            return []
        if not isinstance(node, yaml.SequenceNode):
            raise self.fail(f"expected a list of {what}", node)
        return list(node.value)

    def value(self, key: str, node: yaml.Node) -> Value:
        self.tag(node)
        if key in _LIST_KEYS and isinstance(node, yaml.SequenceNode):
            return [self.scalar(n) for n in node.value]
        return self.scalar(node)

    def item(self, node: yaml.Node, parent_index: int | None) -> None:
        if id(node) in self.seen:
            raise self.fail("this code appears twice (an alias of it is used again)", node)
        self.seen.add(id(node))
        fields = self.mapping(node, _ITEM_KEYS, "a code")
        if "name" not in fields:
            raise self.fail("a code needs a 'name'", node)
        if parent_index is not None and "parent" in fields:
            raise self.fail("a nested code cannot also have a 'parent'", fields["parent"])
        values = {k: self.value(k, v) for k, v in fields.items() if k != "children"}
        key_lines = {k: v.start_mark.line + 1 for k, v in fields.items()}
        item = _make_item(values, node.start_mark.line + 1, self.file, key_lines)
        item.parent_index = parent_index
        self.items.append(item)
        index = len(self.items) - 1
        for child in self.sequence(fields.get("children", yaml.ScalarNode(_NULL, "")), "codes"):
            self.item(child, index)


def parse_yaml(text: str, file: str) -> Codebook:
    """A codebook from YAML text (format in the module docstring).

    Args:
        text: the decoded file.
        file: the file name, for error messages.

    Raises:
        CodebookError: naming the file and the line of the problem.
    """
    text = _normalise(text)
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.reader.ReaderError as exc:  # a control character: no mark, a position
        line = text[: exc.position].count("\n") + 1
        message = f"YAML syntax error: control character U+{exc.character:04X} is not allowed"
        raise CodebookError(message, file=file, place=f"line {line}") from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = exc.problem or exc.context or "unreadable"
        if exc.problem and exc.context and exc.context_mark:  # where the broken part began
            problem += f" ({exc.context} at line {exc.context_mark.line + 1})"
        place = f"line {mark.line + 1}" if mark else None
        raise CodebookError(f"YAML syntax error: {problem}", file=file, place=place) from None
    except yaml.YAMLError as exc:
        raise CodebookError(f"YAML syntax error: {exc}", file=file) from None
    except RecursionError:
        raise CodebookError("the codebook is nested too deeply", file=file) from None
    if root is None:
        raise CodebookError("the file is empty; a codebook needs a 'codes:' list", file=file)
    reader = _YamlReader(file)
    top = reader.mapping(root, _TOP_KEYS, "the codebook")
    if "codes" not in top:
        raise reader.fail("the codebook has no 'codes:' list", root)
    for node in reader.sequence(top["codes"], "codes"):
        reader.item(node, None)
    name = reader.scalar(top["name"]).strip() if "name" in top else ""
    return _build(reader.items, name, file)


def parse_csv(text: str, file: str) -> Codebook:
    """A codebook from CSV text; its name is the file's stem.

    Args:
        text: the decoded file.
        file: the file name, for error messages and the codebook's name.

    Raises:
        CodebookError: naming the file and the line (the header is line 1).
    """
    text = _normalise(text)
    first = next((line for line in text.split("\n") if line.strip()), "")
    delimiter = next((d for d in ",;\t" if d in first), ",")
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    header: list[str] | None = None
    items: list[_Item] = []
    previous = 0
    try:
        for row in reader:
            line, previous = previous + 1, reader.line_num
            if not any(cell.strip() for cell in row):
                continue
            if header is None:
                header = _csv_header(row, file, line)
                continue
            cells = list(itertools.zip_longest(header, row, fillvalue=""))
            if any(cell.strip() for column, cell in cells if not column):
                problem = "a value in a column without a header (or beyond the last column)"
                raise CodebookError(problem, file=file, place=f"line {line}")
            items.append(_make_item(dict(cells), line, file))
    except csv.Error as exc:
        raise CodebookError(
            f"CSV error: {exc}", file=file, place=f"line {reader.line_num}"
        ) from None
    if header is None:
        raise CodebookError("the file is empty; a CSV codebook needs a header row", file=file)
    return _build(items, Path(file).stem, file)


def _csv_header(row: list[str], file: str, line: int) -> list[str]:
    header = [cell.strip().lower() for cell in row]
    known = CSV_COLUMNS + _CSV_OPTIONAL
    for column in filter(None, header):  # spreadsheets add empty columns: ignored
        if column not in known:
            close = difflib.get_close_matches(column, known, 1)
            hint = f"did you mean {close[0]!r}? " if close else ""
            problem = f"unknown column {column!r}; {hint}expected: {', '.join(known)}"
            raise CodebookError(problem, file=file, place=f"line {line}")
        if header.count(column) > 1:
            raise CodebookError(f"column {column!r} twice", file=file, place=f"line {line}")
    if "name" not in header:
        raise CodebookError("the header has no 'name' column", file=file, place=f"line {line}")
    return header


def _decode(data: bytes, file: Path) -> str:
    """UTF-8 (a BOM is dropped), else Windows-1252: what spreadsheets and editors write."""
    try:
        if data.startswith(codecs.BOM_UTF8):
            return data[len(codecs.BOM_UTF8) :].decode("utf-8")
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError:
            return data.decode("cp1252")
    except UnicodeDecodeError as exc:
        problem = "not UTF-8 or Windows-1252 text"
        raise CodebookError(problem, file=file, place=f"byte offset {exc.start}") from None


# Writing.


class _Dumper(yaml.SafeDumper):
    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        super().increase_indent(flow, False)  # lists indented under their key, as people write


class _FlowList(list[str]):
    """Written inline, ``[a, b]``: keywords read best on one line."""


_Dumper.add_representer(
    _FlowList, lambda d, v: d.represent_sequence("tag:yaml.org,2002:seq", v, flow_style=True)
)
_Dumper.add_representer(
    str,
    lambda d, v: d.represent_scalar("tag:yaml.org,2002:str", v, style="|" if "\n" in v else None),
)


def _yaml_code(code: Code, children: Mapping[int | None, list[Code]]) -> dict[str, Any]:
    data: dict[str, Any] = {"name": code.name}
    data |= {key: getattr(code, key) for key in _TEXT_KEYS if getattr(code, key)}
    if code.keywords:
        data["keywords"] = _FlowList(code.keywords)
    if code.examples:
        data["examples"] = list(code.examples)
    if code.color:
        data["color"] = normalize_color(code.color)
    data |= {key: getattr(code, key) for key in ("hotkey", "guid") if getattr(code, key)}
    if code.id in children:
        data["children"] = [_yaml_code(child, children) for child in children[code.id]]
    return data


def dump_yaml(codebook: Codebook) -> str:
    """The codebook as nested YAML (format in the module docstring); raises CodebookError
    if it does not validate."""
    validate(codebook)
    data: dict[str, Any] = {"name": codebook.name} if codebook.name else {}
    children: dict[int | None, list[Code]] = {}
    for code in codebook:
        children.setdefault(code.parent_id, []).append(code)
    try:
        data["codes"] = [_yaml_code(code, children) for code in children.get(None, [])]
        return yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=88)
    except RecursionError:
        raise CodebookError("the codebook is nested too deeply to write as YAML") from None


def _paths(codebook: Codebook) -> dict[int, str]:
    """Every code's path, in linear time (``Codebook.path`` scans for each ancestor)."""
    by_id = {code.id: code for code in codebook}
    paths: dict[int, str] = {}
    for code in codebook:
        chain = [code]
        while chain[-1].parent_id is not None and chain[-1].parent_id not in paths:
            chain.append(by_id[chain[-1].parent_id])
        prefix = "" if chain[-1].parent_id is None else paths[chain[-1].parent_id] + PATH_SEPARATOR
        for node in reversed(chain):
            paths[node.id] = prefix + node.name
            prefix = paths[node.id] + PATH_SEPARATOR
    return paths


def dump_csv(codebook: Codebook) -> str:
    """The codebook as CSV, one row per code in codebook order, ``parent`` as a full path
    (a ``guid`` column only if some code has one); raises CodebookError if it does not
    validate."""
    validate(codebook)
    columns = CSV_COLUMNS + (_CSV_OPTIONAL if any(c.guid for c in codebook) else ())
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(columns)
    paths = _paths(codebook)
    for code in codebook:
        row = {key: getattr(code, key) for key in ("name", *_TEXT_KEYS)} | {
            "parent": "" if code.parent_id is None else paths[code.parent_id],
            "keywords": _join(code.keywords),
            "examples": _join(code.examples),
            "color": normalize_color(code.color) if code.color else "",
            "hotkey": code.hotkey or "",
            "guid": code.guid or "",
        }
        writer.writerow([row[column] for column in columns])
    return out.getvalue()


_READERS: dict[str, Callable[[str, str], Codebook]] = {
    ".yaml": parse_yaml,
    ".yml": parse_yaml,
    ".csv": parse_csv,
}
_WRITERS: dict[str, Callable[[Codebook], str]] = {
    ".yaml": dump_yaml,
    ".yml": dump_yaml,
    ".csv": dump_csv,
}


T = TypeVar("T")


def _format(path: Path, table: Mapping[str, T]) -> T:
    suffix = path.suffix.lower()
    if suffix not in table:
        problem = f"unsupported codebook format {suffix or '(no suffix)'!r}"
        raise CodebookError(f"{problem}; supported: {', '.join(SUPPORTED_SUFFIXES)}", file=path)
    return table[suffix]


def load_codebook(path: Path) -> Codebook:
    """Read a codebook file, by its suffix (``SUPPORTED_SUFFIXES``).

    Raises:
        CodebookError: for an unknown suffix, an unreadable file or a malformed codebook,
            naming the file and the line.
    """
    path = Path(path)
    reader = _format(path, _READERS)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise CodebookError(f"cannot read the file: {exc.strerror or exc}", file=path) from None
    return reader(_decode(data, path), str(path))


def save_codebook(codebook: Codebook, path: Path) -> None:
    """Write a codebook file, by its suffix; the file is replaced whole or not at all.

    Raises:
        CodebookError: for an unknown suffix, a codebook that does not validate, or a
            file that cannot be written.
    """
    path = Path(path)
    writer = _format(path, _WRITERS)
    validate(codebook, file=path)
    text = writer(codebook)
    encoding = "utf-8-sig" if path.suffix.lower() == ".csv" else "utf-8"
    temporary = path.with_name(path.name + ".tmp")
    try:
        temporary.write_text(text, encoding=encoding, newline="")
        os.replace(temporary, path)
    except OSError as exc:
        temporary.unlink(missing_ok=True)
        raise CodebookError(f"cannot write the file: {exc.strerror or exc}", file=path) from None
