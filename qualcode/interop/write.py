"""Writing REFI-QDA XML: ``project.qde`` and codebooks (``.qdc``), strictly per the schemas.

Elements come in the order ``Project.xsd`` requires; every GUID is a plain lower-case GUID;
colours are ``#rrggbb``; a date is written only when it is a valid ``xsd:dateTime``; characters
XML 1.0 cannot carry are replaced by U+FFFD. Source texts go into the ``.qdpx`` as
``sources/<guid>.txt`` (UTF-8, the normalised text), so the offsets written are qualcode's own,
unless the export is for a tool that counts otherwise (:mod:`~qualcode.interop.targets`). Each
selection's ``name`` holds its quote, so a reader can check the offsets against it.

The XML is built as text from small escaped pieces rather than an element tree: a project
with 100,000 codings is written in a few seconds, and the tests validate the result against
``Project.xsd``.
"""

from __future__ import annotations

import re
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterable

from qualcode.interop.qde import KIND_VARIABLE, LANGUAGE_VARIABLE
from qualcode.interop.refi import RefiCoding, RefiProject, code_description
from qualcode.model import Code

PROJECT_NS = "urn:QDA-XML:project:1.0"
CODEBOOK_NS = "urn:QDA-XML:codebook:1.0"
_DATETIME = re.compile(r"^-?\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)?$")
_NAMESPACE = uuid.UUID("6c1f3a52-2f0e-4d0a-9a51-6f7a1d9d2b10")  # qualcode's derived GUIDs
_SELECTION_MASK = _NAMESPACE.int & ~(0xF << 76) & ~(0x3 << 62)  # keeps version and variant
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def derived_guid(*parts: str) -> str:
    """A GUID derived from names (variables), the same on every export."""
    return str(uuid.uuid5(_NAMESPACE, "/".join(parts)))


def selection_guid(coding_guid: str) -> str:
    """The GUID of the selection holding a coding: the coding's, with fixed bits flipped, so
    it is the same on every export and costs no hashing (exports hold 100,000 of them)."""
    return str(uuid.UUID(int=uuid.UUID(coding_guid).int ^ _SELECTION_MASK))


def _t(value: str) -> str:
    # Chained replace, not str.translate: a C loop per character kind is several times
    # faster on the quotes an export writes for every selection.
    value = _NOT_XML.sub("\ufffd", value)
    return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _a(value: str) -> str:
    value = _t(value).replace('"', "&quot;")
    return value.replace("\n", "&#10;").replace("\r", "&#13;").replace("\t", "&#9;")


def _attrs(**attrs: str | None) -> str:
    return "".join(f' {k}="{_a(v)}"' for k, v in attrs.items() if v is not None)


def _date(value: str) -> str | None:
    return value if value and _DATETIME.match(value) else None


def _codes(
    out: list[str], codes: list[Code], notes: dict[str, list[str]], *, with_notes: bool
) -> None:
    kids: dict[int | None, list[Code]] = defaultdict(list)
    for c in codes:
        kids[c.parent_id].append(c)

    def add(code: Code, depth: int) -> None:
        assert code.guid is not None
        pad = "  " * depth
        head = _attrs(guid=code.guid, name=code.name, isCodable="true", color=code.color)
        body: list[str] = []
        description = code_description(code)
        if description:
            body.append(f"{pad}  <Description>{_t(description)}</Description>")
        if with_notes:
            body += [f'{pad}  <NoteRef targetGUID="{n}"/>' for n in notes.get(code.guid, [])]
        if not body and not kids.get(code.id):
            out.append(f"{pad}<Code{head}/>")
            return
        out.append(f"{pad}<Code{head}>")
        out.extend(body)
        for kid in kids.get(code.id, []):
            add(kid, depth + 1)
        out.append(f"{pad}</Code>")

    out.append("  <Codes>" if not with_notes else "    <Codes>")
    for root in kids.get(None, []):
        add(root, 2 if not with_notes else 3)
    out.append("  </Codes>" if not with_notes else "    </Codes>")


def write_qdc(codes: list[Code], origin: str) -> bytes:
    """A REFI-QDA codebook document."""
    out = [f'<CodeBook xmlns="{CODEBOOK_NS}"{_attrs(origin=origin)}>']
    _codes(out, codes, {}, with_notes=False)
    out.append("</CodeBook>")
    return _document(out)


def _document(lines: Iterable[str]) -> bytes:
    return ('<?xml version="1.0" encoding="utf-8"?>\n' + "\n".join(lines) + "\n").encode("utf-8")


QUOTE_IN_NAME = 100  # characters of the quote written as a selection's name


