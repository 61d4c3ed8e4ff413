"""Whose codings a figure counts, said in one line that travels with every table.

Two coders who each coded every source make every count a sum of two codings, and an agreed
coding made by ``reconcile`` is a third coder of its own: a table that pools them without a
word reads as one researcher's figures. :class:`Counted` names the coders a table counts and
how (the agreed coding, one coder, several pooled); the facade puts it on every table it
returns as ``DataFrame.attrs`` (:func:`mark`), and each output shows it: the line above a
terminal table, a field or sheet in files, a chart's subtitle.

Nothing here reads the project: the facade decides who is counted (``Project.counted``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    import pandas as pd

Mode = Literal["agreed", "only", "pooled", "all", "chosen", "each"]
ATTRS = ("coders", "counted", "filters")  # the DataFrame.attrs keys a table carries


@dataclass(frozen=True, slots=True)
class Counted:
    """The coders a figure counts and how.

    Attributes:
        coders: the coders whose codings are counted, in the project's order.
        mode: ``agreed`` (the agreed coder, by default once there is one), ``only`` (the
            project's one coder), ``pooled`` (every coder, by default without an agreed
            one), ``all`` (every coder, asked for with ``--coder all``), ``chosen`` (the
            coders named with ``--coder``) or ``each`` (every coder, each apart: a
            breakdown by coder).
        reconciled_from: the coders the agreed coding was reconciled from, where known.
    """

    coders: tuple[str, ...]
    mode: Mode
    reconciled_from: tuple[str, ...] = ()

    @property
    def text(self) -> str:
        """One sentence for people: whose codings are counted, and how to count others."""
        names = and_list(self.coders)
        if not self.coders:
            return "No codings yet: nothing is counted."
        if self.mode == "agreed":
            source = ""
            if self.reconciled_from:
                source = f", reconciled from {and_list(self.reconciled_from)}"
            return (
                f"Counts the agreed coding (coder {self.coders[0]!r}{source}); "
                "--coder all pools every coder."
            )
        if self.mode == "each":
            return f"Counts each coder apart: {names}."
        if len(self.coders) == 1:
            alone = " (the only coder)" if self.mode in ("only", "pooled", "all") else ""
            return f"Counts the codings of {names}{alone}."
        both = "both" if len(self.coders) == 2 else "two of them"
        how = f"a passage coded by {both} is one passage and two codings"
        if self.mode == "chosen":
            return f"Pools {len(self.coders)} chosen coders, {names}: {how}."
        if self.mode == "all":
            return f"Pools every coder (--coder all), {len(self.coders)}: {names}; {how}."
        return f"Pools {len(self.coders)} coders, {names}: {how}; --coder NAME counts one coder."


def and_list(names: Sequence[str]) -> str:
    """``anna``, ``anna and ben``, ``anna, ben and carl``."""
    items = [str(n) for n in names]
    if len(items) < 2:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def mark(frame: pd.DataFrame, counted: Counted, filters: str = "") -> pd.DataFrame:
    """``frame`` with whose codings it counts in its ``attrs`` (``coders``, ``counted``,
    ``filters``), set last so that no later step of the facade drops them."""
    frame.attrs["coders"] = list(counted.coders)
    frame.attrs["counted"] = counted.text
    frame.attrs["filters"] = filters
    return frame
