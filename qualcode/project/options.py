"""The options of an import, as one frozen value: built once where the user gives them
(the CLI's ``import``, the TUI's import dialog) and handed down whole, so that
:meth:`~qualcode.project.importing.Imports.import_paths` and the readers below it
(:meth:`~qualcode.project.sourcing.SourceFiles.import_files`,
:meth:`~qualcode.project.sourcing.SourceFiles.import_responses`) take the same object and
an option cannot be dropped on the way.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from qualcode.files import DEFAULT_MAX_SIZE


@dataclass(frozen=True, slots=True)
class ImportOptions:
    """How to read what is imported; every field has the CLI's default.

    Attributes:
        kind: transcripts' kind: interview, expert_panel, focus_group or document
            (None: focus_group for three or more speakers besides the interviewer or
            moderator, else interview; see :func:`qualcode.project.speakers.guess_kind`).
        language: the transcripts' language (None: detected for each).
        attributes: a CSV/XLSX sheet of case attributes keyed by source name.
        replace: replace sources of the same name (their codings are dropped).
        speaker_pattern: a regex with a ``(?P<speaker>...)`` group for unusual labels.
        max_size: refuse a transcript larger than this many bytes (None: no limit).
        text_column: a survey sheet's answer column (the sheet is read as answers).
        id_column: a survey sheet's respondent id column.
        codes_column: a survey sheet's column of codes already applied, ``sep``-separated.
        question_column: a survey sheet's column of the question each answer answers.
        coder: whose codings the ``codes_column`` codes are (None: the project's coder).
        sep: the separator of ``codes_column``.
        offsets: how a REFI-QDA file counts offsets (codepoints, utf16, utf8; None: chosen
            from its producer and checked on its quotes).
        dry_run: REFI-QDA only: report what would be imported, write nothing.
    """

    kind: str | None = None
    language: str | None = None
    attributes: Path | None = None
    replace: bool = False
    speaker_pattern: str | None = None
    max_size: int | None = DEFAULT_MAX_SIZE
    text_column: str | None = None
    id_column: str | None = None
    codes_column: str | None = None
    question_column: str | None = None
    coder: str | None = None
    sep: str = ";"
    offsets: str | None = None
    dry_run: bool = False
