"""Subtitle transcripts: WebVTT (.vtt) and SubRip (.srt), as video-call tools export them.

Each cue becomes one line, ``[hh:mm:ss] Speaker: text`` when the cue names its speaker
(a WebVTT voice tag ``<v Anna>``, or a ``Name:`` at the start of the cue text, which is
already in that shape) and ``[hh:mm:ss] text`` otherwise; a cue's own line breaks are
joined with spaces and its formatting tags dropped. The turns are then found by
:func:`parse_turns` over that text, like for any other transcript, so re-parsing a stored
source gives the same turns: a timestamped label needs no repetition to count, consecutive
cues of one speaker merge into one turn with the first cue's time, and a cue without a
speaker continues the current speaker's turn (subtitles often name the speaker only when
it changes).

The bytes are decoded by :func:`qualcode.decoding.decode`, not by webvtt-py, so
subtitle files get the same encoding detection as plain text (SubRip files in particular
are often cp1252).
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from qualcode.decoding import decode_bytes
from qualcode.errors import ImportFormatError
from qualcode.ingest.common import build_document, library_errors, read_bytes
from qualcode.ingest.text import normalise
from qualcode.ingest.types import Document
from qualcode.model import clock

VTT_READER = "qualcode.reader.vtt.v1"
SRT_READER = "qualcode.reader.srt.v1"


def read_vtt(
    path: Path, *, speaker_pattern: str | None = None, max_size: int | None = None
) -> Document:
    """Read a WebVTT transcript (speakers from ``<v Name>`` voice tags or ``Name:``).

    Args:
        path: the file.
        speaker_pattern: a user's speaker regex, matched against the built
            ``[hh:mm:ss] ...`` lines (see :func:`parse_turns`).
        max_size: refuse a file larger than this many bytes; None for no limit.

    Returns:
        The document, one line per cue.

    Raises:
        ImportFormatError: unreadable, not WebVTT, or without cues.
    """
    return _read_captions(path, "vtt", VTT_READER, "WebVTT (.vtt)", speaker_pattern, max_size)


def read_srt(
    path: Path, *, speaker_pattern: str | None = None, max_size: int | None = None
) -> Document:
    """Read a SubRip transcript (speakers from ``Name:`` at the start of a cue).

    Args:
        path: the file.
        speaker_pattern: a user's speaker regex, matched against the built
            ``[hh:mm:ss] ...`` lines (see :func:`parse_turns`).
        max_size: refuse a file larger than this many bytes; None for no limit.

    Returns:
        The document, one line per cue.

    Raises:
        ImportFormatError: unreadable, not SubRip, or without cues.
    """
    return _read_captions(path, "srt", SRT_READER, "SubRip (.srt)", speaker_pattern, max_size)


def cue_line(start_seconds: int, text: str, voice: str | None = None) -> str | None:
    """One cue as a transcript line, or None for a cue with nothing said.

    Args:
        start_seconds: when the cue starts.
        text: the cue's text without tags.
        voice: the speaker from a voice tag, if any.
    """
    said = " ".join(text.split())
    if not said:
        return None
    stamp = f"[{clock(start_seconds)}]"
    # A colon inside the name would end the label early; brackets confuse the timestamp.
    name = " ".join((voice or "").translate(str.maketrans(":[]*", "    ")).split())
    return f"{stamp} {name}: {said}" if name else f"{stamp} {said}"


def _read_captions(
    path: Path,
    kind: str,
    reader: str,
    description: str,
    speaker_pattern: str | None,
    max_size: int | None,
) -> Document:
    decoded = decode_bytes(read_bytes(path, max_size), path)
    with library_errors(path, description):
        # Deferred: only subtitle files need webvtt-py.
        import webvtt

        parsed = webvtt.from_buffer(io.StringIO(normalise(decoded.text)), format=kind)
        captions: list[Any] = parsed.captions
        lines = [cue_line(c.start_time.in_seconds(), c.text, c.voice) for c in captions]
    text = "\n".join(line for line in lines if line is not None)
    if not text:
        raise ImportFormatError(f"has no {description} cues with text", file=path)
    return build_document(
        text,
        path=path,
        reader=reader,
        speaker_pattern=speaker_pattern,
        encoding=decoded.encoding,
        notes=decoded.notes(),
    )
