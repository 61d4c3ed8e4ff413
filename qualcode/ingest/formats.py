"""Which file is what, by its suffix: the one registry of the formats qualcode reads.

The import routing, the command line and the workbench ask this module, so a format added
here (a reader in :data:`~qualcode.ingest.readers.READERS`, a codebook format in
:mod:`qualcode.codebook`) is known to all of them at once, and a prompt or an error lists
the same suffixes the routing takes. Suffixes are lower case with their dot; a path's is
compared folded (``INTERVIEW.TXT`` is a transcript).

A suffix alone does not always decide: ``.csv`` is a sheet whose columns say whether it is
a codebook, case attributes or survey answers (:func:`qualcode.ingest.routing.sheet_role`),
and a ``.yaml`` may be a study manifest (:func:`qualcode.ingest.routing.is_study_manifest`).
:func:`file_kind` gives what the suffix says, in the order the routing asks.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Literal

from qualcode.codebook.rules import SUPPORTED_SUFFIXES as _CODEBOOK_SUFFIXES
from qualcode.ingest.readers import READERS, Reader

FileKind = Literal["refi", "sheet", "codebook", "transcript"]

TRANSCRIPT_READERS: Mapping[str, Reader] = READERS
"""A transcript's suffix -> its reader (``.txt .md .docx .odt .rtf .pdf .vtt .srt``)."""
TRANSCRIPT_SUFFIXES: tuple[str, ...] = tuple(READERS)
SHEET_SUFFIXES: tuple[str, ...] = (".csv", ".tsv", ".xlsx", ".xlsm", ".xls")
"""Sheets: case attributes, survey answers, or (by their columns) a codebook."""
CODEBOOK_SUFFIXES: tuple[str, ...] = _CODEBOOK_SUFFIXES
"""qualcode's own codebook files (YAML, CSV), read and written by :mod:`qualcode.codebook`."""
REFI_PROJECT_SUFFIXES: tuple[str, ...] = (".qdpx", ".qde")
"""A REFI-QDA project: the zip of ``project.qde`` and its sources, or the bare XML."""
REFI_CODEBOOK_SUFFIXES: tuple[str, ...] = (".qdc",)
REFI_SUFFIXES: tuple[str, ...] = REFI_PROJECT_SUFFIXES + REFI_CODEBOOK_SUFFIXES
FILE_KIND_WORDS: Mapping[FileKind, str] = {
    "refi": "a REFI-QDA file",
    "sheet": "a sheet",
    "codebook": "a codebook",
    "transcript": "a transcript",
}
"""What each kind of file is called in a message ("pilot.qdpx: is a REFI-QDA file ...")."""


def suffix_of(path: str | Path) -> str:
    """A path's suffix as the registry spells it (lower case, with its dot; ``""`` for none)."""
    return Path(path).suffix.lower()


def file_kind(path: str | Path) -> FileKind:
    """What a file is by its suffix alone: a REFI-QDA file, a sheet (its columns decide
    what it holds), a codebook, or else a transcript (whose reader names a suffix it cannot
    read)."""
    suffix = suffix_of(path)
    if suffix in REFI_SUFFIXES:
        return "refi"
    if suffix in SHEET_SUFFIXES:
        return "sheet"
    if suffix in CODEBOOK_SUFFIXES:
        return "codebook"
    return "transcript"


def listed(suffixes: Iterable[str]) -> str:
    """Suffixes as a prompt or an error lists them: ``.qdpx .qde``."""
    return " ".join(suffixes)


def importable() -> str:
    """What an import takes, by suffix, as the command line's help and the workbench's
    import prompt say it."""
    codebooks = (*CODEBOOK_SUFFIXES, *REFI_CODEBOOK_SUFFIXES)
    return (
        f"transcripts ({listed(TRANSCRIPT_SUFFIXES)}), a folder or study, a codebook "
        f"({listed(codebooks)}), a REFI-QDA project ({listed(REFI_PROJECT_SUFFIXES)}) "
        f"or survey answers ({listed(SHEET_SUFFIXES)})"
    )
