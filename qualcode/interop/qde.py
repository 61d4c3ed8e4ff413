"""Reading REFI-QDA project XML (``project.qde``) and codebook XML (``.qdc``).

Liberal in what it reads: namespaces (``urn:QDA-XML:project:1.0`` and older drafts) are
ignored, unknown elements and attributes are skipped, GUIDs are compared without braces or
case, missing optional attributes get defaults, and what qualcode does not model (PDF,
picture, audio and video sources, sets, links, graphs) is listed in ``skipped``. The XML is
parsed by defusedxml: entity declarations and external references are refused, never
expanded. Selection offsets are read in the convention the file's producer counts in, chosen
per file and checked on its own selections (:mod:`~qualcode.interop.offsets`), then mapped
from the text as the file had it to the normalised text
(:class:`~qualcode.interop.refi.OffsetMap`). A source whose text file is missing is skipped
and reported; the rest of the project still reads.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Iterator
from typing import Any

from qualcode.errors import ExchangeError, MissingSourceError
from qualcode.interop.offsets import Selection, UnitMap, choose
from qualcode.interop.refi import (
    OffsetMap,
    RefiCoding,
    RefiNote,
    RefiProject,
    RefiSource,
    RefiUser,
    split_description,
)
from qualcode.model import Code

# The text of a source path (``internal://x.txt``, ``relative://...``) or None if absent.
TextReader = Callable[[str], bytes]

_GUID = re.compile(
    r"^\{?([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})\}?$"
)
_COLOR = re.compile(r"^#?([0-9a-fA-F]{6}|[0-9a-fA-F]{3})$")
_NOT_MODELLED = {
    "PDFSource": "PDF source",
    "PictureSource": "picture source",
    "AudioSource": "audio source",
    "VideoSource": "video source",
}
_TOO_DEEP = "codes nested too deeply to be a code tree (refused)"
KIND_VARIABLE = "qualcode.kind"
LANGUAGE_VARIABLE = "qualcode.language"


def guid(value: str | None) -> str:
    """A GUID in one spelling (lower case, no braces); anything else maps to a stable one."""
    if not value:
        return str(uuid.uuid4())
    found = _GUID.match(value.strip())
    if found:
        return found.group(1).lower()
    return str(uuid.uuid5(uuid.NAMESPACE_URL, value.strip()))


def parse_xml(data: bytes, file: str) -> Any:
    """The root element of untrusted XML; any problem is an ExchangeError with the line."""
    import xml.etree.ElementTree as ET

    import defusedxml.ElementTree as DET  # deferred: only exchange needs it
    from defusedxml import DefusedXmlException

    try:
        return DET.fromstring(data, forbid_dtd=False, forbid_entities=True, forbid_external=True)
    except ET.ParseError as exc:
        line, column = getattr(exc, "position", (0, 0))
        msg = str(exc).split(":")[0]
        raise ExchangeError(
            f"broken XML ({msg})", file=file, place=f"line {line}, column {column}"
        ) from None
    except DefusedXmlException as exc:
        raise ExchangeError(
            "XML entity declarations and external references are not allowed "
            f"({type(exc).__name__})",
            file=file,
            place="document type declaration",
        ) from None


def local(tag: Any) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def children(el: Any, name: str) -> Iterator[Any]:
    for child in el:
        if local(child.tag) == name:
            yield child


def child(el: Any, name: str) -> Any | None:
    return next(children(el, name), None)


def text_of(el: Any, name: str) -> str:
    found = child(el, name)
    return (found.text or "") if found is not None else ""


def color(value: str | None) -> str | None:
    if not value:
        return None
    found = _COLOR.match(value.strip())
    if not found:
        return None
    hexa = found.group(1).lower()
    if len(hexa) == 3:
        hexa = "".join(c * 2 for c in hexa)
    return "#" + hexa


def read_codes(
    codes_el: Any | None,
    out: list[Code],
    parent: int | None = None,
    notes: dict[str, tuple[str, str | None]] | None = None,
) -> None:
    """Codes depth first, parents before children, numbered from 1 in that order;
    ``notes`` collects their NoteRefs."""
    if codes_el is None:
        return
    for el in children(codes_el, "Code"):
        fields = split_description(text_of(el, "Description"))
        code = Code(
            id=len(out) + 1,
            name=(el.get("name") or "").strip() or "unnamed code",
            parent_id=parent,
            color=color(el.get("color")),
            guid=guid(el.get("guid")),
            **fields,
        )
        out.append(code)
        if notes is not None:
            for ref in children(el, "NoteRef"):
                notes.setdefault(guid(ref.get("targetGUID")), ("code", code.guid))
        read_codes(el, out, code.id, notes)


def parse_qdc(data: bytes, file: str) -> list[Code]:
    """The codes of a REFI-QDA codebook (``.qdc``), or of a project's ``CodeBook``."""
    root = parse_xml(data, file)
    book = root if local(root.tag) == "CodeBook" else child(root, "CodeBook")
    if book is None:
        raise ExchangeError("no CodeBook element: not a REFI-QDA codebook", file=file)
    codes: list[Code] = []
    try:
        read_codes(child(book, "Codes"), codes)
    except RecursionError:
        raise ExchangeError(_TOO_DEEP, file=file, place="CodeBook") from None
    return codes


