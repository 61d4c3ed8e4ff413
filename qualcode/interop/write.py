"""Writing REFI-QDA XML: ``project.qde`` and codebooks (``.qdc``), strictly per the schemas.

Elements come in the order ``Project.xsd`` requires; every GUID is a plain lower-case GUID;
colours are ``#rrggbb``; a date is written only when it is a valid ``xsd:dateTime``. Source
texts go into the ``.qdpx`` as ``sources/<guid>.txt`` (UTF-8, the normalised text), so the
offsets written are qualcode's own.
"""

from __future__ import annotations

import re
import uuid
import xml.etree.ElementTree as ET
from collections import defaultdict

from qualcode.interop.qde import KIND_VARIABLE, LANGUAGE_VARIABLE
from qualcode.interop.refi import RefiCode, RefiCoding, RefiProject, code_description

PROJECT_NS = "urn:QDA-XML:project:1.0"
CODEBOOK_NS = "urn:QDA-XML:codebook:1.0"
_DATETIME = re.compile(r"^-?\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)?$")
_NAMESPACE = uuid.UUID("6c1f3a52-2f0e-4d0a-9a51-6f7a1d9d2b10")  # qualcode's derived GUIDs


def derived_guid(*parts: str) -> str:
    """A GUID derived from others, the same on every export (selections, variables)."""
    return str(uuid.uuid5(_NAMESPACE, "/".join(parts)))


def _set_date(el: ET.Element, name: str, value: str) -> None:
    if value and _DATETIME.match(value):
        el.set(name, value)


def _codes(parent: ET.Element, ns: str, codes: list[RefiCode], notes: dict[str, list[str]]) -> None:
    kids: dict[str | None, list[RefiCode]] = defaultdict(list)
    for c in codes:
        kids[c.parent].append(c)

    def add(into: ET.Element, code: RefiCode) -> None:
        assert code.guid is not None
        el = ET.SubElement(into, "Code", guid=code.guid, name=code.name, isCodable="true")
        if code.color:
            el.set("color", code.color)
        description = code_description(code)
        if description:
            ET.SubElement(el, "Description").text = description
        if ns == PROJECT_NS:
            for note in notes.get(code.guid, []):
                ET.SubElement(el, "NoteRef", targetGUID=note)
        for kid in kids.get(code.guid, []):
            add(el, kid)

    codes_el = ET.SubElement(parent, "Codes")
    for root in kids.get(None, []):
        add(codes_el, root)


def write_qdc(codes: list[RefiCode], origin: str) -> bytes:
    """A REFI-QDA codebook document."""
    root = ET.Element("CodeBook", xmlns=CODEBOOK_NS, origin=origin)
    _codes(root, CODEBOOK_NS, codes, {})
    return _serialise(root)


def _serialise(root: ET.Element) -> bytes:
    ET.indent(root, space=" ")
    # Elements are built without a namespace and the root carries xmlns: every element is
    # then in the REFI namespace, with no prefixes (ElementTree's default_namespace option
    # refuses attributes without one).
    body: bytes = ET.tostring(root, encoding="utf-8", xml_declaration=False)
    return b'<?xml version="1.0" encoding="utf-8"?>\n' + body + b"\n"


def write_qde(project: RefiProject, text_paths: dict[str, str]) -> bytes:
    """The ``project.qde`` of a project; ``text_paths`` maps a source guid to its
    ``internal://`` path (the caller writes the texts)."""
    ns = PROJECT_NS

    def sub(parent: ET.Element, tag: str, **attrs: str) -> ET.Element:
        return ET.SubElement(parent, tag, attrs)

    root = ET.Element("Project", xmlns=ns, name=project.name or "qualcode project")
    root.set("origin", project.origin or "qualcode")
    notes_on: dict[str, list[str]] = defaultdict(list)
    for note in project.notes:
        assert note.guid is not None
        notes_on[note.target[1] or ""].append(note.guid)
    if project.users:
        users = sub(root, "Users")
        for u in project.users:
            sub(users, "User", guid=u.guid, name=u.name)
    if project.codes:
        _codes(sub(root, "CodeBook"), ns, project.codes, notes_on)
    variables = (
        sorted(
            {k for s in project.sources for k in s.attributes} | {KIND_VARIABLE, LANGUAGE_VARIABLE}
        )
        if project.sources
        else []
    )
    if variables:
        v_el = sub(root, "Variables")
        for name in variables:
            sub(
                v_el,
                "Variable",
                guid=derived_guid("variable", name),
                name=name,
                typeOfVariable="Text",
            )
    by_source: dict[str, list[RefiCoding]] = defaultdict(list)
    for coding in project.codings:
        by_source[coding.source].append(coding)
    if project.sources:
        sources = sub(root, "Sources")
        for s in project.sources:
            el = sub(
                sources, "TextSource", guid=s.guid, name=s.name, plainTextPath=text_paths[s.guid]
            )
            if s.description:
                sub(el, "Description").text = s.description
            for c in by_source.get(s.guid, []):
                assert c.guid is not None
                sel = sub(
                    el,
                    "PlainTextSelection",
                    guid=derived_guid("selection", c.guid),
                    startPosition=str(c.start),
                    endPosition=str(c.end),
                )
                if c.user:
                    sel.set("creatingUser", c.user)
                _set_date(sel, "creationDateTime", c.created_at)
                if c.memo:
                    sub(sel, "Description").text = c.memo
                coding_el = sub(sel, "Coding", guid=c.guid)
                if c.user:
                    coding_el.set("creatingUser", c.user)
                _set_date(coding_el, "creationDateTime", c.created_at)
                sub(coding_el, "CodeRef", targetGUID=c.code)
                for ref in notes_on.get(c.guid, []):
                    sub(coding_el, "NoteRef", targetGUID=ref)
            for ref in notes_on.get(s.guid, []):
                sub(el, "NoteRef", targetGUID=ref)
            values = {**s.attributes, KIND_VARIABLE: s.kind}
            if s.language:
                values[LANGUAGE_VARIABLE] = s.language
            for name in sorted(values):
                vv = sub(el, "VariableValue")
                sub(vv, "VariableRef", targetGUID=derived_guid("variable", name))
                sub(vv, "TextValue").text = values[name]
    if project.notes:
        notes = sub(root, "Notes")
        for note in project.notes:
            assert note.guid is not None
            n_el = sub(notes, "Note", guid=note.guid, name=note.name or note.text[:60])
            if note.user:
                n_el.set("creatingUser", note.user)
            _set_date(n_el, "creationDateTime", note.created_at)
            sub(n_el, "PlainTextContent").text = note.text
    for ref in notes_on.get("", []):
        sub(root, "NoteRef", targetGUID=ref)
    return _serialise(root)
