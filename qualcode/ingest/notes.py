"""Transcriber notes: the closed list of square-bracketed words that are certainly not speech.

Square brackets in a transcript hold two kinds of text. Transcribers write what they heard
but is not words: ``[laughs]``, ``[pause]``, ``[inaudible 00:12:03]``. Researchers write
their own words into what was said: insertions that make a sentence readable
(``[management is]``), anonymisations (``[hospital name]``, ``[Name]``) and ``[sic]``. A
quote that drops the second kind changes what a participant is reported to have said, so a
quote shown to people leaves out only the first kind, and only what this list names:
everything else in brackets stays.

:data:`TRANSCRIBER_NOTES` is that list (English, German, French and Spanish, the languages
the example study and the label rule know). A note matches when the words inside its
brackets, compared case-insensitively with punctuation and runs of spaces read as one space,
are one of the list's phrases, optionally followed by a time or a duration
(``[pause 3 sec]``, ``[Pause, 00:02]``); a phrase of :data:`OPEN_NOTES` may be followed by
anything (``[inaudible 00:12:03]``, ``[unclear: two words]``, ``[unverständlich, ca. 3 Sek.]``).
A bare timestamp (``[00:12:03]``, ``[12:03]``) and ``[?]`` are notes too.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from qualcode.ingest.labels import TIMESTAMP

TRANSCRIBER_NOTES: frozenset[str] = frozenset(
    {
        # English
        "laugh", "laughs", "laughing", "laughter", "chuckles", "giggles",
        "pause", "pauses", "long pause", "short pause", "brief pause",
        "crosstalk", "cross talk", "overlapping", "overlapping speech", "overlapping talk",
        "unintelligible", "indiscernible", "incomprehensible",
        "cough", "coughs", "coughing", "sigh", "sighs", "sighing", "clears throat",
        "silence", "background noise", "noise",
        # German
        "lacht", "lachen", "lachend", "lacht kurz", "beide lachen", "gelächter",
        "kurze pause", "lange pause",  # and "pause"
        "räuspert sich", "räuspern", "seufzt", "seufzen", "hustet", "husten",
        "gleichzeitig", "durcheinander", "stille", "hintergrundgeräusche",
        # French
        "rires", "rire", "rit", "toux", "soupir", "soupire", "brouhaha",
        # Spanish
        "risas", "risa", "ríe", "pausa", "pausa larga", "silencio", "tos", "suspira",
        "ruido de fondo",
    }
)  # fmt: skip
"""Phrases that make a whole note (after normalising: lower case, punctuation as spaces)."""

OPEN_NOTES: frozenset[str] = frozenset(
    {
        "inaudible",  # English, French and Spanish alike
        "unclear",
        "unverständlich",
        "unv",
        "incompréhensible",
        "ininteligible",
        "inentendible",
    }
)
"""Phrases that start a note whatever follows them (a time, a guess, a word count)."""

_BRACKETED = re.compile(r"\[([^\[\]\n]{1,60})\]")
_TOKEN = re.compile(r"\d[\d:.,]*|[^\W\d_]+")  # a number or time, or a word of letters
_TIME = re.compile(rf"{TIMESTAMP}|\d+(?:[.,]\d+)?")
_UNITS = frozenset("s sec secs second seconds sek sekunden min mins minute minutes minuten".split())


def is_transcriber_note(inner: str) -> bool:
    """Whether ``inner`` (the text between a pair of square brackets) is a transcriber note
    of the closed list (see the module docstring)."""
    tokens = _TOKEN.findall(inner.casefold())
    if not tokens:
        return set(inner.strip()) == {"?"}  # [?], [??]
    if len(tokens) == 1 and re.fullmatch(TIMESTAMP, tokens[0]):
        return True  # a bare timestamp
    if tokens[0] in OPEN_NOTES:
        return True
    for cut in range(len(tokens), 0, -1):
        if " ".join(tokens[:cut]) in TRANSCRIBER_NOTES:
            return _duration(tokens[cut:])
    return False


def _duration(tokens: list[str]) -> bool:
    """Nothing, or a time or a duration ("3 sec", "00:02"): what may follow a listed note."""
    if not tokens:
        return True
    if _TIME.fullmatch(tokens[0].rstrip(".,")) is None:
        return False
    return len(tokens) == 1 or (len(tokens) == 2 and tokens[1] in _UNITS)


def transcriber_notes(
    text: str, start: int = 0, end: int | None = None
) -> Iterator[tuple[int, int]]:
    """The ``[start, end)`` spans (brackets included) of the transcriber notes that lie
    wholly inside ``text[start:end]``."""
    stop = len(text) if end is None else end
    for m in _BRACKETED.finditer(text, start, stop):
        if is_transcriber_note(m.group(1)):
            yield m.span()


def bracketed(text: str, start: int = 0, end: int | None = None) -> Iterator[tuple[int, int]]:
    """The spans of every short square-bracketed passage (up to 60 characters on one line)
    inside ``text[start:end]``, notes and researcher's insertions alike."""
    stop = len(text) if end is None else end
    for m in _BRACKETED.finditer(text, start, stop):
        yield m.span()
