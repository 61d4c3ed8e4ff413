"""Whose codings the reports count, and the filters that choose them, checked.

Every table of :mod:`qualcode.project.analysis` counts the coders :meth:`Counting.counted`
names: with no ``coder`` given, the agreed coding once the project has one
(:meth:`Counting.agreed_coder`), else its one coder, else every coder pooled (and the
tables say so); ``coder="all"`` pools every coder on purpose; names count those coders.

A filter value the project does not have (a coder, a source, an attribute or one of its
values) is refused with the closest ones: a typo must not become an empty table.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

from qualcode.analysis.counted import Counted, and_list
from qualcode.errors import ProjectError
from qualcode.project.base import did_you_mean

if TYPE_CHECKING:
    import pandas as pd

    from qualcode.project.base import ProjectContext

Refs = str | int | Sequence[str | int] | None
Where = Mapping[str, str | Sequence[str]] | None

# The settings ``reconcile`` writes: the coder holding the agreed coding (its ``--into``)
# and the coders it was reconciled from, comma-separated.
AGREED_NAME = "agreed"  # reconcile's default --into, taken as agreed before any setting says so
ALL_CODERS = "all"
SHOWN_VALUES = 12  # values listed in a refusal; an attribute may have hundreds


def listed(value: Refs) -> list[str | int] | None:
    if value is None:
        return None
    if isinstance(value, str | int):
        return [value]
    return list(value)


class Counting:
    """Which coders' codings the reports count, and the filters they take."""

    def __init__(self, ctx: ProjectContext) -> None:
        self._ctx = ctx

    def agreed_coder(self) -> str | None:
        """The coder that holds the project's agreed coding, if it has codings: the one the
        setting ``reconcile.into`` names, else the one the newest standing reconcile decision
        went into (on a server a coder who may not write settings still logs decisions),
        else a coder named ``agreed``. Reports count it by default."""
        coded = self.coded_by()
        named = self._ctx.settings().reconcile_into
        if named and named in coded:
            return named
        last = self._ctx.store.last_decision()
        for name in (last[0] if last else None, AGREED_NAME):
            if name and name in coded:
                return name
        return None

    def coded_by(self) -> list[str]:
        """The coders with at least one coding, in the project's order."""
        import numpy as np  # deferred: see qualcode.project.analysis

        coders = self._ctx.store.coders_frame()
        used = np.unique(self._ctx.store.codings_frame()["coder_id"].to_numpy())
        pairs = zip(coders["coder_id"].tolist(), coders["coder"].tolist(), strict=True)
        return [str(name) for i, name in pairs if i in used]

    def counted(self, coder: Refs = None, *, by: str | None = None) -> Counted:
        """Whose codings a table with these filters counts (see the module docstring).

        Args:
            coder: None (the default rule), ``"all"`` (every coder pooled) or coder names.
            by: the table's breakdown; by ``coder``, the default counts each coder apart.

        Raises:
            ProjectError: a coder the project does not have, with the closest names.
        """
        names = [str(n) for n in listed(coder) or []]
        if ALL_CODERS in names and len(names) > 1:
            raise ProjectError(f"--coder {ALL_CODERS} pools every coder: give it alone")
        if names and names != [ALL_CODERS]:
            known = self._ctx.store.coders()
            for name in names:
                if name not in known:
                    raise ProjectError(
                        f"no coder {name!r} in the project{did_you_mean(name, known)}; "
                        f"coders: {', '.join(known) or 'none yet'}",
                        file=self._ctx.label,
                    )
            return Counted(tuple(dict.fromkeys(names)), "chosen")
        coded = tuple(self.coded_by())
        if names:
            return Counted(coded, "all")
        if by == "coder":
            return Counted(coded, "each")
        agreed = self.agreed_coder()
        if agreed is not None:
            return Counted((agreed,), "agreed", self._reconciled_from(agreed))
        return Counted(coded, "only" if len(coded) == 1 else "pooled")

    def _reconciled_from(self, agreed: str) -> tuple[str, ...]:
        settings = self._ctx.settings()
        if settings.reconcile_into == agreed:
            return settings.reconcile_coders
        last = self._ctx.store.last_decision()
        return last[1] if last is not None and last[0] == agreed else ()

    def counted_ids(self, counted: Counted, coders: pd.DataFrame) -> list[int] | None:
        """The coder ids a table reads for ``counted`` (None: every coder's codings)."""
        if counted.mode in ("pooled", "all", "each", "only"):
            return None
        ids = dict(zip(coders["coder"], coders["coder_id"], strict=True))
        return [int(ids[name]) for name in counted.coders]

    # -- filters on sources --------------------------------------------------------------

    def check_where(self, sources: pd.DataFrame, where: Where) -> dict[str, list[str]]:
        """``where`` as lists of values, each attribute and value checked against
        ``sources`` (all of the project's): one that no source has is refused, with the
        closest ones. The values of one attribute are alternatives: each must exist."""
        fixed = ("source_id", "source", "kind", "language", "length")
        attributes = ["kind", "language", *(c for c in sources.columns if c not in fixed)]
        allowed = [*attributes, "source"]
        out: dict[str, list[str]] = {}
        for name, values in (where or {}).items():
            if name not in allowed:
                raise ProjectError(
                    f"no attribute {name!r} to filter on{did_you_mean(name, attributes)}; "
                    f"known: {', '.join(attributes)}",
                    file=self._ctx.label,
                )
            wanted = [values] if isinstance(values, str) else [str(v) for v in values]
            column = sources[name]
            have = sorted({str(v) for v in column[column.notna()].tolist()})
            for value in wanted:
                if value not in have:
                    some = [v for v in have if v.strip()]
                    shown = ", ".join(some[:SHOWN_VALUES]) + (
                        f" ... ({len(some)} values)" if len(some) > SHOWN_VALUES else ""
                    )
                    raise ProjectError(
                        f"no source has {name}={value}{did_you_mean(value, have)}; "
                        f"{name} values: {shown or 'none'}",
                        file=self._ctx.label,
                    )
            out[name] = wanted
        return out


def describe_filters(
    *, code: Sequence[str] = (), sources: Sequence[str] = (), where: Mapping[str, list[str]]
) -> str:
    """The filters of a table in words, for the files it is written to: ``""`` for none."""
    parts = []
    if code:
        parts.append(
            f"code {code[0]} and its subtree"
            if len(code) == 1
            else f"codes {and_list(code)} and their subtrees"
        )
    if sources:
        parts.append(f"sources {and_list(sources)}")
    parts += [f"{name} = {' or '.join(values)}" for name, values in where.items()]
    return "; ".join(parts)
