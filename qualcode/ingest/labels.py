"""Speaker labels at the start of a line: what they look like, and which ones count.

The rule (decided here, used by :func:`qualcode.ingest.turns.parse_turns`):

1. **Shape.** A label sits at the start of a line, after optional indentation and an
   optional timestamp (``[00:01:23]``, ``(00:01:23)``, or a bare ``00:01:23`` and a space),
   and ends in a colon followed by white space or the end of the line. The forms:
   ``Name:``, ``Name (00:01:23):``, ``Name [00:01:23]:``, ``**Name:**`` and ``**Name**:``;
   ``Name<TAB>`` (two columns); or a name and a time alone on a line
   (``Maya Okafor  0:03``, as Otter and Microsoft Teams write transcripts), what was said
   following on the next lines.
   Timestamps are ``hh:mm:ss`` or ``mm:ss`` with optional ``.mmm``/``,mmm``.
2. **Name.** Starts with a letter; at most 4 words and 40 characters; letters, digits,
   spaces, ``- ' ’ ( ) & / #``; a full stop only to end a title or an initial of at most
   four letters (``Dr.``, ``Prof.``, ``J.``), so sentences (``So what I mean is:``)
   do not qualify. A *strong* label, one with a timestamp, may have up to 6 words,
   60 characters and a comma (``[00:00:05] Weber, Anna:``, as video-call transcripts
   write names).
3. **Evidence.** A name that passes is a speaker if any of these holds:

   - it is a well-known role: interviewer, interviewee, respondent, participant,
     moderator, facilitator, observer, researcher, student, speaker, host, guest,
     panelist, expert, question, answer and their German and French forms
     (``Interviewerin``, ``Befragte``, ``Teilnehmer``, ``Sprecher``, ``Enquêteur``...),
     each optionally numbered or lettered (``Speaker 1``, ``Participant #3``,
     ``Student B``); a code of one capital and up to three digits (``I``, ``R``,
     ``B``, ``Q``, ``A``, ``P3``); or a short code ``IP``, ``IV``, ``TN``, ``Int``,
     ``Resp``, ``Mod`` with optional digits;
   - it is a title and a capitalised name (``Dr. Weber``, ``Prof. Anna Lindqvist``,
     ``Ms van der Berg``, ``Frau Albrecht``, but not ``Dr. Weber said``): in an expert
     panel each expert may speak only once;
   - the label is strong (timestamped): transcription tools and subtitle cues put
     timestamps only before speakers. Markdown bold is not evidence on its own, as
     ``**Background:**`` lead-ins show;
   - the same name (compared case-insensitively) labels at least two lines of the
     document: a real speaker talks more than once, a ``Summary:`` line does not;
   - it is one of a lettered or numbered series whose other members are speakers by the
     rules above (``Nurse C`` beside ``Nurse A`` and ``Nurse B`` who speak twice): in a
     focus group some speak only once.

   Never a speaker, however often repeated: common headings such as ``Note``,
   ``Example``, ``Date``, ``Location``, ``Duration``, ``Comment``, ``Anmerkung``,
   ``Beispiel``, ``Datum``... (see ``_NOT_SPEAKERS``).

A timestamp alone in brackets (``[00:01:23] text``, as built from subtitle cues without
a speaker) marks a new turn without a speaker, unless a speaker is talking: then it is
part of that speaker's turn.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

TIMESTAMP = r"\d{1,3}:\d{2}(?::\d{2})?(?:[.,]\d{1,3})?"
_TIMESTAMP_PARTS = re.compile(r"(?:(\d+):)?(\d+):(\d{2})(?:[.,](\d{1,3}))?")

_LEADING_TIMESTAMP = re.compile(
    rf"[ \t]*(?:\[(?P<bracketed>{TIMESTAMP})\]|\((?P<parenthesised>{TIMESTAMP})\)"
    rf"|(?P<bare>{TIMESTAMP})(?=[ \t]))[ \t]*"
)
# The name is lazy so that a timestamp after it (``Name (00:01:23):``) is not eaten;
# it cannot run over a colon, so it never reaches past the first one on the line.
_NAME = r"[^\W\d_][^:\n*\[\]]{0,59}?"


def _after_name_timestamp(group: str) -> str:
    return rf"(?:[ \t]*[\[(](?P<{group}>{TIMESTAMP})[\])])?"


_LABEL = re.compile(
    rf"\*\*(?P<bold>{_NAME}){_after_name_timestamp('bold_time')}[ \t]*(?::\*\*|\*\*[ \t]*:)"
    rf"|(?P<plain>{_NAME}){_after_name_timestamp('plain_time')}[ \t]*:"
    # A tab instead of the colon: speaker and text in two columns, as a transcript pasted
    # from a spreadsheet or a transcription service's table reads.
    rf"|(?P<tabbed>[^\W\d_][^:\n*\[\]\t]{{0,59}}?){_after_name_timestamp('tab_time')}\t"
)

# A speaker's name and a time alone on a line, what was said on the lines below: the
# transcripts of Otter, Microsoft Teams and similar tools ("Maya Okafor  0:03").
_HEADER = re.compile(
    rf"[ \t]*(?P<name>[^\W\d_][^:\n*\[\]()]{{0,59}}?)[ \t]+"
    rf"[\[(]?(?P<time>{TIMESTAMP})[\])]?[ \t]*"
)

_STRICT_CHARS = frozenset(" .-'’()&/#")
_STRONG_CHARS = _STRICT_CHARS | {","}
_TITLE_OR_INITIALS = re.compile(r"(?:[^\W\d_]{1,4}\.)+")

_ROLE_WORDS = (
    # English
    "interviewer",
    "interviewee",
    "respondent",
    "participant",
    "moderator",
    "facilitator",
    "observer",
    "researcher",
    "student",
    "speaker",
    "host",
    "guest",
    "panelist",
    "panellist",
    "expert",
    "question",
    "answer",
    # German
    "interviewerin",
    "interviewte",
    "interviewter",
    "interviewende",
    "interviewender",
    "befragte",
    "befragter",
    "befragende",
    "befragender",
    "teilnehmer",
    "teilnehmerin",
    "teilnehmende",
    "teilnehmender",
    "moderatorin",
    "sprecher",
    "sprecherin",
    "studentin",
    "studierende",
    "studierender",
    "experte",
    "expertin",
    "beobachter",
    "beobachterin",
    "proband",
    "probandin",
    "gast",
    "frage",
    "antwort",
    # French
    "enquêteur",
    "enquêtrice",
    "enquêté",
    "enquêtée",
    "intervieweur",
    "intervieweuse",
    "interviewé",
    "interviewée",
    "animateur",
    "animatrice",
    "participante",
    "répondant",
    "répondante",
    "étudiant",
    "étudiante",
)
_ROLE = re.compile(
    rf"(?i:{'|'.join(_ROLE_WORDS)})"
    # ``Speaker 1``, ``Participant #3``, ``Student B``; the letter must stand apart and be a
    # capital, so that ``Participants`` (a heading listing who was there) is not a role.
    r"(?:[ \t]*[#-]?[ \t]*\d{1,3}|(?:[ \t]+|[ \t]*-[ \t]*)[A-Z])?"
    r"|[A-Z]\d{0,3}"
    r"|(?i:IP|IV|TN|TP|Int|Intv|Resp|Mod|Fac)\d{0,3}"
)

_TITLES = frozenset(
    ("dr", "prof", "mr", "mrs", "ms", "mx", "miss", "sir", "dame", "frau", "herr", "hr",
     "fr", "mme", "mlle", "m", "dipl", "pd")
)  # fmt: skip

_NAME_PARTICLES = frozenset(
    ("van", "von", "der", "den", "de", "del", "della", "di", "da", "du", "la", "le", "ten",
     "ter", "zu", "bin", "al")
)  # fmt: skip

# Headings and notes that look like labels but never name a speaker, however often.
_NOT_SPEAKERS = frozenset(
    (
        # English
        "note", "notes", "nb", "n.b", "ps", "p.s", "example", "examples", "e.g", "eg",
        "i.e", "ie", "comment", "comments", "remark", "remarks", "summary", "aside",
        "edit", "update", "warning", "caution", "tip", "important", "attention",
        "definition", "reference", "references", "see also", "context", "background",
        "keywords", "tags", "code", "codes", "memo", "theme", "themes", "topic",
        "subject", "title", "date", "time", "location", "place", "venue", "duration",
        "length", "file", "filename", "source", "recording", "audio", "video",
        "transcript", "transcription", "transcriber", "transcribed by", "translation",
        "translated by", "present", "attendees", "absent", "agenda", "interview date",
        "project", "version", "status",
        # German
        "anmerkung", "anmerkungen", "hinweis", "notiz", "beispiel", "beispiele",
        "kommentar", "zusammenfassung", "datum", "uhrzeit", "zeit", "ort", "dauer",
        "thema", "titel", "quelle", "aufnahme", "transkript", "transkription",
        "transkribiert von", "übersetzung", "anwesend",
        # French
        "remarque", "exemple", "lieu", "durée", "sujet",
    )
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class LabelCandidate:
    """What the start of one line looks like.

    ``end`` is the index in the line just after the label (or after a lone timestamp),
    where what was said begins (possibly after white space).
    """

    end: int
    name: str | None  # whitespace-normalised, None for a lone timestamp
    timestamp: float | None
    strong: bool  # timestamped: counts without being repeated
    lone_timestamp_end: int | None  # set when the line starts with [ts] or (ts)


def parse_timestamp(value: str | None) -> float | None:
    """``hh:mm:ss``, ``mm:ss`` (optional ``.mmm``/``,mmm``) or plain seconds to seconds."""
    if not value:
        return None
    value = value.strip()
    parts = _TIMESTAMP_PARTS.fullmatch(value)
    if parts is None:
        try:
            seconds = float(value.replace(",", "."))
        except ValueError:
            return None
        return seconds if math.isfinite(seconds) and seconds >= 0 else None
    hours, minutes, secs, fraction = parts.groups()
    total = int(hours or 0) * 3600 + int(minutes) * 60 + int(secs)
    return total + (float(f"0.{fraction}") if fraction else 0.0)


def speaker_key(name: str) -> str:
    """The key under which spellings of one speaker are the same (``INTERVIEWER``)."""
    return " ".join(name.split()).casefold()


def find_label(line: str) -> LabelCandidate | None:
    """The speaker label (or lone timestamp) at the start of ``line``, if its shape fits.

    Only the shape is checked here (rules 1 and 2 of the module docstring); whether the
    name is a speaker depends on the whole document (rule 3, :func:`is_speaker`).
    """
    header = _HEADER.fullmatch(line)
    if header is not None:
        name = " ".join(header["name"].split())
        if _name_fits(name, strong=False):
            # Not "strong": a line such as "We met at 10:30" has this shape too, so the
            # name must recur (or be a role or a title) to count as a speaker.
            return LabelCandidate(len(line), name, parse_timestamp(header["time"]), False, None)
    pos = len(line) - len(line.lstrip(" \t"))  # indented labels count too
    timestamp_text, lone_end = None, None
    leading = _LEADING_TIMESTAMP.match(line, pos)
    if leading is not None:
        pos = leading.end()
        timestamp_text = leading["bracketed"] or leading["parenthesised"] or leading["bare"]
        if leading["bare"] is None:
            lone_end = pos
    label = _LABEL.match(line, pos)
    if label is not None and _ends_label(line, label.end()):
        raw_name = next(label[g] for g in ("bold", "plain", "tabbed") if label[g] is not None)
        timestamp_text = (
            timestamp_text or label["bold_time"] or label["plain_time"] or label["tab_time"]
        )
        strong = timestamp_text is not None
        name = " ".join(raw_name.split())
        if _name_fits(name, strong=strong):
            return LabelCandidate(
                label.end(), name, parse_timestamp(timestamp_text), strong, lone_end
            )
    if lone_end is not None:
        return LabelCandidate(lone_end, None, parse_timestamp(timestamp_text), True, lone_end)
    return None


def is_speaker(
    name: str, *, strong: bool, occurrences: int, series: frozenset[str] = frozenset()
) -> bool:
    """Rule 3: whether a label whose name fits is a speaker.

    Args:
        name: the whitespace-normalised name.
        strong: the label has a timestamp.
        occurrences: how many lines of the document carry this name as a label.
        series: the stems (:func:`series_stem`) of the document's speakers by the other
            rules, so one more of a series counts too.
    """
    key = speaker_key(name)
    if key.rstrip(".") in _NOT_SPEAKERS:
        return False
    if strong or occurrences >= 2 or is_role(name) or _is_titled(name):
        return True
    stem = series_stem(name)
    return stem is not None and stem in series


_SERIES = re.compile(r"(?P<stem>[^\W\d_][^\d]*?)[ \t]+(?:[A-Z]|\d{1,3})")


def series_stem(name: str) -> str | None:
    """The stem of a lettered or numbered name (``nurse`` of ``Nurse C``, ``teacher`` of
    ``Teacher 3``), else None."""
    found = _SERIES.fullmatch(name)
    return speaker_key(found["stem"]) if found is not None else None


def is_role(name: str) -> bool:
    """A well-known role such as ``Interviewer``, ``Befragte``, ``Speaker 2`` or ``P3``."""
    return _ROLE.fullmatch(name) is not None


def _is_titled(name: str) -> bool:
    """``Dr. Weber``, ``Prof. Anna Lindqvist``, ``Frau Albrecht``: a title, then a name.

    The words after the title must look like a name (capitalised, or a particle such as
    ``van``), so that a sentence like ``Dr. Weber said: ...`` is not a label.
    """
    title, *rest = name.split(" ")
    if not rest or title.rstrip(".").casefold() not in _TITLES:
        return False
    return rest[-1][:1].isupper() and all(w[:1].isupper() or w in _NAME_PARTICLES for w in rest)


def _ends_label(line: str, end: int) -> bool:
    return end == len(line) or line[end].isspace() or line[end - 1] == "\t"


def _name_fits(name: str, *, strong: bool) -> bool:
    """Rule 2: short, few words, no sentence punctuation, full stops only in titles."""
    limit_chars, limit_words = (60, 6) if strong else (40, 4)
    if not name or len(name) > limit_chars:
        return False
    words = name.split(" ")
    if len(words) > limit_words:
        return False
    allowed = _STRONG_CHARS if strong else _STRICT_CHARS
    if not all(c.isalnum() or c in allowed for c in name):
        return False
    if name.count("(") != name.count(")"):
        return False
    return all("." not in word or _TITLE_OR_INITIALS.fullmatch(word) for word in words)