def _selection(
    out: list[str],
    c: RefiCoding,
    notes: dict[str, list[str]],
    text: str,
    place: Callable[[int], int] | None,
) -> None:
    # The hot path of an export: GUIDs (stored in canonical form), numbers and checked dates
    # need no escaping, so only the memo and the quote go through it.
    assert c.guid is not None
    date = _date(c.created_at)
    who = (f' creatingUser="{c.user}"' if c.user else "") + (
        f' creationDateTime="{date}"' if date else ""
    )
    # The quote as the name, as NVivo and QualCoder write it: a reader can check the
    # offsets against it (cut short with an ellipsis, like the standard's examples).
    quote = text[c.start : min(c.end, c.start + QUOTE_IN_NAME + 1)]
    if len(quote) > QUOTE_IN_NAME:
        quote = quote[:QUOTE_IN_NAME] + "…"
    start, end = (place(c.start), place(c.end)) if place else (c.start, c.end)
    out.append(
        f'      <PlainTextSelection guid="{selection_guid(c.guid)}" name="{_a(quote)}"'
        f' startPosition="{start}" endPosition="{end}"{who}>'
    )
    if c.memo:
        out.append(f"        <Description>{_t(c.memo)}</Description>")
    out.append(f'        <Coding guid="{c.guid}"{who}>')
    out.append(f'          <CodeRef targetGUID="{c.code}"/>')
    out.extend(f'          <NoteRef targetGUID="{n}"/>' for n in notes.get(c.guid, []))
    out.append("        </Coding>")
    out.append("      </PlainTextSelection>")


def write_qde(
    project: RefiProject,
    text_paths: dict[str, str],
    place: dict[str, Callable[[int], int]] | None = None,
) -> bytes:
    """The ``project.qde`` of a project.

    Args:
        project: what to write.
        text_paths: a source guid to its ``internal://`` path (the caller writes the texts).
        place: a source guid to the map from qualcode's offsets to those written (an
            export for a tool counting otherwise); by default qualcode's own.
    """
    out = [
        f'<Project xmlns="{PROJECT_NS}"'
        + _attrs(name=project.name or "qualcode project", origin=project.origin or "qualcode")
        + ">"
    ]
    notes_on: dict[str, list[str]] = defaultdict(list)
    for note in project.notes:
        assert note.guid is not None
        notes_on[note.target[1] or ""].append(note.guid)
    if project.users:
        out.append("  <Users>")
        out.extend(f"    <User{_attrs(guid=u.guid, name=u.name)}/>" for u in project.users)
        out.append("  </Users>")
    if project.codes:
        out.append("  <CodeBook>")
        _codes(out, project.codes, notes_on, with_notes=True)
        out.append("  </CodeBook>")
    variables = sorted(
        {k for s in project.sources for k in s.attributes} | {KIND_VARIABLE, LANGUAGE_VARIABLE}
    )
    var_guid = {name: derived_guid("variable", name) for name in variables}
    if project.sources:
        out.append("  <Variables>")
        out.extend(
            f"    <Variable{_attrs(guid=var_guid[n], name=n, typeOfVariable='Text')}/>"
            for n in variables
        )
        out.append("  </Variables>")
    by_source: dict[str, list[RefiCoding]] = defaultdict(list)
    for coding in project.codings:
        by_source[coding.source].append(coding)
    if project.sources:
        out.append("  <Sources>")
        for s in project.sources:
            head = _attrs(guid=s.guid, name=s.name, plainTextPath=text_paths[s.guid])
            out.append(f"    <TextSource{head}>")
            placer = place.get(s.guid) if place else None
            for c in by_source.get(s.guid, []):
                _selection(out, c, notes_on, s.text, placer)
            out.extend(f'      <NoteRef targetGUID="{n}"/>' for n in notes_on.get(s.guid, []))
            values = {**s.attributes, KIND_VARIABLE: s.kind}
            if s.language:
                values[LANGUAGE_VARIABLE] = s.language
            for name in sorted(values):
                out.append(
                    f'      <VariableValue><VariableRef targetGUID="{var_guid[name]}"/>'
                    f"<TextValue>{_t(values[name])}</TextValue></VariableValue>"
                )
            out.append("    </TextSource>")
        out.append("  </Sources>")
    if project.notes:
        out.append("  <Notes>")
        for note in project.notes:
            assert note.guid is not None
            head = _attrs(
                guid=note.guid,
                name=note.name or " ".join(note.text.split())[:60],
                creatingUser=note.user,
                creationDateTime=_date(note.created_at),
            )
            out.append(f"    <Note{head}>")
            out.append(f"      <PlainTextContent>{_t(note.text)}</PlainTextContent>")
            out.append("    </Note>")
        out.append("  </Notes>")
    out.extend(f'  <NoteRef targetGUID="{n}"/>' for n in notes_on.get("", []))
    out.append("</Project>")
    return _document(out)
