"""The YAML codebook format: composed (never constructed) with the safe loader, line by line."""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from typing import Any

import yaml

from qualcode.codebook.items import *  # noqa: F403
from qualcode.codebook.items import Value, _build, _Item, _make_item, _normalise
from qualcode.codebook.rules import (
    _ITEM_KEYS,
    _LIST_KEYS,
    _NULL,
    _TEXT_KEYS,
    _TOP_KEYS,
    _YAML_TAGS,
    normalize_color,
    validate,
)
from qualcode.errors import CodebookError
from qualcode.model import Code, Codebook


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
