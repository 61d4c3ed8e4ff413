"""Code names as labels that fit a column: wrapped at words, never cut mid-word.

A code name is the researcher's word for a theme ("Confidentiality and hierarchy"); a label
that ends in "Confidentiality and hier…" leaves them guessing which code it is. So a name
too long for its column wraps onto more lines, or, where a widget has one line per code (a
tree), is shortened at a word with "…" and shown whole elsewhere (a tooltip, a details pane).
"""

from __future__ import annotations

import textwrap

from rich.cells import cell_len

from qualcode.model import split_path


def own_name(path: str) -> str:
    """The last part of a code path, whole (``Parent/Child`` gives ``Child``; a name with an
    escaped '/' stays whole)."""
    return split_path(path)[-1]


def wrap_name(name: str, width: int) -> list[str]:
    """``name`` in lines of at most ``width`` cells, broken between words; a single word
    longer than the line is carried on over the next line, so nothing is lost."""
    width = max(width, 1)
    if cell_len(name) <= width:
        return [name]
    return textwrap.wrap(name, width, break_on_hyphens=False) or [name]


def shorten_name(name: str, width: int) -> str:
    """``name`` in at most ``width`` cells: whole if it fits, else cut after the last
    whole word that fits, with "…" (a first word alone too long is cut with "…")."""
    if cell_len(name) <= width:
        return name
    words = name.split()
    kept = ""
    for word in words:
        longer = f"{kept} {word}" if kept else word
        if cell_len(longer) + 1 > width:
            break
        kept = longer
    if not kept:
        kept = name[: max(width - 1, 0)]
    return kept + "…"
