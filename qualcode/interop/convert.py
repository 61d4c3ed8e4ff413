"""A qualcode project as a :class:`~qualcode.interop.refi.RefiProject`, for export and merge.

For an export, every code, source, coder, coding and memo without a GUID gets one, the same
at every export: a name-based UUID (uuid5) of the row in the project's own namespace (see
``Store.refi_namespace``). A project file stores them, so they stay when rows move; on a
server they are not stored: a coder may not write the codebook's or the team's rows, and
need not, since every export, by anyone, computes the same. A project read as a merge input
is never written to: what has no GUID gets a local key instead, and the merge matches it by
path, text or span.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import replace
from typing import TYPE_CHECKING

from qualcode.interop.qde import guid as refi_guid
from qualcode.interop.refi import RefiCoding, RefiNote, RefiProject, RefiSource, RefiUser

if TYPE_CHECKING:
    from qualcode.store import Store

# A GUID in any spelling REFI-QDA allows; anything else stored as a guid is replaced.
_GUID = re.compile(r"^\{?[0-9a-fA-F]{8}-([0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}\}?$")


def project_to_refi(store: Store, *, name: str, assign: bool) -> RefiProject:
    """Everything qualcode models, ready to write or merge.

    Args:
        store: the project's store.
        name: the project's name.
        assign: give missing GUIDs real ones and store them (export); else local keys.
    """
    namespace = store.refi_namespace() if assign else None
    book = store.codebook()
    sources = store.list_sources()
    codings = store.list_codings()
    memos = store.list_memos()
    coders = store.coder_rows()
    missing: dict[str, dict[int, str]] = {
        t: {} for t in ("coders", "codes", "sources", "codings", "memos")
    }

    def key(table: str, row_id: int, guid: str | None, local: str) -> str:
        if guid and _GUID.match(guid.strip()):
            canonical = refi_guid(guid)
            if canonical != guid and assign:
                missing[table][row_id] = canonical
            return canonical
        if namespace is None:
            return local
        new = str(uuid.uuid5(namespace, f"{table}/{row_id}"))
        missing[table][row_id] = new
        return new

    coder_guid = {n: key("coders", i, g, f"coder:{n}") for i, n, g in coders}
    code_key = {c.id: key("codes", c.id, c.guid, f"path:{book.path(c)}") for c in book}
    source_key = {s.id: key("sources", s.id, s.guid, f"source:{s.id}") for s in sources}
    coding_key = {c.id: key("codings", c.id, c.guid, f"coding:{c.id}") for c in codings}
    refi = RefiProject(name=name, origin="qualcode")
    used = {c.coder for c in codings} | {m.coder for m in memos if m.coder}
    refi.users = [RefiUser(coder_guid[n], n) for _, n, _ in coders if n in used]
    for c in book:
        refi.codes.append(replace(c, guid=code_key[c.id]))
    for s in sources:
        refi.sources.append(
            RefiSource(
                guid=source_key[s.id],
                name=s.name,
                text=s.text,
                kind=s.kind,
                language=s.language,
                attributes=dict(s.attributes),
            )
        )
    refi.codings = [
        RefiCoding(
            guid=coding_key[c.id],
            source=source_key[c.source_id],
            code=code_key[c.code_id],
            start=c.start,
            end=c.end,
            user=coder_guid[c.coder],
            created_at=c.created_at,
            memo=c.memo,
        )
        for c in codings
    ]
    targets = {"source": source_key, "code": code_key, "coding": coding_key}
    for m in memos:
        ref = targets[m.target].get(m.target_id or -1) if m.target in targets else None
        refi.notes.append(
            RefiNote(
                guid=key("memos", m.id, m.guid, f"memo:{m.id}"),
                text=m.text,
                target=(m.target, ref) if ref else ("project", None),
                user=coder_guid.get(m.coder) if m.coder else None,
                created_at=m.created_at,
            )
        )
    if assign and store.role is None and any(missing.values()):  # a file: see above
        with store.atomic():
            for table, guids in missing.items():
                store.set_guids(table, guids)
    return refi
