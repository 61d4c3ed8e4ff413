"""The REFI-QDA project as plain data, between the XML and the project database.

Readers (``qde``, ``qdc``, ``qdpx``) build a :class:`RefiProject`; the project facade merges
it into a store; the writers turn one built from a store back into XML. Source texts held
here are already normalised (NFC, ``\\n``, no BOM) and every offset points into the
normalised text: :class:`OffsetMap` moves selections from the text as the file had it.
"""

from __future__ import annotations

import bisect
import unicodedata
from dataclasses import dataclass, field
from typing import Any

from qualcode.errors import ExchangeError
from qualcode.model import Code


@dataclass(slots=True)
class RefiUser:
    guid: str
    name: str


@dataclass(slots=True)
class RefiCoding:
    """A code applied to ``[start, end)`` of a source's normalised text by a user."""

    guid: str | None
    source: str  # source guid
    code: str  # code guid (or, from a qualcode project without guids, "path:<path>")
    start: int
    end: int
    user: str | None = None  # user guid
    created_at: str = ""
    memo: str = ""


@dataclass(slots=True)
class RefiSource:
    guid: str
    name: str
    text: str  # normalised
    kind: str = "interview"
    language: str | None = None
    attributes: dict[str, str] = field(default_factory=dict)


@dataclass(slots=True)
class RefiNote:
    """A note (memo); ``target`` is ``("project"|"source"|"code"|"coding", guid)``."""

    guid: str | None
    text: str
    target: tuple[str, str | None] = ("project", None)
    user: str | None = None
    created_at: str = ""
    name: str = ""


@dataclass(slots=True)
class RefiProject:
    name: str = ""
    origin: str = ""
    users: list[RefiUser] = field(default_factory=list)
    # Codes with ids local to the file (parents before children); ``guid`` is what codings
    # refer to them by. qualcode's fields beyond the standard's (inclusion, exclusion,
    # keywords, examples, hotkey) travel in the description.
    codes: list[Code] = field(default_factory=list)
    sources: list[RefiSource] = field(default_factory=list)
    codings: list[RefiCoding] = field(default_factory=list)
    notes: list[RefiNote] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # what qualcode does not model
    offsets: str = ""  # how the selections' offsets were read, with the evidence
    warnings: list[str] = field(default_factory=list)  # what the user must check


# -- offsets ---------------------------------------------------------------------------------


def _clusters(text: str) -> list[tuple[int, int]]:
    """Spans that NFC may merge: a starter with the combining marks (and Hangul vowel and
    trailing jamo) after it."""
    out: list[tuple[int, int]] = []
    start = 0
    for i in range(1, len(text)):
        ch = text[i]
        if unicodedata.combining(ch) or "\u1160" <= ch <= "\u11ff":
            continue
        out.append((start, i))
        start = i
    if text:
        out.append((start, len(text)))
    return out


class OffsetMap:
    """Maps code-point offsets in a text as a file had it to the normalised text.

    Normalisation drops a leading BOM, turns CRLF and CR into ``\\n`` and applies NFC. Each
    changed piece of the original maps to a piece of the normalised text; an offset inside a
    piece (between CR and LF, inside a composed character) rounds outward, so a selection
    never loses a character it touched.
    """

    def __init__(self, original: str):
        self.original = original
        self.identity = False
        text = original
        if (
            not text.startswith("\ufeff")
            and "\r" not in text
            and unicodedata.is_normalized("NFC", text)
        ):
            self.text = text
            self.identity = True
            return
        # Segments of the original, each starting at (_orig[k], _norm[k]); a changed one
        # (BOM, CR or CRLF, a cluster NFC rewrote) maps as a whole, the others one to one.
        self._orig: list[int] = [0]
        self._norm: list[int] = [0]
        self._changed: list[bool] = [False]
        parts: list[str] = []
        n = 0
        i = 0
        if text.startswith("\ufeff"):
            self._mark(0, 0, 1, 0)
            i = 1
        while i < len(text):
            cr = text.find("\r", i)
            run_end = len(text) if cr < 0 else cr
            run = text[i:run_end]
            if unicodedata.is_normalized("NFC", run):
                parts.append(run)
                n += len(run)
            else:
                for a, b in _clusters(run):
                    piece = run[a:b]
                    norm = unicodedata.normalize("NFC", piece)
                    parts.append(norm)
                    if norm != piece:
                        self._mark(i + a, n, i + b, n + len(norm))
                    n += len(norm)
            i = run_end
            if cr >= 0:
                width = 2 if text.startswith("\r\n", cr) else 1
                parts.append("\n")
                self._mark(cr, n, cr + width, n + 1)
                n += 1
                i = cr + width
        self.text = "".join(parts)
        if self.text != unicodedata.normalize("NFC", self.text):
            raise ExchangeError("text cannot be normalised piece by piece")

    def _mark(self, o_start: int, n_start: int, o_end: int, n_end: int) -> None:
        self._orig += [o_start, o_end]
        self._norm += [n_start, n_end]
        self._changed += [True, False]

    def __call__(self, offset: int, *, end: bool = False) -> int:
        """The normalised offset of ``offset``; ``end`` rounds up inside a changed piece."""
        if self.identity:
            return offset
        k = bisect.bisect_right(self._orig, offset) - 1
        if self._changed[k]:
            if offset == self._orig[k]:
                return self._norm[k]
            return self._norm[k + 1] if end else self._norm[k]
        return self._norm[k] + (offset - self._orig[k])


# -- qualcode's code fields in a REFI description ---------------------------------------------

_FIELD_LABELS = {
    "inclusion": "Inclusion",
    "exclusion": "Exclusion",
    "keywords": "Keywords",
    "examples": "Examples",
    "hotkey": "Hotkey",
}
_LABEL_FIELDS = {v.casefold(): k for k, v in _FIELD_LABELS.items()}


def code_description(code: Code) -> str:
    """The definition, then qualcode's other fields as ``Label: value`` lines after a blank
    line: readable in any tool, and read back exactly (lists and multi-line values as JSON)."""
    import json

    lines: list[str] = []
    for key, label in _FIELD_LABELS.items():
        value = getattr(code, key)
        if not value:
            continue
        if isinstance(value, tuple):
            text = json.dumps(list(value), ensure_ascii=False)
        elif "\n" in value or value.startswith(('"', "[")) or value != value.strip():
            text = json.dumps(value, ensure_ascii=False)
        else:
            text = value
        lines.append(f"{label}: {text}")
    if not lines:
        return code.definition
    return (code.definition + "\n\n" if code.definition else "") + "\n".join(lines)


def split_description(text: str) -> dict[str, Any]:
    """The fields :func:`code_description` wrote (as :class:`Code` takes them); any other
    text is the definition."""
    import json

    text = text.replace("\r\n", "\n").replace("\r", "\n")
    head, sep, tail = text.rpartition("\n\n")
    block = tail if sep else text
    fields: dict[str, Any] = {}
    for line in block.split("\n"):
        label, colon, value = line.partition(": ")
        key = _LABEL_FIELDS.get(label.strip().casefold())
        if not colon or key is None or key in fields:
            return {"definition": text.strip()}
        parsed: object = value
        if value.startswith(('"', "[")):
            try:
                parsed = json.loads(value)
            except ValueError:
                parsed = value
        if key in ("keywords", "examples"):
            if isinstance(parsed, str):
                parsed = [p.strip() for p in parsed.split(";") if p.strip()]
            parsed = tuple(str(v) for v in parsed) if isinstance(parsed, list) else ()
        fields[key] = parsed
    fields["definition"] = head.strip() if sep else ""
    return fields
