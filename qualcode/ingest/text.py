"""The one normalisation every transcript gets, and the control characters it may not keep.

Offsets are sacred (see DESIGN.md): a source's text is normalised exactly once, here, and
never changes afterwards, so every coding's ``[start, end)`` stays valid. Normalising is
therefore deliberately minimal: Unicode NFC, ``\\n`` newlines, no leading byte-order mark.
Speaker labels, timestamps, markdown and extra spaces all stay in the text.

Control characters other than tab and newline (and CR, which becomes a newline) are not
text: :func:`remove_controls` takes them out before a text is stored, and the count goes to
the import report. Decoding the bytes comes first, in :mod:`qualcode.decoding`, which the
codebook files share.
"""

from __future__ import annotations

import re
import unicodedata

# What remove_controls() takes out: C0 controls but tab and newline, DEL, and C1 controls.
# CR is gone already (normalise() made it a newline) when this runs.
_STRAY_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def normalise(text: str) -> str:
    """Normalise a transcript's text once, on import.

    Unicode NFC, CRLF and lone CR to ``\\n``, a leading byte-order mark removed.
    Everything else (labels, timestamps, spacing, markdown) is kept.

    Args:
        text: the decoded text.

    Returns:
        The normalised text.
    """
    if text.startswith("\ufeff"):
        text = text[1:]
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return unicodedata.normalize("NFC", text)


def controls_note(removed: int) -> list[str]:
    """The import report's line for control characters removed (none when 0)."""
    if not removed:
        return []
    return [f"{removed} control character(s) removed (tab and newline are kept)"]


def remove_controls(text: str) -> tuple[str, int]:
    """Take out control characters other than tab and newline (run after :func:`normalise`).

    Args:
        text: normalised text.

    Returns:
        The text without them, and how many were removed.
    """
    if _STRAY_CONTROL.search(text) is None:  # the usual case: no copy of a large text
        return text, 0
    cleaned = _STRAY_CONTROL.sub("", text)
    return cleaned, len(text) - len(cleaned)