def decode_text(data: bytes, file: str, place: str) -> str:
    """Source text as the file has it: UTF-8 (a BOM stays, as code point 0), else UTF-16."""
    utf16 = data.startswith((b"\xff\xfe", b"\xfe\xff"))
    try:
        return "\ufeff" + data.decode("utf-16") if utf16 else data.decode("utf-8")
    except UnicodeDecodeError as exc:
        encoding = "UTF-16" if utf16 else "UTF-8"
        raise ExchangeError(
            f"source text is not {encoding} (byte {exc.start})", file=file, place=place
        ) from None


class _Reader:
    def __init__(self, file: str, read_text: TextReader | None, unit: str | None):
        self.file = file
        self.read_text = read_text
        self.unit = unit
        self.texts: list[OffsetMap] = []
        self.selections: list[tuple[Selection, Any, RefiSource, str]] = []
        self.project = RefiProject()
        self.variables: dict[str, str] = {}
        self.note_targets: dict[str, tuple[str, str | None]] = {}
        self.code_names: dict[str | None, str] | None = None
        self.coding_guids: set[str] = set()

    def fail(self, message: str, place: str) -> ExchangeError:
        return ExchangeError(message, file=self.file, place=place)

    def run(self, root: Any) -> RefiProject:
        p = self.project
        if local(root.tag) != "Project":
            raise self.fail(f"root element is {local(root.tag)!r}, not Project", "line 1")
        p.name = root.get("name") or ""
        p.origin = root.get("origin") or ""
        users = child(root, "Users")
        for el in children(users, "User") if users is not None else ():
            g = guid(el.get("guid"))
            p.users.append(RefiUser(g, (el.get("name") or el.get("id") or f"user {g[:8]}").strip()))
        book = child(root, "CodeBook")
        if book is not None:
            read_codes(child(book, "Codes"), p.codes, notes=self.note_targets)
        variables = child(root, "Variables")
        for el in children(variables, "Variable") if variables is not None else ():
            self.variables[guid(el.get("guid"))] = el.get("name") or "variable"
        sources = child(root, "Sources")
        for el in sources if sources is not None else ():
            name = local(el.tag)
            if name == "TextSource":
                self.text_source(el)
            elif name in _NOT_MODELLED:
                # Its codings go with it (on the PDF, a picture, or its text representation):
                # counted, so the report says what was lost.
                n = sum(1 for e in el.iter() if local(e.tag) == "Coding")
                lost = f" and its {n} coding(s)" if n else ""
                p.skipped.append(
                    f"{_NOT_MODELLED[name]} {el.get('name') or el.get('guid')!r}{lost}"
                )
            elif name:
                p.skipped.append(f"source element {name} {el.get('name') or ''!r}".rstrip(" '"))
        self.place_selections()
        if self.variables and not p.sources:
            p.skipped.append(
                f"{len(self.variables)} variable(s): qualcode keeps variables as attributes "
                "of sources, and none could be read"
            )
        cases = child(root, "Cases")
        for el in children(cases, "Case") if cases is not None else ():
            self.case(el)
        for ref in children(root, "NoteRef"):
            self.note_targets.setdefault(guid(ref.get("targetGUID")), ("project", None))
        description = text_of(root, "Description").strip()
        if description:
            p.notes.append(RefiNote(None, description, ("project", None), name="Description"))
        notes = child(root, "Notes")
        for el in children(notes, "Note") if notes is not None else ():
            self.note(el)
        sets = child(root, "Sets")
        for el in children(sets, "Set") if sets is not None else ():
            self.set_of_sources(el)
        for name in ("Links", "Graphs"):
            found = child(root, name)
            if found is not None and len(found):
                p.skipped.append(f"{len(found)} {name.lower()[:-1]}(s)")
        return p

    def text(self, el: Any, what: str) -> str:
        content = child(el, "PlainTextContent")
        if content is not None:
            return content.text or ""
        path = el.get("plainTextPath")
        if not path:
            raise self.fail("has neither PlainTextContent nor plainTextPath", what)
        if self.read_text is None:
            raise MissingSourceError(
                "a bare .qde has no sources folder", file=self.file, place=path
            )
        return decode_text(self.read_text(path), self.file, what)

    def text_source(self, el: Any) -> None:
        g = guid(el.get("guid"))
        name = (el.get("name") or "").strip() or f"source {g[:8]}"
        what = f"source {name!r}"
        if child(el, "PlainTextContent") is None and not el.get("plainTextPath"):
            # Only a rich-text file (.docx) and no plain text: selections cannot be placed.
            self.project.skipped.append(f"text source {name!r} without plain text")
            return
        try:
            original = self.text(el, what)
        except MissingSourceError as exc:
            # A partial project (a codebook sent with its structure): the rest still reads.
            n = len(list(children(el, "PlainTextSelection")))
            self.project.skipped.append(
                f"source {name!r} and its {n} coding(s): {exc.message} ({exc.place})"
            )
            return
        try:
            offsets = OffsetMap(original)
        except ExchangeError as exc:
            raise self.fail(exc.message, what) from None
        source = RefiSource(g, name, offsets.text)
        description = text_of(el, "Description").strip()
        if description:  # qualcode has no source description: kept as a memo on it
            self.project.notes.append(RefiNote(None, description, ("source", g)))
        for value in children(el, "VariableValue"):
            self.variable_value(value, source.attributes)
        source.kind = source.attributes.pop(KIND_VARIABLE, "interview")
        source.language = source.attributes.pop(LANGUAGE_VARIABLE, None)
        self.project.sources.append(source)
        index = len(self.texts)
        self.texts.append(offsets)
        for sel in children(el, "PlainTextSelection"):
            sg = guid(sel.get("guid"))
            try:
                start, end = int(sel.get("startPosition", "")), int(sel.get("endPosition", ""))
            except ValueError:
                raise self.fail(
                    "a selection without whole-number startPosition/endPosition",
                    f"{what}, selection {sg}",
                ) from None
            raw = Selection(index, start, end, self.quote_in_name(sel))
            self.selections.append((raw, sel, source, what))
        for coding in children(el, "Coding") if source.text else ():  # the whole source
            self.coding(coding, source, 0, len(source.text), el, "")
        for ref in children(el, "NoteRef"):
            self.note_targets.setdefault(guid(ref.get("targetGUID")), ("source", g))

    def quote_in_name(self, sel: Any) -> str:
        """The selection's ``name``, unless it is the name of a code applied to it (some
        tools label a selection with its code): that is no quote to check offsets by."""
        name = (sel.get("name") or "").strip()
        if not name:
            return ""
        if self.code_names is None:
            self.code_names = {c.guid: c.name.casefold() for c in self.project.codes}
        for coding in children(sel, "Coding"):
            ref = child(coding, "CodeRef")
            target = guid(ref.get("targetGUID")) if ref is not None else ""
            if self.code_names.get(target) == name.casefold():
                return ""
        return sel.get("name") or ""

    def place_selections(self) -> None:
        """Choose how this file counts offsets (see :mod:`~qualcode.interop.offsets`), then
        turn every selection into codings on the normalised texts."""
        if not self.selections:
            return
        raw = [s[0] for s in self.selections]
        choice = choose(self.texts, raw, origin=self.project.origin, unit=self.unit)
        self.project.offsets = choice.describe()
        warning = choice.warning()
        if warning:
            self.project.warnings.append(warning)
        conv = choice.convention
        maps = [UnitMap(t.original, conv) for t in self.texts]
        for sel, el, source, what in self.selections:
            umap, norm = maps[sel.source], self.texts[sel.source]
            if not 0 <= sel.start <= sel.end <= umap.size:
                raise self.fail(
                    f"selection {sel.start}..{sel.end} is outside the text (0..{umap.size} "
                    f"{conv})" + ("; try another --offsets" if self.unit else ""),
                    f"{what}, selection {guid(el.get('guid'))}",
                )
            a, b = norm(umap(sel.start)), norm(umap(sel.end, end=True), end=True)
            self.selection(el, source, a, b, what)

    def selection(self, sel: Any, source: RefiSource, a: int, b: int, what: str) -> None:
        sg = guid(sel.get("guid"))
        if a == b:
            self.project.skipped.append(f"empty selection {sg} in {what}")
            return
        memo = text_of(sel, "Description")
        first: str | None = None
        for coding in children(sel, "Coding"):
            made = self.coding(coding, source, a, b, sel, memo)
            first = first or made
        for ref in children(sel, "NoteRef"):
            target = ("coding", first) if first else ("source", source.guid)
            self.note_targets.setdefault(guid(ref.get("targetGUID")), target)
        if first is None and memo.strip():
            # A commented selection without a code: kept as a memo on the source.
            self.project.notes.append(
                RefiNote(
                    guid=None,
                    text=f"[{a}-{b}] {memo.strip()}",
                    target=("source", source.guid),
                    user=guid(sel.get("creatingUser")) if sel.get("creatingUser") else None,
                    created_at=sel.get("creationDateTime") or "",
                )
            )

    def coding(
        self,
        el: Any,
        source: RefiSource,
        start: int,
        end: int,
        holder: Any,
        memo: str,
    ) -> str | None:
        """One Coding of a selection (``holder``) or of a whole source; returns its GUID."""
        ref = child(el, "CodeRef")
        if ref is None or not ref.get("targetGUID"):
            self.project.skipped.append(f"coding {el.get('guid')} without a CodeRef")
            return None
        user = el.get("creatingUser") or holder.get("creatingUser")
        g = guid(el.get("guid"))
        if g in self.coding_guids:
            # A GUID used twice in one file (copied selections): the second is another
            # coding, not the same one again, so it gets a stable GUID of its own.
            g = str(uuid.uuid5(uuid.NAMESPACE_OID, f"{g}:{start}:{end}:{len(self.coding_guids)}"))
        self.coding_guids.add(g)
        self.project.codings.append(
            RefiCoding(
                guid=g,
                source=source.guid,
                code=guid(ref.get("targetGUID")),
                start=start,
                end=end,
                user=guid(user) if user else None,
                created_at=el.get("creationDateTime") or holder.get("creationDateTime") or "",
                memo=memo,
            )
        )
        for note in children(el, "NoteRef"):
            self.note_targets.setdefault(guid(note.get("targetGUID")), ("coding", g))
        return g

    def variable_value(self, el: Any, into: dict[str, str]) -> None:
        ref = child(el, "VariableRef")
        name = self.variables.get(guid(ref.get("targetGUID")) if ref is not None else "", None)
        for value in el:
            tag = local(value.tag)
            if tag.endswith("Value") and tag != "VariableRef":
                into[name or "variable"] = (value.text or "").strip()

    def case(self, el: Any) -> None:
        attrs: dict[str, str] = {"case": el.get("name") or guid(el.get("guid"))}
        for value in children(el, "VariableValue"):
            self.variable_value(value, attrs)
        wanted = {guid(r.get("targetGUID")) for r in children(el, "SourceRef")}
        for source in self.project.sources:
            if source.guid in wanted:
                for k, v in attrs.items():
                    source.attributes.setdefault(k, v)

    def set_of_sources(self, el: Any) -> None:
        """A set becomes the attribute ``set: NAME`` = ``yes`` of its member sources, so
        reports can count by it; its member codes are listed as skipped (qualcode has no
        code groups), as are members that were not read."""
        name = (el.get("name") or "").strip() or guid(el.get("guid"))
        # ATLAS.ti is reported to write the member's GUID as ``guid``, not ``targetGUID``.
        wanted = {guid(m.get("targetGUID") or m.get("guid")) for m in children(el, "MemberSource")}
        found = 0
        for source in self.project.sources:
            if source.guid in wanted:
                source.attributes.setdefault(f"set: {name}", "yes")
                found += 1
        lost = [f"{len(wanted) - found} source(s) not read"] if found < len(wanted) else []
        codes = len(list(children(el, "MemberCode")))
        if codes:
            lost.append(f"{codes} code(s): qualcode has no code groups")
        if lost:
            self.project.skipped.append(f"set {name!r}: {', '.join(lost)}")

    def note(self, el: Any) -> None:
        g = guid(el.get("guid"))
        name = el.get("name") or ""
        try:
            body = self.text(el, f"note {name or g!r}")
        except ExchangeError as exc:
            body = ""
            self.project.skipped.append(f"text of note {name or g!r} ({exc.message})")
        text = OffsetMap(body).text.strip() or text_of(el, "Description").strip() or name
        if not text:
            return
        user = el.get("creatingUser")
        self.project.notes.append(
            RefiNote(
                guid=g,
                text=text,
                target=self.note_targets.get(g, ("project", None)),
                user=guid(user) if user else None,
                created_at=el.get("creationDateTime") or "",
                name=name,
            )
        )


def parse_qde(
    data: bytes, file: str, read_text: TextReader | None = None, *, offsets: str | None = None
) -> RefiProject:
    """A REFI-QDA project from its XML.

    Args:
        data: the ``project.qde``.
        file: its name, for errors.
        read_text: fetches a ``plainTextPath``; raises MissingSourceError for a missing file.
        offsets: how the file counts selection offsets (``codepoints``, ``utf16``,
            ``utf8``); by default chosen from the producer and verified on the file.
    """
    root = parse_xml(data, file)
    try:
        return _Reader(file, read_text, offsets).run(root)
    except RecursionError:
        raise ExchangeError(_TOO_DEEP, file=file, place="CodeBook") from None
