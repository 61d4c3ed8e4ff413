"""``.qdpx`` files: a zip of ``project.qde`` and a ``sources/`` folder, read as untrusted input.

Nothing from the archive is ever extracted to disk: members are read into memory, by name,
only when the project XML refers to them, so a hostile member name (``../../x``, an absolute
path) can never become a path (zip slip); such names are refused anyway. Sizes are checked
against limits before and while reading (zip bombs): the total uncompressed size, each
member's size, and its compression ratio.
"""

from __future__ import annotations

import posixpath
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote

from qualcode.errors import ExchangeError
from qualcode.files import part_path, pause_point, remove_stale_parts
from qualcode.interop.qde import parse_qde
from qualcode.interop.refi import RefiProject
from qualcode.interop.write import write_qde


@dataclass(frozen=True, slots=True)
class Limits:
    """What a .qdpx may hold; anything beyond is refused as a possible zip bomb."""

    total: int = 2 * 2**30  # uncompressed bytes of the members read
    member: int = 2**31 - 1  # the standard's own limit for an internal file
    ratio: int = 200  # uncompressed / compressed, for members over 1 MiB
    members: int = 100_000


LIMITS = Limits()


def _safe_name(name: str) -> bool:
    """A relative path that stays inside the archive (``/`` separated, as normalised)."""
    if not name or name.startswith("/") or "\x00" in name:
        return False
    if len(name) > 1 and name[1] == ":":  # C:...
        return False
    return ".." not in name.split("/")


class _Archive:
    def __init__(self, path: Path, limits: Limits):
        self.path = str(path)
        self.limits = limits
        self.read_total = 0
        try:
            self.zip = zipfile.ZipFile(path)
        except (zipfile.BadZipFile, OSError) as exc:
            raise ExchangeError(f"not a readable .qdpx (zip) file ({exc})", file=path) from None
        infos = self.zip.infolist()
        if len(infos) > limits.members:
            raise ExchangeError(f"holds {len(infos)} files, more than {limits.members}", file=path)
        self.members: dict[str, zipfile.ZipInfo] = {}
        declared = 0
        for info in infos:
            # Some Windows tools write backslashes: a separator, never part of a name.
            name = info.filename.replace("\\", "/")
            if not _safe_name(name):
                raise ExchangeError(
                    "a file name in the archive points outside it (refused)",
                    file=path,
                    place=f"member {info.filename!r}",
                )
            declared += info.file_size
            self.members[name.casefold()] = info
        if declared > limits.total:
            raise ExchangeError(
                f"would unpack to {declared:,} bytes, more than the limit of {limits.total:,}",
                file=path,
            )

    def close(self) -> None:
        self.zip.close()

    def find(self, name: str) -> zipfile.ZipInfo | None:
        return self.members.get(name.casefold())

    def read(self, info: zipfile.ZipInfo) -> bytes:
        lim = self.limits
        place = f"member {info.filename!r}"
        if info.file_size > lim.member:
            raise ExchangeError(
                f"a member of {info.file_size:,} bytes is too large", file=self.path, place=place
            )
        if info.file_size > 2**20 and info.file_size > lim.ratio * max(info.compress_size, 1):
            raise ExchangeError(
                f"compression ratio above {lim.ratio}: refused as a possible zip bomb",
                file=self.path,
                place=place,
            )
        # Declared sizes can lie: read at most what was declared, plus one byte to notice.
        cap = min(info.file_size, lim.member)
        try:
            with self.zip.open(info) as fh:
                data = fh.read(cap + 1)
        except (zipfile.BadZipFile, zlib.error, OSError, EOFError, RuntimeError) as exc:
            raise ExchangeError(f"damaged archive ({exc})", file=self.path, place=place) from None
        if len(data) > cap:
            raise ExchangeError(
                "member larger than declared (refused)", file=self.path, place=place
            )
        self.read_total += len(data)
        if self.read_total > lim.total:
            raise ExchangeError("archive unpacks to more than the size limit", file=self.path)
        return data

    def project_xml(self) -> tuple[str, bytes]:
        qde = [i for k, i in self.members.items() if k.endswith(".qde")]
        if not qde:
            raise ExchangeError(
                "no project.qde in the archive: not a REFI-QDA project", file=self.path
            )
        top = [i for i in qde if "/" not in i.filename.replace("\\", "/")]
        info = (top or qde)[0]
        return info.filename, self.read(info)

    def source_text(self, ref: str) -> bytes:
        place = f"source path {ref!r}"
        scheme, sep, rest = ref.partition("://")
        rel = unquote(rest if sep else ref).lstrip("/")
        if sep and scheme.lower() == "absolute":
            raise ExchangeError(
                "refers to an absolute path outside the archive (not read)",
                file=self.path,
                place=place,
            )
        norm = posixpath.normpath(rel) if rel else ""
        if not rel or norm.startswith("..") or not _safe_name(norm):
            raise ExchangeError(
                "a source path points outside the archive (refused)", file=self.path, place=place
            )
        for candidate in (f"sources/{norm}", norm):
            info = self.find(candidate)
            if info is not None:
                return self.read(info)
        # Some tools put the sources folder elsewhere: match the file name alone.
        base = posixpath.basename(norm).casefold()
        hits = [i for k, i in self.members.items() if posixpath.basename(k) == base]
        if len(hits) == 1:
            return self.read(hits[0])
        if sep and scheme.lower() == "relative":
            # An external source: looked for beside the .qdpx, never above that folder.
            folder = Path(self.path).resolve().parent
            target = (folder / norm).resolve()
            if target.is_relative_to(folder) and target.is_file():
                if target.stat().st_size > self.limits.member:
                    raise ExchangeError("external source too large", file=self.path, place=place)
                return target.read_bytes()
        raise ExchangeError("source file missing from the archive", file=self.path, place=place)


