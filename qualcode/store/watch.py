"""A project file's changes, seen from an open window: another window's coding, a command
run beside it (``import``, ``code``), a ``pull`` into a clone.

SQLite has no notifications. Each connection has a ``PRAGMA data_version`` that changes when
any other connection commits to the file, and reading it costs no disk read (it is in the
shared memory of write-ahead logging). A :class:`FileWatcher` holds one connection of its
own, which never writes, and reads it twice a second; a change it sees is reported as
:class:`~qualcode.store.live.Edited` (``parts=("project",)``: a file says no more about what
changed). The window's own writes change it too: they are told apart by the store's count of
write transactions begun (``StoreBase.writes_begun``), which moves before a write commits.
A change of another process in the same half second as one of the window's own is taken as
the window's, and shows with the next change, on focus or on ctrl+r.
"""

from __future__ import annotations

import sqlite3
import threading
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

    def run(self, on_edit: Callable[[Edited], object], cancel: threading.Event) -> None:
        """Call ``on_edit`` each time the file changes, until ``cancel`` is set. Runs in a
        thread of its own; a file that cannot be read raises :class:`ProjectError`."""
        try:
            conn = sqlite3.connect(self.path, check_same_thread=False)
        except sqlite3.Error as exc:
            raise ProjectError(
                f"cannot watch the project for changes ({exc})", file=self.label
            ) from None
        try:
            seen, mine = self._version(conn), self.own()
            while not cancel.wait(WAIT):
                now = self._version(conn)
                if now != seen:
                    written = self.own()
                    on_edit(Edited(("project",), mine=written != mine))
                    seen, mine = now, written
        finally:
            conn.close()

    def _version(self, conn: sqlite3.Connection) -> int:
        try:
            return int(conn.execute("PRAGMA data_version").fetchone()[0])
        except sqlite3.Error as exc:
            raise ProjectError(
                f"stopped watching the project for changes ({exc}); what others change "
                "shows on ctrl+r",
                file=self.label,
            ) from None
