"""Building small REFI-QDA files for the interop tests."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "refi"
ROOT = Path(__file__).resolve().parent.parent
# The standard's schema sits in ../shared beside a team checkout (a worktree is one level
# deeper); a user's clone has none, and the schema tests skip.
XSD = next(
    (
        d / "shared" / "refi-qda" / "Project.xsd"
        for d in (ROOT.parent, ROOT.parent.parent)
        if (d / "shared" / "refi-qda" / "Project.xsd").is_file()
    ),
    ROOT.parent / "shared" / "refi-qda" / "Project.xsd",
)

USER = "aaaaaaaa-0000-4000-8000-000000000001"
CODE = "cccccccc-0000-4000-8000-000000000001"
SOURCE = "5555aaaa-0000-4000-8000-000000000001"


def make_qdpx(path: Path, qde: str | bytes, files: dict[str, bytes] | None = None) -> Path:
    """A .qdpx with ``project.qde`` and the given members (names used as given)."""
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("project.qde", qde if isinstance(qde, bytes) else qde.encode("utf-8"))
        for name, data in (files or {}).items():
            zf.writestr(name, data)
    return path


def simple_qde(selection: str = "", *, path: str = f"internal://{SOURCE}.txt") -> str:
    """A project with one user, one code and one text source (text in a file)."""
    return f"""<?xml version="1.0" encoding="utf-8"?>
<Project xmlns="urn:QDA-XML:project:1.0" name="t">
  <Users><User guid="{USER}" name="anna"/></Users>
  <CodeBook><Codes><Code guid="{CODE}" name="Time" isCodable="true"/></Codes></CodeBook>
  <Sources>
    <TextSource guid="{SOURCE}" name="int1" plainTextPath="{path}">
      {selection}
    </TextSource>
  </Sources>
</Project>"""


def selection(start: int, end: int, guid: str = "eeeeeeee-0000-4000-8000-000000000001") -> str:
    return f"""<PlainTextSelection guid="{guid}" startPosition="{start}" endPosition="{end}"
        creatingUser="{USER}"><Coding guid="{guid[:-1]}2" creatingUser="{USER}">
        <CodeRef targetGUID="{CODE}"/></Coding></PlainTextSelection>"""


def annex_qdpx(tmp: Path, fixture: str, *, upper: bool = False) -> Path:
    """An Annex A example as a .qdpx, with a distinct made-up text for each internal file.

    ``upper`` stores the files as ``Sources/<GUID>.TXT``, the way the standard lists them."""
    qde = (FIXTURES / fixture).read_text(encoding="utf-8")
    files: dict[str, bytes] = {}
    for ref in sorted(set(re.findall(r'plainTextPath="internal://([^"]+)"', qde))):
        text = f"Text of {ref}. " + "Breakfast was rushed, coffee and cornflakes. " * 30
        name = f"Sources/{ref.upper()}" if upper else f"sources/{ref}"
        files[name] = text.encode("utf-8")
    return make_qdpx(tmp / fixture.replace(".qde", ".qdpx"), qde, files)


# -- a text coded at many places, written the way each tool counts ------------------------

_EMOJI = "😀🎉👍🙏🔥💬🤔😢🥳🚀𠀋𡈽"


def emoji_comments(lines: int = 60) -> tuple[str, list[str]]:
    """Social-media comments with emoji (two outside the BMP per line or more) and the
    quotes coded in them: ``(text with \\n line ends, quotes in order of appearance)``.

    Every line gets one or two codings; every fifth coding runs over a line end."""
    out: list[str] = []
    for i in range(lines):
        e = _EMOJI[i % len(_EMOJI)] * (1 + i % 3) + _EMOJI[(i * 5 + 1) % len(_EMOJI)]
        out.append(f"Komment {i}: {e} Senkit nem lehet kényszeríteni {e} erre, mondta Anna.")
    text = "\n".join(out) + "\n"
    quotes = []
    for i in range(lines):
        quotes.append("Senkit nem lehet kényszeríteni")
        if i % 2 == 0:
            quotes.append("erre, mondta Anna.")
        if i % 5 == 4 and i + 1 < lines:
            quotes.append(f"mondta Anna.\nKomment {i + 1}")
    return text, quotes


def spans(text: str, quotes: list[str]) -> list[tuple[int, int]]:
    """Each quote's ``[start, end)`` in ``text``, searching on from the previous one."""
    out, at = [], 0
    for q in quotes:
        start = text.index(q, at)
        out.append((start, start + len(q)))
        at = start + 1
    return out


def convention_qdpx(
    path: Path,
    text: str,
    quotes: list[str],
    *,
    unit: str,
    bom_counted: bool,
    crlf: int,
    origin: str = "",
    names: bool = False,
) -> Path:
    """``text`` as a tool with this convention writes it (a BOM, CRLF line ends) with a
    selection coded ``Time`` for each quote, offsets counted that way."""
    written = "\ufeff" + text.replace("\n", "\r\n")
    widths = []
    for i, ch in enumerate(written):
        if unit == "utf16":
            w = 2 if ord(ch) > 0xFFFF else 1
        elif unit == "utf8":
            w = len(ch.encode("utf-8"))
        else:
            w = 1
        if i == 0 and not bom_counted:
            w = 0
        if ch == "\r" and crlf == 1:
            w = 0
        widths.append(w)
    pos = [0]
    for w in widths:
        pos.append(pos[-1] + w)
    selections = []
    at = 0
    for n, quote in enumerate(quotes):
        q = quote.replace("\n", "\r\n")
        start = written.index(q, at)
        at = start + 1
        name = ""
        if names:  # the quote, cut short like NVivo's, line ends as character references
            shown = q if len(q) <= 20 else q[:20] + "..."
            name = ' name="' + shown.replace("\r\n", "&#13;&#10;") + '"'
        selections.append(
            f'<PlainTextSelection guid="eeeeeeee-0000-4000-8000-{n:012d}"{name} '
            f'startPosition="{pos[start]}" endPosition="{pos[start + len(q)]}" '
            f'creatingUser="{USER}"><Coding guid="dddddddd-0000-4000-8000-{n:012d}">'
            f'<CodeRef targetGUID="{CODE}"/></Coding></PlainTextSelection>'
        )
    qde = simple_qde("\n".join(selections))
    if origin:
        qde = qde.replace('name="t">', f'name="t" origin="{origin}">', 1)
    return make_qdpx(path, qde, {f"Sources/{SOURCE}.txt": written.encode("utf-8")})
