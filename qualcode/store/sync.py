"""The record an offline copy keeps of its last sync with the server (``sync_base``).

Only :mod:`qualcode.project.sync` reads it, as opaque bytes: it is kept out of the settings
because it grows with the project and the settings are read on almost every call.
"""

from __future__ import annotations

from sqlalchemy import select

from qualcode.store import schema as s
from qualcode.store.base import StoreBase


class SyncMixin(StoreBase):
    def sync_base(self) -> bytes | None:
        """The recorded base, or None if there is none (not a copy of a server project)."""
        with self.reading() as conn:
            found = conn.execute(
                select(s.sync_base.c.data).where(s.sync_base.c.id == s.SYNC_BASE_ROW)
            ).scalar()
        return None if found is None else bytes(found)

    def set_sync_base(self, data: bytes) -> None:
        """Record the base, replacing the one before."""
        table = s.sync_base
        with self.writing() as conn:
            updated = conn.execute(
                table.update().where(table.c.id == s.SYNC_BASE_ROW).values(data=data)
            )
            if updated.rowcount == 0:
                conn.execute(table.insert().values(id=s.SYNC_BASE_ROW, data=data))
