"""Opening the files a user names: regular files only, and not beyond a size limit.

Every reader and importer (transcripts, sheets, codebooks, REFI-QDA files) opens its input
through :func:`open_regular`, so one place decides what may be read. A named pipe (FIFO)
blocks an ordinary ``open`` or ``read`` for ever, a device such as ``/dev/zero`` never ends,
and a socket or a directory is not a file at all. The file is therefore opened without
blocking and checked with ``fstat`` on the open descriptor (so it cannot be swapped between
the check and the read), and only a regular file is read. A symbolic link is followed only
when it ends at a regular file, and the caller is told where it led (:attr:`InputFile.note`):
a link to ``/etc/passwd`` is rarely what someone meant to import.

Sizes are checked twice: against ``fstat`` before reading, and while reading (a file can
grow in between), so no read ever takes more than the limit plus one byte.
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from qualcode.errors import ImportFormatError, QualcodeError

DEFAULT_MAX_SIZE = 50 * 1000 * 1000  # bytes per transcript; `qualcode import --max-size`

_UNITS = {"": 1, "b": 1, "k": 1000, "kb": 1000, "m": 1000**2, "mb": 1000**2, "g": 1000**3}
_UNITS |= {"gb": 1000**3, "kib": 2**10, "mib": 2**20, "gib": 2**30}

# Opening a FIFO for reading waits for a writer unless O_NONBLOCK is given; O_NOCTTY keeps
# a terminal device from becoming the controlling terminal. Neither exists on Windows.
_OPEN_FLAGS = (
    os.O_RDONLY
    | getattr(os, "O_NONBLOCK", 0)
    | getattr(os, "O_NOCTTY", 0)
    | getattr(os, "O_BINARY", 0)
    | getattr(os, "O_CLOEXEC", 0)
)


@dataclass(frozen=True, slots=True)
class InputFile:
    """A regular file that passed the checks: its size, and where a link led."""

    path: Path
    size: int
    link_target: Path | None = None  # set when ``path`` is a symbolic link

    @property
    def note(self) -> str | None:
        """A line for the import report (after the file's name) when ``path`` was a link."""
        return None if self.link_target is None else _link_note(self.link_target)


def link_note(path: str | Path) -> str | None:
    """A line for the import report (after the file's name) when ``path`` is a link."""
    if not os.path.islink(path):
        return None
    return _link_note(Path(os.path.realpath(path)))


def _link_note(target: Path) -> str:
    return f"is a symbolic link; the file it points to was read: {target}"


def format_size(size: int) -> str:
    """A byte count for people: ``52.4 MB``, ``812 kB``, ``17 bytes``."""
    if size >= 1000**3:
        return f"{size / 1000**3:.1f} GB"
    if size >= 1000**2:
        return f"{size / 1000**2:.1f} MB"
    if size >= 1000:
        return f"{size / 1000:.0f} kB"
    return f"{size} bytes"


def parse_size(text: str) -> int:
    """A size as people write it: ``50MB``, ``200 M``, ``1.5GB``, ``512KiB``, ``1000000``.

    Units of 1000 (k, M, G; a ``B`` is optional) and of 1024 (KiB, MiB, GiB).

    Raises:
        QualcodeError: not a positive size.
    """
    raw = text.strip().lower().replace(" ", "").replace("_", "")
    number = raw.rstrip("bikmg")
    unit = raw[len(number) :]
    try:
        value = float(number)
    except ValueError:
        value = -1.0
    if unit not in _UNITS or not value > 0:
        raise QualcodeError(f"not a size: {text!r} (write it like 50MB, 200M or 1GB)")
    return int(value * _UNITS[unit])


def open_regular(
    path: str | Path,
    *,
    max_size: int | None = None,
    error: type[QualcodeError] = ImportFormatError,
    what: str = "file",
) -> tuple[BinaryIO, InputFile]:
    """Open a file for reading after making sure it is a regular file within the limit.

    Args:
        path: the file a user named.
        max_size: refuse a file larger than this many bytes; None for no limit.
        error: the error class to raise (the caller's family: import, codebook, exchange).
        what: what the file should be, for the size message (``transcript``).

    Returns:
        The open binary file (the caller closes it) and what was found.

    Raises:
        QualcodeError: (of class ``error``) missing, not permitted, not a regular file
            (directory, FIFO, device, socket, a link to one of those) or too large.
    """
    path = Path(path)
    link_target = Path(os.path.realpath(path)) if os.path.islink(path) else None
    try:
        fd = os.open(path, _OPEN_FLAGS)
    except FileNotFoundError:
        dangling = " (a symbolic link to nothing)" if link_target is not None else ""
        raise error(f"no such file{dangling}", file=path) from None
    except PermissionError:
        raise error("permission denied: cannot read the file", file=path) from None
    except OSError as exc:  # a socket (ENXIO), a loop of links, ...
        raise error(
            f"cannot be read: {exc.strerror or exc.__class__.__name__}", file=path
        ) from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            kind = kind_of(info.st_mode)
            via = f" (a symbolic link to {link_target})" if link_target is not None else ""
            raise error(f"is {kind}{via}, not a regular file: not read", file=path)
        if max_size is not None and info.st_size > max_size:
            raise error(too_large(info.st_size, max_size, what), file=path)
        if hasattr(os, "set_blocking"):
            os.set_blocking(fd, True)
        handle = os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise
    return handle, InputFile(path, info.st_size, link_target)


def read_regular(
    path: str | Path,
    *,
    max_size: int | None = None,
    error: type[QualcodeError] = ImportFormatError,
    what: str = "file",
) -> tuple[bytes, InputFile]:
    """Read a regular file whole (see :func:`open_regular`), never beyond ``max_size``.

    Returns:
        The bytes and what was found (a link's target for the report).

    Raises:
        QualcodeError: as :func:`open_regular`, or a read that fails or outgrows the limit.
    """
    handle, found = open_regular(path, max_size=max_size, error=error, what=what)
    with handle:
        try:
            data = handle.read() if max_size is None else handle.read(max_size + 1)
        except OSError as exc:
            raise error(
                f"cannot be read: {exc.strerror or exc.__class__.__name__}", file=path
            ) from None
    if max_size is not None and len(data) > max_size:
        raise error(too_large(len(data), max_size, what, grew=True), file=path)
    return data, found


def too_large(size: int, limit: int, what: str, *, grew: bool = False) -> str:
    """The message for a file over its size limit (``grew``: while it was being read)."""
    shown, cap = format_size(size), format_size(limit)
    if shown == cap:  # 50.0 MB against 50.0 MB says nothing: give the bytes
        shown, cap = f"{size:,} bytes", f"{limit:,} bytes"
    hint = "; --max-size raises the limit" if what == "transcript" else ""
    if grew:
        return f"grew beyond the limit of {cap} per {what} while being read{hint}"
    return f"is {shown}, more than the limit of {cap} per {what}{hint}"


def kind_of(mode: int) -> str:
    """What a file that is not a regular file is, in words (``a named pipe (FIFO)``)."""
    if stat.S_ISDIR(mode):
        return "a directory"
    if stat.S_ISFIFO(mode):
        return "a named pipe (FIFO)"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "a special file"
