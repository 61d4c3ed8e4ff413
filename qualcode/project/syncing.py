"""What an offline copy's clone, push and pull (:mod:`qualcode.project.sync`) need of a project.

Sync compares two projects by content, never by id: a coding is ``(source text hash, code
path, coder, start, end)`` at both ends. These are the few calls it makes beyond the rest of
the facade: the project read whole, its codings' ids by that content, a removal of codings
by id, one transaction around several calls, and the record of the last sync.
"""

from __future__ import annotations

from collections.abc import Collection
from contextlib import AbstractContextManager
from typing import TYPE_CHECKING

from qualcode.project.base import ProjectBase

if TYPE_CHECKING:
    from qualcode.interop.refi import RefiProject

CodingKey = tuple[str, str, str, int, int]  # source text hash, code path, coder, start, end


class SyncActions(ProjectBase):
    def transaction(self) -> AbstractContextManager[object]:
        """One transaction around the writes of the block: all of them or none. Inside
        another one, a savepoint."""
        return self.store.atomic()

    def read_whole(self) -> RefiProject:
        """Everything the project holds, as a merge reads it. Nothing is written: what has
        no REFI-QDA GUID gets a local key (see :func:`qualcode.interop.convert.project_to_refi`)."""
        from qualcode.interop.convert import project_to_refi

        return project_to_refi(self.store, name=self.settings().get("name", ""), assign=False)

    def coding_ids(self) -> dict[CodingKey, int]:
        """Every coding's id by its content: source text hash, case-folded code path,
        coder (exactly as named: ``Anna`` and ``anna`` are two people), start and end."""
        book = self.codebook()
        paths = {c.id: book.path(c).casefold() for c in book}
        hashes = {s.id: s.content_hash for s in self.store.list_sources(with_text=False)}
        return {
            (hashes[r.source_id], paths[r.code_id], r.coder, r.start, r.end): r.id
            for r in self.store.list_codings()
        }

    def remove_codings(self, ids: Collection[int], *, coder: str | None) -> int:
        """Remove codings by id; returns how many. With ``coder``, as one undoable step of
        theirs (on a server only their own may be removed); without, outside anyone's undo
        history (what another end removed)."""
        if not ids:
            return 0
        with self.store.atomic() as store:
            coder_id = store.coder_id(coder) if coder else None
            return store.delete_codings(list(ids), coder_id=coder_id, record=bool(coder))

    def sync_base(self) -> bytes | None:
        """What this copy and its server last agreed on, as :mod:`qualcode.project.sync`
        wrote it; None if it has no record."""
        return self.store.sync_base()

    def set_sync_base(self, data: bytes) -> None:
        self.store.set_sync_base(data)
