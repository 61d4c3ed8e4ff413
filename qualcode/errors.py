"""One error family for everything a user can get wrong.

Every error raised for bad input names the file (or project) and the place in it, so each
front end can show it as a single line: the CLI prints ``qualcode: error: <message>``, the
TUI shows it in a notification. Nothing here knows about either front end.
"""

from __future__ import annotations

from pathlib import Path


class QualcodeError(Exception):
    """Base of every error qualcode raises on purpose.

    Args:
        message: what is wrong, and where possible what to do about it.
        file: the file (or project) the problem is in.
        place: where in the file: ``line 12``, ``row 7``, ``offset 120``, ``code 'Awareness'``.
    """

    title = "Error"

    def __init__(self, message: str, *, file: str | Path | None = None, place: str | None = None):
        super().__init__(message)
        self.message = message
        self.file = str(file) if file is not None else None
        self.place = place

    def __str__(self) -> str:
        where = ""
        if self.file and self.place:
            where = f"{self.file}, {self.place}: "
        elif self.file:
            where = f"{self.file}: "
        elif self.place:
            where = f"{self.place}: "
        # One line, always: a multi-line message would break the CLI's contract.
        return (where + self.message).replace("\n", " ")


class ImportFormatError(QualcodeError):
    """A transcript, sheet or other input file that cannot be read."""

    title = "Cannot import"


class CodebookError(QualcodeError):
    """A malformed codebook file or an impossible codebook edit."""

    title = "Codebook problem"


class ProjectError(QualcodeError):
    """A project that cannot be opened, or an operation the project refuses."""

    title = "Project problem"


class ExchangeError(QualcodeError):
    """A REFI-QDA file or a merge input that cannot be used."""

    title = "Exchange problem"


class MissingSourceError(ExchangeError):
    """A source file a REFI-QDA project refers to is not there: the source is skipped and
    the rest of the project still imports (a codebook sent with its structure)."""


class ProjectBusy(ProjectError):
    """Another writer held the project longer than this one was willing to wait."""

    title = "Project busy"


def quoted(text: str) -> str:
    """``'text'``, as a message shows a name or a code path the user may type back: like
    ``repr``, but a backslash shows as itself (a path's ``\\/`` is not doubled to ``\\\\/``).
    """
    mark = '"' if "'" in text and '"' not in text else "'"
    return f"{mark}{text}{mark}"
