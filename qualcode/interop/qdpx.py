"""``.qdpx`` files: a zip of ``project.qde`` and a ``sources/`` folder, read as untrusted input.

Nothing from the archive is ever extracted to disk: members are read into memory, by name,
only when the project XML refers to them, so a hostile member name (``../../x``, an absolute
path) can never become a path (zip slip); such names are refused anyway. Sizes are checked
against limits before and while reading (zip bombs): the total uncompressed size, both
absolute and as a ratio to the archive's own size (1,900 members of 1 MiB each pass every
per-member check, yet make 2 GB from 2 MB), each member's size, and its compression ratio.
Declared sizes can lie, so members are decompressed in chunks with running counts, and
reading stops at the first byte over a limit. The archive itself is opened through
:func:`qualcode.files.open_regular`: a FIFO or a device is refused before zipfile reads.
"""

from __future__ import annotations

import posixpath
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote

from qualcode.errors import ExchangeError, MissingSourceError
from qualcode.files import open_regular, read_regular
from qualcode.interop.qde import parse_qde
from qualcode.interop.refi import RefiProject
from qualcode.interop.write import write_qde
from qualcode.outputs import part_path, pause_point, remove_stale_parts


@dataclass(frozen=True, slots=True)
class Limits:
    """What a .qdpx may hold; anything beyond is refused as a possible zip bomb."""

    total: int = 2 * 2**30  # uncompressed bytes of the members read
    member: int = 2**31 - 1  # the standard's own limit for an internal file
    ratio: int = 200  # uncompressed / compressed, for members over 1 MiB
    members: int = 100_000
    # Uncompressed bytes in all / the archive's size. Transcripts and project XML deflate
    # to a fifth or a tenth; a whole archive 100 times smaller than its contents is a bomb.
    archive_ratio: int = 100
    small: int = 64 * 2**20  # an archive unpacking to less than this passes any ratio
    chunk: int = 2**20  # bytes decompressed at a time

    def budget(self, archive_size: int) -> int:
        """The most a file of ``archive_size`` bytes may unpack to, in all."""
        return min(self.total, max(self.small, self.archive_ratio * archive_size))


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
        self.handle, found = open_regular(path, error=ExchangeError)
        self.budget = limits.budget(found.size)
        try:
            self.zip = zipfile.ZipFile(self.handle)
        except (zipfile.BadZipFile, OSError, EOFError, ValueError) as exc:
            self.handle.close()
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
        if declared > self.budget:
            raise ExchangeError(self._too_much(declared), file=path)

    def _too_much(self, size: int) -> str:
        if self.budget == self.limits.total:
            return f"would unpack to {size:,} bytes, more than the limit of {self.budget:,}"
        return (
            f"would unpack to {size:,} bytes or more, over {self.limits.archive_ratio} times "
            "the archive's own size: refused as a possible zip bomb"
        )

    def close(self) -> None:
        self.zip.close()
        self.handle.close()

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
        if self.read_total + info.file_size > self.budget:
            raise ExchangeError(
                self._too_much(self.read_total + info.file_size), file=self.path, place=place
            )
        # Declared sizes can lie: decompress in chunks, at most what was declared plus one
        # byte to notice, and count every chunk against the archive's budget as it comes.
        cap = min(info.file_size, lim.member)
        chunks: list[bytes] = []
        size = 0
        try:
            with self.zip.open(info) as fh:
                while chunk := fh.read(min(lim.chunk, cap + 1 - size)):
                    size += len(chunk)
                    if size > cap:
                        raise ExchangeError(
                            "member larger than declared (refused)", file=self.path, place=place
                        )
                    if self.read_total + size > self.budget:
                        raise ExchangeError(
                            self._too_much(self.read_total + size), file=self.path, place=place
                        )
                    chunks.append(chunk)
        except (zipfile.BadZipFile, zlib.error, OSError, EOFError, RuntimeError) as exc:
            raise ExchangeError(f"damaged archive ({exc})", file=self.path, place=place) from None
        self.read_total += size
        return b"".join(chunks)

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
                return read_regular(target, max_size=self.limits.member, error=ExchangeError)[0]
        raise MissingSourceError(
            "source file missing from the archive", file=self.path, place=place
        )


def read_qdpx(
    path: str | Path, limits: Limits = LIMITS, *, offsets: str | None = None
) -> RefiProject:
    """Read a ``.qdpx`` file into a :class:`RefiProject`; any problem is an ExchangeError.
    ``offsets`` overrides how selection offsets are counted (see ``parse_qde``)."""
    archive = _Archive(Path(path), limits)
    try:
        name, xml = archive.project_xml()
        return parse_qde(xml, f"{path}!{name}", archive.source_text, offsets=offsets)
    finally:
        archive.close()


def read_qde(path: str | Path, *, offsets: str | None = None) -> RefiProject:
    """Read a bare ``project.qde``; source paths are looked up beside it, never above it.
    A source not found there is skipped and reported, the rest is read."""
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
            if not target.is_relative_to(folder):
                raise ExchangeError(
                    "a source path points outside the folder of the .qde (refused)",
                    file=path,
                    place=place,
                )
            if target.is_file():
                return read_regular(target, error=ExchangeError)[0]
        raise MissingSourceError("source file not found beside the .qde", file=path, place=place)

    data, _ = read_regular(path, error=ExchangeError)
    return parse_qde(data, str(path), read_text, offsets=offsets)


def write_qdpx(project: RefiProject, path: str | Path, *, target: str = "standard") -> Path:
    """Write a ``.qdpx``: ``project.qde`` and each source's text as ``sources/<guid>.txt``.

    ``target`` names the tool that will read it (see :mod:`~qualcode.interop.targets`): its
    line ends, BOM and offsets are written. Written to a temporary name beside ``path`` and
    renamed, so a failed export leaves no half-written file; what a killed one left is
    removed (see :mod:`qualcode.outputs`).
    """
    from dataclasses import replace

    from qualcode.interop.targets import TARGETS

    if target not in TARGETS:
        raise ExchangeError(f"export is for {', '.join(TARGETS)}, not {target!r}")
    tool = TARGETS[target]
    path = Path(path)
    paths = {s.guid: f"internal://{s.guid}.txt" for s in project.sources}
    place = {s.guid: tool.placer(s.text) for s in project.sources} if target != "standard" else None
    qde = write_qde(replace(project, origin=tool.origin), paths, place)
    remove_stale_parts(path)  # what a killed export left
    tmp = part_path(path)
    try:
        with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=6) as zf:
            zf.writestr("project.qde", qde)
            for s in project.sources:
                zf.writestr(f"sources/{s.guid}.txt", tool.text(s.text).encode("utf-8"))
        pause_point("qdpx-written")
        tmp.replace(path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return path
