"""What the readers hand to the project: plain text with turns pointing into it.

Kept free of any I/O so ``project.py`` and the readers share one definition.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class ParsedTurn:
    """A speaker turn in a document's text: ``[start, end)`` is what was said, without the
    speaker label and timestamp (which stay in the text just before ``start``)."""

    start: int
    end: int
    speaker: str | None = None
    timestamp: float | None = None  # seconds


@dataclass(frozen=True, slots=True)
class Document:
    """A transcript as read from a file: its normalised text (NFC, ``\\n``) and its turns."""

    text: str
    turns: tuple[ParsedTurn, ...]
    encoding: str | None = None  # the encoding detected, for text formats
    meta: Mapping[str, str] = field(default_factory=dict)
    notes: tuple[str, ...] = ()  # for the import report: bytes replaced, characters removed


@dataclass(frozen=True, slots=True)
class Response:
    """One open-ended survey answer from a sheet."""

    id: str
    text: str
    attributes: Mapping[str, str]
    codes: tuple[str, ...] = ()
    row: int = 0  # 1-based row in the sheet, header = row 1
    question: str = ""  # what it answers (``question_column``), also among the attributes
