"""The team of a project: who codes and who leads (see :mod:`qualcode.store.team`), how the
coders agree and are reconciled, and what an offline copy's sync needs of a project.

Sync (:mod:`qualcode.project.sync`) compares two projects by content, never by id: a coding is
``(source text hash, code path, coder, start, end)`` at both ends. The calls it makes beyond
the rest of the project: the project read whole, its codings' ids by that content, a removal
of codings by id, one transaction around several calls, and the record of the last sync.
"""

from __future__ import annotations

from collections.abc import Collection
from contextlib import AbstractContextManager
from typing import TYPE_CHECKING

from qualcode.store.team import Member

if TYPE_CHECKING:
    from qualcode.interop.refi import RefiProject
    from qualcode.project.agreement import Agreement
    from qualcode.project.base import ProjectContext
    from qualcode.project.reconciling import Reconciling

CodingKey = tuple[str, str, str, int, int]  # source text hash, code path, coder, start, end


class Team:
    """The team of a project: its members, their agreement and reconciling, and what sync needs."""

    def __init__(self, ctx: ProjectContext, agreement: Agreement, reconciling: Reconciling) -> None:
        self._ctx = ctx
        # How the coders agree and are reconciled, offered where the team is.
        self.compare_coders = agreement.compare_coders
        self.agreement = agreement.agreement
        self.disagreements = agreement.disagreements
        self.reconcile = reconciling.reconcile
        self.reconcile_all = reconciling.reconcile_all
        self.decisions = reconciling.decisions
        self.reconciled = reconciling.reconciled

    @property
    def on_server(self) -> bool:
        """Whether the project is on a PostgreSQL server (its coder is then the role)."""
        return self._ctx.store.role is not None

    def members(self) -> list[Member]:
        """The coders and leads of a project on a server, each with their codings."""
        return self._ctx.store.team()

    def add_coder(self, name: str, *, lead: bool = False) -> bool:
        """Make role ``name`` a coder (a lead, with ``lead``); only a lead may. Returns
        whether a login role had to be created for it (it has no password yet)."""
        return self._ctx.store.add_member(name, lead=lead)

    def remove_coder(self, name: str) -> None:
        """Take ``name`` out of the team; its role and its codings stay."""
        self._ctx.store.remove_member(name)

    # -- what sync needs --------------------------------------------------------------

    def transaction(self) -> AbstractContextManager[object]:
        """One transaction around the writes of the block: all of them or none. Inside
        another one, a savepoint."""
        return self._ctx.store.atomic()

    def read_whole(self) -> RefiProject:
        """Everything the project holds, as a merge reads it. Nothing is written: what has
        no REFI-QDA GUID gets a local key (see :func:`qualcode.interop.convert.project_to_refi`)."""
        from qualcode.interop.convert import project_to_refi

        return project_to_refi(self._ctx.store, name=self._ctx.settings().name, assign=False)

    def coding_ids(self) -> dict[CodingKey, int]:
        """Every coding's id by its content: source text hash, case-folded code path,
        coder (exactly as named: ``Anna`` and ``anna`` are two people), start and end."""
        book = self._ctx.codebook()
        paths = {c.id: book.path(c).casefold() for c in book}
        hashes = {s.id: s.content_hash for s in self._ctx.store.list_sources(with_text=False)}
        return {
            (hashes[r.source_id], paths[r.code_id], r.coder, r.start, r.end): r.id
            for r in self._ctx.store.list_codings()
        }

    def remove_codings(self, ids: Collection[int], *, coder: str | None) -> int:
        """Remove codings by id; returns how many. With ``coder``, as one undoable step of
        theirs (on a server only their own may be removed); without, outside anyone's undo
        history (what another end removed)."""
        if not ids:
            return 0
        with self._ctx.store.atomic() as store:
            coder_id = store.coder_id(coder) if coder else None
            return store.delete_codings(list(ids), coder_id=coder_id, record=bool(coder))

    def sync_base(self) -> bytes | None:
        """What this copy and its server last agreed on, as :mod:`qualcode.project.sync`
        wrote it; None if it has no record."""
        return self._ctx.store.sync_base()

    def set_sync_base(self, data: bytes) -> None:
        self._ctx.store.set_sync_base(data)
