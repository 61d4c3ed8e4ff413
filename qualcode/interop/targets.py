"""Exports for a particular tool: the offsets, line ends and BOM that tool reads.

qualcode's own text is normalised (NFC, ``\\n``, no BOM) and its offsets are code points, the
standard's convention. A tool that counts otherwise (NVivo: UTF-16 code units of a text with
CRLF line ends) would shift every quote after the first emoji or line end, so an export
``for`` it writes each source's text as that tool keeps it and each offset as it counts.
The ``origin`` names the target, so qualcode reading such an export back starts from the
right convention (and the quote written in each selection's ``name`` confirms it).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from qualcode.interop.offsets import Convention, UnitMap


@dataclass(frozen=True, slots=True)
class Target:
    """How one tool keeps a source's text and counts offsets into it."""

    name: str
    label: str
    convention: Convention
    newline: str = "\n"
    bom: bool = False  # the text file starts with a UTF-8 BOM

    @property
    def origin(self) -> str:
        return "qualcode" if self.name == "standard" else f"qualcode (for {self.label})"

    def text(self, normalised: str) -> str:
        """The source's text as this tool keeps it (BOM and line ends)."""
        body = normalised.replace("\n", self.newline) if self.newline != "\n" else normalised
        return ("\ufeff" if self.bom else "") + body

    def placer(self, normalised: str) -> Callable[[int], int]:
        """Maps an offset of the normalised text to this tool's offset into :meth:`text`."""
        if self == TARGETS["standard"]:
            return lambda offset: offset
        written = self.text(normalised)
        units = UnitMap(written, self.convention)
        lead = 1 if self.bom else 0
        extra = len(self.newline) - 1
        # Code point index in the written text: the offset, plus the BOM, plus one more for
        # every line end before it that became two characters.
        before = [0] * (len(normalised) + 1)
        count = 0
        for i, ch in enumerate(normalised):
            before[i] = count
            if ch == "\n":
                count += extra
        before[len(normalised)] = count
        pos = units.positions()
        return lambda offset: pos[offset + lead + before[offset]]


TARGETS = {
    t.name: t
    for t in (
        Target("standard", "the REFI-QDA standard", Convention()),
        # NVivo for Windows: UTF-16 code units, CRLF counts two, a BOM it does not count.
        Target("nvivo", "NVivo", Convention("utf16"), newline="\r\n", bom=True),
        # ATLAS.ti keeps CRLF in the file but counts it as one character (reported).
        Target("atlas", "ATLAS.ti", Convention("codepoints", crlf=1), newline="\r\n"),
        # What QualCoder's export for MAXQDA writes: CRLF, one per line end, a BOM.
        Target("maxqda", "MAXQDA", Convention("codepoints", crlf=1), newline="\r\n", bom=True),
        # QualCoder writes its text files with a BOM and counts Python code points.
        Target("qualcoder", "QualCoder", Convention(), bom=True),
    )
}
