"""Writing output files: one check and one error line for every file a command writes, and
no leftovers when a command is killed half way.

A report, an export or a new project written into a folder that does not exist, or onto a
folder, is refused before anything is computed or changed, in one line naming the path; an
``OSError`` while writing (a full disk, no permission) becomes that same kind of line.
Library writers (pandas, zipfile) word their failures in many ways, some with no
``strerror`` at all, so the reason is taken from whatever the exception carries.

A file that takes a while to make (an export, a project built by a merge or an import) is
made under a name of its own beside the target, ``NAME.<pid>.part``, and renamed when it is
complete; temporary folders carry the pid too. A process killed with ``kill -9`` cannot
clean up after itself, so the next run does: it removes the parts and folders whose process
is no longer running. On Windows, where no process can be asked whether it is alive without
harming it, the leftovers of other processes are left alone.
"""

from __future__ import annotations

import os
import shutil
import stat
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from qualcode.errors import ProjectError, QualcodeError
from qualcode.files import kind_of


def check_output(path: str | Path, error: type[QualcodeError] = ProjectError) -> Path:
    """``path`` as a Path, if a file can be written there.

    Raises:
        error: if ``path`` is a folder or another file that is not a regular file (a named
            pipe would block the writer until someone reads it; a device or socket is no
            report), or its folder does not exist.
    """
    path = Path(path)
    if path.is_dir():
        raise error("is a folder; give the name of a file to write", file=path)
    try:
        mode = os.stat(path).st_mode
    except OSError:  # not there yet (the usual case), or not reachable: the write says why
        mode = None
    if mode is not None and not stat.S_ISREG(mode):
        raise error(
            f"is {kind_of(mode)}, not a regular file: not written; give the name of a file",
            file=path,
        )
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


# An SQLite database is one file with up to three companions.
DATABASE_SUFFIXES = ("", "-wal", "-shm", "-journal")


def part_path(path: Path) -> Path:
    """Where this process writes ``path`` until it is complete: beside it, so the final
    rename stays on one file system, and named for this process."""
    return path.with_name(f"{path.name}.{os.getpid()}.part")


def remove_database(path: Path) -> None:
    """Remove an SQLite file and its companions, if there."""
    for suffix in DATABASE_SUFFIXES:
        Path(f"{path}{suffix}").unlink(missing_ok=True)


def remove_stale_parts(path: Path) -> list[Path]:
    """Remove the parts of ``path`` that killed processes left (see the module docstring);
    returns what was removed."""
    removed = []
    try:
        candidates = list(path.parent.glob(f"{_glob_escape(path.name)}.*.part*"))
    except OSError:
        return []
    for found in candidates:
        middle = found.name[len(path.name) + 1 :]
        pid, _, rest = middle.partition(".")
        if rest.removeprefix("part") not in DATABASE_SUFFIXES or not _is_dead(pid):
            continue
        found.unlink(missing_ok=True)
        removed.append(found)
    return removed


@contextmanager
def temporary_folder(prefix: str) -> Iterator[Path]:
    """A temporary folder named ``PREFIX<pid>-...``, removed afterwards; folders of the same
    prefix left by killed processes are removed first."""
    root = Path(tempfile.gettempdir())
    for found in root.glob(f"{_glob_escape(prefix)}*-*"):
        pid = found.name[len(prefix) :].partition("-")[0]
        if found.is_dir() and _is_dead(pid):
            shutil.rmtree(found, ignore_errors=True)
    with tempfile.TemporaryDirectory(prefix=f"{prefix}{os.getpid()}-") as folder:
        yield Path(folder)


def pause_point(name: str) -> None:
    """Tests of crash safety kill a process at a known point: with the environment variable
    ``QUALCODE_PAUSE_AT`` set to ``name``, say so on stderr and wait to be killed."""
    if os.environ.get("QUALCODE_PAUSE_AT") == name:
        sys.stderr.write(f"paused at {name}\n")
        sys.stderr.flush()
        time.sleep(600)


def _is_dead(pid_text: str) -> bool:
    """Whether the process ``pid_text`` names has ended (False if unsure)."""
    if not pid_text.isdigit() or os.name == "nt":
        return False
    pid = int(pid_text)
    if pid == os.getpid():
        return False
    try:
        os.kill(pid, 0)  # signal 0: nothing is sent, only whether the process exists
    except ProcessLookupError:
        return True
    except OSError:  # it exists but belongs to someone else
        return False
    return False


def _glob_escape(name: str) -> str:
    return "".join(f"[{c}]" if c in "*?[" else c for c in name)
