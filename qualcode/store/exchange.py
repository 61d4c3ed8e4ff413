"""Queries for REFI-QDA exchange and merging: GUIDs, whole-table reads, bulk writes.

Exports and merges read every coding of a project at once (``list_codings``) and write in
bulk, so the writes here take plain rows rather than one object at a time.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping

from sqlalchemy import select

from qualcode.store import schema as s
from qualcode.store.base import StoreBase
from qualcode.store.settings import SettingKey

# The setting holding a project's own namespace for the GUIDs its exports mint.
REFI_NAMESPACE = SettingKey.REFI_NAMESPACE


class ExchangeMixin(StoreBase):
    def refi_namespace(self) -> uuid.UUID:
        """The namespace of the GUIDs this project's exports mint (see
        :mod:`qualcode.interop.convert`): the ``refi.namespace`` setting if a project has
        one, else one made of what every member of a team reads alike and no other project
        shares: the database's name (on a server) or the project's, and when it was made."""
        settings = self.settings()
        found = settings.refi_namespace
        if found is None:
            name = settings.name
            if self.role is not None:
                with self.reading() as conn:
                    name = str(conn.exec_driver_sql("SELECT current_database()").scalar())
            found = f"qualcode:{name}:{settings.created_at}"
        try:
            return uuid.UUID(found)
        except ValueError:
            return uuid.uuid5(uuid.NAMESPACE_URL, found)

    def coder_rows(self) -> list[tuple[int, str, str | None]]:
        """Every coder as ``(id, name, guid)``."""
        with self.reading() as conn:
            q = select(s.coders.c.id, s.coders.c.name, s.coders.c.guid).order_by(s.coders.c.id)
            return [(int(i), n, g) for i, n, g in conn.execute(q)]

    def set_guids(self, table: str, guids: Mapping[int, str]) -> None:
        """Store GUIDs by row id in ``coders``, ``codes``, ``sources``, ``codings`` or ``memos``."""
        t = {
            "coders": s.coders,
            "codes": s.codes,
            "sources": s.sources,
            "codings": s.codings,
            "memos": s.memos,
        }[table]
        if guids:
            with self.writing() as conn:
                self.dialect.fill_guids(conn, t, guids)

    def add_coder(self, name: str, guid: str | None) -> int:
        with self.writing() as conn:
            return self.dialect.insert_rows(conn, s.coders, [{"name": name, "guid": guid}])[0]

    def coding_keys(self) -> set[tuple[int, int, int, int, int]]:
        """``(source_id, code_id, coder_id, start, end)`` of every coding, to skip duplicates."""
        c = s.codings
        with self.reading() as conn:
            q = select(c.c.source_id, c.c.code_id, c.c.coder_id, c.c.start, c.c.end)
            return {(a, b, c_, d, e) for a, b, c_, d, e in conn.execute(q)}

    def coding_guids(self) -> set[str]:
        with self.reading() as conn:
            q = select(s.codings.c.guid).where(s.codings.c.guid.is_not(None))
            return set(conn.execute(q).scalars())
