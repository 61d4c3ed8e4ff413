"""Colours of codes: a code's own colour, else its parent's, else one from a palette.

The palette (Tableau 10 and its light companions) keeps neighbouring codes distinguishable in
light and dark themes alike; the transcript blends it with the background for legibility.
"""

from __future__ import annotations

from qualcode.model import Codebook

PALETTE = (
    "#4c78a8", "#f58518", "#54a24b", "#e45756", "#72b7b2", "#eeca3b", "#b279a2",
    "#ff9da6", "#9d755d", "#bab0ac", "#1f77b4", "#2ca02c", "#d62728", "#9467bd",
)  # fmt: skip


def code_colors(book: Codebook) -> dict[int, str]:
    """The colour to paint each code's spans with."""
    out: dict[int, str] = {}
    for i, code in enumerate(book):  # parents come first
        if code.color:
            out[code.id] = code.color
        elif code.parent_id is not None and code.parent_id in out:
            out[code.id] = out[code.parent_id]
        else:
            out[code.id] = PALETTE[i % len(PALETTE)]
    return out


def next_color(book: Codebook) -> str:
    """A palette colour no code uses yet (or the least used one)."""
    used = [c.color for c in book if c.color]
    return min(PALETTE, key=used.count)
