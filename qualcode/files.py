"""Writing output files: one check and one error line for every file a command writes.

A report, an export or a new project written into a folder that does not exist, or onto a
folder, is refused before anything is computed or changed, in one line naming the path; an
``OSError`` while writing (a full disk, no permission) becomes that same kind of line.
Library writers (pandas, zipfile) word their failures in many ways, some with no
``strerror`` at all, so the reason is taken from whatever the exception carries.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from qualcode.errors import ProjectError, QualcodeError


def check_output(path: str | Path, error: type[QualcodeError] = ProjectError) -> Path:
    """``path`` as a Path, if a file can be written there.

    Raises:
        error: if ``path`` is a folder, or its folder does not exist.
    """
    path = Path(path)
    if path.is_dir():
        raise error("is a folder; give the name of a file to write", file=path)
    if not path.parent.is_dir():
        raise error(f"cannot write: there is no folder {str(path.parent)!r}", file=path)
    return path


@contextmanager
def writing(path: str | Path, error: type[QualcodeError] = ProjectError) -> Iterator[Path]:
    """Check ``path`` (see :func:`check_output`), then turn an OSError raised while writing
    it into ``error`` with one line naming the file."""
    target = check_output(path, error)
    try:
        yield target
    except OSError as exc:
        raise error(f"cannot write: {os_reason(exc)}", file=target) from None


def os_reason(exc: OSError) -> str:
    """What went wrong, in words, whatever kind of OSError it is."""
    return exc.strerror or str(exc) or type(exc).__name__
