"""A project file's changes, seen from an open window: another window's coding, a command
run beside it (``import``, ``code``), a ``pull`` into a clone.

SQLite has no notifications. Each connection has a ``PRAGMA data_version`` that changes when
any other connection commits to the file, and reading it costs no disk read (it is in the
shared memory of write-ahead logging), so a window can look at it twice a second on its own
thread without a wait. A :class:`FileWatcher` holds one connection of its own, which never
writes; :meth:`FileWatcher.look` reports a change as :class:`~qualcode.store.live.Edited`
(``parts=("project",)``: a file says no more about what changed). The window's own writes
change the version too: they are told apart by the store's count of write transactions
begun (``StoreBase.writes_begun``), which moves before a write commits. A change of another
process in the same look as one of the window's own is taken as the window's, and shows
with the next change, on focus or on ctrl+r.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path

from qualcode.errors import ProjectError
from qualcode.store.live import Edited

WAIT = 0.5  # seconds between two looks at the file


class FileWatcher:
    """Watches a project file for commits.

    Args:
        path: the project file.
        own: how many write transactions the window's own store has begun.
        label: how to name the project in an error.
    """

    def __init__(self, path: Path, own: Callable[[], int], *, label: str | None = None):
        self.path = path
        self.own = own
        self.label = label or path.name
        self._conn: sqlite3.Connection | None = None
        self._seen: tuple[int, int] | None = None  # the version and own writes at the last look

    def look(self) -> Edited | None:
        """What changed since the last look (the first look only takes note); None if
        nothing did. A file that can no longer be read raises :class:`ProjectError`."""
        try:
            if self._conn is None:
                self._conn = sqlite3.connect(self.path, check_same_thread=False)
            version = int(self._conn.execute("PRAGMA data_version").fetchone()[0])
        except sqlite3.Error as exc:
            raise ProjectError(
                f"stopped watching the project for changes ({exc}); what others change "
                "shows on ctrl+r",
                file=self.label,
            ) from None
        now = (version, self.own())
        if self._seen is None:
            self._seen = now
            return None
        if version == self._seen[0]:
            return None  # own writes are counted from the last change seen
        mine = now[1] != self._seen[1]
        self._seen = now
        return Edited(("project",), mine=mine)

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None
