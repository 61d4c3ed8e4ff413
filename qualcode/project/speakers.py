"""Who speaks in a transcript, as far as coding and importing need to know: which speakers
ask (an interviewer, a moderator) and which answer.

A researcher codes what the participants say; the interviewer's or moderator's questions
("You said the tutors seem busy?") repeat the participants' words and would be counted as
their data. The speakers that ask are known by their labels (:data:`INTERVIEWERS`, whose
turns suggestions and themes skip too), so ``code --match`` leaves their turns out by
default, and an import without a kind tells a group discussion from an interview by how
many others speak.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from qualcode.ingest.labels import speaker_key

# Speakers whose turns are questions, not data, by their labels.
INTERVIEWERS = (
    r"(the )?(interviewer|moderator|facilitator|interviewerin|moderatorin|int|i|q|mod)\d*"
)
_ASKING = re.compile(INTERVIEWERS, re.IGNORECASE)
# What each label that asks is called in a report line.
_ROLES = {
    "interviewer": "interviewer",
    "interviewerin": "interviewer",
    "int": "interviewer",
    "i": "interviewer",
    "q": "interviewer",
    "moderator": "moderator",
    "moderatorin": "moderator",
    "mod": "moderator",
    "facilitator": "facilitator",
}
# Speakers besides those who ask from which a transcript is a group discussion.
GROUP_SIZE = 3
GROUP_KIND = "focus_group"


def asks(speaker: str | None) -> bool:
    """Whether ``speaker`` is an interviewer or moderator by its label."""
    return speaker is not None and _ASKING.fullmatch(speaker.strip()) is not None


def role(speaker: str) -> str:
    """What an asking speaker is called in a sentence: interviewer, moderator or
    facilitator (``INT``, ``Moderatorin``, ``Q`` included)."""
    found = _ASKING.fullmatch(speaker.strip())  # one who asks without the name: interviewer
    return _ROLES.get(found.group(2).casefold(), "interviewer") if found else "interviewer"


def roles(speakers: Iterable[str]) -> str:
    """The roles of asking ``speakers`` joined for a sentence: ``interviewer`` or
    ``interviewer and moderator``."""
    found = sorted({role(s) for s in speakers})
    return " and ".join(found) if found else "interviewer"


def guess_kind(speakers: Iterable[str | None]) -> tuple[str | None, str]:
    """The kind a transcript of these speakers is, if it is a group discussion: three or
    more speakers besides the interviewers and moderators (where none is known by its label,
    one of them is taken to lead). Returns the kind (None: no guess, an interview) and what
    was counted, for the import report."""
    named = {speaker_key(s): s for s in speakers if s and s.strip()}
    leading = [s for s in named.values() if asks(s)]
    others = len(named) - len(leading)
    if leading:
        counted = f"{others} speakers besides the {roles(leading)}"
    else:
        others -= 1
        counted = f"{len(named)} speakers (one of them taken to lead)"
    return (GROUP_KIND if others >= GROUP_SIZE else None), counted
