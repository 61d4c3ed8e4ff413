"""Reading transcripts and sheets into qualcode: text, speaker turns, case attributes.

The only place that parses input files (besides REFI-QDA in ``interop/``). Readers are
registered by suffix in :data:`READERS`; :func:`read_document` picks one and returns a
:class:`Document`: the normalised text (read once, never changed after) and the
:class:`ParsedTurn` spans pointing into it. Every failure is an
:class:`~qualcode.errors.ImportFormatError` naming the file, never a library traceback.

Modules: ``formats`` (which file is what, by suffix: the registry the routing, the command
line and the workbench ask), ``text`` (normalising, and a text's identity, ``content_hash``;
the bytes are decoded by :mod:`qualcode.decoding`), ``labels`` (the speaker-label rule),
``turns`` (turn spans), ``readers`` (registry, .txt/.md), ``office`` (.docx/.odt), ``rtf``,
``pdf``, ``captions`` (.vtt/.srt), ``sheets`` (.csv/.xlsx attributes and survey responses),
``routing`` (study folders, what a sheet holds), ``common`` (shared error handling),
``spoken`` (what was said: the NLP's text and the quotes people read) and ``notes`` (the
closed list of transcriber notes a quote leaves out).
Document libraries and pandas are imported inside the functions that need them, so importing
this package stays cheap.
"""

from __future__ import annotations

from qualcode.decoding import decode
from qualcode.ingest.readers import READERS, SUPPORTED_SUFFIXES, Reader, read_document
from qualcode.ingest.sheets import read_attributes, read_responses, read_table
from qualcode.ingest.spoken import spoken_text
from qualcode.ingest.text import content_hash, normalise
from qualcode.ingest.turns import parse_turns
from qualcode.ingest.types import Document, ParsedTurn, Response

__all__ = [
    "READERS",
    "SUPPORTED_SUFFIXES",
    "Document",
    "ParsedTurn",
    "Reader",
    "Response",
    "content_hash",
    "decode",
    "normalise",
    "parse_turns",
    "read_attributes",
    "read_document",
    "read_responses",
    "read_table",
    "spoken_text",
]
