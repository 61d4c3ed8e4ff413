"""What a file handed to ``import`` is: a study manifest, or which kind of sheet.

People hold a study as a folder (transcripts, a codebook, a sheet of case attributes, and
perhaps a ``study.yaml`` saying which is which), and they hand ``import`` whatever they
have. :func:`route_paths` files each path under what it is, by its suffix (the registry in
:mod:`qualcode.ingest.formats`) and by the two questions that need a look inside a file:
what a study manifest says, and whether a sheet is a codebook, case attributes or survey
answers. Each answer names the file, so a wrong
guess by the user becomes a message saying what to do instead.

A study manifest (``study.yaml``, as ``transcripts_example/`` has)::

    name: Mentoring programme needs analysis
    language: en                      # the sources' language unless an entry says otherwise
    codebook: ../codebooks/mentoring.yaml
    attributes: attributes.csv
    sources:
      - {file: interview_01.txt, kind: interview}
      - {file: interview_09_de.txt, kind: interview, language: de}

Paths are relative to the manifest's folder.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, get_args

from qualcode.codebook.rules import CSV_COLUMNS, CSV_OPTIONAL
from qualcode.decoding import decode
from qualcode.errors import ImportFormatError
from qualcode.ingest.common import read_bytes
from qualcode.ingest.formats import TRANSCRIPT_SUFFIXES, file_kind, suffix_of

STUDY_FILES = ("study.yaml", "study.yml")
_STUDY_KEYS = frozenset({"name", "language", "codebook", "attributes", "sources"})
_ENTRY_KEYS = frozenset({"file", "kind", "language"})
_KEY_COLUMNS = ("source", "file", "document", "name")

SheetKind = Literal["codebook", "attributes", "answers"]
Route = Literal["study", "codebook", "refi", "sheet", "transcript"]
"""What :func:`route_paths` files a path under."""


@dataclass(frozen=True, slots=True)
class StudyEntry:
    """One transcript of a study, with (if the manifest gives them) its kind and language;
    a transcript of no kind is given one by its speakers when imported."""

    file: Path
    kind: str | None = None
    language: str | None = None


@dataclass(frozen=True, slots=True)
class Study:
    """A study manifest, its paths made absolute."""

    manifest: Path
    name: str | None
    language: str | None
    codebook: Path | None
    attributes: Path | None
    sources: tuple[StudyEntry, ...]


@dataclass(frozen=True, slots=True)
class SheetRole:
    """What a sheet holds, judged by its header, and the header itself."""

    kind: SheetKind
    columns: tuple[str, ...]


def study_manifest(folder: Path) -> Path | None:
    """The ``study.yaml`` of a folder, if it has one."""
    return next((folder / n for n in STUDY_FILES if (folder / n).is_file()), None)


def is_study_manifest(path: Path, *, by_content: bool = False) -> bool:
    """True for a file named ``study.yaml`` (or ``.yml``); with ``by_content``, also for a
    YAML file of another name that lists ``sources`` and no ``codes`` (not a codebook)."""
    if path.name.casefold() in STUDY_FILES:
        return True
    if not by_content:
        return False
    import yaml

    try:
        data = yaml.safe_load(decode(read_bytes(path), path)[0])
    except yaml.YAMLError:
        return False  # the codebook reader names the problem
    return isinstance(data, dict) and "sources" in data and "codes" not in data


def route_paths(given: Iterable[Path], notes: list[str]) -> dict[Route, list[Path]]:
    """Each path under what it is (:data:`Route`), by the suffix registry
    (:func:`qualcode.ingest.formats.file_kind`) and, for YAML, by content.

    A folder gives its ``study.yaml``, else its transcripts; its other files are left out
    and ``notes`` says so, one line each. A sheet's columns are read later
    (:func:`sheet_role`); a file of no known suffix is a transcript, whose reader then names
    the suffixes it reads.

    Raises:
        ImportFormatError: a folder with neither transcripts nor a study manifest.
    """
    routes: dict[Route, list[Path]] = {k: [] for k in get_args(Route)}
    for path in given:
        if path.is_dir():
            manifest = study_manifest(path)
            if manifest is not None:
                routes["study"].append(manifest)
                continue
            files = sorted(p for p in path.iterdir() if p.is_file() and not p.name.startswith("."))
            found = [p for p in files if suffix_of(p) in TRANSCRIPT_SUFFIXES]
            if not found:
                raise ImportFormatError(
                    f"has no transcripts ({', '.join(TRANSCRIPT_SUFFIXES)}) and no study.yaml",
                    file=path,
                )
            routes["transcript"] += found
            notes += [
                f"{p.name} in {path} is not a transcript; not imported (a codebook or "
                "attributes sheet is imported on its own, or with --attributes)"
                for p in files
                if p not in found
            ]
        elif is_study_manifest(path):
            routes["study"].append(path)
        else:
            kind = file_kind(path)
            study = kind == "codebook" and is_study_manifest(path, by_content=True)
            routes["study" if study else kind].append(path)
    return routes


def read_study(path: str | Path) -> Study:
    """Read a study manifest.

    Raises:
        ImportFormatError: not YAML, an unknown key, no sources, or a listed file that is
            not there (naming the entry).
    """
    import yaml

    path = Path(path)
    try:
        data = yaml.safe_load(decode(read_bytes(path), path)[0])
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        place = f"line {mark.line + 1}" if mark is not None else None
        raise ImportFormatError("is not valid YAML", file=path, place=place) from None
    if not isinstance(data, dict):
        raise ImportFormatError("a study manifest is a mapping with 'sources'", file=path)
    unknown = sorted(set(data) - _STUDY_KEYS)
    if unknown:
        raise ImportFormatError(
            f"unknown key {unknown[0]!r}; a study has {', '.join(sorted(_STUDY_KEYS))}",
            file=path,
        )
    folder = path.parent
    entries = data.get("sources") or []
    if not isinstance(entries, list) or not entries:
        raise ImportFormatError("lists no 'sources'", file=path)
    sources = tuple(_entry(e, i, folder, path) for i, e in enumerate(entries, start=1))
    return Study(
        manifest=path,
        name=_text(data.get("name")),
        language=_text(data.get("language")),
        codebook=_existing(folder, data.get("codebook"), path, "codebook"),
        attributes=_existing(folder, data.get("attributes"), path, "attributes"),
        sources=sources,
    )


def _entry(raw: Any, number: int, folder: Path, manifest: Path) -> StudyEntry:
    place = f"source {number}"
    if isinstance(raw, str):
        raw = {"file": raw}
    if not isinstance(raw, dict) or "file" not in raw:
        raise ImportFormatError("needs a 'file'", file=manifest, place=place)
    unknown = sorted(set(raw) - _ENTRY_KEYS)
    if unknown:
        raise ImportFormatError(
            f"unknown key {unknown[0]!r}; a source has file, kind, language",
            file=manifest,
            place=place,
        )
    file = _existing(folder, raw["file"], manifest, place)
    assert file is not None
    return StudyEntry(file, _text(raw.get("kind")), _text(raw.get("language")))


def _existing(folder: Path, value: Any, manifest: Path, place: str) -> Path | None:
    if value in (None, ""):
        return None
    path = folder / str(value)
    if not path.is_file():
        raise ImportFormatError(f"{str(value)!r} is not there", file=manifest, place=place)
    return path


def _text(value: Any) -> str | None:
    return str(value).strip() or None if value is not None else None


def sheet_role(path: str | Path) -> SheetRole:
    """Whether a sheet is a codebook (every column one of a codebook's, ``name`` among
    them), case attributes (a key column ``source``, ``file``, ``document`` or ``name``),
    or else survey answers."""
    from qualcode.ingest.sheets import read_table

    columns = tuple(str(c) for c in read_table(path).columns)
    folded = [c.strip().casefold() for c in columns if c.strip()]
    if "name" in folded and set(folded) <= set(CSV_COLUMNS + CSV_OPTIONAL):
        return SheetRole("codebook", columns)
    if any(c in _KEY_COLUMNS for c in folded):
        return SheetRole("attributes", columns)
    return SheetRole("answers", columns)