def read_qdpx(path: str | Path, limits: Limits = LIMITS) -> RefiProject:
    """Read a ``.qdpx`` file into a :class:`RefiProject`; any problem is an ExchangeError."""
    archive = _Archive(Path(path), limits)
    try:
        name, xml = archive.project_xml()
        return parse_qde(xml, f"{path}!{name}", archive.source_text)
    finally:
        archive.close()


def read_qde(path: str | Path) -> RefiProject:
    """Read a bare ``project.qde``; source paths are looked up beside it, never above it."""
    path = Path(path)
    folder = path.resolve().parent

    def read_text(ref: str) -> bytes:
        place = f"source path {ref!r}"
        scheme, sep, rest = ref.partition("://")
        if sep and scheme.lower() == "absolute":
            raise ExchangeError("refers to an absolute path (not read)", file=path, place=place)
        rel = unquote(rest if sep else ref).lstrip("/")
        for candidate in (folder / "sources" / rel, folder / "Sources" / rel, folder / rel):
            target = candidate.resolve()
            if target.is_relative_to(folder) and target.is_file():
                return target.read_bytes()
        raise ExchangeError("source file not found beside the .qde", file=path, place=place)

    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ExchangeError(f"cannot read ({exc.strerror})", file=path) from None
    return parse_qde(data, str(path), read_text)


def write_qdpx(project: RefiProject, path: str | Path) -> Path:
    """Write a ``.qdpx``: ``project.qde`` and each source's text as ``sources/<guid>.txt``.

    Written to a temporary name beside ``path`` and renamed, so a failed export leaves no
    half-written file; what a killed one left is removed (see :mod:`qualcode.files`).
    """
    path = Path(path)
    paths = {s.guid: f"internal://{s.guid}.txt" for s in project.sources}
    remove_stale_parts(path)  # what a killed export left
    tmp = part_path(path)
    try:
        with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=6) as zf:
            zf.writestr("project.qde", write_qde(project, paths))
            for s in project.sources:
                zf.writestr(f"sources/{s.guid}.txt", s.text.encode("utf-8"))
        pause_point("qdpx-written")
        tmp.replace(path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return path
