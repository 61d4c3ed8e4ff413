"""The one normalisation every transcript gets, and the control characters it may not keep.

Offsets are sacred (see DESIGN.md): a source's text is normalised exactly once, here, and
never changes afterwards, so every coding's ``[start, end)`` stays valid. Normalising is
therefore deliberately minimal: Unicode NFC, ``\\n`` newlines, no leading byte-order mark.
Speaker labels, timestamps, markdown and extra spaces all stay in the text.

Control characters other than tab and newline (and CR, which becomes a newline) are not
text: :func:`remove_controls` takes them out before a text is stored, and the count goes to
the import report. :func:`content_hash` is the text's identity, which imports, merges and
syncs compare. Decoding the bytes comes first, in :mod:`qualcode.decoding`, which the
codebook files share.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata

# What remove_controls() takes out: C0 controls but tab and newline, DEL, and C1 controls.
# CR is gone already (normalise() made it a newline) when this runs.
_STRAY_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_HASH_PIECE = 2**20  # characters encoded at a time by content_hash


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


def content_hash(text: str) -> str:
    """Identity of a source's text: same text, same source, whatever its name.

    What an import, a merge and a sync compare, so they must all hash alike: the SHA-256 of
    the normalised text's UTF-8, encoded a piece at a time (a whole copy of a long
    transcript's bytes would only raise the peak memory of an import).

    Args:
        text: a source's normalised text (see :func:`normalise`).

    Returns:
        64 lower-case hex digits.
    """
    digest = hashlib.sha256()
    for start in range(0, len(text), _HASH_PIECE):
        digest.update(text[start : start + _HASH_PIECE].encode("utf-8"))
    return digest.hexdigest()
