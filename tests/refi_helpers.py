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
